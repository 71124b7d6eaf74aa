package pcap

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/google/gopacket/layers"
)

// Writer writes pcap or pcapng files of TCP connections with real framing
// (Ethernet, optionally VLAN-tagged, Linux cooked SLL/SLL2 or raw IP;
// IPv4 or IPv6; TCP with handshake, MSS-sized segments, correct sequence
// and acknowledgement numbers and checksums, FIN or RST), for tests and
// the traffic generator. Faults can be injected per send: a retransmitted
// segment, two segments swapped, a segment dropped; the file can be cut
// at a byte offset and frames cut to a snap length. It streams: nothing
// is kept after a packet is written.
type Writer struct {
	opt     WriterOptions
	out     *cutWriter
	bw      *bufio.Writer
	frame   []byte
	packets int64
	ipID    uint16
	isn     uint32
	port    uint16
}

// Format is a capture file format.
type Format int

const (
	FormatPcap   Format = iota // classic libpcap, microsecond timestamps
	FormatPcapNG               // pcapng, nanosecond timestamps
)

// Link is the link-layer framing a Writer uses.
type Link int

const (
	LinkEthernet Link = iota
	LinkSLL           // Linux cooked capture (tcpdump -i any)
	LinkSLL2          // Linux cooked capture v2 (pcap format only)
	LinkRaw           // raw IP
)

// WriterOptions configure a Writer.
type WriterOptions struct {
	Format Format
	Link   Link
	VLAN   uint16 // Ethernet only: tag every frame with this 802.1Q VLAN id (0: none)
	MSS    int    // largest TCP payload per segment; 0 means 1460
	// Snaplen, when positive, cuts every frame to this many bytes, as a
	// capture taken with a snap length does (the frames keep their real
	// length in the record).
	Snaplen int
	// CutAt, when positive, ends the file after this many bytes, as a
	// capture cut short does (mid-record, usually).
	CutAt int64
	// NoAcks leaves out the receiver's pure ACKs after each send.
	NoAcks bool
}

// cutWriter counts the bytes written and drops those past the cut.
type cutWriter struct {
	w   io.Writer
	n   int64
	cut int64
}

func (c *cutWriter) Write(p []byte) (int, error) {
	k := len(p)
	if c.cut > 0 && c.n+int64(len(p)) > c.cut {
		p = p[:max(c.cut-c.n, 0)]
	}
	c.n += int64(k)
	if len(p) == 0 {
		return k, nil
	}
	if _, err := c.w.Write(p); err != nil {
		return 0, err
	}
	return k, nil
}

// NewWriter starts a capture file on w. Close flushes it.
func NewWriter(w io.Writer, opt WriterOptions) (*Writer, error) {
	if opt.MSS <= 0 {
		opt.MSS = 1460
	}
	if opt.MSS > 65000 {
		return nil, errors.New("pcap: MSS over 65000")
	}
	var link uint32
	switch opt.Link {
	case LinkEthernet:
		link = linkEthernet
	case LinkSLL:
		link = linkSLL
	case LinkSLL2:
		link = linkSLL2
		if opt.Format == FormatPcapNG {
			return nil, errors.New("pcap: the writer supports SLL2 in pcap files only")
		}
	case LinkRaw:
		link = linkRaw
	default:
		return nil, fmt.Errorf("pcap: unknown link %d", opt.Link)
	}
	wr := &Writer{opt: opt, isn: 0x1000_0000, port: 49152}
	wr.out = &cutWriter{w: w, cut: opt.CutAt}
	wr.bw = bufio.NewWriterSize(wr.out, 1<<20)
	snap := uint32(262144)
	if opt.Snaplen > 0 {
		snap = uint32(opt.Snaplen)
	}
	// The files are written here rather than with pcapgo: its package
	// needs golang.org/x/net and x/sys, and its link type is 8 bits wide
	// (too narrow for SLL2).
	le := binary.LittleEndian
	var b []byte
	switch opt.Format {
	case FormatPcap:
		b = le.AppendUint32(b, magicMicro)
		b = le.AppendUint16(b, 2)
		b = le.AppendUint16(b, 4)
		b = append(b, 0, 0, 0, 0, 0, 0, 0, 0) // thiszone, sigfigs
		b = le.AppendUint32(b, snap)
		b = le.AppendUint32(b, link)
	case FormatPcapNG:
		// Section header: byte-order magic, version 1.0, unknown length.
		b = le.AppendUint32(b, ngSHB)
		b = le.AppendUint32(b, 28)
		b = le.AppendUint32(b, ngByteOrder)
		b = le.AppendUint16(b, 1)
		b = le.AppendUint16(b, 0)
		b = le.AppendUint64(b, ^uint64(0))
		b = le.AppendUint32(b, 28)
		// Interface description: link type, snap length, if_tsresol=9
		// (nanoseconds), end of options.
		b = le.AppendUint32(b, ngIDB)
		b = le.AppendUint32(b, 32)
		b = le.AppendUint16(b, uint16(link))
		b = le.AppendUint16(b, 0)
		b = le.AppendUint32(b, snap)
		b = le.AppendUint16(b, 9)
		b = le.AppendUint16(b, 1)
		b = append(b, 9, 0, 0, 0)
		b = append(b, 0, 0, 0, 0)
		b = le.AppendUint32(b, 32)
	default:
		return nil, fmt.Errorf("pcap: unknown format %d", opt.Format)
	}
	if _, err := wr.bw.Write(b); err != nil {
		return nil, err
	}
	return wr, nil
}

