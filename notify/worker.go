package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"ecert/model"
)

// Sender sends one template message (wechat.Client).
type Sender interface {
	SendTemplate(ctx context.Context, openID, templateID, link string, data map[string]string) (msgID int64, err error)
}

// Store is the outbox as the worker uses it (store.Outbox).
type Store interface {
	ReclaimStale(ctx context.Context, now time.Time, resend bool) (int64, error)
	Due(ctx context.Context, now time.Time, limit int) ([]uint64, error)
	Claim(ctx context.Context, id uint64, worker string, now time.Time, lease time.Duration) (*model.Outbox, error)
	MarkSent(ctx context.Context, id uint64, worker string, msgID int64, now time.Time) error
	MarkRetry(ctx context.Context, id uint64, worker string, next time.Time, lastErr string) error
	MarkDone(ctx context.Context, id uint64, worker string, status model.OutboxStatus, lastErr string) error
	Finish(ctx context.Context, msgID int64, status string) (bool, error)
	PruneEarlyFinish(ctx context.Context, before time.Time) (int64, error)
}

// Options tune a Worker; the zero value is the production setting.
type Options struct {
	Now         func() time.Time // the clock; nil is time.Now
	Poll        time.Duration    // wait when nothing is due; default 2s
	SendTimeout time.Duration    // one send's deadline; default 30s
	// Lease is how long a claim stands. It must outlast SendTimeout plus
	// recording the result, so a live worker never loses its row; a row
	// still sending after it belongs to a worker that died. Default 2m.
	Lease time.Duration
	// Backoff is the wait before retry n (the last entry repeats); default
	// 30s, 2m, 10m, 1h, 6h.
	Backoff     []time.Duration
	MaxAttempts int // sends tried before giving up; default 6
	Concurrency int // sends in flight per worker; default 4
	// ResendUnknown chooses at-least-once for the one ambiguous case, a send
	// whose answer never came back (see Worker). Default false: at most once.
	ResendUnknown bool
	Logger        *slog.Logger
	ID            string // names this worker in claims; default host-pid-random
}

// Worker sends due outbox rows. Several workers, in one process or many,
// may share an outbox: each row is claimed by one conditional UPDATE.
//
// Delivery guarantee. A send has three steps: claim (commit status
// sending), call WeChat, record the msgid. A crash between the last two
// leaves a row that WeChat may have sent; nothing can tell afterwards.
// The worker claims one row just before sending it and records the msgid in
// the very next statement, so that window is one HTTP call wide, and then
// resolves it towards AT MOST ONCE: a row whose lease ran out is marked
// unknown, as is a send whose answer was lost (timeout, broken
// connection), and neither is sent again. A holder may thus miss a message
// in a crash, but never gets one twice after a restart. Options.ResendUnknown
// flips this to at least once. Failures WeChat reports with an errcode, or a
// connection that was never made, are known not sent and are retried with
// back-off either way; a graceful stop lets sends in flight finish and
// record their outcome.
type Worker struct {
	store  Store
	sender Sender
	opt    Options
	log    *slog.Logger
	// prunedAt is when RunOnce last dropped old early finish reports, in
	// Unix nanoseconds of the worker's clock.
	prunedAt atomic.Int64
}

// A TEMPLATESENDJOBFINISH whose msgid is not recorded is kept (see
// store.Outbox.Finish) for earlyFinishKeep. Ours are recorded seconds after
// WeChat accepts the send, so a report unmatched after a day is about a
// message another system sent on the same account. RunOnce drops such
// reports once every pruneEvery.
const (
	earlyFinishKeep = 24 * time.Hour
	pruneEvery      = time.Hour
)

// NewWorker fills Options' defaults.
func NewWorker(s Store, sender Sender, opt Options) *Worker {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Poll <= 0 {
		opt.Poll = 2 * time.Second
	}
	if opt.SendTimeout <= 0 {
		opt.SendTimeout = 30 * time.Second
	}
	if opt.Lease <= 0 {
		opt.Lease = 2 * time.Minute
	}
	if opt.Lease < opt.SendTimeout+10*time.Second {
		opt.Lease = opt.SendTimeout + 10*time.Second
	}
	if len(opt.Backoff) == 0 {
		opt.Backoff = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour}
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 6
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.ID == "" {
		opt.ID = workerID()
	}
	return &Worker{store: s, sender: sender, opt: opt, log: opt.Logger.With("worker", opt.ID)}
}

