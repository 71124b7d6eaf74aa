package client

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"time"

	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// A local replica of a mailbox, as Outlook keeps one in its OST in cached
// mode: the folders of a synchronization root, each folder's messages
// (normal and FAI) with their identity and change tracking — source key,
// change key, predecessor change list — and content, and the ICS state
// Outlook persists per folder and for the hierarchy ([MS-OXCFXICS] 2.2.1.1:
// IdsetGiven, CnsetSeen, CnsetSeenFAI, CnsetRead). Local changes (the user
// working offline) are recorded on the replica and uploaded by the next
// Sync; Syncer applies the server's changes. A Replica is JSON
// serialisable (Save, LoadReplica).

// Replica is a local copy of the folders under one synchronization root.
type Replica struct {
	// ReplicaGUID and ReplID name the mailbox's own replica (RopLogon's
	// ReplGuid and ReplId): the GUID of the source keys of objects made
	// in the mailbox, and the REPLID of their ids.
	ReplicaGUID prop.GUID
	ReplID      uint16
	// ClientGUID is the namespace of the change keys of local changes —
	// the replica GUID of the client's local store ([MS-OXCFXICS] 2.2.2.2).
	ClientGUID prop.GUID
	// Root is the synchronization root (the IPM subtree by default).
	Root prop.ID
	// Hierarchy is the ICS state of the hierarchy synchronization
	// (IdsetGiven and CnsetSeen).
	Hierarchy State
	Folders   map[prop.ID]*Folder
	// NextLocal and LocalEnd are the GLOBCNT range reserved with
	// RopGetLocalReplicaIds ([MS-OXCFXICS] 3.3.4.3.3.2.1) not used yet:
	// the ids of objects created locally.
	NextLocal, LocalEnd uint64
	// ChangeCounter numbers the local changes (the LocalId of their change
	// keys).
	ChangeCounter uint64
	// DeletedFolders are folders deleted locally, by source key, to upload
	// with RopSynchronizationImportDeletes.
	DeletedFolders [][]byte `json:",omitempty"`
}

// State is an ICS state — [MS-OXCFXICS] 2.2.1.1 — as REPLGUID-based sets.
type State struct {
	IdsetGiven, CnsetSeen, CnsetSeenFAI, CnsetRead fxics.IDSet
}

// Folder is a folder of the replica.
type Folder struct {
	ID, Parent                prop.ID
	SourceKey, ChangeKey, PCL []byte
	LastModified              prop.Filetime
	Name, Class               string
	Props                     []Prop `json:",omitempty"` // the other properties the hierarchy synchronization sent
	State                     State
	Synced                    bool // a contents synchronization ran
	Messages                  map[prop.ID]*Message
	Dirty                     bool     `json:",omitempty"` // created, renamed or moved locally, to upload
	Created                   bool     `json:",omitempty"` // created locally, not on the server yet
	DeletedMessages           [][]byte `json:",omitempty"` // source keys of messages deleted locally
	Moves                     []Move   `json:",omitempty"` // messages moved into this folder locally
}

// Move is a message moved locally into a folder, to upload with
// RopSynchronizationImportMessageMove — [MS-OXCFXICS] 2.2.3.2.4.4.1.
type Move struct {
	SourceFolderKey, SourceMessageKey []byte
	PCL                               []byte // the message's PCL before the move
	ID                                prop.ID
	SourceKey, ChangeKey              []byte // of the message in the destination
}

// Message is a message of the replica: its identity, change tracking and
// content. Props, Recipients and Attachments are what a messageChangeFull
// carries ([MS-OXCFXICS] 2.2.4.3.12).
type Message struct {
	ID                        prop.ID
	SourceKey, ChangeKey, PCL []byte
	LastModified              prop.Filetime
	FAI, Read                 bool
	Size                      int32 `json:",omitempty"` // PidTagMessageSize from the header
	Content
	Dirty     bool `json:",omitempty"` // created or changed locally, to upload
	ReadDirty bool `json:",omitempty"` // read state changed locally, to upload
	New       bool `json:",omitempty"` // created locally, not uploaded yet
}

// Content is the properties, recipients and attachments of a message.
type Content struct {
	Props       []Prop       `json:",omitempty"`
	Recipients  []Recipient  `json:",omitempty"`
	Attachments []Attachment `json:",omitempty"`
}

