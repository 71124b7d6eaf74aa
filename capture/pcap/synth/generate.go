package synth

import (
	"container/heap"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"time"

	"github.com/mapiscope/mapiscope/capture/pcap"
)

// Config describes a generated capture.
type Config struct {
	// Size is the file size to reach (bytes); the exchanges in flight are
	// finished and the connections closed after it, so the file is a
	// little larger.
	Size   int64
	Format pcap.Format
	Seed   uint64
	// Sessions is the number of concurrent Outlook sessions, each on its
	// own keep-alive connection (default 16).
	Sessions int
	Start    time.Time      // default 2026-11-28 09:00 UTC
	Proxy    netip.Addr     // the client side: nginx (default 10.0.0.5)
	Server   netip.AddrPort // the MAPI backend (default 10.0.0.10:8080)
}

// Summary says what Generate wrote.
type Summary struct {
	Bytes       int64
	Packets     int64
	Connections int
	Exchanges   int
}

// templates are bodies built once and reused (with fresh headers).
type templates struct {
	connect, logon   [][2][]byte
	disconnect       [2][]byte
	table, props, fx [][2][]byte
}

func buildTemplates() (*templates, error) {
	t := &templates{}
	add := func(dst *[][2][]byte, req, resp []byte, err error) error {
		if err != nil {
			return err
		}
		*dst = append(*dst, [2][]byte{req, resp})
		return nil
	}
	for i := range 8 {
		user := fmt.Sprintf("user%04d", i)
		req, resp, err := Connect(user)
		if err := add(&t.connect, req, resp, err); err != nil {
			return nil, err
		}
		req, resp, err = Logon(user)
		if err := add(&t.logon, req, resp, err); err != nil {
			return nil, err
		}
	}
	req, resp, err := Disconnect()
	if err != nil {
		return nil, err
	}
	t.disconnect = [2][]byte{req, resp}
	for _, rows := range []int{5, 20, 50, 100, 200} {
		req, resp, err := TableRead(rows)
		if err := add(&t.table, req, resp, err); err != nil {
			return nil, err
		}
	}
	for i, chars := range []int{120, 600, 2000, 8000, 30000, 90000} {
		req, resp, err := PropertyRead(i, chars)
		if err := add(&t.props, req, resp, err); err != nil {
			return nil, err
		}
	}
	for i, size := range []int{4096, 16384, 32000, 32000} {
		req, resp, err := FastTransfer(i, size, i < 3)
		if err := add(&t.fx, req, resp, err); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// send is one write of a session: bytes from one side at a time.
type send struct {
	fromClient bool
	data       []byte
	at         time.Time
}

type session struct {
	n        int // session number
	id       Identity
	conn     *pcap.Conn
	seq      int // X-RequestId counter
	left     int // Execute requests before Disconnect
	fxLeft   int // GetBuffer calls left in a FastTransfer run
	sends    []send
	done     bool // disconnected: close after the last send
	next     time.Time
	heapIdx  int
	mailbox  string
	clientIP string
}

type sessionHeap []*session

func (h sessionHeap) Len() int           { return len(h) }
func (h sessionHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }
func (h sessionHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx, h[j].heapIdx = i, j
}
func (h *sessionHeap) Push(x any) { s := x.(*session); s.heapIdx = len(*h); *h = append(*h, s) }
func (h *sessionHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	*h = old[:len(old)-1]
	return s
}

// Generate writes a capture of MAPI/HTTP traffic on the plain-HTTP leg
// behind nginx: many concurrent Outlook sessions, each a keep-alive
// connection carrying Connect, a logon Execute, a mix of table reads,
// property reads and FastTransfer GetBuffer runs, and Disconnect.
// Responses are chunked and stream their meta-tags (PROCESSING, sometimes
// PENDING keep-alives, DONE with the body) in separate chunks at
// realistic delays. It streams to w: memory stays small whatever Size.
func Generate(w io.Writer, cfg Config) (Summary, error) {
	if cfg.Sessions <= 0 {
		cfg.Sessions = 16
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	}
	if !cfg.Proxy.IsValid() {
		cfg.Proxy = netip.MustParseAddr("10.0.0.5")
	}
	if !cfg.Server.IsValid() {
		cfg.Server = netip.MustParseAddrPort("10.0.0.10:8080")
	}
	tpl, err := buildTemplates()
	if err != nil {
		return Summary{}, err
	}
	pw, err := pcap.NewWriter(w, pcap.WriterOptions{Format: cfg.Format})
	if err != nil {
		return Summary{}, err
	}
	g := &gen{cfg: cfg, tpl: tpl, w: pw, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9E3779B97F4A7C15)), clock: cfg.Start}
	var h sessionHeap
	for i := range cfg.Sessions {
		s := g.newSession(cfg.Start.Add(time.Duration(i) * 37 * time.Millisecond))
		heap.Push(&h, s)
	}
	for h.Len() > 0 {
		s := h[0]
		if err := g.step(s); err != nil {
			return g.sum, err
		}
		switch {
		case len(s.sends) > 0:
			s.next = s.sends[0].at
			heap.Fix(&h, 0)
		case s.done:
			if err := s.conn.Close(g.tick(s.next.Add(time.Millisecond))); err != nil {
				return g.sum, err
			}
			if g.full() {
				heap.Pop(&h)
				continue
			}
			ns := g.newSession(g.clock.Add(time.Duration(g.rng.IntN(500)) * time.Millisecond))
			*s = *ns
			s.heapIdx = 0
			heap.Fix(&h, 0)
		default:
			if g.full() {
				// Stop: close the connection without a Disconnect.
				if err := s.conn.Close(g.tick(s.next.Add(time.Millisecond))); err != nil {
					return g.sum, err
				}
				heap.Pop(&h)
				continue
			}
			g.plan(s, s.next.Add(g.think()))
			s.next = s.sends[0].at
			heap.Fix(&h, 0)
		}
	}
	if err := pw.Close(); err != nil {
		return g.sum, err
	}
	g.sum.Bytes = pw.Offset()
	g.sum.Packets = pw.Packets()
	return g.sum, nil
}

