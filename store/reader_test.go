package store_test

import (
	"context"
	"testing"

	"ecert/model"
	"ecert/store"
)

// The SQLite read pool sees every committed write at once and cannot write.
func TestSQLiteReadPool(t *testing.T) {
	reg, db := newRegistry(t)
	if db.Driver != "sqlite" {
		t.Skip("the read pool is for SQLite")
	}
	reader, err := store.OpenSQLiteReader(store.Options{Driver: "sqlite", DSN: db.DSN}, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { d, _ := reader.DB(); d.Close() }()
	reg.UseReader(reader)
	ctx := context.Background()
	rep, err := reg.Issue(ctx, []model.IssueRequest{person(0)}, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	no := rep.Issued[0].CertNo
	if c, err := reg.FindByNo(ctx, no); err != nil || c.Status != model.StatusValid {
		t.Fatalf("read pool does not see the issue: %v", err)
	}
	if _, err := reg.Revoke(ctx, no, model.RevokeFraud, "", "t"); err != nil {
		t.Fatal(err)
	}
	if c, _ := reg.FindByNo(ctx, no); c.Status != model.StatusRevoked {
		t.Fatal("read pool does not see the revocation")
	}
	if err := reader.Exec("DELETE FROM certificates").Error; err == nil {
		t.Fatal("the read pool accepted a write")
	}
}
