// Package pcap imports pcap and pcapng captures of HTTP/1.x traffic —
// typically the plain-HTTP leg between a TLS terminator (nginx) and a
// MAPI/HTTP backend — as trace.Exchange records.
//
// Frames are decoded with gopacket's layers (Ethernet with VLAN tags,
// Linux cooked SLL and SLL2, raw IP, loopback; IPv4 and IPv6), TCP
// streams are put back in order by gopacket's reassembly (retransmissions,
// reordering, gaps), and each direction of a connection is parsed as
// HTTP/1.x: requests are paired with responses in order, bodies are
// de-chunked (with the timeline of the chunks: MAPI/HTTP streams its
// PROCESSING / PENDING / DONE meta-tags in separate chunks) and
// gzip-decoded. Everything streams: memory holds the bodies of the
// exchanges in flight and bounded reassembly buffers, whatever the size of
// the file.
package pcap

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/reassembly"

	"github.com/mapiscope/mapiscope/trace"
)

// Options tune Read.
type Options struct {
	// Progress, when set, is called with the number of bytes read from
	// the file so far, about every MiB and once at the end.
	Progress func(bytesRead int64)
	// MaxBody bounds one request or response body held in memory; bytes
	// past it are dropped and the exchange is marked partial. Zero means
	// 256 MiB.
	MaxBody int64
}

// Stats sums up a capture.
type Stats struct {
	Packets int64 // packet records read
	Bytes   int64 // bytes read from the file
	// Connections counts the TCP connections that carried data or began
	// with a SYN; TLSConnections those of them that were TLS (skipped).
	Connections int
	Exchanges   int // exchanges delivered
	Partial     int // of them, with ReqPartial or RespPartial set
	// TLSConnections counts connections whose first bytes were a TLS
	// record: they yield no exchanges.
	TLSConnections int
	// Warnings are one-line notes for people: connections picked up
	// mid-stream, missing segments, frames that could not be used, a
	// file cut short.
	Warnings []string
}

// ErrOnlyTLS is wrapped by the error Read returns when the capture holds
// TLS connections and no HTTP.
var ErrOnlyTLS = errors.New("the capture holds only TLS traffic")

const (
	defaultMaxBody = 256 << 20
	maxWarnings    = 100
	// Reassembly buffers (pages of 1900 bytes): per connection and in all.
	pagesPerConn = 2048
	pagesTotal   = 16384
	// gapWait is how long (in capture time) a missing segment is waited
	// for before the data after it is delivered anyway.
	gapWait = 10 * time.Second
	// idleClose ends connections with no packet for this long, so that
	// connections whose end was not captured do not pile up.
	idleClose  = 2 * time.Hour
	flushEvery = 5 * time.Second
)

// Read streams every HTTP/1.x exchange of a pcap or pcapng file (format
// sniffed from the magic; gzip-compressed files too), calling each as
// exchanges complete, in order per connection. Each *trace.Exchange is
// new and belongs to the callee. An error from each stops the read and is
// returned. Memory stays bounded whatever the file size: the bodies of
// in-flight exchanges and bounded reassembly buffers.
//
// A file cut in the middle of a packet record is not an error (the
// packets before it are used, with a warning); a corrupt file is. A
// capture holding only TLS connections returns an error wrapping
// ErrOnlyTLS.
func Read(r io.Reader, opt Options, each func(*trace.Exchange) error) (Stats, error) {
	cr := &countReader{r: r}
	rd := newReader(opt, each)
	defer rd.release() // after an error too: the Assembler is reused
	src, err := openSource(cr)
	if err != nil {
		return rd.stats, err
	}
	nextProgress := int64(1 << 20)
	var ferr error
	for rd.err == nil {
		p, err := src.next()
		if err != nil {
			var cut errCut
			switch {
			case err == io.EOF:
			case errors.As(err, &cut):
				rd.warnf("%s", cut.Error())
			default:
				ferr = err
			}
			break
		}
		rd.packet(p)
		if opt.Progress != nil && cr.n >= nextProgress {
			opt.Progress(cr.n)
			nextProgress = cr.n + 1<<20
		}
	}
	if rd.err == nil {
		rd.finish()
	}
	rd.stats.Bytes = cr.n
	if opt.Progress != nil {
		opt.Progress(cr.n)
	}
	rd.summarize()
	switch {
	case rd.err != nil:
		return rd.stats, rd.err
	case ferr != nil:
		return rd.stats, ferr
	case rd.stats.TLSConnections > 0 && !rd.sawHTTP:
		return rd.stats, fmt.Errorf("%w (%d connections) that mapiscope cannot read: capture the plain-HTTP leg behind the TLS terminator (e.g. between nginx and the MAPI backend), or put `mapiscope proxy` in front of the server", ErrOnlyTLS, rd.stats.TLSConnections)
	}
	return rd.stats, nil
}

