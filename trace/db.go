package trace

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/mapiscope/mapiscope/trace/filter"
)

// Trace is an open trace file.
type Trace struct {
	DB   *sql.DB
	Path string
}

const driverName = "sqlite3_mapiscope"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{
		ConnectHook: func(conn *sqlite3.SQLiteConn) error {
			return conn.RegisterFunc("regexp", filter.Regexp, true)
		},
	})
}

// ErrNotTrace is returned for a file that is not a mapiscope trace.
var ErrNotTrace = errors.New("not a mapiscope trace")

// Create opens path for writing, creating the file and its schema if
// needed and bringing an older schema forward.
func Create(path string) (*Trace, error) {
	db, err := sql.Open(driverName, dsn(path, false))
	if err != nil {
		return nil, err
	}
	// One connection: the trace has a single writer, and SQLite serialises
	// writers anyway. Readers open their own Trace.
	db.SetMaxOpenConns(1)
	t := &Trace{DB: db, Path: path}
	if err := t.migrate(); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Open opens an existing trace for reading. It works while a writer is
// adding to the same file (WAL mode).
func Open(path string) (*Trace, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sql.Open(driverName, dsn(path, true))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	t := &Trace{DB: db, Path: path}
	v, err := t.version()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrNotTrace)
	}
	if v > SchemaVersion {
		db.Close()
		return nil, fmt.Errorf("%s: trace schema %d is newer than this mapiscope (%d)", path, v, SchemaVersion)
	}
	if v < SchemaVersion {
		// Bring it forward through a writable handle, then read.
		db.Close()
		w, err := Create(path)
		if err != nil {
			return nil, err
		}
		w.Close()
		return Open(path)
	}
	return t, nil
}

func dsn(path string, readOnly bool) string {
	q := "?_busy_timeout=10000&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=0"
	if readOnly {
		q += "&mode=ro&_query_only=1"
	}
	return "file:" + path + q
}

// Close closes the trace.
func (t *Trace) Close() error { return t.DB.Close() }

func (t *Trace) version() (int, error) {
	var s string
	err := t.DB.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&s)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}

// migrate creates the schema or applies the migrations a trace lacks.
func (t *Trace) migrate() error {
	var n int
	if err := t.DB.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).Scan(&n); err != nil {
		return fmt.Errorf("%w (%v)", ErrNotTrace, err)
	}
	have := 0
	if n > 0 {
		v, err := t.version()
		if err != nil {
			return fmt.Errorf("%w: no schema version", ErrNotTrace)
		}
		have = v
	} else {
		// A SQLite file with other tables is not ours.
		var other int
		t.DB.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&other)
		if other > 0 {
			return ErrNotTrace
		}
	}
	if have > SchemaVersion {
		return fmt.Errorf("trace schema %d is newer than this mapiscope (%d)", have, SchemaVersion)
	}
	for v := have; v < SchemaVersion; v++ {
		tx, err := t.DB.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := tx.Exec(`INSERT INTO meta(key, value) VALUES('schema_version', ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, strconv.Itoa(v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Remove deletes a trace file and its WAL companions.
func Remove(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		os.Remove(p)
	}
}
