package wechat_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"ecert/wechat"

	"ecert/internal/testenv"
)

func newClient(t testing.TB, a *fakeApp, rdb *redis.Client, prefix string) *wechat.Client {
	t.Helper()
	c, err := wechat.NewClient(wechat.ClientOptions{
		AppID: a.id, AppSecret: a.secret, APIBase: theFake().srv.URL,
		Redis: rdb, RedisPrefix: prefix, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSendTemplateBody(t *testing.T) {
	a := theFake().newApp(t)
	c := newClient(t, a, nil, "")
	id, err := c.SendTemplate(context.Background(), "oHOLDER", "TPL_ISSUED", publicURL+"/v/abc",
		map[string]string{"first": "您的证书已发放", "keyword1": "HN2026000000018"})
	if err != nil || id != 1001 {
		t.Fatalf("msgid %d, err %v", id, err)
	}
	calls := a.callsTo("/cgi-bin/message/template/send")
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	want := map[string]any{
		"touser": "oHOLDER", "template_id": "TPL_ISSUED", "url": publicURL + "/v/abc",
		"data": map[string]any{"first": map[string]any{"value": "您的证书已发放"}, "keyword1": map[string]any{"value": "HN2026000000018"}},
	}
	if !reflect.DeepEqual(calls[0].Body, want) {
		t.Fatalf("body %#v\nwant %#v", calls[0].Body, want)
	}
	// The token is cached: a second send fetches none.
	if _, err := c.SendTemplate(context.Background(), "oHOLDER", "TPL_ISSUED", "", map[string]string{}); err != nil {
		t.Fatal(err)
	}
	if n := a.tokenFetch.Load(); n != 1 {
		t.Fatalf("%d token fetches", n)
	}
}

// 40001: drop the token, fetch another, retry once.
func TestRejectedTokenIsRefetchedAndRetriedOnce(t *testing.T) {
	a := theFake().newApp(t)
	c := newClient(t, a, nil, "")
	ctx := context.Background()
	if _, err := c.SendTemplate(ctx, "o1", "T", "", nil); err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	a.rejectNext = 1
	a.mu.Unlock()
	id, err := c.SendTemplate(ctx, "o1", "T", "", nil)
	if err != nil || id == 0 {
		t.Fatalf("after one rejection: %d %v", id, err)
	}
	if n := a.tokenFetch.Load(); n != 2 {
		t.Fatalf("%d token fetches, want 2", n)
	}
	calls := a.callsTo("/cgi-bin/message/template/send")
	if len(calls) != 3 || calls[1].Token == calls[2].Token {
		t.Fatalf("calls %+v", calls)
	}
	// Rejected twice in a row: one retry only, then the error with its code.
	a.mu.Lock()
	a.rejectNext = 2
	a.mu.Unlock()
	_, err = c.SendTemplate(ctx, "o1", "T", "", nil)
	var apiErr *wechat.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 40001 || !strings.Contains(err.Error(), "40001") {
		t.Fatalf("err %v", err)
	}
	if n := len(a.callsTo("/cgi-bin/message/template/send")); n != 5 {
		t.Fatalf("%d calls, want 5 (no second retry)", n)
	}
}

func TestAPIErrorsCarryTheErrcode(t *testing.T) {
	a := theFake().newApp(t)
	a.answer = `{"errcode":43004,"errmsg":"require subscribe"}`
	c := newClient(t, a, nil, "")
	_, err := c.SendTemplate(context.Background(), "o1", "T", "", nil)
	var apiErr *wechat.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 43004 || apiErr.Msg != "require subscribe" {
		t.Fatalf("err %v", err)
	}
	bad := &fakeApp{id: "wxunknown", secret: "x"}
	c2 := newClient(t, bad, nil, "")
	_, err = c2.SendTemplate(context.Background(), "o1", "T", "", nil)
	if !errors.As(err, &apiErr) || apiErr.Code != 40013 {
		t.Fatalf("token error %v", err)
	}
}

func TestConcurrentSendsShareOneToken(t *testing.T) {
	a := theFake().newApp(t)
	sendAtOnce(t, 20, newClient(t, a, nil, ""))
	if n := a.tokenFetch.Load(); n != 1 {
		t.Fatalf("%d token fetches", n)
	}
}

// sendAtOnce sends n template messages at the same moment, spread over
// the clients in turn.
func sendAtOnce(t *testing.T, n int, clients ...*wechat.Client) {
	var wg sync.WaitGroup
	for i := range n {
		c := clients[i%len(clients)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.SendTemplate(context.Background(), "o1", "T", "", nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func TestMenuCreateBody(t *testing.T) {
	a := theFake().newApp(t)
	c := newClient(t, a, nil, "")
	err := c.CreateMenu(context.Background(), []wechat.MenuButton{{Name: "证书服务", SubButtons: []wechat.MenuButton{
		{Name: "证书查询", Type: "click", Key: wechat.KeyCertQuery},
		{Name: "网页查询", Type: "view", URL: publicURL + "/query"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	calls := a.callsTo("/cgi-bin/menu/create")
	want := map[string]any{"button": []any{map[string]any{"name": "证书服务", "sub_button": []any{
		map[string]any{"name": "证书查询", "type": "click", "key": "CERT_QUERY"},
		map[string]any{"name": "网页查询", "type": "view", "url": publicURL + "/query"},
	}}}}
	if len(calls) != 1 || !reflect.DeepEqual(calls[0].Body, want) {
		t.Fatalf("calls %#v", calls)
	}
}

func TestOneAPIBasePerProcess(t *testing.T) {
	theFake()
	_, err := wechat.NewClient(wechat.ClientOptions{AppID: "a", AppSecret: "b", APIBase: "http://127.0.0.1:1"})
	if err == nil {
		t.Fatal("a second api_base was accepted")
	}
}

// redisForTest connects to the local Redis, skipping when it does not
// answer (failing instead under CI=true), and gives a key prefix no other
// test uses, removed at the end.
func redisForTest(t testing.TB) (*redis.Client, string) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: testRedisAddr})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		testenv.Unavailable(t, "Redis at %s does not answer: %v", testRedisAddr, err)
	}
	prefix := "ecert:test:" + strings.ReplaceAll(t.Name(), "/", "_") + ":" + time.Now().Format("150405.000000") + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
		rdb.Close()
	})
	return rdb, prefix
}

const testRedisAddr = "127.0.0.1:6379"

// anotherRedis is a second client of the test Redis, as another instance
// would have its own pool; call it after redisForTest.
func anotherRedis(t testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: testRedisAddr})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func TestTokenSharedThroughRedis(t *testing.T) {
	rdb1, prefix := redisForTest(t)
	rdb2 := anotherRedis(t)
	a := theFake().newApp(t)
	c1 := newClient(t, a, rdb1, prefix)
	c2 := newClient(t, a, rdb2, prefix)
	ctx := context.Background()
	for _, c := range []*wechat.Client{c1, c2, c1, c2} {
		if _, err := c.SendTemplate(ctx, "o1", "T", "", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := a.tokenFetch.Load(); n != 1 {
		t.Fatalf("%d token fetches for two instances", n)
	}
	// A rejection seen by one instance renews the token for both.
	a.mu.Lock()
	a.rejectNext = 1
	a.mu.Unlock()
	if _, err := c2.SendTemplate(ctx, "o1", "T", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c1.SendTemplate(ctx, "o1", "T", "", nil); err != nil {
		t.Fatal(err)
	}
	if n := a.tokenFetch.Load(); n != 2 {
		t.Fatalf("%d token fetches, want 2", n)
	}
}

// Two instances that both miss the shared token at the same moment must
// still fetch it once: a second fetch would start the end of the first
// token's life while the other instance keeps using it.
func TestConcurrentFirstCallsAcrossInstancesFetchOnce(t *testing.T) {
	rdb1, prefix := redisForTest(t)
	rdb2 := anotherRedis(t)
	a := theFake().newApp(t)
	sendAtOnce(t, 16, newClient(t, a, rdb1, prefix), newClient(t, a, rdb2, prefix))
	if n := a.tokenFetch.Load(); n != 1 {
		t.Fatalf("%d token fetches by two instances starting together, want 1", n)
	}
}
