package model

import "time"

// EventKind names what happened to a certificate.
type EventKind string

const (
	EventIssued  EventKind = "issued"
	EventRevoked EventKind = "revoked"
)

// Event is one entry of a certificate's append-only history: who did what,
// when, why, and the certificate's data before and after (JSON snapshots).
// Rows are only ever inserted.
type Event struct {
	ID        uint64    `gorm:"primaryKey"`
	CertID    uint64    `gorm:"not null;index"`
	CertNo    string    `gorm:"size:20;not null;index"`
	Kind      EventKind `gorm:"size:16;not null"`
	Version   int       `gorm:"not null"` // the certificate's version after the event
	Operator  string    `gorm:"size:64;not null"`
	Reason    string    `gorm:"size:32;not null;default:''"`
	Note      string    `gorm:"size:500;not null;default:''"`
	Before    string    `gorm:"type:text"`
	After     string    `gorm:"type:text"`
	CreatedAt time.Time `gorm:"not null;index"`
}
