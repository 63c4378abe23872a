package admission_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"ecert/internal/admission"
)

// enter admits a request or fails the test.
func enter(t *testing.T, g *admission.Gate) (context.Context, func()) {
	t.Helper()
	ctx, done, err := g.Enter(context.Background())
	if err != nil {
		t.Fatalf("enter: %v", err)
	}
	return ctx, done
}

func TestFullGateAnswersBusyAfterTheWait(t *testing.T) {
	g := admission.NewGate(1, 50*time.Millisecond)
	_, done := enter(t, g)
	start := time.Now()
	if _, _, err := g.Enter(context.Background()); !errors.Is(err, admission.ErrBusy) {
		t.Fatalf("second request on a one-slot gate: %v, want ErrBusy", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Fatalf("gave up after %v, before the 50ms wait", waited)
	}
	done()
	_, done = enter(t, g) // the freed slot is usable again
	done()
}

func TestClientGoneWhileQueued(t *testing.T) {
	g := admission.NewGate(1, time.Minute)
	_, done := enter(t, g)
	defer done()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := g.Enter(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("queued request whose client left: %v, want context.Canceled", err)
	}
}

// Leave gives the slot to the next request in the queue at once, and the
// request's end does not free a second one.
func TestLeaveFreesTheSlotOnce(t *testing.T) {
	g := admission.NewGate(1, time.Minute)
	waiter, done := enter(t, g)

	next := make(chan func())
	go func() {
		_, d, err := g.Enter(context.Background())
		if err != nil {
			t.Error(err)
		}
		next <- d
	}()
	select {
	case <-next:
		t.Fatal("a second request got into a one-slot gate")
	case <-time.After(30 * time.Millisecond):
	}
	admission.Leave(waiter)
	var nextDone func()
	select {
	case nextDone = <-next:
	case <-time.After(5 * time.Second):
		t.Fatal("Leave did not let the queued request in")
	}
	admission.Leave(waiter) // twice, then the end: still one slot given back
	done()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, _, err := g.Enter(ctx); err == nil {
		t.Fatal("a third request got in while the second holds the only slot: the first freed it twice")
	}
	nextDone()
}

func TestLeaveWithoutASlotDoesNothing(t *testing.T) {
	admission.Leave(context.Background()) // must not panic or block
}
