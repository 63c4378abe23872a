package wechat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/credential"
)

// tokenLockTTL bounds how long one instance may hold the right to fetch;
// tokenWait is how long the others wait for its token before fetching
// anyway (the holder may have died).
const (
	tokenLockTTL = 10 * time.Second
	tokenWait    = 5 * time.Second
	tokenPoll    = 50 * time.Millisecond
)

// sharedToken is the access-token handle. Within a process a mutex makes
// concurrent callers share one fetch (as the SDK's own handle does); across
// instances a Redis lock does the same, because every fetch from WeChat
// starts the 5-minute end of the previous token's life, and two instances
// fetching at once could leave the shared cache holding the older one.
type sharedToken struct {
	appID, appSecret string
	cache            tokenCache
	key              string
	rdb              *redis.Client // nil: one instance, no cross-process lock
	lockKey          string
	mu               sync.Mutex
}

func (t *sharedToken) GetAccessToken() (string, error) {
	return t.GetAccessTokenContext(context.Background())
}

func (t *sharedToken) GetAccessTokenContext(ctx context.Context) (string, error) {
	if tok := t.cached(); tok != "" {
		return tok, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if tok := t.cached(); tok != "" {
		return tok, nil
	}
	if t.rdb != nil {
		owner, err := t.lock(ctx)
		if err != nil {
			return "", err
		}
		if owner == "" {
			// Another instance is fetching: wait for its token.
			if tok := t.waitForOther(ctx); tok != "" {
				return tok, nil
			}
		} else {
			defer t.unlock(owner)
			// It may have been stored between our look and the lock.
			if tok := t.cached(); tok != "" {
				return tok, nil
			}
		}
	}
	return t.fetch(ctx)
}

func (t *sharedToken) cached() string {
	if v, ok := t.cache.Get(t.key).(string); ok {
		return v
	}
	return ""
}

// lock returns a non-empty owner id when this instance may fetch.
func (t *sharedToken) lock(ctx context.Context) (string, error) {
	b := make([]byte, 8)
	rand.Read(b)
	owner := hex.EncodeToString(b)
	ok, err := t.rdb.SetNX(ctx, t.lockKey, owner, tokenLockTTL).Result()
	if err != nil {
		return "", fmt.Errorf("wechat access token lock: %w", err)
	}
	if !ok {
		return "", nil
	}
	return owner, nil
}

// unlock deletes the lock only if it is still ours (it may have expired
// and been taken by another instance).
func (t *sharedToken) unlock(owner string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	casDelete.Run(ctx, t.rdb, []string{t.lockKey}, owner)
}

func (t *sharedToken) waitForOther(ctx context.Context) string {
	deadline := time.Now().Add(tokenWait)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ""
		case <-time.After(tokenPoll):
		}
		if tok := t.cached(); tok != "" {
			return tok
		}
	}
	return ""
}

// fetch asks WeChat for a token and stores it, expiring 25 minutes before
// WeChat's own expiry so no call goes out with a token about to lapse.
func (t *sharedToken) fetch(ctx context.Context) (string, error) {
	uri := defaultAPIBase + "/cgi-bin/token?grant_type=client_credential&appid=" +
		url.QueryEscape(t.appID) + "&secret=" + url.QueryEscape(t.appSecret)
	res, err := credential.GetTokenFromServerContext(ctx, uri)
	if err != nil {
		// Transport errors quote the URL, and the URL carries the secret.
		return "", errors.New(strings.ReplaceAll(err.Error(), url.QueryEscape(t.appSecret), "***"))
	}
	ttl := time.Duration(res.ExpiresIn-1500) * time.Second
	if ttl <= 0 {
		ttl = time.Duration(res.ExpiresIn) * time.Second / 2
	}
	if err := t.cache.Set(t.key, res.AccessToken, ttl); err != nil {
		return "", fmt.Errorf("wechat access token: store: %w", err)
	}
	return res.AccessToken, nil
}
