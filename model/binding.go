package model

import "time"

// Binding ties a WeChat user (the openid the 公众号 sees) to a holder, the
// person identified by 身份证号 and 姓名, once that user proved they know
// the holder's name, ID number and one certificate number. One openid
// binds one holder; one holder may be bound from several openids (a
// worker's own phone and a family member's). The binding is to the person,
// not to a certificate, so later certificates are covered too.
type Binding struct {
	ID       uint64 `gorm:"primaryKey"`
	OpenID   string `gorm:"column:open_id;size:64;not null;uniqueIndex"`
	IDNumber string `gorm:"column:id_number;size:18;not null;index"`
	Name     string `gorm:"size:64;not null"`
	// CreatedAt is when this openid was last bound (re-binding moves it).
	CreatedAt time.Time
}
