package pcap

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"time"
)

// The capture file readers. gopacket's pcapgo is not used: its package
// imports golang.org/x/net/bpf and golang.org/x/sys/unix (for live
// capture), which are not in go.mod; and its readers allocate packet
// buffers from unchecked header fields (a 4 GiB captured or snap length
// is allocated as asked), divide by zero on a pcapng if_tsresol of 64 or
// more, and report no file offsets. These readers bound every length,
// never panic, and say where a file is bad.

const (
	// maxPacket is the largest captured packet accepted (Wireshark's limit
	// is 256 KiB; Linux BIG TCP/GRO captures can exceed it).
	maxPacket = 1 << 20
	// maxBlock bounds a pcapng block that is read whole (section and
	// interface headers, packets). Other blocks are skipped unread.
	maxBlock = maxPacket + 64<<10
	// bufSize is the read buffer: records that fit are handed out from it
	// without a copy; larger ones are copied into a scratch buffer.
	bufSize = 64 << 10
)

// recReader reads records from a buffered file. Slices it returns stay
// valid until its next call.
type recReader struct {
	r       *bufio.Reader
	pending int    // bytes handed out, consumed at the next call
	big     []byte // scratch for records larger than the buffer
}

// peek returns up to n bytes (n <= bufSize) without consuming them.
func (b *recReader) peek(n int) ([]byte, error) {
	if b.pending > 0 {
		b.r.Discard(b.pending)
		b.pending = 0
	}
	return b.r.Peek(n)
}

// take consumes n bytes and returns them; fewer at the end of the file.
func (b *recReader) take(n int) ([]byte, error) {
	if n <= bufSize {
		d, err := b.peek(n)
		b.pending = len(d)
		return d, err
	}
	if b.pending > 0 {
		b.r.Discard(b.pending)
		b.pending = 0
	}
	if cap(b.big) < n {
		b.big = make([]byte, n)
	}
	k, err := io.ReadFull(b.r, b.big[:n])
	return b.big[:k], err
}

