package store

import (
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Role identifies a special folder.
type Role int

const (
	RoleNone Role = iota
	RoleRoot
	RoleDeferredAction
	RoleSpoolerQueue
	RoleIPMSubtree
	RoleInbox
	RoleOutbox
	RoleSentItems
	RoleDeletedItems
	RoleCommonViews
	RoleSchedule
	RoleFinder
	RoleViews
	RoleShortcuts
	RoleDrafts
	RoleCalendar
	RoleContacts
	RoleJournal
	RoleNotes
	RoleTasks
	RoleSyncIssues
	RoleConflicts
	RoleLocalFailures
	RoleServerFailures
	RoleJunk
)

type specialFolder struct {
	role   Role
	parent Role
	name   string
	class  string
	ftype  uint32
	hidden bool
}

// specialFolders in creation order: the first 13 are created in RopLogon
// order so that their GLOBCNTs are 1..13.
var specialFolders = []specialFolder{
	{RoleRoot, RoleNone, "Root Container", "", FolderRoot, false},
	{RoleDeferredAction, RoleRoot, "Deferred Action", "", FolderGeneric, true},
	{RoleSpoolerQueue, RoleRoot, "Spooler Queue", "", FolderGeneric, true},
	{RoleIPMSubtree, RoleRoot, "Top of Information Store", "", FolderGeneric, false},
	{RoleInbox, RoleIPMSubtree, "Inbox", "IPF.Note", FolderGeneric, false},
	{RoleOutbox, RoleIPMSubtree, "Outbox", "IPF.Note", FolderGeneric, false},
	{RoleSentItems, RoleIPMSubtree, "Sent Items", "IPF.Note", FolderGeneric, false},
	{RoleDeletedItems, RoleIPMSubtree, "Deleted Items", "IPF.Note", FolderGeneric, false},
	{RoleCommonViews, RoleRoot, "Common Views", "", FolderGeneric, true},
	{RoleSchedule, RoleRoot, "Schedule", "", FolderGeneric, true},
	{RoleFinder, RoleRoot, "Finder", "", FolderGeneric, true},
	{RoleViews, RoleRoot, "Views", "", FolderGeneric, true},
	{RoleShortcuts, RoleRoot, "Shortcuts", "", FolderGeneric, true},
	{RoleDrafts, RoleIPMSubtree, "Drafts", "IPF.Note", FolderGeneric, false},
	{RoleCalendar, RoleIPMSubtree, "Calendar", "IPF.Appointment", FolderGeneric, false},
	{RoleContacts, RoleIPMSubtree, "Contacts", "IPF.Contact", FolderGeneric, false},
	{RoleJournal, RoleIPMSubtree, "Journal", "IPF.Journal", FolderGeneric, false},
	{RoleNotes, RoleIPMSubtree, "Notes", "IPF.StickyNote", FolderGeneric, false},
	{RoleTasks, RoleIPMSubtree, "Tasks", "IPF.Task", FolderGeneric, false},
	{RoleSyncIssues, RoleIPMSubtree, "Sync Issues", "IPF.Note", FolderGeneric, false},
	{RoleConflicts, RoleSyncIssues, "Conflicts", "IPF.Note", FolderGeneric, false},
	{RoleLocalFailures, RoleSyncIssues, "Local Failures", "IPF.Note", FolderGeneric, false},
	{RoleServerFailures, RoleSyncIssues, "Server Failures", "IPF.Note", FolderGeneric, false},
	{RoleJunk, RoleIPMSubtree, "Junk E-mail", "IPF.Note", FolderGeneric, false},
}

// LogonFolderRoles are the 13 folders RopLogon returns, in its order.
var LogonFolderRoles = [13]Role{
	RoleRoot, RoleDeferredAction, RoleSpoolerQueue, RoleIPMSubtree, RoleInbox,
	RoleOutbox, RoleSentItems, RoleDeletedItems, RoleCommonViews, RoleSchedule,
	RoleFinder, RoleViews, RoleShortcuts,
}

// Folder is a folder's identity and bookkeeping.
type Folder struct {
	ID           prop.ID
	Parent       prop.ID // 0 for the root
	Name         string
	Role         Role
	Type         uint32 // FolderRoot, FolderGeneric, FolderSearch
	ChangeNumber uint64 // GLOBCNT of the last change
	oid          int64
}

func (s *Store) createSpecialFolders(tx *sql.Tx, mb *Mailbox) error {
	byRole := map[Role]prop.ID{}
	base, err := allocGlobCnt(tx, mb.ID, uint64(len(specialFolders)))
	if err != nil {
		return err
	}
	for i, sf := range specialFolders {
		var extra []prop.TaggedValue
		if sf.class != "" {
			extra = append(extra, prop.TaggedValue{Tag: TagContainerClass, Value: sf.class})
		}
		if sf.hidden {
			extra = append(extra, prop.TaggedValue{Tag: TagAttributeHidden, Value: true})
		}
		f, err := s.createFolder(tx, mb, byRole[sf.parent], sf.name, sf.ftype, sf.role, extra, prop.MakeID(1, base+uint64(i)))
		if err != nil {
			return fmt.Errorf("special folder %s: %w", sf.name, err)
		}
		byRole[sf.role] = f.ID
	}
	inbox := byRole[RoleInbox]
	now := int64(s.now())
	for _, rf := range []struct {
		class string
		fid   prop.ID
	}{{"", inbox}, {"IPM", inbox}, {"IPM.Note", inbox}, {"REPORT.IPM", inbox}, {"IPC", byRole[RoleRoot]}} {
		if _, err := tx.Exec(`INSERT INTO receive_folders(mailbox, class, fid, mtime) VALUES(?,?,?,?)`, mb.ID, rf.class, int64(rf.fid), now); err != nil {
			return err
		}
	}
	return nil
}

// createFolder inserts a folder; id 0 allocates a new FID.
func (s *Store) createFolder(tx *sql.Tx, mb *Mailbox, parent prop.ID, name string, ftype uint32, role Role, extra []prop.TaggedValue, id prop.ID) (*Folder, error) {
	if id == 0 {
		gc, err := allocGlobCnt(tx, mb.ID, 1)
		if err != nil {
			return nil, err
		}
		id = prop.MakeID(1, gc)
	}
	cn, err := allocGlobCnt(tx, mb.ID, 1)
	if err != nil {
		return nil, err
	}
	res, err := tx.Exec(`INSERT INTO folders(mailbox, fid, parent, name, role, ftype, cn) VALUES(?,?,?,?,?,?,?)`,
		mb.ID, int64(id), int64(parent), name, int(role), ftype, cn)
	if err != nil {
		return nil, err
	}
	oid, _ := res.LastInsertId()
	now := s.now()
	ck := XID(mb.ReplicaGUID, cn)
	vals := []prop.TaggedValue{
		{Tag: TagDisplayName, Value: name},
		{Tag: TagFolderType, Value: int32(ftype)},
		{Tag: TagCreationTime, Value: now},
		{Tag: TagLastModificationTime, Value: now},
		{Tag: TagLocalCommitTimeMax, Value: now},
		{Tag: TagSourceKey, Value: s.sourceKey(mb, id)},
		{Tag: TagChangeKey, Value: ck},
		{Tag: TagPredecessorChangeList, Value: UpdatePCL(nil, ck)},
	}
	if parent != 0 {
		vals = append(vals, prop.TaggedValue{Tag: TagParentSourceKey, Value: s.sourceKey(mb, parent)})
	}
	seen := map[uint16]bool{}
	for _, v := range vals {
		seen[v.Tag.ID()] = true
	}
	for _, v := range extra {
		if !seen[v.Tag.ID()] && !computedFolderTag(v.Tag) {
			vals = append(vals, v)
			seen[v.Tag.ID()] = true
		}
	}
	if err := setProps(tx, kindFolder, oid, vals); err != nil {
		return nil, err
	}
	return &Folder{ID: id, Parent: parent, Name: name, Role: role, Type: ftype, ChangeNumber: cn, oid: oid}, nil
}

// sourceKey is XID(REPLGUID of the id's replica, GLOBCNT of the id).
func (s *Store) sourceKey(mb *Mailbox, id prop.ID) []byte {
	return XID(mb.ReplicaGUID, id.GlobalCounter())
}

func computedFolderTag(t prop.Tag) bool {
	switch t.ID() {
	case TagFolderId.ID(), TagParentFolderId.ID(), TagContentCount.ID(), TagContentUnreadCount.ID(),
		TagAssociatedContentCount.ID(), TagSubfolders.ID(), TagChangeNumber.ID(), TagDeletedCountTotal.ID(),
		TagFolderType.ID():
		return true
	}
	return false
}

const folderCols = `oid, fid, parent, name, role, ftype, cn`

func scanFolder(row interface{ Scan(...any) error }) (*Folder, error) {
	f := &Folder{}
	var fid, parent int64
	if err := row.Scan(&f.oid, &fid, &parent, &f.Name, &f.Role, &f.Type, &f.ChangeNumber); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	f.ID, f.Parent = prop.ID(fid), prop.ID(parent)
	return f, nil
}

func getFolder(tx *sql.Tx, mb *Mailbox, fid prop.ID) (*Folder, error) {
	return scanFolder(tx.QueryRow(`SELECT `+folderCols+` FROM folders WHERE mailbox = ? AND fid = ? AND deleted = 0`, mb.ID, int64(fid)))
}

// SpecialFolder returns the folder of a role.
func (s *Store) SpecialFolder(mb *Mailbox, role Role) (*Folder, error) {
	var f *Folder
	err := s.tx(func(tx *sql.Tx) (err error) {
		f, err = scanFolder(tx.QueryRow(`SELECT `+folderCols+` FROM folders WHERE mailbox = ? AND role = ? AND deleted = 0`, mb.ID, int(role)))
		return err
	})
	return f, err
}

// LogonFolderIDs returns the 13 FolderIds of the RopLogon response.
func (s *Store) LogonFolderIDs(mb *Mailbox) ([13]prop.ID, error) {
	var ids [13]prop.ID
	for i, r := range LogonFolderRoles {
		f, err := s.SpecialFolder(mb, r)
		if err != nil {
			return ids, err
		}
		ids[i] = f.ID
	}
	return ids, nil
}

// Folder opens a folder by id.
func (s *Store) Folder(mb *Mailbox, fid prop.ID) (*Folder, error) {
	var f *Folder
	err := s.tx(func(tx *sql.Tx) (err error) {
		f, err = getFolder(tx, mb, fid)
		return err
	})
	return f, err
}

func childByName(tx *sql.Tx, mb *Mailbox, parent prop.ID, name string) (*Folder, error) {
	rows, err := tx.Query(`SELECT `+folderCols+` FROM folders WHERE mailbox = ? AND parent = ? AND deleted = 0`, mb.ID, int64(parent))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFolder(rows)
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(f.Name, name) {
			return f, nil
		}
	}
	return nil, ErrNotFound
}

