package store

import (
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Recipient is one row of a message's recipient table.
type Recipient struct {
	RowID uint32
	Type  uint32 // RecipTo, RecipCc, RecipBcc (with flag bits as the client sent them)
	Props Props
}

// Message is an opened message: a working copy of the stored message
// (properties, recipients, attachments). Changes become visible to others
// only on SaveChanges. An embedded message saves into its attachment.
type Message struct {
	s          *Store
	mb         *Mailbox
	ID         prop.ID // 0 for embedded messages
	FolderID   prop.ID
	Associated bool
	New        bool

	props       Props
	recips      []Recipient
	attachments []*Attachment
	nextAttach  uint32
	read        bool
	cn          uint64 // change number at open / last save
	oid         int64
	parent      *Attachment
	ReadOnly    bool
	imp         *importSave // an ICS import (ics_upload.go)
}

// Attachment is an opened attachment: a working copy that SaveChanges
// commits into its message's working copy.
type Attachment struct {
	msg      *Message
	Num      uint32
	props    Props
	embedded *Message
	ReadOnly bool
}

// CreateMessage starts a new message in folder fid (RopCreateMessage).
// Its id is allocated now; it is stored on SaveChanges.
func (s *Store) CreateMessage(mb *Mailbox, fid prop.ID, associated bool) (*Message, error) {
	return s.CreateMessageWithID(mb, fid, 0, associated)
}

// CreateMessageWithID is CreateMessage with a client-chosen id (ICS
// import, ids from RopGetLocalReplicaIds); id 0 allocates one.
func (s *Store) CreateMessageWithID(mb *Mailbox, fid, id prop.ID, associated bool) (*Message, error) {
	var m *Message
	err := s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		if f.Type == FolderSearch {
			return ErrNoSupport
		}
		if id == 0 {
			gc, err := allocGlobCnt(tx, mb.ID, 1)
			if err != nil {
				return err
			}
			id = prop.MakeID(1, gc)
		} else {
			var n int
			tx.QueryRow(`SELECT count(*) FROM messages WHERE mailbox = ? AND mid = ? AND parent_attach = 0`, mb.ID, int64(id)).Scan(&n)
			if n > 0 {
				return ErrDuplicateName
			}
		}
		m = s.newMessage(mb, fid, id, associated)
		return nil
	})
	return m, err
}

func (s *Store) newMessage(mb *Mailbox, fid, id prop.ID, associated bool) *Message {
	now := s.now()
	flags := MsgFlagUnsent
	if associated {
		flags |= MsgFlagAssociated
	}
	m := &Message{s: s, mb: mb, ID: id, FolderID: fid, Associated: associated, New: true, props: Props{}}
	m.props.Set(TagCreationTime, now)
	m.props.Set(TagLastModificationTime, now)
	m.props.Set(TagMessageFlags, int32(flags))
	m.props.Set(TagMessageClass, "IPM.Note")
	if id != 0 {
		m.props.Set(TagSourceKey, s.sourceKey(mb, id))
	}
	return m
}

// OpenMessage opens a message of folder fid (RopOpenMessage). fid 0
// accepts any folder.
func (s *Store) OpenMessage(mb *Mailbox, fid, mid prop.ID) (*Message, error) {
	var m *Message
	err := s.tx(func(tx *sql.Tx) error {
		var oid, mfid int64
		err := tx.QueryRow(`SELECT oid, fid FROM messages WHERE mailbox = ? AND mid = ? AND parent_attach = 0 AND deleted = 0`, mb.ID, int64(mid)).Scan(&oid, &mfid)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && fid != 0 && prop.ID(mfid) != fid && !s.inSearchFolder(tx, mb, fid, oid)) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		m, err = s.loadMessage(tx, mb, oid)
		return err
	})
	return m, err
}

func (s *Store) inSearchFolder(tx *sql.Tx, mb *Mailbox, fid prop.ID, oid int64) bool {
	f, err := getFolder(tx, mb, fid)
	if err != nil || f.Type != FolderSearch {
		return false
	}
	res, err := s.searchResults(tx, mb, f)
	if err != nil {
		return false
	}
	for _, r := range res {
		if r.oid == oid {
			return true
		}
	}
	return false
}

