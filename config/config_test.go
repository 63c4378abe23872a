package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeYAML(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// core drops the WeChat menu and templates, which Load may rewrite (menu
// URLs relative to server.public_url) and which these tests do not cover.
func core(c Config) Config {
	c.WeChat.Menu, c.WeChat.Templates = nil, nil
	return c
}

func missingPath(t *testing.T) string { return filepath.Join(t.TempDir(), "config.yaml") }

func TestDefaults(t *testing.T) {
	cfg, err := Load(missingPath(t), false, nil)
	if err != nil {
		t.Fatalf("Load with no file: %v", err)
	}
	tests := []struct {
		key       string
		got, want any
	}{
		{"server.addr", cfg.Server.Addr, "127.0.0.1:8080"},
		{"server.public_url", cfg.Server.PublicURL, "http://127.0.0.1:8080"},
		{"database.driver", cfg.Database.Driver, "sqlite"},
		{"database.dsn", cfg.Database.DSN, "data/ecert.db"},
		{"redis.addr", cfg.Redis.Addr, ""},
		{"wechat.api_base", cfg.WeChat.APIBase, "https://api.weixin.qq.com"},
		{"security.signing_key", cfg.Security.SigningKey, ""},
		{"security.key_file", cfg.Security.KeyFile, "data/signing.key"},
		{"security.download_ttl", cfg.Security.DownloadTTL, 30 * time.Minute},
		{"query.rate_per_minute", cfg.Query.RatePerMinute, 20},
		{"log.level", cfg.Log.Level, "info"},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("default %s = %#v, want %#v", tt.key, tt.got, tt.want)
		}
	}
	if !reflect.DeepEqual(core(cfg), core(Default())) {
		t.Errorf("Load with no file or environment differs from Default():\n%+v\n%+v", cfg, Default())
	}
	d := Default()
	if err := d.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

// The shipped config.yaml states the defaults; loading it changes nothing.
func TestShippedConfigMatchesDefaults(t *testing.T) {
	path := filepath.Join("..", "config.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no shipped config.yaml: %v", err)
	}
	cfg, err := Load(path, true, nil)
	if err != nil {
		t.Fatalf("shipped config.yaml: %v", err)
	}
	want := Default()
	want.Server.TrustedProxies = cfg.Server.TrustedProxies // [] in the file, nil in Go
	if len(cfg.Server.TrustedProxies) != 0 || !reflect.DeepEqual(core(cfg), core(want)) {
		t.Errorf("shipped config.yaml differs from Default():\n%+v\n%+v", cfg, Default())
	}
}

func TestYAMLOverridesDefaults(t *testing.T) {
	path := writeYAML(t, `
server:
  addr: 0.0.0.0:9000
  public_url: https://cert.example.cn/
database:
  driver: mysql
  dsn: ecert:pw@tcp(db:3306)/ecert
redis:
  addr: 127.0.0.1:6379
  db: 2
security:
  download_ttl: 2h
pdf:
  fonts: [/a.ttf]
query:
  rate_per_minute: 5
`)
	cfg, err := Load(path, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key       string
		got, want any
	}{
		{"server.addr", cfg.Server.Addr, "0.0.0.0:9000"},
		{"server.public_url (trailing slash trimmed)", cfg.Server.PublicURL, "https://cert.example.cn"},
		{"database.driver", cfg.Database.Driver, "mysql"},
		{"database.dsn", cfg.Database.DSN, "ecert:pw@tcp(db:3306)/ecert"},
		{"redis.addr", cfg.Redis.Addr, "127.0.0.1:6379"},
		{"redis.db", cfg.Redis.DB, 2},
		{"security.download_ttl", cfg.Security.DownloadTTL, 2 * time.Hour},
		{"pdf.fonts (replaced, not appended)", cfg.PDF.Fonts, []string{"/a.ttf"}},
		{"query.rate_per_minute", cfg.Query.RatePerMinute, 5},
		// Keys the file does not mention keep their defaults.
		{"wechat.api_base", cfg.WeChat.APIBase, "https://api.weixin.qq.com"},
		{"security.key_file", cfg.Security.KeyFile, "data/signing.key"},
		{"server.shutdown_timeout", cfg.Server.ShutdownTimeout, 15 * time.Second},
		{"log.level", cfg.Log.Level, "info"},
		{"pdf.website", cfg.PDF.Website, "http://www.hnjsjn.com"},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.key, tt.got, tt.want)
		}
	}
}