// record writes one packet record.
func (w *Writer) record(at time.Time, data []byte, origLen int) error {
	le := binary.LittleEndian
	var h [28]byte
	if w.opt.Format == FormatPcap {
		le.PutUint32(h[0:], uint32(at.Unix()))
		le.PutUint32(h[4:], uint32(at.Nanosecond()/1000))
		le.PutUint32(h[8:], uint32(len(data)))
		le.PutUint32(h[12:], uint32(origLen))
		w.bw.Write(h[:16])
		_, err := w.bw.Write(data)
		return err
	}
	pad := (4 - len(data)%4) % 4
	total := 32 + len(data) + pad
	ns := uint64(at.UnixNano())
	le.PutUint32(h[0:], ngEPB)
	le.PutUint32(h[4:], uint32(total))
	le.PutUint32(h[8:], 0) // interface 0
	le.PutUint32(h[12:], uint32(ns>>32))
	le.PutUint32(h[16:], uint32(ns))
	le.PutUint32(h[20:], uint32(len(data)))
	le.PutUint32(h[24:], uint32(origLen))
	w.bw.Write(h[:28])
	w.bw.Write(data)
	w.bw.Write(make([]byte, pad))
	_, err := w.bw.Write(le.AppendUint32(h[:0], uint32(total)))
	return err
}

// Offset returns the number of bytes of the file written so far
// (including any past CutAt, which were dropped).
func (w *Writer) Offset() int64 {
	return w.out.n + int64(w.bw.Buffered())
}

// Packets returns the number of packets written.
func (w *Writer) Packets() int64 { return w.packets }

// Close flushes the file. It does not close the underlying writer.
func (w *Writer) Close() error {
	return w.bw.Flush()
}

// Conn is a TCP connection being written.
type Conn struct {
	w              *Writer
	client, server netip.AddrPort
	seq            [2]uint32 // next sequence number: [0] client, [1] server
	closed         bool
}

// Dial writes a three-way handshake at time at and returns the connection.
// Initial sequence numbers are chosen by the writer.
func (w *Writer) Dial(client, server netip.AddrPort, at time.Time) (*Conn, error) {
	w.isn += 0x3B9A_CA07
	return w.DialISN(client, server, at, w.isn, w.isn^0x5A5A_5A5A)
}

