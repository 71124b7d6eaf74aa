package store

import (
	"bytes"
	"database/sql"
	"errors"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// ICS upload — [MS-OXCFXICS] 3.2.5.9.4: the store side of the
// RopSynchronizationImport* ROPs. A client names objects by GID
// (PidTagSourceKey); a GID of the mailbox's own replica GUID with a 6-byte
// GLOBCNT maps straight to an id (REPLID 1), the GLOBCNT having been
// reserved by RopGetLocalReplicaIds. Any other GID (a foreign replica's) is
// kept as the object's PidTagSourceKey and found again through it; such an
// object gets an id of the mailbox's own replica.

// Synchronization error codes — [MS-OXCDATA] 2.4.2 (SYNC_E_*, SYNC_W_*).
const (
	ErrSyncObjectDeleted = prop.ErrorCode(0x80040800)
	ErrSyncIgnore        = prop.ErrorCode(0x80040801)
	ErrSyncConflict      = prop.ErrorCode(0x80040802)
	ErrSyncNoParent      = prop.ErrorCode(0x80040803)
	// WarnSyncNewerClientChange is RopSynchronizationImportMessageMove's
	// NewerClientChange — [MS-OXCFXICS] 2.2.3.2.4.4.2.
	WarnSyncNewerClientChange = prop.ErrorCode(0x00040821)
)

// Conflict properties — [MS-OXCFXICS] 2.2.1.4.1, 3.1.5.6.2.1; [MS-OXCMSG]
// 2.2.1.8.
const (
	TagResolveMethod prop.Tag = 0x3FE70003
	TagInConflict    prop.Tag = 0x666C000B

	// ResolveLastWriterWins is the PidTagResolveMethod flag
	// RESOLVE_METHOD_LAST_WRITER_WINS.
	ResolveLastWriterWins uint32 = 0x00000001
	// MsgStatusInConflict is msInConflict of PidTagMessageStatus.
	MsgStatusInConflict uint32 = 0x00000800
)

// ---- predecessor change lists ----
//
// The comparison and merge of [MS-OXCFXICS] 3.1.5.6 live in decode/fxics,
// shared with the client's replica.

// PCLOrder is how two versions of an object relate (fxics.PCLOrder).
type PCLOrder = fxics.PCLOrder

const (
	PCLEqual    = fxics.PCLEqual
	PCLNewer    = fxics.PCLNewer
	PCLOlder    = fxics.PCLOlder
	PCLConflict = fxics.PCLConflict
)

// ComparePCL compares PCL a with PCL b — [MS-OXCFXICS] 3.1.5.6.1. A value
// that is not a PredecessorChangeList gives ErrInvalidParam.
func ComparePCL(a, b []byte) (PCLOrder, error) {
	o, err := fxics.ComparePCL(a, b)
	if err != nil {
		return 0, ErrInvalidParam
	}
	return o, nil
}

// MergePCL is fxics.MergePCL.
func MergePCL(lists ...[]byte) []byte { return fxics.MergePCL(lists...) }

// PCLOf is fxics.PCLOf.
func PCLOf(xid []byte) []byte { return fxics.PCLOf(xid) }

// ---- GIDs ----

// ImportRef is what a GID names in a mailbox.
type ImportRef struct {
	// ID is the object's id; 0 for a new object with a foreign GID (an id
	// is allocated when it is created).
	ID        prop.ID
	SourceKey []byte
	Exists    bool // a live object has this GID
	Deleted   bool // the object was deleted (a tombstone is left)
	// FolderID is a message's folder, or a folder's parent.
	FolderID   prop.ID
	Associated bool
}

// ownGID maps a GID of the mailbox's replica to its id; ok is false for a
// foreign GID.
func ownGID(mb *Mailbox, gid []byte) (prop.ID, bool, error) {
	g, gc, valid := ParseXID(gid)
	if !valid {
		return 0, false, ErrInvalidParam
	}
	if g != mb.ReplicaGUID {
		return 0, false, nil
	}
	if len(gid) != 22 || gc == 0 {
		return 0, false, ErrInvalidParam
	}
	return prop.MakeID(1, gc), true, nil
}

// reserved reports whether a GLOBCNT of the mailbox was handed out (by an
// object, a change or RopGetLocalReplicaIds).
func reserved(tx *sql.Tx, mb *Mailbox, gc uint64) (bool, error) {
	var next uint64
	if err := tx.QueryRow(`SELECT next_globcnt FROM mailboxes WHERE id = ?`, mb.ID).Scan(&next); err != nil {
		return false, err
	}
	return gc < next, nil
}

func hasTombstone(tx *sql.Tx, mb *Mailbox, id prop.ID, folder bool) bool {
	var n int
	tx.QueryRow(`SELECT count(*) FROM tombstones WHERE mailbox = ? AND id = ? AND is_folder = ?`, mb.ID, int64(id), folder).Scan(&n)
	return n > 0
}

func messageRef(tx *sql.Tx, mb *Mailbox, gid []byte) (ImportRef, int64, error) {
	ref := ImportRef{SourceKey: append([]byte(nil), gid...)}
	id, own, err := ownGID(mb, gid)
	if err != nil {
		return ref, 0, err
	}
	var oid, mid, fid int64
	var deleted bool
	if own {
		ref.ID = id
		err = tx.QueryRow(`SELECT oid, fid, assoc, deleted FROM messages WHERE mailbox = ? AND mid = ? AND parent_attach = 0`, mb.ID, int64(id)).
			Scan(&oid, &fid, &ref.Associated, &deleted)
	} else {
		err = tx.QueryRow(`SELECT m.oid, m.mid, m.fid, m.assoc, m.deleted FROM props p JOIN messages m ON m.oid = p.oid
		  WHERE p.kind = ? AND p.tag = ? AND p.val = ? AND m.mailbox = ? AND m.parent_attach = 0 ORDER BY m.deleted LIMIT 1`,
			kindMessage, uint32(TagSourceKey), gid, mb.ID).Scan(&oid, &mid, &fid, &ref.Associated, &deleted)
		ref.ID = prop.ID(mid)
	}
	switch {
	case err == nil:
		ref.FolderID = prop.ID(fid)
		ref.Exists, ref.Deleted = !deleted, deleted
		return ref, oid, nil
	case !errors.Is(err, sql.ErrNoRows):
		return ref, 0, err
	}
	if !own {
		return ref, 0, nil
	}
	if hasTombstone(tx, mb, id, false) {
		ref.Deleted = true
		return ref, 0, nil
	}
	ok, err := reserved(tx, mb, id.GlobalCounter())
	if err != nil {
		return ref, 0, err
	}
	if !ok {
		return ref, 0, ErrInvalidParam // never handed out: not a GID of this replica
	}
	return ref, 0, nil
}

func folderRef(tx *sql.Tx, mb *Mailbox, gid []byte) (ImportRef, error) {
	ref := ImportRef{SourceKey: append([]byte(nil), gid...)}
	id, own, err := ownGID(mb, gid)
	if err != nil {
		return ref, err
	}
	var fid, parent int64
	var deleted bool
	if own {
		ref.ID = id
		err = tx.QueryRow(`SELECT parent, deleted FROM folders WHERE mailbox = ? AND fid = ?`, mb.ID, int64(id)).Scan(&parent, &deleted)
	} else {
		err = tx.QueryRow(`SELECT f.fid, f.parent, f.deleted FROM props p JOIN folders f ON f.oid = p.oid
		  WHERE p.kind = ? AND p.tag = ? AND p.val = ? AND f.mailbox = ? ORDER BY f.deleted LIMIT 1`,
			kindFolder, uint32(TagSourceKey), gid, mb.ID).Scan(&fid, &parent, &deleted)
		ref.ID = prop.ID(fid)
	}
	switch {
	case err == nil:
		ref.FolderID = prop.ID(parent)
		ref.Exists, ref.Deleted = !deleted, deleted
		return ref, nil
	case !errors.Is(err, sql.ErrNoRows):
		return ref, err
	}
	if !own {
		return ref, nil
	}
	if hasTombstone(tx, mb, id, true) {
		ref.Deleted = true
		return ref, nil
	}
	ok, err := reserved(tx, mb, id.GlobalCounter())
	if err != nil {
		return ref, err
	}
	if !ok {
		return ref, ErrInvalidParam
	}
	return ref, nil
}

// MessageByGID finds the message a GID (PidTagSourceKey) names. An own
// GID that was never handed out gives ErrInvalidParam.
func (s *Store) MessageByGID(mb *Mailbox, gid []byte) (ImportRef, error) {
	var ref ImportRef
	err := s.tx(func(tx *sql.Tx) (err error) {
		ref, _, err = messageRef(tx, mb, gid)
		return err
	})
	return ref, err
}

// FolderByGID finds the folder a GID names.
func (s *Store) FolderByGID(mb *Mailbox, gid []byte) (ImportRef, error) {
	var ref ImportRef
	err := s.tx(func(tx *sql.Tx) (err error) {
		ref, err = folderRef(tx, mb, gid)
		return err
	})
	return ref, err
}

// MessageIDByXID maps the XID of a message (RopSynchronizationImport-
// ReadStateChanges' MessageId) to the id of a live message; ok is false
// when it names none.
func (s *Store) MessageIDByXID(mb *Mailbox, xid []byte) (prop.ID, bool) {
	ref, err := s.MessageByGID(mb, xid)
	if err != nil || !ref.Exists {
		return 0, false
	}
	return ref.ID, true
}

// ---- messages ----

// MessageImport is what RopSynchronizationImportMessageChange says of the
// version it uploads — [MS-OXCFXICS] 2.2.3.2.4.2.1.
type MessageImport struct {
	SourceKey            []byte
	LastModificationTime prop.Filetime
	ChangeKey            []byte
	PCL                  []byte
	Associated           bool
	FailOnConflict       bool
	// Saved, when set, is called after the version was stored with the
	// change number it got and whether it was a conflict resolution (whose
	// result the client has not seen).
	Saved func(cn uint64, conflict bool)
}

// importSave is the ICS import a working copy carries until it is saved.
type importSave struct {
	MessageImport
}

// ImportMessage starts the import of one message version into folder fid
// — [MS-OXCFXICS] 3.2.5.9.4.2. It detects conflicts against the stored
// version (3.1.5.6.1): ErrSyncIgnore when the stored version includes the
// upload, ErrSyncConflict for a conflict with FailOnConflict,
// ErrSyncObjectDeleted for a message deleted on the server. It returns an
// empty working copy (the client sends the whole message) whose
// SaveChanges stores the version with the uploaded change key and PCL, or
// resolves the conflict.
func (s *Store) ImportMessage(mb *Mailbox, fid prop.ID, imp MessageImport) (*Message, error) {
	if _, err := fxics.DecodeXID(imp.ChangeKey); err != nil {
		return nil, ErrInvalidParam
	}
	if _, err := fxics.DecodePredecessorChangeList(imp.PCL); err != nil {
		return nil, ErrInvalidParam
	}
	var m *Message
	err := s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		if f.Type == FolderSearch {
			return ErrNoSupport
		}
		ref, oid, err := messageRef(tx, mb, imp.SourceKey)
		if err != nil {
			return err
		}
		switch {
		case ref.Deleted:
			return ErrSyncObjectDeleted
		case ref.Exists && ref.FolderID != fid:
			return ErrInvalidParam // the message lives in another folder
		case ref.Exists && ref.Associated != imp.Associated:
			return ErrInvalidParam
		case ref.Exists:
			cur, err := s.loadMessage(tx, mb, oid)
			if err != nil {
				return err
			}
			pcl, _ := cur.props.Get(TagPredecessorChangeList)
			order, err := ComparePCL(asBin(pcl), imp.PCL)
			if err != nil {
				order = PCLOlder // a stored version without a PCL yields
			}
			switch order {
			case PCLEqual, PCLNewer:
				return ErrSyncIgnore
			case PCLConflict:
				if imp.FailOnConflict {
					return ErrSyncConflict
				}
			}
			cur.props, cur.recips, cur.attachments, cur.nextAttach = Props{}, nil, nil, 0
			m = cur
		default:
			id := ref.ID
			if id == 0 {
				gc, err := allocGlobCnt(tx, mb.ID, 1)
				if err != nil {
					return err
				}
				id = prop.MakeID(1, gc)
			}
			m = &Message{s: s, mb: mb, ID: id, FolderID: fid, Associated: imp.Associated, New: true, props: Props{}}
		}
		m.imp = &importSave{imp}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func asBin(v any) []byte {
	b, _ := v.([]byte)
	return b
}

// saveImport stores an imported version (SaveChanges of a working copy
// from ImportMessage): the upload's PidTagSourceKey, PidTagChangeKey,
// PCL and PidTagLastModificationTime, and a new change number. A version
// saved on the server since the import is compared again.
func (s *Store) saveImport(m *Message) error {
	imp := m.imp
	var cn uint64
	conflict := false
	err := s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, m.mb, m.FolderID)
		if err != nil {
			return err
		}
		m.props.Set(TagSourceKey, imp.SourceKey)
		m.props.Set(TagChangeKey, imp.ChangeKey)
		m.props.Set(TagPredecessorChangeList, MergePCL(imp.PCL, PCLOf(imp.ChangeKey)))
		m.props.Set(TagLastModificationTime, imp.LastModificationTime)
		if _, ok := m.props.Get(TagCreationTime); !ok {
			m.props.Set(TagCreationTime, s.now())
		}
		// The stored version, as it is now.
		var oid int64
		var deleted bool
		err = tx.QueryRow(`SELECT oid, deleted FROM messages WHERE mailbox = ? AND mid = ? AND parent_attach = 0`, m.mb.ID, int64(m.ID)).Scan(&oid, &deleted)
		switch {
		case err == nil && deleted:
			return ErrSyncObjectDeleted
		case err == nil:
		case errors.Is(err, sql.ErrNoRows):
			if !m.New {
				return ErrSyncObjectDeleted
			}
			oid = 0
		default:
			return err
		}
		if cn, err = allocGlobCnt(tx, m.mb.ID, 1); err != nil {
			return err
		}
		if oid == 0 {
			m.oid = 0
			if err := s.writeMessage(tx, m, cn, cn); err != nil {
				return err
			}
			return s.touchFolder(tx, f)
		}
		cur, err := s.loadMessage(tx, m.mb, oid)
		if err != nil {
			return err
		}
		if cur.FolderID != m.FolderID {
			return ErrObjectModified
		}
		order, err := ComparePCL(asBin(cur.props[TagPredecessorChangeList.ID()].Value), imp.PCL)
		if err != nil {
			order = PCLOlder
		}
		switch order {
		case PCLEqual, PCLNewer:
			return ErrSyncIgnore
		case PCLConflict:
			if imp.FailOnConflict {
				return ErrSyncConflict
			}
			conflict = true
			res, err := s.resolveConflict(tx, f, cur, m)
			if err != nil {
				return err
			}
			if err := s.writeMessage(tx, res, cn, 0); err != nil {
				return err
			}
			return s.touchFolder(tx, f)
		}
		m.oid = oid
		if err := s.writeMessage(tx, m, cn, 0); err != nil {
			return err
		}
		return s.touchFolder(tx, f)
	})
	if err != nil {
		return err
	}
	if conflict {
		// The working copy is not what was stored: reload it.
		if fresh, err := s.OpenMessage(m.mb, m.FolderID, m.ID); err == nil {
			*m = *fresh
		}
	}
	m.cn, m.New, m.imp = cn, false, nil
	if imp.Saved != nil {
		imp.Saved(cn, conflict)
	}
	return nil
}