func TestEnvOverridesYAML(t *testing.T) {
	path := writeYAML(t, `
server:
  addr: 0.0.0.0:9000
  public_url: https://yaml.example.cn
database:
  dsn: yaml.db
wechat:
  token: yamltoken
pdf:
  fonts: [/yaml.ttf]
security:
  download_ttl: 2h
`)
	env := []string{
		"PATH=/usr/bin",
		"ECERT_DATABASE_DSN=env.db",
		"ECERT_SERVER_ADDR=10.0.0.1:80",
		"ECERT_SERVER_PUBLIC_URL=https://env.example.cn",
		"ECERT_WECHAT_TOKEN=envtoken=with=equals",
		"ECERT_PDF_FONTS= /one.ttf, /two.ttf ,,/three.ttf",
		"ECERT_SECURITY_DOWNLOAD_TTL=45m",
		"ECERT_QUERY_RATE_PER_MINUTE=7",
		"ECERT_SERVER_TRUSTED_PROXIES=10.0.0.2,10.0.0.3",
		"NOT_ECERT_LOG_LEVEL=debug",
	}
	cfg, err := Load(path, true, env)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key       string
		got, want any
	}{
		{"ECERT_DATABASE_DSN", cfg.Database.DSN, "env.db"},
		{"ECERT_SERVER_ADDR", cfg.Server.Addr, "10.0.0.1:80"},
		{"ECERT_SERVER_PUBLIC_URL", cfg.Server.PublicURL, "https://env.example.cn"},
		{"ECERT_WECHAT_TOKEN", cfg.WeChat.Token, "envtoken=with=equals"},
		{"ECERT_PDF_FONTS", cfg.PDF.Fonts, []string{"/one.ttf", "/two.ttf", "/three.ttf"}},
		{"ECERT_SECURITY_DOWNLOAD_TTL", cfg.Security.DownloadTTL, 45 * time.Minute},
		{"ECERT_QUERY_RATE_PER_MINUTE", cfg.Query.RatePerMinute, 7},
		{"ECERT_SERVER_TRUSTED_PROXIES", cfg.Server.TrustedProxies, []string{"10.0.0.2", "10.0.0.3"}},
		{"unrelated variable ignored", cfg.Log.Level, "info"},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.key, tt.got, tt.want)
		}
	}
	// Environment also overrides defaults when there is no file, and an empty
	// value clears a setting.
	cfg, err = Load(missingPath(t), false, []string{"ECERT_REDIS_ADDR=redis:6379", "ECERT_PDF_WEBSITE="})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Redis.Addr != "redis:6379" || cfg.PDF.Website != "" {
		t.Errorf("env over defaults: redis.addr=%q pdf.website=%q", cfg.Redis.Addr, cfg.PDF.Website)
	}
}

