package store

import (
	"context"

	"gorm.io/gorm"
)

// transaction runs fn in one transaction whose statements are not put
// through GORM's prepared-statement cache.
//
// Why: GORM prepares a statement on the transaction, and database/sql then
// prepares it again for every execution (a statement that belongs to a
// transaction is never reused, golang/go#28130), keeping each copy open
// until the commit. A 100,000-row import ran thousands of statements in
// one transaction: on SQLite the open statements filled the connection's
// memory, on MySQL they count against max_prepared_stmt_count. Outside
// transactions the cache does what it promises, so the pools keep it.
func transaction(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	return unprepared(ctx, db).Transaction(fn)
}

// unprepared is db, with ctx, talking to its connection pool directly,
// bypassing the prepared-statement cache that gormConfig turns on.
func unprepared(ctx context.Context, db *gorm.DB) *gorm.DB {
	cached, ok := db.Config.ConnPool.(*gorm.PreparedStmtDB)
	if !ok {
		return db.WithContext(ctx)
	}
	// A session with a context has its own copy of the config and of the
	// statement, so these assignments leave db as it was.
	direct := db.Session(&gorm.Session{NewDB: true, Context: ctx})
	direct.Config.ConnPool = cached.ConnPool
	direct.Config.PrepareStmt = false
	direct.Statement.ConnPool = cached.ConnPool
	return direct
}