// endKind says why a direction of a connection ended.
type endKind uint8

const (
	endFIN      endKind = iota + 1
	endRST              // reset
	endCapture          // the capture ends
	endIdle             // no packet for idleClose
	endReplaced         // a new connection reused the ports
)

// connKey is a TCP connection's 4-tuple, lower endpoint first.
type connKey struct {
	a, b   [16]byte
	pa, pb uint16
}

type connEntry struct {
	c   *tcpConn
	gen int64 // makes the reassembly key unique to this connection
}

type reader struct {
	opt     Options
	each    func(*trace.Exchange) error
	err     error // from each: stops everything
	maxBody int64
	stats   Stats

	asm     *reassembly.Assembler
	set     *assemblerSet
	dec     decoder
	frame   int64
	conns   map[connKey]*connEntry
	cur     *connEntry // the entry of the packet being assembled
	gen     int64
	nconn   int
	sawHTTP bool
	ending  endKind // why connections are being flushed (capture end, idle)
	// While a flush runs, exchanges wait in deferred to be delivered in
	// connection order.
	deferring bool
	deferred  []deferred

	lastFlush time.Time
	warned    int // warnings beyond maxWarnings
	// counts for the summary warnings
	skipped       map[skip]int64
	badLinks      map[uint32]int64
	snapPackets   int64
	nonHTTP       int
	noHTTPInConns int
}

func newReader(opt Options, each func(*trace.Exchange) error) *reader {
	rd := &reader{opt: opt, each: each, maxBody: opt.MaxBody, conns: map[connKey]*connEntry{},
		skipped: map[skip]int64{}, badLinks: map[uint32]int64{}}
	if rd.maxBody <= 0 {
		rd.maxBody = defaultMaxBody
	}
	rd.set = getAssembler(rd)
	rd.asm = rd.set.asm
	return rd
}

// An Assembler starts with about 3 MB of pages and connections; one that
// a Read left empty (every connection flushed) serves the next Read.
type assemblerSet struct {
	asm     *reassembly.Assembler
	factory *streamFactory
}

// streamFactory hands the connections of the current Read to its reader.
type streamFactory struct{ rd *reader }

func (f *streamFactory) New(netFlow, tcpFlow gopacket.Flow, t *layers.TCP, ac reassembly.AssemblerContext) reassembly.Stream {
	return f.rd.newConn(netFlow, t)
}

var assemblers sync.Pool

func getAssembler(rd *reader) *assemblerSet {
	if v, ok := assemblers.Get().(*assemblerSet); ok {
		v.factory.rd = rd
		return v
	}
	f := &streamFactory{rd: rd}
	asm := reassembly.NewAssembler(reassembly.NewStreamPool(f))
	asm.MaxBufferedPagesPerConnection = pagesPerConn
	asm.MaxBufferedPagesTotal = pagesTotal
	return &assemblerSet{asm: asm, factory: f}
}