func workerID() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	id := fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	if len(id) > 64 {
		id = id[len(id)-64:]
	}
	return id
}

// Run sends until ctx is cancelled, then returns nil once the sends in
// flight have been recorded.
func (w *Worker) Run(ctx context.Context) error {
	w.log.Info("notification worker started", "concurrency", w.opt.Concurrency)
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("notification worker", "err", err)
		}
		select {
		case <-ctx.Done():
			w.log.Info("notification worker stopped")
			return nil
		case <-time.After(w.opt.Poll):
		}
	}
}

// dueBatch is how many due rows one query lists.
const dueBatch = 100

// RunOnce settles abandoned claims and sends every row due now, returning
// how many it claimed. Tests drive it with their clock; Run loops it.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	n, err := w.store.ReclaimStale(ctx, w.opt.Now(), w.opt.ResendUnknown)
	if err != nil {
		return 0, err
	}
	if n > 0 {
		w.log.Warn("abandoned template sends found (a worker stopped mid-send)", "rows", n, "resend", w.opt.ResendUnknown)
	}
	if err := w.pruneEarlyFinish(ctx); err != nil {
		return 0, err
	}
	total := 0
	for ctx.Err() == nil {
		ids, err := w.store.Due(ctx, w.opt.Now(), dueBatch)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		claimed := w.sendAll(ctx, ids)
		if claimed == 0 {
			return total, nil // others took them all; they are not due for us
		}
		total += claimed
	}
	return total, nil
}

func (w *Worker) pruneEarlyFinish(ctx context.Context) error {
	now := w.opt.Now()
	last := w.prunedAt.Load()
	if last != 0 && now.Sub(time.Unix(0, last)) < pruneEvery {
		return nil
	}
	if !w.prunedAt.CompareAndSwap(last, now.UnixNano()) {
		return nil // another RunOnce of this worker is at it
	}
	n, err := w.store.PruneEarlyFinish(ctx, now.Add(-earlyFinishKeep))
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.Info("dropped template send results never matched to a message of ours", "rows", n, "older_than", earlyFinishKeep)
	}
	return nil
}

// sendAll works through ids with Concurrency sends at a time.
func (w *Worker) sendAll(ctx context.Context, ids []uint64) int {
	jobs := make(chan uint64)
	var mu sync.Mutex
	claimed := 0
	var wg sync.WaitGroup
	for range min(w.opt.Concurrency, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				if w.process(ctx, id) {
					mu.Lock()
					claimed++
					mu.Unlock()
				}
			}
		}()
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			break // stopping: claim nothing new
		}
		jobs <- id
	}
	close(jobs)
	wg.Wait()
	return claimed
}

// process claims, sends and records one row; it reports whether it got the
// claim. Once claimed, the row is carried to a recorded outcome even if ctx
// is cancelled meanwhile: leaving it claimed would make it unknown.
func (w *Worker) process(ctx context.Context, id uint64) bool {
	if ctx.Err() != nil {
		return false
	}
	bg := context.WithoutCancel(ctx)
	row, err := w.store.Claim(bg, id, w.opt.ID, w.opt.Now(), w.opt.Lease)
	if errors.Is(err, model.ErrConflict) {
		return false
	}
	if err != nil {
		w.log.Error("claim template message", "outbox_id", id, "err", err)
		return false
	}
	var data map[string]string
	if err := json.Unmarshal([]byte(row.Data), &data); err != nil {
		w.record(bg, row, func(ctx context.Context) error {
			return w.store.MarkDone(ctx, row.ID, w.opt.ID, model.OutboxFailed, "stored template data is not a JSON object")
		})
		return true
	}
	sctx, cancel := context.WithTimeout(bg, w.opt.SendTimeout)
	msgID, err := w.sender.SendTemplate(sctx, row.OpenID, row.TemplateID, row.Link, data)
	cancel()
	if err == nil {
		w.record(bg, row, func(ctx context.Context) error {
			return w.store.MarkSent(ctx, row.ID, w.opt.ID, msgID, w.opt.Now())
		})
		w.log.Info("template message sent", "outbox_id", row.ID, "kind", row.Kind,
			"template", row.TemplateKey, "msgid", msgID, "attempt", row.Attempts)
		return true
	}
	w.failed(bg, row, err)
	return true
}