// Recipient is a recipient row: PidTagRowid, PidTagRecipientType and the
// other recipient properties.
type Recipient struct {
	Props []Prop
}

// Attachment is an attachment: its number, properties and embedded
// message.
type Attachment struct {
	Number   int32
	Props    []Prop
	Embedded *Content `json:",omitempty"`
}

// Prop is a property value; Name is set for a named property (id 0x8000
// and up), whose id is only meaningful with it. It serialises as its
// FastTransfer encoding ([MS-OXCFXICS] 2.2.4.1.3 propValue).
type Prop struct {
	Tag   prop.Tag
	Name  *prop.PropertyName
	Value any
}

// MarshalJSON writes the propValue bytes in base64.
func (p Prop) MarshalJSON() ([]byte, error) {
	a, err := p.atom()
	if err != nil {
		return nil, err
	}
	b, err := a.AppendTo(nil)
	if err != nil {
		return nil, err
	}
	return json.Marshal(base64.StdEncoding.EncodeToString(b))
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (p *Prop) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("property: %w", err)
	}
	l := fxics.NewLexer(fxics.LexerOptions{MaxValue: maxSyncValue})
	l.Feed(b)
	l.Close()
	atoms := l.Atoms()
	if an := l.Anomalies(); len(an) > 0 {
		return fmt.Errorf("property: %s", an[0].Reason)
	}
	if len(atoms) != 1 || atoms[0].Marker {
		return fmt.Errorf("property: %d atoms where one propValue was written", len(atoms))
	}
	q, err := propOf(&atoms[0])
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// atom is the property as a FastTransfer atom.
func (p Prop) atom() (fxics.Atom, error) {
	if p.Tag.Named() {
		if p.Name == nil {
			return fxics.Atom{}, fmt.Errorf("named property 0x%08X without its name", uint32(p.Tag))
		}
		return fxics.NewNamedProp(p.Tag, *p.Name, p.Value)
	}
	return fxics.NewProp(p.Tag, p.Value)
}

// maxSyncValue is the largest property value the replica takes whole
// from a FastTransfer stream (the server's own upload limit).
const maxSyncValue = 64 << 20

// propOf reads a propValue atom; a code page string becomes a PtypString.
func propOf(a *fxics.Atom) (Prop, error) {
	v, err := a.Value()
	if err != nil {
		return Prop{}, fmt.Errorf("%s: %w", a.DisplayName(), err)
	}
	tag := a.Tag
	if _, ok := fxics.CodePage(tag.Type()); ok {
		tag = tag.WithType(prop.PtypString)
	}
	p := Prop{Tag: tag, Value: v}
	if a.Name != nil {
		n := *a.Name
		p.Name = &n
	}
	return p, nil
}

// ---- property lists ----

// sameProp reports two tags naming the same property: the same id (and
// the same name for named ones); string widths are one property.
func sameProp(a, b Prop) bool {
	if a.Tag.ID() != b.Tag.ID() {
		return false
	}
	if a.Tag.Named() {
		return a.Name != nil && b.Name != nil && a.Name.Canonical() == b.Name.Canonical()
	}
	return true
}

// Get returns the value of the property with tag's id (named properties:
// use GetNamed).
func getProp(ps []Prop, tag prop.Tag) (any, bool) {
	for _, p := range ps {
		if p.Tag.ID() == tag.ID() && !p.Tag.Named() {
			return p.Value, true
		}
	}
	return nil, false
}

// setProp replaces or adds a property.
func setProp(ps []Prop, p Prop) []Prop {
	for i := range ps {
		if sameProp(ps[i], p) {
			ps[i] = p
			return ps
		}
	}
	return append(ps, p)
}

// deleteProp removes the property with tag's id.
func deleteProp(ps []Prop, tag prop.Tag) []Prop {
	out := ps[:0]
	for _, p := range ps {
		if p.Tag.ID() == tag.ID() && !p.Tag.Named() {
			continue
		}
		out = append(out, p)
	}
	return out
}

// Prop returns a property of the message's content (not a named one).
func (c *Content) Prop(tag prop.Tag) (any, bool) { return getProp(c.Props, tag) }

// String returns a string property of the message ("" when absent).
func (c *Content) String(tag prop.Tag) string {
	v, _ := c.Prop(tag)
	s, _ := v.(string)
	return s
}

