// Package wire is the byte layer under every mapiscope codec: a bounds-checked
// little-endian Codec that reads (decode) or writes (encode) the same field
// description, optionally records a tree of named byte spans, and turns bad
// input into anomalies instead of panics.
//
// A structure is described once, as a method taking *Codec:
//
//	func (r *RopReleaseRequest) Codec(c *wire.Codec) {
//		c.U8(&r.RopId, "RopId")
//		c.U8(&r.LogonId, "LogonId")
//		c.U8(&r.InputHandleIndex, "InputHandleIndex")
//	}
//
// Decoding runs it against input bytes and fills the struct; encoding runs it
// against a filled struct and appends bytes. With spans on, decoding also
// builds a Node tree (field path, offset, length, value) for the hex view and
// JSON; with spans off the tree calls cost a nil check.
package wire

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Mode says which direction a Codec runs.
type Mode uint8

const (
	ModeDecode Mode = iota
	ModeEncode
)

// MaxAnomalyRaw caps the raw bytes copied into one anomaly; the whole body is
// kept by whoever captured it, so the anomaly only needs enough to show.
const MaxAnomalyRaw = 4096

// Anomaly is something the decoder could not decode, or a protocol rule the
// bytes break. Offset is absolute within the outermost buffer.
type Anomaly struct {
	Offset int    `json:"offset"`
	Path   string `json:"path,omitempty"`
	Reason string `json:"reason"`
	Raw    []byte `json:"raw,omitempty"`
}

func (a Anomaly) String() string {
	if a.Path != "" {
		return fmt.Sprintf("offset %d (%s): %s", a.Offset, a.Path, a.Reason)
	}
	return fmt.Sprintf("offset %d: %s", a.Offset, a.Reason)
}

// Codec reads or writes little-endian fields. The zero value is not usable;
// build one with NewDecoder or NewEncoder.
type Codec struct {
	mode Mode
	buf  []byte // decode: input; encode: output
	off  int    // decode: read position in buf
	end  int    // decode: current limit (exclusive) in buf
	base int    // absolute offset of buf[0] in the outermost input

	failed    bool
	anomalies []Anomaly
	scratch   []byte         // reused by string decoding
	boxes     map[string]any // short strings already decoded, boxed once
	// TagNamer, when set, names what the bytes cannot: the named
	// properties (ids 0x8000 and up) a session learnt for the logon of
	// the structure being decoded. It returns "" when it does not know.
	TagNamer func(tag uint32) string

	tree  *Node   // root, nil when spans are off
	stack []*Node // open containers
	last  *Node   // most recent leaf, for Hex/Named
}

// NewDecoder returns a Codec that decodes b. With spans, it records a Node
// tree under a root named rootName.
func NewDecoder(b []byte, spans bool, rootName string) *Codec {
	c := &Codec{mode: ModeDecode, buf: b, end: len(b)}
	if spans {
		c.tree = &Node{Name: rootName, Kind: KindStruct, Len: len(b)}
		c.stack = []*Node{c.tree}
	}
	return c
}

// NewEncoder returns a Codec that appends to dst.
func NewEncoder(dst []byte) *Codec {
	return &Codec{mode: ModeEncode, buf: dst}
}

// Reset reuses a decoder for new input, dropping anomalies and tree.
func (c *Codec) Reset(b []byte) {
	c.mode = ModeDecode
	c.buf, c.off, c.end, c.base = b, 0, len(b), 0
	c.failed = false
	c.anomalies = c.anomalies[:0]
	c.last = nil
	if c.tree != nil {
		c.tree = &Node{Name: c.tree.Name, Kind: KindStruct, Len: len(b)}
		c.stack = []*Node{c.tree}
	}
}

// SetBase declares the absolute offset of the decoder's first byte, so spans
// and anomalies of a nested buffer (a decompressed payload, say) point into
// the buffer the user sees.
func (c *Codec) SetBase(base int) {
	c.base = base
	if c.tree != nil {
		c.tree.Off = base
	}
}

// Base returns the absolute offset of the first byte.
func (c *Codec) Base() int { return c.base }

