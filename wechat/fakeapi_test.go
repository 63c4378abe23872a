package wechat_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeAPI is WeChat's API on loopback. The SDK keeps the API base in a
// process-wide variable, so one fake serves the whole test binary and
// tells tests apart by appid (token fetches) and by token (calls).
type fakeAPI struct {
	srv  *httptest.Server
	mu   sync.Mutex
	apps map[string]*fakeApp
}

// fakeApp is one account's view of the fake.
type fakeApp struct {
	id, secret  string
	tokenFetch  atomic.Int32
	mu          sync.Mutex
	valid       map[string]bool // tokens WeChat accepts
	calls       []fakeCall
	rejectNext  int    // answer the next call(s) with errcode 40001
	answer      string // JSON answer to calls; default ok
	nextMsgID   int64
	rejectedTok []string
}

type fakeCall struct {
	Path, Token string
	Body        map[string]any
}

var (
	fakeOnce sync.Once
	fake     *fakeAPI
)

func theFake() *fakeAPI {
	fakeOnce.Do(func() {
		fake = &fakeAPI{apps: map[string]*fakeApp{}}
		fake.srv = httptest.NewServer(http.HandlerFunc(fake.serve))
	})
	return fake
}

var appSeq atomic.Int32

// newApp registers an account with a unique appid.
func (f *fakeAPI) newApp(t testing.TB) *fakeApp {
	a := &fakeApp{id: fmt.Sprintf("wxfake%04d", appSeq.Add(1)), secret: "s3cret", valid: map[string]bool{}, nextMsgID: 1000}
	f.mu.Lock()
	f.apps[a.id] = a
	f.mu.Unlock()
	return a
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.URL.Path == "/cgi-bin/token" {
		f.mu.Lock()
		a := f.apps[q.Get("appid")]
		f.mu.Unlock()
		if a == nil || q.Get("secret") != a.secret || q.Get("grant_type") != "client_credential" {
			io.WriteString(w, `{"errcode":40013,"errmsg":"invalid appid"}`)
			return
		}
		n := a.tokenFetch.Add(1)
		tok := fmt.Sprintf("TOKEN-%s-%d", a.id, n)
		a.mu.Lock()
		a.valid[tok] = true
		a.mu.Unlock()
		fmt.Fprintf(w, `{"access_token":%q,"expires_in":7200}`, tok)
		return
	}
	tok := q.Get("access_token")
	appID, _, _ := strings.Cut(strings.TrimPrefix(tok, "TOKEN-"), "-")
	f.mu.Lock()
	a := f.apps[appID]
	f.mu.Unlock()
	if a == nil {
		io.WriteString(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
		return
	}
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, fakeCall{Path: r.URL.Path, Token: tok, Body: body})
	if a.rejectNext > 0 || !a.valid[tok] {
		if a.rejectNext > 0 {
			a.rejectNext--
			delete(a.valid, tok) // WeChat has invalidated it
		}
		a.rejectedTok = append(a.rejectedTok, tok)
		io.WriteString(w, `{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"}`)
		return
	}
	if a.answer != "" {
		io.WriteString(w, a.answer)
		return
	}
	a.nextMsgID++
	fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","msgid":%d}`, a.nextMsgID)
}

func (a *fakeApp) callsTo(path string) []fakeCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []fakeCall
	for _, c := range a.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}
