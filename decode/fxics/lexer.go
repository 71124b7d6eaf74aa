package fxics

import (
	"encoding/binary"
	"fmt"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Defaults of LexerOptions.
const (
	// DefaultMaxValue is the largest value the lexer keeps whole. A larger
	// one (a big attachment's PidTagAttachDataBinary, say) is streamed
	// through: the lexer keeps its first KeepPrefix bytes and its size and
	// marks it Truncated, so a 4 GiB value costs no more memory than that.
	DefaultMaxValue = 1 << 20
	// DefaultKeepPrefix is how much of a truncated value is kept.
	DefaultKeepPrefix = 4096

	// maxNameBytes bounds the UTF-16 name of a named property (the
	// grammar has no length field for it, so a stream without its NUL would
	// otherwise make the lexer wait forever).
	maxNameBytes = 4096
	// minGrow is the least the lexer copies into its tail buffer at a time
	// while an atom is incomplete, so that a value split into many small
	// buffers is not rescanned once per byte.
	minGrow = 4096
)

// LexerOptions tune a Lexer; the zero value means the defaults.
type LexerOptions struct {
	MaxValue   int
	KeepPrefix int
}

func (o LexerOptions) withDefaults() LexerOptions {
	if o.MaxValue <= 0 {
		o.MaxValue = DefaultMaxValue
	}
	if o.KeepPrefix <= 0 {
		o.KeepPrefix = DefaultKeepPrefix
	}
	if o.KeepPrefix > o.MaxValue {
		o.KeepPrefix = o.MaxValue
	}
	return o
}

// Lexer turns FastTransfer stream bytes, fed in pieces split anywhere,
// into atoms — [MS-OXCFXICS] 2.2.4.1. It keeps at most one incomplete atom
// between Feed calls (values over MaxValue are streamed, not kept).
//
// The lexer's output does not depend on how the stream was split: feeding
// it whole, in two pieces or byte by byte yields the same atoms and the
// same anomalies.
type Lexer struct {
	opt LexerOptions

	fed     int64  // bytes fed so far
	off     int64  // absolute offset of the first unconsumed byte
	pending []byte // the start of an incomplete atom (owned)
	need    int    // lower bound of that atom's length

	skip *skipState // a large value being streamed through

	out       []Atom
	anomalies []wire.Anomaly
	broken    bool // a lexical error stopped the lexer
	closed    bool
}

// skipState streams a value larger than MaxValue: it keeps the first
// KeepPrefix bytes of the value and counts the rest.
type skipState struct {
	atom      Atom
	keepMax   int
	keep      []byte
	body      int64  // value bytes consumed
	remaining uint64 // single value or fixed multi-value: bytes left
	mvVar     bool   // variable-size multi-value: walk value by value
	count     uint32 // values left
	lenBuf    [4]byte
	lenHave   int
	inElem    bool
	elemLeft  uint64
}

// NewLexer returns a lexer at stream offset 0.
func NewLexer(o LexerOptions) *Lexer {
	return &Lexer{opt: o.withDefaults()}
}

// Feed lexes the next piece of the stream. The lexer copies what it keeps;
// b may be reused after the call.
func (l *Lexer) Feed(b []byte) { l.feed(b, true) }

// Atoms returns the atoms completed since the last call, in stream order.
// The caller owns the slice.
func (l *Lexer) Atoms() []Atom {
	out := l.out
	l.out = nil
	return out
}

// Anomalies returns every lexical anomaly so far.
func (l *Lexer) Anomalies() []wire.Anomaly { return l.anomalies }

// Offset returns the number of bytes fed.
func (l *Lexer) Offset() int64 { return l.fed }

// Pending returns how many bytes of an incomplete atom the lexer holds.
func (l *Lexer) Pending() int { return len(l.pending) }

// Broken reports that a lexical error stopped the lexer: the rest of the
// stream cannot be cut into atoms.
func (l *Lexer) Broken() bool { return l.broken }

// Close declares the end of the stream; an incomplete last atom becomes an
// anomaly.
func (l *Lexer) Close() {
	if l.closed {
		return
	}
	l.closed = true
	if l.broken {
		return
	}
	if s := l.skip; s != nil {
		total := uint64(s.body) + s.remaining
		if s.mvVar {
			l.anomalyAt(s.atom.Off, fmt.Sprintf("stream ends inside the value of %s (%d bytes of it, %d of %d values left)",
				s.atom.DisplayName(), s.body, s.count, s.atom.Size), nil)
		} else {
			l.anomalyAt(s.atom.Off, fmt.Sprintf("stream ends inside the value of %s (%d of %d bytes)",
				s.atom.DisplayName(), s.body, total), nil)
		}
		l.skip = nil
		return
	}
	if len(l.pending) > 0 {
		raw := l.pending
		if len(raw) > wire.MaxAnomalyRaw {
			raw = raw[:wire.MaxAnomalyRaw]
		}
		l.anomalyAt(l.off, fmt.Sprintf("truncated: stream ends %d bytes into an atom that needs at least %d",
			len(l.pending), l.need), append([]byte(nil), raw...))
		l.pending = nil
	}
}

func (l *Lexer) anomalyAt(off int64, reason string, raw []byte) {
	l.anomalies = append(l.anomalies, wire.Anomaly{Offset: int(off), Reason: reason, Raw: raw})
}

func (l *Lexer) fail(off int64, reason string) {
	l.anomalyAt(off, reason+"; the rest of the stream is not lexed", nil)
	l.broken = true
	l.pending = nil
}

// feed lexes b; with copyIn false the atoms may reference b (one-shot
// decoding of a buffer the caller keeps).
func (l *Lexer) feed(b []byte, copyIn bool) {
	if l.closed {
		if len(b) > 0 && !l.broken {
			l.anomalyAt(l.fed, fmt.Sprintf("%d bytes fed after the end of the stream", len(b)), nil)
		}
		l.fed += int64(len(b))
		return
	}
	l.fed += int64(len(b))
	if l.broken {
		return
	}
	// A large value being streamed takes its bytes first, uncopied.
	if l.skip != nil {
		b = b[l.skipFeed(b):]
		if l.skip != nil || len(b) == 0 {
			return
		}
	}
	if copyIn {
		// One copy per Feed for everything the atoms keep.
		b = append([]byte(nil), b...)
	}
	// Complete the atom held from the previous pieces: grow the tail by
	// what it needs (at least minGrow) and lex it again.
	for len(l.pending) > 0 && len(b) > 0 {
		take := max(l.need-len(l.pending), minGrow)
		take = min(take, len(b))
		l.pending = append(l.pending, b[:take]...)
		b = b[take:]
		buf := l.pending
		rest := l.drain(buf, true)
		if l.broken {
			return
		}
		// The incomplete remainder moves to the front of the buffer (the
		// atoms lexed from it hold copies).
		l.pending = append(buf[:0], rest...)
	}
	if len(b) == 0 {
		return
	}
	if rest := l.drain(b, false); len(rest) > 0 && !l.broken {
		l.pending = append(l.pending[:0], rest...)
	}
}

// drain lexes buf as far as it goes, streaming large values through, and
// returns the incomplete tail (nil when buf was used up or on error).
func (l *Lexer) drain(buf []byte, fromTail bool) []byte {
	for {
		if l.skip != nil {
			buf = buf[l.skipFeed(buf):]
			if l.skip != nil {
				return nil
			}
		}
		if len(buf) == 0 {
			return nil
		}
		n := l.lex(buf, l.off, fromTail)
		l.off += int64(n)
		buf = buf[n:]
		if l.broken {
			return nil
		}
		if l.skip == nil {
			return buf
		}
	}
}

// lex cuts complete atoms from buf (whose first byte is at absolute offset
// base) and returns the bytes consumed. It stops at an incomplete atom
// (setting l.need), at a large value (setting l.skip, header consumed) or
// at an error. fromTail copies what atoms keep, since buf is reused.
func (l *Lexer) lex(buf []byte, base int64, fromTail bool) int {
	p := 0
	for p < len(buf) {
		r := l.scan(buf[p:], base+int64(p))
		switch r.st {
		case scanOK:
			if fromTail && r.atom.Raw != nil {
				r.atom.Raw = append(make([]byte, 0, len(r.atom.Raw)), r.atom.Raw...)
			}
			l.emit(r.atom, r.notes)
			p += r.n
		case scanNeed:
			l.need = r.need
			return p
		case scanBig:
			l.notes(r.atom.Off, r.notes)
			l.skip = r.skip
			return p + r.n
		case scanErr:
			l.fail(base+int64(p), r.err)
			return p
		}
	}
	l.need = 0
	return p
}

func (l *Lexer) emit(a Atom, notes []string) {
	l.notes(a.Off, notes)
	l.out = append(l.out, a)
}

func (l *Lexer) notes(off int64, notes []string) {
	for _, n := range notes {
		l.anomalyAt(off, n, nil)
	}
}

// skipFeed streams bytes of a large value; it returns the bytes consumed
// and finishes the atom when the value is complete.
func (l *Lexer) skipFeed(b []byte) int {
	s := l.skip
	keep := func(x []byte) {
		if room := s.keepMax - len(s.keep); room > 0 {
			if len(x) > room {
				x = x[:room]
			}
			s.keep = append(s.keep, x...)
		}
	}
	p := 0
	if !s.mvVar {
		take := uint64(len(b))
		if take > s.remaining {
			take = s.remaining
		}
		keep(b[:take])
		s.remaining -= take
		s.body += int64(take)
		p = int(take)
	} else {
		for p < len(b) && s.count > 0 {
			if !s.inElem {
				for s.lenHave < 4 && p < len(b) {
					s.lenBuf[s.lenHave] = b[p]
					keep(b[p : p+1])
					p++
					s.lenHave++
					s.body++
				}
				if s.lenHave < 4 {
					break
				}
				s.elemLeft = uint64(binary.LittleEndian.Uint32(s.lenBuf[:]))
				s.lenHave = 0
				s.inElem = true
			}
			take := uint64(len(b) - p)
			if take > s.elemLeft {
				take = s.elemLeft
			}
			keep(b[p : p+int(take)])
			p += int(take)
			s.body += int64(take)
			s.elemLeft -= take
			if s.elemLeft == 0 {
				s.inElem = false
				s.count--
			}
		}
	}
	l.off += int64(p)
	if (!s.mvVar && s.remaining == 0) || (s.mvVar && s.count == 0) {
		a := s.atom
		a.Raw = s.keep
		if a.Raw == nil {
			a.Raw = []byte{}
		}
		a.Truncated = true
		a.Len = int64(a.Hdr) + s.body
		l.out = append(l.out, a)
		l.skip = nil
	}
	return p
}

type scanStatus uint8

const (
	scanOK scanStatus = iota
	scanNeed
	scanBig
	scanErr
)

type scanResult struct {
	st    scanStatus
	atom  Atom
	n     int // scanOK: atom length; scanBig: header length
	need  int // scanNeed: at least this many bytes from the atom start
	err   string
	notes []string
	skip  *skipState
}

// scan reads one atom at the start of b (absolute offset base). Its answer
// depends only on the bytes, never on where b ends: an atom it cannot
// finish yet is reported with the least length that could complete it, and
// every decision (error, large value) is taken from bytes already read.
func (l *Lexer) scan(b []byte, base int64) (r scanResult) {
	need := func(n int) scanResult { return scanResult{st: scanNeed, need: n} }
	if len(b) < 4 {
		return need(4)
	}
	raw := binary.LittleEndian.Uint32(b)
	if IsMarker(raw) {
		return scanResult{st: scanOK, n: 4, atom: Atom{Off: base, Len: 4, Tag: prop.Tag(raw), Marker: true, Hdr: 4}}
	}
	tag := prop.Tag(raw)
	cls, fs := classify(tag)
	if cls == classInvalid {
		return scanResult{st: scanErr, err: fmt.Sprintf("property tag 0x%08X: type 0x%04X is not a FastTransfer property type (fixedPropType, varPropType or mvPropType)", raw, uint16(tag.Type()))}
	}
	p := 4
	var name *prop.PropertyName
	if tag.Named() {
		if len(b) < p+17 {
			return need(p + 17)
		}
		var g prop.GUID
		copy(g[:], b[4:20])
		kind := b[20]
		p = 21
		switch kind {
		case prop.KindLID:
			if len(b) < p+4 {
				return need(p + 4)
			}
			name = &prop.PropertyName{Kind: prop.KindLID, Guid: g, LID: binary.LittleEndian.Uint32(b[p:])}
			p += 4
		case prop.KindName:
			i := p
			for {
				if i-p >= maxNameBytes {
					return scanResult{st: scanErr, err: fmt.Sprintf("property tag 0x%08X: name of the named property runs past %d bytes without its NUL", raw, maxNameBytes)}
				}
				if i+2 > len(b) {
					return need(i + 2)
				}
				if b[i] == 0 && b[i+1] == 0 {
					break
				}
				i += 2
			}
			s, ok := decodeName(b[p:i])
			if !ok {
				r.notes = append(r.notes, fmt.Sprintf("property tag 0x%08X: name holds an unpaired surrogate", raw))
			}
			name = &prop.PropertyName{Kind: prop.KindName, Guid: g, Name: s}
			p = i + 2
		default:
			return scanResult{st: scanErr, err: fmt.Sprintf("property tag 0x%08X: named property kind 0x%02X is neither 0x00 (dispid) nor 0x01 (name)", raw, kind)}
		}
	}
	a := Atom{Off: base, Tag: tag, Name: name}
	big := func(hdr int, st *skipState) scanResult {
		a.Hdr = int32(hdr)
		st.atom = a
		st.keepMax = l.opt.KeepPrefix
		r.st, r.n, r.skip, r.atom = scanBig, hdr, st, a
		return r
	}
	max := uint64(l.opt.MaxValue)
	switch cls {
	case classFixed:
		if len(b) < p+fs {
			return need(p + fs)
		}
		a.Hdr = int32(p)
		a.Raw = b[p : p+fs : p+fs]
		a.Len = int64(p + fs)
		r.st, r.n, r.atom = scanOK, p+fs, a
		return r
	case classVar:
		if len(b) < p+4 {
			return need(p + 4)
		}
		n := binary.LittleEndian.Uint32(b[p:])
		p += 4
		a.Size = n
		if uint64(n) > max {
			return big(p, &skipState{remaining: uint64(n)})
		}
		if len(b)-p < int(n) {
			return need(p + int(n))
		}
		a.Hdr = int32(p)
		a.Raw = b[p : p+int(n) : p+int(n)]
		a.Len = int64(p + int(n))
		r.st, r.n, r.atom = scanOK, p+int(n), a
		return r
	default: // classMV
		if len(b) < p+4 {
			return need(p + 4)
		}
		cnt := binary.LittleEndian.Uint32(b[p:])
		p += 4
		a.Size = cnt
		body := p
		if fs > 0 {
			total := uint64(cnt) * uint64(fs)
			if total > max {
				return big(p, &skipState{remaining: total})
			}
			if uint64(len(b)-p) < total {
				return need(p + int(total))
			}
			p += int(total)
		} else {
			for i := uint32(0); i < cnt; i++ {
				if uint64(p-body)+4 > max {
					return big(body, &skipState{mvVar: true, count: cnt})
				}
				if len(b) < p+4 {
					return need(p + 4)
				}
				el := binary.LittleEndian.Uint32(b[p:])
				if uint64(p-body)+4+uint64(el) > max {
					return big(body, &skipState{mvVar: true, count: cnt})
				}
				if uint64(len(b)-p-4) < uint64(el) {
					return need(p + 4 + int(el))
				}
				p += 4 + int(el)
			}
		}
		a.Hdr = int32(body)
		a.Raw = b[body:p:p]
		a.Len = int64(p)
		r.st, r.n, r.atom = scanOK, p, a
		return r
	}
}

// LexAll lexes a complete stream held in b (the atoms reference b).
func LexAll(b []byte, o LexerOptions) ([]Atom, []wire.Anomaly) {
	l := NewLexer(o)
	l.feed(b, false)
	l.Close()
	return l.Atoms(), l.Anomalies()
}