func (c *Codec) Decoding() bool { return c.mode == ModeDecode }
func (c *Codec) Encoding() bool { return c.mode == ModeEncode }

// Spans reports whether the decoder records a Node tree.
func (c *Codec) Spans() bool { return c.tree != nil }

// Failed reports whether decoding stopped at an error; every read after that
// is a no-op returning zero.
func (c *Codec) Failed() bool { return c.failed }

// Anomalies returns what went wrong, in order.
func (c *Codec) Anomalies() []Anomaly { return c.anomalies }

// Tree returns the root node (nil when spans are off).
func (c *Codec) Tree() *Node { return c.tree }

// Bytes returns the encoded output.
func (c *Codec) Output() []byte { return c.buf }

// Offset returns the absolute position: bytes read so far when decoding,
// bytes written so far when encoding.
func (c *Codec) Offset() int {
	if c.mode == ModeEncode {
		return len(c.buf)
	}
	return c.base + c.off
}

// Pos returns the position relative to the start of this codec's buffer.
func (c *Codec) Pos() int {
	if c.mode == ModeEncode {
		return len(c.buf)
	}
	return c.off
}

// Remaining returns how many bytes are left before the current limit.
func (c *Codec) Remaining() int {
	if c.mode == ModeEncode || c.failed {
		return 0
	}
	return c.end - c.off
}

// Input returns the whole input buffer of a decoder.
func (c *Codec) Input() []byte { return c.buf }

// Fail records an anomaly at the current position and stops decoding. The
// raw bytes from here to the current limit go into the anomaly.
func (c *Codec) Fail(format string, args ...any) {
	if c.failed {
		return
	}
	c.anomalyAt(c.off, fmt.Sprintf(format, args...), true)
	c.failed = true
}

// Note records an anomaly without stopping: a rule broken, decoding goes on.
func (c *Codec) Note(format string, args ...any) {
	c.anomalyAt(c.off, fmt.Sprintf(format, args...), false)
}

// NoteAt records a non-fatal anomaly at a position relative to this buffer.
func (c *Codec) NoteAt(pos int, format string, args ...any) {
	c.anomalyAt(pos, fmt.Sprintf(format, args...), false)
}

func (c *Codec) anomalyAt(pos int, reason string, withRaw bool) {
	a := Anomaly{Offset: c.base + pos, Reason: reason, Path: c.path()}
	if withRaw && c.mode == ModeDecode && pos < c.end && pos >= 0 {
		raw := c.buf[pos:c.end]
		if len(raw) > MaxAnomalyRaw {
			raw = raw[:MaxAnomalyRaw]
		}
		a.Raw = append([]byte(nil), raw...)
	}
	c.anomalies = append(c.anomalies, a)
}

// AddAnomalies appends anomalies found by a nested decoder.
func (c *Codec) AddAnomalies(as []Anomaly) {
	c.anomalies = append(c.anomalies, as...)
}

func (c *Codec) path() string {
	if c.tree == nil {
		return ""
	}
	p := ""
	for i, n := range c.stack {
		if i == 0 {
			continue
		}
		if n.Name == "" {
			continue
		}
		if p != "" {
			p += "."
		}
		p += n.Name
	}
	return p
}

// need checks that n bytes can be read; on shortage it fails and returns false.
func (c *Codec) need(n int, what string) bool {
	if c.failed {
		return false
	}
	if n < 0 || c.end-c.off < n {
		c.Fail("truncated: %s needs %d bytes, %d left", what, n, c.end-c.off)
		return false
	}
	return true
}

// ---- scalar fields ----

func (c *Codec) U8(p *uint8, name string) {
	if c.mode == ModeEncode {
		c.buf = append(c.buf, *p)
		return
	}
	if !c.need(1, name) {
		*p = 0
		return
	}
	*p = c.buf[c.off]
	c.off++
	if c.tree != nil {
		c.leaf(name, 1, uint64(*p))
	}
}

