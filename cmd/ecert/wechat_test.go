package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"ecert/config"
)

// menuFake is WeChat's API for the menu tests. The SDK keeps one API base
// per process, so every test here shares it.
type menuFake struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	answer string
}

var (
	menuFakeOnce sync.Once
	theMenuFake  *menuFake
)

func fakeWeChat() *menuFake {
	menuFakeOnce.Do(func() {
		f := &menuFake{}
		f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/cgi-bin/token":
				io.WriteString(w, `{"access_token":"TOK","expires_in":7200}`)
			case "/cgi-bin/menu/create":
				var body map[string]any
				json.NewDecoder(r.Body).Decode(&body)
				f.mu.Lock()
				f.bodies = append(f.bodies, body)
				answer := f.answer
				f.mu.Unlock()
				if r.URL.Query().Get("access_token") != "TOK" {
					answer = `{"errcode":40001,"errmsg":"invalid credential"}`
				}
				io.WriteString(w, answer)
			default:
				http.NotFound(w, r)
			}
		}))
		theMenuFake = f
	})
	return theMenuFake
}

func (f *menuFake) reset(answer string) {
	f.mu.Lock()
	f.bodies, f.answer = nil, answer
	f.mu.Unlock()
}

func writeMenuConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	cfg := fmt.Sprintf(`server:
  public_url: https://ecert.example.cn
wechat:
  app_id: wxmenu
  app_secret: s3cret
  api_base: %s
security:
  key_file: %s
`, fakeWeChat().srv.URL, filepath.Join(t.TempDir(), "k"))
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWeChatMenuSyncPostsConfiguredMenu(t *testing.T) {
	f := fakeWeChat()
	f.reset(`{"errcode":0,"errmsg":"ok"}`)
	var out, errb strings.Builder
	// The flag after the arguments, as operators type it.
	code := run([]string{"wechat", "menu", "sync", "-config", writeMenuConfig(t)}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "errcode 0") {
		t.Fatalf("output %q", out.String())
	}
	want := map[string]any{"button": []any{map[string]any{"name": "证书服务", "sub_button": []any{
		map[string]any{"name": "证书查询", "type": "click", "key": "CERT_QUERY"},
		map[string]any{"name": "证书下载", "type": "click", "key": "CERT_DOWNLOAD"},
		map[string]any{"name": "网页查询", "type": "view", "url": "https://ecert.example.cn/query"},
	}}}}
	if len(f.bodies) != 1 || !reflect.DeepEqual(f.bodies[0], want) {
		t.Fatalf("menu body %#v", f.bodies)
	}
}

func TestWeChatMenuSyncReportsRefusal(t *testing.T) {
	f := fakeWeChat()
	f.reset(`{"errcode":40018,"errmsg":"invalid button name size"}`)
	var out, errb strings.Builder
	code := run([]string{"wechat", "menu", "sync", "-config", writeMenuConfig(t)}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "40018") || !strings.Contains(errb.String(), "invalid button name size") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

func TestWeChatUsage(t *testing.T) {
	var out, errb strings.Builder
	for _, args := range [][]string{{"wechat"}, {"wechat", "nope"}, {"wechat", "menu"}, {"wechat", "menu", "push"}} {
		errb.Reset()
		if code := run(args, &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

func TestMenuButtonsRejectsBrokenMenus(t *testing.T) {
	for name, b := range map[string]config.MenuButton{
		"click without key": {Name: "查询", Type: "click"},
		"view without url":  {Name: "网页", Type: "view"},
		"no type":           {Name: "空"},
		"no name":           {Type: "click", Key: "K"},
	} {
		if _, err := menuButtons([]config.MenuButton{b}, "https://x"); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	got, err := menuButtons([]config.MenuButton{{Name: "网页", Type: "view", URL: "https://elsewhere.cn/a"}}, "https://x")
	if err != nil || got[0].URL != "https://elsewhere.cn/a" {
		t.Fatalf("absolute url changed: %+v %v", got, err)
	}
}
