package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"ecert/model"
)

// Outbox is the durable queue of template messages. Every state change is
// one conditional UPDATE, so any number of workers in any number of
// processes can share the table on SQLite or MySQL without row locks held
// across a network call.
type Outbox struct{ db *gorm.DB }

// NewOutbox wraps an opened, migrated database.
func NewOutbox(db *gorm.DB) *Outbox { return &Outbox{db: db} }

// Enqueue inserts rows inside tx; a row whose DedupKey is already queued
// (or repeats an earlier row) is skipped. It returns how many rows are new.
// Each new row gets its ID and its NextAttemptAt in the stored form (dbTime).
func (o *Outbox) Enqueue(tx *gorm.DB, rows []model.Outbox) (int, error) {
	// Known keys are filtered out first because the drivers' affected-row
	// counts of an upsert differ (MariaDB's RETURNING reports skipped rows
	// too). ON CONFLICT DO NOTHING still guards against a concurrent
	// enqueuer of the same key, whose row then wins.
	fresh := make([]*model.Outbox, 0, len(rows)) // pointers, so new rows get their IDs
	seen := make(map[string]bool, len(rows))
	for chunk := range slices.Chunk(rows, lookupChunk) {
		keys := make([]string, len(chunk))
		for i := range chunk {
			keys[i] = chunk[i].DedupKey
		}
		var known []string
		if err := tx.Model(&model.Outbox{}).Where("dedup_key IN ?", keys).Pluck("dedup_key", &known).Error; err != nil {
			return 0, translate(err, "look up queued notifications")
		}
		for _, k := range known {
			seen[k] = true
		}
		for i := range chunk {
			if r := &chunk[i]; !seen[r.DedupKey] {
				seen[r.DedupKey] = true
				r.ID, r.NextAttemptAt = 0, dbTime(r.NextAttemptAt)
				fresh = append(fresh, r)
			}
		}
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(fresh, batchSize(tx)).Error
	if err != nil {
		return 0, translate(err, "enqueue notifications")
	}
	return len(fresh), nil
}

// EnqueueBatch inserts rows in one transaction of its own.
func (o *Outbox) EnqueueBatch(ctx context.Context, rows []model.Outbox) (int, error) {
	var queued int
	err := transaction(ctx, o.db, func(tx *gorm.DB) error {
		var err error
		queued, err = o.Enqueue(tx, rows)
		return err
	})
	return queued, err
}

// due is the condition of a row a worker may take now.
const due = "status = ? AND next_attempt_at <= ?"

// Due lists up to limit rows ready to send, oldest due first. Listing
// claims nothing; the caller claims each with Claim.
func (o *Outbox) Due(ctx context.Context, now time.Time, limit int) ([]uint64, error) {
	var ids []uint64
	err := o.db.WithContext(ctx).Model(&model.Outbox{}).
		Where(due, model.OutboxPending, dbTime(now)).
		Order("next_attempt_at, id").Limit(limit).Pluck("id", &ids).Error
	return ids, translate(err, "list due notifications")
}

// Claim takes a due row for worker until now+lease and counts the
// attempt. Exactly one of several concurrent claimers wins; the others get
// ErrConflict. The claim is committed before the caller sends, which is
// what lets a restart tell "maybe sent" from "never tried".
func (o *Outbox) Claim(ctx context.Context, id uint64, worker string, now time.Time, lease time.Duration) (*model.Outbox, error) {
	until := dbTime(now.Add(lease))
	res := o.db.WithContext(ctx).Model(&model.Outbox{}).
		Where("id = ? AND "+due, id, model.OutboxPending, dbTime(now)).
		Updates(map[string]any{
			"status": model.OutboxSending, "claimed_by": worker, "claim_until": until,
			"attempts": gorm.Expr("attempts + 1"),
		})
	if res.Error != nil {
		return nil, translate(res.Error, fmt.Sprintf("claim notification #%d", id))
	}
	if res.RowsAffected != 1 {
		return nil, fmt.Errorf("notification #%d taken by another worker: %w", id, model.ErrConflict)
	}
	var row model.Outbox
	if err := o.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("notification #%d", id))
	}
	return &row, nil
}

// MarkSent records WeChat's msgid. It is the first write after the send
// returns, so the window in which a sent message is not known as sent is
// one UPDATE long.
//
// A TEMPLATESENDJOBFINISH for this msgid that came before it is applied in
// the same transaction. Finish's UPDATE by msg_id and this UPDATE setting it
// lock the same index entry on MySQL, and SQLite runs one writer at a time,
// so whichever commits second sees the other's write.
func (o *Outbox) MarkSent(ctx context.Context, id uint64, worker string, msgID int64, now time.Time) error {
	t := dbTime(now)
	return transaction(ctx, o.db, func(tx *gorm.DB) error {
		err := finishClaim(tx, id, worker, map[string]any{
			"status": model.OutboxSent, "msg_id": msgID, "sent_at": t, "last_error": "",
		})
		if err != nil {
			return err
		}
		var early []model.EarlyFinish
		if err := tx.Where("msg_id = ?", msgID).Limit(1).Find(&early).Error; err != nil {
			return translate(err, "early template send result")
		}
		if len(early) == 0 {
			return nil
		}
		if err := tx.Model(&model.Outbox{}).Where("id = ?", id).
			Updates(finishedColumns(early[0].Status)).Error; err != nil {
			return translate(err, "record early template send result")
		}
		return translate(tx.Delete(&early[0]).Error, "drop early template send result")
	})
}