func (c *Codec) U16(p *uint16, name string) {
	if c.mode == ModeEncode {
		c.buf = binary.LittleEndian.AppendUint16(c.buf, *p)
		return
	}
	if !c.need(2, name) {
		*p = 0
		return
	}
	*p = binary.LittleEndian.Uint16(c.buf[c.off:])
	c.off += 2
	if c.tree != nil {
		c.leaf(name, 2, uint64(*p))
	}
}

func (c *Codec) U32(p *uint32, name string) {
	if c.mode == ModeEncode {
		c.buf = binary.LittleEndian.AppendUint32(c.buf, *p)
		return
	}
	if !c.need(4, name) {
		*p = 0
		return
	}
	*p = binary.LittleEndian.Uint32(c.buf[c.off:])
	c.off += 4
	if c.tree != nil {
		c.leaf(name, 4, uint64(*p))
	}
}

func (c *Codec) U64(p *uint64, name string) {
	if c.mode == ModeEncode {
		c.buf = binary.LittleEndian.AppendUint64(c.buf, *p)
		return
	}
	if !c.need(8, name) {
		*p = 0
		return
	}
	*p = binary.LittleEndian.Uint64(c.buf[c.off:])
	c.off += 8
	if c.tree != nil {
		c.leaf(name, 8, *p)
	}
}

func (c *Codec) I16(p *int16, name string) {
	u := uint16(*p)
	c.U16(&u, name)
	*p = int16(u)
	c.signed()
}

func (c *Codec) I32(p *int32, name string) {
	u := uint32(*p)
	c.U32(&u, name)
	*p = int32(u)
	c.signed()
}

func (c *Codec) I64(p *int64, name string) {
	u := uint64(*p)
	c.U64(&u, name)
	*p = int64(u)
	c.signed()
}

func (c *Codec) signed() {
	if c.tree != nil && c.last != nil {
		switch v := c.last.Value.(type) {
		case uint64:
			switch c.last.Len {
			case 2:
				c.last.Value = int64(int16(v))
			case 4:
				c.last.Value = int64(int32(v))
			default:
				c.last.Value = int64(v)
			}
		}
	}
}

func (c *Codec) F32(p *float32, name string) {
	u := math.Float32bits(*p)
	c.U32(&u, name)
	*p = math.Float32frombits(u)
	if c.tree != nil && c.last != nil && c.mode == ModeDecode {
		c.last.Value = float64(*p)
	}
}

func (c *Codec) F64(p *float64, name string) {
	u := math.Float64bits(*p)
	c.U64(&u, name)
	*p = math.Float64frombits(u)
	if c.tree != nil && c.last != nil && c.mode == ModeDecode {
		c.last.Value = *p
	}
}

// Bool8 is a one-byte boolean (any nonzero is true on decode; a value other
// than 0 or 1 is noted, since it would not round-trip).
func (c *Codec) Bool8(p *bool, name string) {
	var u uint8
	if *p {
		u = 1
	}
	c.U8(&u, name)
	if c.mode == ModeDecode {
		*p = u != 0
		if u > 1 {
			c.NoteAt(c.off-1, "%s: boolean byte 0x%02X is neither 0 nor 1", name, u)
		}
		if c.tree != nil && c.last != nil {
			c.last.Value = *p
		}
	}
}

// Fixed reads or writes exactly n bytes into *p.
func (c *Codec) Fixed(p *[]byte, n int, name string) {
	if c.mode == ModeEncode {
		b := *p
		if len(b) != n {
			fixed := make([]byte, n)
			copy(fixed, b)
			b = fixed
		}
		c.buf = append(c.buf, b...)
		return
	}
	if !c.need(n, name) {
		*p = nil
		return
	}
	*p = c.buf[c.off : c.off+n : c.off+n]
	c.off += n
	if c.tree != nil {
		c.leaf(name, n, *p)
	}
}

// Array16 reads or writes a fixed 16-byte value (GUIDs, FlatUIDs).
func (c *Codec) Array16(p *[16]byte, name string) {
	if c.mode == ModeEncode {
		c.buf = append(c.buf, p[:]...)
		return
	}
	if !c.need(16, name) {
		*p = [16]byte{}
		return
	}
	copy(p[:], c.buf[c.off:])
	c.off += 16
	if c.tree != nil {
		c.leaf(name, 16, FormatGUID(*p))
	}
}

