package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"time"

	"ecert/config"
	"ecert/document"
	"ecert/internal/logbuf"
	"ecert/pdf"
	"ecert/store"
	"ecert/token"
)

// app holds what commands share, built in main's order: config → logger →
// store → constructors. Only main knows these concrete types.
type app struct {
	cfg      config.Config
	log      *slog.Logger
	registry *store.Registry
	signer   *token.Signer
	renderer *pdf.Renderer
	docs     *document.Maker
	closeDB  func() error
}

// needs says which of the heavier parts a command uses.
type needs struct{ renderer bool }

func openApp(fs *flag.FlagSet, configPath string, stderr io.Writer, n needs) (*app, error) {
	cfg, err := config.Load(configPath, configExplicit(fs), os.Environ())
	if err != nil {
		return nil, err
	}
	cfg.Server.MaxInFlight = maxInFlight(&cfg)
	a := &app{cfg: cfg, log: newLogger(cfg.Log.Level, stderr)}
	dbOpts := store.Options{Driver: cfg.Database.Driver, DSN: cfg.Database.DSN, PoolSize: cfg.Server.MaxInFlight}
	db, err := store.Open(dbOpts)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	a.closeDB = sqlDB.Close
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := store.Migrate(ctx, db); err != nil {
		a.close()
		return nil, err
	}
	a.registry = store.NewRegistry(db)
	if cfg.Database.Driver == "sqlite" {
		// Lookups on their own read-only connections beside the single
		// writer, one for every request the router lets in at once.
		reader, err := store.OpenSQLiteReader(dbOpts, cfg.Server.MaxInFlight)
		if err != nil {
			a.close()
			return nil, err
		}
		readDB, _ := reader.DB()
		closeWriter := a.closeDB
		a.closeDB = func() error { readDB.Close(); return closeWriter() }
		a.registry.UseReader(reader)
	}
	// Template notifications are queued inside the issuing and revoking
	// transactions, whichever command makes them.
	if err := setupNotifications(a); err != nil {
		a.close()
		return nil, fmt.Errorf("wechat.templates: %w", err)
	}
	key, err := token.LoadKey(cfg.Security.SigningKey, cfg.Security.KeyFile)
	if err != nil {
		a.close()
		return nil, err
	}
	if a.signer, err = token.NewSigner(key, nil); err != nil {
		a.close()
		return nil, err
	}
	if n.renderer {
		if a.renderer, err = pdf.NewRenderer(cfg.PDF.Fonts); err != nil {
			a.close()
			return nil, fmt.Errorf("pdf.fonts: %w", err)
		}
		a.docs = document.NewMaker(a.renderer, a.signer, cfg.Server.PublicURL, cfg.PDF.Website)
	}
	return a, nil
}

func (a *app) close() {
	if a.closeDB != nil {
		a.closeDB()
	}
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	var h slog.Handler = slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})
	if batched, ok := w.(*logbuf.Writer); ok {
		h = logbuf.Handler(h, batched) // warnings and errors are not held back
	}
	return slog.New(h)
}

// operatorName records who ran a CLI command in the event history.
func operatorName() string {
	user := os.Getenv("USER")
	if user == "" {
		user = "unknown"
	}
	host, _ := os.Hostname()
	return "cli:" + user + "@" + host
}

// maxInFlight resolves server.max_in_flight's 0. Measured with 200
// connections on 2 cores: on SQLite a request is all CPU, so one running
// per core does best (2 against 4: the 99th percentile 40–46 ms against
// 46–56 ms at the same throughput; 8 doubled it). A request that waits for
// the write lock gives its slot back (admission.Leave). MySQL requests wait
// on the network, and 16 did best.
func maxInFlight(cfg *config.Config) int {
	switch {
	case cfg.Server.MaxInFlight > 0:
		return cfg.Server.MaxInFlight
	case cfg.Database.Driver == "sqlite":
		return runtime.GOMAXPROCS(0)
	default:
		return 16
	}
}