// DialISN is Dial with given initial sequence numbers (to test wrap-around).
func (w *Writer) DialISN(client, server netip.AddrPort, at time.Time, clientISN, serverISN uint32) (*Conn, error) {
	if client.Addr().Is4() != server.Addr().Is4() {
		return nil, errors.New("pcap: client and server must both be IPv4 or both IPv6")
	}
	c := &Conn{w: w, client: client, server: server, seq: [2]uint32{clientISN, serverISN}}
	if err := c.packet(true, flagSYN, nil, at); err != nil {
		return nil, err
	}
	c.seq[0]++
	if err := c.packet(false, flagSYN|flagACK, nil, at.Add(100*time.Microsecond)); err != nil {
		return nil, err
	}
	c.seq[1]++
	return c, c.packet(true, flagACK, nil, at.Add(200*time.Microsecond))
}

// Resume returns a connection whose start is not in the capture: its
// packets begin with whatever is sent next.
func (w *Writer) Resume(client, server netip.AddrPort) *Conn {
	w.isn += 0x3B9A_CA07
	return &Conn{w: w, client: client, server: server, seq: [2]uint32{w.isn, w.isn ^ 0x5A5A_5A5A}}
}

// NextPort returns a fresh ephemeral port for a client.
func (w *Writer) NextPort() uint16 {
	w.port++
	if w.port < 49152 {
		w.port = 49152
	}
	return w.port
}

// FaultKind is a transport fault injected into one send.
type FaultKind int

const (
	Retransmit FaultKind = iota + 1 // the segment is sent again after the others
	Swap                            // the segment and the next one are sent in reverse order
	Drop                            // the segment is never sent (a hole the capture lacks)
)

// Fault injects a fault on segment Segment (0-based; negative counts from
// the end) of one Send.
type Fault struct {
	Kind    FaultKind
	Segment int
}

// segmentGap is the time between two segments of one send.
const segmentGap = 10 * time.Microsecond

// Send writes data from one side as MSS-sized segments starting at time
// at (10 µs apart), then, unless NoAcks, the other side's ACK. It returns
// the time of the last data segment written.
func (c *Conn) Send(fromClient bool, data []byte, at time.Time, faults ...Fault) (time.Time, error) {
	if c.closed {
		return at, errors.New("pcap: send on a closed connection")
	}
	side := 1
	if fromClient {
		side = 0
	}
	type seg struct {
		seq  uint32
		data []byte
	}
	var segs []seg
	seq := c.seq[side]
	for off := 0; off < len(data); off += c.w.opt.MSS {
		end := min(off+c.w.opt.MSS, len(data))
		segs = append(segs, seg{seq + uint32(off), data[off:end]})
	}
	c.seq[side] = seq + uint32(len(data))
	var again []seg
	for _, f := range faults {
		i := f.Segment
		if i < 0 {
			i += len(segs)
		}
		if i < 0 || i >= len(segs) {
			return at, fmt.Errorf("pcap: fault on segment %d of %d", f.Segment, len(segs))
		}
		switch f.Kind {
		case Retransmit:
			again = append(again, segs[i])
		case Swap:
			if i+1 >= len(segs) {
				return at, fmt.Errorf("pcap: swap of the last segment %d", i)
			}
			segs[i], segs[i+1] = segs[i+1], segs[i]
		case Drop:
			segs[i].data = nil
		}
	}
	t := at
	last := at
	for _, s := range append(segs, again...) {
		if s.data == nil {
			continue
		}
		saved := c.seq[side]
		c.seq[side] = s.seq
		err := c.packet(fromClient, flagACK|flagPSH, s.data, t)
		c.seq[side] = saved
		if err != nil {
			return last, err
		}
		last = t
		t = t.Add(segmentGap)
	}
	if !c.w.opt.NoAcks && len(data) > 0 {
		return last, c.packet(!fromClient, flagACK, nil, t)
	}
	return last, nil
}

// Close writes the FIN exchange: the client's FIN, the server's FIN-ACK,
// the client's ACK.
func (c *Conn) Close(at time.Time) error {
	if c.closed {
		return nil
	}
	c.closed = true
	if err := c.packet(true, flagFIN|flagACK, nil, at); err != nil {
		return err
	}
	c.seq[0]++
	if err := c.packet(false, flagFIN|flagACK, nil, at.Add(100*time.Microsecond)); err != nil {
		return err
	}
	c.seq[1]++
	return c.packet(true, flagACK, nil, at.Add(200*time.Microsecond))
}