// Rest reads every byte up to the current limit (encode: writes *p).
func (c *Codec) Rest(p *[]byte, name string) {
	if c.mode == ModeEncode {
		c.buf = append(c.buf, *p...)
		return
	}
	if c.failed {
		*p = nil
		return
	}
	n := c.end - c.off
	*p = c.buf[c.off:c.end:c.end]
	c.off = c.end
	if c.tree != nil {
		c.leaf(name, n, *p)
	}
}

// Skip consumes n bytes without keeping them (decode only; encode writes zeros).
func (c *Codec) Skip(n int, name string) {
	var b []byte
	if c.mode == ModeEncode {
		b = make([]byte, n)
	}
	c.Fixed(&b, n, name)
}

// ---- strings ----

// String8Z is a NUL-terminated 8-bit string. Bytes map one-to-one onto
// U+0000..U+00FF so that any byte sequence round-trips.
func (c *Codec) String8Z(p *string, name string) {
	if c.mode == ModeEncode {
		c.buf = appendString8(c.buf, *p)
		c.buf = append(c.buf, 0)
		return
	}
	if c.failed {
		*p = ""
		return
	}
	start := c.off
	i := start
	for i < c.end && c.buf[i] != 0 {
		i++
	}
	if i >= c.end {
		c.Fail("%s: 8-bit string has no terminating NUL", name)
		*p = ""
		return
	}
	*p = decodeString8(c.buf[start:i])
	c.off = i + 1
	if c.tree != nil {
		c.leaf(name, c.off-start, *p)
	}
}

// UnicodeZ is a NUL-terminated UTF-16LE string. Decoding finds the
// terminator and converts to UTF-8 in one pass, through a scratch buffer
// the codec reuses.
func (c *Codec) UnicodeZ(p *string, name string) {
	if c.mode == ModeEncode {
		c.buf = AppendUTF16(c.buf, *p)
		c.buf = append(c.buf, 0, 0)
		return
	}
	if c.failed {
		*p = ""
		return
	}
	start := c.off
	b := c.buf[:c.end]
	// Find the terminator, noting whether every unit is ASCII.
	i := start
	ascii := true
	for ; i+1 < len(b); i += 2 {
		lo, hi := b[i], b[i+1]
		if lo|hi == 0 {
			break
		}
		if hi != 0 || lo >= 0x80 {
			ascii = false
		}
	}
	if i+1 >= len(b) {
		c.Fail("%s: UTF-16 string has no terminating NUL", name)
		*p = ""
		return
	}
	var out []byte
	ok := true
	if ascii {
		n := (i - start) / 2
		if cap(c.scratch) < n {
			c.scratch = make([]byte, n, n+n/2)
		}
		out = c.scratch[:n]
		for k := range out {
			out[k] = b[start+2*k]
		}
	} else {
		out = c.scratch[:0]
		for j := start; j < i; j += 2 {
			u := rune(b[j]) | rune(b[j+1])<<8
			if u < 0x80 {
				out = append(out, byte(u))
				continue
			}
			if u >= 0xD800 && u < 0xE000 {
				if u < 0xDC00 && j+3 < i {
					if u2 := rune(b[j+2]) | rune(b[j+3])<<8; u2 >= 0xDC00 && u2 < 0xE000 {
						out = utf8.AppendRune(out, (u-0xD800)<<10|(u2-0xDC00)+0x10000)
						j += 2
						continue
					}
				}
				u, ok = utf8.RuneError, false
			}
			out = utf8.AppendRune(out, u)
		}
	}
	c.scratch = out[:0]
	if !ok {
		c.NoteAt(start, "%s: UTF-16 string holds an unpaired surrogate", name)
	}
	if v, hit := c.boxes[string(out)]; hit && len(out) <= maxBoxed {
		*p = v.(string)
	} else {
		*p = string(out)
	}
	c.off = i + 2
	if c.tree != nil {
		c.leaf(name, c.off-start, *p)
	}
}