func TestEnvName(t *testing.T) {
	for key, want := range map[string]string{
		"server.public_url":     "ECERT_SERVER_PUBLIC_URL",
		"security.download_ttl": "ECERT_SECURITY_DOWNLOAD_TTL",
		"database.dsn":          "ECERT_DATABASE_DSN",
	} {
		if got := EnvName(key); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", key, got, want)
		}
		// The name EnvName gives is the one Load reads.
	}
	cfg, err := Load(missingPath(t), false, []string{EnvName("wechat.app_id") + "=wx123"})
	if err != nil || cfg.WeChat.AppID != "wx123" {
		t.Errorf("EnvName(wechat.app_id) not honoured: %q %v", cfg.WeChat.AppID, err)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name     string
		yaml     *string // nil: the file does not exist
		explicit bool
		env      []string
		want     []string // substrings of the error
	}{
		{"unknown key", ptr("server:\n  adress: 1.2.3.4:80\n"), true, nil, []string{"adress"}},
		{"unknown section", ptr("databse:\n  dsn: x\n"), true, nil, []string{"databse"}},
		{"wrong type", ptr("query:\n  rate_per_minute: many\n"), true, nil, []string{"many"}},
		{"bad duration", ptr("security:\n  download_ttl: soon\n"), true, nil, []string{"soon"}},
		{"missing explicit file", nil, true, nil, []string{"config"}},
		{"env bad duration", ptr(""), true, []string{"ECERT_SECURITY_DOWNLOAD_TTL=soon"}, []string{"ECERT_SECURITY_DOWNLOAD_TTL"}},
		{"env bad int", ptr(""), true, []string{"ECERT_QUERY_RATE_PER_MINUTE=x"}, []string{"ECERT_QUERY_RATE_PER_MINUTE"}},
		{"env invalid value", nil, false, []string{"ECERT_DATABASE_DRIVER=postgres"}, []string{"database.driver", "postgres"}},
		{"yaml invalid value", ptr("log:\n  level: verbose\n"), false, nil, []string{"log.level", "verbose"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := missingPath(t)
			if tt.yaml != nil {
				path = writeYAML(t, *tt.yaml)
			}
			_, err := Load(path, tt.explicit, tt.env)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	// The same missing file is fine when it is only the default location.
	if _, err := Load(missingPath(t), false, nil); err != nil {
		t.Errorf("missing default file: %v", err)
	}
	// An empty or comment-only file is fine.
	if _, err := Load(writeYAML(t, "# nothing\n"), true, nil); err != nil {
		t.Errorf("comment-only file: %v", err)
	}
}

func ptr(s string) *string { return &s }

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := Default()
	cfg.Server.Addr = "nonsense"
	cfg.Server.PublicURL = "ftp://x"
	cfg.Database.Driver = "postgres"
	cfg.Redis.Addr = "redis-without-port"
	cfg.WeChat.EncodingAESKey = "short"
	cfg.Security.SigningKey = "abcd"
	cfg.Security.DownloadTTL = time.Second
	cfg.PDF.Fonts = nil
	cfg.Query.RatePerMinute = 0
	cfg.Log.Level = "loud"
	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate accepted a bad configuration")
	}
	for _, key := range []string{
		"server.addr", "server.public_url", "database.driver", "redis.addr",
		"wechat.encoding_aes_key", "security.signing_key", "security.download_ttl",
		"pdf.fonts", "query.rate_per_minute", "log.level",
	} {
		if !strings.Contains(err.Error(), key+":") {
			t.Errorf("error does not report %s:\n%v", key, err)
		}
	}
	for _, key := range []string{"database.dsn", "wechat.api_base", "security.key_file", "server.shutdown_timeout"} {
		if strings.Contains(err.Error(), key+":") {
			t.Errorf("error reports %s, which is fine:\n%v", key, err)
		}
	}
}

func TestValidateSingleKeys(t *testing.T) {
	tests := []struct {
		key    string
		change func(*Config)
	}{
		{"database.dsn", func(c *Config) { c.Database.DSN = "" }},
		{"wechat.api_base", func(c *Config) { c.WeChat.APIBase = "api.weixin.qq.com" }},
		{"security.key_file", func(c *Config) { c.Security.KeyFile = "" }},
		{"server.shutdown_timeout", func(c *Config) { c.Server.ShutdownTimeout = 0 }},
		{"security.download_ttl", func(c *Config) { c.Security.DownloadTTL = 8 * 24 * time.Hour }},
		{"server.public_url", func(c *Config) { c.Server.PublicURL = "/relative" }},
	}
	for _, tt := range tests {
		cfg := Default()
		tt.change(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.key+":") {
			t.Errorf("%s: Validate = %v", tt.key, err)
		}
	}
	ok := []func(*Config){
		func(c *Config) { c.Security.KeyFile = ""; c.Security.SigningKey = strings.Repeat("ab", 32) },
		func(c *Config) { c.WeChat.EncodingAESKey = strings.Repeat("k", 43) },
		func(c *Config) { c.Security.DownloadTTL = time.Minute },
		func(c *Config) { c.Security.DownloadTTL = 168 * time.Hour },
		func(c *Config) { c.Database.Driver = "mysql" },
	}
	for i, change := range ok {
		cfg := Default()
		change(&cfg)
		if err := cfg.Validate(); err != nil {
			t.Errorf("valid change %d rejected: %v", i, err)
		}
	}
}