// clone copies a content deeply enough that changes to the copy's lists
// leave the original alone.
func (c Content) clone() Content {
	out := Content{Props: append([]Prop(nil), c.Props...)}
	for _, r := range c.Recipients {
		out.Recipients = append(out.Recipients, Recipient{Props: append([]Prop(nil), r.Props...)})
	}
	for _, a := range c.Attachments {
		na := Attachment{Number: a.Number, Props: append([]Prop(nil), a.Props...)}
		if a.Embedded != nil {
			e := a.Embedded.clone()
			na.Embedded = &e
		}
		out.Attachments = append(out.Attachments, na)
	}
	return out
}

// ---- the replica ----

// NewReplica returns an empty replica with a random client replica GUID;
// the first Sync fills it.
func NewReplica() *Replica {
	var g prop.GUID
	_, _ = rand.Read(g[:])
	g[7] = g[7]&0x0F | 0x40 // version 4, in the wire order of Data3
	g[8] = g[8]&0x3F | 0x80
	return &Replica{ClientGUID: g, Folders: map[prop.ID]*Folder{}}
}

// Save writes the replica as JSON.
func (r *Replica) Save(w io.Writer) error {
	enc := json.NewEncoder(w)
	return enc.Encode(r)
}

// LoadReplica reads a replica Save wrote.
func LoadReplica(rd io.Reader) (*Replica, error) {
	r := &Replica{}
	if err := json.NewDecoder(rd).Decode(r); err != nil {
		return nil, fmt.Errorf("replica: %w", err)
	}
	if r.Folders == nil {
		r.Folders = map[prop.ID]*Folder{}
	}
	for id, f := range r.Folders {
		if f == nil || f.ID != id {
			return nil, fmt.Errorf("replica: folder entry %s does not hold folder %s", id, id)
		}
		if f.Messages == nil {
			f.Messages = map[prop.ID]*Message{}
		}
		for mid, m := range f.Messages {
			if m == nil || m.ID != mid {
				return nil, fmt.Errorf("replica: folder %q: message entry %s does not hold message %s", f.Name, mid, mid)
			}
		}
	}
	return r, nil
}

// Folder returns a folder of the replica.
func (r *Replica) Folder(fid prop.ID) (*Folder, bool) {
	f, ok := r.Folders[fid]
	return f, ok
}

// FolderByName returns the folder named name whose parent is parent.
func (r *Replica) FolderByName(parent prop.ID, name string) (*Folder, bool) {
	for _, f := range r.Folders {
		if f.Parent == parent && f.Name == name {
			return f, true
		}
	}
	return nil, false
}

// folderBySourceKey finds a folder by PidTagSourceKey.
func (r *Replica) folderBySourceKey(sk []byte) (*Folder, bool) {
	for _, f := range r.Folders {
		if bytes.Equal(f.SourceKey, sk) {
			return f, true
		}
	}
	return nil, false
}