// FolderByName finds a direct child of parent by display name (case-insensitive).
func (s *Store) FolderByName(mb *Mailbox, parent prop.ID, name string) (*Folder, error) {
	var f *Folder
	err := s.tx(func(tx *sql.Tx) (err error) {
		f, err = childByName(tx, mb, parent, name)
		return err
	})
	return f, err
}

// CreateFolder creates a folder under parent (RopCreateFolder). A
// sibling of the same name gives ErrDuplicateName, unless openExisting,
// when it is returned with existed = true. ftype is FolderGeneric or
// FolderSearch. props are extra properties (PidTagComment,
// PidTagContainerClass, …).
func (s *Store) CreateFolder(mb *Mailbox, parent prop.ID, name string, ftype uint32, props []prop.TaggedValue, openExisting bool) (f *Folder, existed bool, err error) {
	if name == "" || (ftype != FolderGeneric && ftype != FolderSearch) {
		return nil, false, ErrInvalidParam
	}
	err = s.tx(func(tx *sql.Tx) error {
		if _, err := getFolder(tx, mb, parent); err != nil {
			return err
		}
		if old, err := childByName(tx, mb, parent, name); err == nil {
			if openExisting {
				f, existed = old, true
				return nil
			}
			return ErrDuplicateName
		}
		f, err = s.createFolder(tx, mb, parent, name, ftype, RoleNone, props, 0)
		return err
	})
	return f, existed, err
}

