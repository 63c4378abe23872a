package wechat_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// signedCallbacks pre-builds n safe-mode text queries (name + ID number,
// which hit the database), each with its own MsgId so none is answered
// from the de-duplication store.
func signedCallbacks(e *env, n int) (targets, bodies []string) {
	targets, bodies = make([]string, n), make([]string, n)
	for i := range n {
		q, body := e.sign(textMsg(fmt.Sprintf("oBENCH%05d", i%5000), "王玥 "+holder.IDNumber, msgIDs.Add(1)))
		targets[i], bodies[i] = "/wechat/callback?"+q.Encode(), body
	}
	return targets, bodies
}

// BenchmarkCallbackSafeModeQuery: encrypted text query → signature and
// msg_signature checks, decryption, de-duplication, a database lookup, an
// encrypted news reply — through the real router.
// Target: ≥ 3,000/s on one core (go test -bench . -cpu 1).
func BenchmarkCallbackSafeModeQuery(b *testing.B) {
	e := newEnv(b, withLimit(1<<30))
	e.issue(holder)
	targets, bodies := signedCallbacks(e, b.N)
	var next atomic.Int64
	b.ReportAllocs()
	// Several requests in flight, as under real traffic, so a database
	// round trip (MySQL) overlaps other requests' work on the one core.
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			req := httptest.NewRequest(http.MethodPost, targets[i], strings.NewReader(bodies[i]))
			rec := httptest.NewRecorder()
			e.router.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<Encrypt>") {
				b.Errorf("status %d: %s", rec.Code, rec.Body.String())
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "callbacks/s")
}
