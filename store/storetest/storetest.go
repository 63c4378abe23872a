// Package storetest gives tests a fresh, migrated database: SQLite in a temp
// directory by default, or, with ECERT_TEST_MYSQL_DSN set, a new MySQL
// schema dropped when the test ends. The same suite runs on both.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"ecert/store"
)

// EnvMySQL names the variable holding a MySQL DSN for the MySQL run, e.g.
// root@tcp(127.0.0.1:3306)/test.
const EnvMySQL = "ECERT_TEST_MYSQL_DSN"

// DB is a test database with what tests need to reopen it from another
// "process" (a second connection pool), as the CLI does beside the server.
type DB struct {
	*gorm.DB
	Driver string
	DSN    string
}

// MustOpenDB returns a fresh migrated database whose clock is now (nil: the
// wall clock).
func MustOpenDB(t testing.TB, now func() time.Time) *DB {
	t.Helper()
	driver, dsn := "sqlite", filepath.Join(t.TempDir(), "ecert.db")
	if base := os.Getenv(EnvMySQL); base != "" {
		driver, dsn = "mysql", freshMySQLSchema(t, base)
	}
	db, err := store.Open(store.Options{Driver: driver, DSN: dsn, Now: now})
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	if err := store.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return &DB{DB: db, Driver: driver, DSN: dsn}
}

// freshMySQLSchema creates a uniquely named database and drops it on cleanup.
func freshMySQLSchema(t testing.TB, base string) string {
	t.Helper()
	cfg, err := gomysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvMySQL, err)
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("mysql: %v", err)
	}
	defer admin.Close()
	suffix := make([]byte, 6)
	rand.Read(suffix)
	name := "ecert_t_" + hex.EncodeToString(suffix)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create test schema (is MariaDB running? %s=%q): %v", EnvMySQL, base, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP DATABASE IF EXISTS " + name)
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}
