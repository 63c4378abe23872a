package handler_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ecert/handler"
	"ecert/model"
	"ecert/ratelimit"
	"ecert/store"
	"ecert/store/storetest"
	"ecert/token"
)

// heldHandler stands in for the WeChat callback: each request reports its
// arrival and then waits until the test releases it.
type heldHandler struct {
	entered chan string // the X-Seq header of each request that got in
	release chan struct{}
	once    sync.Once
}

// releaseAll lets every held request finish, so a failed test ends instead
// of waiting for them.
func (h *heldHandler) releaseAll() { h.once.Do(func() { close(h.release) }) }

func (h *heldHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.entered <- r.Header.Get("X-Seq")
	<-h.release
	io.WriteString(w, "ok")
}

// newGatedServer is a real router that lets maxInFlight requests in at once
// and makes the rest wait up to queueTimeout, with the callback route held.
func newGatedServer(t *testing.T, maxInFlight int, queueTimeout time.Duration) (*httptest.Server, *heldHandler) {
	t.Helper()
	db := storetest.MustOpenDB(t, nil)
	clk := newClock()
	held := &heldHandler{entered: make(chan string, 64), release: make(chan struct{})}
	router, err := handler.NewRouter(handler.Deps{
		Registry:     store.NewRegistry(db.DB),
		Documents:    stubDocuments{},
		Signer:       must(token.NewSigner(testKey(), clk.Now)),
		Limiter:      ratelimit.NewMemory(1000, time.Minute, clk.Now),
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		WeChat:       held,
		MaxInFlight:  maxInFlight,
		QueueTimeout: queueTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	t.Cleanup(held.releaseAll) // runs first: Close waits for the handlers
	return srv, held
}

type stubDocuments struct{}

func (stubDocuments) PDF(*model.Certificate) ([]byte, error) { return nil, nil }

func postSeq(t *testing.T, url, seq string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/wechat/callback", strings.NewReader("<xml/>"))
	req.Header.Set("X-Seq", seq)
	client := &http.Client{Timeout: 5 * time.Second} // a broken gate fails, not hangs
	resp, err := client.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Requests beyond the limit wait and are let in first come, first served:
// the random hand-out they would otherwise meet at the database pool is
// what made the slowest 1% wait five times the median.
func TestAdmissionQueuesInArrivalOrder(t *testing.T) {
	srv, held := newGatedServer(t, 1, 10*time.Second)
	var wg sync.WaitGroup
	send := func(seq string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, body := postSeq(t, srv.URL, seq); code != http.StatusOK || body != "ok" {
				t.Errorf("request %s: %d %q", seq, code, body)
			}
		}()
	}
	send("first")
	if got := <-held.entered; got != "first" {
		t.Fatalf("entered %q", got)
	}
	// Queue the others one at a time, so their arrival order is known.
	const queued = 6
	for i := range queued {
		send(string(rune('a' + i)))
		time.Sleep(30 * time.Millisecond)
	}
	select {
	case got := <-held.entered:
		t.Fatalf("%q got in while the only slot was taken", got)
	default:
	}
	// The health check is never queued behind the traffic.
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz while the queue is full: %d", resp.StatusCode)
	}
	for i := range queued {
		held.release <- struct{}{} // lets the one inside finish
		if got, want := <-held.entered, string(rune('a'+i)); got != want {
			t.Fatalf("admitted %q, want %q (arrival order)", got, want)
		}
	}
	held.release <- struct{}{}
	wg.Wait()
}

// A request that cannot get in within the queue timeout is told 系统繁忙
// with 503 and never reaches the handler.
func TestAdmissionTimesOutWith503(t *testing.T) {
	srv, held := newGatedServer(t, 1, 200*time.Millisecond)
	done := make(chan struct{})
	go func() {
		defer close(done)
		postSeq(t, srv.URL, "holder")
	}()
	<-held.entered
	start := time.Now()
	code, body := postSeq(t, srv.URL, "late")
	waited := time.Since(start)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "系统繁忙") {
		t.Fatalf("queued past the timeout: %d %q", code, body)
	}
	if waited < 200*time.Millisecond {
		t.Fatalf("refused after %s, before the 200ms queue timeout", waited)
	}
	select {
	case got := <-held.entered:
		t.Fatalf("%q reached the handler after it was refused", got)
	default:
	}
	held.releaseAll()
	<-done
}
