// Package logbuf batches log lines into fewer write system calls.
//
// The server writes an access-log line per request. Written one by one,
// at several thousand requests a second, those writes cost about 4% of
// the server's throughput (measured on the WeChat callback load run).
// Collected here and written every interval, or sooner when the buffer
// fills, they cost a system call per batch. A line reaches the output at
// most one interval late; Flush and Close write everything at once, and
// Handler flushes after every warning or error so those are never held
// back.
package logbuf

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Writer buffers what is written to it and passes it on to out in batches.
// Writes are whole log lines, so a batch never splits one.
type Writer struct {
	out  io.Writer
	size int

	mu  sync.Mutex
	buf []byte
	err error // the last write error to out, reported by the next Write

	stop chan struct{}
	done chan struct{}
}

// New buffers up to size bytes for out and writes them at least every
// interval.
func New(out io.Writer, interval time.Duration, size int) *Writer {
	w := &Writer{out: out, size: size, buf: make([]byte, 0, size),
		stop: make(chan struct{}), done: make(chan struct{})}
	go w.flushEvery(interval)
	return w
}

func (w *Writer) flushEvery(interval time.Duration) {
	defer close(w.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			w.Flush()
		case <-w.stop:
			return
		}
	}
}

// Write keeps p for the next batch; a line that would overflow the buffer
// first sends the batch out.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf)+len(p) > w.size {
		w.flushLocked()
	}
	w.buf = append(w.buf, p...)
	err := w.err
	w.err = nil
	return len(p), err
}

// Flush writes out everything buffered.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushLocked()
	err := w.err
	w.err = nil
	return err
}

func (w *Writer) flushLocked() {
	if len(w.buf) == 0 {
		return
	}
	if _, err := w.out.Write(w.buf); err != nil {
		w.err = err
	}
	w.buf = w.buf[:0]
}

// Close stops the timer and writes out what is left. Writes after Close
// are still accepted and wait for a Flush.
func (w *Writer) Close() error {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
	return w.Flush()
}

// Handler passes records to h and flushes w after each one at or above
// slog.LevelWarn, so warnings and errors are written at once.
func Handler(h slog.Handler, w *Writer) slog.Handler { return urgent{h, w} }

type urgent struct {
	slog.Handler
	w *Writer
}

func (u urgent) Handle(ctx context.Context, r slog.Record) error {
	err := u.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		if ferr := u.w.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (u urgent) WithAttrs(attrs []slog.Attr) slog.Handler {
	return urgent{u.Handler.WithAttrs(attrs), u.w}
}

func (u urgent) WithGroup(name string) slog.Handler {
	return urgent{u.Handler.WithGroup(name), u.w}
}
