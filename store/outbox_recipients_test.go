package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"ecert/model"
	"ecert/store"
)

func TestOutboxRecipients(t *testing.T) {
	reg, db := newRegistry(t)
	ob := store.NewOutbox(db.DB)
	ctx := context.Background()
	// person(i) is with 培训机构{i%7}: 0 and 7 share an organisation, 1 does not.
	p0, p1, p7, p14 := person(0), person(1), person(7), person(14)
	rep, err := reg.Issue(ctx, []model.IssueRequest{p0, p1, p7, p14}, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Revoke(ctx, rep.Issued[3].CertNo, model.RevokeRequest, "", "t"); err != nil {
		t.Fatal(err)
	}
	for _, b := range []struct{ openID, who string }{
		{"o-p0-a", "p0"}, {"o-p0-b", "p0"}, {"o-p1", "p1"}, {"o-p7", "p7"}, {"o-p14", "p14"},
	} {
		p := map[string]model.IssueRequest{"p0": p0, "p1": p1, "p7": p7, "p14": p14}[b.who]
		if _, err := reg.Bind(ctx, b.openID, p.Name, p.IDNumber); err != nil {
			t.Fatal(err)
		}
	}
	openIDs := func(a store.Audience) []string {
		t.Helper()
		rs, err := ob.Recipients(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.OpenID)
		}
		slices.Sort(out)
		return out
	}
	if got := openIDs(store.Audience{CertNo: rep.Issued[0].CertNo}); !slices.Equal(got, []string{"o-p0-a", "o-p0-b"}) {
		t.Errorf("cert audience = %v", got)
	}
	// p14's only certificate from the organisation is revoked: not included.
	if got := openIDs(store.Audience{OrgName: p0.OrgName}); !slices.Equal(got, []string{"o-p0-a", "o-p0-b", "o-p7"}) {
		t.Errorf("org audience = %v", got)
	}
	if got := openIDs(store.Audience{AllBound: true}); len(got) != 5 {
		t.Errorf("all bound = %v", got)
	}
	if _, err := ob.Recipients(ctx, store.Audience{CertNo: "HN2026000009999"}); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown certificate: %v", err)
	}
	if _, err := ob.Recipients(ctx, store.Audience{OrgName: "不存在的机构"}); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown organisation: %v", err)
	}
	if _, err := ob.Recipients(ctx, store.Audience{}); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("empty audience: %v", err)
	}

	bound, err := ob.BoundOpenIDs(db.DB, []string{p0.IDNumber, p1.IDNumber, person(99).IDNumber})
	if err != nil || !slices.Equal(bound[p0.IDNumber], []string{"o-p0-a", "o-p0-b"}) || len(bound[p1.IDNumber]) != 1 || len(bound) != 2 {
		t.Errorf("BoundOpenIDs = %v, %v", bound, err)
	}
}

func TestOutboxHolderCertsPrefersValid(t *testing.T) {
	reg, db := newRegistry(t)
	ob := store.NewOutbox(db.DB)
	ctx := context.Background()
	older, newer := person(0), person(0)
	newer.Level, newer.IssuedOn = 3, day.AddDate(0, 1, 0)
	rep, err := reg.Issue(ctx, []model.IssueRequest{older, newer}, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := ob.HolderCerts(ctx, []string{older.IDNumber}, "")
	if got[older.IDNumber].CertNo != rep.Issued[1].CertNo {
		t.Errorf("two valid: got %s, want the later one %s", got[older.IDNumber].CertNo, rep.Issued[1].CertNo)
	}
	reg.Revoke(ctx, rep.Issued[1].CertNo, model.RevokeRequest, "", "t")
	got, _ = ob.HolderCerts(ctx, []string{older.IDNumber}, "")
	if got[older.IDNumber].CertNo != rep.Issued[0].CertNo {
		t.Errorf("later revoked: got %s, want the valid one %s", got[older.IDNumber].CertNo, rep.Issued[0].CertNo)
	}
	if got, _ := ob.HolderCerts(ctx, []string{older.IDNumber}, "别的机构"); len(got) != 0 {
		t.Errorf("other organisation: %v", got)
	}
}
