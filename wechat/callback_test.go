package wechat_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ecert/model"
	"ecert/wechat"
)

func handshakeQuery(ts int64, token string) string {
	s := strconv.FormatInt(ts, 10)
	q := url.Values{"timestamp": {s}, "nonce": {"42"}, "echostr": {"echo-7731"}, "signature": {wxSign(token, s, "42")}}
	return "/wechat/callback?" + q.Encode()
}

func TestHandshakeEchoesOnlyWhenSigned(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now().Unix()
	rec := e.do(http.MethodGet, handshakeQuery(now, wxToken), "")
	if rec.Code != http.StatusOK || rec.Body.String() != "echo-7731" {
		t.Fatalf("good handshake: %d %q", rec.Code, rec.Body.String())
	}
	for name, target := range map[string]string{
		"wrong token": handshakeQuery(now, "other"),
		"stale":       handshakeQuery(now-6*60, wxToken),
		"unsigned":    "/wechat/callback?echostr=echo-7731",
	} {
		rec := e.do(http.MethodGet, target, "")
		if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "echo") {
			t.Errorf("%s: %d %q", name, rec.Code, rec.Body.String())
		}
	}
}

// A refused callback gets no reply and changes nothing: each case sends a
// bind that would succeed, then checks nobody is bound.
func TestRefusedCallbacksChangeNothing(t *testing.T) {
	e := newEnv(t)
	c := e.issue(holder)[0]
	bind := textMsg(alice, "绑定 王玥 410102199001010127 "+c.CertNo, 1)
	cases := []struct {
		name   string
		tamper func(q url.Values, body *string)
		code   int
	}{
		{"bad signature", func(q url.Values, _ *string) {
			q.Set("signature", wxSign("nottoken", q.Get("timestamp"), q.Get("nonce")))
		}, 403},
		{"no signature", func(q url.Values, _ *string) { q.Del("signature") }, 403},
		{"bad msg_signature", func(q url.Values, _ *string) { q.Set("msg_signature", strings.Repeat("0", 40)) }, 403},
		{"body swapped under signature", func(q url.Values, body *string) {
			_, other := e.sign(textMsg(alice, "解绑", 2))
			*body = other
		}, 403},
		{"stale timestamp", func(q url.Values, body *string) { e.resign(q, body, -6*time.Minute) }, 403},
		{"future timestamp", func(q url.Values, body *string) { e.resign(q, body, 6*time.Minute) }, 403},
		{"plain body in safe mode", func(q url.Values, body *string) {
			q.Del("encrypt_type")
			q.Del("msg_signature")
			*body = bind
		}, 403},
		{"malformed envelope", func(q url.Values, body *string) { *body = "<xml><Encrypt>" }, 400},
		{"not xml", func(q url.Values, body *string) { *body = "\x00\x01garbage" }, 400},
		{"encrypt not base64", func(q url.Values, body *string) {
			*body = "<xml><Encrypt>!!!</Encrypt></xml>"
			q.Set("msg_signature", wxSign(wxToken, q.Get("timestamp"), q.Get("nonce"), "!!!"))
		}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.post(bind, tc.tamper)
			if rec.Code != tc.code || rec.Body.Len() != 0 {
				t.Fatalf("status %d body %q, want %d and no body", rec.Code, rec.Body.String(), tc.code)
			}
			if _, err := e.registry.BindingFor(context.Background(), alice); !errors.Is(err, model.ErrNotFound) {
				t.Fatal("a refused callback bound the user")
			}
		})
	}
	// The same message, untampered, does bind: the cases were refused for
	// what they changed.
	if r := e.send(bind); !strings.Contains(r.Content, "绑定成功") {
		t.Fatalf("control: %s", r.Content)
	}
}

// resign moves the timestamp by d and signs everything again properly.
func (e *env) resign(q url.Values, body *string, d time.Duration) {
	ts := strconv.FormatInt(e.clock.Now().Add(d).Unix(), 10)
	q.Set("timestamp", ts)
	q.Set("signature", wxSign(wxToken, ts, q.Get("nonce")))
	enc := (*body)[strings.Index(*body, "<Encrypt><![CDATA[")+18 : strings.Index(*body, "]]></Encrypt>")]
	q.Set("msg_signature", wxSign(wxToken, ts, q.Get("nonce"), enc))
}

func TestMalformedInnerXMLIs400(t *testing.T) {
	e := newEnv(t)
	for _, inner := range []string{"<xml><FromUserName>x</FromUserName", "not xml at all", "<xml></xml>"} {
		if rec := e.post(inner, nil); rec.Code != http.StatusBadRequest || rec.Body.Len() != 0 {
			t.Errorf("%q: %d %q", inner, rec.Code, rec.Body.String())
		}
	}
}

