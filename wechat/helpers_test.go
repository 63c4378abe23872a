package wechat_test

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ecert/document"
	"ecert/handler"
	"ecert/internal/fixture"
	"ecert/model"
	"ecert/ratelimit"
	"ecert/store"
	"ecert/store/storetest"
	"ecert/token"
	"ecert/wechat"
)

const (
	publicURL = "https://ecert.example.cn"
	wxToken   = "ecertTestToken"
	wxAppID   = "wx0123456789abcdef"
	// The account's own id (ToUserName of every callback).
	wxAccount = "gh_ecert"
)

// testAESKey is a fixed EncodingAESKey: 32 bytes, base64 without "=".
var testAESKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdefghijklmnopqrstuv"))[:43]

// Shared with the handler tests (ecert/internal/fixture).
type clock = fixture.Clock

var (
	testKey        = fixture.SigningKey
	sharedRenderer = fixture.Renderer
	holder         = fixture.Holder
	holderSecond   = fixture.HolderSecond
	other          = fixture.Other
)

// env is the real router with a WeChat server over a real registry.
type env struct {
	t        testing.TB
	db       *storetest.DB
	registry *store.Registry
	signer   *token.Signer
	clock    *clock
	router   http.Handler
	deps     handler.Deps // what router was built from
	server   *wechat.Server
	logs     *fixture.LogBuffer
	aesKey   string // "" for plain mode
	nextID   atomic.Int64
}

type envOption func(*wechat.Options)

func plainMode(o *wechat.Options) { o.EncodingAESKey = "" }

func withLimit(n int) envOption {
	return func(o *wechat.Options) { o.Limiter = ratelimit.NewMemory(n, time.Minute, o.Now) }
}

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	db := storetest.MustOpenDB(t, nil)
	return newEnvOn(t, db, store.NewRegistry(db.DB), opts...)
}

func newEnvOn(t testing.TB, db *storetest.DB, reg *store.Registry, opts ...envOption) *env {
	t.Helper()
	clk := fixture.NewClock()
	signer, err := token.NewSigner(testKey(), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, registry: reg, signer: signer, clock: clk, logs: &fixture.LogBuffer{}}
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o := wechat.Options{
		AppID: wxAppID, Token: wxToken, EncodingAESKey: testAESKey, PublicURL: publicURL,
		Registry: reg, Signer: signer, DownloadTTL: 30 * time.Minute,
		Limiter: ratelimit.NewMemory(1000, time.Minute, clk.Now),
		Logger:  logger, Now: clk.Now,
	}
	for _, f := range opts {
		f(&o)
	}
	e.aesKey = o.EncodingAESKey
	srv, err := wechat.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	e.deps = handler.Deps{
		Registry:    reg,
		Documents:   document.NewMaker(sharedRenderer(t), signer, publicURL, "http://www.hnjsjn.com"),
		Signer:      signer,
		Limiter:     ratelimit.NewMemory(1000, time.Minute, clk.Now),
		DownloadTTL: 30 * time.Minute,
		Logger:      logger,
		Now:         clk.Now,
		WeChat:      srv,
	}
	router, err := handler.NewRouter(e.deps)
	if err != nil {
		t.Fatal(err)
	}
	e.router, e.server = router, srv
	return e
}

// admitAtOnce rebuilds the router to let n requests in at once, the rest
// queueing for up to wait.
func (e *env) admitAtOnce(n int, wait time.Duration) {
	e.t.Helper()
	deps := e.deps
	deps.MaxInFlight, deps.QueueTimeout = n, wait
	router, err := handler.NewRouter(deps)
	if err != nil {
		e.t.Fatal(err)
	}
	e.router = router
}

// issue puts certificates in the registry the way an import does.
func (e *env) issue(people ...model.IssueRequest) []model.Certificate {
	e.t.Helper()
	return fixture.Issue(e.t, e.registry, people...)
}

// Messages as WeChat sends them.

func textMsg(from, content string, msgID int64) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>`+
		`<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>`,
		wxAccount, from, time.Now().Unix(), content, msgID)
}

func eventMsg(from, event, key string, createTime int64) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>`+
		`<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]></Event><EventKey><![CDATA[%s]]></EventKey></xml>`,
		wxAccount, from, createTime, event, key)
}

// msgIDs are unique across every env of the test binary, as WeChat's are
// across its servers; instances sharing Redis must not see one twice.
var msgIDs atomic.Int64

