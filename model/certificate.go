package model

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Status is a certificate's standing. A certificate is never deleted; a
// revocation (注销) sets StatusRevoked with its reason.
type Status string

const (
	StatusValid   Status = "valid"
	StatusRevoked Status = "revoked"
)

// Label is the Chinese word shown to holders and verifiers.
func (s Status) Label() string {
	if s == StatusRevoked {
		return "已注销"
	}
	return "有效"
}

// Source tells how a certificate came to be: issued electronically from a
// roster, or converted from an earlier paper certificate (通知 五、证书换发).
type Source string

const (
	SourceElectronic Source = "electronic"
	SourcePaper      Source = "paper"
)

// Certificate is one 住房城乡建设行业技能人员职业培训合格证: every field of
// 附件1 plus what management needs. Changes make a new Version and append an
// Event; nothing is updated without one.
type Certificate struct {
	ID         uint64 `gorm:"primaryKey"`
	CertNo     string `gorm:"size:20;not null;uniqueIndex"`
	Name       string `gorm:"size:64;not null;index"`
	Sex        string `gorm:"size:4;not null"`
	IDNumber   string `gorm:"column:id_number;size:18;not null;index"`
	Occupation string `gorm:"size:64;not null"`
	Level      Level  `gorm:"not null"`
	OrgID      uint64 `gorm:"not null;index"`
	OrgName    string `gorm:"size:128;not null"`
	Employer   string `gorm:"size:128;not null;default:''"`
	// IssuedOn is the 发证日期 as YYYY-MM-DD: a calendar date, not an instant,
	// so no database or time zone can shift it by a day.
	IssuedOn string `gorm:"size:10;not null"`
	Status   Status `gorm:"size:16;not null;index"`
	// Revocation details, set when Status is StatusRevoked.
	RevokeReason RevokeReason `gorm:"size:16;not null;default:''"`
	RevokeNote   string       `gorm:"size:500;not null;default:''"`
	RevokedAt    *time.Time
	Version      int    `gorm:"not null"`
	Source       Source `gorm:"size:16;not null"`
	PaperNo      string `gorm:"size:64;not null;default:''"` // the old paper 证书编号, for converted certificates
	// ActiveKey is set while the certificate is valid and unique across the
	// table, so the database itself refuses a second valid certificate for
	// the same person, occupation and level even under concurrent imports.
	// It is NULL once revoked (NULLs never collide in a unique index).
	ActiveKey *string `gorm:"size:64;uniqueIndex"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IssuedDate parses IssuedOn.
func (c *Certificate) IssuedDate() time.Time {
	t, _ := ParseDate(c.IssuedOn)
	return t
}

// MaskedIDNumber is the only form of the ID number public surfaces show.
func (c *Certificate) MaskedIDNumber() string { return MaskIDNumber(c.IDNumber) }

// ActiveKeyFor is the value of ActiveKey for a person, occupation and level.
// Hashed so the column has a fixed size whatever the occupation's length.
func ActiveKeyFor(idNumber, occupation string, level Level) string {
	h := sha256.Sum256([]byte(idNumber + "\x00" + occupation + "\x00" + level.String()))
	return hex.EncodeToString(h[:])
}

// Organization is a 培训考核机构. Certificates refer to it by ID and keep a
// copy of the name as printed, so a later rename does not alter history.
type Organization struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:128;not null;uniqueIndex"`
	CreatedAt time.Time
}
