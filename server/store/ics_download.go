package store

import (
	"database/sql"
	"errors"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Queries of the ICS download — [MS-OXCFXICS] 3.2.5.9: what a
// synchronization needs to know of a folder's messages (ids, change
// numbers, read-state change numbers, scope) without loading them, and of
// the folders deleted under a synchronization root.

// SyncMessage is one live message of a folder as a contents
// synchronization sees it.
type SyncMessage struct {
	ID           prop.ID
	Associated   bool
	ChangeNumber uint64 // GLOBCNT of the message's last change
	ReadCN       uint64 // GLOBCNT of its last read-state change; 0 for none
	Read         bool
	Size         int32
	// DeliveryTime is PidTagMessageDeliveryTime, or PidTagLastModificationTime
	// when the message has none (the OrderByDeliveryTime order).
	DeliveryTime prop.Filetime
	// InScope reports that the message matches the synchronization's
	// restriction (always, without one).
	InScope bool
}

// SyncContents lists the live top-level messages of folder fid, normal
// and FAI, in creation order, each marked by whether it matches r (nil
// matches all). A search folder has no ICS contents: ErrNoSupport.
func (s *Store) SyncContents(mb *Mailbox, fid prop.ID, r *prop.Restriction) ([]SyncMessage, error) {
	var out []SyncMessage
	err := s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		if f.Type == FolderSearch {
			return ErrNoSupport
		}
		if r != nil {
			out, err = s.syncContentsMatching(tx, mb, fid, r)
			return err
		}
		rows, err := tx.Query(`SELECT m.oid, m.mid, m.assoc, m.cn, m.read_cn, m.read, m.size, p.tag, p.val
		  FROM messages m LEFT JOIN props p ON p.kind = ? AND p.oid = m.oid AND p.tag IN (?, ?) AND p.large = 0
		  WHERE m.mailbox = ? AND m.fid = ? AND m.parent_attach = 0 AND m.deleted = 0 ORDER BY m.oid`,
			kindMessage, uint32(TagMessageDeliveryTime), uint32(TagLastModificationTime), mb.ID, int64(fid))
		if err != nil {
			return err
		}
		defer rows.Close()
		var lastOID int64 = -1
		var delivered bool
		for rows.Next() {
			var oid, mid int64
			var sm SyncMessage
			var tag sql.NullInt64
			var val []byte
			if err := rows.Scan(&oid, &mid, &sm.Associated, &sm.ChangeNumber, &sm.ReadCN, &sm.Read, &sm.Size, &tag, &val); err != nil {
				return err
			}
			if oid != lastOID {
				sm.ID, sm.InScope = prop.ID(mid), true
				out = append(out, sm)
				lastOID, delivered = oid, false
			}
			if !tag.Valid {
				continue
			}
			v, err := decodeValue(prop.PtypTime, val)
			if err != nil {
				continue
			}
			t, _ := v.(prop.Filetime)
			cur := &out[len(out)-1]
			switch prop.Tag(uint32(tag.Int64)) {
			case TagMessageDeliveryTime:
				cur.DeliveryTime, delivered = t, true
			case TagLastModificationTime:
				if !delivered {
					cur.DeliveryTime = t
				}
			}
		}
		return rows.Err()
	})
	return out, err
}

// syncContentsMatching is SyncContents with a restriction: the rows carry
// their properties for the evaluation (and their recipients and
// attachments when the restriction looks into them).
func (s *Store) syncContentsMatching(tx *sql.Tx, mb *Mailbox, fid prop.ID, r *prop.Restriction) ([]SyncMessage, error) {
	rows, err := s.contents(tx, mb, `m.fid = ?`, int64(fid))
	if err != nil {
		return nil, err
	}
	m := NewMatcher(r)
	full := usesSubObject(r)
	out := make([]SyncMessage, 0, len(rows))
	for _, row := range rows {
		var src PropSource = row
		if full {
			msg, err := s.loadMessage(tx, mb, row.oid)
			if err != nil {
				return nil, err
			}
			src = &fullSource{row, msg}
		}
		sm := SyncMessage{ID: row.ID, Associated: row.Associated, ChangeNumber: row.ChangeNumber, ReadCN: row.ReadCN,
			Read: row.Read, Size: row.Props.Int32(TagMessageSize), InScope: m.Match(src)}
		if v, ok := row.Props.Get(TagMessageDeliveryTime); ok {
			sm.DeliveryTime, _ = v.(prop.Filetime)
		} else if v, ok := row.Props.Get(TagLastModificationTime); ok {
			sm.DeliveryTime, _ = v.(prop.Filetime)
		}
		out = append(out, sm)
	}
	return out, nil
}

// FolderTombstones lists the folder deletions of the mailbox with a change
// number above afterCN, oldest first (FolderID is the deleted folder's
// parent).
func (s *Store) FolderTombstones(mb *Mailbox, afterCN uint64) ([]Tombstone, error) {
	var out []Tombstone
	err := s.tx(func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT id, fid, cn, hard, deleted_at FROM tombstones WHERE mailbox = ? AND is_folder = 1 AND cn > ? ORDER BY cn`, mb.ID, afterCN)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t := Tombstone{IsFolder: true}
			var id, f, at int64
			if err := rows.Scan(&id, &f, &t.ChangeNumber, &t.Hard, &at); err != nil {
				return err
			}
			t.ID, t.FolderID, t.DeletedAt = prop.ID(id), prop.ID(f), prop.Filetime(at)
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// Replicas returns the mailbox's replica map, REPLID → REPLGUID
// ([MS-OXCSTOR] 3.2.5.9), without allocating anything.
func (s *Store) Replicas(mb *Mailbox) (map[uint16]prop.GUID, error) {
	out := map[uint16]prop.GUID{}
	err := s.tx(func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT replid, guid FROM replicas WHERE mailbox = ?`, mb.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id uint16
			var b []byte
			if err := rows.Scan(&id, &b); err != nil {
				return err
			}
			var g prop.GUID
			copy(g[:], b)
			out[id] = g
		}
		return rows.Err()
	})
	if err == nil {
		if _, ok := out[1]; !ok {
			out[1] = mb.ReplicaGUID
		}
	}
	return out, err
}

// MessageFolder returns the folder a live top-level message is in.
func (s *Store) MessageFolder(mb *Mailbox, mid prop.ID) (prop.ID, error) {
	var fid int64
	err := s.tx(func(tx *sql.Tx) error {
		err := tx.QueryRow(`SELECT fid FROM messages WHERE mailbox = ? AND mid = ? AND parent_attach = 0 AND deleted = 0`, mb.ID, int64(mid)).Scan(&fid)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	return prop.ID(fid), err
}
