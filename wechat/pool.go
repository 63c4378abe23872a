package wechat

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// pool runs slow work (API calls, hooks) off the callback path, so every
// callback is answered within WeChat's 5 s. It is bounded in workers and
// queue: when full, work is dropped with a log line rather than piling up.
type pool struct {
	jobs    chan func(context.Context)
	wg      sync.WaitGroup
	timeout time.Duration
	log     *slog.Logger
	mu      sync.RWMutex // guards closed against a submit racing close
	closed  bool
}

func newPool(workers, queue int, timeout time.Duration, log *slog.Logger) *pool {
	p := &pool{jobs: make(chan func(context.Context), queue), timeout: timeout, log: log}
	for range workers {
		p.wg.Add(1)
		go p.run()
	}
	return p
}

func (p *pool) run() {
	defer p.wg.Done()
	for job := range p.jobs {
		p.do(job)
	}
}

func (p *pool) do(job func(context.Context)) {
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			p.log.Error("wechat background job panicked", "panic", v)
		}
	}()
	job(ctx)
}

// submit queues job; false when the queue is full or closed.
func (p *pool) submit(job func(context.Context)) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return false
	}
	select {
	case p.jobs <- job:
		return true
	default:
		p.log.Warn("wechat background queue full, job dropped")
		return false
	}
}

// close stops taking work and waits for queued jobs until ctx ends.
func (p *pool) close(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.jobs)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
