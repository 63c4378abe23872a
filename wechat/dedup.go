package wechat

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"ecert/internal/admission"
)

// dedup remembers each callback's reply for a few minutes, so a callback
// WeChat retries has one effect and gets the same answer.
type dedup interface {
	// claim reports owned when the caller is the first to see key and
	// must process it, then store or release. Otherwise it waits up to
	// wait for the first one's reply: done with the reply, or not done
	// when that is still in progress.
	claim(ctx context.Context, key string, wait time.Duration) (owned bool, reply []byte, done bool, err error)
	store(ctx context.Context, key string, reply []byte) error
	// release forgets a claim whose processing failed, so a retry may try
	// again.
	release(ctx context.Context, key string) error
}

// hashKey keeps openids out of cache keys.
func hashKey(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

// memDedup is the single-instance dedup: bounded, entries expire after
// ttl. All entries live equally long, so insertion order is expiry order
// and a FIFO list is enough to evict.
type memDedup struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	now     func() time.Time
	entries map[string]*memEntry
	order   *list.List // of *memEntry, oldest first
}

type memEntry struct {
	key      string
	expires  time.Time
	done     chan struct{} // closed when stored or released
	finished bool
	stored   bool
	reply    []byte
	elem     *list.Element
}

func newMemDedup(ttl time.Duration, max int, now func() time.Time) *memDedup {
	return &memDedup{ttl: ttl, max: max, now: now, entries: map[string]*memEntry{}, order: list.New()}
}

func (d *memDedup) claim(ctx context.Context, key string, wait time.Duration) (bool, []byte, bool, error) {
	var deadline *time.Timer // started on the first wait: most callbacks claim at once
	for {
		d.mu.Lock()
		now := d.now()
		d.evict(now)
		e := d.entries[key]
		if e == nil {
			e = &memEntry{key: key, expires: now.Add(d.ttl), done: make(chan struct{})}
			e.elem = d.order.PushBack(e)
			d.entries[key] = e
			d.mu.Unlock()
			return true, nil, false, nil
		}
		if e.stored {
			d.mu.Unlock()
			return false, e.reply, true, nil
		}
		d.mu.Unlock()
		if deadline == nil {
			// Waiting, not computing: let another request run meanwhile.
			admission.Leave(ctx)
			deadline = time.NewTimer(wait)
			defer deadline.Stop()
		}
		select {
		case <-e.done: // stored (answer next loop) or released (claim it)
		case <-deadline.C:
			return false, nil, false, nil
		case <-ctx.Done():
			return false, nil, false, ctx.Err()
		}
	}
}

// evict drops expired entries, then the oldest while over the bound.
func (d *memDedup) evict(now time.Time) {
	for f := d.order.Front(); f != nil; f = d.order.Front() {
		e := f.Value.(*memEntry)
		if !now.After(e.expires) && d.order.Len() < d.max {
			return
		}
		d.remove(e)
	}
}

func (d *memDedup) remove(e *memEntry) {
	d.order.Remove(e.elem)
	if d.entries[e.key] == e {
		delete(d.entries, e.key)
	}
	if !e.finished {
		e.finished = true
		close(e.done)
	}
}

func (d *memDedup) store(_ context.Context, key string, reply []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e := d.entries[key]; e != nil && !e.finished {
		e.reply, e.stored, e.finished = reply, true, true
		close(e.done)
	}
	return nil
}

func (d *memDedup) release(_ context.Context, key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e := d.entries[key]; e != nil && !e.stored {
		d.remove(e)
	}
	return nil
}
