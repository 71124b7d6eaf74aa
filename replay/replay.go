package replay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mapiscope/mapiscope/client"
	"github.com/mapiscope/mapiscope/decode"
	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/server"
	"github.com/mapiscope/mapiscope/trace"
)

// Options says where and how to replay.
type Options struct {
	// Target is "builtin" (the built-in server, started in deterministic
	// mode for the trace's user) or the server's Autodiscover URL (a base
	// URL gets /autodiscover/autodiscover.xml).
	Target string
	// Email and Password are the credentials; the trace's user and
	// $MAPISCOPE_PASSWORD by default. The built-in target makes the user
	// with a password of its own.
	Email, Password string
	Insecure        bool
	// Normalizer decides what comparisons leave out (NewNormalizer when nil).
	Normalizer *Normalizer
	// SeedFromTrace (built-in target only) builds the mailbox from what
	// the trace shows instead of the demo mail.
	SeedFromTrace bool
	// NotificationWaitTimeout bounds each NotificationWait (default 2 s).
	NotificationWaitTimeout time.Duration
	// BuiltinTune adjusts the built-in server's configuration (tests:
	// server.Config.RopHook).
	BuiltinTune func(*server.Config)
	// Progress, when set, is called after each request replayed.
	Progress func(done, total int)
	// Logger gets the built-in server's log (discarded when nil).
	Logger *slog.Logger
}

// PasswordEnv is the environment variable the password comes from when
// Options.Password is empty.
const PasswordEnv = "MAPISCOPE_PASSWORD"

// DefaultNotificationWaitTimeout bounds a replayed NotificationWait.
const DefaultNotificationWaitTimeout = 2 * time.Second

// ErrBadInput marks errors about the trace or the options (exit status 2),
// as opposed to a target that could not be reached or logged on to.
var ErrBadInput = errors.New("bad input")

func badInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, args...))
}

// RopResult is how one recorded ROP (or, for the Rop names of request
// types — Connect, Bind, ResolveNames … — one request) compared.
type RopResult struct {
	Exchange int64        `json:"exchange"` // recorded exchange id
	Index    int          `json:"index"`    // position in the request buffer (-1 unsolicited)
	Rop      string       `json:"rop"`
	Outcome  Outcome      `json:"outcome"`
	Diffs    []Difference `json:"diffs,omitempty"`
}

