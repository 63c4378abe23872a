package wechat

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"ecert/model"
	"ecert/ratelimit"
	"ecert/token"
)

// Registry is what the conversations read and write: certificates and
// bindings. *store.Registry implements it.
type Registry interface {
	FindByNo(ctx context.Context, certNo string) (*model.Certificate, error)
	FindByNameAndNo(ctx context.Context, name, certNo string) ([]model.Certificate, error)
	FindByNameAndID(ctx context.Context, name, idNumber string) ([]model.Certificate, error)
	CertificatesOf(ctx context.Context, idNumber string) ([]model.Certificate, error)
	Bind(ctx context.Context, openID, name, idNumber string) (*model.Binding, error)
	Unbind(ctx context.Context, openID string) error
	BindingFor(ctx context.Context, openID string) (*model.Binding, error)
}

// TemplateFinishedFunc receives WeChat's TEMPLATESENDJOBFINISH report of a
// template message: its msgid and status ("success", "failed:user block",
// "failed: system failed"). It runs on a background worker with a
// deadline, never on the callback path.
type TemplateFinishedFunc func(ctx context.Context, msgID int64, status string)

// Options configure the callback server. AppID, Token, PublicURL,
// Registry, Signer and Limiter are required; EncodingAESKey selects safe
// mode.
type Options struct {
	AppID string
	Token string
	// EncodingAESKey (43 characters) enables safe and compatible mode. When
	// set, plain-mode callbacks are refused: their signature does not cover
	// the body, so only encrypted ones can be trusted.
	EncodingAESKey string
	// PublicURL is server.public_url, the base of /v/ and /download/ links.
	PublicURL   string
	Registry    Registry
	Signer      *token.Signer
	DownloadTTL time.Duration
	// Limiter bounds queries and binds per openid, so an account cannot be
	// used to enumerate certificates.
	Limiter ratelimit.Limiter
	// Redis, when set, holds de-duplication and bind lockouts so every
	// instance agrees; nil keeps them in memory.
	Redis       *redis.Client
	RedisPrefix string // e.g. "ecert:wx:"
	Logger      *slog.Logger
	Now         func() time.Time
	// OnTemplateFinished, when set, receives TEMPLATESENDJOBFINISH events.
	OnTemplateFinished TemplateFinishedFunc
	// Workers and Queue size the background pool (default 4 and 256).
	Workers, Queue int
}

// Limits of the callback, from WeChat's behaviour.
const (
	maxBody         = 64 << 10
	maxClockSkew    = 5 * time.Minute
	replyBudget     = 4 * time.Second // WeChat gives up after 5 s
	retryWait       = 3 * time.Second // a retry waits this long for the first's answer
	dedupTTL        = 5 * time.Minute // WeChat's retries end within ~15 s
	dedupMaxEntries = 10_000
	bindMaxFailures = 5
	bindWindow      = time.Hour
	backgroundLimit = 30 * time.Second
)

// Server answers /wechat/callback. It is an http.Handler.
type Server struct {
	opts  Options
	log   *slog.Logger
	now   func() time.Time
	dedup dedup
	// failures counts failed binds per openid; live windows are never
	// dropped, or guessing would reopen.
	failures ratelimit.Counter
	pool     *pool
	crypt    *crypter // safe mode's, nil without an EncodingAESKey
}

// NewServer checks the options and starts the background workers; Close
// stops them.
func NewServer(o Options) (*Server, error) {
	var missing []string
	for name, ok := range map[string]bool{
		"AppID": o.AppID != "", "Token": o.Token != "", "PublicURL": o.PublicURL != "",
		"Registry": o.Registry != nil, "Signer": o.Signer != nil, "Limiter": o.Limiter != nil,
	} {
		if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, errors.New("wechat: missing " + strings.Join(missing, ", "))
	}
	var crypt *crypter
	if o.EncodingAESKey != "" {
		// Fail at start, not on the first callback.
		var err error
		if crypt, err = newCrypter(o.AppID, o.EncodingAESKey); err != nil {
			return nil, errors.New("wechat: encoding_aes_key: " + err.Error())
		}
	}
	quietSDKLogs()
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DownloadTTL <= 0 {
		o.DownloadTTL = 30 * time.Minute
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Queue <= 0 {
		o.Queue = 256
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	s := &Server{opts: o, log: o.Logger, now: o.Now, crypt: crypt}
	if o.Redis != nil {
		s.dedup = &redisDedup{rdb: o.Redis, prefix: o.RedisPrefix, ttl: dedupTTL, poll: 25 * time.Millisecond}
		s.failures = ratelimit.NewRedisWindow(o.Redis, o.RedisPrefix+"bindfail:", bindWindow)
	} else {
		s.dedup = newMemDedup(dedupTTL, dedupMaxEntries, o.Now)
		s.failures = ratelimit.NewWindow(bindWindow, o.Now, true)
	}
	s.pool = newPool(o.Workers, o.Queue, backgroundLimit, o.Logger)
	return s, nil
}

// Close lets queued background work finish until ctx ends.
func (s *Server) Close(ctx context.Context) error { return s.pool.close(ctx) }
