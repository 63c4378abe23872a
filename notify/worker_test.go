package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"ecert/model"
	"ecert/notify"
)

// queueRevocation issues and revokes a certificate for a bound holder,
// leaving exactly one pending row (the revocation's; issuance came before
// the binding).
func queueRevocation(t *testing.T, e *env, i int, openID string) model.IssueRequest {
	t.Helper()
	p := person(i)
	rep := e.issue(t, p)
	e.bind(t, openID, p)
	if _, err := e.reg.Revoke(context.Background(), rep.Issued[0].CertNo, model.RevokeRequest, "", "t"); err != nil {
		t.Fatal(err)
	}
	return p
}

func runOnce(t *testing.T, w *notify.Worker) int {
	t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWorkerSendsAndRecordsMsgID(t *testing.T) {
	e := newEnv(t, testTemplates)
	queueRevocation(t, e, 0, "openid-a")
	s := &fakeSender{}
	w := e.worker(s, notify.Options{})
	if n := runOnce(t, w); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
	if s.count() != 1 || s.calls[0].OpenID != "openid-a" || s.calls[0].TemplateID != "TPL-REVOKED" ||
		!strings.Contains(s.calls[0].Link, "/v/") || s.calls[0].Data["keyword2"] != "持证人主动要求注销" {
		t.Fatalf("calls = %+v", s.calls)
	}
	r := e.rows(t)[0]
	if r.Status != model.OutboxSent || r.MsgID != 9001 || r.Attempts != 1 || r.SentAt == nil {
		t.Errorf("row = %+v", r)
	}
	// A restart is a new worker on the same table: nothing is sent again.
	e.clock.Add(24 * time.Hour)
	if n := runOnce(t, e.worker(s, notify.Options{})); n != 0 || s.count() != 1 {
		t.Errorf("after restart: claimed %d, sends %d; want no resend", n, s.count())
	}
}

func TestWorkerRetriesWithBackoffThenGivesUp(t *testing.T) {
	e := newEnv(t, testTemplates)
	queueRevocation(t, e, 0, "openid-a")
	busy := &apiError{code: -1} // 系统繁忙
	s := &fakeSender{script: []error{busy, busy, busy}}
	w := e.worker(s, notify.Options{Backoff: []time.Duration{30 * time.Second, 2 * time.Minute}, MaxAttempts: 3})

	runOnce(t, w)
	r := e.rows(t)[0]
	if r.Status != model.OutboxPending || r.Attempts != 1 || !r.NextAttemptAt.Equal(e.clock.Now().Add(30*time.Second)) ||
		!strings.Contains(r.LastError, "errcode -1") {
		t.Fatalf("after the first failure: %+v", r)
	}
	e.clock.Add(29 * time.Second)
	if runOnce(t, w); s.count() != 1 {
		t.Fatal("retried before the back-off ended")
	}
	e.clock.Add(time.Second)
	if runOnce(t, w); s.count() != 2 {
		t.Fatalf("sends = %d after 30s, want the retry", s.count())
	}
	r = e.rows(t)[0]
	if !r.NextAttemptAt.Equal(e.clock.Now().Add(2 * time.Minute)) {
		t.Errorf("second back-off: next at %s, want now+2m", r.NextAttemptAt)
	}
	e.clock.Add(2 * time.Minute)
	runOnce(t, w)
	r = e.rows(t)[0]
	if s.count() != 3 || r.Status != model.OutboxFailed || r.Attempts != 3 || !strings.Contains(r.LastError, "gave up after 3 attempts") {
		t.Fatalf("after %d sends: %+v", s.count(), r)
	}
	e.clock.Add(24 * time.Hour)
	if runOnce(t, w); s.count() != 3 {
		t.Error("a failed row was sent again")
	}
}

func TestWorkerTransientThenSuccess(t *testing.T) {
	e := newEnv(t, testTemplates)
	queueRevocation(t, e, 0, "openid-a")
	// A connection that was never made did not reach WeChat: safe to retry.
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	s := &fakeSender{script: []error{fmt.Errorf("send template: %w", dial)}}
	w := e.worker(s, notify.Options{})
	runOnce(t, w)
	e.clock.Add(30 * time.Second)
	runOnce(t, w)
	if r := e.rows(t)[0]; s.count() != 2 || r.Status != model.OutboxSent || r.Attempts != 2 || r.LastError != "" {
		t.Errorf("sends %d, row %+v", s.count(), r)
	}
}

func TestWorkerPermanentErrorFailsWithoutRetry(t *testing.T) {
	for _, code := range []int{43004, 40003, 40037} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			e := newEnv(t, testTemplates)
			queueRevocation(t, e, 0, "openid-a")
			s := &fakeSender{script: []error{&apiError{code: code}}}
			w := e.worker(s, notify.Options{})
			runOnce(t, w)
			e.clock.Add(48 * time.Hour)
			runOnce(t, w)
			r := e.rows(t)[0]
			if s.count() != 1 || r.Status != model.OutboxFailed || r.Attempts != 1 || !strings.Contains(r.LastError, fmt.Sprint(code)) {
				t.Errorf("sends %d, row %+v", s.count(), r)
			}
		})
	}
}