// resolveConflict returns the version that resolves a conflict between
// the stored message cur and the upload up — [MS-OXCFXICS] 3.1.5.6.2. FAI
// messages, and normal messages of a folder whose PidTagResolveMethod has
// RESOLVE_METHOD_LAST_WRITER_WINS, take the winner of the last writer
// wins algorithm (3.1.5.6.2.2). Other messages become a conflict resolve
// message (3.1.5.6.2.1): the winner's content with msInConflict in
// PidTagMessageStatus and every conflicting version as an embedded
// message attachment with PidTagInConflict; a stored message that already
// is one contributes its versions. The result's PCL is the merge of all
// versions' PCLs, its change key the winner's.
func (s *Store) resolveConflict(tx *sql.Tx, f *Folder, cur, up *Message) (*Message, error) {
	fp, err := loadProps(tx, kindFolder, f.oid, false)
	if err != nil {
		return nil, err
	}
	lww := up.Associated || uint32(fp.Int32(TagResolveMethod))&ResolveLastWriterWins != 0
	var versions []*Message
	if uint32(cur.props.Int32(TagMessageStatus))&MsgStatusInConflict != 0 {
		for _, a := range cur.attachments {
			if v, _ := a.props.Get(TagInConflict); v == true && a.embedded != nil {
				versions = append(versions, a.embedded)
			}
		}
	}
	if len(versions) == 0 {
		versions = []*Message{cur}
	}
	versions = append(versions, up)
	win := versions[0]
	var pcls [][]byte
	for _, v := range versions {
		pcls = append(pcls, asBin(v.props[TagPredecessorChangeList.ID()].Value))
		if v != win && lastWriterWins(v, win) {
			win = v
		}
	}
	res := win.clone()
	res.s, res.mb, res.parent, res.imp = s, cur.mb, nil, nil
	res.ID, res.FolderID, res.Associated, res.oid, res.New = cur.ID, cur.FolderID, cur.Associated, cur.oid, false
	res.props.Set(TagSourceKey, cur.props[TagSourceKey.ID()].Value)
	res.props.Set(TagPredecessorChangeList, MergePCL(pcls...))
	if lww {
		return res, nil
	}
	res.props.Set(TagMessageStatus, int32(uint32(res.props.Int32(TagMessageStatus))|MsgStatusInConflict))
	for _, v := range versions {
		a := &Attachment{msg: res, Num: res.nextAttach, props: Props{}}
		res.nextAttach++
		a.props.Set(TagAttachMethod, int32(AttachEmbeddedMessage))
		a.props.Set(TagInConflict, true)
		a.props.Set(TagCreationTime, s.now())
		a.props.Set(TagLastModificationTime, s.now())
		if subj, ok := v.props.Get(TagSubject); ok {
			a.props.Set(TagDisplayName, subj)
		}
		e := v.clone()
		e.s, e.mb, e.ID, e.FolderID, e.oid, e.parent, e.imp, e.New = s, cur.mb, 0, 0, 0, a, nil, false
		e.props.Set(TagMessageStatus, int32(uint32(e.props.Int32(TagMessageStatus))&^MsgStatusInConflict))
		a.embedded = e
		res.attachments = append(res.attachments, a)
	}
	return res, nil
}