// Counts are a folder's computed counts.
type Counts struct {
	Content, Unread, Associated, Subfolders, Deleted int
}

func folderCounts(tx *sql.Tx, mb *Mailbox, f *Folder) (Counts, error) {
	var c Counts
	err := tx.QueryRow(`SELECT
	  coalesce(sum(assoc = 0 AND deleted = 0), 0),
	  coalesce(sum(assoc = 0 AND deleted = 0 AND read = 0), 0),
	  coalesce(sum(assoc = 1 AND deleted = 0), 0),
	  coalesce(sum(deleted = 1), 0)
	  FROM messages WHERE mailbox = ? AND fid = ? AND parent_attach = 0`, mb.ID, int64(f.ID)).Scan(&c.Content, &c.Unread, &c.Associated, &c.Deleted)
	if err != nil {
		return c, err
	}
	err = tx.QueryRow(`SELECT count(*) FROM folders WHERE mailbox = ? AND parent = ? AND deleted = 0`, mb.ID, int64(f.ID)).Scan(&c.Subfolders)
	if f.Type == FolderSearch {
		c.Content, c.Unread = 0, 0
	}
	return c, err
}

// FolderCounts returns content, unread, associated and subfolder counts.
// For a search folder Content and Unread count the current results.
func (s *Store) FolderCounts(mb *Mailbox, fid prop.ID) (Counts, error) {
	var c Counts
	err := s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		c, err = folderCounts(tx, mb, f)
		if err == nil && f.Type == FolderSearch {
			res, err := s.searchResults(tx, mb, f)
			if err != nil {
				return err
			}
			for _, r := range res {
				c.Content++
				if !r.Read {
					c.Unread++
				}
			}
		}
		return err
	})
	return c, err
}