func init() { msgIDs.Store(time.Now().UnixNano() / 1000) }

// text sends a text message with a fresh MsgId and returns the reply.
func (e *env) text(from, content string) wxReply {
	e.t.Helper()
	return e.send(textMsg(from, content, msgIDs.Add(1)))
}

// event sends an event with a fresh CreateTime.
func (e *env) event(from, event, key string) wxReply {
	e.t.Helper()
	return e.send(eventMsg(from, event, key, e.clock.Now().Unix()+msgIDs.Add(1)))
}

// send posts a callback the way WeChat does in the env's mode and checks
// and decrypts the answer.
func (e *env) send(inner string) wxReply {
	e.t.Helper()
	rec := e.post(inner, nil)
	if rec.Code != http.StatusOK {
		e.t.Fatalf("callback: status %d, body %q", rec.Code, rec.Body.String())
	}
	return e.parseReply(rec)
}

// post builds a signed callback; tamper may alter the query or body.
func (e *env) post(inner string, tamper func(q url.Values, body *string)) *httptest.ResponseRecorder {
	q, body := e.sign(inner)
	if tamper != nil {
		tamper(q, &body)
	}
	return e.do(http.MethodPost, "/wechat/callback?"+q.Encode(), body)
}

func (e *env) sign(inner string) (url.Values, string) {
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	nonce := strconv.FormatInt(e.nextID.Add(1)*7919, 10)
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {wxSign(wxToken, ts, nonce)}, "openid": {"ignored"}}
	if e.aesKey == "" {
		return q, inner
	}
	enc := wxEncrypt(aesKeyOf(e.aesKey), wxAppID, []byte(inner))
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", wxSign(wxToken, ts, nonce, enc))
	return q, "<xml><ToUserName><![CDATA[" + wxAccount + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
}

func (e *env) do(method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.RemoteAddr = "203.0.113.9:4444"
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	return rec
}

// wxReply is a decrypted passive reply.
type wxReply struct {
	Raw          string // "success" or the reply XML
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
	Articles     []struct {
		Title       string `xml:"Title"`
		Description string `xml:"Description"`
		URL         string `xml:"Url"`
	} `xml:"Articles>item"`
}

// Text is everything a holder reads in the reply.
func (r wxReply) Text() string {
	s := r.Content
	for _, a := range r.Articles {
		s += a.Title + "\n" + a.Description + "\n" + a.URL
	}
	return s
}

func (e *env) parseReply(rec *httptest.ResponseRecorder) wxReply {
	t := e.t
	t.Helper()
	body := rec.Body.String()
	if body == "success" {
		return wxReply{Raw: body}
	}
	plain := body
	if e.aesKey != "" {
		var env struct {
			Encrypt      string `xml:"Encrypt"`
			MsgSignature string `xml:"MsgSignature"`
			TimeStamp    string `xml:"TimeStamp"`
			Nonce        string `xml:"Nonce"`
		}
		if err := xml.Unmarshal([]byte(body), &env); err != nil {
			t.Fatalf("reply envelope %q: %v", body, err)
		}
		if want := wxSign(wxToken, env.TimeStamp, env.Nonce, env.Encrypt); env.MsgSignature != want {
			t.Fatalf("reply msg_signature %s, want %s", env.MsgSignature, want)
		}
		msg, appID, err := wxDecrypt(aesKeyOf(e.aesKey), env.Encrypt)
		if err != nil || appID != wxAppID {
			t.Fatalf("reply decrypt: %v (appid %q)", err, appID)
		}
		plain = string(msg)
	}
	r := wxReply{Raw: plain}
	if err := xml.Unmarshal([]byte(plain), &r); err != nil {
		t.Fatalf("reply %q: %v", plain, err)
	}
	return r
}

// get fetches a page (a link from a reply) through the router.
func (e *env) get(link string) *httptest.ResponseRecorder {
	e.t.Helper()
	path, ok := strings.CutPrefix(link, publicURL)
	if !ok {
		e.t.Fatalf("link %q is not under %s", link, publicURL)
	}
	return e.do(http.MethodGet, path, "")
}

// People.

// boundTo lists the openids bound to a holder, as notifications find them.
func (e *env) boundTo(idNumber string) []string {
	e.t.Helper()
	m, err := store.NewOutbox(e.db.DB).BoundOpenIDs(e.db.DB, []string{idNumber})
	if err != nil {
		e.t.Fatal(err)
	}
	return m[idNumber]
}
