package wechat_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"ecert/model"
	"ecert/ratelimit"
	"ecert/store"
	"ecert/store/storetest"
	"ecert/wechat"
)

// Two instances as two `ecert serve` processes would be: each its own
// database pool, Redis client, signer, WeChat server and router; they share
// only the database (MySQL with ECERT_TEST_MYSQL_DSN, else one SQLite file)
// and Redis.
func TestTwoInstancesAgree(t *testing.T) {
	_, prefix := redisForTest(t)
	dbA := storetest.MustOpenDB(t, nil)
	poolB, err := store.Open(store.Options{Driver: dbA.Driver, DSN: dbA.DSN})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := poolB.DB(); err == nil {
			s.Close()
		}
	})
	rdbA, rdbB := anotherRedis(t), anotherRedis(t)
	withRedis := func(rdb *redis.Client) envOption {
		return func(o *wechat.Options) {
			o.Redis, o.RedisPrefix = rdb, prefix
			o.Limiter = ratelimit.NewRedis(rdb, prefix+"rl:", 100, time.Minute)
		}
	}
	a := newEnvOn(t, dbA, store.NewRegistry(dbA.DB), withRedis(rdbA))
	b := newEnvOn(t, dbA, store.NewRegistry(poolB), withRedis(rdbB))
	c := a.issue(holder)[0]

	// A failed bind answered by A, retried to B: same answer, counted once.
	guess := func(i int) string {
		return model.MakeIDNumber("410102", time.Date(1991, 1, i, 0, 0, 0, 0, time.UTC), 4, false)
	}
	wrong := textMsg(alice, "绑定 王玥 "+guess(1)+" "+c.CertNo, 4242)
	ra := a.send(wrong)
	rb := b.send(wrong)
	if ra.Raw != rb.Raw {
		t.Fatalf("instances answered differently:\nA %s\nB %s", ra.Raw, rb.Raw)
	}
	mustContain(t, ra.Content, "还可尝试4次")
	mustContain(t, b.text(alice, "绑定 王玥 "+guess(2)+" "+c.CertNo).Content, "还可尝试3次")
	mustContain(t, a.text(alice, "绑定 王玥 "+guess(3)+" "+c.CertNo).Content, "还可尝试2次")

	// A successful bind on B, retried to A: one binding, same answer.
	right := textMsg(alice, "绑定 王玥 410102199001010127 "+c.CertNo, 4343)
	rb = b.send(right)
	ra = a.send(right)
	if ra.Raw != rb.Raw || !strings.Contains(ra.Content, "绑定成功") {
		t.Fatalf("bind retry:\nB %s\nA %s", rb.Raw, ra.Raw)
	}
	if ids := a.boundTo(holder.IDNumber); len(ids) != 1 {
		t.Fatalf("bindings %v", ids)
	}
	// Each instance sees the other's binding.
	mustContain(t, a.event(alice, "CLICK", wechat.KeyCertDownload).Content, c.CertNo)

	// One access token for both.
	app := theFake().newApp(t)
	ca := newClient(t, app, rdbA, prefix)
	cb := newClient(t, app, rdbB, prefix)
	for _, cl := range []*wechat.Client{ca, cb, cb, ca} {
		if _, err := cl.SendTemplate(context.Background(), alice, "T", "", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := app.tokenFetch.Load(); n != 1 {
		t.Fatalf("%d token fetches for two instances", n)
	}
}