func (s *Store) folderProps(tx *sql.Tx, mb *Mailbox, f *Folder) (Props, error) {
	p, err := loadProps(tx, kindFolder, f.oid, true)
	if err != nil {
		return nil, err
	}
	c, err := folderCounts(tx, mb, f)
	if err != nil {
		return nil, err
	}
	p.Set(TagFolderId, int64(f.ID))
	p.Set(TagParentFolderId, int64(f.Parent))
	p.Set(TagContentCount, int32(c.Content))
	p.Set(TagContentUnreadCount, int32(c.Unread))
	p.Set(TagAssociatedContentCount, int32(c.Associated))
	p.Set(TagDeletedCountTotal, int32(c.Deleted))
	p.Set(TagSubfolders, c.Subfolders > 0)
	p.Set(TagChangeNumber, int64(prop.MakeID(1, f.ChangeNumber)))
	p.Set(TagFolderType, int32(f.Type))
	p.Set(TagDisplayName, f.Name)
	return p, nil
}

// FolderProps returns all properties of a folder, stored and computed
// (PidTagFolderId, PidTagParentFolderId, PidTagContentCount,
// PidTagContentUnreadCount, PidTagAssociatedContentCount,
// PidTagSubfolders, PidTagChangeNumber, PidTagDeletedCountTotal).
func (s *Store) FolderProps(mb *Mailbox, fid prop.ID) (Props, error) {
	var p Props
	err := s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		p, err = s.folderProps(tx, mb, f)
		return err
	})
	return p, err
}

