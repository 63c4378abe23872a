// Package ratelimit counts what one client does in a window — in memory
// for a single instance, or in Redis when several instances must agree —
// and bounds it.
package ratelimit

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Counter counts events per key in a fixed window that starts at the key's
// first event. Count reads without adding; Add adds one and returns the
// count in the window.
type Counter interface {
	Count(ctx context.Context, key string) (int, error)
	Add(ctx context.Context, key string) (int, error)
}

// Limiter answers whether key may act once more in the current window.
type Limiter interface {
	Allow(ctx context.Context, key string) (bool, error)
}

// Window is an in-memory Counter, bounded in keys so a flood of distinct
// clients cannot exhaust memory.
type Window struct {
	mu      sync.Mutex
	window  time.Duration
	maxKeys int
	// keepLive keeps every live window when the key bound is reached (only
	// expired ones go): for counts that must not be forgotten, such as
	// failed binds, at the price of memory during a flood.
	keepLive bool
	now      func() time.Time
	counts   map[string]*slot
}

type slot struct {
	start time.Time
	n     int
}

// NewWindow counts per window. now may be nil.
func NewWindow(window time.Duration, now func() time.Time, keepLive bool) *Window {
	if now == nil {
		now = time.Now
	}
	return &Window{window: window, maxKeys: 100_000, keepLive: keepLive, now: now, counts: map[string]*slot{}}
}

func (w *Window) Count(_ context.Context, key string) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := w.counts[key]; s != nil && w.now().Sub(s.start) < w.window {
		return s.n, nil
	}
	return 0, nil
}

func (w *Window) Add(_ context.Context, key string) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	s, ok := w.counts[key]
	if !ok || now.Sub(s.start) >= w.window {
		if !ok && len(w.counts) >= w.maxKeys {
			w.sweep(now)
		}
		s = &slot{start: now}
		w.counts[key] = s
	}
	s.n++
	return s.n, nil
}

// sweep drops expired windows; if every window is live (a flood of
// distinct clients) and keepLive is off, an arbitrary half goes. That can
// hand a limited client a fresh window during such a flood, a trade made
// on purpose: refusing every new client instead would turn a flood into
// an outage.
func (w *Window) sweep(now time.Time) {
	for k, s := range w.counts {
		if now.Sub(s.start) >= w.window {
			delete(w.counts, k)
		}
	}
	if w.keepLive {
		return
	}
	for k := range w.counts {
		if len(w.counts) < w.maxKeys/2 {
			break
		}
		delete(w.counts, k)
	}
}

// RedisWindow is a Counter shared by every instance on one Redis.
type RedisWindow struct {
	client *redis.Client
	prefix string
	window time.Duration
}

// NewRedisWindow keys its counters under prefix.
func NewRedisWindow(client *redis.Client, prefix string, window time.Duration) *RedisWindow {
	return &RedisWindow{client: client, prefix: prefix, window: window}
}

func (r *RedisWindow) Count(ctx context.Context, key string) (int, error) {
	n, err := r.client.Get(ctx, r.prefix+key).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, err
}

func (r *RedisWindow) Add(ctx context.Context, key string) (int, error) {
	k := r.prefix + key
	pipe := r.client.TxPipeline()
	incr := pipe.Incr(ctx, k)
	// NX: the window starts with the first event and is not extended by later ones.
	pipe.ExpireNX(ctx, k, r.window)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	return int(incr.Val()), nil
}

// Memory limits per key in one process.
type Memory struct {
	*Window
	limit int
}

// NewMemory allows limit actions per window per key. now may be nil.
func NewMemory(limit int, window time.Duration, now func() time.Time) *Memory {
	return &Memory{Window: NewWindow(window, now, false), limit: limit}
}

func (m *Memory) Allow(ctx context.Context, key string) (bool, error) {
	n, err := m.Add(ctx, key)
	return n <= m.limit, err
}

// Redis limits per key across every instance on one Redis.
type Redis struct {
	*RedisWindow
	limit int
}

// NewRedis keys its counters under prefix.
func NewRedis(client *redis.Client, prefix string, limit int, window time.Duration) *Redis {
	return &Redis{RedisWindow: NewRedisWindow(client, prefix, window), limit: limit}
}

func (r *Redis) Allow(ctx context.Context, key string) (bool, error) {
	n, err := r.Add(ctx, key)
	if err != nil {
		return false, err
	}
	return n <= r.limit, nil
}
