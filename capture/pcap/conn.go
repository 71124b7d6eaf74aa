package pcap

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/reassembly"

	"github.com/mapiscope/mapiscope/trace"
)

// tcpConn is one TCP connection: the reassembly Stream of both directions.
// Its two halves are indexed as reassembly numbers them (0: the direction
// of the first packet seen); clientIdx says which one is the client once
// a SYN or the first HTTP message tells.
type tcpConn struct {
	rd    *reader
	entry *connEntry
	key   connKey
	id    string // "tcp/N", given when the connection first carries something
	addr  [2]string

	clientIdx int
	h         [2]half

	// queue holds the exchanges not yet delivered, in order.
	queue []*exch

	ignore   bool // TLS, not HTTP, or a tunnel: data is not parsed
	tls      bool
	sawHTTP  bool
	midWarn  bool // the mid-stream warning was given
	gapWarn  bool
	finished bool
}

// exch is an exchange being assembled.
type exch struct {
	ex          trace.Exchange
	reqDone     bool
	respDone    bool
	respStarted bool
	noReq       bool // a response whose request was not captured
	first, last int64
	errs        []string
}

func (x *exch) addErr(s string) {
	for _, e := range x.errs {
		if e == s {
			return
		}
	}
	x.errs = append(x.errs, s)
}

func (x *exch) frame(f int64) {
	if x.first == 0 || f < x.first {
		x.first = f
	}
	if f > x.last {
		x.last = f
	}
}

func dirIndex(d reassembly.TCPFlowDirection) int {
	if d == reassembly.TCPDirClientToServer {
		return 0
	}
	return 1
}

// use gives the connection its id the first time it carries a SYN or data.
func (c *tcpConn) use() {
	if c.id == "" {
		c.rd.nconn++
		c.rd.stats.Connections++
		c.id = fmt.Sprintf("tcp/%d", c.rd.nconn)
	}
}

// label names the connection in warnings.
func (c *tcpConn) label() string {
	cl, sv := c.addr[0], c.addr[1]
	if c.clientIdx == 1 {
		cl, sv = sv, cl
	}
	return fmt.Sprintf("%s (%s → %s)", c.id, cl, sv)
}

// replacedBy reports whether a SYN opens a new connection on the ports of
// c (rather than being a retransmission of c's own SYN).
func (c *tcpConn) replacedBy(t *layers.TCP, fwd bool) bool {
	if c.finished {
		return true
	}
	for i := range c.h {
		if h := &c.h[i]; h.sawSYN && h.isn == t.Seq {
			return false
		}
	}
	return true
}

// Accept is called by reassembly for every packet of the connection.
func (c *tcpConn) Accept(t *layers.TCP, ci gopacket.CaptureInfo, dir reassembly.TCPFlowDirection, nextSeq reassembly.Sequence, start *bool, ac reassembly.AssemblerContext) bool {
	if c.finished {
		return false
	}
	i := dirIndex(dir)
	h := &c.h[i]
	if t.SYN {
		c.use()
		if c.clientIdx < 0 {
			if t.ACK {
				c.clientIdx = 1 - i
			} else {
				c.clientIdx = i
			}
		}
	}
	if len(t.Payload) > 0 {
		c.use()
	}
	if nextSeq == -1 && !h.posOK {
		h.posOK = true
		if t.SYN {
			h.sawSYN, h.isn, h.pos = true, t.Seq, t.Seq+1
		} else {
			// The start of this direction was not captured: take the
			// stream from here.
			*start = true
			h.pos = t.Seq
		}
	}
	if t.RST {
		h.rst = true
	}
	if p, ok := ac.(*pktCtx); ok && p.missing > 0 && len(t.Payload) >= p.missing {
		end := t.Seq + uint32(len(t.Payload))
		if t.SYN {
			end++
		}
		h.addFake(end-uint32(p.missing), p.missing)
	}
	return true
}

