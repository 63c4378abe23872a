package notify_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"ecert/config"
	"ecert/internal/fixture"
	"ecert/model"
	"ecert/notify"
	"ecert/store"
	"ecert/store/storetest"
)

// clock is the tests' time: the database's NowFunc and the worker read it.
type clock = fixture.Clock

func newClock() *clock { return fixture.ClockAt(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) }

// apiError stands in for wechat.APIError: an errcode WeChat answered with.
type apiError struct{ code int }

func (e *apiError) Error() string { return fmt.Sprintf("wechat: errcode %d", e.code) }
func (e *apiError) ErrCode() int  { return e.code }

type sent struct {
	OpenID, TemplateID, Link string
	Data                     map[string]string
}

// fakeSender records sends and answers each with the next scripted error
// (nil: success with a fresh msgid).
type fakeSender struct {
	mu     sync.Mutex
	calls  []sent
	script []error
	next   int64
	delay  time.Duration
}

func (f *fakeSender) SendTemplate(ctx context.Context, openID, templateID, link string, data map[string]string) (int64, error) {
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, sent{openID, templateID, link, data})
	if len(f.script) > 0 {
		err := f.script[0]
		f.script = f.script[1:]
		if err != nil {
			return 0, err
		}
	}
	f.next++
	return 9000 + f.next, nil
}

func (f *fakeSender) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.calls) }

var testTemplates = map[string]config.Template{
	"issued": {ID: "TPL-ISSUED", Fields: map[string]string{
		"first":    "{{.Name}}，您的证书已签发",
		"keyword1": "{{.Occupation}}（{{.Level}}）",
		"keyword2": "{{.CertNo}}",
		"keyword3": "{{.IssuedOn}}",
		"remark":   "身份证号 {{.MaskedIDNumber}}，状态{{.Status}}",
	}},
	"revoked": {ID: "TPL-REVOKED", Fields: map[string]string{
		"first":    "{{.Name}}，您的证书已注销",
		"keyword1": "{{.CertNo}}",
		"keyword2": "{{.RevokeReason}}",
		"remark":   "{{.Status}} {{.RevokedOn}}",
	}},
	"notice": {ID: "TPL-NOTICE", Fields: map[string]string{"first": "{{.Name}}：请于月底前完成继续教育"}},
}

type env struct {
	clock  *clock
	db     *storetest.DB
	reg    *store.Registry
	outbox *store.Outbox
	enq    *notify.Enqueuer
}

func link(c *model.Certificate) string {
	return fmt.Sprintf("https://ecert.example/v/tok-%d-%d", c.ID, c.Version)
}

func newEnv(t *testing.T, templates map[string]config.Template) *env {
	t.Helper()
	c := newClock()
	db := storetest.MustOpenDB(t, c.Now)
	ts, err := notify.NewTemplates(templates)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{clock: c, db: db, reg: store.NewRegistry(db.DB), outbox: store.NewOutbox(db.DB)}
	e.enq = notify.NewEnqueuer(e.outbox, ts, link)
	e.reg.OnEvents(e.enq.Hook())
	return e
}

var issueDay = time.Date(2026, 3, 1, 0, 0, 0, 0, model.ChinaZone)

func person(i int) model.IssueRequest {
	birth := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)
	return model.IssueRequest{
		Row: i + 2, Name: fmt.Sprintf("持证人%d", i), Sex: "男",
		IDNumber:   model.MakeIDNumber("410102", birth, 1, true),
		Occupation: "砌筑工", Level: 4, OrgName: "河南省建设培训中心", Employer: "郑州建工",
		IssuedOn: issueDay, Source: model.SourceElectronic,
	}
}

// issue issues reqs and fails the test on error.
func (e *env) issue(t *testing.T, reqs ...model.IssueRequest) *store.IssueReport {
	t.Helper()
	rep, err := e.reg.Issue(context.Background(), reqs, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (e *env) bind(t *testing.T, openID string, p model.IssueRequest) {
	t.Helper()
	if _, err := e.reg.Bind(context.Background(), openID, p.Name, p.IDNumber); err != nil {
		t.Fatal(err)
	}
}

func (e *env) rows(t *testing.T) []model.Outbox {
	t.Helper()
	var rs []model.Outbox
	if err := e.db.Order("id").Find(&rs).Error; err != nil {
		t.Fatal(err)
	}
	return rs
}

func (e *env) worker(s notify.Sender, opt notify.Options) *notify.Worker {
	opt.Now = e.clock.Now
	return notify.NewWorker(e.outbox, s, opt)
}

// reopen gives a second connection pool on the same database, as a second
// process would have.
func reopen(t *testing.T, e *env) *store.Outbox {
	t.Helper()
	db, err := store.Open(store.Options{Driver: e.db.Driver, DSN: e.db.DSN, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return store.NewOutbox(db)
}
