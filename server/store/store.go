// Package store is the mailbox store of mapiscope's built-in MAPI server:
// mailboxes, folders, messages (with recipients, attachments and embedded
// messages), named properties, receive folders, rules, permissions and
// search folders, kept in one SQLite file per server.
//
// One file per server (rather than per mailbox) keeps local delivery,
// cross-mailbox copies and the permission checks single transactions, and
// the server opens exactly one database. Every public method runs under
// one mutex on one connection (SQLite in WAL mode), so each operation is
// atomic and the store can be called from many sessions at once. Message
// and Attachment values are working copies owned by one session and are
// not safe for concurrent use themselves.
//
// Identifiers: every mailbox has a replica GUID whose REPLID is 1 and a
// GLOBCNT allocator from which the ids of folders and messages
// (prop.MakeID(1, globcnt)) and all change numbers come.
package store

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Options control the non-deterministic inputs of the store.
type Options struct {
	// Clock gives the current time (time.Now when nil).
	Clock func() time.Time
	// Rand is the source of GUIDs (crypto/rand when nil).
	Rand io.Reader
}

// Store is an open mailbox store.
type Store struct {
	db  *sql.DB
	mu  sync.Mutex
	opt Options

	rfMu    sync.Mutex
	rfCache map[int64][]ReceiveFolderRow // receive folder tables by mailbox
}

// LargeValueSize is the size from which a value is stored in chunks of
// ChunkSize bytes rather than inline.
const (
	LargeValueSize = 32 * 1024
	ChunkSize      = 32 * 1024
)

// Object kinds in the props table.
const (
	kindFolder  = 1
	kindMessage = 2
	kindAttach  = 3
	kindRecip   = 4
	kindStore   = 5
)

const schema = `
CREATE TABLE IF NOT EXISTS mailboxes(
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  legacy_dn TEXT NOT NULL,
  mailbox_guid BLOB NOT NULL,
  replica_guid BLOB NOT NULL,
  next_globcnt INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS replicas(
  mailbox INTEGER NOT NULL, replid INTEGER NOT NULL, guid BLOB NOT NULL,
  PRIMARY KEY(mailbox, replid), UNIQUE(mailbox, guid));
CREATE TABLE IF NOT EXISTS folders(
  oid INTEGER PRIMARY KEY,
  mailbox INTEGER NOT NULL, fid INTEGER NOT NULL, parent INTEGER NOT NULL,
  name TEXT NOT NULL, role INTEGER NOT NULL DEFAULT 0, ftype INTEGER NOT NULL,
  cn INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  search_flags INTEGER NOT NULL DEFAULT 0, search_restriction BLOB, search_scope BLOB,
  UNIQUE(mailbox, fid));
CREATE INDEX IF NOT EXISTS folders_parent ON folders(mailbox, parent, deleted);
CREATE TABLE IF NOT EXISTS messages(
  oid INTEGER PRIMARY KEY,
  mailbox INTEGER NOT NULL, mid INTEGER NOT NULL, fid INTEGER NOT NULL,
  assoc INTEGER NOT NULL, cn INTEGER NOT NULL,
  read INTEGER NOT NULL DEFAULT 0, read_cn INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0, parent_attach INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX IF NOT EXISTS messages_mid ON messages(mailbox, mid) WHERE parent_attach = 0;
CREATE INDEX IF NOT EXISTS messages_fid ON messages(mailbox, fid, assoc, deleted);
CREATE INDEX IF NOT EXISTS messages_embedded ON messages(parent_attach) WHERE parent_attach <> 0;
CREATE TABLE IF NOT EXISTS recipients(
  oid INTEGER PRIMARY KEY, message INTEGER NOT NULL, row_id INTEGER NOT NULL, rtype INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS recipients_message ON recipients(message);
CREATE TABLE IF NOT EXISTS attachments(
  oid INTEGER PRIMARY KEY, message INTEGER NOT NULL, num INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS attachments_message ON attachments(message);
CREATE TABLE IF NOT EXISTS props(
  kind INTEGER NOT NULL, oid INTEGER NOT NULL, tag INTEGER NOT NULL,
  val BLOB, large INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(kind, oid, tag)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chunks(
  kind INTEGER NOT NULL, oid INTEGER NOT NULL, tag INTEGER NOT NULL, seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY(kind, oid, tag, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tombstones(
  mailbox INTEGER NOT NULL, id INTEGER NOT NULL, fid INTEGER NOT NULL,
  cn INTEGER NOT NULL, assoc INTEGER NOT NULL, is_folder INTEGER NOT NULL,
  hard INTEGER NOT NULL, deleted_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tombstones_fid ON tombstones(mailbox, fid, cn);
CREATE TABLE IF NOT EXISTS namedprops(
  mailbox INTEGER NOT NULL, id INTEGER NOT NULL, kind INTEGER NOT NULL,
  guid BLOB NOT NULL, lid INTEGER NOT NULL, name TEXT NOT NULL,
  PRIMARY KEY(mailbox, id), UNIQUE(mailbox, kind, guid, lid, name));
CREATE TABLE IF NOT EXISTS receive_folders(
  mailbox INTEGER NOT NULL, class TEXT NOT NULL COLLATE NOCASE, fid INTEGER NOT NULL,
  mtime INTEGER NOT NULL, PRIMARY KEY(mailbox, class));
CREATE TABLE IF NOT EXISTS rules(
  mailbox INTEGER NOT NULL, fid INTEGER NOT NULL, rule_id INTEGER NOT NULL,
  seq INTEGER NOT NULL, state INTEGER NOT NULL, name TEXT NOT NULL, provider TEXT NOT NULL,
  user_flags INTEGER NOT NULL, level INTEGER NOT NULL, provider_data BLOB,
  condition BLOB, actions BLOB,
  PRIMARY KEY(mailbox, rule_id));
CREATE INDEX IF NOT EXISTS rules_fid ON rules(mailbox, fid);
CREATE TABLE IF NOT EXISTS permissions(
  mailbox INTEGER NOT NULL, fid INTEGER NOT NULL, member_id INTEGER NOT NULL,
  entry_id BLOB, name TEXT NOT NULL, user TEXT NOT NULL COLLATE NOCASE, rights INTEGER NOT NULL,
  PRIMARY KEY(mailbox, fid, member_id));
`

