package ratelimit

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"ecert/internal/testenv"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// allowN calls Allow n times and returns how many were allowed.
func allowN(t *testing.T, l Limiter, key string, n int) int {
	t.Helper()
	ok := 0
	for i := 0; i < n; i++ {
		a, err := l.Allow(context.Background(), key)
		if err != nil {
			t.Fatalf("Allow(%q): %v", key, err)
		}
		if a {
			ok++
		}
	}
	return ok
}

func TestMemoryWindow(t *testing.T) {
	tests := []struct {
		limit  int
		window time.Duration
	}{
		{1, time.Second}, {3, time.Minute}, {20, time.Minute}, {100, time.Hour},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.limit, "/", tt.window), func(t *testing.T) {
			c := &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
			m := NewMemory(tt.limit, tt.window, c.now)
			ctx := context.Background()
			for i := 1; i <= tt.limit; i++ {
				if ok, _ := m.Allow(ctx, "1.2.3.4"); !ok {
					t.Fatalf("request %d of %d refused", i, tt.limit)
				}
			}
			for i := 0; i < 3; i++ {
				if ok, _ := m.Allow(ctx, "1.2.3.4"); ok {
					t.Fatalf("request %d beyond the limit allowed", tt.limit+i+1)
				}
			}
			// Still inside the window: still refused.
			c.advance(tt.window - time.Nanosecond)
			if ok, _ := m.Allow(ctx, "1.2.3.4"); ok {
				t.Fatal("allowed again before the window ended")
			}
			// A new window allows `limit` again.
			c.advance(time.Nanosecond)
			if got := allowN(t, m, "1.2.3.4", tt.limit+2); got != tt.limit {
				t.Fatalf("new window allowed %d, want %d", got, tt.limit)
			}
		})
	}
}

func TestMemoryWindowStartsAtFirstHit(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	m := NewMemory(2, time.Minute, c.now)
	allowN(t, m, "k", 1)
	c.advance(50 * time.Second)
	if got := allowN(t, m, "k", 2); got != 1 {
		t.Fatalf("allowed %d in the rest of the first window, want 1", got)
	}
	c.advance(10 * time.Second) // 60 s after the first hit
	if got := allowN(t, m, "k", 2); got != 2 {
		t.Fatalf("allowed %d in the second window, want 2", got)
	}
}

func TestMemoryKeysIndependent(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	m := NewMemory(2, time.Minute, c.now)
	if got := allowN(t, m, "a", 5); got != 2 {
		t.Fatalf("a allowed %d, want 2", got)
	}
	for _, k := range []string{"b", "c", "", "a ", "A"} {
		if got := allowN(t, m, k, 3); got != 2 {
			t.Errorf("key %q allowed %d after a was exhausted, want 2", k, got)
		}
	}
	if got := allowN(t, m, "a", 1); got != 0 {
		t.Errorf("a allowed again: %d", got)
	}
}

func TestMemoryConcurrent(t *testing.T) {
	m := NewMemory(50, time.Hour, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if ok, _ := m.Allow(context.Background(), "shared"); ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if allowed != 50 {
		t.Fatalf("800 concurrent requests allowed %d, want exactly 50", allowed)
	}
}

func TestMemoryBoundedKeys(t *testing.T) {
	tests := []struct {
		name string
		step time.Duration // clock advance per key
	}{
		{"flood inside one window", 0},
		{"keys expiring as they go", time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
			m := NewMemory(5, time.Minute, c.now)
			peak := 0
			for i := 0; i < 300_000; i++ {
				allowN(t, m, "client-"+strconv.Itoa(i), 1)
				c.advance(tt.step)
				if n := len(m.counts); n > peak {
					peak = n
				}
			}
			if peak > m.maxKeys {
				t.Fatalf("key map grew to %d entries, bound is %d", peak, m.maxKeys)
			}
			if peak < m.maxKeys/2 && tt.step == 0 {
				t.Fatalf("key map peaked at %d: it forgets clients far too early", peak)
			}
			// The limiter still works after the sweeps.
			if got := allowN(t, m, "after-flood", 7); got != 5 {
				t.Fatalf("after the flood a new key is allowed %d, want 5", got)
			}
		})
	}
}