// MarkRetry puts the row back to pending, due at next.
func (o *Outbox) MarkRetry(ctx context.Context, id uint64, worker string, next time.Time, lastErr string) error {
	return finishClaim(o.db.WithContext(ctx), id, worker, map[string]any{
		"status": model.OutboxPending, "next_attempt_at": dbTime(next), "last_error": clip(lastErr),
	})
}

// MarkDone ends the row's sending for good with status failed or unknown.
func (o *Outbox) MarkDone(ctx context.Context, id uint64, worker string, status model.OutboxStatus, lastErr string) error {
	return finishClaim(o.db.WithContext(ctx), id, worker, map[string]any{"status": status, "last_error": clip(lastErr)})
}

// finishClaim updates a row only while worker still holds its claim, so a
// worker that lost its lease cannot overwrite the next holder's outcome.
func finishClaim(db *gorm.DB, id uint64, worker string, set map[string]any) error {
	set["claimed_by"], set["claim_until"] = "", nil
	res := db.Model(&model.Outbox{}).
		Where("id = ? AND status = ? AND claimed_by = ?", id, model.OutboxSending, worker).
		Updates(set)
	if res.Error != nil {
		return translate(res.Error, fmt.Sprintf("update notification #%d", id))
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("notification #%d: claim lost before the outcome was recorded: %w", id, model.ErrConflict)
	}
	return nil
}

// ReclaimStale deals with rows whose claim lease ran out: their worker died
// between claiming and recording the outcome, so WeChat may or may not have
// the message. With resend false they become unknown and are never sent
// again (at most once); with resend true they go back to pending (at least
// once). It returns how many rows it moved.
func (o *Outbox) ReclaimStale(ctx context.Context, now time.Time, resend bool) (int64, error) {
	set := map[string]any{
		"status": model.OutboxUnknown, "claimed_by": "", "claim_until": nil,
		"last_error": "outcome unknown: worker stopped during send; not resent",
	}
	if resend {
		set["status"], set["next_attempt_at"] = model.OutboxPending, dbTime(now)
		set["last_error"] = "outcome unknown: worker stopped during send; resending"
	}
	res := o.db.WithContext(ctx).Model(&model.Outbox{}).
		Where("status = ? AND claim_until < ?", model.OutboxSending, dbTime(now)).
		Updates(set)
	return res.RowsAffected, translate(res.Error, "reclaim stale notifications")
}

// Finish records TEMPLATESENDJOBFINISH: WeChat's final word on the message
// with this msgid ("success", "failed:user block", "failed: system failed").
// It reports whether a row had that msgid. A report on a msgid no row has
// yet is kept, for MarkSent to apply when the worker records it.
func (o *Outbox) Finish(ctx context.Context, msgID int64, status string) (bool, error) {
	if msgID == 0 {
		return false, nil
	}
	matched := false
	err := transaction(ctx, o.db, func(tx *gorm.DB) error {
		res := tx.Model(&model.Outbox{}).Where("msg_id = ?", msgID).Updates(finishedColumns(status))
		if res.Error != nil || res.RowsAffected > 0 {
			matched = res.RowsAffected > 0
			return res.Error
		}
		early := model.EarlyFinish{MsgID: msgID, Status: clip64(status)}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&early).Error
	})
	return matched, translate(err, "record template send result")
}

// finishedColumns are the outbox columns a TEMPLATESENDJOBFINISH status sets.
func finishedColumns(status string) map[string]any {
	st := model.OutboxFinishedFailed
	if status == "success" {
		st = model.OutboxFinishedSuccess
	}
	return map[string]any{"status": st, "final_status": clip64(status)}
}

// PruneEarlyFinish deletes the kept TEMPLATESENDJOBFINISH reports (see
// Finish) that arrived before before and never met their msgid, and
// returns how many it deleted.
func (o *Outbox) PruneEarlyFinish(ctx context.Context, before time.Time) (int64, error) {
	res := o.db.WithContext(ctx).Where("created_at < ?", dbTime(before)).Delete(&model.EarlyFinish{})
	return res.RowsAffected, translate(res.Error, "prune early template send results")
}

// dbTime is the form every scheduling instant is stored and compared in:
// UTC (SQLite compares the text), at the millisecond MySQL's DATETIME(3)
// keeps.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func clip(s string) string { return clipN(s, 500) }

func clip64(s string) string { return clipN(s, 64) }

// clipN cuts s to at most n runes, the unit of VARCHAR(n) on both drivers.
func clipN(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// Counts returns how many rows stand in each status, for operators.
func (o *Outbox) Counts(ctx context.Context) (map[model.OutboxStatus]int64, error) {
	var rows []struct {
		Status model.OutboxStatus
		N      int64
	}
	err := o.db.WithContext(ctx).Model(&model.Outbox{}).
		Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error
	out := make(map[model.OutboxStatus]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, translate(err, "count notifications")
}

// Requeue puts rows of the given end statuses (failed, unknown) back to
// pending, due now and with a fresh attempt count: an operator's decision
// that sending again is better than not sending, after WeChat or the
// network has recovered. It returns how many rows it moved.
func (o *Outbox) Requeue(ctx context.Context, statuses []model.OutboxStatus, now time.Time) (int64, error) {
	for _, s := range statuses {
		if s != model.OutboxFailed && s != model.OutboxUnknown {
			return 0, fmt.Errorf("only failed or unknown notifications can be requeued, not %q: %w", s, model.ErrInvalid)
		}
	}
	res := o.db.WithContext(ctx).Model(&model.Outbox{}).
		Where("status IN ?", statuses).
		Updates(map[string]any{
			"status": model.OutboxPending, "next_attempt_at": dbTime(now), "attempts": 0,
			"last_error": "requeued by an operator",
		})
	return res.RowsAffected, translate(res.Error, "requeue notifications")
}