// Open opens (creating if needed) the store at path.
func Open(path string, opt Options) (*Store, error) {
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Rand == nil {
		opt.Rand = rand.Reader
	}
	dsn := "file:" + path + "?_journal_mode=WAL&_foreign_keys=1&_synchronous=NORMAL&_busy_timeout=5000&_stmt_cache_size=256"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("store schema: %w", err)
	}
	return &Store{db: db, opt: opt}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// tx runs f in one transaction under the store mutex.
func (s *Store) tx(f func(tx *sql.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *Store) now() prop.Filetime { return prop.FiletimeOf(s.opt.Clock()) }

// newGUID reads a version-4 GUID from the random source (callers hold mu).
func (s *Store) newGUID() prop.GUID {
	var g prop.GUID
	io.ReadFull(s.opt.Rand, g[:])
	g[7] = g[7]&0x0F | 0x40 // version 4 (Data3 is little-endian)
	g[8] = g[8]&0x3F | 0x80
	return g
}

// ---- Mailboxes ----

// Mailbox is one user's mailbox.
type Mailbox struct {
	ID          int64
	Email       string
	DisplayName string
	LegacyDN    string
	MailboxGUID prop.GUID
	ReplicaGUID prop.GUID // the GUID of REPLID 1
}

// LegacyDNPrefix is the DN of every mailbox minus the user's cn.
const LegacyDNPrefix = "/o=mapiscope/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="

// CreateMailbox creates a mailbox with all special folders and default
// receive folders. The user part of email becomes the legacy DN's cn.
func (s *Store) CreateMailbox(email, displayName string) (*Mailbox, error) {
	if email == "" {
		return nil, ErrInvalidParam
	}
	user, _, _ := strings.Cut(email, "@")
	mb := &Mailbox{Email: email, DisplayName: displayName, LegacyDN: LegacyDNPrefix + strings.ToLower(user)}
	err := s.tx(func(tx *sql.Tx) error {
		var n int
		tx.QueryRow(`SELECT count(*) FROM mailboxes WHERE email = ?`, email).Scan(&n)
		if n > 0 {
			return fmt.Errorf("mailbox %s: %w", email, ErrDuplicateName)
		}
		mb.MailboxGUID = s.newGUID()
		mb.ReplicaGUID = s.newGUID()
		res, err := tx.Exec(`INSERT INTO mailboxes(email, display_name, legacy_dn, mailbox_guid, replica_guid, next_globcnt) VALUES(?,?,?,?,?,1)`,
			email, displayName, mb.LegacyDN, mb.MailboxGUID[:], mb.ReplicaGUID[:])
		if err != nil {
			return err
		}
		mb.ID, _ = res.LastInsertId()
		if _, err := tx.Exec(`INSERT INTO replicas(mailbox, replid, guid) VALUES(?,1,?)`, mb.ID, mb.ReplicaGUID[:]); err != nil {
			return err
		}
		return s.createSpecialFolders(tx, mb)
	})
	if err != nil {
		return nil, err
	}
	return mb, nil
}

func scanMailbox(row interface{ Scan(...any) error }) (*Mailbox, error) {
	mb := &Mailbox{}
	var mg, rg []byte
	if err := row.Scan(&mb.ID, &mb.Email, &mb.DisplayName, &mb.LegacyDN, &mg, &rg); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	copy(mb.MailboxGUID[:], mg)
	copy(mb.ReplicaGUID[:], rg)
	return mb, nil
}

const mailboxCols = `id, email, display_name, legacy_dn, mailbox_guid, replica_guid`

// MailboxByEmail finds a mailbox by SMTP address (case-insensitive).
func (s *Store) MailboxByEmail(email string) (*Mailbox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return scanMailbox(s.db.QueryRow(`SELECT `+mailboxCols+` FROM mailboxes WHERE email = ?`, email))
}

// MailboxByLegacyDN finds a mailbox by its legacy DN (case-insensitive).
func (s *Store) MailboxByLegacyDN(dn string) (*Mailbox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return scanMailbox(s.db.QueryRow(`SELECT `+mailboxCols+` FROM mailboxes WHERE lower(legacy_dn) = lower(?)`, dn))
}

// MailboxByID finds a mailbox by its row id.
func (s *Store) MailboxByID(id int64) (*Mailbox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return scanMailbox(s.db.QueryRow(`SELECT `+mailboxCols+` FROM mailboxes WHERE id = ?`, id))
}

// Mailboxes lists all mailboxes by id.
func (s *Store) Mailboxes() ([]*Mailbox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, err := s.db.Query(`SELECT ` + mailboxCols + ` FROM mailboxes ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Mailbox
	for rows.Next() {
		mb, err := scanMailbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, mb)
	}
	return out, rows.Err()
}

// StoreProps returns the mailbox-level (logon object) properties that
// clients have set (PidTagOutlookStoreState, …).
func (s *Store) StoreProps(mb *Mailbox) (Props, error) {
	var p Props
	err := s.tx(func(tx *sql.Tx) (err error) {
		p, err = loadProps(tx, kindStore, mb.ID, true)
		return err
	})
	return p, err
}

// SetStoreProps sets mailbox-level properties.
func (s *Store) SetStoreProps(mb *Mailbox, vals []prop.TaggedValue) error {
	return s.tx(func(tx *sql.Tx) error { return setProps(tx, kindStore, mb.ID, vals) })
}

// ---- Replica ids and GLOBCNTs ----

// ReplGUID maps a REPLID of the mailbox to its REPLGUID.
func (s *Store) ReplGUID(mb *Mailbox, replid uint16) (prop.GUID, error) {
	var g prop.GUID
	err := s.tx(func(tx *sql.Tx) error {
		var b []byte
		if err := tx.QueryRow(`SELECT guid FROM replicas WHERE mailbox = ? AND replid = ?`, mb.ID, replid).Scan(&b); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		copy(g[:], b)
		return nil
	})
	return g, err
}

// ReplID maps a REPLGUID to its REPLID, allocating the next free REPLID
// for a GUID the mailbox has not seen ([MS-OXCSTOR] 3.2.5.9 replica map).
func (s *Store) ReplID(mb *Mailbox, guid prop.GUID) (uint16, error) {
	var id uint16
	err := s.tx(func(tx *sql.Tx) error {
		err := tx.QueryRow(`SELECT replid FROM replicas WHERE mailbox = ? AND guid = ?`, mb.ID, guid[:]).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var max int
		tx.QueryRow(`SELECT coalesce(max(replid), 5) FROM replicas WHERE mailbox = ?`, mb.ID).Scan(&max)
		if max < 5 {
			max = 5 // 2–5 are reserved as in Exchange/gromox
		}
		if max >= 0x7FFF {
			return ErrNotEnoughMemory
		}
		id = uint16(max + 1)
		_, err = tx.Exec(`INSERT INTO replicas(mailbox, replid, guid) VALUES(?,?,?)`, mb.ID, id, guid[:])
		return err
	})
	return id, err
}

// maxGlobCnt is the largest 48-bit GLOBCNT.
const maxGlobCnt = 1<<48 - 1

func allocGlobCnt(tx *sql.Tx, mb int64, n uint64) (uint64, error) {
	var next uint64
	if err := tx.QueryRow(`SELECT next_globcnt FROM mailboxes WHERE id = ?`, mb).Scan(&next); err != nil {
		return 0, err
	}
	if next+n > maxGlobCnt {
		return 0, ErrNotEnoughMemory
	}
	_, err := tx.Exec(`UPDATE mailboxes SET next_globcnt = ? WHERE id = ?`, next+n, mb)
	return next, err
}

// LocalReplicaIDs reserves count GLOBCNTs for client-created objects
// (RopGetLocalReplicaIds) and returns the replica GUID and the first one.
func (s *Store) LocalReplicaIDs(mb *Mailbox, count uint32) (prop.GUID, prop.GlobCnt, error) {
	var first uint64
	err := s.tx(func(tx *sql.Tx) (err error) {
		first, err = allocGlobCnt(tx, mb.ID, uint64(count))
		return err
	})
	return mb.ReplicaGUID, prop.GlobCnt(first), err
}

// LastChangeNumber is the highest GLOBCNT handed out so far (the CN
// high-water mark for ICS state).
func (s *Store) LastChangeNumber(mb *Mailbox) (uint64, error) {
	var next uint64
	err := s.tx(func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT next_globcnt FROM mailboxes WHERE id = ?`, mb.ID).Scan(&next)
	})
	return next - 1, err
}