func TestOversizedBodyRefused(t *testing.T) {
	e := newEnv(t)
	big := textMsg(alice, strings.Repeat("证", 70<<10/3), 5)
	rec := e.post(big, nil)
	if rec.Code != http.StatusRequestEntityTooLarge || rec.Body.Len() != 0 {
		t.Fatalf("declared length: %d", rec.Code)
	}
	// Without Content-Length (chunked), the read stops at the limit.
	q, body := e.sign(big)
	req, _ := http.NewRequest(http.MethodPost, "/wechat/callback?"+q.Encode(), strings.NewReader(body))
	req.ContentLength = -1
	w := httptest.NewRecorder()
	e.router.ServeHTTP(w, req)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked: %d", w.Code)
	}
}

func TestPlainMode(t *testing.T) {
	e := newEnv(t, plainMode)
	c := e.issue(holder)[0]
	r := e.text(alice, c.CertNo)
	if len(r.Articles) != 1 || !strings.Contains(r.Articles[0].Description, c.CertNo) {
		t.Fatalf("plain reply: %+v", r)
	}
	// An encrypted callback cannot be read without a key: refused.
	rec := e.do(http.MethodPost, "/wechat/callback?encrypt_type=aes&"+signedQuery(e), "<xml><Encrypt>x</Encrypt></xml>")
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("aes without key: %d", rec.Code)
	}
}

func signedQuery(e *env) string {
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	return url.Values{"timestamp": {ts}, "nonce": {"1"}, "signature": {wxSign(wxToken, ts, "1")}}.Encode()
}

// Compatible mode sends the plaintext beside Encrypt; only the signed,
// encrypted copy counts.
func TestCompatibleModeUsesEncryptedCopy(t *testing.T) {
	e := newEnv(t)
	c := e.issue(holder)[0]
	rec := e.post(textMsg(alice, c.CertNo, 77), func(q url.Values, body *string) {
		*body = strings.Replace(*body, "</xml>", "<FromUserName><![CDATA[oMALLORY]]></FromUserName><MsgType><![CDATA[text]]></MsgType>"+
			"<Content><![CDATA[解绑]]></Content><MsgId>77</MsgId></xml>", 1)
	})
	r := e.parseReply(rec)
	if r.ToUserName != alice || len(r.Articles) != 1 {
		t.Fatalf("compatible mode reply: %+v", r)
	}
}

// WeChat retries an unanswered callback; a retry must have no second
// effect and get the same answer. A failed bind is counted once.
func TestRetriedCallbackHasOneEffectAndSameAnswer(t *testing.T) {
	e := newEnv(t)
	c := e.issue(holder)[0]
	guess := model.MakeIDNumber("410102", time.Date(1990, 2, 2, 0, 0, 0, 0, time.UTC), 2, false)
	wrong := textMsg(alice, "绑定 王玥 "+guess+" "+c.CertNo, 555)
	first := e.send(wrong)
	for i := 0; i < 3; i++ {
		e.clock.Add(5 * time.Second)
		again := e.send(wrong)
		if again.Raw != first.Raw {
			t.Fatalf("retry answered differently:\n%s\n%s", first.Raw, again.Raw)
		}
	}
	mustContain(t, first.Content, "还可尝试4次")
	next := e.text(alice, "绑定 王玥 "+guess+" "+c.CertNo)
	mustContain(t, next.Content, "还可尝试3次") // the retries were not counted

	// Events are de-duplicated by sender and CreateTime.
	ev := eventMsg(alice, "CLICK", wechat.KeyCertQuery, 1780275000)
	if a, b := e.send(ev), e.send(ev); a.Raw != b.Raw {
		t.Fatal("event retry answered differently")
	}
}

// slowRegistry holds FindByNameAndNo until released, to have a retry
// arrive while the first callback is still at work.
type slowRegistry struct {
	wechat.Registry
	calls   atomic.Int32
	release chan struct{}
}

func (s *slowRegistry) FindByNameAndNo(ctx context.Context, name, no string) ([]model.Certificate, error) {
	s.calls.Add(1)
	<-s.release
	return s.Registry.FindByNameAndNo(ctx, name, no)
}

func TestRetryDuringProcessingWaitsForTheAnswer(t *testing.T) {
	slow := &slowRegistry{release: make(chan struct{})}
	e := newEnv(t, func(o *wechat.Options) { slow.Registry = o.Registry; o.Registry = slow })
	c := e.issue(holder)[0]
	msg := textMsg(alice, "绑定 王玥 410102199001010127 "+c.CertNo, 901)
	var wg sync.WaitGroup
	recs := make([]*httptest.ResponseRecorder, 2)
	for i := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i] = e.post(msg, nil)
		}()
		time.Sleep(100 * time.Millisecond) // the second arrives while the first waits
	}
	time.Sleep(200 * time.Millisecond)
	close(slow.release)
	wg.Wait()
	if slow.calls.Load() != 1 {
		t.Fatalf("processed %d times", slow.calls.Load())
	}
	replies := []wxReply{e.parseReply(recs[0]), e.parseReply(recs[1])}
	if replies[0].Raw != replies[1].Raw || !strings.Contains(replies[0].Content, "绑定成功") {
		t.Fatalf("replies differ:\n%s\n%s", replies[0].Raw, replies[1].Raw)
	}
}
