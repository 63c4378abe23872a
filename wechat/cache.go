package wechat

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"
)

// tokenCache is the SDK's cache.Cache (where it keeps the access token)
// plus a compare-and-delete, so of many calls that see one token rejected
// only the first drops it and the others use the fresh one.
type tokenCache interface {
	cache.Cache
	deleteIfEqual(ctx context.Context, key, val string) error
}

// memCache is a mutex-guarded cache.Cache for one instance; the SDK's own
// in-memory cache (v2.1.10) has a data race.
type memCache struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[string]memItem
}

type memItem struct {
	val     any
	expires time.Time
}

func newMemCache() *memCache { return &memCache{now: time.Now, m: map[string]memItem{}} }

func (c *memCache) Get(key string) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.m[key]
	if !ok {
		return nil
	}
	if !it.expires.IsZero() && c.now().After(it.expires) {
		delete(c.m, key)
		return nil
	}
	return it.val
}

func (c *memCache) Set(key string, val any, timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	it := memItem{val: val}
	if timeout > 0 {
		it.expires = c.now().Add(timeout)
	}
	c.m[key] = it
	return nil
}

func (c *memCache) IsExist(key string) bool { return c.Get(key) != nil }

func (c *memCache) Delete(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
	return nil
}

func (c *memCache) deleteIfEqual(_ context.Context, key, val string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if it, ok := c.m[key]; ok && it.val == val {
		delete(c.m, key)
	}
	return nil
}

// redisCache is cache.Cache over our go-redis v9 client, so every instance
// shares one access token (the SDK's cache.NewRedis needs go-redis v8 and
// a second connection pool). Values are strings, which is all the SDK
// stores for tokens.
type redisCache struct {
	rdb     *redis.Client
	prefix  string
	timeout time.Duration
}

func (c *redisCache) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), c.timeout)
}

func (c *redisCache) Get(key string) any {
	ctx, cancel := c.ctx()
	defer cancel()
	v, err := c.rdb.Get(ctx, c.prefix+key).Result()
	if err != nil {
		return nil // a miss or an outage: the SDK then fetches a token
	}
	return v
}

func (c *redisCache) Set(key string, val any, timeout time.Duration) error {
	s, ok := val.(string)
	if !ok {
		return errors.New("wechat redis cache: only strings are stored")
	}
	if timeout < 0 {
		timeout = time.Second
	}
	ctx, cancel := c.ctx()
	defer cancel()
	return c.rdb.Set(ctx, c.prefix+key, s, timeout).Err()
}

func (c *redisCache) IsExist(key string) bool { return c.Get(key) != nil }

func (c *redisCache) Delete(key string) error {
	ctx, cancel := c.ctx()
	defer cancel()
	return c.rdb.Del(ctx, c.prefix+key).Err()
}

// casDelete deletes KEYS[1] only while it still holds ARGV[1]: a token
// only while it is the one rejected, the fetch lock only while it is ours.
var casDelete = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

func (c *redisCache) deleteIfEqual(ctx context.Context, key, val string) error {
	return casDelete.Run(ctx, c.rdb, []string{c.prefix + key}, val).Err()
}