// bumpFolder gives a folder a new change number, change key and PCL.
func (s *Store) bumpFolder(tx *sql.Tx, mb *Mailbox, f *Folder) error {
	cn, err := allocGlobCnt(tx, mb.ID, 1)
	if err != nil {
		return err
	}
	f.ChangeNumber = cn
	if _, err := tx.Exec(`UPDATE folders SET cn = ? WHERE oid = ?`, cn, f.oid); err != nil {
		return err
	}
	old, err := loadProps(tx, kindFolder, f.oid, false)
	if err != nil {
		return err
	}
	pcl, _ := old[TagPredecessorChangeList.ID()].Value.([]byte)
	ck := XID(mb.ReplicaGUID, cn)
	now := s.now()
	return setProps(tx, kindFolder, f.oid, []prop.TaggedValue{
		{Tag: TagChangeKey, Value: ck},
		{Tag: TagPredecessorChangeList, Value: UpdatePCL(pcl, ck)},
		{Tag: TagLastModificationTime, Value: now},
	})
}

// touchFolder records a content change time (PidTagLocalCommitTimeMax).
func (s *Store) touchFolder(tx *sql.Tx, f *Folder) error {
	return setProps(tx, kindFolder, f.oid, []prop.TaggedValue{{Tag: TagLocalCommitTimeMax, Value: s.now()}})
}

// SetFolderProps sets folder properties (RopSetProperties on a folder).
// Computed properties give a problem entry with ErrAccessDenied; a
// PidTagDisplayName equal to a sibling's gives ErrDuplicateName.
func (s *Store) SetFolderProps(mb *Mailbox, fid prop.ID, vals []prop.TaggedValue) ([]prop.Problem, error) {
	var probs []prop.Problem
	err := s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		var ok []prop.TaggedValue
		for i, v := range vals {
			switch {
			case computedFolderTag(v.Tag):
				probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: v.Tag, ErrorCode: ErrAccessDenied})
			case checkValue(v) != nil:
				probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: v.Tag, ErrorCode: ErrInvalidParam})
			case v.Tag.ID() == TagDisplayName.ID():
				name, _ := v.Value.(string)
				if name == "" {
					probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: v.Tag, ErrorCode: ErrInvalidParam})
					continue
				}
				if other, err := childByName(tx, mb, f.Parent, name); err == nil && other.ID != f.ID {
					return ErrDuplicateName
				}
				if _, err := tx.Exec(`UPDATE folders SET name = ? WHERE oid = ?`, name, f.oid); err != nil {
					return err
				}
				ok = append(ok, prop.TaggedValue{Tag: TagDisplayName, Value: name})
			default:
				ok = append(ok, v)
			}
		}
		if err := setProps(tx, kindFolder, f.oid, ok); err != nil {
			return err
		}
		return s.bumpFolder(tx, mb, f)
	})
	return probs, err
}

// DeleteFolderProps removes folder properties.
func (s *Store) DeleteFolderProps(mb *Mailbox, fid prop.ID, tags []prop.Tag) error {
	return s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		for _, t := range tags {
			if computedFolderTag(t) || t.ID() == TagDisplayName.ID() {
				continue
			}
			if err := deleteProp(tx, kindFolder, f.oid, t.ID()); err != nil {
				return err
			}
		}
		return s.bumpFolder(tx, mb, f)
	})
}

// HierarchyRow is one row of a hierarchy table.
type HierarchyRow struct {
	Folder *Folder
	Depth  int // 0 for direct children
	Props  Props
}

// Hierarchy lists the subfolders of fid; with depth the whole subtree in
// pre-order (each level sorted by name), as a hierarchy table with the
// Depth flag shows it.
func (s *Store) Hierarchy(mb *Mailbox, fid prop.ID, depth bool) ([]HierarchyRow, error) {
	var out []HierarchyRow
	err := s.tx(func(tx *sql.Tx) error {
		if _, err := getFolder(tx, mb, fid); err != nil {
			return err
		}
		var walk func(parent prop.ID, d int) error
		walk = func(parent prop.ID, d int) error {
			kids, err := children(tx, mb, parent)
			if err != nil {
				return err
			}
			for _, k := range kids {
				p, err := s.folderProps(tx, mb, k)
				if err != nil {
					return err
				}
				p.Set(prop.NewTag(0x3005, prop.PtypInteger32), int32(d)) // PidTagDepth
				out = append(out, HierarchyRow{Folder: k, Depth: d, Props: p})
				if depth {
					if err := walk(k.ID, d+1); err != nil {
						return err
					}
				}
			}
			return nil
		}
		return walk(fid, 0)
	})
	return out, err
}

