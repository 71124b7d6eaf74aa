package store

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Folder rights (PidTagMemberRights) — [MS-OXCPERM] 2.2.7.
const (
	RightReadAny          uint32 = 0x00000001
	RightCreate           uint32 = 0x00000002
	RightEditOwned        uint32 = 0x00000008
	RightDeleteOwned      uint32 = 0x00000010
	RightEditAny          uint32 = 0x00000020
	RightDeleteAny        uint32 = 0x00000040
	RightCreateSubfolder  uint32 = 0x00000080
	RightFolderOwner      uint32 = 0x00000100
	RightFolderContact    uint32 = 0x00000200
	RightFolderVisible    uint32 = 0x00000400
	RightFreeBusySimple   uint32 = 0x00000800
	RightFreeBusyDetailed uint32 = 0x00001000
	RightsOwner           uint32 = 0x000007FB // all but FreeBusy bits: Owner role
)

// Special member ids — [MS-OXCPERM] 2.2.4.
const (
	MemberDefault   int64 = 0
	MemberAnonymous int64 = -1 // 0xFFFFFFFFFFFFFFFF
)

// Permission is one row of a folder's permissions table.
type Permission struct {
	MemberID int64
	EntryID  []byte // address book EntryID of the member (empty for default/anonymous)
	Name     string // PidTagMemberName
	User     string // SMTP address of the member ("" for default/anonymous)
	Rights   uint32
}

// Props returns the permissions-table row.
func (p *Permission) Props() Props {
	r := Props{}
	r.Set(TagMemberId, p.MemberID)
	r.Set(TagEntryId, append([]byte{}, p.EntryID...))
	r.Set(TagMemberName, p.Name)
	r.Set(TagMemberRights, int32(p.Rights))
	return r
}

// PermOp is one PermissionsData of RopModifyPermissions.
type PermOp struct {
	Op   uint8 // RowAdd, RowModify, RowRemove
	Perm Permission
}

// Permissions lists a folder's permission rows: Default and Anonymous
// first (with rights 0 unless set), then the members by id.
func (s *Store) Permissions(mb *Mailbox, fid prop.ID) ([]Permission, error) {
	var out []Permission
	err := s.tx(func(tx *sql.Tx) error {
		if _, err := getFolder(tx, mb, fid); err != nil {
			return err
		}
		var err error
		out, err = loadPerms(tx, mb, fid)
		return err
	})
	return out, err
}

func loadPerms(tx *sql.Tx, mb *Mailbox, fid prop.ID) ([]Permission, error) {
	out := []Permission{{MemberID: MemberDefault, Name: ""}, {MemberID: MemberAnonymous, Name: "Anonymous"}}
	rows, err := tx.Query(`SELECT member_id, entry_id, name, user, rights FROM permissions WHERE mailbox = ? AND fid = ? ORDER BY member_id`, mb.ID, int64(fid))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Permission
		if err := rows.Scan(&p.MemberID, &p.EntryID, &p.Name, &p.User, &p.Rights); err != nil {
			return nil, err
		}
		switch p.MemberID {
		case MemberDefault:
			out[0].Rights = p.Rights
		case MemberAnonymous:
			out[1].Rights = p.Rights
		default:
			out = append(out, p)
		}
	}
	return out, rows.Err()
}

