package handler

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"ecert/internal/admission"
)

// admitted is the middleware in front of the routes that use the database:
// at most the gate's number of requests run at once, the rest queue in
// arrival order (see package admission). A request that cannot start
// within the queue timeout gets 503: for WeChat's callback that is better
// than an answer after its 5 s deadline, which WeChat would count as no
// answer and send again.
func admitted(gate *admission.Gate, s *server) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, leave, err := gate.Enter(c.Request.Context())
		switch {
		case errors.Is(err, admission.ErrBusy):
			c.Header("Retry-After", "1")
			s.message(c, http.StatusServiceUnavailable, "系统繁忙，请稍后再试")
			c.Abort()
			return
		case err != nil:
			c.Abort() // the client went away; nobody reads an answer
			return
		}
		defer leave()
		// The slot travels in the request's context, so a handler can give
		// it back early (admission.Leave) before it waits for a lock.
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}
