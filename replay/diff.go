package replay

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"iter"
	"sort"
	"strconv"
	"strings"

	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/trace"
)

// RopRef points at one operation of a recorded session: the trace's
// exchange id, the ROP's position in that request buffer (-1 for a
// request without ROPs, or a response no request asked for), and its name
// (the request type for requests without ROPs: Connect, Bind, …).
type RopRef struct {
	Exchange int64  `json:"exchange"`
	Index    int    `json:"index"`
	Rop      string `json:"rop"`
}

func (r RopRef) String() string {
	if r.Index < 0 {
		return fmt.Sprintf("exchange %d", r.Exchange)
	}
	return fmt.Sprintf("exchange %d rop %d", r.Exchange, r.Index)
}

// Kinds of DiffOp.
const (
	OpSame     = "same"
	OpChanged  = "changed"
	OpInserted = "inserted" // only in B
	OpRemoved  = "removed"  // only in A
)

// DiffOp is one step of a diff: an operation of A paired with one of B
// (same or changed), or one that only A (removed) or only B (inserted)
// has. Diffs name request and response fields, prefixed "request/" or
// "response/"; their Recorded value is A's, their Live value B's.
type DiffOp struct {
	Kind  string       `json:"kind"`
	A     *RopRef      `json:"a,omitempty"`
	B     *RopRef      `json:"b,omitempty"`
	Diffs []Difference `json:"diffs,omitempty"`
}

// Rop returns the operation's name.
func (o *DiffOp) Rop() string {
	if o.B != nil {
		return o.B.Rop
	}
	if o.A != nil {
		return o.A.Rop
	}
	return ""
}

// StateChange is how the ICS state an operation carries — an IDSET of
// MetaTagIdsetGiven, MetaTagCnsetSeen, MetaTagCnsetSeenFAI or
// MetaTagCnsetRead ([MS-OXCFXICS] 2.2.1.1), uploaded with
// RopSynchronizationUploadStateStreamBegin…End or downloaded between
// IncrSyncStateBegin and IncrSyncStateEnd of a FastTransfer stream —
// differs from A to B on one replica, as range sets of GLOBCNTs: what B
// has that A has not (Gained) and the other way round (Lost). Replica is
// the REPLID the logon gave for the replica's REPLGUID, else the REPLGUID.
type StateChange struct {
	Rop     RopRef `json:"rop"`
	Name    string `json:"name"`
	Replica string `json:"replica"`
	Gained  string `json:"gained,omitempty"`
	Lost    string `json:"lost,omitempty"`
}

func (s StateChange) String() string {
	name := strings.TrimPrefix(s.Name, "MetaTag")
	var parts []string
	if s.Gained != "" {
		parts = append(parts, "gained "+s.Gained)
	}
	if s.Lost != "" {
		parts = append(parts, "lost "+s.Lost)
	}
	return fmt.Sprintf("%s %s on replica %s", name, strings.Join(parts, ", "), s.Replica)
}

// DiffResult is the comparison of two recorded sessions. Summary counts
// the operations: Same, Different (changed), Missing (removed: only in
// A), Extra (inserted: only in B).
type DiffResult struct {
	A       SessionRef    `json:"a"`
	B       SessionRef    `json:"b"`
	Ops     []DiffOp      `json:"ops"`
	Summary Summary       `json:"summary"`
	State   []StateChange `json:"state,omitempty"`
}

// Clean reports that A and B do not differ after normalisation.
func (d *DiffResult) Clean() bool { return d.Summary.Clean() && len(d.State) == 0 }