// A send whose answer was lost may have reached WeChat: at most once by
// default, at least once when chosen.
func TestWorkerLostAnswer(t *testing.T) {
	timeout := fmt.Errorf(`Post "https://api.weixin.qq.com/cgi-bin/message/template/send?access_token=SECRET": %w`, context.DeadlineExceeded)
	for _, resend := range []bool{false, true} {
		t.Run(fmt.Sprint("resend=", resend), func(t *testing.T) {
			e := newEnv(t, testTemplates)
			queueRevocation(t, e, 0, "openid-a")
			s := &fakeSender{script: []error{timeout}}
			w := e.worker(s, notify.Options{ResendUnknown: resend})
			runOnce(t, w)
			e.clock.Add(time.Hour)
			runOnce(t, w)
			r := e.rows(t)[0]
			if strings.Contains(r.LastError, "SECRET") {
				t.Errorf("access token stored in last_error: %q", r.LastError)
			}
			if !resend && (s.count() != 1 || r.Status != model.OutboxUnknown) {
				t.Errorf("at most once: sends %d, row %+v", s.count(), r)
			}
			if resend && (s.count() != 2 || r.Status != model.OutboxSent) {
				t.Errorf("at least once: sends %d, row %+v", s.count(), r)
			}
		})
	}
}

func TestStaleClaimIsReclaimedNotResent(t *testing.T) {
	for _, resend := range []bool{false, true} {
		t.Run(fmt.Sprint("resend=", resend), func(t *testing.T) {
			e := newEnv(t, testTemplates)
			queueRevocation(t, e, 0, "openid-a")
			// Simulate a crash mid-send: claim the row as a worker that
			// then disappears.
			r := e.rows(t)[0]
			if _, err := e.outbox.Claim(context.Background(), r.ID, "crashed-worker", e.clock.Now(), 2*time.Minute); err != nil {
				t.Fatal(err)
			}
			s := &fakeSender{}
			w := e.worker(s, notify.Options{ResendUnknown: resend})
			e.clock.Add(time.Minute)
			if runOnce(t, w); s.count() != 0 || e.rows(t)[0].Status != model.OutboxSending {
				t.Fatal("a claim inside its lease was taken over")
			}
			e.clock.Add(2 * time.Minute)
			runOnce(t, w)
			r = e.rows(t)[0]
			if !resend && (s.count() != 0 || r.Status != model.OutboxUnknown || !strings.Contains(r.LastError, "outcome unknown")) {
				t.Errorf("at most once: sends %d, row %+v", s.count(), r)
			}
			if resend && (s.count() != 1 || r.Status != model.OutboxSent || r.Attempts != 2) {
				t.Errorf("at least once: sends %d, row %+v", s.count(), r)
			}
		})
	}
}

