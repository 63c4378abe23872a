package store

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"ecert/model"
)

// Bind ties openID to the holder (name, idNumber), replacing whatever that
// openid was bound to before. It returns the previous binding, or nil when
// there was none. Callers check the holder against a certificate first.
func (r *Registry) Bind(ctx context.Context, openID, name, idNumber string) (*model.Binding, error) {
	var prev *model.Binding
	err := r.retry(ctx, func(tx *gorm.DB) error {
		prev = nil
		var old model.Binding
		switch err := tx.Where("open_id = ?", openID).Take(&old).Error; {
		case err == nil:
			prev = &old
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return translate(err, "look up binding")
		}
		b := model.Binding{OpenID: openID, Name: name, IDNumber: idNumber, CreatedAt: tx.NowFunc()}
		// An upsert rather than insert-or-update: two concurrent binds of
		// one openid (two instances, one retried callback) cannot both
		// insert, and the later one wins without a duplicate-key error.
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "open_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"id_number", "name", "created_at"}),
		}).Create(&b).Error
		return translate(err, "bind")
	})
	if err != nil {
		return nil, err
	}
	return prev, nil
}

// Unbind removes openID's binding; model.ErrNotFound when there is none.
func (r *Registry) Unbind(ctx context.Context, openID string) error {
	res := r.db.WithContext(ctx).Where("open_id = ?", openID).Delete(&model.Binding{})
	if res.Error != nil {
		return translate(res.Error, "unbind")
	}
	if res.RowsAffected == 0 {
		return translate(gorm.ErrRecordNotFound, "binding")
	}
	return nil
}

// BindingFor returns openID's binding; model.ErrNotFound when unbound.
func (r *Registry) BindingFor(ctx context.Context, openID string) (*model.Binding, error) {
	var b model.Binding
	if err := r.read.WithContext(ctx).Where("open_id = ?", openID).Take(&b).Error; err != nil {
		return nil, translate(err, "binding")
	}
	return &b, nil
}

// CertificatesOf returns every certificate of the holder with this
// 身份证号, newest first. It goes by 身份证号 alone because a binding is to
// the person: a later 姓名 change (变更) keeps the person's certificates.
func (r *Registry) CertificatesOf(ctx context.Context, idNumber string) ([]model.Certificate, error) {
	var cs []model.Certificate
	err := r.read.WithContext(ctx).Where("id_number = ?", idNumber).
		Order("issued_on DESC, id DESC").Find(&cs).Error
	return cs, translate(err, "certificates of holder")
}
