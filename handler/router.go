// Package handler is ecert's HTTP surface: the Gin router, the public pages
// (verification, query, download) and the health check. Templates are
// embedded and parsed once at start.
package handler

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecert/internal/admission"
	"ecert/model"
	"ecert/ratelimit"
	"ecert/token"
)

// Registry is what the pages read from the certificate registry.
type Registry interface {
	FindByID(ctx context.Context, id uint64) (*model.Certificate, error)
	FindByNameAndNo(ctx context.Context, name, certNo string) ([]model.Certificate, error)
	FindByNameAndID(ctx context.Context, name, idNumber string) ([]model.Certificate, error)
	Ping(ctx context.Context) error
}

// Documents renders a certificate's PDF.
type Documents interface {
	PDF(c *model.Certificate) ([]byte, error)
}

// Deps are the router's collaborators; main builds them.
type Deps struct {
	Registry    Registry
	Documents   Documents
	Signer      *token.Signer
	Limiter     ratelimit.Limiter // per client IP, for /query lookups
	DownloadTTL time.Duration
	Logger      *slog.Logger
	Now         func() time.Time
	// TrustedProxies lists the load balancers whose X-Forwarded-For names
	// the client; empty trusts none.
	TrustedProxies []string
	// WeChat, when set, serves /wechat/callback.
	WeChat http.Handler
	// MaxInFlight bounds the requests that reach the database at once; the
	// rest wait first come, first served for up to QueueTimeout, then get
	// 503. Zero means 32 and 3 s.
	MaxInFlight  int
	QueueTimeout time.Duration
}

type server struct {
	Deps
	pages *pages
}

// NewRouter wires every route. It fails if a template does not parse, so a
// broken page stops the start, not a request.
func NewRouter(d Deps) (*gin.Engine, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.MaxInFlight <= 0 {
		d.MaxInFlight = 32
	}
	if d.QueueTimeout <= 0 {
		d.QueueTimeout = 3 * time.Second
	}
	if d.Registry == nil || d.Signer == nil || d.Limiter == nil || d.Documents == nil {
		return nil, errors.New("handler: Registry, Documents, Signer and Limiter are required")
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &server{Deps: d, pages: p}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, err
	}
	r.Use(s.recoverer(), s.accessLog(), securityHeaders())

	// The health check stays outside the queue: a load balancer asking
	// whether the process is alive must not wait behind the traffic.
	r.GET("/healthz", s.healthz)
	queued := r.Group("/", admitted(admission.NewGate(d.MaxInFlight, d.QueueTimeout), s))
	queued.GET("/v/:token", s.verify)
	queued.GET("/query", s.query)
	queued.GET("/download/:token", s.download)
	if d.WeChat != nil {
		h := gin.WrapH(d.WeChat)
		queued.GET("/wechat/callback", h)
		queued.POST("/wechat/callback", h)
	}
	r.NoRoute(func(c *gin.Context) { s.notFound(c) })
	return r, nil
}