// lastWriterWins reports whether version a beats version b — [MS-OXCFXICS]
// 3.1.5.6.2.2: the later PidTagLastModificationTime; on a tie the larger
// NamespaceGuid of PidTagChangeKey; on a tie again a (the version being
// imported, when called with it) wins.
func lastWriterWins(a, b *Message) bool {
	ta, _ := a.props.Get(TagLastModificationTime)
	tb, _ := b.props.Get(TagLastModificationTime)
	fa, _ := ta.(prop.Filetime)
	fb, _ := tb.(prop.Filetime)
	if fa != fb {
		return fa > fb
	}
	ca, cb := asBin(a.props[TagChangeKey.ID()].Value), asBin(b.props[TagChangeKey.ID()].Value)
	if len(ca) >= 16 && len(cb) >= 16 {
		if c := bytes.Compare(ca[:16], cb[:16]); c != 0 {
			return c > 0
		}
	}
	return true
}

// ---- deletions ----

// ImportDeleteMessages deletes the messages of folder fid that refs name
// (RopSynchronizationImportDeletes, [MS-OXCFXICS] 3.2.5.9.4.5) in one
// transaction. Messages already deleted or in another folder are skipped;
// an own id that never existed gets a tombstone so that a later import
// cannot bring it back. It returns the ids deleted.
func (s *Store) ImportDeleteMessages(mb *Mailbox, fid prop.ID, refs []ImportRef, hard bool) ([]prop.ID, error) {
	var out []prop.ID
	err := s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		for _, r := range refs {
			if r.ID == 0 {
				continue
			}
			var oid, mfid int64
			var deleted, assoc bool
			err := tx.QueryRow(`SELECT oid, fid, deleted, assoc FROM messages WHERE mailbox = ? AND mid = ? AND parent_attach = 0`, mb.ID, int64(r.ID)).Scan(&oid, &mfid, &deleted, &assoc)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if hasTombstone(tx, mb, r.ID, false) {
					continue
				}
				cn, err := allocGlobCnt(tx, mb.ID, 1)
				if err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO tombstones(mailbox, id, fid, cn, assoc, is_folder, hard, deleted_at) VALUES(?,?,?,?,?,0,?,?)`,
					mb.ID, int64(r.ID), int64(fid), cn, r.Associated, hard, int64(s.now())); err != nil {
					return err
				}
				continue
			case err != nil:
				return err
			}
			if deleted || prop.ID(mfid) != fid {
				continue
			}
			if err := s.deleteMessageOID(tx, mb, oid, hard); err != nil {
				return err
			}
			out = append(out, r.ID)
		}
		return s.touchFolder(tx, f)
	})
	return out, err
}

// ImportDeleteFolders deletes the folders refs name, each with its
// contents and subfolders (RopSynchronizationImportDeletes with the
// Hierarchy flag). Every folder must be below root; a special folder
// gives ErrAccessDenied before anything is deleted. It returns the ids
// deleted (each with its parent).
func (s *Store) ImportDeleteFolders(mb *Mailbox, root prop.ID, refs []ImportRef, hard bool) (deleted []*Folder, err error) {
	err = s.tx(func(tx *sql.Tx) error {
		var todo []*Folder
		for _, r := range refs {
			if !r.Exists {
				continue
			}
			f, err := getFolder(tx, mb, r.ID)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if f.ID == root {
				return ErrInvalidParam
			}
			if below, err := isAncestor(tx, mb, root, f.ID); err != nil || !below {
				if err == nil {
					err = ErrInvalidParam
				}
				return err
			}
			if f.Role != RoleNone {
				return ErrAccessDenied
			}
			todo = append(todo, f)
		}
		for _, f := range todo {
			if cur, err := getFolder(tx, mb, f.ID); err != nil {
				continue // gone with an ancestor deleted before it
			} else if err := s.deleteFolderTree(tx, mb, cur, hard); err != nil {
				return err
			}
			deleted = append(deleted, f)
		}
		return nil
	})
	return deleted, err
}

// ---- read state ----

// ReadChange is one MessageReadState of RopSynchronizationImportRead-
// StateChanges.
type ReadChange struct {
	ID   prop.ID
	Read bool
}

// ImportReadStates sets the read state of messages of folder fid in one
// transaction ([MS-OXCFXICS] 3.2.5.9.4.6), each change with a new read
// change number as RopSetMessageReadFlag does. FAI messages, messages of
// other folders and unknown ids are skipped. It returns the messages
// changed and their read change numbers.
func (s *Store) ImportReadStates(mb *Mailbox, fid prop.ID, changes []ReadChange) (ids []prop.ID, cns []uint64, err error) {
	err = s.tx(func(tx *sql.Tx) error {
		for _, c := range changes {
			var oid, mfid int64
			var assoc, cur bool
			err := tx.QueryRow(`SELECT oid, fid, assoc, read FROM messages WHERE mailbox = ? AND mid = ? AND parent_attach = 0 AND deleted = 0`,
				mb.ID, int64(c.ID)).Scan(&oid, &mfid, &assoc, &cur)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if assoc || prop.ID(mfid) != fid || cur == c.Read {
				continue
			}
			rcn, err := allocGlobCnt(tx, mb.ID, 1)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE messages SET read = ?, read_cn = ? WHERE oid = ?`, c.Read, rcn, oid); err != nil {
				return err
			}
			ids, cns = append(ids, c.ID), append(cns, rcn)
		}
		return nil
	})
	return ids, cns, err
}

