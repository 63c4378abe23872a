package wechat_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"ecert/model"
	"ecert/store"
	"ecert/wechat"
)

// bindSignal tells the test when a bind reaches the registry.
type bindSignal struct {
	wechat.Registry
	started chan struct{}
}

func (b bindSignal) Bind(ctx context.Context, openID, name, idNumber string) (*model.Binding, error) {
	b.started <- struct{}{}
	return b.Registry.Bind(ctx, openID, name, idNumber)
}

// A bind that waits for the database's write lock (an import holds it for
// its whole transaction) waits outside the request bound: with room for a
// single request, a query is still answered at once meanwhile, and the bind
// completes when the lock is let go.
func TestBindWaitingForTheWriteLockDoesNotStallQueries(t *testing.T) {
	started := make(chan struct{}, 1)
	e := newEnv(t, func(o *wechat.Options) { o.Registry = bindSignal{o.Registry, started} })
	cs := e.issue(holder)
	if e.db.Driver == "sqlite" {
		// As serve does: lookups on a read pool of their own, which WAL
		// lets run beside a writer that holds (or waits for) the lock.
		reader, err := store.OpenSQLiteReader(store.Options{Driver: "sqlite", DSN: e.db.DSN}, 2)
		if err != nil {
			t.Fatal(err)
		}
		e.registry.UseReader(reader)
		t.Cleanup(func() {
			if sqlDB, err := reader.DB(); err == nil {
				sqlDB.Close()
			}
		})
	}
	e.admitAtOnce(1, 2*time.Second)
	release := holdWriteLock(t, e)
	defer release()

	bound := make(chan int, 1)
	go func() {
		bound <- e.post(textMsg(alice, "绑定 王玥 410102199001010127 "+cs[0].CertNo, msgIDs.Add(1)), nil).Code
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the bind never reached the registry")
	}

	begun := time.Now()
	rec := e.post(textMsg("oBOB_openid_0002", "王玥 410102199001010127", msgIDs.Add(1)), nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("query while a bind waits for the write lock: status %d (the bind kept the only slot)", rec.Code)
	}
	mustContain(t, e.parseReply(rec).Text(), cs[0].CertNo)
	if took := time.Since(begun); took > time.Second {
		t.Errorf("query took %v behind a waiting bind", took)
	}
	select {
	case code := <-bound:
		t.Fatalf("the bind finished (%d) while the write lock was held: the test held no lock", code)
	default:
	}

	release()
	select {
	case code := <-bound:
		if code != http.StatusOK {
			t.Fatalf("bind after the lock was let go: status %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the bind did not finish after the lock was let go")
	}
	if b, err := e.registry.BindingFor(context.Background(), alice); err != nil || b.IDNumber != holder.IDNumber {
		t.Fatalf("binding after the wait: %+v, %v", b, err)
	}
}

// holdWriteLock takes the lock a bind needs from a second connection pool,
// as an import in another process would, until the returned function runs.
func holdWriteLock(t *testing.T, e *env) (release func()) {
	t.Helper()
	other, err := store.Open(store.Options{Driver: e.db.Driver, DSN: e.db.DSN})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := other.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lock, unlock := "BEGIN IMMEDIATE", "ROLLBACK" // SQLite's one write lock
	if e.db.Driver == "mysql" {
		lock, unlock = "LOCK TABLES bindings WRITE", "UNLOCK TABLES"
	}
	if _, err := conn.ExecContext(ctx, lock); err != nil {
		t.Fatalf("%s: %v", lock, err)
	}
	done := false
	return func() {
		if done {
			return
		}
		done = true
		if _, err := conn.ExecContext(ctx, unlock); err != nil {
			t.Errorf("%s: %v", unlock, err)
		}
		conn.Close()
		sqlDB.Close()
	}
}

// A retry that waits for the first attempt's answer waits outside the
// request bound too: with room for two requests, the first attempt held up
// in the database and its retry waiting for it, a query is still answered.
// Both de-duplication stores wait the same way.
func TestRetryWaitingForTheFirstAnswerGivesItsSlotBack(t *testing.T) {
	t.Run("memory", func(t *testing.T) { retryGivesSlotBack(t) })
	t.Run("redis", func(t *testing.T) {
		rdb, prefix := redisForTest(t)
		retryGivesSlotBack(t, func(o *wechat.Options) { o.Redis, o.RedisPrefix = rdb, prefix })
	})
}

func retryGivesSlotBack(t *testing.T, opts ...envOption) {
	slow := &slowRegistry{release: make(chan struct{})}
	opts = append(opts, func(o *wechat.Options) { slow.Registry = o.Registry; o.Registry = slow })
	e := newEnv(t, opts...)
	c := e.issue(holder)[0]
	e.admitAtOnce(2, time.Second)
	bind := textMsg(alice, "绑定 王玥 410102199001010127 "+c.CertNo, msgIDs.Add(1))

	codes := make(chan int, 2)
	go func() { codes <- e.post(bind, nil).Code }()
	for deadline := time.Now().Add(5 * time.Second); slow.calls.Load() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first attempt never reached the database")
		}
	}
	go func() { codes <- e.post(bind, nil).Code }() // WeChat's retry
	time.Sleep(200 * time.Millisecond)              // lets it reach its wait

	rec := e.post(textMsg("oBOB_openid_0002", "王玥 410102199001010127", msgIDs.Add(1)), nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("query while a retry waits: status %d (the retry kept its slot)", rec.Code)
	}
	mustContain(t, e.parseReply(rec).Text(), c.CertNo)

	close(slow.release)
	for range 2 {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("bind or its retry: status %d", code)
		}
	}
	if n := slow.calls.Load(); n != 1 {
		t.Errorf("the bind was processed %d times", n)
	}
}
