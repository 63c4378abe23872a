package notify

import (
	"time"

	"ecert/model"
)

// Recipient is one bound WeChat user of an administrator's batch, with the
// certificate the message describes (nil when the holder has none to show).
type Recipient struct {
	OpenID string
	Cert   *model.Certificate
}

// BatchRows renders template key for each recipient into outbox rows of
// batch. The batch name is part of every row's DedupKey, so enqueueing the
// same batch again queues nobody twice; a new batch name is a new send.
func (e *Enqueuer) BatchRows(key, batch string, rs []Recipient, now time.Time) ([]model.Outbox, error) {
	t, err := e.templates.Get(key)
	if err != nil {
		return nil, err
	}
	rows := make([]model.Outbox, 0, len(rs))
	for _, r := range rs {
		var v View
		if r.Cert != nil {
			v = NewView(r.Cert, e.link(r.Cert))
		}
		row, err := newRow(t, v, r.Cert, now)
		if err != nil {
			return nil, err
		}
		row.Kind, row.Batch = model.NotifyManual, batch
		row.OpenID, row.DedupKey = r.OpenID, model.BatchDedupKey(batch, r.OpenID)
		rows = append(rows, row)
	}
	return rows, nil
}