// String8N is an 8-bit string of exactly n bytes (no terminator).
func (c *Codec) String8N(p *string, n int, name string) {
	if c.mode == ModeEncode {
		c.buf = appendString8(c.buf, *p)
		return
	}
	if !c.need(n, name) {
		*p = ""
		return
	}
	*p = decodeString8(c.buf[c.off : c.off+n])
	c.off += n
	if c.tree != nil {
		c.leaf(name, n, *p)
	}
}

// UnicodeN is a UTF-16LE string of exactly n bytes (no terminator).
func (c *Codec) UnicodeN(p *string, n int, name string) {
	if c.mode == ModeEncode {
		c.buf = AppendUTF16(c.buf, *p)
		return
	}
	if n%2 != 0 {
		c.Fail("%s: UTF-16 string has odd byte length %d", name, n)
		return
	}
	if !c.need(n, name) {
		*p = ""
		return
	}
	s, ok := DecodeUTF16(c.buf[c.off : c.off+n])
	if !ok {
		c.Note("%s: UTF-16 string holds an unpaired surrogate", name)
	}
	*p = s
	c.off += n
	if c.tree != nil {
		c.leaf(name, n, *p)
	}
}

// String8Len is the encoded length of an 8-bit string, without terminator.
func String8Len(s string) int {
	n := 0
	for range s {
		n++
	}
	return n
}

// UTF16Len is the encoded length in bytes of s as UTF-16, without terminator.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 4
		} else {
			n += 2
		}
	}
	return n
}

func decodeString8(b []byte) string {
	ascii := true
	for _, x := range b {
		if x >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, x := range b {
		r[i] = rune(x)
	}
	return string(r)
}

func appendString8(dst []byte, s string) []byte {
	for _, r := range s {
		if r > 0xFF {
			r = '?'
		}
		dst = append(dst, byte(r))
	}
	return dst
}

// DecodeUTF16 decodes UTF-16LE bytes (even length). ok is false when the
// input holds an unpaired surrogate, which cannot round-trip; such a unit
// becomes U+FFFD.
func DecodeUTF16(b []byte) (string, bool) {
	n := len(b) / 2
	// Optimistic single pass for ASCII, the common case.
	ascii := make([]byte, n)
	k := 0
	for ; k < n; k++ {
		lo, hi := b[2*k], b[2*k+1]
		if hi != 0 || lo >= 0x80 {
			break
		}
		ascii[k] = lo
	}
	if k == n {
		return unsafeString(ascii), true
	}
	// From the first non-ASCII unit on: size the UTF-8 output exactly,
	// then fill it.
	size, ok := k, true
	for i := k; i < n; i++ {
		u := binary.LittleEndian.Uint16(b[2*i:])
		switch {
		case u < 0x80:
			size++
		case u < 0x800:
			size += 2
		case u >= 0xD800 && u < 0xDC00 && i+1 < n:
			if u2 := binary.LittleEndian.Uint16(b[2*i+2:]); u2 >= 0xDC00 && u2 < 0xE000 {
				size += 4
				i++
				continue
			}
			size, ok = size+3, false
		case u >= 0xD800 && u < 0xE000:
			size, ok = size+3, false
		default:
			size += 3
		}
	}
	out := make([]byte, k, size)
	copy(out, ascii[:k])
	for i := k; i < n; i++ {
		u := rune(binary.LittleEndian.Uint16(b[2*i:]))
		if u < 0x80 {
			out = append(out, byte(u))
			continue
		}
		if u >= 0xD800 && u < 0xE000 {
			if u < 0xDC00 && i+1 < n {
				if u2 := rune(binary.LittleEndian.Uint16(b[2*i+2:])); u2 >= 0xDC00 && u2 < 0xE000 {
					out = utf8.AppendRune(out, (u-0xD800)<<10|(u2-0xDC00)+0x10000)
					i++
					continue
				}
			}
			u = utf8.RuneError
		}
		out = utf8.AppendRune(out, u)
	}
	return unsafeString(out), ok
}

// unsafeString turns a freshly made byte slice nobody else holds into a
// string without copying it again.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// AppendUTF16 appends s as UTF-16LE.
func AppendUTF16(dst []byte, s string) []byte {
	for _, r := range s {
		if r < 0x10000 {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(r))
			continue
		}
		r1, r2 := utf16.EncodeRune(r)
		dst = binary.LittleEndian.AppendUint16(dst, uint16(r1))
		dst = binary.LittleEndian.AppendUint16(dst, uint16(r2))
	}
	return dst
}