func children(tx *sql.Tx, mb *Mailbox, parent prop.ID) ([]*Folder, error) {
	rows, err := tx.Query(`SELECT `+folderCols+` FROM folders WHERE mailbox = ? AND parent = ? AND deleted = 0`, mb.ID, int64(parent))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Folder
	for rows.Next() {
		f, err := scanFolder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, rows.Err()
}

// Flags of DeleteFolder — [MS-OXCROPS] 2.2.4.3.
const (
	DelMessages   uint8 = 0x01
	DelFolders    uint8 = 0x04
	DelHardDelete uint8 = 0x10
)

// DeleteFolder deletes a folder (RopDeleteFolder). Without DelFolders a
// folder with subfolders gives ErrFolderHasChildren, without DelMessages
// one with messages ErrFolderHasContents. Special folders cannot be
// deleted (ErrAccessDenied). Soft deletion keeps the rows hidden; both
// leave tombstones.
func (s *Store) DeleteFolder(mb *Mailbox, fid prop.ID, flags uint8) error {
	return s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		if f.Role != RoleNone {
			return ErrAccessDenied
		}
		c, err := folderCounts(tx, mb, f)
		if err != nil {
			return err
		}
		if c.Subfolders > 0 && flags&DelFolders == 0 {
			return ErrFolderHasChildren
		}
		if c.Content+c.Associated > 0 && flags&DelMessages == 0 {
			return ErrFolderHasContents
		}
		return s.deleteFolderTree(tx, mb, f, flags&DelHardDelete != 0)
	})
}

