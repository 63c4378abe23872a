// Package config loads ecert's settings: defaults in Go, config.yaml over
// them, ECERT_* environment variables over that, then Validate.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is every setting. The yaml tags are the public key names (see
// PRODUCT.md); the environment variable of a key is ECERT_ + its path in
// upper case with _ between levels (server.public_url → ECERT_SERVER_PUBLIC_URL).
type Config struct {
	Server   Server   `yaml:"server"`
	Database Database `yaml:"database"`
	Redis    Redis    `yaml:"redis"`
	WeChat   WeChat   `yaml:"wechat"`
	Security Security `yaml:"security"`
	PDF      PDF      `yaml:"pdf"`
	Query    Query    `yaml:"query"`
	Log      Log      `yaml:"log"`
}

type Server struct {
	Addr            string        `yaml:"addr"`
	PublicURL       string        `yaml:"public_url"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// TrustedProxies are the load balancers whose X-Forwarded-For is believed
	// when rate limiting by client IP; empty means use the peer address.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// MaxInFlight is how many requests may use the database at once; the
	// rest queue first come, first served. It also sizes the database
	// pools, so a request that got in never waits for a connection. 0 picks
	// by driver: one per core for SQLite, whose work is all CPU in this
	// process, and 16 for MySQL, where a request also waits on the network.
	MaxInFlight int `yaml:"max_in_flight"`
	// QueueTimeout is how long a request may wait for its turn before it
	// gets 503 系统繁忙 (WeChat's callback must be answered within 5 s).
	QueueTimeout time.Duration `yaml:"queue_timeout"`
}

type Database struct {
	Driver string `yaml:"driver"` // sqlite or mysql
	DSN    string `yaml:"dsn"`
}

type Redis struct {
	Addr     string `yaml:"addr"` // empty: in-process caches
	Password string `yaml:"password"`
	DB       int    `yaml:"db"`
}

type WeChat struct {
	AppID          string `yaml:"app_id"`
	AppSecret      string `yaml:"app_secret"`
	Token          string `yaml:"token"`
	EncodingAESKey string `yaml:"encoding_aes_key"`
	APIBase        string `yaml:"api_base"`
	// Menu is the 公众号's custom menu, pushed by `ecert wechat menu sync`.
	Menu []MenuButton `yaml:"menu"`
	// Templates are template messages by key (issued, revoked, changed, or
	// any key an operator names in `ecert wechat notify --template KEY`).
	Templates map[string]Template `yaml:"templates"`
}

// MenuButton is one button of the custom menu, in WeChat's own terms:
// type click (with key) or view (with url), or a parent with sub_button.
type MenuButton struct {
	Name       string       `yaml:"name"`
	Type       string       `yaml:"type"`
	Key        string       `yaml:"key"`
	URL        string       `yaml:"url"`
	SubButtons []MenuButton `yaml:"sub_button"`
}

// Template maps a WeChat template (by its template ID) onto certificate
// data: each entry of Fields is a template data key and the text to send,
// which may use the certificate's fields.
type Template struct {
	ID     string            `yaml:"id"`
	Fields map[string]string `yaml:"fields"`
}

type Security struct {
	// SigningKey signs QR and download tokens (hex, at least 32 bytes). Set it
	// in production so every instance agrees; when empty the key is read from
	// KeyFile, which is generated on first start.
	SigningKey  string        `yaml:"signing_key"`
	KeyFile     string        `yaml:"key_file"`
	DownloadTTL time.Duration `yaml:"download_ttl"`
}

type PDF struct {
	Fonts   []string `yaml:"fonts"`   // TrueType files, per-character fallback in this order
	Website string   `yaml:"website"` // printed on the certificate's footer line
}

type Query struct {
	// RatePerMinute bounds /query lookups per client IP, so nobody can
	// enumerate ID numbers.
	RatePerMinute int `yaml:"rate_per_minute"`
}

type Log struct {
	Level string `yaml:"level"` // debug, info, warn, error
}

// Default is the embedded configuration: SQLite under data/, in-process caches.
func Default() Config {
	return Config{
		Server: Server{Addr: "127.0.0.1:8080", PublicURL: "http://127.0.0.1:8080", ShutdownTimeout: 15 * time.Second,
			QueueTimeout: 3 * time.Second},
		Database: Database{Driver: "sqlite", DSN: "data/ecert.db"},
		WeChat: WeChat{
			APIBase: "https://api.weixin.qq.com",
			Menu: []MenuButton{{Name: "证书服务", SubButtons: []MenuButton{
				{Name: "证书查询", Type: "click", Key: "CERT_QUERY"},
				{Name: "证书下载", Type: "click", Key: "CERT_DOWNLOAD"},
				{Name: "网页查询", Type: "view", URL: "/query"},
			}}},
		},
		Security: Security{KeyFile: "data/signing.key", DownloadTTL: 30 * time.Minute},
		PDF: PDF{
			Fonts: []string{
				"/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",
				"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
				"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
			},
			Website: "http://www.hnjsjn.com",
		},
		Query: Query{RatePerMinute: 20},
		Log:   Log{Level: "info"},
	}
}

// Load reads path over the defaults (a missing file at the default path is
// fine; a missing file that was asked for is not), then the environment, and
// validates the result.
func Load(path string, explicit bool, environ []string) (Config, error) {
	cfg := Default()
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true) // a misspelt key is an error, not a silent default
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	case errors.Is(err, os.ErrNotExist) && !explicit:
	default:
		return cfg, fmt.Errorf("config: %w", err)
	}
	if err := applyEnv(&cfg, environ); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// Validate reports every bad key at once, each with what is expected.
func (c *Config) Validate() error {
	var problems []string
	bad := func(key, format string, args ...any) {
		problems = append(problems, key+": "+fmt.Sprintf(format, args...))
	}
	if _, _, err := net.SplitHostPort(c.Server.Addr); err != nil {
		bad("server.addr", "want host:port, got %q", c.Server.Addr)
	}
	if u, err := url.Parse(c.Server.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("server.public_url", "want an absolute http(s) URL, got %q", c.Server.PublicURL)
	} else if strings.HasSuffix(c.Server.PublicURL, "/") {
		c.Server.PublicURL = strings.TrimRight(c.Server.PublicURL, "/")
	}
	if c.Server.ShutdownTimeout <= 0 {
		bad("server.shutdown_timeout", "must be positive")
	}
	if c.Server.MaxInFlight < 0 || c.Server.MaxInFlight > 1024 {
		bad("server.max_in_flight", "want 0 (by driver) to 1024, got %d", c.Server.MaxInFlight)
	}
	if c.Server.QueueTimeout <= 0 || c.Server.QueueTimeout > 4*time.Second {
		bad("server.queue_timeout", "want more than 0 and at most 4s (WeChat waits 5 s for an answer), got %s", c.Server.QueueTimeout)
	}
	switch c.Database.Driver {
	case "sqlite", "mysql":
	default:
		bad("database.driver", "want sqlite or mysql, got %q", c.Database.Driver)
	}
	if c.Database.DSN == "" {
		bad("database.dsn", "must not be empty")
	}
	if c.Redis.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Redis.Addr); err != nil {
			bad("redis.addr", "want host:port or empty, got %q", c.Redis.Addr)
		}
	}
	if u, err := url.Parse(c.WeChat.APIBase); err != nil || u.Scheme == "" || u.Host == "" {
		bad("wechat.api_base", "want an absolute URL, got %q", c.WeChat.APIBase)
	}
	if k := c.WeChat.EncodingAESKey; k != "" && len(k) != 43 {
		bad("wechat.encoding_aes_key", "must be 43 characters, got %d", len(k))
	}
	if c.Security.SigningKey != "" && len(c.Security.SigningKey) < 64 {
		bad("security.signing_key", "want at least 32 bytes as hex (64 characters)")
	}
	if c.Security.SigningKey == "" && c.Security.KeyFile == "" {
		bad("security.key_file", "must be set when security.signing_key is empty")
	}
	if c.Security.DownloadTTL < time.Minute || c.Security.DownloadTTL > 7*24*time.Hour {
		bad("security.download_ttl", "want between 1m and 168h, got %s", c.Security.DownloadTTL)
	}
	if len(c.PDF.Fonts) == 0 {
		bad("pdf.fonts", "list at least one TrueType font")
	}
	if c.Query.RatePerMinute < 1 {
		bad("query.rate_per_minute", "must be at least 1")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "want debug, info, warn or error, got %q", c.Log.Level)
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// Redacted is the configuration as it may be logged: secrets masked.
func (c Config) Redacted() Config {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "******"
	}
	c.WeChat.AppSecret = mask(c.WeChat.AppSecret)
	c.WeChat.Token = mask(c.WeChat.Token)
	c.WeChat.EncodingAESKey = mask(c.WeChat.EncodingAESKey)
	c.Security.SigningKey = mask(c.Security.SigningKey)
	c.Redis.Password = mask(c.Redis.Password)
	if c.Database.Driver == "mysql" {
		// As the MySQL driver reads it: the credentials end at the last @
		// before the last /, so a password may itself contain @ or :.
		dsn := c.Database.DSN
		if k := strings.LastIndex(dsn, "/"); k >= 0 {
			dsn = dsn[:k]
		}
		if i := strings.LastIndex(dsn, "@"); i > 0 {
			if j := strings.Index(c.Database.DSN[:i], ":"); j >= 0 {
				c.Database.DSN = c.Database.DSN[:j+1] + "******" + c.Database.DSN[i:]
			}
		}
	}
	return c
}
