package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// The running servers' token, when they share one in Redis.
	rdb := openRedis(cfg)
	if rdb != nil {
		defer rdb.Close()
	}
	client, err := wechat.NewClient(weChatClientOptions(cfg, rdb))
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

// Redis key prefixes, shared by every instance.
const (
	redisPrefixWeChat = "ecert:wx:"
	redisPrefixWxRate = "ecert:rl:wx:"
	redisPrefixQuery  = "ecert:rl:"
)

// openRedis connects when redis.addr is set; nil means in-process state.
func openRedis(cfg config.Config) *redis.Client {
	if cfg.Redis.Addr == "" {
		return nil
	}
	return redis.NewClient(&redis.Options{Addr: cfg.Redis.Addr, Password: cfg.Redis.Password, DB: cfg.Redis.DB})
}

// newLimiter bounds lookups to query.rate_per_minute per key: in Redis
// when there is one, so every instance counts together.
func newLimiter(cfg config.Config, rdb *redis.Client, prefix string) ratelimit.Limiter {
	if rdb != nil {
		return ratelimit.NewRedis(rdb, prefix, cfg.Query.RatePerMinute, time.Minute)
	}
	return ratelimit.NewMemory(cfg.Query.RatePerMinute, time.Minute, nil)
}

// weChatClientOptions configures the API client; with Redis the access
// token is shared by every instance (fetching another would cut theirs
// short).
func weChatClientOptions(cfg config.Config, rdb *redis.Client) wechat.ClientOptions {
	return wechat.ClientOptions{
		AppID: cfg.WeChat.AppID, AppSecret: cfg.WeChat.AppSecret, APIBase: cfg.WeChat.APIBase,
		Redis: rdb, RedisPrefix: redisPrefixWeChat,
	}
}

// newWeChatServer builds the /wechat/callback handler, or returns nil when
// wechat.token is unset: anyone can sign with an empty token.
func newWeChatServer(a *app, rdb *redis.Client, onFinished wechat.TemplateFinishedFunc) (*wechat.Server, error) {
	cfg := a.cfg
	if cfg.WeChat.Token == "" {
		a.log.Info("wechat.token not set: /wechat/callback disabled")
		return nil, nil
	}
	return wechat.NewServer(wechat.Options{
		AppID: cfg.WeChat.AppID, Token: cfg.WeChat.Token, EncodingAESKey: cfg.WeChat.EncodingAESKey,
		PublicURL: cfg.Server.PublicURL, Registry: a.registry, Signer: a.signer,
		DownloadTTL: cfg.Security.DownloadTTL, Limiter: newLimiter(cfg, rdb, redisPrefixWxRate),
		Redis: rdb, RedisPrefix: redisPrefixWeChat, Logger: a.log,
		OnTemplateFinished: onFinished,
	})
}