// Diff compares two recorded sessions (or two traces, each as all its
// sessions in order) operation by operation: it aligns their ROPs — and
// their requests without ROPs: Connect, Disconnect, NotificationWait, the
// address book requests — by request and sequence, compares the request
// and response of each aligned pair under n (one Normalizer for the whole
// diff, so that ids and GUIDs map consistently), and compares the ICS
// state they carry as range sets per replica.
//
// n learns which ids and GUIDs of A stand for which of B as it goes: give
// each diff a Normalizer of its own (nil: NewNormalizer()).
//
// The sessions are read twice: once for the alignment, which keeps only a
// key per operation, and once for the comparison, which holds the decoded
// trees of one operation per side at a time.
func Diff(ctx context.Context, a, b SessionRef, n *Normalizer) (*DiffResult, error) {
	if n == nil {
		n = NewNormalizer()
	}
	sa, err := openDiffSide(a, n)
	if err != nil {
		return nil, err
	}
	defer sa.close()
	sb, err := openDiffSide(b, n)
	if err != nil {
		return nil, err
	}
	defer sb.close()

	refsA, keysA, namesA, err := sa.keys(ctx)
	if err != nil {
		return nil, err
	}
	refsB, keysB, namesB, err := sb.keys(ctx)
	if err != nil {
		return nil, err
	}
	steps := align(keysA, keysB, namesA, namesB)

	res := &DiffResult{A: a, B: b, Ops: make([]DiffOp, 0, len(steps))}
	nextA, stopA := iter.Pull(sa.items(ctx, true))
	defer stopA()
	nextB, stopB := iter.Pull(sb.items(ctx, true))
	defer stopB()
	pull := func(s *diffSide, next func() (*diffItem, bool), refs []RopRef, i int) (*diffItem, error) {
		it, ok := next()
		if !ok {
			if s.err != nil {
				return nil, s.err
			}
			return nil, fmt.Errorf("%s: the session ended early on the second reading", s.ref)
		}
		if it.ref != refs[i] {
			return nil, fmt.Errorf("%s: %s read as %s on the second reading", s.ref, refs[i], it.ref)
		}
		return it, nil
	}
	for _, st := range steps {
		var ia, ib *diffItem
		if st.A >= 0 {
			if ia, err = pull(sa, nextA, refsA, st.A); err != nil {
				return nil, err
			}
		}
		if st.B >= 0 {
			if ib, err = pull(sb, nextB, refsB, st.B); err != nil {
				return nil, err
			}
		}
		op := DiffOp{}
		var ref RopRef
		if ia != nil {
			r := ia.ref
			op.A, ref = &r, r
		}
		if ib != nil {
			r := ib.ref
			op.B, ref = &r, r
		}
		switch {
		case ia != nil && ib != nil:
			op.Diffs = compareItems(n, ia, ib)
			changes := compareStates(ref, ia.state, ib.state)
			res.State = append(res.State, changes...)
			if len(op.Diffs) > 0 || len(changes) > 0 {
				op.Kind = OpChanged
				res.Summary.Add(Different)
			} else {
				op.Kind = OpSame
				res.Summary.Add(Same)
			}
		case ia != nil:
			op.Kind = OpRemoved
			res.Summary.Add(Missing)
			res.State = append(res.State, compareStates(ref, ia.state, nil)...)
		default:
			op.Kind = OpInserted
			res.Summary.Add(Extra)
			res.State = append(res.State, compareStates(ref, nil, ib.state)...)
		}
		res.Ops = append(res.Ops, op)
	}
	return res, nil
}

// compareItems compares the requests, then the responses, of two
// aligned operations.
func compareItems(n *Normalizer, a, b *diffItem) []Difference {
	var out []Difference
	for _, d := range n.Compare(a.req, b.req) {
		d.Path = rootAs("request", d.Path)
		out = append(out, d)
	}
	for _, d := range n.Compare(a.resp, b.resp) {
		d.Path = rootAs("response", d.Path)
		out = append(out, d)
	}
	return out
}

// rootAs replaces the first element of a path (the ROP's or body's own
// name) by root.
func rootAs(root, p string) string {
	if _, rest, ok := strings.Cut(p, "/"); ok {
		return root + "/" + rest
	}
	return root
}

// ---- one side ----

// diffItem is one operation of a side as walked: a ROP with its decoded
// request and response, or a request without ROPs with its bodies.
type diffItem struct {
	ref       RopRef
	req, resp *wire.Node
	state     *icsState // nil when the operation carries none
}

// diffSide reads the operations of one SessionRef.
type diffSide struct {
	ref      SessionRef
	tr       *trace.Trace
	n        *Normalizer
	sessions []trace.SessionRow
	err      error // why items stopped early
}

func openDiffSide(ref SessionRef, n *Normalizer) (*diffSide, error) {
	tr, err := trace.Open(ref.Trace)
	if err != nil {
		if strings.Contains(err.Error(), ref.Trace) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", ref.Trace, err)
	}
	s := &diffSide{ref: ref, tr: tr, n: n}
	cond, args := "s.endpoint IN ('emsmdb', 'nspi')", []any(nil)
	if ref.Session != 0 {
		cond, args = "s.id = ?", []any{ref.Session}
	}
	if s.sessions, err = tr.Sessions(cond, args, trace.Page{}); err != nil {
		tr.Close()
		return nil, fmt.Errorf("%s: %w", ref.Trace, err)
	}
	if len(s.sessions) == 0 {
		tr.Close()
		if ref.Session != 0 {
			return nil, fmt.Errorf("%s: no session %d", ref.Trace, ref.Session)
		}
		return nil, fmt.Errorf("%s: no MAPI session in the trace", ref.Trace)
	}
	return s, nil
}

