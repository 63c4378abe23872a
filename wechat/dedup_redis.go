package wechat

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"ecert/internal/admission"
)

// redisDedup shares de-duplication between instances: the first instance
// to SET NX a callback's key processes it, the others wait for its reply.
// Values are "p" while processing and "d" + reply XML once answered.
type redisDedup struct {
	rdb    *redis.Client
	prefix string
	ttl    time.Duration
	poll   time.Duration
}

const (
	dedupPending = "p"
	dedupDone    = "d"
)

func (d *redisDedup) key(k string) string { return d.prefix + "dedup:" + hashKey(k) }

func (d *redisDedup) claim(ctx context.Context, key string, wait time.Duration) (bool, []byte, bool, error) {
	k := d.key(key)
	deadline := time.Now().Add(wait)
	for {
		ok, err := d.rdb.SetNX(ctx, k, dedupPending, d.ttl).Result()
		if err != nil {
			return false, nil, false, err
		}
		if ok {
			return true, nil, false, nil
		}
		v, err := d.rdb.Get(ctx, k).Result()
		switch {
		case errors.Is(err, redis.Nil):
			continue // released or expired between the two calls: claim again
		case err != nil:
			return false, nil, false, err
		case len(v) > 0 && v[:1] == dedupDone:
			return false, []byte(v[1:]), true, nil
		}
		if time.Now().After(deadline) {
			return false, nil, false, nil
		}
		admission.Leave(ctx) // waiting, not computing (see memDedup.claim)
		select {
		case <-time.After(d.poll):
		case <-ctx.Done():
			return false, nil, false, ctx.Err()
		}
	}
}

func (d *redisDedup) store(ctx context.Context, key string, reply []byte) error {
	return d.rdb.Set(ctx, d.key(key), dedupDone+string(reply), d.ttl).Err()
}

func (d *redisDedup) release(ctx context.Context, key string) error {
	return d.rdb.Del(ctx, d.key(key)).Err()
}