// release flushes whatever is left (delivering nothing after an error)
// and returns the emptied Assembler for reuse.
func (rd *reader) release() {
	if rd.set == nil {
		return
	}
	rd.flush(endCapture, func() { rd.asm.FlushAll() })
	rd.set.factory.rd = nil
	assemblers.Put(rd.set)
	rd.set, rd.asm = nil, nil
}

func (rd *reader) warnf(format string, a ...any) {
	if len(rd.stats.Warnings) >= maxWarnings {
		rd.warned++
		return
	}
	rd.stats.Warnings = append(rd.stats.Warnings, fmt.Sprintf(format, a...))
}

// pktCtx is the reassembly context of one packet. Its CaptureInfo carries
// the frame number in InterfaceIndex (which nothing else reads), so the
// frame of any reassembled byte can be found.
type pktCtx struct {
	ci      gopacket.CaptureInfo
	missing int // payload bytes padded after a snap-length cut
}

func (p *pktCtx) GetCaptureInfo() gopacket.CaptureInfo { return p.ci }

func (rd *reader) packet(p packet) {
	rd.frame++
	rd.stats.Packets++
	d := &rd.dec
	if why := d.decode(p.data, p.linkType); why != skipNone {
		rd.skipped[why]++
		if why == skipLink {
			rd.badLinks[p.linkType]++
		}
		return
	}
	t := &d.tcp
	if d.missing > 0 {
		rd.snapPackets++
	}
	k, fwd := makeKey(d.net, t)
	e := rd.conns[k]
	if e != nil && e.c != nil && t.SYN && !t.ACK && e.c.replacedBy(t, fwd) {
		// The ports were reused by a new connection: the old one ends
		// here (its end was not captured, or it ended with a reset).
		e.c.retire(endReplaced)
		e = nil
	}
	if e == nil {
		if !t.SYN && !t.FIN && !t.RST && len(t.Payload) == 0 {
			return // an ACK of a connection already gone
		}
		rd.gen++
		e = &connEntry{gen: rd.gen}
		rd.conns[k] = e
	}
	src, dst := d.net.Endpoints()
	flow := gopacket.NewFlow(gopacket.EndpointType(1000+e.gen), src.Raw(), dst.Raw())
	ctx := &pktCtx{ci: gopacket.CaptureInfo{Timestamp: p.ts, CaptureLength: len(p.data), Length: p.origLen, InterfaceIndex: int(rd.frame)}, missing: d.missing}
	rd.cur = e
	rd.asm.AssembleWithContext(flow, t, ctx)
	rd.cur = nil
	switch {
	case rd.lastFlush.IsZero() || p.ts.Before(rd.lastFlush.Add(-time.Hour)):
		// The first packet, or the clock jumped back (merged captures).
		rd.lastFlush = p.ts
	case p.ts.Sub(rd.lastFlush) >= flushEvery:
		rd.flush(endIdle, func() {
			rd.asm.FlushWithOptions(reassembly.FlushOptions{T: p.ts.Add(-gapWait), TC: p.ts.Add(-idleClose)})
		})
		rd.lastFlush = p.ts
	}
}

func makeKey(net gopacket.Flow, t *layers.TCP) (connKey, bool) {
	src, dst := net.Endpoints()
	var a, b [16]byte
	copy(a[:], src.Raw())
	copy(b[:], dst.Raw())
	pa, pb := uint16(t.SrcPort), uint16(t.DstPort)
	if c := compare16(a, b); c < 0 || (c == 0 && pa <= pb) {
		return connKey{a, b, pa, pb}, true
	}
	return connKey{b, a, pb, pa}, false
}