// skip consumes n bytes without reading them into memory.
func (b *recReader) skip(n int64) (int64, error) {
	if b.pending > 0 {
		b.r.Discard(b.pending)
		b.pending = 0
	}
	var done int64
	for done < n {
		d, err := b.r.Discard(int(min(n-done, 1<<30)))
		done += int64(d)
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// errCut ends a file that stops in the middle of a record: the packets
// before it are used.
type errCut struct{ off int64 }

func (e errCut) Error() string {
	return fmt.Sprintf("the capture file ends in the middle of a record at offset %d (cut short?); the packets before it were read", e.off)
}

// packet is one captured frame. data is valid until the next call to next.
type packet struct {
	data     []byte
	ts       time.Time
	origLen  int
	linkType uint32
}

// source reads packets from a pcap or pcapng file.
type source interface {
	next() (packet, error) // io.EOF at a clean end, errCut when cut short
}

// countReader counts the bytes read from the file for progress reports.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

const (
	magicMicro  = 0xA1B2C3D4
	magicNano   = 0xA1B23C4D
	magicNG     = 0x0A0D0D0A
	ngByteOrder = 0x1A2B3C4D
	ngSHB       = 0x0A0D0D0A
	ngIDB       = 1
	ngPB        = 2 // obsolete Packet Block
	ngSPB       = 3
	ngEPB       = 6
)

// openSource sniffs the format from the first bytes: pcap (either byte
// order, micro- or nanosecond), pcapng, or either of them gzip-compressed.
func openSource(r io.Reader) (source, error) {
	br := bufio.NewReaderSize(r, bufSize)
	head, err := br.Peek(4)
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, zerr := gzip.NewReader(br)
		if zerr != nil {
			return nil, fmt.Errorf("pcap: gzip-compressed file is unreadable: %v", zerr)
		}
		zr.Multistream(true)
		br = bufio.NewReaderSize(zr, bufSize)
		head, err = br.Peek(4)
	}
	if len(head) < 4 {
		if err == nil || err == io.EOF {
			return nil, fmt.Errorf("pcap: the file is too short to be a capture (%d bytes)", len(head))
		}
		return nil, fmt.Errorf("pcap: %v", err)
	}
	le := binary.LittleEndian.Uint32(head)
	be := binary.BigEndian.Uint32(head)
	switch {
	case le == magicMicro || le == magicNano:
		return newPcapSource(br, binary.LittleEndian, le == magicNano)
	case be == magicMicro || be == magicNano:
		return newPcapSource(br, binary.BigEndian, be == magicNano)
	case le == magicNG:
		return newNgSource(br)
	}
	return nil, fmt.Errorf("pcap: bad magic 0x%08x: not a pcap or pcapng file", be)
}

// ---- pcap ----

type pcapSource struct {
	r     recReader
	order binary.ByteOrder
	nano  bool
	link  uint32
	off   int64
	n     int64 // records read
}

func newPcapSource(r *bufio.Reader, order binary.ByteOrder, nano bool) (*pcapSource, error) {
	h, err := r.Peek(24)
	if len(h) < 24 {
		if err == nil || err == io.EOF {
			return nil, fmt.Errorf("pcap: truncated file header (%d of 24 bytes)", len(h))
		}
		return nil, fmt.Errorf("pcap: %v", err)
	}
	s := &pcapSource{r: recReader{r: r}, order: order, nano: nano, off: 24}
	if major := order.Uint16(h[4:]); major != 2 {
		return nil, fmt.Errorf("pcap: unsupported file format version %d.%d", major, order.Uint16(h[6:]))
	}
	// The upper bits carry FCS information.
	s.link = order.Uint32(h[20:]) & 0xFFFF
	s.r.pending = 24
	if !linkSupported(s.link) {
		return nil, fmt.Errorf("pcap: link type %s is not supported: mapiscope reads Ethernet, Linux cooked (SLL, SLL2), raw IP and loopback captures", linkName(s.link))
	}
	return s, nil
}

func (s *pcapSource) next() (packet, error) {
	h, err := s.r.peek(16)
	if len(h) < 16 {
		return packet{}, s.short(len(h), err, true)
	}
	sec := s.order.Uint32(h)
	frac := s.order.Uint32(h[4:])
	capLen := s.order.Uint32(h[8:])
	origLen := s.order.Uint32(h[12:])
	if capLen > maxPacket {
		return packet{}, fmt.Errorf("pcap: bad record header at offset %d: captured length %d exceeds %d (corrupt file)", s.off, capLen, maxPacket)
	}
	if origLen < capLen {
		origLen = capLen
	}
	ns := int64(frac)
	if !s.nano {
		ns *= 1000
	}
	d, err := s.r.take(16 + int(capLen))
	if len(d) < 16+int(capLen) {
		return packet{}, s.short(len(d), err, false)
	}
	s.off += 16 + int64(capLen)
	s.n++
	return packet{data: d[16:], ts: time.Unix(int64(sec), ns).UTC(), origLen: int(origLen), linkType: s.link}, nil
}

// short turns a short read at a record into the right ending: a clean
// EOF, a cut file, or (before any packet at all) an error.
func (s *pcapSource) short(got int, err error, header bool) error {
	if got == 0 && (err == io.EOF || err == nil) {
		return io.EOF
	}
	if err != nil && err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("pcap: reading at offset %d: %v", s.off, err)
	}
	if s.n == 0 && header {
		return fmt.Errorf("pcap: truncated record header at offset %d", s.off)
	}
	return errCut{s.off}
}

// ---- pcapng ----

type ngIface struct {
	link    uint32
	snaplen uint32
	units   uint64 // timestamp units per second
	offset  int64  // seconds added to every timestamp
}

type ngSource struct {
	r      recReader
	order  binary.ByteOrder
	ifaces []ngIface
	off    int64
	n      int64
	lastTS time.Time
}