// loadMessage reads a stored message (top-level or embedded) with its
// recipients and attachments.
func (s *Store) loadMessage(tx *sql.Tx, mb *Mailbox, oid int64) (*Message, error) {
	m := &Message{s: s, mb: mb, oid: oid}
	var mid, fid int64
	err := tx.QueryRow(`SELECT mid, fid, assoc, cn, read FROM messages WHERE oid = ?`, oid).Scan(&mid, &fid, &m.Associated, &m.cn, &m.read)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	m.ID, m.FolderID = prop.ID(mid), prop.ID(fid)
	if m.props, err = loadProps(tx, kindMessage, oid, true); err != nil {
		return nil, err
	}
	rows, err := tx.Query(`SELECT oid, row_id, rtype FROM recipients WHERE message = ? ORDER BY row_id`, oid)
	if err != nil {
		return nil, err
	}
	type idx struct {
		oid int64
		r   Recipient
	}
	var rs []idx
	for rows.Next() {
		var x idx
		if err := rows.Scan(&x.oid, &x.r.RowID, &x.r.Type); err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, x)
	}
	rows.Close()
	var rprops map[int64]Props
	if len(rs) > 0 {
		if rprops, err = childProps(tx, kindRecip, "recipients", oid); err != nil {
			return nil, err
		}
	}
	for _, x := range rs {
		x.r.Props = rprops[x.oid]
		if x.r.Props == nil {
			x.r.Props = Props{}
		}
		m.recips = append(m.recips, x.r)
	}
	rows, err = tx.Query(`SELECT oid, num FROM attachments WHERE message = ? ORDER BY num`, oid)
	if err != nil {
		return nil, err
	}
	type aidx struct {
		oid int64
		num uint32
	}
	var as []aidx
	for rows.Next() {
		var x aidx
		if err := rows.Scan(&x.oid, &x.num); err != nil {
			rows.Close()
			return nil, err
		}
		as = append(as, x)
	}
	rows.Close()
	var aprops map[int64]Props
	if len(as) > 0 {
		if aprops, err = childProps(tx, kindAttach, "attachments", oid); err != nil {
			return nil, err
		}
	}
	for _, x := range as {
		a := &Attachment{msg: m, Num: x.num}
		if a.props = aprops[x.oid]; a.props == nil {
			a.props = Props{}
		}
		var eoid int64
		err := tx.QueryRow(`SELECT oid FROM messages WHERE parent_attach = ? AND parent_attach <> 0`, x.oid).Scan(&eoid)
		if err == nil {
			if a.embedded, err = s.loadMessage(tx, mb, eoid); err != nil {
				return nil, err
			}
			a.embedded.parent = a
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		m.attachments = append(m.attachments, a)
		if x.num >= m.nextAttach {
			m.nextAttach = x.num + 1
		}
	}
	return m, nil
}

// childProps loads the properties of every recipient or attachment of a
// message in one query (table is "recipients" or "attachments").
func childProps(tx *sql.Tx, kind int, table string, msg int64) (map[int64]Props, error) {
	rows, err := tx.Query(`SELECT p.oid, p.tag, p.val, p.large FROM `+table+` c CROSS JOIN props p ON p.kind = ? AND p.oid = c.oid WHERE c.message = ?`, kind, msg)
	if err != nil {
		return nil, err
	}
	out := map[int64]Props{}
	type big struct {
		oid int64
		tag prop.Tag
	}
	var large []big
	for rows.Next() {
		var oid int64
		var tag uint32
		var val []byte
		var isLarge bool
		if err := rows.Scan(&oid, &tag, &val, &isLarge); err != nil {
			rows.Close()
			return nil, err
		}
		p := out[oid]
		if p == nil {
			p = Props{}
			out[oid] = p
		}
		t := prop.Tag(tag)
		if isLarge {
			large = append(large, big{oid, t})
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
	for _, l := range large {
		b, err := loadChunks(tx, kind, l.oid, l.tag)
		if err != nil {
			return nil, err
		}
		v, err := decodeValue(l.tag.Type(), b)
		if err != nil {
			return nil, err
		}
		out[l.oid].Set(l.tag, v)
	}
	return out, nil
}

// ---- Properties ----

// computedMessageTag reports properties the store computes.
func computedMessageTag(t prop.Tag) bool {
	switch t.ID() {
	case TagMid.ID(), TagFolderId.ID(), TagParentFolderId.ID(), TagMessageSize.ID(), TagHasAttachments.ID(),
		TagChangeNumber.ID(), TagMessageRecipients.ID(), TagMessageAttachments.ID():
		return true
	}
	return false
}

// Prop returns one property, stored or computed.
func (m *Message) Prop(tag prop.Tag) (any, bool) { return m.AllProps().Get(tag) }

// AllProps returns the stored properties plus the computed ones
// (PidTagMid, PidTagFolderId, PidTagMessageSize, PidTagHasAttachments,
// PidTagMessageFlags with the read and attachment bits).
func (m *Message) AllProps() Props {
	p := m.props.Clone()
	if m.ID != 0 {
		p.Set(TagMid, int64(m.ID))
	}
	if m.FolderID != 0 {
		p.Set(TagFolderId, int64(m.FolderID))
		p.Set(TagParentFolderId, int64(m.FolderID))
	}
	if m.cn != 0 {
		p.Set(TagChangeNumber, int64(prop.MakeID(1, m.cn)))
	}
	p.Set(TagMessageSize, int32(m.size()))
	p.Set(TagHasAttachments, len(m.attachments) > 0)
	flags := uint32(m.props.Int32(TagMessageFlags))
	flags &^= MsgFlagRead | MsgFlagHasAttach | MsgFlagAssociated
	if m.read {
		flags |= MsgFlagRead
	}
	if len(m.attachments) > 0 {
		flags |= MsgFlagHasAttach
	}
	if m.Associated {
		flags |= MsgFlagAssociated
	}
	p.Set(TagMessageFlags, int32(flags))
	return p
}

// Prop implements PropSource (for restrictions over an opened message).
func (m *Message) size() int {
	n := 0
	for _, tv := range m.props {
		n += valueSize(tv.Value)
	}
	for _, r := range m.recips {
		for _, tv := range r.Props {
			n += valueSize(tv.Value)
		}
	}
	for _, a := range m.attachments {
		n += a.size()
	}
	return n
}

// SubObjects implements SubObjectSource: recipients and attachments as
// property sources for SubObject restrictions.
func (m *Message) SubObjects(tag prop.Tag) []PropSource {
	var out []PropSource
	switch tag.ID() {
	case TagMessageRecipients.ID():
		for _, r := range m.recips {
			p := r.Props.Clone()
			p.Set(TagRowid, int32(r.RowID))
			p.Set(TagRecipientType, int32(r.Type))
			out = append(out, p)
		}
	case TagMessageAttachments.ID():
		for _, a := range m.attachments {
			out = append(out, a.AllProps())
		}
	}
	return out
}

func (m *Message) writable() error {
	if m.ReadOnly {
		return ErrAccessDenied
	}
	return nil
}

// SetProps sets properties; computed ones give problem entries.
func (m *Message) SetProps(vals []prop.TaggedValue) ([]prop.Problem, error) {
	if err := m.writable(); err != nil {
		return nil, err
	}
	var probs []prop.Problem
	for i, v := range vals {
		if computedMessageTag(v.Tag) {
			probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: v.Tag, ErrorCode: ErrAccessDenied})
			continue
		}
		if err := checkValue(v); err != nil {
			probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: v.Tag, ErrorCode: ErrInvalidParam})
			continue
		}
		if v.Tag.ID() == TagMessageFlags.ID() {
			f, _ := v.Value.(int32)
			m.read = uint32(f)&MsgFlagRead != 0
		}
		m.props.Set(v.Tag, v.Value)
	}
	return probs, nil
}