// failed records a send error according to what it means.
func (w *Worker) failed(ctx context.Context, row *model.Outbox, err error) {
	desc := describe(err, row.OpenID)
	attrs := []any{"outbox_id", row.ID, "kind", row.Kind, "template", row.TemplateKey, "attempt", row.Attempts, "err", desc}
	status, final := model.OutboxFailed, true
	switch w.classify(err) {
	case rejected:
		desc = "rejected by WeChat: " + desc
	case maybeSent:
		if !w.opt.ResendUnknown {
			status, desc = model.OutboxUnknown, "outcome unknown, not resent: "+desc
			break
		}
		final = false
	default:
		final = false
	}
	if !final && row.Attempts >= w.opt.MaxAttempts {
		final, desc = true, fmt.Sprintf("gave up after %d attempts: %s", row.Attempts, desc)
	}
	if final {
		w.record(ctx, row, func(ctx context.Context) error {
			return w.store.MarkDone(ctx, row.ID, w.opt.ID, status, desc)
		})
		w.log.Warn("template message not sent", append(attrs, "status", status)...)
		return
	}
	next := w.opt.Now().Add(w.backoff(row.Attempts))
	w.record(ctx, row, func(ctx context.Context) error {
		return w.store.MarkRetry(ctx, row.ID, w.opt.ID, next, desc)
	})
	w.log.Warn("template message will be retried", append(attrs, "next_attempt", next)...)
}

// backoff is the wait after the given (1-based) failed attempt.
func (w *Worker) backoff(attempt int) time.Duration {
	i := min(max(attempt-1, 0), len(w.opt.Backoff)-1)
	return w.opt.Backoff[i]
}

// record writes an outcome, trying a few times: a database blip here would
// otherwise leave a sent message looking abandoned.
func (w *Worker) record(ctx context.Context, row *model.Outbox, write func(context.Context) error) {
	var err error
	for try := 0; try < 3; try++ {
		if err = write(ctx); err == nil || errors.Is(err, model.ErrConflict) {
			break
		}
		time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
	}
	if err != nil {
		w.log.Error("record template send outcome", "outbox_id", row.ID, "err", err)
	}
}

// TemplateFinished records WeChat's TEMPLATESENDJOBFINISH event (see
// FinishHook).
func (w *Worker) TemplateFinished(ctx context.Context, msgID int64, status string) {
	FinishHook(w.store, w.opt.Logger)(ctx, msgID, status)
}

// Finisher is the part of the outbox TEMPLATESENDJOBFINISH updates.
type Finisher interface {
	Finish(ctx context.Context, msgID int64, status string) (bool, error)
}

// FinishHook is what the callback server calls, in the background, with a
// TEMPLATESENDJOBFINISH event's MsgID and Status ("success", "failed:user
// block", "failed: system failed"). It needs no sender, so the callback
// server can be built before the API client and the worker.
func FinishHook(f Finisher, log *slog.Logger) func(ctx context.Context, msgID int64, status string) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(ctx context.Context, msgID int64, status string) {
		found, err := f.Finish(ctx, msgID, status)
		switch {
		case err != nil:
			log.Error("record TEMPLATESENDJOBFINISH", "msgid", msgID, "err", err)
		case !found:
			// Not recorded yet (kept for the worker to apply when it records
			// the msgid) or not ours (sent by another system on the account).
			log.Debug("TEMPLATESENDJOBFINISH before its msgid was recorded; kept", "msgid", msgID)
		default:
			log.Info("template message finished", "msgid", msgID, "status", status)
		}
	}
}