func newNgSource(r *bufio.Reader) (*ngSource, error) {
	s := &ngSource{r: recReader{r: r}}
	// The first block must be a section header; next() reads it.
	return s, nil
}

func (s *ngSource) bad(format string, a ...any) error {
	return fmt.Errorf("pcapng: bad block at offset %d: %s (corrupt file)", s.off, fmt.Sprintf(format, a...))
}

func (s *ngSource) next() (packet, error) {
	for {
		h, err := s.r.peek(12)
		if len(h) < 8 {
			if len(h) == 0 && (err == io.EOF || err == nil) {
				if s.order == nil {
					return packet{}, fmt.Errorf("pcap: truncated file header (0 bytes)")
				}
				return packet{}, io.EOF
			}
			return packet{}, s.short(err)
		}
		typ := binary.LittleEndian.Uint32(h)
		if typ == ngSHB {
			if len(h) < 12 {
				return packet{}, s.short(err)
			}
			switch {
			case binary.LittleEndian.Uint32(h[8:]) == ngByteOrder:
				s.order = binary.LittleEndian
			case binary.BigEndian.Uint32(h[8:]) == ngByteOrder:
				s.order = binary.BigEndian
			default:
				return packet{}, s.bad("section header with byte-order magic 0x%08x", binary.BigEndian.Uint32(h[8:]))
			}
		} else if s.order == nil {
			return packet{}, fmt.Errorf("pcap: bad magic 0x%08x: not a pcap or pcapng file", binary.BigEndian.Uint32(h))
		} else {
			typ = s.order.Uint32(h)
		}
		total := s.order.Uint32(h[4:])
		if total < 12 || total%4 != 0 {
			return packet{}, s.bad("block type 0x%x has length %d", typ, total)
		}
		switch typ {
		case ngSHB, ngIDB, ngEPB, ngSPB, ngPB:
		default:
			// Name resolution, statistics, decryption secrets, custom
			// blocks: not needed.
			if err := s.skip(int64(total)); err != nil {
				return packet{}, err
			}
			continue
		}
		if total > maxBlock {
			return packet{}, s.bad("block type 0x%x has length %d, over the %d-byte limit", typ, total, maxBlock)
		}
		b, err := s.r.take(int(total))
		if len(b) < int(total) {
			return packet{}, s.short(err)
		}
		if s.order.Uint32(b[total-4:]) != total {
			return packet{}, s.bad("block type 0x%x: trailing length %d differs from %d", typ, s.order.Uint32(b[total-4:]), total)
		}
		body := b[8 : total-4]
		var p packet
		ok := false
		switch typ {
		case ngSHB:
			err = s.section(body)
		case ngIDB:
			err = s.iface(body)
		case ngEPB, ngPB:
			p, ok, err = s.packetBlock(typ, body)
		case ngSPB:
			p, ok, err = s.simplePacket(body)
		}
		if err != nil {
			return packet{}, err
		}
		s.off += int64(total)
		if ok {
			s.n++
			return p, nil
		}
	}
}

func (s *ngSource) skip(n int64) error {
	d, err := s.r.skip(n)
	if err != nil {
		return s.short(err)
	}
	s.off += d
	return nil
}

func (s *ngSource) short(err error) error {
	if err != nil && err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) && err != bufio.ErrBufferFull {
		return fmt.Errorf("pcapng: reading at offset %d: %v", s.off, err)
	}
	if s.n == 0 {
		return fmt.Errorf("pcap: truncated record header at offset %d", s.off)
	}
	return errCut{s.off}
}

func (s *ngSource) section(body []byte) error {
	// byte-order magic (4), major (2), minor (2), section length (8).
	if len(body) < 16 {
		return s.bad("section header too short")
	}
	if major := s.order.Uint16(body[4:]); major != 1 {
		return fmt.Errorf("pcapng: unsupported version %d.%d at offset %d", major, s.order.Uint16(body[6:]), s.off)
	}
	s.ifaces = s.ifaces[:0]
	return nil
}