// ---- counts, sizes, limits ----

// Count checks a decoded element count against the bytes left: n elements
// of at least minSize bytes each must fit, so a hostile count cannot make
// the caller allocate. It returns n, or 0 after failing.
func (c *Codec) Count(n int, minSize int, name string) int {
	if c.mode == ModeEncode {
		return n
	}
	if c.failed {
		return 0
	}
	if minSize < 1 {
		minSize = 1
	}
	if n < 0 || n > (c.end-c.off)/minSize {
		c.Fail("%s: count %d cannot fit in the %d bytes left", name, n, c.end-c.off)
		return 0
	}
	return n
}

// Count16 writes len or reads a 16-bit count, checked as Count does.
func (c *Codec) Count16(length int, minSize int, name string) int {
	v := uint16(length)
	if c.mode == ModeEncode && length > math.MaxUint16 {
		c.encodeError("%s: %d elements do not fit a 16-bit count", name, length)
	}
	c.U16(&v, name)
	return c.Count(int(v), minSize, name)
}

// Count32 writes len or reads a 32-bit count, checked as Count does.
func (c *Codec) Count32(length int, minSize int, name string) int {
	v := uint32(length)
	c.U32(&v, name)
	if c.mode == ModeDecode && v > math.MaxInt32 {
		c.Fail("%s: count %d is absurd", name, v)
		return 0
	}
	return c.Count(int(v), minSize, name)
}

// Count8 writes len or reads an 8-bit count, checked as Count does.
func (c *Codec) Count8(length int, minSize int, name string) int {
	v := uint8(length)
	if c.mode == ModeEncode && length > math.MaxUint8 {
		c.encodeError("%s: %d elements do not fit an 8-bit count", name, length)
	}
	c.U8(&v, name)
	return c.Count(int(v), minSize, name)
}

func (c *Codec) encodeError(format string, args ...any) {
	c.anomalies = append(c.anomalies, Anomaly{Offset: len(c.buf), Reason: "encode: " + fmt.Sprintf(format, args...)})
	c.failed = true
}

// EncodeError records that a struct cannot be encoded as it stands.
func (c *Codec) EncodeError(format string, args ...any) { c.encodeError(format, args...) }

// Err returns the first anomaly that stopped the codec as an error, or nil.
func (c *Codec) Err() error {
	if !c.failed {
		return nil
	}
	for _, a := range c.anomalies {
		return fmt.Errorf("%s", a.String())
	}
	return fmt.Errorf("failed")
}

// Make sizes *s to n elements when decoding (n already checked by Count).
func Make[T any](c *Codec, s *[]T, n int) {
	if c.mode == ModeDecode {
		if n == 0 {
			*s = nil
			return
		}
		*s = make([]T, n)
	}
}

// Sized runs f inside a region whose byte length is a prefix field of width
// 1, 2 or 4 bytes. Decoding limits f to that many bytes and notes bytes f
// leaves unread (they are skipped); encoding writes f's length into the
// prefix afterwards. It returns the region length.
func (c *Codec) Sized(width int, name string, f func()) int {
	if c.mode == ModeEncode {
		at := len(c.buf)
		c.buf = append(c.buf, make([]byte, width)...)
		f()
		n := len(c.buf) - at - width
		switch width {
		case 1:
			if n > math.MaxUint8 {
				c.encodeError("%s: %d bytes do not fit", name, n)
			}
			c.buf[at] = byte(n)
		case 2:
			if n > math.MaxUint16 {
				c.encodeError("%s: %d bytes do not fit", name, n)
			}
			binary.LittleEndian.PutUint16(c.buf[at:], uint16(n))
		case 4:
			binary.LittleEndian.PutUint32(c.buf[at:], uint32(n))
		}
		return n
	}
	var n int
	switch width {
	case 1:
		var v uint8
		c.U8(&v, name)
		n = int(v)
	case 2:
		var v uint16
		c.U16(&v, name)
		n = int(v)
	case 4:
		var v uint32
		c.U32(&v, name)
		if v > math.MaxInt32 {
			c.Fail("%s: size %d is absurd", name, v)
			return 0
		}
		n = int(v)
	}
	if c.failed {
		return 0
	}
	if n > c.end-c.off {
		c.Fail("%s: size %d exceeds the %d bytes left", name, n, c.end-c.off)
		return 0
	}
	c.Within(n, name, f)
	return n
}

