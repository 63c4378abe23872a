// Package ratelimit bounds how often one client may do something, in memory
// for a single instance or in Redis when several instances must agree.
package ratelimit

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limiter answers whether key may act once more in the current window.
type Limiter interface {
	Allow(ctx context.Context, key string) (bool, error)
}

// Memory is a fixed-window limiter for one process, bounded in keys so a
// flood of distinct clients cannot exhaust memory.
type Memory struct {
	mu      sync.Mutex
	limit   int
	window  time.Duration
	maxKeys int
	now     func() time.Time
	counts  map[string]*slot
}

type slot struct {
	start time.Time
	n     int
}

// NewMemory allows limit actions per window per key. now may be nil.
func NewMemory(limit int, window time.Duration, now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{limit: limit, window: window, maxKeys: 100_000, now: now, counts: map[string]*slot{}}
}

func (m *Memory) Allow(_ context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	s, ok := m.counts[key]
	if !ok || now.Sub(s.start) >= m.window {
		if !ok && len(m.counts) >= m.maxKeys {
			m.sweep(now)
		}
		s = &slot{start: now}
		m.counts[key] = s
	}
	s.n++
	return s.n <= m.limit, nil
}

// sweep drops expired windows; if every window is live (a flood of
// distinct clients), an arbitrary half goes. That can hand a limited client
// a fresh window during such a flood, a trade made on purpose: refusing
// every new client instead would turn a flood into an outage.
func (m *Memory) sweep(now time.Time) {
	for k, s := range m.counts {
		if now.Sub(s.start) >= m.window {
			delete(m.counts, k)
		}
	}
	for k := range m.counts {
		if len(m.counts) < m.maxKeys/2 {
			break
		}
		delete(m.counts, k)
	}
}

// Redis is a fixed-window limiter shared by every instance on one Redis.
type Redis struct {
	client *redis.Client
	prefix string
	limit  int
	window time.Duration
}

// NewRedis keys its counters under prefix.
func NewRedis(client *redis.Client, prefix string, limit int, window time.Duration) *Redis {
	return &Redis{client: client, prefix: prefix, limit: limit, window: window}
}

func (r *Redis) Allow(ctx context.Context, key string) (bool, error) {
	k := r.prefix + key
	pipe := r.client.TxPipeline()
	incr := pipe.Incr(ctx, k)
	// NX: the window starts with the first hit and is not extended by later ones.
	pipe.ExpireNX(ctx, k, r.window)
	if _, err := pipe.Exec(ctx); err != nil {
		return false, err
	}
	return incr.Val() <= int64(r.limit), nil
}