// ModifyPermissions applies RopModifyPermissions. RowAdd adds a member
// (User must be set: the handler resolves the EntryID to a user) with a
// new member id, or updates the rights of an existing one; RowModify
// changes the rights of MemberID (Default and Anonymous included);
// RowRemove removes MemberID. With replace all members are removed first.
func (s *Store) ModifyPermissions(mb *Mailbox, fid prop.ID, replace bool, ops []PermOp) error {
	return s.tx(func(tx *sql.Tx) error {
		if _, err := getFolder(tx, mb, fid); err != nil {
			return err
		}
		if replace {
			if _, err := tx.Exec(`DELETE FROM permissions WHERE mailbox = ? AND fid = ?`, mb.ID, int64(fid)); err != nil {
				return err
			}
		}
		for _, op := range ops {
			p := op.Perm
			switch op.Op {
			case RowAdd:
				if p.User == "" {
					return ErrInvalidParam
				}
				var id int64
				err := tx.QueryRow(`SELECT member_id FROM permissions WHERE mailbox = ? AND fid = ? AND user = ?`, mb.ID, int64(fid), p.User).Scan(&id)
				if errors.Is(err, sql.ErrNoRows) {
					tx.QueryRow(`SELECT coalesce(max(member_id), 0) + 1 FROM permissions WHERE mailbox = ? AND fid = ? AND member_id > 0`, mb.ID, int64(fid)).Scan(&id)
				} else if err != nil {
					return err
				}
				if p.Name == "" {
					p.Name = p.User
				}
				if _, err := tx.Exec(`INSERT OR REPLACE INTO permissions(mailbox, fid, member_id, entry_id, name, user, rights) VALUES(?,?,?,?,?,?,?)`,
					mb.ID, int64(fid), id, p.EntryID, p.Name, p.User, p.Rights); err != nil {
					return err
				}
			case RowModify:
				if p.MemberID == MemberDefault || p.MemberID == MemberAnonymous {
					name := ""
					if p.MemberID == MemberAnonymous {
						name = "Anonymous"
					}
					if _, err := tx.Exec(`INSERT OR REPLACE INTO permissions(mailbox, fid, member_id, entry_id, name, user, rights) VALUES(?,?,?,NULL,?,'',?)`,
						mb.ID, int64(fid), p.MemberID, name, p.Rights); err != nil {
						return err
					}
					continue
				}
				res, err := tx.Exec(`UPDATE permissions SET rights = ? WHERE mailbox = ? AND fid = ? AND member_id = ?`, p.Rights, mb.ID, int64(fid), p.MemberID)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					return ErrNotFound
				}
			case RowRemove:
				if p.MemberID == MemberDefault || p.MemberID == MemberAnonymous {
					if _, err := tx.Exec(`DELETE FROM permissions WHERE mailbox = ? AND fid = ? AND member_id = ?`, mb.ID, int64(fid), p.MemberID); err != nil {
						return err
					}
					continue
				}
				res, err := tx.Exec(`DELETE FROM permissions WHERE mailbox = ? AND fid = ? AND member_id = ?`, mb.ID, int64(fid), p.MemberID)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					return ErrNotFound
				}
			default:
				return ErrInvalidParam
			}
		}
		return nil
	})
}

// Rights returns the rights user (an SMTP address; "" for anonymous) has
// on a folder of mailbox mb: everything for the owner, else the member's
// row, else the Default (or Anonymous) row.
func (s *Store) Rights(mb *Mailbox, fid prop.ID, user string) (uint32, error) {
	if user != "" && strings.EqualFold(user, mb.Email) {
		return RightsOwner | RightFreeBusyDetailed | RightFreeBusySimple, nil
	}
	var rights uint32
	err := s.tx(func(tx *sql.Tx) error {
		if _, err := getFolder(tx, mb, fid); err != nil {
			return err
		}
		member := MemberDefault
		if user == "" {
			member = MemberAnonymous
		} else {
			err := tx.QueryRow(`SELECT rights FROM permissions WHERE mailbox = ? AND fid = ? AND user = ? AND member_id > 0`, mb.ID, int64(fid), user).Scan(&rights)
			if err == nil || !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		err := tx.QueryRow(`SELECT rights FROM permissions WHERE mailbox = ? AND fid = ? AND member_id = ?`, mb.ID, int64(fid), member).Scan(&rights)
		if errors.Is(err, sql.ErrNoRows) {
			rights = 0
			return nil
		}
		return err
	})
	return rights, err
}

// CanAccess reports whether user may use a folder of mailbox mb with all
// of the given rights (the cross-mailbox isolation check).
func (s *Store) CanAccess(mb *Mailbox, fid prop.ID, user string, right uint32) bool {
	r, err := s.Rights(mb, fid, user)
	return err == nil && r&right == right
}
