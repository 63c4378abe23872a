package store_test

import (
	"context"
	"errors"
	"testing"

	"ecert/model"
)

func TestRevokeOnceWithEvent(t *testing.T) {
	reg, _ := newRegistry(t)
	ctx := context.Background()
	rep, err := reg.Issue(ctx, []model.IssueRequest{person(0)}, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	no := rep.Issued[0].CertNo
	c, err := reg.Revoke(ctx, no, model.RevokeFraud, "伪造材料", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != model.StatusRevoked || c.Version != 2 || c.RevokeReason != model.RevokeFraud || c.RevokedAt == nil {
		t.Errorf("revoked = %+v", c)
	}
	stored, _ := reg.FindByNo(ctx, no)
	if stored.Status != model.StatusRevoked || stored.RevokeNote != "伪造材料" || stored.ActiveKey != nil {
		t.Errorf("stored = %+v", stored)
	}
	_, err = reg.Revoke(ctx, no, model.RevokeRequest, "", "admin")
	if !errors.Is(err, model.ErrConflict) {
		t.Fatalf("second revoke err = %v, want ErrConflict", err)
	}
	evs, _ := reg.History(ctx, c.ID)
	if len(evs) != 2 || evs[1].Kind != model.EventRevoked || evs[1].Reason != "fraud" || evs[1].Before == "" || evs[1].Version != 2 {
		t.Fatalf("history = %+v", evs)
	}
	if _, err := reg.Revoke(ctx, "HN2026000009999", model.RevokeFraud, "", "a"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown cert: %v", err)
	}
}

func TestFindQueriesNeedBothFields(t *testing.T) {
	reg, _ := newRegistry(t)
	ctx := context.Background()
	p := person(0)
	rep, err := reg.Issue(ctx, []model.IssueRequest{p}, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	no := rep.Issued[0].CertNo
	if cs, _ := reg.FindByNameAndNo(ctx, p.Name, no); len(cs) != 1 {
		t.Errorf("name+no: %d results", len(cs))
	}
	if cs, _ := reg.FindByNameAndNo(ctx, "别人", no); len(cs) != 0 {
		t.Errorf("wrong name matched")
	}
	if cs, _ := reg.FindByNameAndID(ctx, p.Name, p.IDNumber); len(cs) != 1 {
		t.Errorf("name+id: %d results", len(cs))
	}
	if cs, _ := reg.FindByNameAndID(ctx, p.Name, person(1).IDNumber); len(cs) != 0 {
		t.Errorf("wrong id matched")
	}
	if _, err := reg.FindByNo(ctx, "HN2026000009999"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("FindByNo unknown: %v", err)
	}
}
