package handler_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ecert/document"
	"ecert/handler"
	"ecert/model"
	"ecert/pdf"
	"ecert/ratelimit"
	"ecert/store"
	"ecert/store/storetest"
	"ecert/token"
)

// clock is a settable time source shared by the signer, limiter and router.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, model.ChinaZone)} }
func testKey() []byte                { return []byte("0123456789abcdef0123456789abcdef") }
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
	logs     *strings.Builder
}

var (
	rendererOnce sync.Once
	renderer     *pdf.Renderer
	rendererErr  error
)

func sharedRenderer(t *testing.T) *pdf.Renderer {
	rendererOnce.Do(func() { renderer, rendererErr = pdf.NewRenderer(pdf.DefaultFontPaths()) })
	if rendererErr != nil {
		t.Fatalf("fonts (run make test, which installs them): %v", rendererErr)
	}
	return renderer
}

func newEnv(t *testing.T, ratePerMinute int) *env {
	t.Helper()
	db := storetest.MustOpenDB(t, nil)
	clk := newClock()
	signer := must(token.NewSigner(testKey(), clk.Now))
	e := &env{t: t, db: db, registry: store.NewRegistry(db.DB), signer: signer, clock: clk, logs: &strings.Builder{}}
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return e.logs.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
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

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// issue puts certificates in the registry the way an import does.
func (e *env) issue(people ...model.IssueRequest) []model.Certificate {
	e.t.Helper()
	rep, err := e.registry.Issue(context.Background(), people, nil, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	var out []model.Certificate
	for _, is := range rep.Issued {
		c, err := e.registry.FindByNo(context.Background(), is.CertNo)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, *c)
	}
	return out
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

var holder = model.IssueRequest{
	Name: "王玥", Sex: "女", IDNumber: "410102199001010127", Occupation: "砌筑工", Level: 4,
	OrgName: "河南省建设培训中心", Employer: "郑州一建", Source: model.SourceElectronic,
	IssuedOn: time.Date(2026, 3, 1, 0, 0, 0, 0, model.ChinaZone), Row: 2,
}

var other = model.IssueRequest{
	Name: "李彧", Sex: "男", IDNumber: "410105198512030116", Occupation: "钢筋工", Level: 5,
	OrgName: "洛阳建筑职业培训学校", Source: model.SourceElectronic,
	IssuedOn: time.Date(2026, 3, 2, 0, 0, 0, 0, model.ChinaZone), Row: 3,
}