func compare16(a, b [16]byte) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// newConn creates the connection of the packet being assembled.
func (rd *reader) newConn(netFlow gopacket.Flow, t *layers.TCP) *tcpConn {
	src, dst := netFlow.Endpoints()
	c := &tcpConn{rd: rd, clientIdx: -1}
	c.addr[0] = endpoint(src.Raw(), uint16(t.SrcPort))
	c.addr[1] = endpoint(dst.Raw(), uint16(t.DstPort))
	c.h[0].init(c, 0)
	c.h[1].init(c, 1)
	if rd.cur != nil {
		rd.cur.c = c
		c.entry = rd.cur
		k, _ := makeKey(netFlow, t)
		c.key = k
	}
	return c
}

func endpoint(ip []byte, port uint16) string {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return fmt.Sprintf("?:%d", port)
	}
	return netip.AddrPortFrom(a.Unmap(), port).String()
}

// finish flushes every connection at the end of the capture.
func (rd *reader) finish() {
	rd.release()
	// Every connection was in the flushed pool; any left in the map (none
	// expected) are done too.
	for _, e := range rd.conns {
		if e.c != nil && !e.c.finished {
			e.c.retire(endCapture)
		}
	}
}

// flush runs a reassembly flush, which visits connections in no
// particular order, and delivers what it completes in connection order.
func (rd *reader) flush(why endKind, f func()) {
	rd.ending, rd.deferring = why, true
	f()
	rd.ending, rd.deferring = 0, false
	sort.SliceStable(rd.deferred, func(i, j int) bool { return rd.deferred[i].gen < rd.deferred[j].gen })
	for i, d := range rd.deferred {
		rd.deliver(d.ex, d.gen)
		rd.deferred[i] = deferred{}
	}
	rd.deferred = rd.deferred[:0]
}

type deferred struct {
	gen int64
	ex  *trace.Exchange
}

// deliver hands one exchange to the caller.
func (rd *reader) deliver(ex *trace.Exchange, gen int64) {
	if rd.deferring {
		rd.deferred = append(rd.deferred, deferred{gen, ex})
		return
	}
	if rd.err != nil {
		return
	}
	rd.stats.Exchanges++
	if ex.ReqPartial || ex.RespPartial {
		rd.stats.Partial++
	}
	if err := rd.each(ex); err != nil {
		rd.err = err
	}
}

// summarize adds the warnings that count things over the whole file.
func (rd *reader) summarize() {
	if rd.snapPackets > 0 {
		rd.warnf("%d packets were cut short by the capture's snap length; the exchanges they carried are marked partial (capture with -s 0 to keep whole packets)", rd.snapPackets)
	}
	if n := rd.skipped[skipFragment]; n > 0 {
		rd.warnf("%d IP fragments were skipped (not reassembled)", n)
	}
	if n := rd.skipped[skipBad]; n > 0 {
		rd.warnf("%d frames were malformed or cut before their TCP payload and were skipped", n)
	}
	if len(rd.badLinks) > 0 {
		var types []int
		for t := range rd.badLinks {
			types = append(types, int(t))
		}
		sort.Ints(types)
		for _, t := range types {
			rd.warnf("%d frames of unsupported link type %s were skipped", rd.badLinks[uint32(t)], linkName(uint32(t)))
		}
	}
	if rd.stats.TLSConnections > 0 && rd.sawHTTP {
		rd.warnf("%d TLS connections were skipped: their content is encrypted", rd.stats.TLSConnections)
	}
	if rd.nonHTTP > 0 {
		rd.warnf("%d TCP connections carried something other than HTTP/1.x and were skipped", rd.nonHTTP)
	}
	if rd.noHTTPInConns > 0 {
		rd.warnf("%d TCP connections picked up mid-stream held no recognisable HTTP message", rd.noHTTPInConns)
	}
	if !rd.sawHTTP && rd.stats.TLSConnections == 0 && rd.stats.Packets > 0 {
		rd.warnf("no HTTP/1.x traffic found in %d packets (%d TCP connections)", rd.stats.Packets, rd.stats.Connections)
	}
	if rd.warned > 0 {
		rd.stats.Warnings = append(rd.stats.Warnings, fmt.Sprintf("… and %d more warnings", rd.warned))
	}
}