// Result is a whole replay.
type Result struct {
	Session  SessionRef  `json:"session"`
	Target   string      `json:"target"`
	Requests int         `json:"requests"`
	Rops     []RopResult `json:"rops"`
	Summary  Summary     `json:"summary"`
	// Errors are the requests that failed outright (their ROPs count as
	// missing) and recorded exchanges that could not be replayed.
	Errors  []string      `json:"errors,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

func (r *Result) add(rr RopResult) {
	r.Rops = append(r.Rops, rr)
	r.Summary.Add(rr.Outcome)
}

func (r *Result) errorf(format string, args ...any) {
	r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
}

// Run replays the recorded session(s) ref names against opt.Target, in
// recorded order, and compares every answer with the recorded one —
// issue 9 §1–3. Only errors that stop the replay from starting (the
// trace, the target) are returned; failures on the way are in the Result.
func Run(ctx context.Context, ref SessionRef, opt Options) (*Result, error) {
	start := time.Now()
	if opt.Target == "" {
		return nil, badInput("no target: builtin or the server's Autodiscover URL")
	}
	if opt.Normalizer == nil {
		opt.Normalizer = NewNormalizer()
	}
	if opt.NotificationWaitTimeout <= 0 {
		opt.NotificationWaitTimeout = DefaultNotificationWaitTimeout
	}
	if opt.SeedFromTrace && opt.Target != "builtin" {
		return nil, badInput("--seed-from-trace is for --target builtin")
	}
	tr, err := trace.Open(ref.Trace)
	if err != nil {
		return nil, badInput("%v", err)
	}
	defer tr.Close()
	plan, err := loadPlan(tr, ref)
	if err != nil {
		return nil, err
	}

	r := &runner{opt: opt, n: opt.Normalizer, tr: tr, plan: plan,
		res:  &Result{Session: ref, Target: opt.Target, Rops: []RopResult{}},
		sess: map[int64]*sessionReplay{}}
	email := opt.Email
	if email == "" {
		email = plan.user
	}
	adURL := opt.Target
	if opt.Target == "builtin" {
		if email == "" || !strings.Contains(email, "@") {
			email = "replay@mapiscope.test"
		}
		b, err := r.startBuiltin(ref, email)
		if err != nil {
			return nil, err
		}
		defer b.Close()
		adURL = b.AutodiscoverURL
		opt.Password = r.password
	} else {
		if adURL, err = autodiscoverURL(opt.Target); err != nil {
			return nil, err
		}
		if email == "" {
			return nil, badInput("the trace names no user: give one (--user EMAIL:PASSWORD)")
		}
		if opt.Password == "" {
			opt.Password = os.Getenv(PasswordEnv)
		}
	}
	r.cfg = client.Config{Email: email, Password: opt.Password, Insecure: opt.Insecure,
		ClientInfo: client.NewGUID(), Observer: r.observe}
	disc, err := client.Autodiscover(ctx, adURL, r.cfg)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", opt.Target, err)
	}
	r.disc = disc

	err = r.replay(ctx)
	// End what the trace left open, even when interrupted.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	r.finish(fctx)
	cancel()
	if err != nil {
		return nil, err
	}
	r.res.Elapsed = time.Since(start)
	return r.res, nil
}

// autodiscoverURL completes a base URL with the Autodiscover path.
func autodiscoverURL(target string) (string, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", badInput("--target %q: builtin or an http(s) URL", target)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/autodiscover/autodiscover.xml"
	}
	return u.String(), nil
}

// plan is what a replay walks: the sessions and their exchanges.
type plan struct {
	sessions map[int64]string // id → endpoint (emsmdb, nspi)
	steps    []planStep       // exchanges in recorded order
	cond     string           // selects them from `exchanges e`
	user     string
}

// planStep is one recorded exchange to replay.
type planStep struct {
	id, session int64
	endpoint    string
	rt          mapihttp.RequestType
}

func loadPlan(tr *trace.Trace, ref SessionRef) (*plan, error) {
	cond := `s.endpoint IN ('emsmdb', 'nspi')`
	var args []any
	if ref.Session != 0 {
		cond += ` AND s.id = ?`
		args = append(args, ref.Session)
	}
	ss, err := tr.Sessions(cond, args, trace.Page{})
	if err != nil {
		return nil, badInput("%s: %v", ref.Trace, err)
	}
	if len(ss) == 0 {
		if ref.Session != 0 {
			return nil, badInput("%s: no MAPI session %d", ref.Trace, ref.Session)
		}
		return nil, badInput("%s: no MAPI session to replay", ref.Trace)
	}
	p := &plan{sessions: map[int64]string{}}
	var ids []string
	for _, s := range ss {
		p.sessions[s.ID] = s.Endpoint
		ids = append(ids, fmt.Sprint(s.ID))
		if p.user == "" {
			p.user = sessionUser(s)
		}
	}
	p.cond = `e.session_id IN (` + strings.Join(ids, ",") + `)`
	rows, err := tr.DB.Query(`SELECT e.id, e.session_id, coalesce(e.request_type, '') FROM exchanges e WHERE ` + p.cond + ` ORDER BY e.id`)
	if err != nil {
		return nil, badInput("%s: %v", ref.Trace, err)
	}
	defer rows.Close()
	for rows.Next() {
		var st planStep
		var rt string
		if err := rows.Scan(&st.id, &st.session, &rt); err != nil {
			return nil, badInput("%s: %v", ref.Trace, err)
		}
		st.endpoint = p.sessions[st.session]
		st.rt, _ = mapihttp.ParseRequestType(rt)
		p.steps = append(p.steps, st)
	}
	if err := rows.Err(); err != nil {
		return nil, badInput("%s: %v", ref.Trace, err)
	}
	if len(p.steps) > 0 {
		// A trace still being written grows: replay what it held.
		p.cond += fmt.Sprintf(" AND e.id <= %d", p.steps[len(p.steps)-1].id)
	}
	return p, nil
}

// sessionUser finds the user's email among what the trace knows of a
// session: the Basic user name, else the MailboxId of its URLs.
func sessionUser(s trace.SessionRow) string {
	for _, u := range []string{s.User, s.MailboxID} {
		if i := strings.LastIndexByte(u, '\\'); i >= 0 {
			u = u[i+1:]
		}
		if strings.Contains(u, "@") {
			return u
		}
	}
	return ""
}

// runner is one replay in progress.
type runner struct {
	opt      Options
	n        *Normalizer
	tr       *trace.Trace
	plan     *plan
	res      *Result
	cfg      client.Config
	disc     *client.Discovery
	password string
	sess     map[int64]*sessionReplay

	mu   sync.Mutex
	last *client.Exchange
}

// observe keeps the client's last exchange: its raw bodies are decoded
// again, with spans, for comparison.
func (r *runner) observe(ex client.Exchange) {
	r.mu.Lock()
	r.last = &ex
	r.mu.Unlock()
}

func (r *runner) lastExchange() *client.Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	ex := r.last
	r.last = nil
	return ex
}

func (r *runner) startBuiltin(ref SessionRef, email string) (*server.Running, error) {
	var pw [9]byte
	_, _ = rand.Read(pw[:])
	r.password = hex.EncodeToString(pw[:])
	logger := r.opt.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	b, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: email, Password: r.password}},
		Deterministic: true, NoSeed: r.opt.SeedFromTrace, Logger: logger, Tune: r.opt.BuiltinTune})
	if err != nil {
		return nil, fmt.Errorf("built-in server: %w", err)
	}
	if r.opt.SeedFromTrace {
		mb, err := b.Store.MailboxByEmail(email)
		if err == nil {
			_, err = SeedFromTrace(r.tr, ref, b.Store, mb)
		}
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("seeding the built-in mailbox from the trace: %w", err)
		}
	}
	return b, nil
}

// sessionReplay is one recorded session and its live counterpart.
type sessionReplay struct {
	id       int64
	endpoint string
	live     *decode.Session // walks the live exchanges, with spans
	w        *rewriter
	mb       *client.Mailbox
	ab       *client.AddressBook
	open     bool // connected / bound
	closed   bool // disconnected / unbound as recorded
}

func (r *runner) session(id int64) *sessionReplay {
	if s := r.sess[id]; s != nil {
		return s
	}
	s := &sessionReplay{id: id, endpoint: r.plan.sessions[id], w: newRewriter(r.n)}
	s.w.liveDN = r.disc.LegacyDN
	switch s.endpoint {
	case "emsmdb":
		s.live = decode.NewSession()
		s.mb = client.NewMailbox(r.disc.MailStoreURL, r.cfg)
	case "nspi":
		s.ab = client.NewAddressBook(r.disc.AddressBookURL, r.cfg)
	}
	r.sess[id] = s
	return s
}

// recorded is one recorded exchange ready to replay: an Execute comes
// decoded, with spans, in its recorded session's context.
type recorded struct {
	step planStep
	ex   *trace.Exchange
	body []byte // the binary response body (nil: none)
	exec *decode.ExecuteResult
}

// replay walks the recorded exchanges in order. Reading and decoding the
// recorded side runs ahead in a goroutine, off the critical path: only
// the live side must wait for the answer before it goes on.
func (r *runner) replay(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan *recorded, 16)
	errc := make(chan error, 1)
	go func() {
		defer close(ch)
		errc <- r.read(ctx, ch)
	}()
	total, done := len(r.plan.steps), 0
	for rec := range ch {
		if ctx.Err() != nil {
			continue // drain
		}
		s := r.session(rec.step.session)
		r.res.Requests++
		switch s.endpoint {
		case "emsmdb":
			r.emsmdb(ctx, s, rec)
		case "nspi":
			r.nspi(ctx, s, rec)
		}
		done++
		if r.opt.Progress != nil {
			r.opt.Progress(done, total)
		}
	}
	if err := <-errc; err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return badInput("%s: %v", r.tr.Path, err)
	}
	return ctx.Err()
}

// read reads the plan's exchanges from the trace and decodes the
// recorded Executes, each session in its own context.
func (r *runner) read(ctx context.Context, ch chan<- *recorded) error {
	decoders := map[int64]*decode.Session{}
	i := 0
	return r.tr.ReadExchanges(r.plan.cond, nil, func(id int64, ex *trace.Exchange) error {
		if i >= len(r.plan.steps) || r.plan.steps[i].id != id {
			return fmt.Errorf("exchange %d: the trace changed while it was read", id)
		}
		rec := &recorded{step: r.plan.steps[i], ex: ex, body: binaryBody(ex)}
		i++
		if rec.step.rt == mapihttp.TypeUnknown {
			rec.step.rt, _ = mapihttp.ParseRequestType(ex.ReqHeader.Get(mapihttp.HeaderRequestType))
		}
		if rec.step.endpoint == "emsmdb" && rec.step.rt == mapihttp.TypeExecute {
			d := decoders[rec.step.session]
			if d == nil {
				d = decode.NewSession()
				decoders[rec.step.session] = d
			}
			rec.exec = d.Execute(ex.ReqBody, rec.body, true)
		}
		select {
		case ch <- rec:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}

// finish ends the live sessions the trace left open.
func (r *runner) finish(ctx context.Context) {
	for _, s := range r.sess {
		if !s.open || s.closed {
			continue
		}
		switch {
		case s.mb != nil:
			_ = s.mb.Disconnect(ctx)
		case s.ab != nil:
			_ = s.ab.Unbind(ctx)
		}
	}
}

// binaryBody returns a recorded response's binary body (after the
// meta-tags), or nil when there is none.
func binaryBody(ex *trace.Exchange) []byte {
	if ex.Status != 200 || len(ex.RespBody) == 0 {
		return nil
	}
	f, err := mapihttp.ParseResponseBody(ex.RespBody)
	if err != nil || f.Body == nil {
		return nil
	}
	return f.Body
}

// ---- emsmdb ----

func (r *runner) emsmdb(ctx context.Context, s *sessionReplay, rec *recorded) {
	id, rt, ex, recBody := rec.step.id, rec.step.rt, rec.ex, rec.body
	if rt != mapihttp.TypeConnect && !s.open {
		// The trace starts inside the session: connect first.
		if err := r.connect(ctx, s); err != nil {
			r.res.errorf("exchange %d: %s: no session: %v", id, rt, err)
			return
		}
	}
	switch rt {
	case mapihttp.TypeConnect:
		req := &mapihttp.ConnectRequest{}
		if c := mapihttp.Decode(req, ex.ReqBody, 0, false); c.Err() == nil {
			s.w.recDN = req.UserDn
		}
		err := r.connect(ctx, s)
		r.compareBodies(id, "Connect", rt, recBody, err, s.w)
	case mapihttp.TypeExecute:
		r.execute(ctx, s, id, rec.exec, recBody)
	case mapihttp.TypeDisconnect:
		err := s.mb.Disconnect(ctx)
		s.closed = true
		r.compareBodies(id, "Disconnect", rt, recBody, err, s.w)
	case mapihttp.TypeNotificationWait:
		r.notificationWait(ctx, s, id, recBody)
	case mapihttp.TypePing:
		if err := s.mb.Ping(ctx); err != nil {
			r.res.errorf("exchange %d: PING: %v", id, err)
		}
	default:
		r.res.errorf("exchange %d: request type %q is not replayed", id, rt)
	}
}

// connect opens the live session with the live user's DN (the recorded
// one names the recorded server's user).
func (r *runner) connect(ctx context.Context, s *sessionReplay) error {
	_, err := s.mb.Connect(ctx, r.disc.LegacyDN)
	if err == nil {
		s.open, s.closed = true, false
	}
	return err
}

func (r *runner) notificationWait(ctx context.Context, s *sessionReplay, id int64, recBody []byte) {
	wctx, cancel := context.WithTimeout(ctx, r.opt.NotificationWaitTimeout)
	_, err := s.mb.NotificationWait(wctx)
	cancel()
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		// No event within the bound: the same as a recorded wait that
		// ended without one.
		r.lastExchange()
		rec := &mapihttp.NotificationWaitResponse{}
		res := RopResult{Exchange: id, Rop: "NotificationWait", Outcome: Same}
		if c := mapihttp.Decode(rec, recBody, 0, false); c.Err() == nil && rec.EventPending != 0 {
			res.Outcome = Different
			res.Diffs = []Difference{{Path: "NotificationWaitResponse/EventPending", Recorded: "1",
				Live: fmt.Sprintf("(no answer within %s)", r.opt.NotificationWaitTimeout)}}
		}
		r.res.add(res)
		return
	}
	r.compareBodies(id, "NotificationWait", mapihttp.TypeNotificationWait, recBody, err, s.w)
}

// execute replays one Execute: the recorded ROPs, rewritten, in one
// request buffer; then each live response against the recorded one, by
// request index — before the next Execute, since the ids learnt here
// rewrite the next requests.
func (r *runner) execute(ctx context.Context, s *sessionReplay, id int64, rec *decode.ExecuteResult, recBody []byte) {
	if rec == nil || rec.Buffers == nil || rec.Buffers.Request == nil {
		r.res.errorf("exchange %d: Execute: the recorded request holds no ROP buffer", id)
		return
	}
	rb := rec.Buffers.Request
	handles := make([]uint32, len(rb.Handles))
	for i, h := range rb.Handles {
		handles[i] = s.w.handle(h)
	}
	for _, q := range rb.Rops {
		s.w.request(q)
	}
	recPairs := rec.Pairs()
	if recBody == nil {
		r.res.errorf("exchange %d: Execute: no recorded response; replayed without comparison", id)
	}
	res, err := s.mb.Execute(ctx, rb.Rops, handles)
	r.lastExchange()
	if err != nil || res == nil || res.Raw == nil || res.Raw.Body == nil {
		r.res.errorf("exchange %d: Execute: %v", id, err)
		if recBody != nil {
			for k := range recPairs {
				if p := &recPairs[k]; p.Response != nil && !r.n.IgnoresRop(p.Name()) {
					r.res.add(RopResult{Exchange: id, Index: p.Index, Rop: p.Name(), Outcome: Missing})
				}
			}
		}
		return
	}
	live := s.live.Execute(res.Raw.Request, res.Raw.Body, true)
	if recBody == nil {
		return
	}
	if b := rec.Buffers; len(b.Responses) > 0 {
		s.w.learnHandles(b.Responses[0].Handles, res.Handles)
	}
	r.comparePairs(id, len(rb.Rops), recPairs, live.Pairs())
}

// comparePairs compares the ROPs of one Execute: answers to requests by
// request index, unsolicited ones (RopNotify, RopPending, chained
// re-runs) in order.
func (r *runner) comparePairs(id int64, nrops int, rec, live []decode.RopPair) {
	recAt := make([]*decode.RopPair, nrops)
	liveAt := make([]*decode.RopPair, nrops)
	var recU, liveU []*decode.RopPair
	for k := range rec {
		p := &rec[k]
		if p.Index < 0 || p.Chained || p.Index >= nrops {
			recU = append(recU, p)
		} else {
			recAt[p.Index] = p
		}
	}
	for k := range live {
		p := &live[k]
		if p.Index < 0 || p.Chained || p.Index >= nrops {
			liveU = append(liveU, p)
		} else {
			liveAt[p.Index] = p
		}
	}
	for i := 0; i < nrops; i++ {
		r.comparePair(id, i, recAt[i], liveAt[i])
	}
	for k := 0; k < len(recU) || k < len(liveU); k++ {
		var a, b *decode.RopPair
		if k < len(recU) {
			a = recU[k]
		}
		if k < len(liveU) {
			b = liveU[k]
		}
		idx := -1
		if a != nil && a.Chained {
			idx = a.Index
		}
		r.comparePair(id, idx, a, b)
	}
}

func (r *runner) comparePair(id int64, idx int, rec, live *decode.RopPair) {
	name := ""
	switch {
	case rec != nil:
		name = rec.Name()
	case live != nil:
		name = live.Name()
	}
	if name == "" {
		return
	}
	recResp := rec != nil && rec.Response != nil
	liveResp := live != nil && live.Response != nil
	if r.n.IgnoresRop(name) {
		// Left out of the results, but the ids and GUIDs it shows are
		// still learnt: later requests name them.
		if recResp && liveResp {
			// Compare learns the ids and GUIDs the answers show.
			r.n.Compare(rec.RespNode, live.RespNode)
		}
		return
	}
	res := RopResult{Exchange: id, Index: idx, Rop: name}
	switch {
	case !recResp && !liveResp:
		res.Outcome = Same
	case !liveResp:
		res.Outcome = Missing
	case !recResp:
		res.Outcome = Extra
	default:
		res.Diffs = r.n.Compare(rec.RespNode, live.RespNode)
		res.Outcome = Same
		if len(res.Diffs) > 0 {
			res.Outcome = Different
		}
	}
	r.res.add(res)
}

// compareBodies compares the response of a request-level call (Connect,
// Disconnect, NotificationWait, address book requests) whose live
// exchange the observer kept.
func (r *runner) compareBodies(id int64, name string, rt mapihttp.RequestType, recBody []byte, callErr error, w *rewriter) {
	ex := r.lastExchange()
	res := RopResult{Exchange: id, Rop: name}
	var liveBody []byte
	if ex != nil {
		liveBody = ex.Body
	}
	var statusErr *client.StatusError
	if callErr != nil && !errors.As(callErr, &statusErr) {
		r.res.errorf("exchange %d: %s: %v", id, name, callErr)
		liveBody = nil
	}
	switch {
	case recBody == nil && liveBody == nil:
		res.Outcome = Same
	case liveBody == nil:
		res.Outcome = Missing
	case recBody == nil:
		res.Outcome = Extra
	default:
		recTree, recVal := decodeResponse(rt, recBody)
		liveTree, liveVal := decodeResponse(rt, liveBody)
		if rt.AddressBook() && recVal != nil && liveVal != nil {
			w.learnMIDs(recVal, liveVal)
		}
		for _, d := range r.n.Compare(recTree, liveTree) {
			if !w.mappedMID(d) {
				res.Diffs = append(res.Diffs, d)
			}
		}
		res.Outcome = Same
		if len(res.Diffs) > 0 {
			res.Outcome = Different
		}
	}
	r.res.add(res)
}

// decodeResponse decodes a response body of type rt with spans.
func decodeResponse(rt mapihttp.RequestType, b []byte) (*wire.Node, any) {
	var body mapihttp.Body
	if rt.AddressBook() {
		if nb := nspi.NewResponse(rt); nb != nil {
			c := nspi.Decode(nb, b, 0, true)
			return c.Tree(), nb
		}
		return nil, nil
	}
	body = mapihttp.NewResponse(rt)
	if body == nil {
		return nil, nil
	}
	c := mapihttp.Decode(body, b, 0, true)
	return c.Tree(), body
}

// ---- nspi ----

func (r *runner) nspi(ctx context.Context, s *sessionReplay, rec *recorded) {
	id, rt, ex, recBody := rec.step.id, rec.step.rt, rec.ex, rec.body
	if rt == mapihttp.TypePing {
		if err := s.ab.Ping(ctx); err != nil {
			r.res.errorf("exchange %d: PING: %v", id, err)
		}
		return
	}
	req, c, err := nspi.DecodeRequest(rt, ex.ReqBody, 0, false)
	if err != nil || c == nil {
		r.res.errorf("exchange %d: %s: the recorded request does not decode: %v", id, rt, err)
		return
	}
	if rt != mapihttp.TypeBind && !s.open {
		// The trace starts inside the session: bind first.
		if _, err := s.ab.Bind(ctx, client.DefaultSTAT()); err != nil {
			r.res.errorf("exchange %d: %s: no session: %v", id, rt, err)
			return
		}
		r.lastExchange()
		s.open = true
	}
	s.w.nspiRequest(req)
	_, err = s.ab.Call(ctx, rt, req)
	switch rt {
	case mapihttp.TypeBind:
		s.open = err == nil
	case mapihttp.TypeUnbind:
		s.closed = true
	}
	r.compareBodies(id, rt.String(), rt, recBody, err, s.w)
}