func (s *Store) deleteFolderTree(tx *sql.Tx, mb *Mailbox, f *Folder, hard bool) error {
	kids, err := children(tx, mb, f.ID)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if err := s.deleteFolderTree(tx, mb, k, hard); err != nil {
			return err
		}
	}
	if err := s.deleteMessagesWhere(tx, mb, f, `1`, hard); err != nil {
		return err
	}
	cn, err := allocGlobCnt(tx, mb.ID, 1)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO tombstones(mailbox, id, fid, cn, assoc, is_folder, hard, deleted_at) VALUES(?,?,?,?,0,1,?,?)`,
		mb.ID, int64(f.ID), int64(f.Parent), cn, hard, int64(s.now())); err != nil {
		return err
	}
	if hard {
		if err := deleteAllProps(tx, kindFolder, f.oid); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM rules WHERE mailbox = ? AND fid = ?`, mb.ID, int64(f.ID)); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM permissions WHERE mailbox = ? AND fid = ?`, mb.ID, int64(f.ID)); err != nil {
			return err
		}
		_, err = tx.Exec(`DELETE FROM folders WHERE oid = ?`, f.oid)
		return err
	}
	_, err = tx.Exec(`UPDATE folders SET deleted = 1, cn = ? WHERE oid = ?`, cn, f.oid)
	return err
}

// EmptyFolder deletes the messages (and, with associated, the FAI
// messages) and all subfolders of a folder (RopEmptyFolder,
// RopHardDeleteMessagesAndSubfolders).
func (s *Store) EmptyFolder(mb *Mailbox, fid prop.ID, associated, hard bool) error {
	return s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		kids, err := children(tx, mb, f.ID)
		if err != nil {
			return err
		}
		for _, k := range kids {
			if k.Role != RoleNone {
				continue
			}
			if err := s.deleteFolderTree(tx, mb, k, hard); err != nil {
				return err
			}
		}
		where := `assoc = 0`
		if associated {
			where = `1`
		}
		if err := s.deleteMessagesWhere(tx, mb, f, where, hard); err != nil {
			return err
		}
		return s.touchFolder(tx, f)
	})
}

func isAncestor(tx *sql.Tx, mb *Mailbox, anc, fid prop.ID) (bool, error) {
	for fid != 0 {
		if fid == anc {
			return true, nil
		}
		var p int64
		if err := tx.QueryRow(`SELECT parent FROM folders WHERE mailbox = ? AND fid = ?`, mb.ID, int64(fid)).Scan(&p); err != nil {
			return false, err
		}
		fid = prop.ID(p)
	}
	return false, nil
}

// MoveFolder moves fid under newParent, renaming it to newName when not
// empty (RopMoveFolder). Special folders cannot move.
func (s *Store) MoveFolder(mb *Mailbox, fid, newParent prop.ID, newName string) error {
	return s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		if f.Role != RoleNone {
			return ErrAccessDenied
		}
		if _, err := getFolder(tx, mb, newParent); err != nil {
			return err
		}
		if loop, err := isAncestor(tx, mb, fid, newParent); err != nil || loop {
			if err == nil {
				err = ErrInvalidParam
			}
			return err
		}
		if newName == "" {
			newName = f.Name
		}
		if other, err := childByName(tx, mb, newParent, newName); err == nil && other.ID != f.ID {
			return ErrDuplicateName
		}
		if _, err := tx.Exec(`UPDATE folders SET parent = ?, name = ? WHERE oid = ?`, int64(newParent), newName, f.oid); err != nil {
			return err
		}
		if err := setProps(tx, kindFolder, f.oid, []prop.TaggedValue{
			{Tag: TagDisplayName, Value: newName},
			{Tag: TagParentSourceKey, Value: s.sourceKey(mb, newParent)},
		}); err != nil {
			return err
		}
		return s.bumpFolder(tx, mb, f)
	})
}

// CopyFolder copies fid (its properties and messages, and with recursive
// its subfolders) under newParent as newName (RopCopyFolder). It returns
// the new folder's id.
func (s *Store) CopyFolder(mb *Mailbox, fid, newParent prop.ID, newName string, recursive bool) (prop.ID, error) {
	var nid prop.ID
	err := s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		if _, err := getFolder(tx, mb, newParent); err != nil {
			return err
		}
		if loop, err := isAncestor(tx, mb, fid, newParent); err != nil || loop {
			if err == nil {
				err = ErrInvalidParam
			}
			return err
		}
		if newName == "" {
			newName = f.Name
		}
		if _, err := childByName(tx, mb, newParent, newName); err == nil {
			return ErrDuplicateName
		}
		nf, err := s.copyFolderTree(tx, mb, f, newParent, newName, recursive)
		if err != nil {
			return err
		}
		nid = nf.ID
		return nil
	})
	return nid, err
}

func (s *Store) copyFolderTree(tx *sql.Tx, mb *Mailbox, f *Folder, parent prop.ID, name string, recursive bool) (*Folder, error) {
	p, err := loadProps(tx, kindFolder, f.oid, true)
	if err != nil {
		return nil, err
	}
	for _, t := range []prop.Tag{TagSourceKey, TagChangeKey, TagPredecessorChangeList, TagParentSourceKey, TagCreationTime} {
		p.Delete(t)
	}
	nf, err := s.createFolder(tx, mb, parent, name, f.Type, RoleNone, p.List(), 0)
	if err != nil {
		return nil, err
	}
	mids, err := folderMessageOIDs(tx, mb, f, `1`)
	if err != nil {
		return nil, err
	}
	for _, oid := range mids {
		m, err := s.loadMessage(tx, mb, oid)
		if err != nil {
			return nil, err
		}
		if _, err := s.insertCopy(tx, mb, m, nf); err != nil {
			return nil, err
		}
	}
	if recursive {
		kids, err := children(tx, mb, f.ID)
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			if _, err := s.copyFolderTree(tx, mb, k, nf.ID, k.Name, true); err != nil {
				return nil, err
			}
		}
	}
	return nf, nil
}