func (s *diffSide) close() { s.tr.Close() }

// keys walks the side once and returns, per operation, its reference,
// its alignment key (name and normalised request) and its name key.
func (s *diffSide) keys(ctx context.Context) (refs []RopRef, keys, names []uint64, err error) {
	h := fnv.New64a()
	for it := range s.items(ctx, false) {
		refs = append(refs, it.ref)
		keys = append(keys, s.n.requestKey(h, it.ref.Rop, it.req))
		names = append(names, nameKey(h, it.ref.Rop))
	}
	return refs, keys, names, s.err
}

var errDiffStop = errors.New("stop")

// items yields the side's operations in order: the sessions in id order,
// each one's exchanges in order, an Execute's ROPs in request order
// (responses no request asked for after them). With state, it also
// extracts the ICS state each operation carries. A failure ends the
// sequence and is left in s.err.
func (s *diffSide) items(ctx context.Context, withState bool) iter.Seq[*diffItem] {
	return func(yield func(*diffItem) bool) {
		s.err = nil
		for _, sess := range s.sessions {
			w := &sessionWalk{side: s, dec: decode.NewSession(), replicas: map[prop.GUID]uint16{}, withState: withState}
			err := s.tr.ReadExchanges("e.session_id = ?", []any{sess.ID}, func(id int64, ex *trace.Exchange) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				return w.exchange(id, ex, yield)
			})
			if err == errDiffStop {
				return
			}
			if err != nil {
				s.err = fmt.Errorf("%s: session %d: %w", s.ref.Trace, sess.ID, err)
				return
			}
		}
	}
}

// sessionWalk is the decoding state of one session being walked.
type sessionWalk struct {
	side      *diffSide
	dec       *decode.Session
	replicas  map[prop.GUID]uint16 // REPLGUID → REPLID, from RopLogon
	withState bool
}

// exchange yields the operations of one exchange. A ROP or request type
// the normaliser ignores is left out of both the alignment and the
// comparison.
func (w *sessionWalk) exchange(id int64, ex *trace.Exchange, yield func(*diffItem) bool) error {
	rtName := ""
	if ex.ReqHeader != nil {
		rtName = ex.ReqHeader.Get("X-RequestType")
	}
	rt, _ := mapihttp.ParseRequestType(rtName)
	if rt == mapihttp.TypeUnknown {
		return nil
	}
	if rt != mapihttp.TypeExecute {
		d, err := w.side.tr.DecodeExchange(id)
		if err != nil {
			return err
		}
		if w.side.n.IgnoresRop(rt.String()) {
			return nil
		}
		if !yield(&diffItem{ref: RopRef{Exchange: id, Index: -1, Rop: rt.String()}, req: d.ReqTree, resp: d.RespTree}) {
			return errDiffStop
		}
		return nil
	}
	var bin []byte
	if ex.Status == 200 && len(ex.RespBody) > 0 {
		if f, _ := mapihttp.ParseResponseBody(ex.RespBody); f != nil {
			bin = f.Body
		}
	}
	res := w.dec.Execute(ex.ReqBody, bin, true)
	for i := range res.Pairs() {
		p := &res.Pairs()[i]
		if lr, ok := p.Response.(*rop.LogonResponse); ok && lr.ReturnValue == 0 && lr.Private() {
			w.replicas[lr.ReplGuid] = lr.ReplId
		}
		name := diffRopName(p)
		if w.side.n.IgnoresRop(name) {
			continue
		}
		it := &diffItem{ref: RopRef{Exchange: id, Index: p.Index, Rop: name}, req: p.ReqNode, resp: p.RespNode}
		if w.withState && p.Stream != nil {
			it.state = streamState(p.Stream, w.replicas)
		}
		if !yield(it) {
			return errDiffStop
		}
	}
	return nil
}

