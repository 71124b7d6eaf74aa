package store

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// ReceiveFolderRow is one row of the receive folder table.
type ReceiveFolderRow struct {
	FolderID             prop.ID
	MessageClass         string
	LastModificationTime prop.Filetime
}

// ReceiveFolder returns the folder for a message class (RopGetReceiveFolder):
// the longest explicitly set class that equals the class or is a
// dot-separated prefix of it, falling back to "" (the Inbox). It also
// returns the class that matched (ExplicitMessageClass).
func (s *Store) ReceiveFolder(mb *Mailbox, class string) (prop.ID, string, error) {
	var fid prop.ID
	var explicit string
	err := s.tx(func(tx *sql.Tx) error {
		c := class
		for {
			var id int64
			var name string
			err := tx.QueryRow(`SELECT fid, class FROM receive_folders WHERE mailbox = ? AND class = ?`, mb.ID, c).Scan(&id, &name)
			if err == nil {
				fid, explicit = prop.ID(id), name
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if c == "" {
				return ErrNotFound
			}
			if i := strings.LastIndexByte(c, '.'); i >= 0 {
				c = c[:i]
			} else {
				c = ""
			}
		}
	})
	return fid, explicit, err
}

// SetReceiveFolder sets (fid != 0) or removes (fid == 0) the receive
// folder of a class (RopSetReceiveFolder). The default class "" cannot
// be removed; classes are ASCII of at most 255 characters.
func (s *Store) SetReceiveFolder(mb *Mailbox, class string, fid prop.ID) error {
	if len(class) > 255 {
		return ErrInvalidParam
	}
	for _, r := range class {
		if r < 0x20 || r > 0x7E {
			return ErrInvalidParam
		}
	}
	return s.tx(func(tx *sql.Tx) error {
		if fid == 0 {
			if class == "" {
				return ErrInvalidParam
			}
			_, err := tx.Exec(`DELETE FROM receive_folders WHERE mailbox = ? AND class = ?`, mb.ID, class)
			return err
		}
		if _, err := getFolder(tx, mb, fid); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO receive_folders(mailbox, class, fid, mtime) VALUES(?,?,?,?)
		  ON CONFLICT(mailbox, class) DO UPDATE SET fid = excluded.fid, mtime = excluded.mtime`, mb.ID, class, int64(fid), int64(s.now()))
		return err
	})
}

// ReceiveFolderTable lists the explicit classes (RopGetReceiveFolderTable),
// longest class first so that a more specific class precedes its prefix
// (IPM.Note before IPM), then by name.
func (s *Store) ReceiveFolderTable(mb *Mailbox) ([]ReceiveFolderRow, error) {
	var out []ReceiveFolderRow
	err := s.tx(func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT fid, class, mtime FROM receive_folders WHERE mailbox = ? ORDER BY length(class) DESC, class`, mb.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r ReceiveFolderRow
			var fid, mt int64
			if err := rows.Scan(&fid, &r.MessageClass, &mt); err != nil {
				return err
			}
			r.FolderID, r.LastModificationTime = prop.ID(fid), prop.Filetime(mt)
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}
