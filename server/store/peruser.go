package store

import (
	"bytes"
	"database/sql"
	"errors"
	"time"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// Per-user read state of public folders — [MS-OXCSTOR] 2.2.1.10–2.2.1.13
// and 3.2.5.10–3.2.5.13. A private mailbox caches, per public folder named
// by its LongTermID, the CNSET of the messages its owner has read there
// (a serialized IDSET with REPLGUIDs, [MS-OXCFXICS] 2.2.2.4.2) and the
// REPLGUID of the public store that provided it. The store keeps the blob
// as the client wrote it and only checks that it is well formed.
//
// Uploads come in pieces (RopWritePerUserInformation with DataOffset and
// HasFinished): the pieces of one writer are staged until the last one,
// then validated and stored at once, so a reader never sees half a blob.

// perUserSchema creates the per-user tables; it runs, idempotently, in
// each transaction that uses them (the store has no migration hook).
const perUserSchema = `
CREATE TABLE IF NOT EXISTS peruser(
  mailbox INTEGER NOT NULL, folder_guid BLOB NOT NULL, folder_globcnt INTEGER NOT NULL,
  db_guid BLOB NOT NULL, data BLOB NOT NULL, mtime INTEGER NOT NULL,
  PRIMARY KEY(mailbox, folder_guid, folder_globcnt));
CREATE INDEX IF NOT EXISTS peruser_db ON peruser(mailbox, db_guid);
CREATE TABLE IF NOT EXISTS peruser_staging(
  mailbox INTEGER NOT NULL, writer TEXT NOT NULL,
  folder_guid BLOB NOT NULL, folder_globcnt INTEGER NOT NULL,
  db_guid BLOB NOT NULL, data BLOB NOT NULL, mtime INTEGER NOT NULL,
  PRIMARY KEY(mailbox, writer));
`

// ErrCorruptData is MAPI_E_CORRUPT_DATA: an uploaded per-user blob is not
// a serialized IDSET with REPLGUIDs ([MS-OXCSTOR] 3.2.5.13.1).
const ErrCorruptData = prop.ErrorCode(0x8004011B)

// MaxPerUserData bounds one folder's per-user blob. A CNSET is a few
// ranges per replica; megabytes of it mean a client gone wrong.
const MaxPerUserData = 4 << 20

// perUserStagingTTL is how long an unfinished upload waits for its next
// piece before it is thrown away.
const perUserStagingTTL = time.Hour

func ensurePerUser(tx *sql.Tx) error {
	_, err := tx.Exec(perUserSchema)
	return err
}

// PerUserLongTermIDs lists the public folders whose per-user data the
// mailbox holds from the public store dbGUID (RopGetPerUserLongTermIds,
// [MS-OXCSTOR] 3.2.5.10), in LongTermID order.
func (s *Store) PerUserLongTermIDs(mb *Mailbox, dbGUID prop.GUID) ([]prop.LongTermID, error) {
	var out []prop.LongTermID
	err := s.tx(func(tx *sql.Tx) error {
		if err := ensurePerUser(tx); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT folder_guid, folder_globcnt FROM peruser WHERE mailbox = ? AND db_guid = ? ORDER BY folder_guid, folder_globcnt`, mb.ID, dbGUID[:])
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var g []byte
			var gc int64
			if err := rows.Scan(&g, &gc); err != nil {
				return err
			}
			var l prop.LongTermID
			copy(l.DatabaseGuid[:], g)
			l.GlobalCounter = prop.GlobCnt(gc)
			out = append(out, l)
		}
		return rows.Err()
	})
	return out, err
}

// PerUserGUID returns the REPLGUID of the public store that provided the
// per-user data of a folder (RopGetPerUserGuid, [MS-OXCSTOR] 3.2.5.11);
// ErrNotFound when the mailbox holds none for it.
func (s *Store) PerUserGUID(mb *Mailbox, folder prop.LongTermID) (prop.GUID, error) {
	var g prop.GUID
	err := s.tx(func(tx *sql.Tx) error {
		if err := ensurePerUser(tx); err != nil {
			return err
		}
		var b []byte
		err := tx.QueryRow(`SELECT db_guid FROM peruser WHERE mailbox = ? AND folder_guid = ? AND folder_globcnt = ?`,
			mb.ID, folder.DatabaseGuid[:], int64(folder.GlobalCounter)).Scan(&b)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		copy(g[:], b)
		return nil
	})
	return g, err
}

// ReadPerUser returns at most max bytes of a folder's per-user blob from
// offset, and the blob's whole size (RopReadPerUserInformation,
// [MS-OXCSTOR] 3.2.5.12). ErrNotFound when the mailbox holds none for the
// folder; ErrInvalidParam when offset is past the end.
func (s *Store) ReadPerUser(mb *Mailbox, folder prop.LongTermID, offset uint32, max int) (chunk []byte, total int, err error) {
	if max < 0 {
		max = 0
	}
	err = s.tx(func(tx *sql.Tx) error {
		if err := ensurePerUser(tx); err != nil {
			return err
		}
		// substr counts BLOB bytes from 1.
		err := tx.QueryRow(`SELECT substr(data, ?, ?), length(data) FROM peruser WHERE mailbox = ? AND folder_guid = ? AND folder_globcnt = ?`,
			int64(offset)+1, max, mb.ID, folder.DatabaseGuid[:], int64(folder.GlobalCounter)).Scan(&chunk, &total)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if int64(offset) > int64(total) {
			return ErrInvalidParam
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if chunk == nil {
		chunk = []byte{}
	}
	return chunk, total, nil
}

// PerUserWrite is one RopWritePerUserInformation piece.
type PerUserWrite struct {
	// Writer names who uploads (a logon of a session): each writer
	// streams one folder at a time ([MS-OXCSTOR] 3.1.5.2).
	Writer   string
	Folder   prop.LongTermID
	Offset   uint32
	Data     []byte
	ReplGUID prop.GUID // the providing public store, sent with Offset 0
	Finished bool
}

// WritePerUser applies one upload piece — [MS-OXCSTOR] 3.2.5.13.1. A piece
// continues the writer's staged upload when it names the same folder at
// the offset reached so far; otherwise the staged data is dropped and the
// piece must start a new upload (Offset 0), else ErrError. The last piece
// (Finished) has the whole blob validated as an IDSET with REPLGUIDs
// (ErrCorruptData) and stored for the folder with the REPLGUID of the
// first piece, replacing what the mailbox held.
func (s *Store) WritePerUser(mb *Mailbox, w PerUserWrite) error {
	var fail error // returned after the transaction commits the cleanup
	err := s.tx(func(tx *sql.Tx) error {
		if err := ensurePerUser(tx); err != nil {
			return err
		}
		now := s.opt.Clock()
		stale := int64(prop.FiletimeOf(now.Add(-perUserStagingTTL)))
		if _, err := tx.Exec(`DELETE FROM peruser_staging WHERE mailbox = ? AND mtime < ?`, mb.ID, stale); err != nil {
			return err
		}
		var fg, dg, data []byte
		var gc int64
		err := tx.QueryRow(`SELECT folder_guid, folder_globcnt, db_guid, data FROM peruser_staging WHERE mailbox = ? AND writer = ?`,
			mb.ID, w.Writer).Scan(&fg, &gc, &dg, &data)
		staged := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		same := staged && bytes.Equal(fg, w.Folder.DatabaseGuid[:]) && gc == int64(w.Folder.GlobalCounter)
		if w.Offset == 0 || !same || uint64(len(data)) != uint64(w.Offset) {
			if _, err := tx.Exec(`DELETE FROM peruser_staging WHERE mailbox = ? AND writer = ?`, mb.ID, w.Writer); err != nil {
				return err
			}
			if w.Offset != 0 {
				fail = ErrError
				return nil
			}
			data, dg = nil, w.ReplGUID[:]
		}
		if len(data)+len(w.Data) > MaxPerUserData {
			if _, err := tx.Exec(`DELETE FROM peruser_staging WHERE mailbox = ? AND writer = ?`, mb.ID, w.Writer); err != nil {
				return err
			}
			fail = ErrTooBig
			return nil
		}
		data = append(data, w.Data...)
		if data == nil {
			data = []byte{}
		}
		mtime := int64(prop.FiletimeOf(now))
		if !w.Finished {
			_, err := tx.Exec(`INSERT OR REPLACE INTO peruser_staging(mailbox, writer, folder_guid, folder_globcnt, db_guid, data, mtime) VALUES(?,?,?,?,?,?,?)`,
				mb.ID, w.Writer, w.Folder.DatabaseGuid[:], int64(w.Folder.GlobalCounter), dg, data, mtime)
			return err
		}
		if _, err := tx.Exec(`DELETE FROM peruser_staging WHERE mailbox = ? AND writer = ?`, mb.ID, w.Writer); err != nil {
			return err
		}
		if _, err := fxics.DecodeIDSet(data, true); err != nil {
			fail = ErrCorruptData
			return nil
		}
		_, err = tx.Exec(`INSERT OR REPLACE INTO peruser(mailbox, folder_guid, folder_globcnt, db_guid, data, mtime) VALUES(?,?,?,?,?,?)`,
			mb.ID, w.Folder.DatabaseGuid[:], int64(w.Folder.GlobalCounter), dg, data, mtime)
		return err
	})
	if err != nil {
		return err
	}
	return fail
}