type gen struct {
	cfg   Config
	tpl   *templates
	w     *pcap.Writer
	rng   *rand.Rand
	clock time.Time
	n     int
	sum   Summary
}

func (g *gen) full() bool { return g.w.Offset() >= g.cfg.Size }

// tick keeps time moving forward across sessions.
func (g *gen) tick(at time.Time) time.Time {
	if at.Before(g.clock) {
		at = g.clock
	}
	g.clock = at
	return at
}

func (g *gen) think() time.Duration {
	switch r := g.rng.IntN(100); {
	case r < 70:
		return time.Duration(1+g.rng.IntN(30)) * time.Millisecond
	case r < 95:
		return time.Duration(50+g.rng.IntN(900)) * time.Millisecond
	default:
		return time.Duration(2+g.rng.IntN(20)) * time.Second
	}
}

func (g *gen) newSession(at time.Time) *session {
	g.n++
	s := &session{n: g.n, id: NewIdentity(g.n), left: 20 + g.rng.IntN(180)}
	s.mailbox = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x@contoso.com", uint32(g.n)*2654435761, g.n%65536, g.n%4096, g.n%4096, uint64(g.n)*0x9E3779B9)
	s.clientIP = fmt.Sprintf("192.0.2.%d", 1+g.n%254)
	client := netip.AddrPortFrom(g.cfg.Proxy, g.w.NextPort())
	c, err := g.w.Dial(client, g.cfg.Server, g.tick(at))
	if err != nil {
		// Only a write error can fail here; step reports the next one.
		c = g.w.Resume(client, g.cfg.Server)
	}
	s.conn = c
	g.sum.Connections++
	g.plan(s, at.Add(time.Millisecond))
	s.next = s.sends[0].at
	return s
}

// plan queues the sends of the session's next exchange starting at t0.
func (g *gen) plan(s *session, t0 time.Time) {
	var kind string
	var pair [2][]byte
	var work time.Duration // server processing time
	pending := 0
	switch {
	case s.seq == 0:
		kind, pair, work = "Connect", g.tpl.connect[s.n%len(g.tpl.connect)], time.Duration(20+g.rng.IntN(60))*time.Millisecond
	case s.seq == 1:
		kind, pair, work = "Execute", g.tpl.logon[s.n%len(g.tpl.logon)], time.Duration(10+g.rng.IntN(40))*time.Millisecond
	case s.left == 0:
		kind, pair, work = "Disconnect", g.tpl.disconnect, time.Duration(1+g.rng.IntN(5))*time.Millisecond
		s.done = true
	default:
		kind = "Execute"
		s.left--
		switch r := g.rng.IntN(100); {
		case s.fxLeft > 0:
			s.fxLeft--
			i := len(g.tpl.fx) - 1 - min(s.fxLeft, len(g.tpl.fx)-1)
			pair, work = g.tpl.fx[i], time.Duration(30+g.rng.IntN(250))*time.Millisecond
		case r < 45:
			pair, work = g.tpl.table[g.rng.IntN(len(g.tpl.table))], time.Duration(3+g.rng.IntN(60))*time.Millisecond
		case r < 80:
			pair, work = g.tpl.props[g.rng.IntN(len(g.tpl.props))], time.Duration(2+g.rng.IntN(30))*time.Millisecond
		default:
			s.fxLeft = 2 + g.rng.IntN(6)
			pair, work = g.tpl.fx[0], time.Duration(30+g.rng.IntN(250))*time.Millisecond
		}
		if g.rng.IntN(100) < 2 {
			// A slow one: the server keeps the client waiting with
			// PENDING every X-PendingPeriod.
			pending = 1 + g.rng.IntN(3)
			work += time.Duration(pending) * 15 * time.Second
		}
	}
	seq := s.seq
	s.seq++
	target := "/mapi/emsmdb/?MailboxId=" + s.mailbox
	req := pcap.HTTPRequest("POST", target, RequestHeader(s.id, kind, seq, s.clientIP), pair[0])
	respAt := t0.Add(time.Duration(300+g.rng.IntN(700)) * time.Microsecond)
	parts := Parts(pending, work, t0, pair[1])
	head := pcap.HTTPChunkedHead(http.StatusOK, ResponseHeader(s.id, kind, seq, t0))
	s.sends = append(s.sends[:0], send{true, req, t0}, send{false, append(head, pcap.HTTPChunk(parts[0])...), respAt})
	for i := 1; i < len(parts)-1; i++ {
		s.sends = append(s.sends, send{false, pcap.HTTPChunk(parts[i]), respAt.Add(time.Duration(i) * 15 * time.Second)})
	}
	last := append(pcap.HTTPChunk(parts[len(parts)-1]), pcap.HTTPLastChunk()...)
	s.sends = append(s.sends, send{false, last, t0.Add(work)})
	g.sum.Exchanges++
}

// step writes the session's next send.
func (g *gen) step(s *session) error {
	if len(s.sends) == 0 {
		return nil
	}
	sd := s.sends[0]
	s.sends = s.sends[1:]
	last, err := s.conn.Send(sd.fromClient, sd.data, g.tick(sd.at))
	if err != nil {
		return err
	}
	g.tick(last.Add(2 * time.Microsecond * 10))
	return nil
}
