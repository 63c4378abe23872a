package store_test

import (
	"context"
	"database/sql"
	"strconv"
	"testing"

	"gorm.io/gorm"

	"ecert/model"
)

// A transaction's statements must not pile up: database/sql prepares a
// statement again for every execution inside a transaction when GORM's
// statement cache is in the way, and keeps each copy until the commit. A
// 100,000-row import then filled SQLite's memory and hung.
func TestTransactionsDoNotKeepAStatementPerExecution(t *testing.T) {
	reg, db := newRegistry(t)
	const executions = 300
	reg.OnEvents(func(tx *gorm.DB, _ []model.Certificate, _ []model.Event) error {
		if _, direct := tx.Statement.ConnPool.(*sql.Tx); !direct {
			t.Errorf("the transaction runs on %T, not straight on *sql.Tx", tx.Statement.ConnPool)
		}
		before := openStatements(t, tx, db.Driver)
		for i := range executions {
			var got int
			if err := tx.Raw("SELECT ?", i).Scan(&got).Error; err != nil || got != i {
				t.Fatalf("SELECT %d: got %d, %v", i, got, err)
			}
		}
		if grew := openStatements(t, tx, db.Driver) - before; grew > 5 {
			t.Errorf("%d executions left %d statements open on the connection", executions, grew)
		}
		return nil
	})
	if _, err := reg.Issue(context.Background(), []model.IssueRequest{person(1)}, nil, "op"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, &model.Certificate{}); n != 1 {
		t.Fatalf("%d certificates, want 1", n)
	}
}

// openStatements is how many prepared statements this MySQL connection
// holds (prepares minus closes in its session counters). SQLite has no SQL
// view of it: there the type check above stands alone.
func openStatements(t *testing.T, tx *gorm.DB, driver string) int {
	t.Helper()
	if driver != "mysql" {
		return 0
	}
	counter := func(name string) int {
		var row struct {
			VariableName string
			Value        string
		}
		if err := tx.Raw("SHOW SESSION STATUS LIKE '" + name + "'").Scan(&row).Error; err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(row.Value)
		if err != nil {
			t.Fatalf("%s = %q: %v", name, row.Value, err)
		}
		return n
	}
	return counter("Com_stmt_prepare") - counter("Com_stmt_close")
}
