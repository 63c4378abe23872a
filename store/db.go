// Package store is the certificate registry on GORM: opening SQLite or MySQL,
// the schema, and the queries and transactions of issuance and revocation.
// It maps driver errors onto model's sentinels.
package store

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"ecert/model"
)

// Options are what Open needs; main fills them from config.
type Options struct {
	Driver string // sqlite or mysql
	DSN    string // SQLite file path, or a MySQL DSN
	// Now is GORM's clock, injected so tests control time. Nil means time.Now.
	Now func() time.Time
	// PoolSize is the most connections a MySQL pool opens (at least 32),
	// kept open between bursts so a burst neither reconnects nor prepares
	// its statements again. Main sets it to server.max_in_flight.
	PoolSize int
	// LogSQL prints every statement; only for debugging, never by default,
	// because statements carry ID numbers.
	LogSQL bool
}

// Open connects and tunes the pool for the driver. It does not migrate.
func Open(opts Options) (*gorm.DB, error) {
	gcfg := gormConfig(opts)
	switch opts.Driver {
	case "sqlite":
		dsn, err := sqliteDSN(opts.DSN)
		if err != nil {
			return nil, err
		}
		db, err := openSQLite(dsn, gcfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", opts.DSN, err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		// One connection: SQLite has one writer anyway, and a single
		// connection makes every transaction see its own writes without
		// lock upgrades between pooled connections.
		sqlDB.SetMaxOpenConns(1)
		return db, nil
	case "mysql":
		dsn, err := mysqlDSN(opts.DSN)
		if err != nil {
			return nil, err
		}
		db, err := gorm.Open(mysql.New(mysql.Config{DSN: dsn}), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open mysql: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		conns := max(32, opts.PoolSize)
		sqlDB.SetMaxOpenConns(conns)
		sqlDB.SetMaxIdleConns(conns)
		// Under MySQL's default wait_timeout (8 h) and typical proxies' idle
		// cut-offs, so the pool never hands out a connection the server closed.
		sqlDB.SetConnMaxLifetime(3 * time.Minute)
		return db, nil
	}
	return nil, fmt.Errorf("database driver %q: want sqlite or mysql: %w", opts.Driver, model.ErrInvalid)
}

// gormConfig is the GORM setup every pool shares.
func gormConfig(opts Options) *gorm.Config {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	gcfg := &gorm.Config{
		TranslateError: true, // duplicate keys arrive as gorm.ErrDuplicatedKey
		NowFunc:        func() time.Time { return now().UTC().Truncate(time.Microsecond) },
		Logger:         logger.Discard,
		// Batches are sized by the callers; GORM's implicit per-Create
		// transactions would only add round trips inside our own.
		SkipDefaultTransaction: true,
		// Statements are prepared once per connection and reused: the
		// public routes and the WeChat callback run the same few queries
		// all day (measured: nearly twice the callback throughput on MySQL).
		// The bound keeps IN-lists of varying length from growing the cache.
		PrepareStmt:        true,
		PrepareStmtMaxSize: 256,
		PrepareStmtTTL:     time.Hour,
	}
	if opts.LogSQL {
		gcfg.Logger = logger.Default.LogMode(logger.Info)
	}
	return gcfg
}

// OpenSQLiteReader opens a read-only pool of conns connections on the same
// SQLite file, for Registry.UseReader. In WAL mode readers never wait for
// the writer, so lookups spread over the cores while an import writes.
func OpenSQLiteReader(opts Options, conns int) (*gorm.DB, error) {
	if opts.Driver != "sqlite" {
		return nil, fmt.Errorf("read pool is for sqlite, not %q: %w", opts.Driver, model.ErrInvalid)
	}
	dsn, err := sqliteDSN(opts.DSN)
	if err != nil {
		return nil, err
	}
	dsn += "&_pragma=query_only(1)"
	db, err := openSQLite(dsn, gormConfig(opts))
	if err != nil {
		return nil, fmt.Errorf("open sqlite read pool %s: %w", opts.DSN, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(conns)
	sqlDB.SetMaxIdleConns(conns)
	return db, nil
}

// sqliteTimeLayout is how times are stored in SQLite (see sqliteDSN).
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// sqliteDSN turns a file path into a DSN with WAL and a busy timeout, so the
// server and a CLI command can use the same file at the same time. The
// parent directory is created on first start.
func sqliteDSN(path string) (string, error) {
	file := path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		file = path[:i]
	}
	file = strings.TrimPrefix(file, "file:")
	if file != ":memory:" && file != "" {
		if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
			return "", fmt.Errorf("create database directory: %w", err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(15000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// 64 MiB page cache: a large import then writes each page once at
	// commit instead of spilling to the file mid-transaction.
	q.Add("_pragma", "cache_size(-65536)")
	// BEGIN IMMEDIATE: a transaction takes the write lock when it starts,
	// so two writers queue on the busy timeout instead of deadlocking.
	q.Set("_txlock", "immediate")
	// Times are stored as text in one layout, the one earlier versions
	// (the modernc-based driver) wrote, so files from before the driver
	// change read back and compare in SQL (the outbox's due times) as
	// before. It is also one of SQLite's own time formats.
	q.Set("_timefmt", sqliteTimeLayout)
	// The driver reads the parameters only from a file: URI.
	dsn := path
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + q.Encode(), nil
}

// mysqlDSN enforces the parameters ecert relies on: utf8mb4 (names beyond
// the BMP), parseTime, and UTC so stored instants never shift.
func mysqlDSN(dsn string) (string, error) {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("database.dsn: %v: %w", err, model.ErrInvalid)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Collation = "utf8mb4_unicode_ci"
	cfg.Params["charset"] = "utf8mb4"
	// Statements outside GORM's prepared-statement cache (those inside
	// transactions: see transaction) are sent with their arguments filled
	// in by the driver: one round trip instead of prepare, execute and
	// close. The driver escapes for the connection's character set, which
	// is safe for utf8mb4 (not for GBK or Big5, which ecert never uses).
	cfg.InterpolateParams = true
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	return cfg.FormatDSN(), nil
}

// Migrate creates or upgrades the schema.
func Migrate(ctx context.Context, db *gorm.DB) error {
	opts := db.WithContext(ctx)
	if db.Dialector.Name() == "mysql" {
		opts = opts.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
	}
	if err := opts.AutoMigrate(Models()...); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Models lists every table, in dependency order.
func Models() []any {
	return []any{&model.Organization{}, &serial{}, &model.Certificate{}, &model.Event{}, &model.Outbox{}, &model.EarlyFinish{}, &model.Binding{}}
}

// Ping checks the database answers, for /healthz.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}