// SortedFolders returns the folders, parents before their children, then
// by id.
func (r *Replica) SortedFolders() []*Folder {
	depth := map[prop.ID]int{}
	var d func(f *Folder, n int) int
	d = func(f *Folder, n int) int {
		if v, ok := depth[f.ID]; ok {
			return v
		}
		p, ok := r.Folders[f.Parent]
		if !ok || n > len(r.Folders) {
			depth[f.ID] = 0
			return 0
		}
		v := d(p, n+1) + 1
		depth[f.ID] = v
		return v
	}
	out := make([]*Folder, 0, len(r.Folders))
	for _, f := range r.Folders {
		d(f, 0)
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if depth[out[i].ID] != depth[out[j].ID] {
			return depth[out[i].ID] < depth[out[j].ID]
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Counts returns the number of folders, normal messages and FAI
// messages in the replica.
func (r *Replica) Counts() (folders, messages, fai int) {
	for _, f := range r.Folders {
		folders++
		for _, m := range f.Messages {
			if m.FAI {
				fai++
			} else {
				messages++
			}
		}
	}
	return
}

// Pending reports whether local changes wait for an upload.
func (r *Replica) Pending() bool {
	if len(r.DeletedFolders) > 0 {
		return true
	}
	for _, f := range r.Folders {
		if f.Dirty || f.pendingContents() {
			return true
		}
	}
	return false
}

// Search reports a search folder (PidTagFolderType FOLDER_SEARCH,
// [MS-OXCFOLD] 2.2.2.2.1.6): it has no contents of its own to
// synchronize.
func (f *Folder) Search() bool {
	v, _ := getProp(f.Props, fxics.PidTagFolderType)
	n, _ := v.(int32)
	return n == 2
}

func (f *Folder) pendingContents() bool {
	if len(f.DeletedMessages) > 0 || len(f.Moves) > 0 {
		return true
	}
	for _, m := range f.Messages {
		if m.Dirty || m.ReadDirty {
			return true
		}
	}
	return false
}

// removeFolder drops a folder and its subfolders from the replica.
func (r *Replica) removeFolder(fid prop.ID) []prop.ID {
	gone := []prop.ID{fid}
	for i := 0; i < len(gone); i++ {
		for _, f := range r.Folders {
			if f.Parent == gone[i] && f.ID != gone[i] {
				gone = append(gone, f.ID)
			}
		}
	}
	for _, id := range gone {
		delete(r.Folders, id)
	}
	return gone
}

// ---- change tracking ----

// newChangeKey returns the change key of a new local change: an XID of
// the client's replica GUID — [MS-OXCFXICS] 2.2.2.2.
func (r *Replica) newChangeKey() []byte {
	r.ChangeCounter++
	return fxics.NewXID(r.ClientGUID, r.ChangeCounter).Bytes()
}

// ErrNoLocalIDs is returned when the ids reserved with
// RopGetLocalReplicaIds are used up: a Sync reserves more.
var ErrNoLocalIDs = errors.New("no local replica ids left: synchronize to reserve more")

// newLocalID returns an id and source key for an object created locally,
// from the reserved GLOBCNT range ([MS-OXCFXICS] 3.3.4.3.3.2.1).
func (r *Replica) newLocalID() (prop.ID, []byte, error) {
	if r.NextLocal == 0 || r.NextLocal >= r.LocalEnd {
		return 0, nil, ErrNoLocalIDs
	}
	gc := r.NextLocal
	r.NextLocal++
	return prop.MakeID(r.ReplID, gc), fxics.NewXID(r.ReplicaGUID, gc).Bytes(), nil
}

// localIDsLeft is how many reserved ids remain.
func (r *Replica) localIDsLeft() uint64 {
	if r.NextLocal >= r.LocalEnd {
		return 0
	}
	return r.LocalEnd - r.NextLocal
}

// mergePCL, pclOf and pclIncludes use the predecessor change list
// arithmetic of decode/fxics ([MS-OXCFXICS] 3.1.5.6), the same the server
// resolves conflicts with.
func mergePCL(lists ...[]byte) []byte { return fxics.MergePCL(lists...) }

func pclOf(ck []byte) []byte {
	if _, err := fxics.DecodeXID(ck); err != nil {
		return nil
	}
	return fxics.PCLOf(ck)
}

// pclIncludes reports that PCL a includes change key ck — 3.1.5.6.1.
func pclIncludes(a, ck []byte) bool {
	b := pclOf(ck)
	if b == nil {
		return false
	}
	o, err := fxics.ComparePCL(a, b)
	return err == nil && (o == fxics.PCLEqual || o == fxics.PCLNewer)
}

// touch gives a message a new local version: change key, PCL and
// modification time.
func (r *Replica) touch(m *Message, now prop.Filetime) {
	ck := r.newChangeKey()
	m.ChangeKey = ck
	m.PCL = mergePCL(m.PCL, pclOf(ck))
	m.LastModified = now
	m.Dirty = true
}

// ---- local changes ----

// Tags the replica itself uses — [MS-OXPROPS].
const (
	tagMessageFlags     prop.Tag = 0x0E070003
	tagContainerClass   prop.Tag = 0x3613001F
	tagMessageStatus    prop.Tag = 0x0E170003
	tagInConflict       prop.Tag = 0x666C000B
	tagRowid            prop.Tag = 0x30000003
	tagRecipientType    prop.Tag = 0x0C150003
	msgFlagRead         uint32   = 0x00000001 // mfRead, [MS-OXCMSG] 2.2.1.6
	msgStatusInConflict uint32   = 0x00000800 // msInConflict, [MS-OXCMSG] 2.2.1.8
)

func (r *Replica) folder(fid prop.ID) (*Folder, error) {
	f, ok := r.Folders[fid]
	if !ok {
		return nil, fmt.Errorf("folder %s is not in the replica", fid)
	}
	return f, nil
}

func (f *Folder) message(mid prop.ID) (*Message, error) {
	m, ok := f.Messages[mid]
	if !ok {
		return nil, fmt.Errorf("message %s is not in folder %q of the replica", mid, f.Name)
	}
	return m, nil
}

// CreateMessage creates a message in folder fid of the replica, with an
// id from the reserved range; the next Sync uploads it.
func (r *Replica) CreateMessage(fid prop.ID, fai bool, c Content) (prop.ID, error) {
	f, err := r.folder(fid)
	if err != nil {
		return 0, err
	}
	id, sk, err := r.newLocalID()
	if err != nil {
		return 0, err
	}
	m := &Message{ID: id, SourceKey: sk, FAI: fai, Content: c.clone(), New: true}
	if v, ok := m.Prop(tagMessageFlags); ok && !fai {
		fl, _ := v.(int32)
		m.Read = uint32(fl)&msgFlagRead != 0
	}
	r.touch(m, prop.FiletimeOf(time.Now()))
	f.Messages[id] = m
	return id, nil
}

// ModifyMessage sets and deletes properties of a message of the replica.
func (r *Replica) ModifyMessage(fid, mid prop.ID, set []Prop, del []prop.Tag) error {
	f, err := r.folder(fid)
	if err != nil {
		return err
	}
	m, err := f.message(mid)
	if err != nil {
		return err
	}
	for _, t := range del {
		m.Props = deleteProp(m.Props, t)
	}
	for _, p := range set {
		if p.Tag.ID() == tagMessageFlags.ID() {
			fl, _ := p.Value.(int32)
			m.Read = uint32(fl)&msgFlagRead != 0
		}
		m.Props = setProp(m.Props, p)
	}
	r.touch(m, prop.FiletimeOf(time.Now()))
	return nil
}

// SetRead marks a message of the replica read or unread (a read-state
// change, uploaded with RopSynchronizationImportReadStateChanges).
func (r *Replica) SetRead(fid, mid prop.ID, read bool) error {
	f, err := r.folder(fid)
	if err != nil {
		return err
	}
	m, err := f.message(mid)
	if err != nil {
		return err
	}
	if m.FAI {
		return fmt.Errorf("message %s is an FAI message: it has no read state", mid)
	}
	if m.Read == read {
		return nil
	}
	m.setRead(read)
	if !m.New {
		m.ReadDirty = true
	}
	return nil
}

// setRead sets the read state and the mfRead bit of PidTagMessageFlags.
func (m *Message) setRead(read bool) {
	m.Read = read
	v, _ := m.Prop(tagMessageFlags)
	fl, _ := v.(int32)
	if read {
		fl |= int32(msgFlagRead)
	} else {
		fl &^= int32(msgFlagRead)
	}
	m.Props = setProp(m.Props, Prop{Tag: tagMessageFlags, Value: fl})
}

// DeleteMessage deletes a message of the replica.
func (r *Replica) DeleteMessage(fid, mid prop.ID) error {
	f, err := r.folder(fid)
	if err != nil {
		return err
	}
	m, err := f.message(mid)
	if err != nil {
		return err
	}
	delete(f.Messages, mid)
	// Ids assigned locally and never uploaded are reported deleted too
	// ([MS-OXCFXICS] 3.3.5.2.1).
	f.DeletedMessages = append(f.DeletedMessages, m.SourceKey)
	for i, mv := range f.Moves {
		if mv.ID == mid {
			// Moved here and not uploaded: the server has it in the
			// source folder; delete it there.
			f.Moves = append(f.Moves[:i], f.Moves[i+1:]...)
			if src, ok := r.folderBySourceKey(mv.SourceFolderKey); ok {
				src.DeletedMessages = append(src.DeletedMessages, mv.SourceMessageKey)
			}
			return nil
		}
	}
	if !m.New {
		// Out of IdsetGiven at once: were the upload to fail, the next
		// download brings the message back rather than losing it.
		f.State.IdsetGiven = r.removeID(f.State.IdsetGiven, mid)
	}
	return nil
}

// MoveMessage moves a message of the replica to folder dst; it gets a new
// id there (the move is uploaded in dst's collector).
func (r *Replica) MoveMessage(src, mid, dst prop.ID) (prop.ID, error) {
	sf, err := r.folder(src)
	if err != nil {
		return 0, err
	}
	df, err := r.folder(dst)
	if err != nil {
		return 0, err
	}
	if src == dst {
		return 0, errors.New("a message moves to another folder")
	}
	m, err := sf.message(mid)
	if err != nil {
		return 0, err
	}
	id, sk, err := r.newLocalID()
	if err != nil {
		return 0, err
	}
	delete(sf.Messages, mid)
	nm := *m
	nm.Content = m.Content.clone()
	nm.ID, nm.SourceKey = id, sk
	if m.New {
		// Never on the server: a creation in the destination; the id it
		// had is reported deleted ([MS-OXCFXICS] 3.3.5.2.1).
		sf.DeletedMessages = append(sf.DeletedMessages, m.SourceKey)
		r.touch(&nm, prop.FiletimeOf(time.Now()))
		df.Messages[id] = &nm
		return id, nil
	}
	mv := Move{SourceFolderKey: sf.SourceKey, SourceMessageKey: m.SourceKey, PCL: m.PCL}
	for i, p := range sf.Moves {
		if p.ID == mid {
			// Moved here locally and not uploaded: the server still has
			// it where it came from, and the id it had here is never used.
			mv.SourceFolderKey, mv.SourceMessageKey, mv.PCL = p.SourceFolderKey, p.SourceMessageKey, p.PCL
			sf.Moves = append(sf.Moves[:i], sf.Moves[i+1:]...)
			sf.DeletedMessages = append(sf.DeletedMessages, m.SourceKey)
			break
		}
	}
	sf.State.IdsetGiven = r.removeID(sf.State.IdsetGiven, mid)
	ck := r.newChangeKey()
	mv.ID, mv.SourceKey, mv.ChangeKey = id, sk, ck
	df.Moves = append(df.Moves, mv)
	nm.ChangeKey = ck
	nm.PCL = mergePCL(nm.PCL, pclOf(ck))
	df.Messages[id] = &nm
	return id, nil
}

// CreateFolder creates a folder under parent in the replica.
func (r *Replica) CreateFolder(parent prop.ID, name, class string) (prop.ID, error) {
	if parent != r.Root {
		if _, err := r.folder(parent); err != nil {
			return 0, err
		}
	}
	if name == "" {
		return 0, errors.New("a folder needs a name")
	}
	if _, dup := r.FolderByName(parent, name); dup {
		return 0, fmt.Errorf("folder %q already exists there", name)
	}
	id, sk, err := r.newLocalID()
	if err != nil {
		return 0, err
	}
	ck := r.newChangeKey()
	f := &Folder{ID: id, Parent: parent, SourceKey: sk, ChangeKey: ck, PCL: pclOf(ck), Name: name, Class: class,
		LastModified: prop.FiletimeOf(time.Now()), Messages: map[prop.ID]*Message{}, Dirty: true, Created: true}
	r.Folders[id] = f
	return id, nil
}

// RenameFolder renames a folder of the replica.
func (r *Replica) RenameFolder(fid prop.ID, name string) error {
	f, err := r.folder(fid)
	if err != nil {
		return err
	}
	if other, dup := r.FolderByName(f.Parent, name); dup && other != f {
		return fmt.Errorf("folder %q already exists there", name)
	}
	f.Name = name
	ck := r.newChangeKey()
	f.ChangeKey, f.PCL, f.LastModified, f.Dirty = ck, mergePCL(f.PCL, pclOf(ck)), prop.FiletimeOf(time.Now()), true
	return nil
}

// MoveFolder moves a folder of the replica under another (an
// ImportHierarchyChange with the new PidTagParentSourceKey).
func (r *Replica) MoveFolder(fid, parent prop.ID) error {
	f, err := r.folder(fid)
	if err != nil {
		return err
	}
	if parent != r.Root {
		if _, err := r.folder(parent); err != nil {
			return err
		}
	}
	for p := parent; p != r.Root; {
		if p == fid {
			return fmt.Errorf("folder %q cannot move under itself", f.Name)
		}
		pf, ok := r.Folders[p]
		if !ok {
			break
		}
		p = pf.Parent
	}
	if _, dup := r.FolderByName(parent, f.Name); dup {
		return fmt.Errorf("folder %q already exists there", f.Name)
	}
	f.Parent = parent
	ck := r.newChangeKey()
	f.ChangeKey, f.PCL, f.LastModified, f.Dirty = ck, mergePCL(f.PCL, pclOf(ck)), prop.FiletimeOf(time.Now()), true
	return nil
}

// DeleteFolder deletes a folder of the replica with its subfolders.
func (r *Replica) DeleteFolder(fid prop.ID) error {
	f, err := r.folder(fid)
	if err != nil {
		return err
	}
	movesOf := map[prop.ID][]Move{}
	for _, g := range r.Folders {
		movesOf[g.ID] = g.Moves
	}
	// Reported even when never uploaded: its id was assigned
	// ([MS-OXCFXICS] 3.3.5.2.1).
	r.DeletedFolders = append(r.DeletedFolders, f.SourceKey)
	gone := r.removeFolder(fid)
	for _, id := range gone {
		r.Hierarchy.IdsetGiven = r.removeID(r.Hierarchy.IdsetGiven, id)
	}
	// Messages moved into the deleted folders and not uploaded are on the
	// server in their source folders still: delete them there.
	for _, id := range gone {
		for _, mv := range movesOf[id] {
			if src, ok := r.folderBySourceKey(mv.SourceFolderKey); ok {
				src.DeletedMessages = append(src.DeletedMessages, mv.SourceMessageKey)
			}
		}
	}
	return nil
}

// ---- sets ----

// idSet is the REPLGUID-form set of one id of the mailbox's replica.
func (r *Replica) idSet(id prop.ID) fxics.IDSet {
	gc := id.GlobalCounter()
	return fxics.IDSet{{ReplGUID: r.ReplicaGUID, HasGUID: true, Ranges: []fxics.Range{{Low: gc, High: gc}}}}
}

func (r *Replica) addID(s fxics.IDSet, id prop.ID) fxics.IDSet {
	return fxics.Union(s, r.idSet(id))
}

func (r *Replica) removeID(s fxics.IDSet, id prop.ID) fxics.IDSet {
	if s == nil {
		return nil
	}
	return fxics.Difference(s, r.idSet(id))
}

// ---- comparison ----

// serverStamped are the properties a server sets when it saves a
// message or attachment ([MS-OXCMSG] 2.2.1.47 PidTagCreationTime,
// [MS-OXPROPS] PidTagLastModifierName and PidTagLastModifierEntryId,
// [MS-OXCMSG] 2.2.2.5 PidTagAttachSize): a message uploaded from the
// replica has them on the server only, and Outlook does not download its
// own changes back.
var serverStamped = map[uint16]bool{0x3007: true, 0x3FFA: true, 0x3FFB: true, 0x0E20: true}

// Properties a comparison leaves out: those uploads leave out (the
// server computes them), those the server stamps, and
// PidTagMessageFlags, whose read bit is compared as the read state and
// whose other bits the server computes.
func compareSkip(p Prop) bool {
	return !p.Tag.Named() && (uploadSkip[p.Tag.ID()] || serverStamped[p.Tag.ID()] || p.Tag.ID() == tagMessageFlags.ID())
}

// CompareReplicas lists how replica got differs from replica want (both
// of the same mailbox): folders by id with their parent, name, class and
// change key; messages by id with their FAI flag, read state, change key,
// predecessor change list (as a set of versions) and content. Nothing
// listed means they are equal. Use it to check a replica against a fresh
// full synchronization.
func CompareReplicas(got, want *Replica) []string {
	var out []string
	diff := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, wf := range want.SortedFolders() {
		gf, ok := got.Folders[wf.ID]
		if !ok {
			diff("folder %s %q is missing from the replica", wf.ID, wf.Name)
			continue
		}
		if gf.Parent != wf.Parent || gf.Name != wf.Name || gf.Class != wf.Class {
			diff("folder %s: %q under %s (%q) in the replica, %q under %s (%q) on the server", wf.ID, gf.Name, gf.Parent, gf.Class,
				wf.Name, wf.Parent, wf.Class)
		}
		if !bytes.Equal(gf.ChangeKey, wf.ChangeKey) {
			diff("folder %s %q: change key %s in the replica, %s on the server", wf.ID, wf.Name, xidString(gf.ChangeKey), xidString(wf.ChangeKey))
		}
		compareMessages(gf, wf, diff)
	}
	for _, gf := range got.SortedFolders() {
		if _, ok := want.Folders[gf.ID]; !ok {
			diff("folder %s %q is only in the replica", gf.ID, gf.Name)
		}
	}
	return out
}

func compareMessages(gf, wf *Folder, diff func(string, ...any)) {
	ids := make([]prop.ID, 0, len(wf.Messages))
	for id := range wf.Messages {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		wm := wf.Messages[id]
		gm, ok := gf.Messages[id]
		if !ok {
			diff("folder %q: message %s %q is missing from the replica", wf.Name, id, wm.String(tagSubject))
			continue
		}
		where := fmt.Sprintf("folder %q: message %s %q", wf.Name, id, wm.String(tagSubject))
		if gm.FAI != wm.FAI || gm.Read != wm.Read {
			diff("%s: FAI %v read %v in the replica, FAI %v read %v on the server", where, gm.FAI, gm.Read, wm.FAI, wm.Read)
		}
		if !bytes.Equal(gm.ChangeKey, wm.ChangeKey) {
			diff("%s: change key %s in the replica, %s on the server", where, xidString(gm.ChangeKey), xidString(wm.ChangeKey))
		}
		if !samePCL(gm.PCL, wm.PCL) {
			diff("%s: predecessor change list %x in the replica, %x on the server", where, gm.PCL, wm.PCL)
		}
		for _, d := range compareContent(gm.Content, wm.Content) {
			diff("%s: %s", where, d)
		}
	}
	for id, gm := range gf.Messages {
		if _, ok := wf.Messages[id]; !ok {
			diff("folder %q: message %s %q is only in the replica", gf.Name, id, gm.String(tagSubject))
		}
	}
}

// samePCL reports two predecessor change lists naming the same versions
// (each includes the other, [MS-OXCFXICS] 3.1.5.6.1).
func samePCL(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	o, err := fxics.ComparePCL(a, b)
	return err == nil && o == fxics.PCLEqual
}

// propKey names a property for comparisons: its id, or its name.
func propKey(p Prop) string {
	if p.Tag.Named() && p.Name != nil {
		return p.Name.Canonical()
	}
	return fmt.Sprintf("%04X", p.Tag.ID())
}

func compareProps(got, want []Prop) []string {
	gm := map[string]Prop{}
	for _, p := range got {
		if !compareSkip(p) {
			gm[propKey(p)] = p
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range want {
		if compareSkip(w) {
			continue
		}
		k := propKey(w)
		seen[k] = true
		g, ok := gm[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s missing from the replica", w.Tag))
		case !reflect.DeepEqual(g.Value, w.Value):
			out = append(out, fmt.Sprintf("%s is %s in the replica, %s on the server", w.Tag, short(g.Value), short(w.Value)))
		}
	}
	for k, g := range gm {
		if !seen[k] {
			out = append(out, fmt.Sprintf("%s only in the replica", g.Tag))
		}
	}
	sort.Strings(out)
	return out
}

func short(v any) string {
	s := fmt.Sprintf("%v", v)
	if b, ok := v.([]byte); ok {
		s = fmt.Sprintf("%x", b)
	}
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

func compareContent(got, want Content) []string {
	out := compareProps(got.Props, want.Props)
	if len(got.Recipients) != len(want.Recipients) {
		out = append(out, fmt.Sprintf("%d recipients in the replica, %d on the server", len(got.Recipients), len(want.Recipients)))
	} else {
		for i := range want.Recipients {
			for _, d := range compareProps(got.Recipients[i].Props, want.Recipients[i].Props) {
				out = append(out, fmt.Sprintf("recipient %d: %s", i, d))
			}
		}
	}
	if len(got.Attachments) != len(want.Attachments) {
		return append(out, fmt.Sprintf("%d attachments in the replica, %d on the server", len(got.Attachments), len(want.Attachments)))
	}
	for i := range want.Attachments {
		ga, wa := got.Attachments[i], want.Attachments[i]
		for _, d := range compareProps(ga.Props, wa.Props) {
			out = append(out, fmt.Sprintf("attachment %d: %s", i, d))
		}
		switch {
		case (ga.Embedded == nil) != (wa.Embedded == nil):
			out = append(out, fmt.Sprintf("attachment %d: embedded message in one only", i))
		case wa.Embedded != nil:
			for _, d := range compareContent(*ga.Embedded, *wa.Embedded) {
				out = append(out, fmt.Sprintf("attachment %d embedded: %s", i, d))
			}
		}
	}
	return out
}
