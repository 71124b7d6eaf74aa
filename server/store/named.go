package store

import (
	"database/sql"
	"errors"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// PSMAPI is the PS_MAPI property set: names in it map to the LID as id.
var PSMAPI = prop.GUID{0x28, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}

// Named property ids run from 0x8000 to 0xFFFE.
const (
	FirstNamedID = 0x8000
	LastNamedID  = 0xFFFE
)

func nameKey(n prop.PropertyName) (lid int64, name string) {
	if n.Kind == prop.KindLID {
		return int64(n.LID), ""
	}
	return -1, n.Name
}

// NamedPropertyID maps a property name to its id in the mailbox
// (RopGetPropertyIdsFromNames). Unknown names get the next free id when
// create is set, else ErrNotFound. PS_MAPI names map to their LID.
func (s *Store) NamedPropertyID(mb *Mailbox, n prop.PropertyName, create bool) (uint16, error) {
	if n.Kind != prop.KindLID && n.Kind != prop.KindName {
		return 0, ErrInvalidParam
	}
	if n.Guid == PSMAPI && n.Kind == prop.KindLID {
		if n.LID >= 0x8000 || n.LID == 0 {
			return 0, ErrNotFound
		}
		return uint16(n.LID), nil
	}
	var id uint16
	lid, name := nameKey(n)
	err := s.tx(func(tx *sql.Tx) error {
		err := tx.QueryRow(`SELECT id FROM namedprops WHERE mailbox = ? AND kind = ? AND guid = ? AND lid = ? AND name = ?`,
			mb.ID, n.Kind, n.Guid[:], lid, name).Scan(&id)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if !create {
			return ErrNotFound
		}
		var max int
		tx.QueryRow(`SELECT coalesce(max(id), ?) FROM namedprops WHERE mailbox = ?`, FirstNamedID-1, mb.ID).Scan(&max)
		if max >= LastNamedID {
			return ErrNotEnoughMemory
		}
		id = uint16(max + 1)
		_, err = tx.Exec(`INSERT INTO namedprops(mailbox, id, kind, guid, lid, name) VALUES(?,?,?,?,?,?)`, mb.ID, id, n.Kind, n.Guid[:], lid, name)
		return err
	})
	return id, err
}

// NamedPropertyName maps an id back to its name (RopGetNamesFromPropertyIds).
// Ids below 0x8000 are PS_MAPI names with the id as LID.
func (s *Store) NamedPropertyName(mb *Mailbox, id uint16) (prop.PropertyName, error) {
	if id < FirstNamedID {
		return prop.PropertyName{Kind: prop.KindLID, Guid: PSMAPI, LID: uint32(id)}, nil
	}
	var n prop.PropertyName
	err := s.tx(func(tx *sql.Tx) error {
		var g []byte
		var lid int64
		err := tx.QueryRow(`SELECT kind, guid, lid, name FROM namedprops WHERE mailbox = ? AND id = ?`, mb.ID, id).Scan(&n.Kind, &g, &lid, &n.Name)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		copy(n.Guid[:], g)
		if n.Kind == prop.KindLID {
			n.LID = uint32(lid)
		}
		return err
	})
	return n, err
}

// NamedProperty is one entry of the name map.
type NamedProperty struct {
	ID   uint16
	Name prop.PropertyName
}

// QueryNamedProperties lists the name map (RopQueryNamedProperties),
// optionally only names of one property set (guid != nil) and only LID
// or string names (QueryFlags NoStrings 0x01, NoIds 0x02).
func (s *Store) QueryNamedProperties(mb *Mailbox, guid *prop.GUID, queryFlags uint8) ([]NamedProperty, error) {
	var out []NamedProperty
	err := s.tx(func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT id, kind, guid, lid, name FROM namedprops WHERE mailbox = ? ORDER BY id`, mb.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var np NamedProperty
			var g []byte
			var lid int64
			if err := rows.Scan(&np.ID, &np.Name.Kind, &g, &lid, &np.Name.Name); err != nil {
				return err
			}
			copy(np.Name.Guid[:], g)
			if np.Name.Kind == prop.KindLID {
				np.Name.LID = uint32(lid)
			}
			if guid != nil && np.Name.Guid != *guid {
				continue
			}
			if queryFlags&0x01 != 0 && np.Name.Kind == prop.KindName {
				continue
			}
			if queryFlags&0x02 != 0 && np.Name.Kind == prop.KindLID {
				continue
			}
			out = append(out, np)
		}
		return rows.Err()
	})
	return out, err
}
