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

	"github.com/redis/go-redis/v9"

	"ecert/handler"
	"ecert/ratelimit"
	"ecert/wechat"
)

func cmdServe(args []string, _, stderr io.Writer) int {
	fs, configPath := newFlags("serve", stderr)
	_, err := parseArgs(fs, args, 0, "no arguments")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	a, err := openApp(fs, *configPath, stderr, needs{renderer: true})
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
	var limiter ratelimit.Limiter = ratelimit.NewMemory(cfg.Query.RatePerMinute, time.Minute, nil)
	var rdb *redis.Client
	if cfg.Redis.Addr != "" {
		rdb = newRedis(cfg)
		defer rdb.Close()
		limiter = ratelimit.NewRedis(rdb, "ecert:rl:", cfg.Query.RatePerMinute, time.Minute)
	}
	// Background workers (the template sender) run until shutdown.
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	bgDone := make(chan struct{})
	wx, err := startWeChat(a, rdb, func(client *wechat.Client) wechat.TemplateFinishedFunc {
		// The template sender: queued notifications go out through the
		// API client; WeChat's delivery reports come back through the
		// callback's TEMPLATESENDJOBFINISH.
		w := newNotifyWorker(a, client)
		go func() {
			defer close(bgDone)
			if err := w.Run(bg); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("notification worker stopped", "err", err)
			}
		}()
		return w.TemplateFinished
	})
	if err != nil {
		return err
	}
	defer func() {
		// After the HTTP server has drained: stop the workers before the
		// database closes.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopBG()
		wx.stop(ctx)
		if wx.client != nil { // the worker was started
			select {
			case <-bgDone:
			case <-ctx.Done():
			}
		}
	}()
	router, err := handler.NewRouter(handler.Deps{
		Registry:       a.registry,
		Documents:      a.docs,
		Signer:         a.signer,
		Limiter:        limiter,
		DownloadTTL:    cfg.Security.DownloadTTL,
		Logger:         a.log,
		TrustedProxies: cfg.Server.TrustedProxies,
		WeChat:         wx.handler,
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