// DeleteProps removes properties.
func (m *Message) DeleteProps(tags []prop.Tag) error {
	if err := m.writable(); err != nil {
		return err
	}
	for _, t := range tags {
		if !computedMessageTag(t) {
			m.props.Delete(t)
		}
	}
	return nil
}

// Read reports the read flag of the working copy.
func (m *Message) Read() bool { return m.read }

// ---- Recipients ----

// Recipients returns the recipient rows.
func (m *Message) Recipients() []Recipient {
	out := make([]Recipient, len(m.recips))
	copy(out, m.recips)
	return out
}

// ModifyRecipients adds, replaces or (for rows with no properties)
// removes recipients by RowID (RopModifyRecipients).
func (m *Message) ModifyRecipients(rows []Recipient) error {
	if err := m.writable(); err != nil {
		return err
	}
	for _, r := range rows {
		i := sort.Search(len(m.recips), func(i int) bool { return m.recips[i].RowID >= r.RowID })
		exists := i < len(m.recips) && m.recips[i].RowID == r.RowID
		switch {
		case len(r.Props) == 0:
			if exists {
				m.recips = append(m.recips[:i], m.recips[i+1:]...)
			}
		case exists:
			m.recips[i] = r
		default:
			m.recips = append(m.recips, Recipient{})
			copy(m.recips[i+1:], m.recips[i:])
			m.recips[i] = r
		}
	}
	return nil
}

// RemoveAllRecipients clears the recipient table.
func (m *Message) RemoveAllRecipients() error {
	if err := m.writable(); err != nil {
		return err
	}
	m.recips = nil
	return nil
}

// AddRecipient appends a recipient with the next RowID.
func (m *Message) AddRecipient(rtype uint32, props Props) {
	var id uint32
	if n := len(m.recips); n > 0 {
		id = m.recips[n-1].RowID + 1
	}
	m.recips = append(m.recips, Recipient{RowID: id, Type: rtype, Props: props})
}

// ---- Attachments ----

// AttachmentTable returns the properties of every attachment (the
// attachment table rows), by attachment number.
func (m *Message) AttachmentTable() []Props {
	var out []Props
	for _, a := range m.attachments {
		out = append(out, a.AllProps())
	}
	return out
}

// CreateAttachment starts a new attachment (RopCreateAttachment). It is
// added to the message on its SaveChanges.
func (m *Message) CreateAttachment() (*Attachment, error) {
	if err := m.writable(); err != nil {
		return nil, err
	}
	a := &Attachment{msg: m, Num: m.nextAttach, props: Props{}}
	m.nextAttach++
	a.props.Set(TagAttachMethod, int32(AttachByValue))
	a.props.Set(TagCreationTime, m.s.now())
	a.props.Set(TagLastModificationTime, m.s.now())
	return a, nil
}

// OpenAttachment opens attachment num (RopOpenAttachment).
func (m *Message) OpenAttachment(num uint32) (*Attachment, error) {
	for _, a := range m.attachments {
		if a.Num == num {
			c := &Attachment{msg: m, Num: num, props: a.props.Clone(), ReadOnly: m.ReadOnly}
			if a.embedded != nil {
				c.embedded = a.embedded.clone()
				c.embedded.parent = c
			}
			return c, nil
		}
	}
	return nil, ErrNotFound
}