// CloseServer writes the server's FIN only (a response delimited by the
// end of the connection), then the client's FIN-ACK and the last ACK.
func (c *Conn) CloseServer(at time.Time) error {
	if c.closed {
		return nil
	}
	c.closed = true
	if err := c.packet(false, flagFIN|flagACK, nil, at); err != nil {
		return err
	}
	c.seq[1]++
	if err := c.packet(true, flagFIN|flagACK, nil, at.Add(100*time.Microsecond)); err != nil {
		return err
	}
	c.seq[0]++
	return c.packet(false, flagACK, nil, at.Add(200*time.Microsecond))
}

// Reset writes a RST from one side.
func (c *Conn) Reset(fromClient bool, at time.Time) error {
	c.closed = true
	return c.packet(fromClient, flagRST|flagACK, nil, at)
}

const (
	flagFIN = 0x01
	flagSYN = 0x02
	flagRST = 0x04
	flagPSH = 0x08
	flagACK = 0x10
)

var (
	macClient = []byte{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}
	macServer = []byte{0x02, 0x00, 0x5e, 0x00, 0x00, 0x02}
)

// packet frames and writes one TCP segment from one side, with that
// side's current sequence number and the other's as acknowledgement.
func (c *Conn) packet(fromClient bool, flags byte, payload []byte, at time.Time) error {
	w := c.w
	src, dst := c.client, c.server
	srcMAC, dstMAC := macClient, macServer
	seq, ack := c.seq[0], c.seq[1]
	if !fromClient {
		src, dst = dst, src
		srcMAC, dstMAC = dstMAC, srcMAC
		seq, ack = ack, seq
	}
	if flags&flagACK == 0 {
		ack = 0
	}
	v4 := src.Addr().Is4()
	tcpLen := 20
	if flags&flagSYN != 0 {
		tcpLen = 24 // MSS option
	}
	ipLen := 40
	etype := uint16(layers.EthernetTypeIPv6)
	if v4 {
		ipLen, etype = 20, uint16(layers.EthernetTypeIPv4)
	}
	b := w.frame[:0]
	switch w.opt.Link {
	case LinkEthernet:
		b = append(b, dstMAC...)
		b = append(b, srcMAC...)
		if w.opt.VLAN != 0 {
			b = binary.BigEndian.AppendUint16(b, uint16(layers.EthernetTypeDot1Q))
			b = binary.BigEndian.AppendUint16(b, w.opt.VLAN&0x0FFF)
		}
		b = binary.BigEndian.AppendUint16(b, etype)
	case LinkSLL:
		pt := uint16(0) // to us
		if fromClient {
			pt = 4 // sent by us
		}
		b = binary.BigEndian.AppendUint16(b, pt)
		b = binary.BigEndian.AppendUint16(b, 1) // ARPHRD_ETHER
		b = binary.BigEndian.AppendUint16(b, 6)
		b = append(b, srcMAC...)
		b = append(b, 0, 0)
		b = binary.BigEndian.AppendUint16(b, etype)
	case LinkSLL2:
		b = binary.BigEndian.AppendUint16(b, etype)
		b = append(b, 0, 0)
		b = binary.BigEndian.AppendUint32(b, 2) // ifindex
		b = binary.BigEndian.AppendUint16(b, 1) // ARPHRD_ETHER
		pt := byte(0)
		if fromClient {
			pt = 4
		}
		b = append(b, pt, 6)
		b = append(b, srcMAC...)
		b = append(b, 0, 0)
	}
	ipAt := len(b)
	total := ipLen + tcpLen + len(payload)
	var s4, d4 [4]byte
	if v4 {
		s4, d4 = src.Addr().As4(), dst.Addr().As4()
	}
	s16, d16 := src.Addr().As16(), dst.Addr().As16()
	if v4 {
		w.ipID++
		b = append(b, 0x45, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(total))
		b = binary.BigEndian.AppendUint16(b, w.ipID)
		b = append(b, 0x40, 0, 64, 6, 0, 0) // DF, TTL 64, TCP, checksum
		b = append(b, s4[:]...)
		b = append(b, d4[:]...)
		binary.BigEndian.PutUint16(b[ipAt+10:], ^sum(b[ipAt:ipAt+20], 0))
	} else {
		b = append(b, 0x60, 0, 0, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(tcpLen+len(payload)))
		b = append(b, 6, 64)
		b = append(b, s16[:]...)
		b = append(b, d16[:]...)
	}
	tcpAt := len(b)
	b = binary.BigEndian.AppendUint16(b, src.Port())
	b = binary.BigEndian.AppendUint16(b, dst.Port())
	b = binary.BigEndian.AppendUint32(b, seq)
	b = binary.BigEndian.AppendUint32(b, ack)
	b = append(b, byte(tcpLen/4)<<4, flags)
	b = binary.BigEndian.AppendUint16(b, 65535)
	b = append(b, 0, 0, 0, 0) // checksum, urgent pointer
	if flags&flagSYN != 0 {
		b = append(b, 2, 4)
		b = binary.BigEndian.AppendUint16(b, uint16(w.opt.MSS))
	}
	b = append(b, payload...)
	// TCP checksum over the pseudo-header and the segment.
	var ps uint32
	if v4 {
		ps = sum32(s4[:], 0)
		ps = sum32(d4[:], ps)
	} else {
		ps = sum32(s16[:], 0)
		ps = sum32(d16[:], ps)
	}
	ps += 6 + uint32(tcpLen+len(payload))
	binary.BigEndian.PutUint16(b[tcpAt+16:], ^sum(b[tcpAt:], ps))
	w.frame = b
	orig := len(b)
	if w.opt.Snaplen > 0 && len(b) > w.opt.Snaplen {
		b = b[:w.opt.Snaplen]
	}
	w.packets++
	return w.record(at, b, orig)
}