// Within runs f limited to the next n bytes (decode) and then moves past
// them; unread bytes inside are noted as an anomaly. Encoding just runs f.
func (c *Codec) Within(n int, name string, f func()) {
	if c.mode == ModeEncode {
		f()
		return
	}
	if !c.need(n, name) {
		return
	}
	saveEnd := c.end
	stop := c.off + n
	c.end = stop
	f()
	if !c.failed && c.off < stop {
		c.anomalyAt(c.off, fmt.Sprintf("%s: %d bytes left unread inside its declared size", name, stop-c.off), true)
	}
	c.end = saveEnd
	if !c.failed {
		c.off = stop
	}
}

// Limit narrows the decoder to the next n bytes until the returned func is
// called, without checking consumption.
func (c *Codec) Limit(n int) (restore func()) {
	if c.mode == ModeEncode {
		return func() {}
	}
	save := c.end
	if n < c.end-c.off {
		c.end = c.off + n
	}
	return func() { c.end = save }
}

// Peek8 returns the next byte without consuming it (ok false at the end).
func (c *Codec) Peek8() (uint8, bool) {
	if c.mode == ModeEncode || c.failed || c.off >= c.end {
		return 0, false
	}
	return c.buf[c.off], true
}

// Peek16 returns the next 16-bit value without consuming it.
func (c *Codec) Peek16() (uint16, bool) {
	if c.mode == ModeEncode || c.failed || c.off+2 > c.end {
		return 0, false
	}
	return binary.LittleEndian.Uint16(c.buf[c.off:]), true
}

// Peek32 returns the next 32-bit value without consuming it.
func (c *Codec) Peek32() (uint32, bool) {
	if c.mode == ModeEncode || c.failed || c.off+4 > c.end {
		return 0, false
	}
	return binary.LittleEndian.Uint32(c.buf[c.off:]), true
}

// Sub returns a decoder over b whose offsets are reported relative to base
// and which shares this codec's span setting. Merge its results with Adopt.
func (c *Codec) Sub(b []byte, base int, name string) *Codec {
	s := NewDecoder(b, c.tree != nil, name)
	s.base = base
	s.TagNamer = c.TagNamer
	return s
}

// Adopt attaches a sub-decoder's tree as a child and takes its anomalies.
func (c *Codec) Adopt(s *Codec) {
	c.anomalies = append(c.anomalies, s.anomalies...)
	if c.tree != nil && s.tree != nil {
		s.tree.Off = s.base
		c.top().Children = append(c.top().Children, s.tree)
	}
}

// Advance moves a decoder n bytes forward without recording them (the
// bytes were handed to a sub-decoder).
func (c *Codec) Advance(n int) {
	if c.mode == ModeEncode || !c.need(n, "region") {
		return
	}
	c.off += n
}

// maxBoxed is the longest string BoxString shares.
const maxBoxed = 48

// BoxString returns s as an interface value. Table rows repeat the same
// short strings (message classes, sender names) over and over: equal short
// strings share one box, which saves an allocation per cell.
func (c *Codec) BoxString(s string) any {
	if len(s) > maxBoxed {
		return s
	}
	if v, ok := c.boxes[s]; ok {
		return v
	}
	if c.boxes == nil {
		c.boxes = make(map[string]any, 64)
	}
	v := any(s)
	if len(c.boxes) < 1024 {
		c.boxes[s] = v
	}
	return v
}
