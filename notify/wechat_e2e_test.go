package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ecert/model"
	"ecert/notify"
	"ecert/wechat"
)

// fakeWeChat is WeChat's API on loopback: it hands out access tokens and
// answers template sends, in order, with the scripted errcodes (0: sent).
type fakeWeChat struct {
	mu     sync.Mutex
	sends  []templateSend
	script []int
	msgID  int64
	tokens int
}

type templateSend struct {
	Token      string
	ToUser     string `json:"touser"`
	TemplateID string `json:"template_id"`
	URL        string `json:"url"`
	Data       map[string]struct {
		Value string `json:"value"`
	} `json:"data"`
}

func (f *fakeWeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/cgi-bin/token":
		if r.URL.Query().Get("appid") != "wxapp" || r.URL.Query().Get("secret") != "s3cret" {
			json.NewEncoder(w).Encode(map[string]any{"errcode": 40013, "errmsg": "invalid appid"})
			return
		}
		f.tokens++
		json.NewEncoder(w).Encode(map[string]any{"access_token": "TOKEN" + string(rune('0'+f.tokens)), "expires_in": 7200})
	case "/cgi-bin/message/template/send":
		var s templateSend
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&s) != nil {
			http.Error(w, "bad request", 400)
			return
		}
		s.Token = r.URL.Query().Get("access_token")
		f.sends = append(f.sends, s)
		code := 0
		if len(f.script) > 0 {
			code, f.script = f.script[0], f.script[1:]
		}
		if code != 0 {
			json.NewEncoder(w).Encode(map[string]any{"errcode": code, "errmsg": "scripted"})
			return
		}
		f.msgID++
		json.NewEncoder(w).Encode(map[string]any{"errcode": 0, "errmsg": "ok", "msgid": 200000 + f.msgID})
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeWeChat) reset(script ...int) {
	f.mu.Lock()
	f.sends, f.script = nil, script
	f.mu.Unlock()
}

func (f *fakeWeChat) sent() []templateSend {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]templateSend(nil), f.sends...)
}

// The worker sends through the real wechat.Client to a fake WeChat on
// loopback: the request is the template message WeChat expects, the msgid
// is recorded, and errcodes are retried or not as they mean.
func TestWorkerThroughWeChatClient(t *testing.T) {
	fake := &fakeWeChat{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client, err := wechat.NewClient(wechat.ClientOptions{AppID: "wxapp", AppSecret: "s3cret", APIBase: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("sent", func(t *testing.T) {
		fake.reset()
		e := newEnv(t, testTemplates)
		p := queueRevocation(t, e, 0, "oOPENID-a")
		w := e.worker(client, notify.Options{})
		runOnce(t, w)
		sends := fake.sent()
		if len(sends) != 1 {
			t.Fatalf("WeChat got %d sends", len(sends))
		}
		s, r := sends[0], e.rows(t)[0]
		if s.ToUser != "oOPENID-a" || s.TemplateID != "TPL-REVOKED" || s.URL != r.Link || !strings.HasPrefix(s.Token, "TOKEN") ||
			s.Data["first"].Value != p.Name+"，您的证书已注销" || s.Data["keyword2"].Value != "持证人主动要求注销" {
			t.Errorf("WeChat got %+v", s)
		}
		if r.Status != model.OutboxSent || r.MsgID != 200000+fake.msgID {
			t.Errorf("row = %+v", r)
		}
		w.TemplateFinished(context.Background(), r.MsgID, "success")
		if r := e.rows(t)[0]; r.Status != model.OutboxFinishedSuccess {
			t.Errorf("after TEMPLATESENDJOBFINISH: %s", r.Status)
		}
	})

	t.Run("unsubscribed user is not retried", func(t *testing.T) {
		fake.reset(43004)
		e := newEnv(t, testTemplates)
		queueRevocation(t, e, 0, "oOPENID-b")
		w := e.worker(client, notify.Options{})
		runOnce(t, w)
		e.clock.Add(24 * time.Hour)
		runOnce(t, w)
		if r := e.rows(t)[0]; len(fake.sent()) != 1 || r.Status != model.OutboxFailed || !strings.Contains(r.LastError, "43004") {
			t.Errorf("sends %d, row %+v", len(fake.sent()), r)
		}
	})

	t.Run("system busy is retried", func(t *testing.T) {
		fake.reset(-1)
		e := newEnv(t, testTemplates)
		queueRevocation(t, e, 0, "oOPENID-c")
		w := e.worker(client, notify.Options{})
		runOnce(t, w)
		if r := e.rows(t)[0]; r.Status != model.OutboxPending || strings.Contains(r.LastError, "TOKEN") {
			t.Fatalf("after errcode -1: %+v", r)
		}
		e.clock.Add(30 * time.Second)
		runOnce(t, w)
		if r := e.rows(t)[0]; len(fake.sent()) != 2 || r.Status != model.OutboxSent || r.Attempts != 2 {
			t.Errorf("sends %d, row %+v", len(fake.sent()), r)
		}
	})
}