// sum32 adds b as big-endian 16-bit words to s (no folding).
func sum32(b []byte, s uint32) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

// sum is the folded ones'-complement sum used by IP and TCP checksums.
func sum(b []byte, s uint32) uint16 {
	var s64 uint64 = uint64(s)
	for len(b) >= 8 {
		s64 += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		s64 += uint64(b[0])<<8 | uint64(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s64 += uint64(b[0]) << 8
	}
	for s64>>16 != 0 {
		s64 = s64&0xFFFF + s64>>16
	}
	return uint16(s64)
}

// ---- HTTP/1.1 messages ----

// HTTPRequest builds an HTTP/1.1 request. A Content-Length is added for a
// non-nil body unless the header has one or a Transfer-Encoding.
func HTTPRequest(method, target string, h http.Header, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString(method + " " + target + " HTTP/1.1\r\n")
	writeHeader(&b, h, body)
	b.Write(body)
	return b.Bytes()
}

// HTTPResponse builds an HTTP/1.1 response with a Content-Length (unless
// the header has a Transfer-Encoding or Content-Length already).
func HTTPResponse(status int, h http.Header, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	if body == nil {
		body = []byte{}
	}
	writeHeader(&b, h, body)
	b.Write(body)
	return b.Bytes()
}

// HTTPChunkedHead builds the head of a chunked response; send the chunks
// with HTTPChunk and end with HTTPLastChunk.
func HTTPChunkedHead(status int, h http.Header) []byte {
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Transfer-Encoding", "chunked")
	h.Del("Content-Length")
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	writeHeader(&b, h, nil)
	return b.Bytes()
}

// HTTPChunk frames one chunk of a chunked body.
func HTTPChunk(data []byte) []byte {
	b := strconv.AppendUint(nil, uint64(len(data)), 16)
	b = append(b, '\r', '\n')
	b = append(b, data...)
	return append(b, '\r', '\n')
}

// HTTPLastChunk is the last chunk and the end of the chunked body.
func HTTPLastChunk() []byte { return []byte("0\r\n\r\n") }

func writeHeader(b *bytes.Buffer, h http.Header, body []byte) {
	h.Write(b)
	if body != nil && h.Get("Content-Length") == "" && h.Get("Transfer-Encoding") == "" {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	b.WriteString("\r\n")
}