// XID is a GUID followed by a 6-byte big-endian GLOBCNT — [MS-OXCFXICS] 2.2.2.2.
func XID(guid prop.GUID, globcnt uint64) []byte {
	b := make([]byte, 22)
	copy(b, guid[:])
	for i := 0; i < 6; i++ {
		b[16+i] = byte(globcnt >> (8 * (5 - i)))
	}
	return b
}

// ParseXID splits an XID of 17–24 bytes into GUID and counter.
func ParseXID(b []byte) (prop.GUID, uint64, bool) {
	var g prop.GUID
	if len(b) < 17 || len(b) > 24 {
		return g, 0, false
	}
	copy(g[:], b)
	var v uint64
	for _, x := range b[16:] {
		v = v<<8 | uint64(x)
	}
	return g, v, true
}

// UpdatePCL returns the PredecessorChangeList pcl with xid merged in: an
// entry of the same GUID is replaced — [MS-OXCFXICS] 2.2.2.3.
func UpdatePCL(pcl, xid []byte) []byte {
	var out []byte
	for len(pcl) > 0 {
		n := int(pcl[0])
		if n == 0 || 1+n > len(pcl) {
			break
		}
		e := pcl[1 : 1+n]
		if n < 16 || !bytes.Equal(e[:16], xid[:16]) {
			out = append(out, pcl[:1+n]...)
		}
		pcl = pcl[1+n:]
	}
	out = append(out, byte(len(xid)))
	return append(out, xid...)
}

