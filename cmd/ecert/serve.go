package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"ecert/handler"
	"ecert/internal/logbuf"
	"ecert/wechat"
)

// logFlushEvery is how late a routine log line may reach the output.
const logFlushEvery = 200 * time.Millisecond

func cmdServe(args []string, _, stderr io.Writer) int {
	fs, configPath := newFlags("serve", stderr)
	_, err := parseArgs(fs, args, 0, "no arguments")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	// The server's log (an access-log line per request) goes out in
	// batches; warnings and errors at once, the rest within logFlushEvery.
	logOut := logbuf.New(stderr, logFlushEvery, 64<<10)
	defer logOut.Close()
	a, err := openApp(fs, *configPath, logOut, needs{renderer: true})
	if err != nil {
		fmt.Fprintln(stderr, "ecert serve:", err)
		return 1
	}
	defer a.close()
	if err := serve(a); err != nil {
		a.log.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

func serve(a *app) error {
	cfg := a.cfg
	rdb := openRedis(cfg)
	if rdb != nil {
		defer rdb.Close()
	}
	// The template sender runs while there is an API client: queued
	// notifications go out through it, and WeChat's delivery reports come
	// back through the callback's TEMPLATESENDJOBFINISH.
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	var onFinished wechat.TemplateFinishedFunc
	var workerDone chan struct{}
	if cfg.WeChat.AppID != "" && cfg.WeChat.AppSecret != "" {
		client, err := wechat.NewClient(weChatClientOptions(cfg, rdb))
		if err != nil {
			return err
		}
		w := newNotifyWorker(a, client)
		workerDone = make(chan struct{})
		go func() {
			defer close(workerDone)
			if err := w.Run(bg); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("notification worker stopped", "err", err)
			}
		}()
		onFinished = w.TemplateFinished
	}
	wx, err := newWeChatServer(a, rdb, onFinished)
	if err != nil {
		return err
	}
	var wxHandler http.Handler // stays a nil interface without a callback server
	if wx != nil {
		wxHandler = wx
	}
	defer func() {
		// After the HTTP server has drained: stop the background work
		// before the database closes.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopBG()
		if wx != nil {
			wx.Close(ctx)
		}
		if workerDone != nil {
			select {
			case <-workerDone:
			case <-ctx.Done():
			}
		}
	}()
	router, err := handler.NewRouter(handler.Deps{
		Registry:       a.registry,
		Documents:      a.docs,
		Signer:         a.signer,
		Limiter:        newLimiter(cfg, rdb, redisPrefixQuery),
		DownloadTTL:    cfg.Security.DownloadTTL,
		Logger:         a.log,
		TrustedProxies: cfg.Server.TrustedProxies,
		WeChat:         wxHandler,
		MaxInFlight:    cfg.Server.MaxInFlight,
		QueueTimeout:   cfg.Server.QueueTimeout,
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              cfg.Server.Addr,
		Handler:           router,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	a.log.Info("ecert serving", "addr", cfg.Server.Addr, "public_url", cfg.Server.PublicURL, "database", cfg.Database.Driver)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// SIGTERM: stop accepting, let requests in flight finish.
	a.log.Info("shutting down", "timeout", cfg.Server.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