func diffRopName(p *decode.RopPair) string {
	if n := p.Name(); n != "" {
		return n
	}
	var id uint8
	if p.Request != nil {
		id = p.Request.Header().RopId
	} else if p.Response != nil {
		id = p.Response.Header().RopId
	}
	return fmt.Sprintf("Rop0x%02X", id)
}

// ---- alignment keys ----

// nameKey keys an operation by its name alone.
func nameKey(h hash.Hash64, name string) uint64 {
	h.Reset()
	io.WriteString(h, name)
	return h.Sum64()
}

// requestKey keys an operation by its name and its request's arguments,
// normalised: what the normaliser leaves out of comparisons, handle
// indexes, folder and message ids and GUIDs (which differ between
// servers and runs) are left out. Requests without ROPs are keyed by
// their type alone.
func (n *Normalizer) requestKey(h hash.Hash64, name string, req *wire.Node) uint64 {
	h.Reset()
	io.WriteString(h, name)
	if req != nil && strings.HasPrefix(name, "Rop") {
		n.keyWalk(h, req.Name, req)
	}
	return h.Sum64()
}

func (n *Normalizer) keyWalk(h hash.Hash64, p string, nd *wire.Node) {
	if n.skip(&pathT{name: p}, nd) || isHandleField(nd.Name) {
		return
	}
	if len(nd.Children) == 0 {
		io.WriteString(h, "\x00"+p+"=")
		switch v := nd.Value.(type) {
		case string:
			if idRe.MatchString(v) {
				io.WriteString(h, "#id")
			} else if strings.HasSuffix(strings.ToLower(nd.Name), "guid") {
				io.WriteString(h, "#guid")
			} else {
				io.WriteString(h, v)
			}
		case []byte:
			h.Write(v)
		default:
			if idRe.MatchString(nd.Sym) {
				io.WriteString(h, "#id")
			} else {
				fmt.Fprint(h, v)
			}
		}
		return
	}
	ks := kids(nd)
	for i, c := range ks {
		n.keyWalk(h, p+"/"+diffChildName(ks, i), c)
	}
}

// diffChildName names child i of a node in a path as Compare does, so
// that --ignore path rules apply to alignment keys too.
func diffChildName(ks []*wire.Node, i int) string {
	c := ks[i]
	if c.Prop != 0 && c.Name == "" {
		return propLabel(c.Prop)
	}
	name := c.Name
	if name == "" || (i > 0 && ks[i-1].Name == name) || (i+1 < len(ks) && ks[i+1].Name == name) {
		name = name + "[" + strconv.Itoa(i) + "]"
	}
	return name
}

func isHandleField(name string) bool {
	return strings.HasSuffix(name, "HandleIndex") || strings.HasSuffix(name, "Handle")
}

// ---- ICS state ----

// stateTags are the ICS state properties, by property id — [MS-OXCFXICS]
// 2.2.1.1. MetaTagIdsetGiven is typed PtypInteger32 but carries an IDSET
// like the others (2.2.1.1.1).
var stateTags = map[uint16]string{
	0x4017: "MetaTagIdsetGiven",
	0x6796: "MetaTagCnsetSeen",
	0x67DA: "MetaTagCnsetSeenFAI",
	0x67D2: "MetaTagCnsetRead",
}

// icsState is the ICS state one operation carries: the REPLGUID-based
// IDSETs by state property id, and the REPLGUID → REPLID mapping its
// session's logons gave, to name replicas.
type icsState struct {
	sets     map[uint16]fxics.IDSet
	replicas map[prop.GUID]uint16
}

// streamState collects the state a ROP uploaded or downloaded: the IDSET
// a RopSynchronizationUploadStateStreamEnd closed, and the state
// properties of the FastTransfer stream elements it completed.
func streamState(st *decode.StreamResult, replicas map[prop.GUID]uint16) *icsState {
	s := &icsState{sets: map[uint16]fxics.IDSet{}, replicas: replicas}
	if st.StateTag != 0 {
		if _, ok := stateTags[st.StateTag.ID()]; ok {
			s.add(st.StateTag.ID(), st.State)
		}
	}
	seen := map[*fxics.Atom]bool{}
	for _, el := range st.Elements {
		el.Walk(func(e *fxics.Element) bool {
			a := e.Atom
			if a == nil || a.Marker || seen[a] || a.Truncated {
				return true
			}
			seen[a] = true
			if _, ok := stateTags[a.Tag.ID()]; !ok {
				return true
			}
			if set, err := fxics.DecodeIDSet(a.Raw, true); err == nil {
				s.add(a.Tag.ID(), set)
			}
			return true
		})
	}
	if len(s.sets) == 0 {
		return nil
	}
	return s
}

