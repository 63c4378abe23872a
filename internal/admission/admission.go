// Package admission bounds how many requests run at once and serves the
// rest in arrival order.
//
// Without a bound every connection's goroutine runs at once and they meet
// at the database pool, which hands a freed connection to a random waiter
// (database/sql's connRequestSet.TakeRandom): under load most requests wait
// a little and a few wait very long. Measured with 200 connections on
// loopback, that random hand-out made the 99th percentile five times the
// median. A buffered channel's blocked senders are woken first come, first
// served, so queueing here instead makes every request wait about as long
// as the others.
//
// A slot stands for a share of the CPU, so a request that is about to wait
// for something else (a write waiting for SQLite's single write lock while
// an import holds it) gives its slot back with Leave: otherwise a few such
// writers would stop every lookup behind them.
package admission

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// ErrBusy is Enter's answer when no slot came free within the wait.
var ErrBusy = errors.New("admission: no free slot within the queue timeout")

// Gate lets a fixed number of requests in at once.
type Gate struct {
	slots   chan struct{}
	maxWait time.Duration
}

// NewGate lets maxInFlight requests in at once; the others wait up to
// maxWait, first come, first served.
func NewGate(maxInFlight int, maxWait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, maxInFlight), maxWait: maxWait}
}

// slot is one admitted request's place; freed records that it was given
// back, so Leave and the request's end free it only once between them.
type slot struct {
	gate  *Gate
	freed atomic.Bool
}

func (s *slot) free() {
	if s.freed.CompareAndSwap(false, true) {
		<-s.gate.slots
	}
}

type slotKey struct{}

// Enter waits for a slot. It returns a context carrying the slot (for
// Leave) and the function that frees it, which the caller must call when
// the request ends. It fails with ErrBusy after the gate's wait, or with
// ctx's error when the client goes away first.
func (g *Gate) Enter(ctx context.Context) (context.Context, func(), error) {
	select {
	case g.slots <- struct{}{}:
	default:
		// Start a timer only when queueing: the common case need not pay
		// for it.
		t := time.NewTimer(g.maxWait)
		defer t.Stop()
		select {
		case g.slots <- struct{}{}:
		case <-t.C:
			return ctx, nil, ErrBusy
		case <-ctx.Done():
			return ctx, nil, ctx.Err()
		}
	}
	s := &slot{gate: g}
	return context.WithValue(ctx, slotKey{}, s), s.free, nil
}

// Leave gives back the slot of the request ctx belongs to before the
// request ends, for a step that waits rather than computes. The rest of
// the request runs outside the bound, so call it only where what follows
// is that wait and a little work. Without a slot in ctx it does nothing.
func Leave(ctx context.Context) {
	if s, ok := ctx.Value(slotKey{}).(*slot); ok {
		s.free()
	}
}
