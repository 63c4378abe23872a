package wechat

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// failures counts failed bind attempts per openid in a fixed window that
// starts at the first failure, so guessing ID numbers through 绑定 stops
// after a handful of tries. Successful binds are not counted.
type failures interface {
	count(ctx context.Context, key string) (int, error)
	add(ctx context.Context, key string) (int, error)
}

type memFailures struct {
	mu      sync.Mutex
	window  time.Duration
	now     func() time.Time
	maxKeys int
	m       map[string]*failSlot
}

type failSlot struct {
	start time.Time
	n     int
}

func newMemFailures(window time.Duration, now func() time.Time) *memFailures {
	return &memFailures{window: window, now: now, maxKeys: 100_000, m: map[string]*failSlot{}}
}

func (f *memFailures) count(_ context.Context, key string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.m[key]; s != nil && f.now().Sub(s.start) < f.window {
		return s.n, nil
	}
	return 0, nil
}

func (f *memFailures) add(_ context.Context, key string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	s := f.m[key]
	if s == nil || now.Sub(s.start) >= f.window {
		if s == nil && len(f.m) >= f.maxKeys {
			f.sweep(now)
		}
		s = &failSlot{start: now}
		f.m[key] = s
	}
	s.n++
	return s.n, nil
}

// sweep drops expired windows. If all are live, it drops none: forgetting
// failures would reopen guessing, and each key costs a few dozen bytes.
func (f *memFailures) sweep(now time.Time) {
	for k, s := range f.m {
		if now.Sub(s.start) >= f.window {
			delete(f.m, k)
		}
	}
}

type redisFailures struct {
	rdb    *redis.Client
	prefix string
	window time.Duration
}

func (f *redisFailures) count(ctx context.Context, key string) (int, error) {
	n, err := f.rdb.Get(ctx, f.prefix+key).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, err
}

func (f *redisFailures) add(ctx context.Context, key string) (int, error) {
	k := f.prefix + key
	pipe := f.rdb.TxPipeline()
	incr := pipe.Incr(ctx, k)
	pipe.ExpireNX(ctx, k, f.window) // the window starts at the first failure
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	return int(incr.Val()), nil
}