func (s *icsState) add(id uint16, set fxics.IDSet) {
	s.sets[id] = fxics.Union(s.sets[id], set)
}

// named returns a state set with its replicas named by REPLID where the
// logon gave one, by REPLGUID otherwise.
func (s *icsState) named(id uint16) fxics.IDSet {
	if s == nil {
		return nil
	}
	var out fxics.IDSet
	for _, r := range s.sets[id] {
		if r.HasGUID {
			if rid, ok := s.replicas[r.ReplGUID]; ok {
				r = fxics.ReplicaRanges{ReplID: rid, Ranges: r.Ranges}
			}
		}
		out = append(out, r)
	}
	return out.Normalize()
}

// compareStates compares the ICS state of two aligned operations (nil: the
// side has none, or no operation) per state property and replica.
func compareStates(ref RopRef, a, b *icsState) []StateChange {
	ids := map[uint16]bool{}
	for _, s := range []*icsState{a, b} {
		if s != nil {
			for id := range s.sets {
				ids[id] = true
			}
		}
	}
	order := make([]uint16, 0, len(ids))
	for id := range ids {
		order = append(order, id)
	}
	sort.Slice(order, func(i, j int) bool { return stateTags[order[i]] < stateTags[order[j]] })
	var out []StateChange
	for _, id := range order {
		sa, sb := a.named(id), b.named(id)
		gained, lost := fxics.Difference(sb, sa), fxics.Difference(sa, sb)
		byReplica := map[string]*StateChange{}
		var replicas []string
		at := func(r *fxics.ReplicaRanges) *StateChange {
			name := r.Replica()
			c := byReplica[name]
			if c == nil {
				c = &StateChange{Rop: ref, Name: stateTags[id], Replica: name}
				byReplica[name] = c
				replicas = append(replicas, name)
			}
			return c
		}
		for i := range gained {
			at(&gained[i]).Gained = fxics.RangesString(gained[i].Ranges)
		}
		for i := range lost {
			at(&lost[i]).Lost = fxics.RangesString(lost[i].Ranges)
		}
		sort.Strings(replicas)
		for _, r := range replicas {
			out = append(out, *byReplica[r])
		}
	}
	return out
}

// ---- output ----

// WriteText writes the diff like a unified diff, one operation a line —
// "  " same, "~" changed (with its field differences), "-" only in A,
// "+" only in B — then the ICS state changes and the summary.
func (d *DiffResult) WriteText(w io.Writer) error {
	ew := &diffWriter{w: w}
	ew.printf("--- A %s\n+++ B %s\n", d.A, d.B)
	stateAt := map[RopRef][]StateChange{}
	for _, c := range d.State {
		stateAt[c.Rop] = append(stateAt[c.Rop], c)
	}
	for i := range d.Ops {
		op := &d.Ops[i]
		switch op.Kind {
		case OpSame:
			ew.printf("  %s\n", op.Rop())
		case OpChanged:
			ew.printf("~ %s  (A %s, B %s)\n", op.Rop(), op.A, op.B)
			for _, df := range op.Diffs {
				ew.printf("    %s\n", df)
			}
		case OpRemoved:
			ew.printf("- %s (A only, %s)\n", op.Rop(), op.A)
		case OpInserted:
			ew.printf("+ %s (B only, %s)\n", op.Rop(), op.B)
		}
		var ref RopRef
		if op.B != nil {
			ref = *op.B
		} else if op.A != nil {
			ref = *op.A
		}
		for _, c := range stateAt[ref] {
			ew.printf("    state: %s\n", c)
		}
	}
	if len(d.State) > 0 {
		ew.printf("\nICS state:\n")
		for _, c := range d.State {
			ew.printf("  %s (%s)\n", c, c.Rop)
		}
	}
	s := d.Summary
	ew.printf("\n%d same, %d changed, %d removed (A only), %d inserted (B only)", s.Same, s.Different, s.Missing, s.Extra)
	if len(d.State) > 0 {
		ew.printf("; %d ICS state changes", len(d.State))
	}
	ew.printf("\n")
	return ew.err
}

// diffWriter keeps the first write error.
type diffWriter struct {
	w   io.Writer
	err error
}

func (e *diffWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