// redisClient connects to the local Redis, skipping (or, under CI, failing)
// when it does not answer.
func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	addr := os.Getenv("ECERT_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		testenv.Unavailable(t, "Redis at %s does not answer: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func uniquePrefix(t *testing.T) string {
	return fmt.Sprintf("ecert-test:%s:%d:%d:", t.Name(), os.Getpid(), time.Now().UnixNano())
}

func cleanupPrefix(t *testing.T, c *redis.Client, prefix string) {
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
}

// Two instances sharing a Redis and a prefix share one budget per key.
func TestRedisSharedAcrossInstances(t *testing.T) {
	c1 := redisClient(t)
	c2 := redis.NewClient(&redis.Options{Addr: c1.Options().Addr})
	t.Cleanup(func() { c2.Close() })
	prefix := uniquePrefix(t)
	cleanupPrefix(t, c1, prefix)

	const limit = 5
	a := NewRedis(c1, prefix, limit, time.Minute)
	b := NewRedis(c2, prefix, limit, time.Minute)
	tests := []struct {
		key    string
		fromA  int
		fromB  int
		wantOK int
	}{
		{"ip-1", 3, 4, limit},
		{"ip-2", 0, 8, limit},
		{"ip-3", 2, 2, 4},
		{"ip-4", 10, 10, limit},
	}
	for _, tt := range tests {
		ok := allowN(t, a, tt.key, tt.fromA) + allowN(t, b, tt.key, tt.fromB)
		if ok != tt.wantOK {
			t.Errorf("key %s: %d from A + %d from B allowed %d, want %d", tt.key, tt.fromA, tt.fromB, ok, tt.wantOK)
		}
	}
	// Once exhausted, neither instance allows the key.
	if allowN(t, a, "ip-1", 1)+allowN(t, b, "ip-1", 1) != 0 {
		t.Error("exhausted key allowed again by one of the instances")
	}
	// Another prefix is another budget.
	other := NewRedis(c1, prefix+"other:", limit, time.Minute)
	if got := allowN(t, other, "ip-1", limit); got != limit {
		t.Errorf("other prefix allowed %d, want %d", got, limit)
	}
	// The counter expires with the window, set once by the first hit.
	ttl, err := c1.TTL(context.Background(), prefix+"ip-1").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Errorf("TTL of the counter = %v, %v; want within the 1m window", ttl, err)
	}
}

func TestRedisConcurrentInstances(t *testing.T) {
	c := redisClient(t)
	prefix := uniquePrefix(t)
	cleanupPrefix(t, c, prefix)
	const limit = 30
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := redis.NewClient(&redis.Options{Addr: c.Options().Addr})
			defer cl.Close()
			l := NewRedis(cl, prefix, limit, time.Minute)
			for i := 0; i < 25; i++ {
				ok, err := l.Allow(context.Background(), "shared")
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if allowed != limit {
		t.Fatalf("100 requests from 4 instances allowed %d, want exactly %d", allowed, limit)
	}
}

func TestRedisNewWindow(t *testing.T) {
	c := redisClient(t)
	prefix := uniquePrefix(t)
	cleanupPrefix(t, c, prefix)
	l := NewRedis(c, prefix, 2, time.Second)
	if got := allowN(t, l, "k", 4); got != 2 {
		t.Fatalf("first window allowed %d, want 2", got)
	}
	time.Sleep(1100 * time.Millisecond)
	if got := allowN(t, l, "k", 4); got != 2 {
		t.Fatalf("second window allowed %d, want 2", got)
	}
}

func TestRedisError(t *testing.T) {
	// A Redis that is not there is an error, not a silent allow.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	ok, err := NewRedis(c, "x:", 5, time.Minute).Allow(context.Background(), "k")
	if err == nil || ok {
		t.Fatalf("Allow with Redis down = %v, %v; want false and an error", ok, err)
	}
}

// A window that keeps live counts never forgets one, even when a flood of
// distinct keys reaches the bound; Count reads without adding.
func TestWindowKeepLive(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	w := NewWindow(time.Hour, c.now, true)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		w.Add(ctx, "guesser")
	}
	for i := 0; i < w.maxKeys+10; i++ {
		w.Add(ctx, "flood-"+strconv.Itoa(i))
	}
	if n, _ := w.Count(ctx, "guesser"); n != 3 {
		t.Fatalf("count after a flood = %d, want 3", n)
	}
	if n, _ := w.Count(ctx, "guesser"); n != 3 {
		t.Fatalf("Count added: %d", n)
	}
	c.advance(time.Hour)
	if n, _ := w.Count(ctx, "guesser"); n != 0 {
		t.Fatalf("count after the window = %d, want 0", n)
	}
}
