package store

import (
	"database/sql"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// SearchFlags of RopSetSearchCriteria — [MS-OXCROPS] 2.2.4.4.
const (
	SearchStop      uint32 = 0x00000001
	SearchRestart   uint32 = 0x00000002
	SearchRecursive uint32 = 0x00000004
	SearchShallow   uint32 = 0x00000008
)

// SearchState bits of RopGetSearchCriteria — [MS-OXCROPS] 2.2.4.5.
const (
	SearchStateRunning   uint32 = 0x00000001
	SearchStateRebuild   uint32 = 0x00000002
	SearchStateRecursive uint32 = 0x00000004
	SearchStateComplete  uint32 = 0x00001000
)

// SearchCriteria is a search folder's definition.
type SearchCriteria struct {
	Restriction *prop.Restriction
	FolderIDs   []prop.ID
	Flags       uint32 // as last set (SearchStop, SearchRecursive, …)
}

// State is the SearchFlags value RopGetSearchCriteria returns. Searches
// are evaluated when read, so a running search is always complete.
func (c *SearchCriteria) State() uint32 {
	var st uint32
	if c.Flags&SearchStop == 0 {
		st |= SearchStateRunning | SearchStateComplete
	}
	if c.Flags&SearchRecursive != 0 {
		st |= SearchStateRecursive
	}
	return st
}

func encodeRestriction(r *prop.Restriction) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	c := wire.NewEncoder(nil)
	prop.CodecRestriction(c, r, "", prop.Wide)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return c.Output(), nil
}

func decodeRestriction(b []byte) (*prop.Restriction, error) {
	if len(b) == 0 {
		return nil, nil
	}
	r := &prop.Restriction{}
	c := wire.NewDecoder(b, false, "")
	prop.CodecRestriction(c, r, "", prop.Wide)
	return r, c.Err()
}

func encodeIDs(ids []prop.ID) []byte {
	var b []byte
	for _, id := range ids {
		b = append(b, id.Bytes()...)
	}
	return b
}

func decodeIDs(b []byte) []prop.ID {
	var out []prop.ID
	for len(b) >= 8 {
		var v uint64
		for i := 7; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		out = append(out, prop.ID(v))
		b = b[8:]
	}
	return out
}

// SetSearchCriteria defines or changes a search folder's restriction,
// scope and flags (RopSetSearchCriteria). A nil restriction or empty
// scope keeps the previous one, as the spec allows on a restart.
func (s *Store) SetSearchCriteria(mb *Mailbox, fid prop.ID, r *prop.Restriction, scope []prop.ID, flags uint32) error {
	return s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		if f.Type != FolderSearch {
			return ErrNotSearchFolder
		}
		for _, id := range scope {
			if _, err := getFolder(tx, mb, id); err != nil {
				return err
			}
		}
		if r != nil {
			b, err := encodeRestriction(r)
			if err != nil {
				return ErrInvalidParam
			}
			if _, err := tx.Exec(`UPDATE folders SET search_restriction = ? WHERE oid = ?`, b, f.oid); err != nil {
				return err
			}
		}
		if len(scope) > 0 {
			if _, err := tx.Exec(`UPDATE folders SET search_scope = ? WHERE oid = ?`, encodeIDs(scope), f.oid); err != nil {
				return err
			}
		}
		_, err = tx.Exec(`UPDATE folders SET search_flags = ? WHERE oid = ?`, flags, f.oid)
		return err
	})
}

// ErrNotSearchFolder is ecNotSearchFolder.
const ErrNotSearchFolder = prop.ErrorCode(0x00000461)

// GetSearchCriteria returns a search folder's definition (RopGetSearchCriteria).
func (s *Store) GetSearchCriteria(mb *Mailbox, fid prop.ID) (*SearchCriteria, error) {
	var c *SearchCriteria
	err := s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		if f.Type != FolderSearch {
			return ErrNotSearchFolder
		}
		c, err = searchCriteria(tx, f)
		return err
	})
	return c, err
}

func searchCriteria(tx *sql.Tx, f *Folder) (*SearchCriteria, error) {
	var rb, sb []byte
	c := &SearchCriteria{}
	if err := tx.QueryRow(`SELECT search_flags, search_restriction, search_scope FROM folders WHERE oid = ?`, f.oid).Scan(&c.Flags, &rb, &sb); err != nil {
		return nil, err
	}
	var err error
	c.Restriction, err = decodeRestriction(rb)
	c.FolderIDs = decodeIDs(sb)
	return c, err
}

func usesSubObject(r *prop.Restriction) bool {
	if r == nil {
		return false
	}
	if r.RestrictType == prop.RestrictSubObject {
		return true
	}
	for i := range r.Restricts {
		if usesSubObject(&r.Restricts[i]) {
			return true
		}
	}
	return usesSubObject(r.Restriction)
}

// searchResults evaluates a search folder: the normal messages of its
// scope folders (and their subfolders when recursive) matching its
// restriction.
func (s *Store) searchResults(tx *sql.Tx, mb *Mailbox, f *Folder) ([]*ContentRow, error) {
	c, err := searchCriteria(tx, f)
	if err != nil {
		return nil, err
	}
	if c.Flags&SearchStop != 0 && c.Restriction == nil {
		return nil, nil
	}
	var scope []prop.ID
	seen := map[prop.ID]bool{}
	var add func(id prop.ID) error
	add = func(id prop.ID) error {
		if seen[id] || id == f.ID {
			return nil
		}
		seen[id] = true
		scope = append(scope, id)
		if c.Flags&SearchRecursive == 0 {
			return nil
		}
		kids, err := children(tx, mb, id)
		if err != nil {
			return err
		}
		for _, k := range kids {
			if err := add(k.ID); err != nil {
				return err
			}
		}
		return nil
	}
	for _, id := range c.FolderIDs {
		if err := add(id); err != nil {
			return nil, err
		}
	}
	m := NewMatcher(c.Restriction)
	full := usesSubObject(c.Restriction)
	var out []*ContentRow
	for _, id := range scope {
		rows, err := s.contents(tx, mb, `m.fid = ? AND m.assoc = 0`, int64(id))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			var src PropSource = r
			if full {
				msg, err := s.loadMessage(tx, mb, r.oid)
				if err != nil {
					return nil, err
				}
				src = &fullSource{r, msg}
			}
			if m.Match(src) {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// fullSource is a content row with the recipients and attachments of its
// message for SubObject restrictions.
type fullSource struct {
	*ContentRow
	msg *Message
}

func (f *fullSource) SubObjects(tag prop.Tag) []PropSource { return f.msg.SubObjects(tag) }
