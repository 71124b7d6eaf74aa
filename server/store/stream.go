package store

import (
	"encoding/binary"
	"io"
	"unicode/utf16"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// PropObject is an object whose properties can be opened as streams: an
// opened *Message or *Attachment (streams work on the working copy and
// are saved with it), or a folder from Store.FolderObject (commits go
// straight to the store).
type PropObject interface {
	streamGet(tag prop.Tag) ([]byte, bool, error)
	streamSet(tag prop.Tag, b []byte) error
}

// MaxStreamSize is the largest stream the store accepts (ecTooBig beyond).
const MaxStreamSize = 1<<31 - 1

// Stream is an open property stream with the semantics of
// RopOpenStream/ReadStream/WriteStream/SeekStream/SetStreamSize/
// CommitStream. PtypString properties are streamed as UTF-16LE without a
// terminator, PtypString8 as their bytes, binaries as they are. Writes go
// to the stream's buffer; Commit stores the value into the object.
type Stream struct {
	obj   PropObject
	tag   prop.Tag
	buf   []byte
	pos   int64
	write bool
	dirty bool
}

// OpenPropertyStream opens tag of obj as a stream. Without write the
// stream is read-only and a missing property gives ErrNotFound; with
// write a missing property starts empty (OpenModeFlags Create).
func OpenPropertyStream(obj PropObject, tag prop.Tag, write bool) (*Stream, error) {
	switch tag.Type() {
	case prop.PtypBinary, prop.PtypObject, prop.PtypString, prop.PtypString8:
	default:
		return nil, ErrNoSupport
	}
	b, ok, err := obj.streamGet(tag)
	if err != nil {
		return nil, err
	}
	if !ok && !write {
		return nil, ErrNotFound
	}
	return &Stream{obj: obj, tag: tag, buf: b, write: write}, nil
}

func toStreamBytes(t prop.Type, v any) []byte {
	switch x := v.(type) {
	case string:
		if t == prop.PtypString {
			u := utf16.Encode([]rune(x))
			b := make([]byte, 2*len(u))
			for i, c := range u {
				binary.LittleEndian.PutUint16(b[2*i:], c)
			}
			return b
		}
		return []byte(x)
	case []byte:
		return append([]byte(nil), x...)
	}
	return nil
}

func fromStreamBytes(t prop.Type, b []byte) any {
	switch t {
	case prop.PtypString:
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		for len(u) > 0 && u[len(u)-1] == 0 {
			u = u[:len(u)-1]
		}
		return string(utf16.Decode(u))
	case prop.PtypString8:
		for len(b) > 0 && b[len(b)-1] == 0 {
			b = b[:len(b)-1]
		}
		return string(b)
	}
	return append([]byte{}, b...)
}

// Size is the current stream size.
func (st *Stream) Size() int64 { return int64(len(st.buf)) }

// Read reads from the current position (RopReadStream).
func (st *Stream) Read(p []byte) (int, error) {
	if st.pos >= int64(len(st.buf)) {
		return 0, io.EOF
	}
	n := copy(p, st.buf[st.pos:])
	st.pos += int64(n)
	return n, nil
}

// Write writes at the current position, growing the stream (RopWriteStream).
func (st *Stream) Write(p []byte) (int, error) {
	if !st.write {
		return 0, ErrAccessDenied
	}
	end := st.pos + int64(len(p))
	if end > MaxStreamSize {
		return 0, ErrTooBig
	}
	if end > int64(len(st.buf)) {
		if end > int64(cap(st.buf)) {
			nb := make([]byte, end, max(end, 2*int64(cap(st.buf))))
			copy(nb, st.buf)
			st.buf = nb
		} else {
			st.buf = st.buf[:end]
		}
	}
	copy(st.buf[st.pos:], p)
	st.pos = end
	st.dirty = true
	return len(p), nil
}

// Seek moves the position (RopSeekStream; whence 0 beginning, 1 current,
// 2 end). Seeking past the end is allowed; a negative position is not.
func (st *Stream) Seek(off int64, whence int) (int64, error) {
	var base int64
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		base = st.pos
	case io.SeekEnd:
		base = int64(len(st.buf))
	default:
		return st.pos, ErrInvalidParam
	}
	np := base + off
	if np < 0 {
		return st.pos, ErrInvalidParam
	}
	if np > MaxStreamSize {
		return st.pos, ErrTooBig
	}
	st.pos = np
	return np, nil
}

// SetSize truncates or zero-extends the stream (RopSetStreamSize).
func (st *Stream) SetSize(n int64) error {
	if !st.write {
		return ErrAccessDenied
	}
	if n < 0 || n > MaxStreamSize {
		return ErrTooBig
	}
	if n <= int64(len(st.buf)) {
		st.buf = st.buf[:n]
	} else {
		st.buf = append(st.buf, make([]byte, n-int64(len(st.buf)))...)
	}
	st.dirty = true
	return nil
}

// Commit stores the stream into its object (RopCommitStream; also done
// by the handler when a written stream is released).
func (st *Stream) Commit() error {
	if !st.write {
		return ErrAccessDenied
	}
	if !st.dirty {
		return nil
	}
	if err := st.obj.streamSet(st.tag, st.buf); err != nil {
		return err
	}
	st.dirty = false
	return nil
}

func (m *Message) streamGet(tag prop.Tag) ([]byte, bool, error) {
	v, ok := m.props.Get(tag)
	if !ok {
		return nil, false, nil
	}
	return toStreamBytes(tag.Type(), v), true, nil
}

func (m *Message) streamSet(tag prop.Tag, b []byte) error {
	if err := m.writable(); err != nil {
		return err
	}
	m.props.Set(tag, fromStreamBytes(tag.Type(), b))
	return nil
}

func (a *Attachment) streamGet(tag prop.Tag) ([]byte, bool, error) {
	v, ok := a.props.Get(tag)
	if !ok {
		return nil, false, nil
	}
	return toStreamBytes(tag.Type(), v), true, nil
}

func (a *Attachment) streamSet(tag prop.Tag, b []byte) error {
	if a.ReadOnly {
		return ErrAccessDenied
	}
	a.props.Set(tag, fromStreamBytes(tag.Type(), b))
	return nil
}

// FolderObject is a folder as a PropObject for streams.
type FolderObject struct {
	s   *Store
	mb  *Mailbox
	fid prop.ID
}

// FolderObject returns folder fid as a stream target.
func (s *Store) FolderObject(mb *Mailbox, fid prop.ID) *FolderObject {
	return &FolderObject{s: s, mb: mb, fid: fid}
}

func (f *FolderObject) streamGet(tag prop.Tag) ([]byte, bool, error) {
	p, err := f.s.FolderProps(f.mb, f.fid)
	if err != nil {
		return nil, false, err
	}
	v, ok := p.Get(tag)
	if !ok {
		return nil, false, nil
	}
	return toStreamBytes(tag.Type(), v), true, nil
}

func (f *FolderObject) streamSet(tag prop.Tag, b []byte) error {
	_, err := f.s.SetFolderProps(f.mb, f.fid, []prop.TaggedValue{{Tag: tag, Value: fromStreamBytes(tag.Type(), b)}})
	return err
}
