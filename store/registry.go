package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"ecert/model"
)

// Registry is the certificate registry: every read and write of
// certificates, organisations and their history.
type Registry struct {
	db    *gorm.DB
	read  *gorm.DB // the pool public lookups use; db unless UseReader set one
	look  *lookups // the hot lookups' prepared statements on read
	hooks []EventHook
}

// EventHook runs inside the transaction that records events, so whatever
// it writes (an outbox row, say) commits or rolls back with them. certs[i]
// is the certificate after events[i].
type EventHook func(tx *gorm.DB, certs []model.Certificate, events []model.Event) error

// OnEvents adds a hook; call it before serving.
func (r *Registry) OnEvents(h EventHook) { r.hooks = append(r.hooks, h) }

func (r *Registry) runHooks(tx *gorm.DB, certs []model.Certificate, events []model.Event) error {
	for _, h := range r.hooks {
		if err := h(tx, certs, events); err != nil {
			return fmt.Errorf("event hook: %w", err)
		}
	}
	return nil
}

// NewRegistry wraps an opened, migrated database.
func NewRegistry(db *gorm.DB) *Registry { return &Registry{db: db, read: db, look: newLookups(db)} }

// UseReader sends the public lookups (queries, verification, bindings) to
// a separate read-only pool. With SQLite that lets them run in parallel
// beside the single writer connection, as WAL allows; they see every
// committed write at once.
func (r *Registry) UseReader(read *gorm.DB) { r.read, r.look = read, newLookups(read) }

// DB exposes the handle for health checks and tests.
func (r *Registry) DB() *gorm.DB { return r.db }

// Ping checks the database answers.
func (r *Registry) Ping(ctx context.Context) error { return Ping(ctx, r.db) }

// FindByNo returns the certificate with this 证书编号.
func (r *Registry) FindByNo(ctx context.Context, certNo string) (*model.Certificate, error) {
	cs, err := r.look.certificates(ctx, sqlCertByNo, certNo)
	if err == nil && len(cs) == 0 {
		err = gorm.ErrRecordNotFound
	}
	if err != nil {
		return nil, translate(err, "certificate "+certNo)
	}
	return &cs[0], nil
}

// FindByID returns the certificate with this primary key.
func (r *Registry) FindByID(ctx context.Context, id uint64) (*model.Certificate, error) {
	var c model.Certificate
	if err := r.read.WithContext(ctx).Take(&c, id).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("certificate #%d", id))
	}
	return &c, nil
}

// FindByNameAndNo is the public query by 证书编号 + 姓名: both must match.
func (r *Registry) FindByNameAndNo(ctx context.Context, name, certNo string) ([]model.Certificate, error) {
	cs, err := r.look.certificates(ctx, sqlCertByNameAndNo, certNo, name)
	return cs, translate(err, "query by number")
}

// FindByNameAndID is the public query by 姓名 + 身份证号, newest first.
func (r *Registry) FindByNameAndID(ctx context.Context, name, idNumber string) ([]model.Certificate, error) {
	cs, err := r.look.certificates(ctx, sqlCertByNameAndID, idNumber, name)
	return cs, translate(err, "query by id number")
}

// History returns a certificate's events, oldest first.
func (r *Registry) History(ctx context.Context, certID uint64) ([]model.Event, error) {
	var es []model.Event
	err := r.read.WithContext(ctx).Where("cert_id = ?", certID).Order("id").Find(&es).Error
	return es, translate(err, "history")
}
