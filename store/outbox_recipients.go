package store

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"ecert/model"
)

// Recipient is a bound WeChat user and the holder they are bound to.
type Recipient struct {
	OpenID   string
	IDNumber string
}

// BoundOpenIDs returns, for each of idNumbers that has bindings, its
// openids. It reads through tx so it can run inside the issuing
// transaction (SQLite has one connection: a read outside would wait on it).
func (o *Outbox) BoundOpenIDs(tx *gorm.DB, idNumbers []string) (map[string][]string, error) {
	out := map[string][]string{}
	for chunk := range slices.Chunk(idNumbers, lookupChunk) {
		var rs []Recipient
		err := tx.Model(&model.Binding{}).Select("open_id, id_number").
			Where("id_number IN ?", chunk).
			Order("id").Scan(&rs).Error
		if err != nil {
			return nil, translate(err, "look up bindings")
		}
		for _, r := range rs {
			out[r.IDNumber] = append(out[r.IDNumber], r.OpenID)
		}
	}
	return out, nil
}

// Audience says whom an administrator's notification goes to: exactly one
// of the three.
type Audience struct {
	CertNo   string // the holder of this certificate
	OrgName  string // holders of valid certificates from this organisation
	AllBound bool   // every bound openid
}

// Recipients resolves an audience to bound openids, in binding order; each
// comes once, as open_id is unique among bindings. A certificate or
// organisation that does not exist is ErrNotFound.
func (o *Outbox) Recipients(ctx context.Context, a Audience) ([]Recipient, error) {
	db := o.db.WithContext(ctx)
	q := db.Model(&model.Binding{}).Select("open_id, id_number").Order("id")
	switch {
	case a.CertNo != "":
		var c model.Certificate
		if err := db.Select("id_number").Where("cert_no = ?", a.CertNo).Take(&c).Error; err != nil {
			return nil, translate(err, "certificate "+a.CertNo)
		}
		q = q.Where("id_number = ?", c.IDNumber)
	case a.OrgName != "":
		var org model.Organization
		if err := db.Where("name = ?", a.OrgName).Take(&org).Error; err != nil {
			return nil, translate(err, "organisation "+a.OrgName)
		}
		q = q.Where("id_number IN (?)", db.Model(&model.Certificate{}).Select("id_number").
			Where("org_id = ? AND status = ?", org.ID, model.StatusValid))
	case a.AllBound:
	default:
		return nil, fmt.Errorf("audience: name a certificate, an organisation or all bound users: %w", model.ErrInvalid)
	}
	var rs []Recipient
	if err := q.Scan(&rs).Error; err != nil {
		return nil, translate(err, "list recipients")
	}
	return rs, nil
}

// HolderCerts picks, for each 身份证号, the certificate a message about the
// holder should describe: valid before revoked, then the latest issued.
// With orgName set only that organisation's certificates count.
func (o *Outbox) HolderCerts(ctx context.Context, idNumbers []string, orgName string) (map[string]model.Certificate, error) {
	out := map[string]model.Certificate{}
	for chunk := range slices.Chunk(idNumbers, lookupChunk) {
		q := o.db.WithContext(ctx).Where("id_number IN ?", chunk)
		if orgName != "" {
			q = q.Where("org_id IN (?)", o.db.Model(&model.Organization{}).Select("id").Where("name = ?", orgName))
		}
		var cs []model.Certificate
		if err := q.Order("issued_on, id").Find(&cs).Error; err != nil {
			return nil, translate(err, "look up holders' certificates")
		}
		for _, c := range cs {
			prev, ok := out[c.IDNumber]
			if !ok || c.Status == model.StatusValid || prev.Status != model.StatusValid {
				out[c.IDNumber] = c // later rows win unless they would replace a valid one with a revoked one
			}
		}
	}
	return out, nil
}
