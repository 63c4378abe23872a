package handler_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"ecert/document"
	"ecert/handler"
	"ecert/internal/fixture"
	"ecert/model"
	"ecert/ratelimit"
	"ecert/store"
	"ecert/store/storetest"
	"ecert/token"
)

// Shared with the WeChat tests (ecert/internal/fixture).
type clock = fixture.Clock

var (
	newClock       = fixture.NewClock
	testKey        = fixture.SigningKey
	sharedRenderer = fixture.Renderer
	holder         = fixture.Holder
	other          = fixture.Other
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// env is a router over a real registry, with the collaborators tests poke.
type env struct {
	t        *testing.T
	db       *storetest.DB
	registry *store.Registry
	signer   *token.Signer
	clock    *clock
	router   http.Handler
	logs     *fixture.LogBuffer
}

func newEnv(t *testing.T, ratePerMinute int) *env {
	t.Helper()
	db := storetest.MustOpenDB(t, nil)
	clk := newClock()
	signer := must(token.NewSigner(testKey(), clk.Now))
	e := &env{t: t, db: db, registry: store.NewRegistry(db.DB), signer: signer, clock: clk, logs: &fixture.LogBuffer{}}
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	router, err := handler.NewRouter(handler.Deps{
		Registry:    e.registry,
		Documents:   document.NewMaker(sharedRenderer(t), signer, "https://ecert.example.cn", "http://www.hnjsjn.com"),
		Signer:      signer,
		Limiter:     ratelimit.NewMemory(ratePerMinute, time.Minute, clk.Now),
		DownloadTTL: 30 * time.Minute,
		Logger:      logger,
		Now:         clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.router = router
	return e
}

// issue puts certificates in the registry the way an import does.
func (e *env) issue(people ...model.IssueRequest) []model.Certificate {
	e.t.Helper()
	return fixture.Issue(e.t, e.registry, people...)
}

func (e *env) get(path string) (*httptest.ResponseRecorder, string) {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = "203.0.113.7:5555"
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec, string(body)
}
