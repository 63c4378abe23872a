package handler

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// admission bounds how many requests run at once and serves the rest in
// arrival order.
//
// Without it every connection's goroutine runs at once and they meet at the
// database pool, which hands a freed connection to a random waiter
// (database/sql's connRequestSet.TakeRandom): under load most requests wait
// a little and a few wait very long. Measured with 200 connections on
// loopback, that random hand-out made the 99th percentile five times the
// median. A buffered channel's blocked senders are woken first come, first
// served, so queueing here instead makes every request wait about as long as
// the others, and running no more requests than the pool has connections
// means nobody queues twice.
type admission struct {
	slots   chan struct{}
	maxWait time.Duration
}

func newAdmission(maxInFlight int, maxWait time.Duration) *admission {
	return &admission{slots: make(chan struct{}, maxInFlight), maxWait: maxWait}
}

// gate is the middleware. A request that cannot start within maxWait gets
// 503: for WeChat's callback that is better than an answer after its 5 s
// deadline, which WeChat would count as no answer and send again.
func (a *admission) gate(s *server) gin.HandlerFunc {
	return func(c *gin.Context) {
		select {
		case a.slots <- struct{}{}:
		default:
			// Queue only when full: the timer costs an allocation the
			// common case need not pay.
			t := time.NewTimer(a.maxWait)
			select {
			case a.slots <- struct{}{}:
				t.Stop()
			case <-t.C:
				c.Header("Retry-After", "1")
				s.message(c, http.StatusServiceUnavailable, "系统繁忙，请稍后再试")
				c.Abort()
				return
			case <-c.Request.Context().Done():
				t.Stop()
				c.Abort() // the client went away; nobody reads an answer
				return
			}
		}
		defer func() { <-a.slots }()
		c.Next()
	}
}