// ReassembledSG receives the next in-order bytes of one direction.
func (c *tcpConn) ReassembledSG(sg reassembly.ScatterGather, ac reassembly.AssemblerContext) {
	if c.finished {
		return
	}
	dir, _, end, skip := sg.Info()
	h := &c.h[dirIndex(dir)]
	n, _ := sg.Lengths()
	ci := ac.GetCaptureInfo()
	h.at, h.frame = ci.Timestamp, int64(ci.InterfaceIndex)
	var data []byte
	if n > 0 {
		data = sg.Fetch(n)
	}
	base := 0
	switch {
	case skip > 0:
		h.pos += uint32(skip)
		if !c.ignore {
			h.gap(int64(skip))
		}
	case skip < 0:
		// Bytes already delivered came again: drop them. (-1 would mean
		// "start unknown", which cannot happen: Accept always sets the
		// start.)
		base = -skip
		if base > len(data) {
			base = len(data)
		}
	}
	data = data[base:]
	if len(data) > 0 {
		if !c.ignore {
			h.sg, h.sgBase = sg, base
			h.curFakes = h.fakesIn(h.pos, len(data))
			h.feed(data)
			h.sg, h.curFakes = nil, nil
		}
		h.pos += uint32(len(data))
		h.pruneFakes()
	}
	if end {
		kind := endFIN
		if h.rst {
			kind = endRST
		}
		h.end(kind)
	}
}

// ReassemblyComplete is called once both directions are closed (FIN, RST,
// idle, or the end of the capture).
func (c *tcpConn) ReassemblyComplete(ac reassembly.AssemblerContext) bool {
	if !c.finished {
		// Both directions ended: by FIN or RST during the capture (each
		// already handled), or flushed at its end or when idle.
		kind := c.rd.ending
		if kind == 0 {
			kind = endFIN
		}
		c.retire(kind)
	}
	if c.entry != nil && c.rd.conns[c.key] == c.entry {
		delete(c.rd.conns, c.key)
	}
	return true
}

// retire ends whatever is still open and delivers every exchange left.
func (c *tcpConn) retire(kind endKind) {
	if c.finished {
		return
	}
	// The client's side first, so that a request cut short is known
	// before the server's side decides about missing responses.
	order := [2]int{0, 1}
	if c.clientIdx == 1 {
		order = [2]int{1, 0}
	}
	for _, i := range order {
		if h := &c.h[i]; !h.closed {
			h.end(kind)
		}
	}
	for _, x := range c.queue {
		if !x.reqDone && !x.noReq {
			x.ex.ReqPartial = true
			x.addErr(endText(kind, false))
		}
		if !x.respDone {
			x.respDone = true
			c.noResponse(x, kind)
		}
	}
	c.emit(true)
	c.finished = true
	if !c.sawHTTP && !c.tls && c.id != "" {
		switch {
		case c.h[0].notHTTP || c.h[1].notHTTP:
			c.rd.nonHTTP++
		case c.h[0].skipped > 0 || c.h[1].skipped > 0:
			c.rd.noHTTPInConns++
		}
	}
	for i := range c.h {
		c.h[i].release()
	}
}

// noResponse records why an exchange got no response.
func (c *tcpConn) noResponse(x *exch, kind endKind) {
	switch kind {
	case endFIN:
		x.addErr("no response: the server closed the connection")
	case endRST:
		x.addErr("no response: the connection was reset")
	case endIdle:
		x.ex.RespPartial = true
		x.addErr(fmt.Sprintf("no response within the capture: no packet for %v", idleClose))
	case endReplaced:
		x.ex.RespPartial = true
		x.addErr("no response captured before the ports were reused by a new connection")
	default:
		x.ex.RespPartial = true
		x.addErr("capture ends mid-exchange")
	}
}