// ---- moves ----

// MoveImport is a RopSynchronizationImportMessageMove — [MS-OXCFXICS]
// 2.2.3.2.4.4.1, with the GIDs resolved.
type MoveImport struct {
	SrcFID, MID prop.ID
	DstFID      prop.ID
	Dst         ImportRef // the destination message's GID
	PCL         []byte    // the PCL of the message in the client's replica
	ChangeKey   []byte    // the change key of the moved message (ChangeNumber)
}

// MoveOutcome says what ImportMove did with the change key and PCL.
type MoveOutcome int

const (
	// MoveApplied: the client had the server's version; the moved message
	// takes the uploaded change key and PCL.
	MoveApplied MoveOutcome = iota
	// MoveClientNewer: the client's version is newer; the server keeps its
	// own change key and PCL (NewerClientChange), the content to come.
	MoveClientNewer
	// MoveServerNewer: the server's version is newer than or conflicts
	// with the client's; its content stays, its PCL merges the client's
	// and the client gets the message back on its next download.
	MoveServerNewer
)

// ImportMove moves message MID of folder SrcFID to folder DstFID under
// the destination GID's id ([MS-OXCFXICS] 3.2.5.9.4.4), leaving a
// tombstone in the source folder. It returns the new id and change number.
func (s *Store) ImportMove(mb *Mailbox, mv MoveImport) (nid prop.ID, cn uint64, out MoveOutcome, err error) {
	if _, err := fxics.DecodeXID(mv.ChangeKey); err != nil {
		return 0, 0, 0, ErrInvalidParam
	}
	if _, err := fxics.DecodePredecessorChangeList(mv.PCL); err != nil {
		return 0, 0, 0, ErrInvalidParam
	}
	err = s.tx(func(tx *sql.Tx) error {
		sf, err := getFolder(tx, mb, mv.SrcFID)
		if err != nil {
			return err
		}
		df, err := getFolder(tx, mb, mv.DstFID)
		if err != nil {
			return err
		}
		if df.Type == FolderSearch {
			return ErrNoSupport
		}
		oid, err := messageOID(tx, mb, mv.SrcFID, mv.MID)
		if errors.Is(err, ErrNotFound) && hasTombstone(tx, mb, mv.MID, false) {
			return ErrSyncObjectDeleted
		}
		if err != nil {
			return err
		}
		if mv.Dst.Exists || mv.Dst.Deleted {
			return ErrDuplicateName
		}
		m, err := s.loadMessage(tx, mb, oid)
		if err != nil {
			return err
		}
		nid = mv.Dst.ID
		if nid == 0 {
			gc, err := allocGlobCnt(tx, mb.ID, 1)
			if err != nil {
				return err
			}
			nid = prop.MakeID(1, gc)
		}
		if cn, err = allocGlobCnt(tx, mb.ID, 1); err != nil {
			return err
		}
		spcl := asBin(m.props[TagPredecessorChangeList.ID()].Value)
		order, err := ComparePCL(mv.PCL, spcl)
		if err != nil {
			order = PCLNewer
		}
		c := m.clone()
		c.oid, c.ID, c.FolderID, c.parent, c.imp = 0, nid, mv.DstFID, nil, nil
		c.props.Set(TagSourceKey, mv.Dst.SourceKey)
		switch order {
		case PCLEqual:
			out = MoveApplied
			c.props.Set(TagChangeKey, mv.ChangeKey)
			c.props.Set(TagPredecessorChangeList, MergePCL(mv.PCL, PCLOf(mv.ChangeKey)))
		case PCLNewer:
			out = MoveClientNewer
		default:
			out = MoveServerNewer
			c.props.Set(TagPredecessorChangeList, MergePCL(spcl, mv.PCL, PCLOf(mv.ChangeKey)))
		}
		if err := s.writeMessage(tx, c, cn, cn); err != nil {
			return err
		}
		if err := s.deleteMessageOID(tx, mb, oid, true); err != nil {
			return err
		}
		if err := s.touchFolder(tx, sf); err != nil {
			return err
		}
		return s.touchFolder(tx, df)
	})
	return nid, cn, out, err
}