// DeleteAttachment removes attachment num (RopDeleteAttachment).
func (m *Message) DeleteAttachment(num uint32) error {
	if err := m.writable(); err != nil {
		return err
	}
	for i, a := range m.attachments {
		if a.Num == num {
			m.attachments = append(m.attachments[:i], m.attachments[i+1:]...)
			return nil
		}
	}
	return ErrNotFound
}

func (m *Message) clone() *Message {
	c := *m
	c.props = m.props.Clone()
	c.recips = make([]Recipient, len(m.recips))
	for i, r := range m.recips {
		c.recips[i] = Recipient{RowID: r.RowID, Type: r.Type, Props: r.Props.Clone()}
	}
	c.attachments = make([]*Attachment, len(m.attachments))
	for i, a := range m.attachments {
		na := &Attachment{msg: &c, Num: a.Num, props: a.props.Clone()}
		if a.embedded != nil {
			na.embedded = a.embedded.clone()
			na.embedded.parent = na
		}
		c.attachments[i] = na
	}
	return &c
}

func (a *Attachment) size() int {
	n := 0
	for _, tv := range a.props {
		n += valueSize(tv.Value)
	}
	if a.embedded != nil {
		n += a.embedded.size()
	}
	return n
}

// Prop returns one attachment property.
func (a *Attachment) Prop(tag prop.Tag) (any, bool) { return a.AllProps().Get(tag) }

// AllProps returns stored and computed properties (PidTagAttachNumber,
// PidTagAttachSize).
func (a *Attachment) AllProps() Props {
	p := a.props.Clone()
	p.Set(TagAttachNumber, int32(a.Num))
	p.Set(TagAttachSize, int32(a.size()))
	return p
}

// SetProps sets attachment properties.
func (a *Attachment) SetProps(vals []prop.TaggedValue) ([]prop.Problem, error) {
	if a.ReadOnly {
		return nil, ErrAccessDenied
	}
	var probs []prop.Problem
	for i, v := range vals {
		if v.Tag.ID() == TagAttachNumber.ID() || v.Tag.ID() == TagAttachSize.ID() {
			probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: v.Tag, ErrorCode: ErrAccessDenied})
			continue
		}
		if err := checkValue(v); err != nil {
			probs = append(probs, prop.Problem{Index: uint16(i), PropertyTag: v.Tag, ErrorCode: ErrInvalidParam})
			continue
		}
		a.props.Set(v.Tag, v.Value)
	}
	return probs, nil
}

// DeleteProps removes attachment properties.
func (a *Attachment) DeleteProps(tags []prop.Tag) error {
	if a.ReadOnly {
		return ErrAccessDenied
	}
	for _, t := range tags {
		a.props.Delete(t)
	}
	return nil
}

// OpenEmbeddedMessage opens the message inside an attachment
// (RopOpenEmbeddedMessage); with create a missing one is created and the
// attachment's PidTagAttachMethod becomes afEmbeddedMessage.
func (a *Attachment) OpenEmbeddedMessage(create bool) (*Message, error) {
	if a.embedded != nil {
		e := a.embedded.clone()
		e.parent = a
		e.ReadOnly = a.ReadOnly
		return e, nil
	}
	if !create || a.ReadOnly {
		return nil, ErrNotFound
	}
	e := a.msg.s.newMessage(a.msg.mb, 0, 0, false)
	e.parent = a
	a.props.Set(TagAttachMethod, int32(AttachEmbeddedMessage))
	return e, nil
}

// SaveChanges commits the attachment into its message's working copy
// (RopSaveChangesAttachment).
func (a *Attachment) SaveChanges() error {
	if a.ReadOnly {
		return ErrAccessDenied
	}
	a.props.Set(TagLastModificationTime, a.msg.s.now())
	c := &Attachment{msg: a.msg, Num: a.Num, props: a.props.Clone()}
	if a.embedded != nil {
		c.embedded = a.embedded.clone()
		c.embedded.parent = c
	}
	for i, x := range a.msg.attachments {
		if x.Num == a.Num {
			a.msg.attachments[i] = c
			return nil
		}
	}
	a.msg.attachments = append(a.msg.attachments, c)
	sort.Slice(a.msg.attachments, func(i, j int) bool { return a.msg.attachments[i].Num < a.msg.attachments[j].Num })
	return nil
}

// ---- Saving ----