func (s *ngSource) iface(body []byte) error {
	if len(body) < 8 {
		return s.bad("interface description too short")
	}
	if len(s.ifaces) >= 1<<16 {
		return s.bad("more than 65536 interfaces")
	}
	in := ngIface{link: uint32(s.order.Uint16(body)), snaplen: s.order.Uint32(body[4:]), units: 1e6}
	opts := body[8:]
	for len(opts) >= 4 {
		code := s.order.Uint16(opts)
		n := int(s.order.Uint16(opts[2:]))
		opts = opts[4:]
		if code == 0 {
			break
		}
		if n > len(opts) {
			return s.bad("interface option %d overruns its block", code)
		}
		v := opts[:n]
		switch code {
		case 9: // if_tsresol
			if n >= 1 {
				e := uint(v[0] & 0x7F)
				if v[0]&0x80 != 0 {
					if e > 63 {
						return s.bad("if_tsresol 2^-%d", e)
					}
					in.units = 1 << e
				} else {
					if e > 19 {
						return s.bad("if_tsresol 10^-%d", e)
					}
					in.units = 1
					for range e {
						in.units *= 10
					}
				}
			}
		case 14: // if_tsoffset
			if n >= 8 {
				in.offset = int64(s.order.Uint64(v))
			}
		}
		pad := (n + 3) &^ 3
		if pad > len(opts) {
			pad = len(opts)
		}
		opts = opts[pad:]
	}
	s.ifaces = append(s.ifaces, in)
	return nil
}

func (s *ngSource) stamp(in *ngIface, hi, lo uint32) time.Time {
	ts := uint64(hi)<<32 | uint64(lo)
	sec := ts / in.units
	frac := ts % in.units
	h, l := bits.Mul64(frac, 1e9)
	ns, _ := bits.Div64(h, l, in.units) // h < units since frac < units
	return time.Unix(int64(sec)+in.offset, int64(ns)).UTC()
}

func (s *ngSource) packetBlock(typ uint32, body []byte) (packet, bool, error) {
	if len(body) < 20 {
		return packet{}, false, s.bad("packet block too short")
	}
	var id uint32
	if typ == ngEPB {
		id = s.order.Uint32(body)
	} else {
		id = uint32(s.order.Uint16(body))
	}
	if int(id) >= len(s.ifaces) {
		return packet{}, false, s.bad("packet on interface %d; %d described", id, len(s.ifaces))
	}
	in := &s.ifaces[id]
	capLen := s.order.Uint32(body[12:])
	origLen := s.order.Uint32(body[16:])
	if capLen > uint32(len(body)-20) {
		return packet{}, false, s.bad("captured length %d overruns its block", capLen)
	}
	if origLen < capLen {
		origLen = capLen
	}
	p := packet{data: body[20 : 20+capLen], ts: s.stamp(in, s.order.Uint32(body[4:]), s.order.Uint32(body[8:])), origLen: int(origLen), linkType: in.link}
	s.lastTS = p.ts
	return p, true, nil
}

func (s *ngSource) simplePacket(body []byte) (packet, bool, error) {
	if len(body) < 4 {
		return packet{}, false, s.bad("simple packet block too short")
	}
	if len(s.ifaces) == 0 {
		return packet{}, false, s.bad("simple packet before any interface description")
	}
	in := &s.ifaces[0]
	origLen := s.order.Uint32(body)
	capLen := uint32(len(body) - 4)
	if origLen < capLen {
		capLen = origLen // the rest is padding
	}
	if in.snaplen != 0 && capLen > in.snaplen {
		capLen = in.snaplen
	}
	// A simple packet has no timestamp: it takes the previous one's.
	return packet{data: body[4 : 4+capLen], ts: s.lastTS, origLen: int(origLen), linkType: in.link}, true, nil
}
