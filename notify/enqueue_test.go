package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"ecert/config"
	"ecert/model"
	"ecert/store"
)

func TestIssuingForABoundHolderEnqueuesOneRow(t *testing.T) {
	e := newEnv(t, testTemplates)
	p := person(0)
	e.issue(t, p) // nobody bound yet: nothing to notify
	if rs := e.rows(t); len(rs) != 0 {
		t.Fatalf("outbox before binding = %+v", rs)
	}
	e.bind(t, "openid-zhang", p)
	higher := p
	higher.Level = 3
	rep := e.issue(t, higher, person(1)) // person(1) is not bound
	rs := e.rows(t)
	if len(rs) != 1 {
		t.Fatalf("outbox = %d rows, want 1", len(rs))
	}
	r := rs[0]
	cert, _ := e.reg.FindByNo(context.Background(), rep.Issued[0].CertNo)
	if r.OpenID != "openid-zhang" || r.Kind != model.NotifyIssued || r.TemplateKey != "issued" || r.TemplateID != "TPL-ISSUED" ||
		r.CertNo != cert.CertNo || r.CertID != cert.ID || r.Status != model.OutboxPending || r.Link != link(cert) {
		t.Errorf("row = %+v", r)
	}
	var data map[string]string
	if err := json.Unmarshal([]byte(r.Data), &data); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"first": p.Name + "，您的证书已签发", "keyword1": "砌筑工（三级/高级工）", "keyword2": cert.CertNo,
		"keyword3": "2026年3月1日", "remark": "身份证号 " + model.MaskIDNumber(p.IDNumber) + "，状态有效",
	}
	for k, v := range want {
		if data[k] != v {
			t.Errorf("data[%s] = %q, want %q", k, data[k], v)
		}
	}
	if strings.Contains(r.Data, p.IDNumber) {
		t.Errorf("the full ID number is in the message: %s", r.Data)
	}
}

func TestRejectedRosterAndRolledBackIssueEnqueueNothing(t *testing.T) {
	e := newEnv(t, testTemplates)
	p := person(0)
	e.issue(t, p)
	e.bind(t, "openid-zhang", p)
	higher, impostor := p, person(1)
	higher.Level = 3
	impostor.IDNumber = p.IDNumber // same 身份证号, other 姓名: the roster is rejected
	_, err := e.reg.Issue(context.Background(), []model.IssueRequest{higher, impostor}, nil, "t")
	if !errors.Is(err, store.ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
	if rs := e.rows(t); len(rs) != 0 {
		t.Errorf("a rejected roster queued %d notifications", len(rs))
	}
	// A later hook failing rolls the issuance back, and the row with it:
	// the outbox row lives in the issuing transaction.
	e.reg.OnEvents(func(tx *gorm.DB, _ []model.Certificate, _ []model.Event) error {
		return errors.New("downstream refused")
	})
	if _, err := e.reg.Issue(context.Background(), []model.IssueRequest{higher}, nil, "t"); err == nil {
		t.Fatal("issue with a failing hook succeeded")
	}
	if rs := e.rows(t); len(rs) != 0 {
		t.Errorf("a rolled-back issuance left %d notifications", len(rs))
	}
}

func TestRevocationEnqueuesForEveryBoundOpenID(t *testing.T) {
	e := newEnv(t, testTemplates)
	p := person(0)
	rep := e.issue(t, p)
	e.bind(t, "openid-phone", p)
	e.bind(t, "openid-family", p)
	if _, err := e.reg.Revoke(context.Background(), rep.Issued[0].CertNo, model.RevokeFraud, "", "admin"); err != nil {
		t.Fatal(err)
	}
	rs := e.rows(t)
	if len(rs) != 2 || rs[0].OpenID != "openid-phone" || rs[1].OpenID != "openid-family" {
		t.Fatalf("rows = %+v", rs)
	}
	var data map[string]string
	json.Unmarshal([]byte(rs[0].Data), &data)
	if rs[0].Kind != model.NotifyRevoked || rs[0].TemplateID != "TPL-REVOKED" ||
		data["keyword2"] != "通过不正当手段获得证书" || !strings.HasPrefix(data["remark"], "已注销 2026年3月2日") {
		t.Errorf("row = %+v, data %v", rs[0], data)
	}
	if rs[0].DedupKey == rs[1].DedupKey {
		t.Error("two recipients share a dedup key")
	}
	// The link names the certificate's new version, so it opens on the
	// revoked state.
	if !strings.HasSuffix(rs[0].Link, "-2") {
		t.Errorf("link = %s, want the version after revocation", rs[0].Link)
	}
}

func TestKindWithoutTemplateIsSkipped(t *testing.T) {
	e := newEnv(t, map[string]config.Template{"revoked": testTemplates["revoked"]})
	p := person(0)
	e.issue(t, p)
	e.bind(t, "openid", p)
	higher := p
	higher.Level = 3
	e.issue(t, higher)
	if rs := e.rows(t); len(rs) != 0 {
		t.Errorf("issued without an issued template queued %+v", rs)
	}
}

// One roster with two new certificates for the same bound holder: two
// events, two messages (each event's row has its own dedup key).
func TestEachEventOfARosterGetsItsOwnRow(t *testing.T) {
	e := newEnv(t, testTemplates)
	p := person(0)
	e.issue(t, p)
	e.bind(t, "openid-zhang", p)
	l3, l2 := p, p
	l3.Level, l2.Level, l2.Row = 3, 2, 9
	e.issue(t, l3, person(1), l2)
	rs := e.rows(t)
	if len(rs) != 2 || rs[0].CertNo == rs[1].CertNo || rs[0].DedupKey == rs[1].DedupKey {
		t.Fatalf("rows = %+v", rs)
	}
}