func TestRedacted(t *testing.T) {
	cfg := Default()
	cfg.Database.Driver = "mysql"
	cfg.Database.DSN = "ecert:s3cret@tcp(db:3306)/ecert?parseTime=true"
	cfg.WeChat.AppID = "wx123"
	cfg.WeChat.AppSecret = "appsecret"
	cfg.WeChat.Token = "wxtoken"
	cfg.WeChat.EncodingAESKey = strings.Repeat("k", 43)
	cfg.Security.SigningKey = strings.Repeat("ab", 32)
	cfg.Redis.Password = "redispw"
	orig := cfg
	orig.PDF.Fonts = append([]string(nil), cfg.PDF.Fonts...)

	r := cfg.Redacted()
	masked := []struct{ key, got, want string }{
		{"wechat.app_secret", r.WeChat.AppSecret, "******"},
		{"wechat.token", r.WeChat.Token, "******"},
		{"wechat.encoding_aes_key", r.WeChat.EncodingAESKey, "******"},
		{"security.signing_key", r.Security.SigningKey, "******"},
		{"redis.password", r.Redis.Password, "******"},
		{"database.dsn", r.Database.DSN, "ecert:******@tcp(db:3306)/ecert?parseTime=true"},
		{"wechat.app_id (not secret)", r.WeChat.AppID, "wx123"},
	}
	for _, m := range masked {
		if m.got != m.want {
			t.Errorf("Redacted %s = %q, want %q", m.key, m.got, m.want)
		}
	}
	for _, secret := range []string{"s3cret", "appsecret", "wxtoken", "redispw", strings.Repeat("ab", 32), strings.Repeat("k", 43)} {
		if strings.Contains(strings.ReplaceAll(stringify(r), "******", ""), secret) {
			t.Errorf("Redacted configuration still contains %q", secret)
		}
	}
	if !reflect.DeepEqual(cfg, orig) {
		t.Errorf("Redacted changed the original:\n%+v\n%+v", cfg, orig)
	}
}

func TestRedactedDSNForms(t *testing.T) {
	tests := []struct{ driver, dsn, want string }{
		{"mysql", "ecert:pw@tcp(db:3306)/ecert", "ecert:******@tcp(db:3306)/ecert"},
		{"mysql", "ecert:p@ss:w0rd@tcp(db:3306)/ecert", "ecert:******@tcp(db:3306)/ecert"},
		{"mysql", "ecert@tcp(db:3306)/ecert", "ecert@tcp(db:3306)/ecert"},
		{"mysql", "tcp(db:3306)/ecert", "tcp(db:3306)/ecert"},
		{"mysql", "ecert:pw@unix(/run/mysqld/mysqld.sock)/ecert", "ecert:******@unix(/run/mysqld/mysqld.sock)/ecert"},
		{"sqlite", "data/ecert.db", "data/ecert.db"},
		{"sqlite", "file:a:b@c.db", "file:a:b@c.db"},
	}
	for _, tt := range tests {
		cfg := Default()
		cfg.Database.Driver, cfg.Database.DSN = tt.driver, tt.dsn
		if got := cfg.Redacted().Database.DSN; got != tt.want {
			t.Errorf("Redacted %s DSN %q = %q, want %q", tt.driver, tt.dsn, got, tt.want)
		}
	}
	// Empty secrets stay empty, so a log shows what is unset.
	if r := Default().Redacted(); r.WeChat.AppSecret != "" || r.Security.SigningKey != "" {
		t.Errorf("empty secrets masked: %+v", r.WeChat)
	}
}

func stringify(c Config) string {
	var b strings.Builder
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.String:
			b.WriteString(v.String() + "\n")
		}
	}
	walk(reflect.ValueOf(c))
	return b.String()
}
