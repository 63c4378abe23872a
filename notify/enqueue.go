package notify

import (
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"ecert/model"
)

// Queue is the outbox as the enqueueing side uses it (store.Outbox).
type Queue interface {
	BoundOpenIDs(tx *gorm.DB, idNumbers []string) (map[string][]string, error)
	Enqueue(tx *gorm.DB, rows []model.Outbox) (int, error)
}

// LinkFunc is the verification page of a certificate as it is now
// (server.public_url + "/v/" + its signed token).
type LinkFunc func(*model.Certificate) string

// Enqueuer turns certificate events into outbox rows.
type Enqueuer struct {
	queue     Queue
	templates *Templates
	link      LinkFunc
}

// NewEnqueuer needs the outbox, the parsed templates and the link maker.
func NewEnqueuer(q Queue, ts *Templates, link LinkFunc) *Enqueuer {
	return &Enqueuer{queue: q, templates: ts, link: link}
}

// eventKinds are the events a holder is told about; the template with the
// same key is used, and a kind without a configured template is skipped.
var eventKinds = map[model.EventKind]model.NotifyKind{
	model.EventIssued:  model.NotifyIssued,
	model.EventRevoked: model.NotifyRevoked,
	"changed":          model.NotifyChanged, // the lifecycle issue's 变更
}

// Hook is the store.EventHook to register with Registry.OnEvents: it
// enqueues one row per event and bound openid inside the event's own
// transaction, so a rolled-back issuance notifies no one and a committed
// one cannot lose its notification.
func (e *Enqueuer) Hook() func(tx *gorm.DB, certs []model.Certificate, events []model.Event) error {
	return func(tx *gorm.DB, certs []model.Certificate, events []model.Event) error {
		var ids []string
		seen := map[string]bool{}
		for i, ev := range events {
			if e.templateFor(ev.Kind) != nil && !seen[certs[i].IDNumber] {
				seen[certs[i].IDNumber] = true
				ids = append(ids, certs[i].IDNumber)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		bound, err := e.queue.BoundOpenIDs(tx, ids)
		if err != nil {
			return err
		}
		var rows []model.Outbox
		for i, ev := range events {
			t, openIDs := e.templateFor(ev.Kind), bound[certs[i].IDNumber]
			if t == nil || len(openIDs) == 0 {
				continue
			}
			c := &certs[i]
			row, err := newRow(t, NewView(c, e.link(c)), c, tx.NowFunc())
			if err != nil {
				return err
			}
			row.Kind = eventKinds[ev.Kind]
			for _, openID := range openIDs {
				r := row
				r.OpenID, r.DedupKey = openID, model.EventDedupKey(ev.ID, openID)
				rows = append(rows, r)
			}
		}
		_, err = e.queue.Enqueue(tx, rows)
		return err
	}
}

// templateFor is the template for an event kind, nil when there is none.
// It is asked twice per event, so it skips Get's error for the operator.
func (e *Enqueuer) templateFor(kind model.EventKind) *Template {
	nk, ok := eventKinds[kind]
	if !ok {
		return nil
	}
	return e.templates.byKey[string(nk)]
}

// newRow renders t for c (nil for a holder without a certificate to
// describe) into a pending row due now, without its recipient.
func newRow(t *Template, v View, c *model.Certificate, now time.Time) (model.Outbox, error) {
	data, err := t.Render(v)
	if err != nil {
		return model.Outbox{}, err
	}
	js, err := json.Marshal(data)
	if err != nil {
		return model.Outbox{}, fmt.Errorf("encode template data: %w", err)
	}
	row := model.Outbox{
		TemplateKey: t.Key, TemplateID: t.ID, Data: string(js), Link: v.Link,
		Status: model.OutboxPending, NextAttemptAt: now,
	}
	if c != nil {
		row.CertID, row.CertNo = c.ID, c.CertNo
	}
	return row, nil
}
