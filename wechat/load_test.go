package wechat_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoadLoopback drives the callback over real loopback TCP with 200
// concurrent connections for ~10 s of pre-built, signed, encrypted text
// queries, and reports throughput and latency percentiles. Opt-in:
//
//	ECERT_LOAD=1 go test ./wechat/ -run LoadLoopback -v
//
// ECERT_LOAD_SECONDS and ECERT_LOAD_CONNS change the defaults (10, 200).
// ECERT_LOAD_RATE paces the connections to that many requests per second
// in total (an open loop, latency counted from each request's scheduled
// time); without it every connection sends as fast as it is answered,
// which measures saturation: there latency is conns / throughput by
// Little's law, whatever the server does. Target: p99 under 50 ms at a
// paced rate.
func TestLoadLoopback(t *testing.T) {
	if os.Getenv("ECERT_LOAD") == "" {
		t.Skip("set ECERT_LOAD=1 to run the loopback load test")
	}
	seconds, conns := envInt("ECERT_LOAD_SECONDS", 10), envInt("ECERT_LOAD_CONNS", 200)
	rate := envInt("ECERT_LOAD_RATE", 0)
	e := newEnv(t, withLimit(1<<30))
	e.issue(holder)
	const maxRequests = 200_000 // bounds memory and run time whatever the speed
	targets, bodies := signedCallbacks(e, maxRequests)
	srv := httptest.NewServer(e.router) // 127.0.0.1
	defer srv.Close()
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns},
	}
	var next atomic.Int64
	var failed atomic.Int64
	lat := make([][]time.Duration, conns)
	stop := time.Now().Add(time.Duration(seconds) * time.Second)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; time.Now().Before(stop); k++ {
				i := next.Add(1) - 1
				if i >= maxRequests {
					return
				}
				t0 := time.Now()
				if rate > 0 {
					t0 = start.Add(time.Duration(float64(k*conns+w) / float64(rate) * float64(time.Second)))
					time.Sleep(time.Until(t0))
				}
				resp, err := client.Post(srv.URL+targets[i], "text/xml", strings.NewReader(bodies[i]))
				if err != nil {
					failed.Add(1)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<Encrypt>") {
					failed.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) == 0 {
		t.Fatal("no requests completed")
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration { return all[int(float64(len(all)-1)*p)] }
	mode := "saturating"
	if rate > 0 {
		mode = "paced at " + strconv.Itoa(rate) + "/s"
	}
	t.Logf("%s: %d requests over %d connections in %s: %.0f/s, p50 %s, p99 %s, max %s, failed %d (database %s)",
		mode, len(all), conns, elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds(),
		pct(0.50), pct(0.99), all[len(all)-1], failed.Load(), e.db.Driver)
	if failed.Load() > 0 {
		t.Errorf("%d requests failed", failed.Load())
	}
	if p99 := pct(0.99); rate > 0 && p99 >= 50*time.Millisecond {
		t.Errorf("p99 %s, target < 50ms", p99)
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