// SaveChanges commits the working copy (RopSaveChangesMessage). A
// top-level message gets a new change number, PidTagChangeKey,
// PidTagPredecessorChangeList and PidTagLastModificationTime. If another
// session saved the message since it was opened, ErrObjectModified is
// returned unless force. An embedded message saves into its attachment's
// working copy.
func (m *Message) SaveChanges(force bool) error {
	if err := m.writable(); err != nil {
		return err
	}
	if m.parent != nil {
		m.props.Set(TagLastModificationTime, m.s.now())
		m.New = false
		e := m.clone()
		e.parent = m.parent
		m.parent.embedded = e
		return nil
	}
	if m.imp != nil {
		return m.s.saveImport(m)
	}
	return m.s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, m.mb, m.FolderID)
		if err != nil {
			return err
		}
		if !m.New {
			var cn uint64
			var deleted bool
			err := tx.QueryRow(`SELECT cn, deleted FROM messages WHERE oid = ?`, m.oid).Scan(&cn, &deleted)
			if errors.Is(err, sql.ErrNoRows) || deleted {
				return ErrObjectDeleted
			}
			if err != nil {
				return err
			}
			if cn != m.cn && !force {
				return ErrObjectModified
			}
		}
		cn, err := allocGlobCnt(tx, m.mb.ID, 1)
		if err != nil {
			return err
		}
		ck := XID(m.mb.ReplicaGUID, cn)
		pcl, _ := m.props[TagPredecessorChangeList.ID()].Value.([]byte)
		m.props.Set(TagChangeKey, ck)
		m.props.Set(TagPredecessorChangeList, UpdatePCL(pcl, ck))
		m.props.Set(TagLastModificationTime, m.s.now())
		if flags := uint32(m.props.Int32(TagMessageFlags)); flags&MsgFlagUnmodified != 0 {
			m.props.Set(TagMessageFlags, int32(flags&^MsgFlagUnmodified))
		}
		readCN := uint64(0)
		if m.New {
			readCN = cn
		}
		if err := m.s.writeMessage(tx, m, cn, readCN); err != nil {
			return err
		}
		m.cn = cn
		m.New = false
		return m.s.touchFolder(tx, f)
	})
}

// writeMessage stores a top-level message (insert or replace).
func (s *Store) writeMessage(tx *sql.Tx, m *Message, cn, readCN uint64) error {
	if m.oid != 0 {
		if err := deleteMessageChildren(tx, m.oid); err != nil {
			return err
		}
		q := `UPDATE messages SET fid = ?, cn = ?, read = ?, size = ? WHERE oid = ?`
		if _, err := tx.Exec(q, int64(m.FolderID), cn, m.read, m.size(), m.oid); err != nil {
			return err
		}
	} else {
		res, err := tx.Exec(`INSERT INTO messages(mailbox, mid, fid, assoc, cn, read, read_cn, size) VALUES(?,?,?,?,?,?,?,?)`,
			m.mb.ID, int64(m.ID), int64(m.FolderID), m.Associated, cn, m.read, readCN, m.size())
		if err != nil {
			return err
		}
		m.oid, _ = res.LastInsertId()
	}
	return writeMessageBody(tx, m, m.oid)
}