// ---- Property persistence ----

func loadProps(tx *sql.Tx, kind int, oid int64, withLarge bool) (Props, error) {
	rows, err := tx.Query(`SELECT tag, val, large FROM props WHERE kind = ? AND oid = ?`, kind, oid)
	if err != nil {
		return nil, err
	}
	p := Props{}
	var large []prop.Tag
	for rows.Next() {
		var tag uint32
		var val []byte
		var isLarge bool
		if err := rows.Scan(&tag, &val, &isLarge); err != nil {
			rows.Close()
			return nil, err
		}
		t := prop.Tag(tag)
		if isLarge {
			large = append(large, t)
			continue
		}
		v, err := decodeValue(t.Type(), val)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("stored %v: %w", t, err)
		}
		p.Set(t, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if withLarge {
		for _, t := range large {
			b, err := loadChunks(tx, kind, oid, t)
			if err != nil {
				return nil, err
			}
			v, err := decodeValue(t.Type(), b)
			if err != nil {
				return nil, err
			}
			p.Set(t, v)
		}
	}
	return p, nil
}

func loadChunks(tx *sql.Tx, kind int, oid int64, t prop.Tag) ([]byte, error) {
	rows, err := tx.Query(`SELECT data FROM chunks WHERE kind = ? AND oid = ? AND tag = ? ORDER BY seq`, kind, oid, uint32(t))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []byte
	for rows.Next() {
		var d []byte
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d...)
	}
	return out, rows.Err()
}

