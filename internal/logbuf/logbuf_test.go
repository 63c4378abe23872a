package logbuf_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"ecert/internal/logbuf"
)

// sink is the output: it counts the write calls that reach it.
type sink struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *sink) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func (s *sink) Writes() int { s.mu.Lock(); defer s.mu.Unlock(); return s.writes }

func TestLinesWaitForFlushAndKeepTheirOrder(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, time.Hour, 1<<16)
	defer w.Close()
	for i := range 3 {
		fmt.Fprintf(w, "line %d\n", i)
	}
	if got := out.String(); got != "" {
		t.Fatalf("written before any flush: %q", got)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "line 0\nline 1\nline 2\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if n := out.Writes(); n != 1 {
		t.Fatalf("three lines took %d writes, want one batch", n)
	}
}

func TestAFullBufferIsWrittenBeforeTheLineThatOverflows(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, time.Hour, 64)
	defer w.Close()
	line := strings.Repeat("x", 29) + "\n" // 30 bytes: two fit in 64
	for range 2 {
		w.Write([]byte(line))
	}
	if out.String() != "" {
		t.Fatal("written before the buffer filled")
	}
	w.Write([]byte(line))
	if got := out.String(); got != line+line {
		t.Fatalf("after the overflowing line: %q, want the first two lines", got)
	}
}

func TestTheIntervalFlushes(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, 10*time.Millisecond, 1<<16)
	defer w.Close()
	w.Write([]byte("late\n"))
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "late\n" {
		if time.Now().After(deadline) {
			t.Fatal("the line was never written by the timer")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCloseWritesWhatIsLeft(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, time.Hour, 1<<16)
	w.Write([]byte("last words\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "last words\n" {
		t.Fatalf("after Close: %q", got)
	}
	if err := w.Close(); err != nil { // shutdown paths may close twice
		t.Fatal(err)
	}
}

func TestWarningsAreWrittenAtOnce(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, time.Hour, 1<<16)
	defer w.Close()
	log := slog.New(logbuf.Handler(slog.NewTextHandler(w, nil), w)).With("component", "test")
	log.Info("routine")
	if out.String() != "" {
		t.Fatal("an info line was written at once")
	}
	log.Warn("trouble")
	got := out.String()
	if !strings.Contains(got, "msg=routine") || !strings.Contains(got, "msg=trouble") || !strings.Contains(got, "component=test") {
		t.Fatalf("after a warning: %q, want both lines", got)
	}
}

// Lines from many goroutines arrive whole: a batch never splits one.
func TestConcurrentLinesStayWhole(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, time.Millisecond, 512)
	var wg sync.WaitGroup
	const writers, lines = 8, 500
	for g := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(w, "writer=%d line=%04d end\n", g, i)
			}
		})
	}
	wg.Wait()
	w.Close()
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("%d lines, want %d", len(got), writers*lines)
	}
	for _, l := range got {
		var g, i int
		if n, err := fmt.Sscanf(l, "writer=%d line=%d end", &g, &i); n != 2 || err != nil {
			t.Fatalf("broken line %q", l)
		}
	}
}
