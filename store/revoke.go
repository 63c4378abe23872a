package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"ecert/model"
)

// Revoke performs 注销: sets the status with its reason, bumps the version
// and appends the event, in one transaction. Revoking a revoked certificate
// is ErrConflict and writes nothing.
func (r *Registry) Revoke(ctx context.Context, certNo string, reason model.RevokeReason, note, operator string) (*model.Certificate, error) {
	if reason.Label() == "" {
		return nil, fmt.Errorf("revocation reason %q: %w", reason, model.ErrInvalid)
	}
	var out model.Certificate
	err := transaction(ctx, r.db, func(tx *gorm.DB) error {
		var c model.Certificate
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("cert_no = ?", certNo).Take(&c).Error
		if err != nil {
			return translate(err, "certificate "+certNo)
		}
		if c.Status == model.StatusRevoked {
			return fmt.Errorf("certificate %s was already revoked on %s: %w", certNo, c.RevokedAt.In(model.ChinaZone).Format("2006-01-02"), model.ErrConflict)
		}
		before := snapshotJSON(&c)
		now := tx.NowFunc()
		res := tx.Model(&model.Certificate{}).
			Where("id = ? AND version = ?", c.ID, c.Version).
			Updates(map[string]any{
				"status": model.StatusRevoked, "revoke_reason": reason, "revoke_note": note,
				"revoked_at": now, "version": c.Version + 1, "active_key": nil,
			})
		if res.Error != nil {
			return translate(res.Error, "revoke "+certNo)
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("certificate %s changed concurrently, try again: %w", certNo, model.ErrConflict)
		}
		c.Status, c.RevokeReason, c.RevokeNote, c.RevokedAt, c.Version, c.ActiveKey = model.StatusRevoked, reason, note, &now, c.Version+1, nil
		ev := model.Event{
			CertID: c.ID, CertNo: c.CertNo, Kind: model.EventRevoked, Version: c.Version,
			Operator: operator, Reason: string(reason), Note: note,
			Before: before, After: snapshotJSON(&c), CreatedAt: now,
		}
		if err := tx.Create(&ev).Error; err != nil {
			return translate(err, "record revocation")
		}
		out = c
		return r.runHooks(tx, []model.Certificate{c}, []model.Event{ev})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