// setProps writes values (replacing those of the same id).
func setProps(tx *sql.Tx, kind int, oid int64, vals []prop.TaggedValue) error {
	for _, tv := range vals {
		if err := checkValue(tv); err != nil {
			return err
		}
		if err := deleteProp(tx, kind, oid, tv.Tag.ID()); err != nil {
			return err
		}
	}
	return insertProps(tx, kind, oid, vals)
}

// insertProps writes values known not to exist yet.
func insertProps(tx *sql.Tx, kind int, oid int64, vals []prop.TaggedValue) error {
	for _, tv := range vals {
		b, err := encodeValue(tv.Tag.Type(), tv.Value)
		if err != nil {
			return err
		}
		if len(b) < LargeValueSize {
			if _, err := tx.Exec(`INSERT INTO props(kind, oid, tag, val) VALUES(?,?,?,?)`, kind, oid, uint32(tv.Tag), b); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.Exec(`INSERT INTO props(kind, oid, tag, val, large) VALUES(?,?,?,NULL,1)`, kind, oid, uint32(tv.Tag)); err != nil {
			return err
		}
		for seq := 0; len(b) > 0; seq++ {
			n := min(len(b), ChunkSize)
			if _, err := tx.Exec(`INSERT INTO chunks(kind, oid, tag, seq, data) VALUES(?,?,?,?,?)`, kind, oid, uint32(tv.Tag), seq, b[:n]); err != nil {
				return err
			}
			b = b[n:]
		}
	}
	return nil
}

// deleteProp removes any property of the given id.
func deleteProp(tx *sql.Tx, kind int, oid int64, id uint16) error {
	lo, hi := uint32(id)<<16, uint32(id)<<16|0xFFFF
	if _, err := tx.Exec(`DELETE FROM props WHERE kind = ? AND oid = ? AND tag BETWEEN ? AND ?`, kind, oid, lo, hi); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM chunks WHERE kind = ? AND oid = ? AND tag BETWEEN ? AND ?`, kind, oid, lo, hi)
	return err
}

func deleteAllProps(tx *sql.Tx, kind int, oid int64) error {
	if _, err := tx.Exec(`DELETE FROM props WHERE kind = ? AND oid = ?`, kind, oid); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM chunks WHERE kind = ? AND oid = ?`, kind, oid)
	return err
}

func writeAllProps(tx *sql.Tx, kind int, oid int64, p Props) error {
	if err := deleteAllProps(tx, kind, oid); err != nil {
		return err
	}
	return insertProps(tx, kind, oid, p.List())
}
