package store

import (
	"database/sql"
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
	rows, err := s.ReceiveFolderTable(mb)
	if err != nil {
		return 0, "", err
	}
	c := class
	for {
		for _, r := range rows {
			if strings.EqualFold(r.MessageClass, c) {
				return r.FolderID, r.MessageClass, nil
			}
		}
		if c == "" {
			return 0, "", ErrNotFound
		}
		if i := strings.LastIndexByte(c, '.'); i >= 0 {
			c = c[:i]
		} else {
			c = ""
		}
	}
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
	defer s.forgetReceiveFolders(mb)
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
	// Outlook asks for receive folders in nearly every startup batch; the
	// table is kept in memory per mailbox and dropped when it changes.
	s.rfMu.Lock()
	cached, ok := s.rfCache[mb.ID]
	s.rfMu.Unlock()
	if ok {
		return append([]ReceiveFolderRow(nil), cached...), nil
	}
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
	if err == nil {
		s.rfMu.Lock()
		if s.rfCache == nil {
			s.rfCache = map[int64][]ReceiveFolderRow{}
		}
		s.rfCache[mb.ID] = append([]ReceiveFolderRow(nil), out...)
		s.rfMu.Unlock()
	}
	return out, err
}

func (s *Store) forgetReceiveFolders(mb *Mailbox) {
	s.rfMu.Lock()
	delete(s.rfCache, mb.ID)
	s.rfMu.Unlock()
}
