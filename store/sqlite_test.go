package store_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"ecert/model"
)

// SQLite keeps times as text. The layout must stay the one earlier
// versions wrote ("2026-11-27 08:38:26.300267+00:00"): a file from before
// the driver change has to read back, and its times have to compare in SQL
// (the outbox's due times) against the ones written now.
func TestSQLiteTimesKeepTheLayoutEarlierVersionsWrote(t *testing.T) {
	reg, db := newRegistry(t)
	if db.Driver != "sqlite" {
		t.Skip("a SQLite file format")
	}
	ctx := context.Background()
	rep, err := reg.Issue(ctx, []model.IssueRequest{person(1)}, nil, "op")
	if err != nil {
		t.Fatal(err)
	}
	no := rep.Issued[0].CertNo
	var stored string
	if err := db.Raw("SELECT CAST(created_at AS TEXT) FROM certificates WHERE cert_no = ?", no).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	layout := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})?\+00:00$`)
	if !layout.MatchString(stored) {
		t.Fatalf("created_at stored as %q, not in the layout earlier versions wrote", stored)
	}

	// A time written by an earlier version reads back as that instant.
	const old = "2026-03-01 08:30:15.123456+00:00"
	if err := db.Exec("UPDATE certificates SET created_at = ? WHERE cert_no = ?", old, no).Error; err != nil {
		t.Fatal(err)
	}
	c, err := reg.FindByNo(ctx, no)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 1, 8, 30, 15, 123456000, time.UTC); !c.CreatedAt.Equal(want) {
		t.Fatalf("created_at %q read back as %v, want %v", old, c.CreatedAt, want)
	}
	// And compares in SQL with a time bound now.
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM certificates WHERE created_at < ?", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("an earlier version's time did not compare as earlier than a later one bound now (%d rows)", n)
	}
}
