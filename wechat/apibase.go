package wechat

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// defaultAPIBase is the host the SDK has written into every API URL.
const defaultAPIBase = "https://api.weixin.qq.com"

// The SDK's URI modifier and HTTP client are process-wide variables, so
// they are set once, by the first client, under this lock; a later client
// asking for another base is an error rather than a silent redirect of the
// first one's calls.
var sdkGlobals struct {
	sync.Mutex
	set  bool
	base string
}

func useAPIBase(base string, timeout time.Duration) error {
	base = strings.TrimRight(base, "/")
	if base == "" {
		base = defaultAPIBase
	}
	sdkGlobals.Lock()
	defer sdkGlobals.Unlock()
	if sdkGlobals.set {
		if base != sdkGlobals.base {
			return fmt.Errorf("wechat: api_base %q: this process already uses %q", base, sdkGlobals.base)
		}
		return nil
	}
	// http.DefaultClient, the SDK's default, never times out.
	util.DefaultHTTPClient = &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
		},
	}
	if base != defaultAPIBase {
		util.SetURIModifier(func(uri string) string {
			if rest, ok := strings.CutPrefix(uri, defaultAPIBase); ok {
				return base + rest
			}
			return uri
		})
	}
	sdkGlobals.set, sdkGlobals.base = true, base
	return nil
}