// ---- folders ----

// FolderImport is a RopSynchronizationImportHierarchyChange —
// [MS-OXCFXICS] 2.2.3.2.4.3.1, with the GIDs resolved.
type FolderImport struct {
	Parent               prop.ID
	Ref                  ImportRef
	LastModificationTime prop.Filetime
	ChangeKey            []byte
	PCL                  []byte
	DisplayName          string
	Props                []prop.TaggedValue // PropertyValues
}

// ImportFolder creates or changes a folder from an ICS hierarchy upload
// ([MS-OXCFXICS] 3.2.5.9.4.3): a new folder gets the GID's id, an
// existing one the new name, parent and properties. Conflicts are
// resolved by last writer wins, the server version being kept on a tie
// (3.1.5.6.2.2), and reported by conflict = true. A stored version that
// includes the upload gives ErrSyncIgnore.
func (s *Store) ImportFolder(mb *Mailbox, imp FolderImport) (fid prop.ID, cn uint64, conflict bool, err error) {
	if imp.DisplayName == "" {
		return 0, 0, false, ErrInvalidParam
	}
	if _, err := fxics.DecodeXID(imp.ChangeKey); err != nil {
		return 0, 0, false, ErrInvalidParam
	}
	if _, err := fxics.DecodePredecessorChangeList(imp.PCL); err != nil {
		return 0, 0, false, ErrInvalidParam
	}
	var extra []prop.TaggedValue
	for _, v := range imp.Props {
		switch {
		case computedFolderTag(v.Tag), v.Tag.ID() == TagDisplayName.ID(), v.Tag.ID() == TagSourceKey.ID(),
			v.Tag.ID() == TagParentSourceKey.ID(), v.Tag.ID() == TagChangeKey.ID(),
			v.Tag.ID() == TagPredecessorChangeList.ID(), v.Tag.ID() == TagLastModificationTime.ID():
		case checkValue(v) != nil:
		default:
			extra = append(extra, v)
		}
	}
	err = s.tx(func(tx *sql.Tx) error {
		parent, err := getFolder(tx, mb, imp.Parent)
		if errors.Is(err, ErrNotFound) {
			return ErrSyncNoParent
		}
		if err != nil {
			return err
		}
		if parent.Type == FolderSearch {
			return ErrNoSupport
		}
		pp, err := loadProps(tx, kindFolder, parent.oid, false)
		if err != nil {
			return err
		}
		psk := asBin(pp[TagParentSourceKey.ID()].Value)
		if sk := asBin(pp[TagSourceKey.ID()].Value); sk != nil {
			psk = sk
		}
		identity := func(pcl []byte) []prop.TaggedValue {
			return []prop.TaggedValue{
				{Tag: TagSourceKey, Value: imp.Ref.SourceKey},
				{Tag: TagParentSourceKey, Value: psk},
				{Tag: TagChangeKey, Value: imp.ChangeKey},
				{Tag: TagPredecessorChangeList, Value: pcl},
				{Tag: TagLastModificationTime, Value: imp.LastModificationTime},
			}
		}
		newPCL := MergePCL(imp.PCL, PCLOf(imp.ChangeKey))
		switch {
		case imp.Ref.Deleted:
			return ErrSyncObjectDeleted
		case !imp.Ref.Exists:
			if _, err := childByName(tx, mb, parent.ID, imp.DisplayName); err == nil {
				return ErrDuplicateName
			}
			f, err := s.createFolder(tx, mb, parent.ID, imp.DisplayName, FolderGeneric, RoleNone, extra, imp.Ref.ID)
			if err != nil {
				return err
			}
			if err := setProps(tx, kindFolder, f.oid, identity(newPCL)); err != nil {
				return err
			}
			fid, cn = f.ID, f.ChangeNumber
			return s.touchFolder(tx, parent)
		}
		f, err := getFolder(tx, mb, imp.Ref.ID)
		if err != nil {
			return err
		}
		fid = f.ID
		old, err := loadProps(tx, kindFolder, f.oid, false)
		if err != nil {
			return err
		}
		spcl := asBin(old[TagPredecessorChangeList.ID()].Value)
		order, err := ComparePCL(spcl, imp.PCL)
		if err != nil {
			order = PCLOlder
		}
		if order == PCLEqual || order == PCLNewer {
			return ErrSyncIgnore
		}
		if cn, err = allocGlobCnt(tx, mb.ID, 1); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE folders SET cn = ? WHERE oid = ?`, cn, f.oid); err != nil {
			return err
		}
		if order == PCLConflict {
			conflict = true
			st, _ := old.Get(TagLastModificationTime)
			if stime, _ := st.(prop.Filetime); imp.LastModificationTime <= stime {
				// The server version wins; it becomes the successor of both.
				return setProps(tx, kindFolder, f.oid, []prop.TaggedValue{
					{Tag: TagPredecessorChangeList, Value: MergePCL(spcl, imp.PCL)},
				})
			}
			newPCL = MergePCL(spcl, newPCL)
		}
		if f.Parent != parent.ID {
			if f.Role != RoleNone {
				return ErrAccessDenied
			}
			if loop, err := isAncestor(tx, mb, f.ID, parent.ID); err != nil || loop {
				if err == nil {
					err = ErrInvalidParam
				}
				return err
			}
		}
		if other, err := childByName(tx, mb, parent.ID, imp.DisplayName); err == nil && other.ID != f.ID {
			return ErrDuplicateName
		}
		if _, err := tx.Exec(`UPDATE folders SET parent = ?, name = ? WHERE oid = ?`, int64(parent.ID), imp.DisplayName, f.oid); err != nil {
			return err
		}
		vals := append(append(identity(newPCL), prop.TaggedValue{Tag: TagDisplayName, Value: imp.DisplayName}), extra...)
		if err := setProps(tx, kindFolder, f.oid, vals); err != nil {
			return err
		}
		return s.touchFolder(tx, parent)
	})
	return fid, cn, conflict, err
}
