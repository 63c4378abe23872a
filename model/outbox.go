package model

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// OutboxStatus is where a template message stands. The life of a row:
//
//	pending ──claim──▶ sending ──msgid──▶ sent ──TEMPLATESENDJOBFINISH──▶ finished_success | finished_failed
//	   ▲                  │
//	   └──transient error─┤ (back-off, until the attempts run out)
//	                      ├──permanent error / attempts exhausted──▶ failed
//	                      └──outcome unknown (crash or lost answer mid-send)──▶ unknown
type OutboxStatus string

const (
	OutboxPending         OutboxStatus = "pending"
	OutboxSending         OutboxStatus = "sending"
	OutboxSent            OutboxStatus = "sent" // WeChat accepted it and gave a msgid
	OutboxFailed          OutboxStatus = "failed"
	OutboxFinishedSuccess OutboxStatus = "finished_success"
	OutboxFinishedFailed  OutboxStatus = "finished_failed"
	// OutboxUnknown: the send may or may not have reached WeChat (the
	// worker died, or the answer was lost, between request and reply). Kept
	// apart from failed so an operator can decide to resend knowingly.
	OutboxUnknown OutboxStatus = "unknown"
)

// NotifyKind is why a message was queued: a certificate event or an
// administrator's batch.
type NotifyKind string

const (
	NotifyIssued  NotifyKind = "issued"
	NotifyRevoked NotifyKind = "revoked"
	NotifyChanged NotifyKind = "changed"
	NotifyManual  NotifyKind = "manual"
)

// Outbox is one template message to one WeChat user, written in the same
// transaction as its cause and sent later by a worker, so a crash never
// loses a notification and a retry never needs the cause again: the row
// carries the template ID, the rendered data and the link as they were.
type Outbox struct {
	ID uint64 `gorm:"primaryKey"`
	// DedupKey makes enqueueing idempotent: the same event (or batch) and
	// the same openid can only ever make one row.
	DedupKey    string     `gorm:"size:160;not null;uniqueIndex"`
	Kind        NotifyKind `gorm:"size:16;not null"`
	Batch       string     `gorm:"size:191;not null;default:'';index"` // manual sends: the batch name
	TemplateKey string     `gorm:"size:64;not null"`
	TemplateID  string     `gorm:"size:128;not null"`
	OpenID      string     `gorm:"column:open_id;size:64;not null;index"`
	CertID      uint64     `gorm:"not null;default:0;index"`
	CertNo      string     `gorm:"size:20;not null;default:''"`
	Data        string     `gorm:"type:text;not null"` // JSON object: template field → rendered value
	Link        string     `gorm:"size:512;not null;default:''"`
	// Status and NextAttemptAt together are what the worker polls.
	Status        OutboxStatus `gorm:"size:20;not null;index:idx_outbox_due,priority:1"`
	NextAttemptAt time.Time    `gorm:"not null;index:idx_outbox_due,priority:2"`
	Attempts      int          `gorm:"not null;default:0"`
	// ClaimedBy names the worker that set status sending; ClaimUntil is its
	// lease, after which the row counts as abandoned.
	ClaimedBy  string `gorm:"size:64;not null;default:''"`
	ClaimUntil *time.Time
	// LastError is an operator's hint (WeChat's errcode and errmsg, or the
	// kind of network failure); never personal data or a message body.
	LastError string `gorm:"size:500;not null;default:''"`
	MsgID     int64  `gorm:"column:msg_id;not null;default:0;index"`
	// FinalStatus is WeChat's TEMPLATESENDJOBFINISH Status, verbatim.
	FinalStatus string `gorm:"size:64;not null;default:''"`
	SentAt      *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName keeps the table name readable in SQL consoles.
func (Outbox) TableName() string { return "outbox" }

// EventDedupKey is the DedupKey of the message an event sends to one openid.
func EventDedupKey(eventID uint64, openID string) string {
	return "ev:" + strconv.FormatUint(eventID, 10) + ":" + openID
}

// BatchDedupKey is the DedupKey of a manual batch's message to one openid.
// The batch name is hashed so any name fits the column.
func BatchDedupKey(batch, openID string) string {
	h := sha256.Sum256([]byte(batch))
	return "batch:" + hex.EncodeToString(h[:12]) + ":" + openID
}

// EarlyFinish is a TEMPLATESENDJOBFINISH that arrived before its msgid was
// recorded: WeChat can report on a message before the worker that sent it
// has written the msgid down. The worker applies and deletes it when it
// records that msgid.
type EarlyFinish struct {
	MsgID     int64     `gorm:"column:msg_id;primaryKey;autoIncrement:false"`
	Status    string    `gorm:"size:64;not null"`
	CreatedAt time.Time // when it arrived
}

// TableName keeps the table name readable in SQL consoles.
func (EarlyFinish) TableName() string { return "outbox_early_finish" }
