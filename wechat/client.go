package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/util"
)

// APIError is an answer from WeChat with a non-zero errcode.
type APIError struct {
	Code int
	Msg  string
	API  string // the path called, e.g. /cgi-bin/message/template/send
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wechat %s: errcode %d: %s", e.API, e.Code, e.Msg)
}

// ErrCode is WeChat's errcode; the notification worker reads it to tell
// permanent refusals from passing trouble.
func (e *APIError) ErrCode() int { return e.Code }

// tokenRejected are the errcodes of an access token WeChat no longer
// accepts (invalid, malformed, expired): drop it and fetch another.
func tokenRejected(code int) bool { return code == 40001 || code == 40014 || code == 42001 }

// ClientOptions configure the API client.
type ClientOptions struct {
	AppID, AppSecret string
	// APIBase is wechat.api_base; tests point it at a fake server. One
	// process uses one base (the SDK keeps it in a global).
	APIBase string
	// Redis, when set, holds the access token shared by every instance
	// (WeChat invalidates a token 5 minutes after another is fetched, so
	// instances must not each fetch their own).
	Redis       *redis.Client
	RedisPrefix string
	// Timeout bounds each HTTP call (default 10 s).
	Timeout time.Duration
}

// Client calls the WeChat API with the account's access token, fetching
// it through the SDK and retrying once when WeChat rejects a token.
type Client struct {
	oa       *officialaccount.OfficialAccount
	cache    tokenCache
	tokenKey string
}

// NewClient builds the account with the SDK's officialaccount package.
func NewClient(o ClientOptions) (*Client, error) {
	if o.AppID == "" || o.AppSecret == "" {
		return nil, errors.New("wechat: app_id and app_secret are required for API calls")
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if err := useAPIBase(o.APIBase, o.Timeout); err != nil {
		return nil, err
	}
	quietSDKLogs()
	var c tokenCache = newMemCache()
	if o.Redis != nil {
		c = &redisCache{rdb: o.Redis, prefix: o.RedisPrefix, timeout: 2 * time.Second}
	}
	oa := officialaccount.NewOfficialAccount(&oaconfig.Config{AppID: o.AppID, AppSecret: o.AppSecret, Cache: c})
	// The key the SDK's DefaultAccessToken would store the token under, so
	// instances of older builds sharing the Redis agree on it.
	tokenKey := fmt.Sprintf("%s_access_token_%s", credential.CacheKeyOfficialAccountPrefix, o.AppID)
	oa.SetAccessTokenHandle(&sharedToken{
		appID: o.AppID, appSecret: o.AppSecret, cache: c, key: tokenKey,
		rdb: o.Redis, lockKey: o.RedisPrefix + "token-lock:" + o.AppID,
	})
	return &Client{oa: oa, cache: c, tokenKey: tokenKey}, nil
}

// apiResult is the envelope of every WeChat JSON answer.
type apiResult struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// call posts body as JSON to path and decodes the answer into out (which
// may be nil). A rejected token is dropped and the call made once more
// with a fresh one.
func (c *Client) call(ctx context.Context, path string, body, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.oa.GetAccessTokenContext(ctx)
		if err != nil {
			return tokenError(err)
		}
		uri := defaultAPIBase + path + "?access_token=" + url.QueryEscape(tok)
		raw, err := util.PostJSONContext(ctx, uri, body)
		if err != nil {
			// The SDK's errors quote the URL, access token included.
			return fmt.Errorf("wechat %s: %s", path, strings.ReplaceAll(err.Error(), tok, "***"))
		}
		var res apiResult
		if err := json.Unmarshal(raw, &res); err != nil {
			return fmt.Errorf("wechat %s: answer is not JSON: %w", path, err)
		}
		if res.ErrCode == 0 {
			if out != nil {
				if err := json.Unmarshal(raw, out); err != nil {
					return fmt.Errorf("wechat %s: %w", path, err)
				}
			}
			return nil
		}
		if attempt == 0 && tokenRejected(res.ErrCode) {
			if err := c.cache.deleteIfEqual(ctx, c.tokenKey, tok); err != nil {
				return fmt.Errorf("wechat: drop rejected token: %w", err)
			}
			continue
		}
		return &APIError{Code: res.ErrCode, Msg: res.ErrMsg, API: path}
	}
}

var errcodeRe = regexp.MustCompile(`errcode=(-?\d+) , errormsg=(.*)$`)

// tokenError turns the SDK's text error for a failed token fetch into an
// APIError when it carries an errcode.
func tokenError(err error) error {
	if m := errcodeRe.FindStringSubmatch(err.Error()); m != nil {
		code, _ := strconv.Atoi(m[1])
		return &APIError{Code: code, Msg: m[2], API: "/cgi-bin/token"}
	}
	return fmt.Errorf("wechat access token: %w", err)
}
