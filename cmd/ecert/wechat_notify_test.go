package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ecert/config"
	"ecert/model"
	"ecert/store"
	"ecert/store/storetest"
)

// notifySite is a database with three holders — two bound from one
// organisation, one bound from another, one unbound — and a config file
// naming it.
type notifySite struct {
	t      *testing.T
	db     *storetest.DB
	config string
	certs  []string // 证书编号 by person
}

func notifyPerson(i int, org string) model.IssueRequest {
	return model.IssueRequest{
		Row: i + 2, Name: fmt.Sprintf("通知%d", i), Sex: "男",
		IDNumber:   model.MakeIDNumber("410102", time.Date(1985, 1, 1+i, 0, 0, 0, 0, time.UTC), 1, true),
		Occupation: "钢筋工", Level: 4, OrgName: org, Employer: "郑州建工",
		IssuedOn: time.Date(2026, 3, 1, 0, 0, 0, 0, model.ChinaZone), Source: model.SourceElectronic,
	}
}

func newNotifySite(t *testing.T) *notifySite {
	db := storetest.MustOpenDB(t, nil)
	reg := store.NewRegistry(db.DB)
	ctx := context.Background()
	people := []model.IssueRequest{notifyPerson(0, "甲机构"), notifyPerson(1, "甲机构"), notifyPerson(2, "乙机构"), notifyPerson(3, "甲机构")}
	rep, err := reg.Issue(ctx, people, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range people[:3] {
		if _, err := reg.Bind(ctx, fmt.Sprint("openid-", i), p.Name, p.IDNumber); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf(`server:
  public_url: https://ecert.example
database:
  driver: %s
  dsn: %q
security:
  key_file: %q
log:
  level: info
wechat:
  templates:
    notice:
      id: TPL-NOTICE
      fields:
        first: "{{.Name}}，请于月底前完成继续教育"
        keyword1: "{{.CertNo}}"
    issued:
      id: TPL-ISSUED
      fields: {first: "{{.Name}}"}
`, db.Driver, db.DSN, filepath.Join(dir, "signing.key"))
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &notifySite{t: t, db: db, config: path}
	for _, is := range rep.Issued {
		s.certs = append(s.certs, is.CertNo)
	}
	return s
}

func (s *notifySite) notify(stdin string, args ...string) (string, string, int) {
	s.t.Helper()
	var out, errb strings.Builder
	code := weChatNotify(append(args, "-config", s.config), strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func (s *notifySite) outbox() []model.Outbox {
	s.t.Helper()
	var rs []model.Outbox
	if err := s.db.Order("id").Find(&rs).Error; err != nil {
		s.t.Fatal(err)
	}
	return rs
}

func TestNotifyUsage(t *testing.T) {
	s := newNotifySite(t)
	for _, args := range [][]string{
		{"--template", "notice"},
		{"--template", "notice", "--all-bound", "--org", "甲机构"},
		{"--all-bound"},
		{"--template", "notice", "--cert", "HN2026000000017"}, // bad check character
		{"--template", "notice", "--all-bound", "extra"},
	} {
		if out, errOut, code := s.notify("", args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, errOut)
		}
	}
	_, errOut, code := s.notify("", "--template", "nosuch", "--all-bound")
	if code != 2 || !strings.Contains(errOut, `template "nosuch" is not configured; configured templates: issued, notice`) {
		t.Errorf("unknown template: exit %d, stderr %q", code, errOut)
	}
	if len(s.outbox()) != 0 {
		t.Error("a usage error queued messages")
	}
}

func TestNotifyDryRunCountsAndQueuesNothing(t *testing.T) {
	s := newNotifySite(t)
	cases := []struct {
		args []string
		want int
	}{
		{[]string{"--all-bound"}, 3},
		{[]string{"--org", "甲机构"}, 2}, // person 3 is of 甲机构 but unbound
		{[]string{"--org", "乙机构"}, 1},
		{[]string{"--cert", s.certs[0]}, 1},
		{[]string{"--cert", s.certs[3]}, 0},
	}
	for _, c := range cases {
		out, errOut, code := s.notify("", append([]string{"--dry-run", "--template", "notice"}, c.args...)...)
		if code != 0 || !strings.Contains(out, fmt.Sprintf(": %d recipient(s)", c.want)) || !strings.Contains(out, "dry run: nothing queued") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d recipients", c.args, code, out, errOut, c.want)
		}
	}
	if _, errOut, code := s.notify("", "--dry-run", "--template", "notice", "--org", "丙机构"); code != 1 || !strings.Contains(errOut, "丙机构") {
		t.Errorf("unknown organisation: exit %d, %q", code, errOut)
	}
	if rs := s.outbox(); len(rs) != 0 {
		t.Errorf("dry run queued %d rows", len(rs))
	}
}

func TestNotifyAsksBeforeQueueing(t *testing.T) {
	s := newNotifySite(t)
	out, _, code := s.notify("n\n", "--template", "notice", "--all-bound")
	if code != 1 || !strings.Contains(out, "queue 3 template message(s)? [y/N]") || len(s.outbox()) != 0 {
		t.Fatalf("answered n: exit %d, stdout %q, %d rows", code, out, len(s.outbox()))
	}
	if _, _, code := s.notify("", "--template", "notice", "--all-bound"); code != 1 || len(s.outbox()) != 0 {
		t.Fatalf("no answer (EOF): exit %d, %d rows", code, len(s.outbox()))
	}
	out, _, code = s.notify("y\n", "--template", "notice", "--all-bound")
	if code != 0 || !strings.Contains(out, "queued 3 message(s)") || len(s.outbox()) != 3 {
		t.Fatalf("answered y: exit %d, stdout %q, %d rows", code, out, len(s.outbox()))
	}
}

func TestNotifyYesQueuesOncePerBatch(t *testing.T) {
	s := newNotifySite(t)
	out, errOut, code := s.notify("", "--template", "notice", "--org", "甲机构", "--yes")
	if code != 0 || !strings.Contains(out, "queued 2 message(s), 0 already queued") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	rs := s.outbox()
	if len(rs) != 2 {
		t.Fatalf("rows = %d", len(rs))
	}
	for i, r := range rs {
		var data map[string]string
		json.Unmarshal([]byte(r.Data), &data)
		if r.OpenID != fmt.Sprint("openid-", i) || r.Kind != model.NotifyManual || r.TemplateID != "TPL-NOTICE" ||
			r.Status != model.OutboxPending || r.CertNo != s.certs[i] || !strings.HasPrefix(r.Link, "https://ecert.example/v/") ||
			data["first"] != fmt.Sprintf("通知%d，请于月底前完成继续教育", i) || data["keyword1"] != s.certs[i] {
			t.Errorf("row %d = %+v", i, r)
		}
	}
	// The same command again (same batch): nobody is queued twice.
	out, _, code = s.notify("", "--template", "notice", "--org", "甲机构", "--yes")
	if code != 0 || !strings.Contains(out, "queued 0 message(s), 2 already queued") || len(s.outbox()) != 2 {
		t.Fatalf("repeat: exit %d, stdout %q, %d rows", code, out, len(s.outbox()))
	}
	// A wider audience in a batch of the operator's naming reaches the rest.
	out, _, code = s.notify("", "--all-bound", "--template", "notice", "--yes", "--batch", "2026-03 继续教育")
	if code != 0 || !strings.Contains(out, "queued 3 message(s)") || len(s.outbox()) != 5 {
		t.Fatalf("new batch: exit %d, stdout %q, %d rows", code, out, len(s.outbox()))
	}
	out, _, _ = s.notify("", "--all-bound", "--template", "notice", "--yes", "--batch", "2026-03 继续教育")
	if !strings.Contains(out, "queued 0 message(s), 3 already queued") || len(s.outbox()) != 5 {
		t.Fatalf("named batch repeated: stdout %q, %d rows", out, len(s.outbox()))
	}
}

// The wiring every command shares: with setupNotifications on the app, a
// certificate event queues the holder's message when, and only when, its
// kind has a template.
func TestSetupNotificationsQueuesOnEvents(t *testing.T) {
	s := newNotifySite(t)
	fs, configPath := newFlags("test", &strings.Builder{})
	if err := fs.Parse([]string{"-config", s.config}); err != nil {
		t.Fatal(err)
	}
	a, err := openApp(fs, *configPath, &strings.Builder{}, needs{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if err := setupNotifications(a); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Revoked: no template configured for it, so nothing is queued.
	if _, err := a.registry.Revoke(ctx, s.certs[0], model.RevokeRequest, "", "t"); err != nil {
		t.Fatal(err)
	}
	if rs := s.outbox(); len(rs) != 0 {
		t.Fatalf("revocation without a revoked template queued %d", len(rs))
	}
	// Issued: configured, and person 1 is bound.
	p := notifyPerson(1, "甲机构")
	p.Level = 3
	if _, err := a.registry.Issue(ctx, []model.IssueRequest{p}, nil, "t"); err != nil {
		t.Fatal(err)
	}
	rs := s.outbox()
	if len(rs) != 1 || rs[0].OpenID != "openid-1" || rs[0].TemplateID != "TPL-ISSUED" || !strings.HasPrefix(rs[0].Link, "https://ecert.example/v/") {
		t.Fatalf("rows = %+v", rs)
	}
	// The link is the certificate's real, verifiable token.
	tok := strings.TrimPrefix(rs[0].Link, "https://ecert.example/v/")
	if id, v, err := a.signer.ParseVerify(tok); err != nil || id != rs[0].CertID || v != 1 {
		t.Errorf("link token = %d v%d, %v", id, v, err)
	}
	// A broken template stops the start with the key named.
	a.cfg.WeChat.Templates["issued"] = config.Template{ID: "X", Fields: map[string]string{"first": "{{.IDNumber}}"}}
	if err := setupNotifications(a); err == nil || !strings.Contains(err.Error(), "wechat.templates.issued.fields.first") {
		t.Errorf("template using the full ID number: %v", err)
	}
}
