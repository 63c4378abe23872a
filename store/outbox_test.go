package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"ecert/model"
	"ecert/store"
	"ecert/store/storetest"
)

// t0 is the outbox tests' "now"; every instant is computed from it, so the
// tests do not depend on the wall clock.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func outboxRow(key, openID string, due time.Time) model.Outbox {
	return model.Outbox{
		DedupKey: key, Kind: model.NotifyManual, TemplateKey: "notice", TemplateID: "TPL",
		OpenID: openID, Data: `{"first":"x"}`, Status: model.OutboxPending, NextAttemptAt: due,
	}
}

func newOutbox(t *testing.T) (*store.Outbox, *storetest.DB) {
	db := storetest.MustOpenDB(t, func() time.Time { return t0 })
	return store.NewOutbox(db.DB), db
}

func rowByID(t *testing.T, db *storetest.DB, id uint64) model.Outbox {
	t.Helper()
	var r model.Outbox
	if err := db.Take(&r, id).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

// enqueueClaimed queues rows (which get their IDs) and claims each for
// worker at t0 with a minute's lease, as a worker does before sending.
func enqueueClaimed(t *testing.T, ob *store.Outbox, worker string, rows []model.Outbox) {
	t.Helper()
	ctx := context.Background()
	if _, err := ob.EnqueueBatch(ctx, rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if _, err := ob.Claim(ctx, r.ID, worker, t0, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOutboxEnqueueIsIdempotentPerDedupKey(t *testing.T) {
	ob, db := newOutbox(t)
	ctx := context.Background()
	rows := []model.Outbox{outboxRow("a", "o1", t0), outboxRow("b", "o2", t0)}
	if n, err := ob.EnqueueBatch(ctx, rows); err != nil || n != 2 {
		t.Fatalf("first enqueue = %d, %v; want 2", n, err)
	}
	again := []model.Outbox{outboxRow("a", "o1", t0), outboxRow("b", "o2", t0), outboxRow("c", "o3", t0)}
	if n, err := ob.EnqueueBatch(ctx, again); err != nil || n != 1 {
		t.Fatalf("second enqueue = %d, %v; want 1 (a and b were queued before)", n, err)
	}
	if n := count(t, db, &model.Outbox{}); n != 3 {
		t.Errorf("rows = %d, want 3", n)
	}
	// More than one INSERT batch counts exactly too.
	var many []model.Outbox
	for i := range 1200 {
		many = append(many, outboxRow(fmt.Sprint("m", i), "o", t0))
	}
	if n, err := ob.EnqueueBatch(ctx, many[:700]); err != nil || n != 700 {
		t.Fatalf("700 rows: %d, %v", n, err)
	}
	if n, err := ob.EnqueueBatch(ctx, many); err != nil || n != 500 {
		t.Fatalf("1200 rows of which 700 queued: %d, %v; want 500", n, err)
	}
}

func TestOutboxClaimOnlyDueAndOnlyOnce(t *testing.T) {
	ob, db := newOutbox(t)
	ctx := context.Background()
	rows := []model.Outbox{outboxRow("now", "o1", t0), outboxRow("later", "o2", t0.Add(time.Minute))}
	if _, err := ob.EnqueueBatch(ctx, rows); err != nil {
		t.Fatal(err)
	}
	ids, err := ob.Due(ctx, t0, 10)
	if err != nil || len(ids) != 1 {
		t.Fatalf("due at t0 = %v, %v; want only the row due now", ids, err)
	}
	got, err := ob.Claim(ctx, ids[0], "w1", t0, time.Minute)
	if err != nil || got.Status != model.OutboxSending || got.Attempts != 1 || got.ClaimedBy != "w1" || got.OpenID != "o1" {
		t.Fatalf("claim = %+v, %v", got, err)
	}
	if _, err := ob.Claim(ctx, ids[0], "w2", t0, time.Minute); !errors.Is(err, model.ErrConflict) {
		t.Fatalf("second claim err = %v, want ErrConflict", err)
	}
	if _, err := ob.Claim(ctx, rows[1].ID, "w2", t0, time.Minute); !errors.Is(err, model.ErrConflict) {
		t.Fatalf("claim of a row not yet due: %v, want ErrConflict", err)
	}
	// Only the claim holder records the outcome.
	if err := ob.MarkSent(ctx, ids[0], "w2", 7, t0); !errors.Is(err, model.ErrConflict) {
		t.Fatalf("MarkSent by a non-holder: %v", err)
	}
	if err := ob.MarkSent(ctx, ids[0], "w1", 1234567890123, t0); err != nil {
		t.Fatal(err)
	}
	r := rowByID(t, db, ids[0])
	if r.Status != model.OutboxSent || r.MsgID != 1234567890123 || r.SentAt == nil || r.ClaimedBy != "" || r.ClaimUntil != nil {
		t.Errorf("after MarkSent: %+v", r)
	}
	if ids, _ := ob.Due(ctx, t0.Add(time.Hour), 10); len(ids) != 1 || ids[0] != rows[1].ID {
		t.Errorf("due an hour later = %v; the sent row must not be due again", ids)
	}
}

func TestOutboxConcurrentClaimsHaveOneWinner(t *testing.T) {
	ob, _ := newOutbox(t)
	ctx := context.Background()
	if _, err := ob.EnqueueBatch(ctx, []model.Outbox{outboxRow("x", "o", t0)}); err != nil {
		t.Fatal(err)
	}
	ids, _ := ob.Due(ctx, t0, 1)
	var wg sync.WaitGroup
	wins := make(chan string, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := ob.Claim(ctx, ids[0], fmt.Sprint("w", i), t0, time.Minute); err == nil {
				wins <- fmt.Sprint("w", i)
			} else if !errors.Is(err, model.ErrConflict) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	close(wins)
	if n := len(wins); n != 1 {
		t.Fatalf("%d claimers won, want exactly 1", n)
	}
}

func TestOutboxRetryAndDone(t *testing.T) {
	ob, db := newOutbox(t)
	ctx := context.Background()
	rows := []model.Outbox{outboxRow("r", "o1", t0), outboxRow("d", "o2", t0)}
	enqueueClaimed(t, ob, "w", rows)
	if err := ob.MarkRetry(ctx, rows[0].ID, "w", t0.Add(30*time.Second), "wechat errcode -1: system error"); err != nil {
		t.Fatal(err)
	}
	if err := ob.MarkDone(ctx, rows[1].ID, "w", model.OutboxFailed, "rejected: 43004"); err != nil {
		t.Fatal(err)
	}
	if ids, _ := ob.Due(ctx, t0.Add(29*time.Second), 10); len(ids) != 0 {
		t.Errorf("due before the back-off ends: %v", ids)
	}
	if ids, _ := ob.Due(ctx, t0.Add(30*time.Second), 10); len(ids) != 1 || ids[0] != rows[0].ID {
		t.Errorf("due when the back-off ends: %v", ids)
	}
	if r := rowByID(t, db, rows[0].ID); r.Status != model.OutboxPending || r.Attempts != 1 || r.LastError == "" {
		t.Errorf("retried row = %+v", r)
	}
	if r := rowByID(t, db, rows[1].ID); r.Status != model.OutboxFailed || r.LastError != "rejected: 43004" {
		t.Errorf("failed row = %+v", r)
	}
}

func TestOutboxReclaimStale(t *testing.T) {
	for _, resend := range []bool{false, true} {
		t.Run(fmt.Sprint("resend=", resend), func(t *testing.T) {
			ob, db := newOutbox(t)
			ctx := context.Background()
			rows := []model.Outbox{outboxRow("s", "o", t0)}
			enqueueClaimed(t, ob, "dead", rows)
			if n, _ := ob.ReclaimStale(ctx, t0.Add(59*time.Second), resend); n != 0 {
				t.Fatalf("reclaimed %d rows inside the lease", n)
			}
			if n, err := ob.ReclaimStale(ctx, t0.Add(61*time.Second), resend); err != nil || n != 1 {
				t.Fatalf("reclaim after the lease = %d, %v", n, err)
			}
			r := rowByID(t, db, rows[0].ID)
			want := model.OutboxUnknown
			if resend {
				want = model.OutboxPending
			}
			if r.Status != want || r.ClaimedBy != "" || r.LastError == "" {
				t.Errorf("reclaimed row = %+v, want status %s", r, want)
			}
			// The dead worker's late answer cannot overwrite the decision.
			if err := ob.MarkSent(ctx, r.ID, "dead", 5, t0); !errors.Is(err, model.ErrConflict) {
				t.Errorf("late MarkSent: %v", err)
			}
		})
	}
}

func TestOutboxFinish(t *testing.T) {
	ob, db := newOutbox(t)
	ctx := context.Background()
	rows := []model.Outbox{outboxRow("a", "o1", t0), outboxRow("b", "o2", t0)}
	enqueueClaimed(t, ob, "w", rows)
	for i, r := range rows {
		if err := ob.MarkSent(ctx, r.ID, "w", int64(1000+i), t0); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := ob.Finish(ctx, 1000, "success"); !ok || err != nil {
		t.Fatalf("finish 1000 = %v, %v", ok, err)
	}
	if ok, err := ob.Finish(ctx, 1001, "failed:user block"); !ok || err != nil {
		t.Fatalf("finish 1001 = %v, %v", ok, err)
	}
	if ok, err := ob.Finish(ctx, 999, "success"); ok || err != nil {
		t.Fatalf("finish of an unknown msgid = %v, %v", ok, err)
	}
	if r := rowByID(t, db, rows[0].ID); r.Status != model.OutboxFinishedSuccess || r.FinalStatus != "success" {
		t.Errorf("row 0 = %s %q", r.Status, r.FinalStatus)
	}
	if r := rowByID(t, db, rows[1].ID); r.Status != model.OutboxFinishedFailed || r.FinalStatus != "failed:user block" {
		t.Errorf("row 1 = %s %q", r.Status, r.FinalStatus)
	}
}

// WeChat's report can arrive before the worker has written the msgid down:
// it is kept and applied when MarkSent records that msgid, once.
func TestOutboxFinishBeforeMsgIDRecorded(t *testing.T) {
	ob, db := newOutbox(t)
	ctx := context.Background()
	rows := []model.Outbox{outboxRow("early", "o1", t0), outboxRow("plain", "o2", t0)}
	enqueueClaimed(t, ob, "w", rows)
	if ok, err := ob.Finish(ctx, 2000, "failed:user block"); ok || err != nil {
		t.Fatalf("finish before the msgid is recorded = %v, %v; want kept, not matched", ok, err)
	}
	// WeChat repeats itself: a second report of the same msgid is harmless.
	if ok, err := ob.Finish(ctx, 2000, "failed:user block"); ok || err != nil {
		t.Fatalf("repeated early finish = %v, %v", ok, err)
	}
	if err := ob.MarkSent(ctx, rows[0].ID, "w", 2000, t0); err != nil {
		t.Fatal(err)
	}
	if err := ob.MarkSent(ctx, rows[1].ID, "w", 2001, t0); err != nil {
		t.Fatal(err)
	}
	if r := rowByID(t, db, rows[0].ID); r.Status != model.OutboxFinishedFailed || r.FinalStatus != "failed:user block" || r.MsgID != 2000 {
		t.Errorf("row with the early report = %s %q msgid %d", r.Status, r.FinalStatus, r.MsgID)
	}
	if r := rowByID(t, db, rows[1].ID); r.Status != model.OutboxSent || r.FinalStatus != "" {
		t.Errorf("row without a report = %s %q", r.Status, r.FinalStatus)
	}
	var kept int64
	if err := db.Model(&model.EarlyFinish{}).Count(&kept).Error; err != nil || kept != 0 {
		t.Errorf("early reports left after they were applied: %d (%v)", kept, err)
	}
}

// A due instant finer than the stored millisecond, in any zone, is due at
// that millisecond: Enqueue stores it in the form Due compares.
func TestOutboxEnqueueStoresDueInstantAsCompared(t *testing.T) {
	ob, _ := newOutbox(t)
	ctx := context.Background()
	row := outboxRow("fine", "o", t0.Add(999*time.Microsecond).In(model.ChinaZone))
	if _, err := ob.EnqueueBatch(ctx, []model.Outbox{row}); err != nil {
		t.Fatal(err)
	}
	if ids, err := ob.Due(ctx, t0, 10); err != nil || len(ids) != 1 {
		t.Errorf("due at t0 = %v, %v; want the row", ids, err)
	}
}

// Reports kept for a msgid that never came are deleted once old enough.
func TestOutboxPruneEarlyFinish(t *testing.T) {
	ob, db := newOutbox(t) // the database's clock stands at t0
	ctx := context.Background()
	if ok, err := ob.Finish(ctx, 9001, "success"); ok || err != nil {
		t.Fatalf("finish for a msgid not ours = %v, %v", ok, err)
	}
	if n, err := ob.PruneEarlyFinish(ctx, t0); err != nil || n != 0 {
		t.Fatalf("prune before the report arrived = %d, %v; want nothing deleted", n, err)
	}
	if n, err := ob.PruneEarlyFinish(ctx, t0.Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("prune after it arrived = %d, %v; want it deleted", n, err)
	}
	var kept int64
	if err := db.Model(&model.EarlyFinish{}).Count(&kept).Error; err != nil || kept != 0 {
		t.Fatalf("%d reports left (%v)", kept, err)
	}
}
