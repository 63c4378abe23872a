package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"ecert/config"
	"ecert/ratelimit"
	"ecert/wechat"
)

// wechatCommands are the subcommands of `ecert wechat`.
var wechatCommands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"menu":   cmdWeChatMenu,
	"notify": cmdWeChatNotify, // wechat_notify.go
}

const wechatUsage = `usage: ecert wechat SUBCOMMAND [flags]

subcommands:
  menu sync                               push wechat.menu to the 公众号
  notify --template KEY [--cert CERTNO | --org ORG | --all-bound] [--dry-run]
                                          send a template message to bound holders
  outbox status                           notifications per status
  outbox requeue --status failed,unknown [--yes]
                                          send failed or unknown notifications again
`

func cmdWeChat(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, wechatUsage)
		return 2
	}
	sub, ok := wechatCommands[args[0]]
	if !ok {
		names := make([]string, 0, len(wechatCommands))
		for n := range wechatCommands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(stderr, "ecert wechat: unknown subcommand %q (want %s)\n\n%s", args[0], strings.Join(names, ", "), wechatUsage)
		return 2
	}
	return sub(args[1:], stdout, stderr)
}

// cmdWeChatMenu is `ecert wechat menu sync`: post wechat.menu to
// /cgi-bin/menu/create and report WeChat's answer.
func cmdWeChatMenu(args []string, stdout, stderr io.Writer) int {
	fs, configPath := newFlags("wechat menu", stderr)
	rest, err := parseInterleaved(fs, args)
	if err == nil && (len(rest) != 1 || rest[0] != "sync") {
		err = errors.New("ecert wechat menu: want: ecert wechat menu sync")
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	cfg, err := config.Load(*configPath, configExplicit(fs), os.Environ())
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat menu sync:", err)
		return 1
	}
	buttons, err := menuButtons(cfg.WeChat.Menu, cfg.Server.PublicURL)
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat menu sync: wechat.menu:", err)
		return 1
	}
	var rdb *redis.Client
	if cfg.Redis.Addr != "" {
		// The running servers' token: fetching another would cut theirs
		// short.
		rdb = newRedis(cfg)
		defer rdb.Close()
	}
	client, err := wechat.NewClient(wechat.ClientOptions{
		AppID: cfg.WeChat.AppID, AppSecret: cfg.WeChat.AppSecret, APIBase: cfg.WeChat.APIBase,
		Redis: rdb, RedisPrefix: redisPrefixWeChat,
	})
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat menu sync:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = client.CreateMenu(ctx, buttons)
	var apiErr *wechat.APIError
	switch {
	case errors.As(err, &apiErr):
		fmt.Fprintf(stderr, "ecert wechat menu sync: WeChat refused the menu: errcode %d, errmsg %q\n", apiErr.Code, apiErr.Msg)
		return 1
	case err != nil:
		fmt.Fprintln(stderr, "ecert wechat menu sync:", err)
		return 1
	}
	fmt.Fprintf(stdout, "menu synced (%d top-level buttons): WeChat answered errcode 0, errmsg \"ok\"\n", len(buttons))
	return 0
}

// menuButtons converts the configured menu to WeChat's form; a url
// starting with / is relative to server.public_url.
func menuButtons(in []config.MenuButton, publicURL string) ([]wechat.MenuButton, error) {
	out := make([]wechat.MenuButton, 0, len(in))
	for _, b := range in {
		w := wechat.MenuButton{Name: b.Name, Type: b.Type, Key: b.Key, URL: b.URL}
		if strings.HasPrefix(w.URL, "/") {
			w.URL = strings.TrimRight(publicURL, "/") + w.URL
		}
		switch {
		case b.Name == "":
			return nil, errors.New("a button has no name")
		case len(b.SubButtons) > 0:
			if b.Type != "" {
				return nil, fmt.Errorf("button %q has sub_button and a type", b.Name)
			}
			subs, err := menuButtons(b.SubButtons, publicURL)
			if err != nil {
				return nil, err
			}
			w.SubButtons = subs
		case b.Type == "click" && b.Key == "", b.Type == "view" && w.URL == "":
			return nil, fmt.Errorf("button %q: a click needs a key, a view a url", b.Name)
		case b.Type == "":
			return nil, fmt.Errorf("button %q has neither a type nor sub_button", b.Name)
		}
		out = append(out, w)
	}
	return out, nil
}

// Redis key prefixes of the WeChat parts, shared by every instance.
const (
	redisPrefixWeChat = "ecert:wx:"
	redisPrefixWxRate = "ecert:rl:wx:"
)

func newRedis(cfg config.Config) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: cfg.Redis.Addr, Password: cfg.Redis.Password, DB: cfg.Redis.DB})
}

// weChatParts is what `serve` runs for the 公众号: the callback handler
// (nil when wechat.token is unset) and the API client (nil without
// app_id and app_secret), plus what to stop on shutdown.
type weChatParts struct {
	handler http.Handler
	client  *wechat.Client
	server  *wechat.Server
}

// startWeChat builds the API client and the callback server from the
// configuration. With a client, withClient (may be nil) starts what uses
// it and returns the receiver of TEMPLATESENDJOBFINISH events.
func startWeChat(a *app, rdb *redis.Client, withClient func(*wechat.Client) wechat.TemplateFinishedFunc) (*weChatParts, error) {
	cfg := a.cfg
	p := &weChatParts{}
	if cfg.WeChat.AppID != "" && cfg.WeChat.AppSecret != "" {
		c, err := wechat.NewClient(wechat.ClientOptions{
			AppID: cfg.WeChat.AppID, AppSecret: cfg.WeChat.AppSecret, APIBase: cfg.WeChat.APIBase,
			Redis: rdb, RedisPrefix: redisPrefixWeChat,
		})
		if err != nil {
			return nil, err
		}
		p.client = c
	}
	var onFinished wechat.TemplateFinishedFunc
	if p.client != nil && withClient != nil {
		onFinished = withClient(p.client)
	}
	if cfg.WeChat.Token == "" {
		// Anyone can sign with an empty token: no callback without one.
		a.log.Info("wechat.token not set: /wechat/callback disabled")
		return p, nil
	}
	var limiter ratelimit.Limiter = ratelimit.NewMemory(cfg.Query.RatePerMinute, time.Minute, nil)
	if rdb != nil {
		limiter = ratelimit.NewRedis(rdb, redisPrefixWxRate, cfg.Query.RatePerMinute, time.Minute)
	}
	srv, err := wechat.NewServer(wechat.Options{
		AppID: cfg.WeChat.AppID, Token: cfg.WeChat.Token, EncodingAESKey: cfg.WeChat.EncodingAESKey,
		PublicURL: cfg.Server.PublicURL, Registry: a.registry, Signer: a.signer,
		DownloadTTL: cfg.Security.DownloadTTL, Limiter: limiter,
		Redis: rdb, RedisPrefix: redisPrefixWeChat, Logger: a.log,
		OnTemplateFinished: onFinished,
	})
	if err != nil {
		return nil, err
	}
	p.server, p.handler = srv, srv
	return p, nil
}

// stop lets the callback server's background work finish.
func (p *weChatParts) stop(ctx context.Context) {
	if p.server != nil {
		p.server.Close(ctx)
	}
}