// writeMessageBody writes props, recipients and attachments of a message
// row (whose children are already gone).
func writeMessageBody(tx *sql.Tx, m *Message, oid int64) error {
	p := m.props.Clone()
	flags := uint32(p.Int32(TagMessageFlags))
	flags &^= MsgFlagRead | MsgFlagHasAttach | MsgFlagAssociated
	p.Set(TagMessageFlags, int32(flags))
	if err := writeAllProps(tx, kindMessage, oid, p); err != nil {
		return err
	}
	for _, r := range m.recips {
		res, err := tx.Exec(`INSERT INTO recipients(message, row_id, rtype) VALUES(?,?,?)`, oid, r.RowID, r.Type)
		if err != nil {
			return err
		}
		roid, _ := res.LastInsertId()
		if err := insertProps(tx, kindRecip, roid, r.Props.List()); err != nil {
			return err
		}
	}
	for _, a := range m.attachments {
		res, err := tx.Exec(`INSERT INTO attachments(message, num) VALUES(?,?)`, oid, a.Num)
		if err != nil {
			return err
		}
		aoid, _ := res.LastInsertId()
		if err := insertProps(tx, kindAttach, aoid, a.props.List()); err != nil {
			return err
		}
		if e := a.embedded; e != nil {
			res, err := tx.Exec(`INSERT INTO messages(mailbox, mid, fid, assoc, cn, read, size, parent_attach) VALUES(?,0,0,0,0,?,?,?)`,
				m.mb.ID, e.read, e.size(), aoid)
			if err != nil {
				return err
			}
			eoid, _ := res.LastInsertId()
			if err := writeMessageBody(tx, e, eoid); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteMessageChildren removes a message row's properties, recipients
// and attachments (with embedded messages), keeping the row.
func deleteMessageChildren(tx *sql.Tx, oid int64) error {
	if err := deleteAllProps(tx, kindMessage, oid); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM props WHERE kind = ? AND oid IN (SELECT oid FROM recipients WHERE message = ?)`, kindRecip, oid); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM recipients WHERE message = ?`, oid); err != nil {
		return err
	}
	rows, err := tx.Query(`SELECT oid FROM attachments WHERE message = ?`, oid)
	if err != nil {
		return err
	}
	var aoids []int64
	for rows.Next() {
		var a int64
		rows.Scan(&a)
		aoids = append(aoids, a)
	}
	rows.Close()
	for _, a := range aoids {
		var eoid int64
		if err := tx.QueryRow(`SELECT oid FROM messages WHERE parent_attach = ? AND parent_attach <> 0`, a).Scan(&eoid); err == nil {
			if err := deleteMessageChildren(tx, eoid); err != nil {
				return err
			}
			if _, err := tx.Exec(`DELETE FROM messages WHERE oid = ?`, eoid); err != nil {
				return err
			}
		}
		if err := deleteAllProps(tx, kindAttach, a); err != nil {
			return err
		}
	}
	_, err = tx.Exec(`DELETE FROM attachments WHERE message = ?`, oid)
	return err
}

// ---- Deleting, moving, copying ----

func folderMessageOIDs(tx *sql.Tx, mb *Mailbox, f *Folder, where string) ([]int64, error) {
	rows, err := tx.Query(`SELECT oid FROM messages WHERE mailbox = ? AND fid = ? AND parent_attach = 0 AND deleted = 0 AND `+where+` ORDER BY oid`, mb.ID, int64(f.ID))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var o int64
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *Store) deleteMessagesWhere(tx *sql.Tx, mb *Mailbox, f *Folder, where string, hard bool) error {
	oids, err := folderMessageOIDs(tx, mb, f, where)
	if err != nil {
		return err
	}
	for _, o := range oids {
		if err := s.deleteMessageOID(tx, mb, o, hard); err != nil {
			return err
		}
	}
	return nil
}

// deleteMessageOID deletes one top-level message and writes its tombstone.
func (s *Store) deleteMessageOID(tx *sql.Tx, mb *Mailbox, oid int64, hard bool) error {
	var mid, fid int64
	var assoc bool
	if err := tx.QueryRow(`SELECT mid, fid, assoc FROM messages WHERE oid = ?`, oid).Scan(&mid, &fid, &assoc); err != nil {
		return err
	}
	cn, err := allocGlobCnt(tx, mb.ID, 1)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO tombstones(mailbox, id, fid, cn, assoc, is_folder, hard, deleted_at) VALUES(?,?,?,?,?,0,?,?)`,
		mb.ID, mid, fid, cn, assoc, hard, int64(s.now())); err != nil {
		return err
	}
	if !hard {
		_, err := tx.Exec(`UPDATE messages SET deleted = 1 WHERE oid = ?`, oid)
		return err
	}
	if err := deleteMessageChildren(tx, oid); err != nil {
		return err
	}
	_, err = tx.Exec(`DELETE FROM messages WHERE oid = ?`, oid)
	return err
}

func messageOID(tx *sql.Tx, mb *Mailbox, fid, mid prop.ID) (int64, error) {
	var oid int64
	err := tx.QueryRow(`SELECT oid FROM messages WHERE mailbox = ? AND fid = ? AND mid = ? AND parent_attach = 0 AND deleted = 0`, mb.ID, int64(fid), int64(mid)).Scan(&oid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return oid, err
}

// DeleteMessages deletes messages of folder fid (RopDeleteMessages,
// RopHardDeleteMessages). Unknown ids are skipped and reported by
// partial = true.
func (s *Store) DeleteMessages(mb *Mailbox, fid prop.ID, mids []prop.ID, hard bool) (partial bool, err error) {
	err = s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		for _, mid := range mids {
			oid, err := messageOID(tx, mb, fid, mid)
			if err == ErrNotFound {
				partial = true
				continue
			}
			if err != nil {
				return err
			}
			if err := s.deleteMessageOID(tx, mb, oid, hard); err != nil {
				return err
			}
		}
		return s.touchFolder(tx, f)
	})
	return partial, err
}

// insertCopy stores m as a new message of folder dst in mailbox mb and
// returns its new id. The copy gets a new id, source key, change number,
// change key and PCL.
func (s *Store) insertCopy(tx *sql.Tx, mb *Mailbox, m *Message, dst *Folder) (prop.ID, error) {
	gc, err := allocGlobCnt(tx, mb.ID, 2)
	if err != nil {
		return 0, err
	}
	id := prop.MakeID(1, gc)
	cn := gc + 1
	c := m.clone()
	c.mb, c.s, c.oid, c.ID, c.FolderID, c.parent = mb, s, 0, id, dst.ID, nil
	ck := XID(mb.ReplicaGUID, cn)
	c.props.Set(TagSourceKey, s.sourceKey(mb, id))
	c.props.Set(TagChangeKey, ck)
	c.props.Set(TagPredecessorChangeList, UpdatePCL(nil, ck))
	if err := s.writeMessage(tx, c, cn, cn); err != nil {
		return 0, err
	}
	return id, s.touchFolder(tx, dst)
}

// MoveCopyMessages moves or copies messages from folder src of mailbox mb
// to folder dst of mailbox dstMb (RopMoveCopyMessages). Moved and copied
// messages get new ids (returned in order; 0 for ids not found, which also
// set partial). A move leaves a tombstone in the source folder.
func (s *Store) MoveCopyMessages(mb *Mailbox, src prop.ID, mids []prop.ID, dstMb *Mailbox, dst prop.ID, copyOnly bool) (newIDs []prop.ID, partial bool, err error) {
	err = s.tx(func(tx *sql.Tx) error {
		sf, err := getFolder(tx, mb, src)
		if err != nil {
			return err
		}
		df, err := getFolder(tx, dstMb, dst)
		if err != nil {
			return err
		}
		if df.Type == FolderSearch {
			return ErrNoSupport
		}
		for _, mid := range mids {
			oid, err := messageOID(tx, mb, src, mid)
			if err == ErrNotFound {
				partial = true
				newIDs = append(newIDs, 0)
				continue
			}
			if err != nil {
				return err
			}
			m, err := s.loadMessage(tx, mb, oid)
			if err != nil {
				return err
			}
			nid, err := s.insertCopy(tx, dstMb, m, df)
			if err != nil {
				return err
			}
			newIDs = append(newIDs, nid)
			if !copyOnly {
				if err := s.deleteMessageOID(tx, mb, oid, true); err != nil {
					return err
				}
			}
		}
		return s.touchFolder(tx, sf)
	})
	return newIDs, partial, err
}

// SetReadFlag sets or clears mfRead of a message with a new read-state
// change number; the message's own change number is not touched. It
// reports whether the state changed.
func (s *Store) SetReadFlag(mb *Mailbox, mid prop.ID, read bool) (changed bool, err error) {
	err = s.tx(func(tx *sql.Tx) error {
		var oid int64
		var cur bool
		err := tx.QueryRow(`SELECT oid, read FROM messages WHERE mailbox = ? AND mid = ? AND parent_attach = 0 AND deleted = 0`, mb.ID, int64(mid)).Scan(&oid, &cur)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || cur == read {
			return err
		}
		rcn, err := allocGlobCnt(tx, mb.ID, 1)
		if err != nil {
			return err
		}
		changed = true
		_, err = tx.Exec(`UPDATE messages SET read = ?, read_cn = ? WHERE oid = ?`, read, rcn, oid)
		return err
	})
	return changed, err
}

// ---- Contents ----

// ContentRow is one message of a contents table.
type ContentRow struct {
	ID           prop.ID
	FolderID     prop.ID
	Associated   bool
	Read         bool
	ChangeNumber uint64
	ReadCN       uint64
	Props        Props // stored (values < LargeValueSize) and computed properties
	oid          int64
}

// Prop implements PropSource.
func (r *ContentRow) Prop(tag prop.Tag) (any, bool) { return r.Props.Get(tag) }

// Contents lists the messages of a folder (normal or FAI), in creation
// order, with their properties for a contents table. Values of
// LargeValueSize or more are left out (open the message to read them).
// For a search folder it lists the current search results.
func (s *Store) Contents(mb *Mailbox, fid prop.ID, associated bool) ([]*ContentRow, error) {
	var out []*ContentRow
	err := s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, mb, fid)
		if err != nil {
			return err
		}
		if f.Type == FolderSearch {
			if associated {
				return nil
			}
			out, err = s.searchResults(tx, mb, f)
			return err
		}
		out, err = s.contents(tx, mb, `m.fid = ? AND m.assoc = ?`, int64(fid), associated)
		return err
	})
	return out, err
}

// contents loads rows of messages matching cond (over alias m).
func (s *Store) contents(tx *sql.Tx, mb *Mailbox, cond string, args ...any) ([]*ContentRow, error) {
	q := `SELECT m.oid, m.mid, m.fid, m.assoc, m.read, m.cn, m.read_cn, m.size,
	  EXISTS(SELECT 1 FROM attachments a WHERE a.message = m.oid), p.tag, p.val, p.large
	  FROM messages m LEFT JOIN props p ON p.kind = 2 AND p.oid = m.oid
	  WHERE m.mailbox = ? AND m.parent_attach = 0 AND m.deleted = 0 AND ` + cond + ` ORDER BY m.oid`
	rows, err := tx.Query(q, append([]any{mb.ID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ContentRow
	var cur *ContentRow
	for rows.Next() {
		var oid, mid, fid int64
		var assoc, read bool
		var cn, rcn uint64
		var size int
		var hasAttach bool
		var tag sql.NullInt64
		var val []byte
		var large sql.NullBool
		if err := rows.Scan(&oid, &mid, &fid, &assoc, &read, &cn, &rcn, &size, &hasAttach, &tag, &val, &large); err != nil {
			return nil, err
		}
		if cur == nil || cur.oid != oid {
			cur = &ContentRow{ID: prop.ID(mid), FolderID: prop.ID(fid), Associated: assoc, Read: read, ChangeNumber: cn, ReadCN: rcn, Props: Props{}, oid: oid}
			out = append(out, cur)
			cur.Props.Set(TagMid, int64(mid))
			cur.Props.Set(TagFolderId, int64(fid))
			cur.Props.Set(TagParentFolderId, int64(fid))
			cur.Props.Set(TagMessageSize, int32(size))
			cur.Props.Set(TagChangeNumber, int64(prop.MakeID(1, cn)))
			cur.Props.Set(TagHasAttachments, hasAttach)
		}
		if !tag.Valid || large.Bool {
			continue
		}
		t := prop.Tag(uint32(tag.Int64))
		v, err := decodeValue(t.Type(), val)
		if err != nil {
			return nil, fmt.Errorf("stored %v: %w", t, err)
		}
		cur.Props.Set(t, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, r := range out {
		flags := uint32(r.Props.Int32(TagMessageFlags))
		if r.Read {
			flags |= MsgFlagRead
		}
		if r.Associated {
			flags |= MsgFlagAssociated
		}
		if v, _ := r.Props.Get(TagHasAttachments); v == true {
			flags |= MsgFlagHasAttach
		}
		r.Props.Set(TagMessageFlags, int32(flags))
	}
	return out, nil
}

// Tombstone records a deleted message or folder for ICS.
type Tombstone struct {
	ID           prop.ID
	FolderID     prop.ID // the folder it was in (the parent, for folders)
	ChangeNumber uint64  // CN of the deletion
	Associated   bool
	IsFolder     bool
	Hard         bool
	DeletedAt    prop.Filetime
}

// Tombstones lists deletions in folder fid with a change number above
// afterCN, oldest first.
func (s *Store) Tombstones(mb *Mailbox, fid prop.ID, afterCN uint64) ([]Tombstone, error) {
	var out []Tombstone
	err := s.tx(func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT id, fid, cn, assoc, is_folder, hard, deleted_at FROM tombstones WHERE mailbox = ? AND fid = ? AND cn > ? ORDER BY cn`, mb.ID, int64(fid), afterCN)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t Tombstone
			var id, f, at int64
			if err := rows.Scan(&id, &f, &t.ChangeNumber, &t.Associated, &t.IsFolder, &t.Hard, &at); err != nil {
				return err
			}
			t.ID, t.FolderID, t.DeletedAt = prop.ID(id), prop.ID(f), prop.Filetime(at)
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// ---- Submission and local delivery ----

// Submit marks a saved message submitted (RopSubmitMessage), delivers it
// to every recipient that is a mailbox of this store, and moves it to Sent
// Items (or deletes it when PidTagDeleteAfterSubmit is set). It returns
// the mailboxes delivered to and the message's new id in Sent Items.
func (s *Store) Submit(mb *Mailbox, mid prop.ID) (delivered []*Mailbox, sentID prop.ID, err error) {
	m, err := s.OpenMessage(mb, 0, mid)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	flags := uint32(m.props.Int32(TagMessageFlags))
	flags = (flags | MsgFlagSubmitted | MsgFlagFromMe) &^ MsgFlagUnsent
	m.props.Set(TagMessageFlags, int32(flags))
	m.props.Set(TagClientSubmitTime, now)
	if _, ok := m.props.Get(TagSenderName); !ok {
		m.props.Set(TagSenderName, mb.DisplayName)
		m.props.Set(TagSenderEmailAddress, mb.Email)
		m.props.Set(TagSenderAddressType, "SMTP")
		m.props.Set(TagSentRepresentingName, mb.DisplayName)
		m.props.Set(TagSentRepresentingEmailAddress, mb.Email)
		m.props.Set(TagSentRepresentingAddressType, "SMTP")
	}
	m.read = true
	if err := m.SaveChanges(true); err != nil {
		return nil, 0, err
	}
	seen := map[int64]bool{}
	for _, r := range m.recips {
		addr := r.Props.String(TagSmtpAddress)
		if addr == "" {
			addr = r.Props.String(TagEmailAddress)
		}
		to, err := s.MailboxByEmail(addr)
		if err != nil {
			to, err = s.MailboxByLegacyDN(addr)
		}
		if err != nil || seen[to.ID] {
			continue
		}
		seen[to.ID] = true
		if _, err := s.Deliver(m, to); err != nil {
			return delivered, 0, err
		}
		delivered = append(delivered, to)
	}
	if del, _ := m.props.Get(TagDeleteAfterSubmit); del == true {
		_, err = s.DeleteMessages(mb, m.FolderID, []prop.ID{m.ID}, true)
		return delivered, 0, err
	}
	sent, err := s.SpecialFolder(mb, RoleSentItems)
	if err != nil {
		return delivered, 0, err
	}
	if m.FolderID == sent.ID {
		return delivered, m.ID, nil
	}
	ids, _, err := s.MoveCopyMessages(mb, m.FolderID, []prop.ID{m.ID}, mb, sent.ID, false)
	if err != nil || len(ids) == 0 {
		return delivered, 0, err
	}
	return delivered, ids[0], nil
}

// Deliver copies message m into the Inbox (the receive folder of its
// class) of mailbox to, unread, with PidTagMessageDeliveryTime set, and
// returns the new message id.
func (s *Store) Deliver(m *Message, to *Mailbox) (prop.ID, error) {
	class := m.props.String(TagMessageClass)
	fid, _, err := s.ReceiveFolder(to, class)
	if err != nil {
		return 0, err
	}
	var id prop.ID
	err = s.tx(func(tx *sql.Tx) error {
		f, err := getFolder(tx, to, fid)
		if err != nil {
			return err
		}
		c := m.clone()
		c.read = false
		c.Associated = false
		flags := uint32(c.props.Int32(TagMessageFlags))
		c.props.Set(TagMessageFlags, int32(flags&^(MsgFlagUnsent|MsgFlagSubmitted|MsgFlagFromMe|MsgFlagRead)))
		c.props.Set(TagMessageDeliveryTime, s.now())
		c.props.Delete(TagDeleteAfterSubmit)
		id, err = s.insertCopy(tx, to, c, f)
		return err
	})
	return id, err
}
