package filter

import (
	"database/sql"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// The tests build traces from the real schema: the migrations are read
// out of ../schema.go (so they follow it), rather than through the trace
// package, which may import this one.

const testDriver = "sqlite3_filter_test"

func init() {
	sql.Register(testDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(conn *sqlite3.SQLiteConn) error {
			return conn.RegisterFunc("regexp", Regexp, true)
		},
	})
}

// migrations returns the SQL of trace/schema.go's migrations.
func migrations(tb testing.TB) []string {
	tb.Helper()
	fs := token.NewFileSet()
	f, err := goparser.ParseFile(fs, filepath.Join("..", "schema.go"), nil, 0)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "migrations" || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			tb.Fatal("schema.go: migrations is not a composite literal")
		}
		for _, e := range lit.Elts {
			bl, ok := e.(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				tb.Fatal("schema.go: a migration is not a string literal")
			}
			s, err := strconv.Unquote(bl.Value)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, s)
		}
		return false
	})
	if len(out) == 0 {
		tb.Fatal("schema.go: no migrations found")
	}
	return out
}

// openTrace creates an empty trace with the schema in dir.
func openTrace(tb testing.TB, dir string) *sql.DB {
	tb.Helper()
	db, err := sql.Open(testDriver, "file:"+filepath.Join(dir, "t.trace")+"?_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	for _, m := range migrations(tb) {
		if _, err := db.Exec(m); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// ids runs a query returning one integer column.
func ids(tb testing.TB, db *sql.DB, query string, args ...any) []int64 {
	tb.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		tb.Fatalf("%v\n%s", err, query)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("%v\n%s", err, query)
	}
	return out
}