// Two workers, each with its own connection pool as two `ecert serve`
// processes would have, drain one outbox: every row is sent exactly once.
func TestTwoWorkersSendEachRowOnce(t *testing.T) {
	e := newEnv(t, testTemplates)
	var reqs []model.IssueRequest
	for i := range 40 {
		reqs = append(reqs, person(i))
	}
	e.issue(t, reqs...)
	for i, p := range reqs {
		e.bind(t, fmt.Sprint("openid-", i), p)
	}
	ts, _ := notify.NewTemplates(testTemplates)
	var rs []notify.Recipient
	for i := range reqs {
		rs = append(rs, notify.Recipient{OpenID: fmt.Sprint("openid-", i)})
	}
	rows, err := notify.NewEnqueuer(e.outbox, ts, link).BatchRows("notice", "b1", rs, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.outbox.EnqueueBatch(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	other := reopen(t, e)
	s := &fakeSender{delay: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, ob := range []notify.Store{e.outbox, other} {
		w := notify.NewWorker(ob, s, notify.Options{Now: e.clock.Now, Poll: 10 * time.Millisecond, Concurrency: 3})
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx) }()
	}
	deadline := time.Now().Add(20 * time.Second)
	for s.count() < 40 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let a duplicate, if any, happen
	cancel()
	wg.Wait()
	perOpenID := map[string]int{}
	for _, c := range s.calls {
		perOpenID[c.OpenID]++
	}
	for i := range 40 {
		if n := perOpenID[fmt.Sprint("openid-", i)]; n != 1 {
			t.Errorf("openid-%d got %d messages, want 1", i, n)
		}
	}
	for _, r := range e.rows(t) {
		if r.Status != model.OutboxSent || r.MsgID == 0 {
			t.Errorf("row %d: %s msgid %d", r.ID, r.Status, r.MsgID)
		}
	}
}

func TestGracefulStopRecordsTheSendInFlight(t *testing.T) {
	e := newEnv(t, testTemplates)
	queueRevocation(t, e, 0, "openid-a")
	s := &fakeSender{delay: 200 * time.Millisecond}
	w := e.worker(s, notify.Options{Poll: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	for e.rows(t)[0].Status != model.OutboxSending {
		time.Sleep(5 * time.Millisecond)
	}
	cancel() // SIGTERM while the send is in flight
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r := e.rows(t)[0]; r.Status != model.OutboxSent || r.MsgID == 0 {
		t.Errorf("after a graceful stop mid-send: %+v; want the send recorded", r)
	}
}

func TestTemplateFinished(t *testing.T) {
	e := newEnv(t, testTemplates)
	queueRevocation(t, e, 0, "openid-a")
	queueRevocation(t, e, 1, "openid-b")
	w := e.worker(&fakeSender{}, notify.Options{})
	runOnce(t, w)
	rs := e.rows(t)
	w.TemplateFinished(context.Background(), rs[0].MsgID, "success")
	w.TemplateFinished(context.Background(), rs[1].MsgID, "failed:user block")
	w.TemplateFinished(context.Background(), 424242, "success") // not ours: ignored
	rs = e.rows(t)
	if rs[0].Status != model.OutboxFinishedSuccess || rs[0].FinalStatus != "success" {
		t.Errorf("row 0: %s %q", rs[0].Status, rs[0].FinalStatus)
	}
	if rs[1].Status != model.OutboxFinishedFailed || rs[1].FinalStatus != "failed:user block" {
		t.Errorf("row 1: %s %q", rs[1].Status, rs[1].FinalStatus)
	}
}

// The worker's log at info level must not carry openids, ID numbers or
// message text, whatever happens to a send.
func TestWorkerLogsNoPersonalData(t *testing.T) {
	e := newEnv(t, testTemplates)
	p0 := queueRevocation(t, e, 0, "oPENID-secret-0")
	p1 := queueRevocation(t, e, 1, "oPENID-secret-1")
	queueRevocation(t, e, 2, "oPENID-secret-2")
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s := &fakeSender{script: []error{
		nil,
		&apiError{code: 43004},
		errors.New("unexpected reply for oPENID-secret-2"),
	}}
	w := e.worker(s, notify.Options{Logger: log, Concurrency: 1})
	runOnce(t, w)
	for _, r := range e.rows(t) {
		w.TemplateFinished(context.Background(), r.MsgID, "success")
	}
	out := buf.String()
	if !strings.Contains(out, "template message sent") {
		t.Fatalf("log lacks the send line:\n%s", out)
	}
	for _, secret := range []string{"oPENID-secret", p0.IDNumber, p1.IDNumber, p0.IDNumber[:6] + "*", "持证人主动要求注销", "已注销"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}

// A TEMPLATESENDJOBFINISH for a msgid the worker never records (a message
// another system sent on the account) is kept for a day, then dropped.
func TestWorkerDropsUnmatchedFinishReportsAfterADay(t *testing.T) {
	e := newEnv(t, testTemplates)
	w := e.worker(&fakeSender{}, notify.Options{})
	w.TemplateFinished(context.Background(), 777001, "success")
	kept := func() int64 {
		t.Helper()
		var n int64
		if err := e.db.Model(&model.EarlyFinish{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	runOnce(t, w)
	if kept() != 1 {
		t.Fatal("the report was not kept for its msgid")
	}
	e.clock.Add(23 * time.Hour)
	runOnce(t, w)
	if kept() != 1 {
		t.Fatal("the report was dropped before a day had passed")
	}
	e.clock.Add(2 * time.Hour)
	runOnce(t, w)
	if n := kept(); n != 0 {
		t.Fatalf("%d reports left a day after they arrived", n)
	}
}
