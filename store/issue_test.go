package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"ecert/model"
	"ecert/store"
)

func TestIssueNumbersInOrderAndRecordsEvents(t *testing.T) {
	reg, db := newRegistry(t)
	ctx := context.Background()
	reqs := []model.IssueRequest{person(0), person(1), person(2)}
	rep, err := reg.Issue(ctx, reqs, nil, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Issued) != 3 || len(rep.Existing) != 0 || len(rep.Rejected) != 0 {
		t.Fatalf("report = %+v", rep)
	}
	want := []string{"HN2026000000018", "HN2026000000026", "HN2026000000034"}
	for i, is := range rep.Issued {
		if is.CertNo != want[i] || is.Row != reqs[i].Row || is.Name != reqs[i].Name {
			t.Errorf("issued[%d] = %+v, want %s for row %d", i, is, want[i], reqs[i].Row)
		}
		if err := model.ValidateCertNo(is.CertNo); err != nil {
			t.Errorf("issued number %s fails its own check: %v", is.CertNo, err)
		}
	}
	c, err := reg.FindByNo(ctx, want[1])
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != reqs[1].Name || c.IDNumber != reqs[1].IDNumber || c.Level != 4 || c.Status != model.StatusValid ||
		c.Version != 1 || c.IssuedOn != "2026-03-01" || c.Source != model.SourceElectronic || c.OrgName != reqs[1].OrgName {
		t.Errorf("stored certificate = %+v", c)
	}
	evs, err := reg.History(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Kind != model.EventIssued || evs[0].Operator != "tester" || evs[0].Version != 1 {
		t.Fatalf("history = %+v", evs)
	}
	var after map[string]any
	if err := json.Unmarshal([]byte(evs[0].After), &after); err != nil || after["cert_no"] != want[1] || after["level"] != "四级/中级工" {
		t.Errorf("event after-snapshot = %s (%v)", evs[0].After, err)
	}
	if n := count(t, db, &model.Organization{}); n != 3 {
		t.Errorf("organisations = %d, want 3 distinct", n)
	}
	// A second roster continues the sequence.
	rep2, err := reg.Issue(ctx, []model.IssueRequest{person(3)}, nil, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Issued[0].CertNo != "HN2026000000042" {
		t.Errorf("next number = %s", rep2.Issued[0].CertNo)
	}
}

func TestIssueReportsExistingInsteadOfIssuingTwice(t *testing.T) {
	reg, db := newRegistry(t)
	ctx := context.Background()
	if _, err := reg.Issue(ctx, []model.IssueRequest{person(0)}, nil, "t"); err != nil {
		t.Fatal(err)
	}
	again := person(0)
	again.Row = 9
	higher := person(0)
	higher.Level = 3 // same person, new level: a new certificate
	higher.Row = 10
	rep, err := reg.Issue(ctx, []model.IssueRequest{again, higher}, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Existing) != 1 || rep.Existing[0].Row != 9 || rep.Existing[0].CertNo != "HN2026000000018" {
		t.Errorf("existing = %+v", rep.Existing)
	}
	if len(rep.Issued) != 1 || rep.Issued[0].Row != 10 {
		t.Errorf("issued = %+v", rep.Issued)
	}
	if n := count(t, db, &model.Certificate{}); n != 2 {
		t.Errorf("certificates = %d, want 2", n)
	}
}

func TestIssueRejectsAndWritesNothing(t *testing.T) {
	reg, db := newRegistry(t)
	ctx := context.Background()
	if _, err := reg.Issue(ctx, []model.IssueRequest{person(0)}, nil, "t"); err != nil {
		t.Fatal(err)
	}
	otherName := person(0)
	otherName.Name, otherName.Level, otherName.Row = "冒名者", 2, 3
	dup1, dup2 := person(5), person(5)
	dup2.Row = 99
	sameIDOtherName := person(6)
	sameIDOtherName.Name, sameIDOtherName.Level, sameIDOtherName.Row = "另一人", 1, 100
	good := person(7)
	pre := []store.RejectedRow{{Row: 4, Errors: []string{"身份证号校验位错误"}}}

	rep, err := reg.Issue(ctx, []model.IssueRequest{otherName, dup1, dup2, person(6), sameIDOtherName, good}, pre, "t")
	if !errors.Is(err, store.ErrRejected) || !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
	rows := map[int]string{}
	for _, r := range rep.Rejected {
		rows[r.Row] = strings.Join(r.Errors, ";")
	}
	checks := map[int]string{3: "身份证号已登记在其他姓名下", 4: "校验位", 99: "与第7行重复", 100: "姓名不同"}
	for row, want := range checks {
		if !strings.Contains(rows[row], want) {
			t.Errorf("row %d rejection = %q, want it to mention %q", row, rows[row], want)
		}
	}
	if len(rep.Rejected) != len(checks) {
		t.Errorf("rejected = %+v", rep.Rejected)
	}
	if len(rep.Issued) != 0 {
		t.Errorf("a rejected roster reports issued rows: %+v", rep.Issued)
	}
	if n := count(t, db, &model.Certificate{}); n != 1 {
		t.Errorf("certificates = %d; a roster with a bad row must issue nothing", n)
	}
	if n := count(t, db, &model.Event{}); n != 1 {
		t.Errorf("events = %d", n)
	}
	// The serial was not consumed either: the next issue continues at 2.
	rep, err = reg.Issue(ctx, []model.IssueRequest{good}, nil, "t")
	if err != nil || rep.Issued[0].CertNo != "HN2026000000026" {
		t.Fatalf("after rollback: %+v, %v", rep, err)
	}
}

func TestIssueAfterRevocationMakesNewCertificate(t *testing.T) {
	reg, _ := newRegistry(t)
	ctx := context.Background()
	rep, err := reg.Issue(ctx, []model.IssueRequest{person(0)}, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Revoke(ctx, rep.Issued[0].CertNo, model.RevokeRequest, "", "t"); err != nil {
		t.Fatal(err)
	}
	rep2, err := reg.Issue(ctx, []model.IssueRequest{person(0)}, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep2.Issued) != 1 || rep2.Issued[0].CertNo == rep.Issued[0].CertNo {
		t.Errorf("re-training after 注销 should issue a new certificate: %+v", rep2)
	}
}

func TestIssueSerialsPerYear(t *testing.T) {
	reg, _ := newRegistry(t)
	a, b := person(0), person(1)
	b.IssuedOn = day.AddDate(-1, 0, 0)
	rep, err := reg.Issue(context.Background(), []model.IssueRequest{a, b}, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Issued[0].CertNo != "HN2026000000018" || !strings.HasPrefix(rep.Issued[1].CertNo, "HN202500000001") {
		t.Errorf("numbers = %+v", rep.Issued)
	}
}

func TestConcurrentIssuesNeverShareANumber(t *testing.T) {
	reg, db := newRegistry(t)
	ctx := context.Background()
	const workers, each = 4, 25
	errc := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func(w int) {
			reqs := make([]model.IssueRequest, each)
			for i := range reqs {
				reqs[i] = person(w*1000 + i)
			}
			_, err := reg.Issue(ctx, reqs, nil, "t")
			errc <- err
		}(w)
	}
	for w := 0; w < workers; w++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	var distinct int64
	db.Model(&model.Certificate{}).Distinct("cert_no").Count(&distinct)
	if distinct != workers*each {
		t.Fatalf("distinct numbers = %d, want %d", distinct, workers*each)
	}
}