// endText says why a message was cut short.
func endText(kind endKind, resp bool) string {
	side := "request"
	who := "client"
	if resp {
		side, who = "response", "server"
	}
	switch kind {
	case endFIN:
		return fmt.Sprintf("the %s closed the connection mid-%s", who, side)
	case endRST:
		return fmt.Sprintf("the connection was reset mid-%s", side)
	case endIdle:
		return fmt.Sprintf("%s incomplete: no packet for %v", side, idleClose)
	case endReplaced:
		return fmt.Sprintf("%s incomplete: the ports were reused by a new connection", side)
	}
	return "capture ends mid-exchange"
}

// nextAwaiting returns the first exchange whose response has not begun.
func (c *tcpConn) nextAwaiting() *exch {
	for _, x := range c.queue {
		if !x.respStarted && !x.noReq && !x.respDone {
			return x
		}
	}
	return nil
}

// emit delivers the exchanges at the head of the queue that are complete
// (or all of them when force is set).
func (c *tcpConn) emit(force bool) {
	for len(c.queue) > 0 {
		x := c.queue[0]
		if !force && !((x.reqDone || x.noReq) && x.respDone) {
			return
		}
		c.queue[0] = nil
		c.queue = c.queue[1:]
		c.deliver(x)
	}
}

func (c *tcpConn) deliver(x *exch) {
	ex := &x.ex
	if !x.reqDone && !x.noReq {
		ex.ReqPartial = true
	}
	if !x.respDone {
		ex.RespPartial = true
	}
	ex.Conn = c.id
	if c.clientIdx >= 0 {
		ex.Client, ex.Server = c.addr[c.clientIdx], c.addr[1-c.clientIdx]
	}
	ex.Error = strings.Join(x.errs, "; ")
	if x.first == x.last {
		ex.Source = fmt.Sprintf("frame %d", x.first)
	} else {
		ex.Source = fmt.Sprintf("frames %d-%d", x.first, x.last)
	}
	var gen int64
	if c.entry != nil {
		gen = c.entry.gen
	}
	c.rd.deliver(ex, gen)
}

// markTLS stops parsing a connection that speaks TLS.
func (c *tcpConn) markTLS() {
	if !c.tls {
		c.tls = true
		c.rd.stats.TLSConnections++
	}
	c.ignore = true
}

// fake is a range of sequence numbers padded with zeros (not captured).
type fake struct {
	seq uint32
	n   int
}

// span is a range of offsets in the bytes being fed.
type span struct{ from, to int }

func (h *half) addFake(seq uint32, n int) {
	if len(h.fakes) >= 64 {
		// Cannot happen with sane captures (fakes are pruned as the stream
		// advances); keep the bound anyway.
		h.fakes = h.fakes[1:]
	}
	h.fakes = append(h.fakes, fake{seq, n})
}

// fakesIn returns the padded ranges within [pos, pos+n) as offsets.
func (h *half) fakesIn(pos uint32, n int) []span {
	var out []span
	for _, f := range h.fakes {
		from := int64(int32(f.seq - pos))
		to := from + int64(f.n)
		if to <= 0 || from >= int64(n) {
			continue
		}
		out = append(out, span{int(max(from, 0)), int(min(to, int64(n)))})
	}
	return out
}

func (h *half) pruneFakes() {
	k := 0
	for _, f := range h.fakes {
		if int32(f.seq+uint32(f.n)-h.pos) > 0 {
			h.fakes[k] = f
			k++
		}
	}
	h.fakes = h.fakes[:k]
}

// ciAt returns the capture time and frame of the packet that carried the
// byte at offset i of the bytes being fed.
func (h *half) ciAt(i int) (time.Time, int64) {
	if h.sg == nil {
		return h.at, h.frame
	}
	ci := h.sg.CaptureInfo(h.sgBase + i)
	if ci.Timestamp.IsZero() {
		return h.at, h.frame
	}
	return ci.Timestamp, int64(ci.InterfaceIndex)
}
