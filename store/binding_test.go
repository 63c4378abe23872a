package store_test

import (
	"context"
	"errors"
	"testing"

	"ecert/model"
	"ecert/store"
)

func TestBindReplaceUnbind(t *testing.T) {
	r, db := newRegistry(t)
	ctx := context.Background()
	// The openids bound to a holder, as notifications find them.
	boundTo := func(idNumber string) ([]string, error) {
		m, err := store.NewOutbox(db.DB).BoundOpenIDs(db.DB, []string{idNumber})
		return m[idNumber], err
	}
	p1, p2 := person(1), person(2)
	if _, err := r.BindingFor(ctx, "oA"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("unbound: %v", err)
	}
	prev, err := r.Bind(ctx, "oA", p1.Name, p1.IDNumber)
	if err != nil || prev != nil {
		t.Fatalf("first bind: %v %v", prev, err)
	}
	if _, err := r.Bind(ctx, "oB", p1.Name, p1.IDNumber); err != nil {
		t.Fatal(err)
	}
	ids, err := boundTo(p1.IDNumber)
	if err != nil || len(ids) != 2 || ids[0] != "oA" || ids[1] != "oB" {
		t.Fatalf("openids %v %v", ids, err)
	}
	// Re-binding oA to another person replaces, and reports the old one.
	prev, err = r.Bind(ctx, "oA", p2.Name, p2.IDNumber)
	if err != nil || prev == nil || prev.IDNumber != p1.IDNumber {
		t.Fatalf("rebind: %+v %v", prev, err)
	}
	b, err := r.BindingFor(ctx, "oA")
	if err != nil || b.IDNumber != p2.IDNumber || b.Name != p2.Name {
		t.Fatalf("binding %+v %v", b, err)
	}
	if ids, _ := boundTo(p1.IDNumber); len(ids) != 1 || ids[0] != "oB" {
		t.Fatalf("old holder's openids %v", ids)
	}
	if err := r.Unbind(ctx, "oA"); err != nil {
		t.Fatal(err)
	}
	if err := r.Unbind(ctx, "oA"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("second unbind: %v", err)
	}
	if ids, _ := boundTo(p2.IDNumber); len(ids) != 0 {
		t.Fatalf("after unbind %v", ids)
	}
}

func TestCertificatesOfGoesByIDNumber(t *testing.T) {
	r, _ := newRegistry(t)
	ctx := context.Background()
	a, b := person(3), person(3)
	b.Occupation, b.Row = "钢筋工", 9
	if _, err := r.Issue(ctx, []model.IssueRequest{a, b, person(4)}, nil, "t"); err != nil {
		t.Fatal(err)
	}
	cs, err := r.CertificatesOf(ctx, a.IDNumber)
	if err != nil || len(cs) != 2 {
		t.Fatalf("%d certificates, %v", len(cs), err)
	}
	for _, c := range cs {
		if c.IDNumber != a.IDNumber {
			t.Fatalf("someone else's certificate %s", c.CertNo)
		}
	}
}
