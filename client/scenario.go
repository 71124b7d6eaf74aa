package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Step is one step of a scenario and how it went.
type Step struct {
	Name    string
	Err     error
	Elapsed time.Duration
	Detail  string
}

// OK reports a step that succeeded.
func (s Step) OK() bool { return s.Err == nil }

// Scenarios lists the scenario names RunScenario knows.
func Scenarios() []string { return []string{"basic", "sync"} }

// RunScenario runs the named scenario ("basic" when empty) against the
// server whose Autodiscover URL is autodiscoverURL, calling each after
// every step. It stops at the first failed step (then only cleans up) and
// returns every step with the first failure as the error.
//
// basic does what Outlook does on a first start and a little more:
// Autodiscover; NSPI Bind, ResolveNames of the user, GetProps; Connect;
// a private-mailbox RopLogon; the special folders; the IPM subtree's
// hierarchy table and the Inbox's contents table; a draft with an
// attachment written through a stream, read back and compared; a rule
// added to the Inbox, listed, removed; a message to oneself submitted and
// found in the Inbox; then everything released, Disconnect and Unbind.
// Every ROP must succeed and every Execute must decode without anomaly.
func RunScenario(ctx context.Context, name string, autodiscoverURL string, cfg Config, each func(Step)) ([]Step, error) {
	switch name {
	case "", "basic", "sync":
	default:
		return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(Scenarios(), ", "))
	}
	if cfg.ClientInfo == "" {
		cfg.ClientInfo = NewGUID() // one client instance for both endpoints
	}
	token := cfg.Token
	if token == "" {
		token = strings.Trim(NewGUID(), "{}")[:8]
	}
	s := &scenario{ctx: ctx, cfg: cfg, url: autodiscoverURL, each: each, token: token}
	if name == "sync" {
		s.syncRun() // scenario_sync.go
	} else {
		s.basic()
	}
	for _, st := range s.steps {
		if st.Err != nil {
			return s.steps, fmt.Errorf("%s: %w", st.Name, st.Err)
		}
	}
	return s.steps, nil
}

// Property tags the scenario uses — [MS-OXPROPS].
const (
	tagDisplayName        prop.Tag = 0x3001001F
	tagEmailAddress       prop.Tag = 0x3003001F
	tagSmtpAddress        prop.Tag = 0x39FE001F
	tagFolderId           prop.Tag = 0x67480014
	tagMid                prop.Tag = 0x674A0014
	tagSubject            prop.Tag = 0x0037001F
	tagBody               prop.Tag = 0x1000001F
	tagMessageClass       prop.Tag = 0x001A001F
	tagContentCount       prop.Tag = 0x36020003
	tagIpmDraftsEntryId   prop.Tag = 0x36D70102
	tagAttachNumber       prop.Tag = 0x0E210003
	tagAttachMethod       prop.Tag = 0x37050003
	tagAttachFilename     prop.Tag = 0x3704001F
	tagAttachLongFilename prop.Tag = 0x3707001F
	tagAttachDataBinary   prop.Tag = 0x37010102
	tagRuleId             prop.Tag = 0x66740014
	tagRuleSequence       prop.Tag = 0x66760003
	tagRuleState          prop.Tag = 0x66770003
	tagRuleCondition      prop.Tag = 0x667900FD
	tagRuleActions        prop.Tag = 0x668000FE
	tagRuleProvider       prop.Tag = 0x6681001F
	tagRuleName           prop.Tag = 0x6682001F
	tagRuleLevel          prop.Tag = 0x66830003
)

// RopLogon OpenFlags — [MS-OXCSTOR] 2.2.1.1.1.
const (
	openHomeLogon              uint32 = 0x00000004
	openTakeOwnership          uint32 = 0x00000008
	openUsePerMDBReplIDMapping uint32 = 0x01000000
	logonPrivate               uint8  = 0x01
)

// Values of the message and stream ROPs — [MS-OXCMSG] 2.2.3, [MS-OXCPRPT]
// 2.2.14.1, [MS-OXORULE] 2.2.7.3.
const (
	codePageLogon      uint16 = 0x0FFF // CodePageId: the logon's code page
	keepOpenReadWrite  uint8  = 0x02   // SaveFlags
	streamReadOnly     uint8  = 0x00
	streamCreate       uint8  = 0x02
	tableUnicode       uint8  = 0x40 // TableFlags
	attachByValue      int32  = 1    // PidTagAttachMethod afByValue
	ruleStateEnabled   int32  = 0x01 // ST_ENABLED
	recipientPrimary   uint8  = 0x01 // RecipientType To
	none               uint32 = 0xFFFFFFFF
	rowsPerQuery       uint16 = 200
	streamChunk               = 2048
	readChunk          uint16 = 4096
	deliveryPolls             = 20
	deliveryPollPeriod        = 150 * time.Millisecond
)

type folder struct {
	id     prop.ID
	handle uint32
}

// scenario is the state one run carries from step to step.
type scenario struct {
	ctx   context.Context
	cfg   Config
	url   string
	each  func(Step)
	token string // makes this run's subjects and rule name unique
	steps []Step

	disc  *Discovery
	ab    *AddressBook
	mb    *Mailbox
	stat  nspi.STAT
	mid   uint32
	logon *rop.LogonResponse
	lh    uint32 // logon handle
	// folders by name: Root, IpmSubtree, Inbox, SentItems, Outbox, Drafts.
	folders   map[string]folder
	hierarchy []prop.Row // rows of the IPM subtree: FolderId, DisplayName
	draftsEID []byte
	draft     prop.ID
	subject   string
	body      string
	attach    []byte
	connected bool
	bound     bool
}

// step runs f as the named step and records it; it reports success.
func (s *scenario) step(name string, f func() (string, error)) bool {
	start := time.Now()
	detail, err := f()
	if err == nil && s.ctx.Err() != nil {
		err = s.ctx.Err()
	}
	st := Step{Name: name, Err: err, Elapsed: time.Since(start), Detail: detail}
	s.steps = append(s.steps, st)
	if s.each != nil {
		s.each(st)
	}
	return err == nil
}

func (s *scenario) basic() {
	ok := s.step("autodiscover", s.autodiscover) &&
		s.step("nspi-bind", s.nspiBind) &&
		s.step("nspi-resolve", s.nspiResolve) &&
		s.step("nspi-getprops", s.nspiGetProps) &&
		s.step("connect", s.connect) &&
		s.step("logon", s.doLogon) &&
		s.step("open-folders", s.openFolders) &&
		s.step("hierarchy", s.hierarchyTable) &&
		s.step("drafts", s.openDrafts) &&
		s.step("contents", s.contentsTable) &&
		s.step("create-draft", s.createDraft) &&
		s.step("read-draft", s.readDraft) &&
		s.step("rule-add", s.ruleAdd) &&
		s.step("rule-remove", s.ruleRemove) &&
		s.step("submit", s.submit) &&
		s.step("deliver", s.deliver) &&
		s.step("release", s.release)
	if s.connected {
		if ok {
			s.step("disconnect", func() (string, error) { return "", s.mb.Disconnect(s.ctx) })
		} else {
			_ = s.mb.Disconnect(s.ctx)
		}
	}
	if s.bound {
		if ok {
			s.step("unbind", func() (string, error) { return "", s.ab.Unbind(s.ctx) })
		} else {
			_ = s.ab.Unbind(s.ctx)
		}
	}
}

// ---- address book ----

func (s *scenario) autodiscover() (string, error) {
	d, err := Autodiscover(s.ctx, s.url, s.cfg)
	if err != nil {
		return "", err
	}
	s.disc = d
	return fmt.Sprintf("MailStore=%s AddressBook=%s", d.MailStoreURL, d.AddressBookURL), nil
}

func (s *scenario) nspiBind() (string, error) {
	s.ab = NewAddressBook(s.disc.AddressBookURL, s.cfg)
	s.stat = DefaultSTAT()
	r, err := s.ab.Bind(s.ctx, s.stat)
	if err != nil {
		return "", err
	}
	s.bound = true
	return "ServerGuid=" + r.ServerGuid.String(), nil
}

func (s *scenario) nspiResolve() (string, error) {
	tags := []prop.Tag{tagDisplayName, tagEmailAddress, tagSmtpAddress}
	r, err := s.ab.ResolveNames(s.ctx, s.stat, tags, []string{s.cfg.Email})
	if err != nil {
		return "", err
	}
	if len(r.MinimalIds) != 1 {
		return "", fmt.Errorf("ResolveNames: %d Minimal Entry IDs for 1 name", len(r.MinimalIds))
	}
	switch mid := r.MinimalIds[0]; mid {
	case nspi.MIDUnresolved:
		return "", fmt.Errorf("ResolveNames: %s is MID_UNRESOLVED", s.cfg.Email)
	case nspi.MIDAmbiguous:
		return "", fmt.Errorf("ResolveNames: %s is MID_AMBIGUOUS", s.cfg.Email)
	default:
		s.mid = mid
	}
	name := ""
	if len(r.RowData) > 0 {
		name = abString(r.PropertyTags, r.RowData[0], tagDisplayName)
	}
	return fmt.Sprintf("MId=0x%X DisplayName=%q", s.mid, name), nil
}

func (s *scenario) nspiGetProps() (string, error) {
	st := s.stat
	st.CurrentRec = s.mid
	r, err := s.ab.GetProps(s.ctx, st, 0, []prop.Tag{tagDisplayName, tagEmailAddress, tagSmtpAddress})
	if err != nil {
		return "", err
	}
	var dn, name string
	for _, v := range r.PropertyValues {
		switch v.Tag() {
		case tagEmailAddress:
			dn, _ = v.Value.(string)
		case tagDisplayName:
			name, _ = v.Value.(string)
		}
	}
	if name == "" {
		return "", errors.New("GetProps: no PidTagDisplayName")
	}
	return fmt.Sprintf("DisplayName=%q EmailAddress=%q", name, dn), nil
}

// abString returns the string value of tag in an address book row.
func abString(cols []prop.Tag, row nspi.PropertyRow, tag prop.Tag) string {
	for i, c := range cols {
		if c == tag && i < len(row.ValueArray) {
			if v := row.ValueArray[i]; v.Flag == nspi.FlagValue {
				s, _ := v.Value.(string)
				return s
			}
		}
	}
	return ""
}

// ---- mailbox ----

func (s *scenario) connect() (string, error) {
	s.mb = NewMailbox(s.disc.MailStoreURL, s.cfg)
	r, err := s.mb.Connect(s.ctx, s.disc.LegacyDN)
	if err != nil {
		return "", err
	}
	s.connected = true
	return fmt.Sprintf("DisplayName=%q PollsMax=%dms", r.DisplayName, r.PollsMax), nil
}

// batch is one ROP request buffer being built with its handle table.
type batch struct {
	rops    []rop.Request
	handles []uint32
}

// in returns the slot holding server handle h, adding it.
func (b *batch) in(h uint32) uint8 {
	for i, x := range b.handles {
		if x == h && h != none {
			return uint8(i)
		}
	}
	b.handles = append(b.handles, h)
	return uint8(len(b.handles) - 1)
}

// out returns a fresh slot for an output handle.
func (b *batch) out() uint8 {
	b.handles = append(b.handles, none)
	return uint8(len(b.handles) - 1)
}

// add appends ROPs and returns the index of the first.
func (b *batch) add(r ...rop.Request) int {
	b.rops = append(b.rops, r...)
	return len(b.rops) - len(r)
}

func hdr(in uint8) rop.RequestHeader { return rop.RequestHeader{InputHandleIndex: in} }

// exec sends a batch and fails on any ROP error or decode anomaly.
func (s *scenario) exec(b *batch) (*ExecResult, error) {
	res, err := s.mb.Execute(s.ctx, b.rops, b.handles)
	if err != nil {
		return res, err
	}
	return res, res.Check()
}

// response returns the response to request i as a T.
func response[T rop.Response](res *ExecResult, i int, b *batch) (T, error) {
	r, ok := res.Response(i).(T)
	if !ok {
		var zero T
		return zero, fmt.Errorf("%s (rop %d): no response of the expected type", rop.Name(b.rops[i].Header().RopId), i)
	}
	return r, nil
}

func (s *scenario) doLogon() (string, error) {
	b := &batch{}
	out := b.out()
	i := b.add(&rop.LogonRequest{OutputHandleIndex: out, LogonFlags: logonPrivate,
		OpenFlags: openUsePerMDBReplIDMapping | openHomeLogon | openTakeOwnership, Essdn: s.disc.LegacyDN})
	res, err := s.exec(b)
	if err != nil {
		return "", err
	}
	r, err := response[*rop.LogonResponse](res, i, b)
	if err != nil {
		return "", err
	}
	if !r.Private() {
		return "", fmt.Errorf("RopLogon: LogonFlags 0x%02X lacks Private", r.LogonFlags)
	}
	s.logon, s.lh = r, res.Handle(out)
	return fmt.Sprintf("handle=0x%08X Inbox=%s ReplId=0x%04X", s.lh, r.FolderIds[4], r.ReplId), nil
}

// Indexes of the private-mailbox FolderIds of RopLogon — [MS-OXCSTOR]
// 2.2.1.1.3 (rop.PrivateFolderNames).
var logonFolders = []struct {
	name  string
	index int
}{{"Root", 0}, {"IpmSubtree", 3}, {"Inbox", 4}, {"Outbox", 5}, {"SentItems", 6}}

// openFolders opens the special folders named by the logon and reads
// PidTagIpmDraftsEntryId from the Root and the Inbox ([MS-OXOSFLD] 2.2.4).
func (s *scenario) openFolders() (string, error) {
	b := &batch{}
	lslot := b.in(s.lh)
	slots := map[string]uint8{}
	for _, f := range logonFolders {
		out := b.out()
		slots[f.name] = out
		b.add(&rop.OpenFolderRequest{RequestHeader: hdr(lslot), OutputHandleIndex: out, FolderId: s.logon.FolderIds[f.index]})
	}
	props := map[string]int{}
	for _, n := range []string{"Root", "Inbox"} {
		props[n] = b.add(&rop.GetPropertiesSpecificRequest{RequestHeader: hdr(slots[n]), WantUnicode: 1,
			PropertyTags: []prop.Tag{tagIpmDraftsEntryId}})
	}
	res, err := s.exec(b)
	if err != nil {
		return "", err
	}
	s.folders = map[string]folder{}
	for _, f := range logonFolders {
		h := res.Handle(slots[f.name])
		if h == none {
			return "", fmt.Errorf("RopOpenFolder %s: no handle in the response's handle table", f.name)
		}
		s.folders[f.name] = folder{id: s.logon.FolderIds[f.index], handle: h}
	}
	for _, n := range []string{"Root", "Inbox"} {
		r, err := response[*rop.GetPropertiesSpecificResponse](res, props[n], b)
		if err != nil {
			return "", err
		}
		if v, ok := cell(r.RowData, 0); ok {
			if eid, ok := v.([]byte); ok && len(eid) > 0 {
				s.draftsEID = eid
				break
			}
		}
	}
	return fmt.Sprintf("%d folders, PidTagIpmDraftsEntryId %s", len(s.folders), presence(s.draftsEID != nil)), nil
}

func presence(ok bool) string {
	if ok {
		return "present"
	}
	return "absent"
}

// cell returns column i of a property row, unwrapping flagged values (ok
// false for a missing or error value).
func cell(r prop.Row, i int) (any, bool) {
	if i >= len(r.Values) {
		return nil, false
	}
	v := r.Values[i]
	if fv, ok := v.(prop.FlaggedValue); ok {
		if fv.Flag != prop.FlagValue {
			return nil, false
		}
		return fv.Value, true
	}
	if _, isErr := v.(prop.ErrorCode); isErr {
		return nil, false
	}
	return v, true
}

// asID reads a PtypInteger64 id column.
func asID(v any) (prop.ID, bool) {
	switch x := v.(type) {
	case int64:
		return prop.ID(uint64(x)), true
	case prop.ID:
		return x, true
	case uint64:
		return prop.ID(x), true
	}
	return 0, false
}

// queryTable opens a table with the ROP open builds (writing to out), sets
// columns and reads every row, releasing the table at the end. rowCount is
// the RowCount of a RopGetHierarchyTable or RopGetContentsTable response
// (-1 for other tables).
func (s *scenario) queryTable(open func(b *batch, out uint8) rop.Request, cols []prop.Tag) (rows []prop.Row, rowCount int64, err error) {
	b := &batch{}
	out := b.out()
	oi := b.add(open(b, out))
	b.add(&rop.SetColumnsRequest{RequestHeader: hdr(out), PropertyTags: cols})
	qi := b.add(&rop.QueryRowsRequest{RequestHeader: hdr(out), ForwardRead: true, RowCount: rowsPerQuery})
	res, err := s.exec(b)
	if err != nil {
		return nil, 0, err
	}
	rowCount = -1
	switch r := res.Response(oi).(type) {
	case *rop.GetHierarchyTableResponse:
		rowCount = int64(r.RowCount)
	case *rop.GetContentsTableResponse:
		rowCount = int64(r.RowCount)
	}
	th := res.Handle(out)
	if th == none {
		return nil, 0, fmt.Errorf("%s: no table handle in the response's handle table", rop.Name(b.rops[oi].Header().RopId))
	}
	defer s.releaseQuietly(th)
	q, err := response[*rop.QueryRowsResponse](res, qi, b)
	if err != nil {
		return nil, 0, err
	}
	rows = append(rows, q.RowData...)
	for n := 0; len(q.RowData) == int(rowsPerQuery) && n < 100; n++ {
		b := &batch{}
		slot := b.in(th)
		qi := b.add(&rop.QueryRowsRequest{RequestHeader: hdr(slot), ForwardRead: true, RowCount: rowsPerQuery})
		res, err := s.exec(b)
		if err != nil {
			return rows, rowCount, err
		}
		if q, err = response[*rop.QueryRowsResponse](res, qi, b); err != nil {
			return rows, rowCount, err
		}
		rows = append(rows, q.RowData...)
	}
	return rows, rowCount, nil
}

// releaseQuietly releases server objects, ignoring failures (cleanup).
func (s *scenario) releaseQuietly(handles ...uint32) {
	b := &batch{}
	for _, h := range handles {
		if h != none {
			b.add(&rop.ReleaseRequest{RequestHeader: hdr(b.in(h))})
		}
	}
	if len(b.rops) > 0 {
		_, _ = s.mb.Execute(s.ctx, b.rops, b.handles)
	}
}

func (s *scenario) hierarchyTable() (string, error) {
	ipm := s.folders["IpmSubtree"]
	rows, count, err := s.queryTable(func(b *batch, out uint8) rop.Request {
		return &rop.GetHierarchyTableRequest{RequestHeader: hdr(b.in(ipm.handle)), OutputHandleIndex: out, TableFlags: tableUnicode}
	}, []prop.Tag{tagFolderId, tagDisplayName, tagContentCount})
	if err != nil {
		return "", err
	}
	if int64(len(rows)) != count {
		return "", fmt.Errorf("RopQueryRows: %d rows where RopGetHierarchyTable said RowCount %d", len(rows), count)
	}
	s.hierarchy = rows
	inbox := s.folders["Inbox"].id
	var names []string
	found := false
	for _, r := range rows {
		if v, ok := cell(r, 0); ok {
			if id, ok := asID(v); ok && id == inbox {
				found = true
			}
		}
		if v, ok := cell(r, 1); ok {
			n, _ := v.(string)
			names = append(names, n)
		}
	}
	if !found {
		return "", fmt.Errorf("RopQueryRows: the Inbox (%s) is not among the %d folders of the IPM subtree", inbox, len(rows))
	}
	return fmt.Sprintf("%d folders: %s", len(rows), strings.Join(names, ", ")), nil
}

// openDrafts finds the Drafts folder — from PidTagIpmDraftsEntryId through
// RopIdFromLongTermId ([MS-OXCSTOR] 2.2.1.9), else by name in the IPM
// subtree — and opens it.
func (s *scenario) openDrafts() (string, error) {
	var fid prop.ID
	how := ""
	if s.draftsEID != nil {
		var e prop.FolderEntryID
		c := wire.NewDecoder(s.draftsEID, false, "FolderEntryID")
		prop.CodecFolderEntryID(c, &e, "FolderEntryID")
		if err := c.Err(); err != nil {
			return "", fmt.Errorf("PidTagIpmDraftsEntryId: %w", err)
		}
		b := &batch{}
		i := b.add(&rop.IdFromLongTermIdRequest{RequestHeader: hdr(b.in(s.lh)),
			LongTermId: prop.LongTermID{DatabaseGuid: e.DatabaseGuid, GlobalCounter: e.GlobalCounter}})
		res, err := s.exec(b)
		if err != nil {
			return "", err
		}
		r, err := response[*rop.IdFromLongTermIdResponse](res, i, b)
		if err != nil {
			return "", err
		}
		fid, how = r.ObjectId, "PidTagIpmDraftsEntryId"
	} else {
		for _, r := range s.hierarchy {
			v, ok := cell(r, 1)
			if n, _ := v.(string); ok && strings.EqualFold(n, "Drafts") {
				if v, ok := cell(r, 0); ok {
					fid, _ = asID(v)
					how = "name in the IPM subtree"
				}
			}
		}
		if fid == 0 {
			return "", errors.New("no PidTagIpmDraftsEntryId on the Root or Inbox and no folder named Drafts in the IPM subtree")
		}
	}
	b := &batch{}
	out := b.out()
	b.add(&rop.OpenFolderRequest{RequestHeader: hdr(b.in(s.lh)), OutputHandleIndex: out, FolderId: fid})
	res, err := s.exec(b)
	if err != nil {
		return "", err
	}
	s.folders["Drafts"] = folder{id: fid, handle: res.Handle(out)}
	return fmt.Sprintf("Drafts=%s (from %s)", fid, how), nil
}

func (s *scenario) contentsTable() (string, error) {
	inbox := s.folders["Inbox"]
	rows, count, err := s.queryTable(func(b *batch, out uint8) rop.Request {
		return &rop.GetContentsTableRequest{RequestHeader: hdr(b.in(inbox.handle)), OutputHandleIndex: out, TableFlags: tableUnicode}
	}, []prop.Tag{tagMid, tagSubject})
	if err != nil {
		return "", err
	}
	if int64(len(rows)) != count {
		return "", fmt.Errorf("RopQueryRows: %d rows where RopGetContentsTable said RowCount %d", len(rows), count)
	}
	return fmt.Sprintf("%d messages in the Inbox", len(rows)), nil
}

// attachmentData is the attachment the draft carries: bytes that any
// truncation, reordering or re-encoding would change.
func attachmentData(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func (s *scenario) createDraft() (string, error) {
	drafts := s.folders["Drafts"]
	s.subject = "mapiscope draft " + s.token
	s.body = "Written by the mapiscope client scenario.\r\n"
	s.attach = attachmentData(5000)
	b := &batch{}
	fslot := b.in(drafts.handle)
	msg, att, st := b.out(), b.out(), b.out()
	b.add(&rop.CreateMessageRequest{RequestHeader: hdr(fslot), OutputHandleIndex: msg, CodePageId: codePageLogon, FolderId: drafts.id})
	b.add(&rop.SetPropertiesRequest{RequestHeader: hdr(msg), PropertyValues: []prop.TaggedValue{
		{Tag: tagMessageClass, Value: "IPM.Note"}, {Tag: tagSubject, Value: s.subject}, {Tag: tagBody, Value: s.body}}})
	b.add(&rop.CreateAttachmentRequest{RequestHeader: hdr(msg), OutputHandleIndex: att})
	b.add(&rop.SetPropertiesRequest{RequestHeader: hdr(att), PropertyValues: []prop.TaggedValue{
		{Tag: tagAttachMethod, Value: attachByValue}, {Tag: tagAttachFilename, Value: "scope.bin"},
		{Tag: tagAttachLongFilename, Value: "mapiscope-" + s.token + ".bin"}}})
	b.add(&rop.OpenStreamRequest{RequestHeader: hdr(att), OutputHandleIndex: st, PropertyTag: tagAttachDataBinary, OpenModeFlags: streamCreate})
	var writes []int
	for off := 0; off < len(s.attach); off += streamChunk {
		end := min(off+streamChunk, len(s.attach))
		writes = append(writes, b.add(&rop.WriteStreamRequest{RequestHeader: hdr(st), Data: s.attach[off:end]}))
	}
	b.add(&rop.CommitStreamRequest{RequestHeader: hdr(st)})
	b.add(&rop.SaveChangesAttachmentRequest{RequestHeader: hdr(att), ResponseHandleIndex: att, SaveFlags: keepOpenReadWrite})
	si := b.add(&rop.SaveChangesMessageRequest{RequestHeader: hdr(msg), ResponseHandleIndex: msg, SaveFlags: keepOpenReadWrite})
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(st)}, &rop.ReleaseRequest{RequestHeader: hdr(att)}, &rop.ReleaseRequest{RequestHeader: hdr(msg)})
	res, err := s.exec(b)
	if err != nil {
		return "", err
	}
	written := 0
	for _, i := range writes {
		w, err := response[*rop.WriteStreamResponse](res, i, b)
		if err != nil {
			return "", err
		}
		written += int(w.WrittenSize)
	}
	if written != len(s.attach) {
		return "", fmt.Errorf("RopWriteStream: %d bytes written of %d", written, len(s.attach))
	}
	sv, err := response[*rop.SaveChangesMessageResponse](res, si, b)
	if err != nil {
		return "", err
	}
	s.draft = sv.MessageId
	return fmt.Sprintf("MessageId=%s, attachment %d bytes in %d writes", s.draft, written, len(writes)), nil
}

func (s *scenario) readDraft() (string, error) {
	drafts := s.folders["Drafts"]
	b := &batch{}
	msg, tbl := b.out(), b.out()
	b.add(&rop.OpenMessageRequest{RequestHeader: hdr(b.in(drafts.handle)), OutputHandleIndex: msg, CodePageId: codePageLogon,
		FolderId: drafts.id, MessageId: s.draft})
	pi := b.add(&rop.GetPropertiesSpecificRequest{RequestHeader: hdr(msg), WantUnicode: 1, PropertyTags: []prop.Tag{tagSubject, tagBody}})
	b.add(&rop.GetAttachmentTableRequest{RequestHeader: hdr(msg), OutputHandleIndex: tbl, TableFlags: tableUnicode})
	b.add(&rop.SetColumnsRequest{RequestHeader: hdr(tbl), PropertyTags: []prop.Tag{tagAttachNumber, tagAttachLongFilename}})
	qi := b.add(&rop.QueryRowsRequest{RequestHeader: hdr(tbl), ForwardRead: true, RowCount: 10})
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(tbl)})
	res, err := s.exec(b)
	if err != nil {
		return "", err
	}
	mh := res.Handle(msg)
	defer s.releaseQuietly(mh)
	p, err := response[*rop.GetPropertiesSpecificResponse](res, pi, b)
	if err != nil {
		return "", err
	}
	if v, _ := cell(p.RowData, 0); v != s.subject {
		return "", fmt.Errorf("RopGetPropertiesSpecific: PidTagSubject is %q, %q was saved", v, s.subject)
	}
	if v, _ := cell(p.RowData, 1); v != s.body {
		return "", fmt.Errorf("RopGetPropertiesSpecific: PidTagBody is %q, %q was saved", v, s.body)
	}
	q, err := response[*rop.QueryRowsResponse](res, qi, b)
	if err != nil {
		return "", err
	}
	if len(q.RowData) != 1 {
		return "", fmt.Errorf("RopQueryRows: the attachment table has %d rows, 1 attachment was saved", len(q.RowData))
	}
	v, _ := cell(q.RowData[0], 0)
	num, ok := v.(int32)
	if !ok {
		return "", errors.New("RopQueryRows: the attachment row has no PidTagAttachNumber")
	}

	b = &batch{}
	mslot := b.in(mh)
	att, st := b.out(), b.out()
	b.add(&rop.OpenAttachmentRequest{RequestHeader: hdr(mslot), OutputHandleIndex: att, AttachmentID: uint32(num)})
	oi := b.add(&rop.OpenStreamRequest{RequestHeader: hdr(att), OutputHandleIndex: st, PropertyTag: tagAttachDataBinary, OpenModeFlags: streamReadOnly})
	ri := b.add(&rop.ReadStreamRequest{RequestHeader: hdr(st), ByteCount: readChunk})
	if res, err = s.exec(b); err != nil {
		return "", err
	}
	ah, sh := res.Handle(att), res.Handle(st)
	defer s.releaseQuietly(sh, ah)
	ost, err := response[*rop.OpenStreamResponse](res, oi, b)
	if err != nil {
		return "", err
	}
	r, err := response[*rop.ReadStreamResponse](res, ri, b)
	if err != nil {
		return "", err
	}
	data := append([]byte(nil), r.Data...)
	reads := 1
	for len(r.Data) > 0 && len(data) < int(ost.StreamSize) && reads < 64 {
		b := &batch{}
		ri := b.add(&rop.ReadStreamRequest{RequestHeader: hdr(b.in(sh)), ByteCount: readChunk})
		res, err := s.exec(b)
		if err != nil {
			return "", err
		}
		if r, err = response[*rop.ReadStreamResponse](res, ri, b); err != nil {
			return "", err
		}
		data = append(data, r.Data...)
		reads++
	}
	if int(ost.StreamSize) != len(s.attach) {
		return "", fmt.Errorf("RopOpenStream: StreamSize %d, %d bytes were written", ost.StreamSize, len(s.attach))
	}
	if !bytes.Equal(data, s.attach) {
		return "", fmt.Errorf("RopReadStream: the %d bytes read back differ from the %d written", len(data), len(s.attach))
	}
	return fmt.Sprintf("subject, body and %d attachment bytes (%d reads) match", len(data), reads), nil
}

func (s *scenario) ruleName() string { return "mapiscope rule " + s.token }

// rules lists the Inbox's rules by name: PidTagRuleId per PidTagRuleName.
func (s *scenario) rules() (map[string]int64, error) {
	inbox := s.folders["Inbox"]
	rows, _, err := s.queryTable(func(b *batch, out uint8) rop.Request {
		return &rop.GetRulesTableRequest{RequestHeader: hdr(b.in(inbox.handle)), OutputHandleIndex: out, TableFlags: rop.RulesTableUnicode}
	}, []prop.Tag{tagRuleId, tagRuleName})
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, r := range rows {
		id, _ := cell(r, 0)
		name, _ := cell(r, 1)
		n, _ := name.(string)
		if x, ok := id.(int64); ok {
			out[n] = x
		}
	}
	return out, nil
}

// ruleAdd adds a standard rule to the Inbox — [MS-OXORULE] 3.1.4.2.1 — whose
// condition no message of this run meets, and lists it.
func (s *scenario) ruleAdd() (string, error) {
	inbox := s.folders["Inbox"]
	cond := &prop.Restriction{RestrictType: prop.RestrictContent, FuzzyLevelLow: prop.FLSubstring, FuzzyLevelHigh: prop.FLIgnoreCase,
		PropTag: tagSubject, TaggedValue: prop.TaggedValue{Tag: tagSubject, Value: "no-such-subject-" + s.token}}
	acts := &prop.RuleActions{Actions: []prop.ActionBlock{{ActionType: prop.OpMarkAsRead}}}
	b := &batch{}
	b.add(&rop.ModifyRulesRequest{RequestHeader: hdr(b.in(inbox.handle)), RulesData: []rop.RuleData{{
		RuleDataFlags: rop.RowAdd,
		PropertyValues: []prop.TaggedValue{
			{Tag: tagRuleSequence, Value: int32(10)},
			{Tag: tagRuleState, Value: ruleStateEnabled},
			{Tag: tagRuleName, Value: s.ruleName()},
			{Tag: tagRuleProvider, Value: "RuleOrganizer"},
			{Tag: tagRuleLevel, Value: int32(0)},
			{Tag: tagRuleCondition, Value: cond},
			{Tag: tagRuleActions, Value: acts},
		}}}})
	if _, err := s.exec(b); err != nil {
		return "", err
	}
	rules, err := s.rules()
	if err != nil {
		return "", err
	}
	id, ok := rules[s.ruleName()]
	if !ok {
		return "", fmt.Errorf("RopQueryRows: the rules table (%d rules) does not list the rule just added", len(rules))
	}
	return fmt.Sprintf("PidTagRuleId=0x%X, %d rules", id, len(rules)), nil
}

func (s *scenario) ruleRemove() (string, error) {
	rules, err := s.rules()
	if err != nil {
		return "", err
	}
	id, ok := rules[s.ruleName()]
	if !ok {
		return "", errors.New("RopQueryRows: the rule to remove is not listed")
	}
	inbox := s.folders["Inbox"]
	b := &batch{}
	b.add(&rop.ModifyRulesRequest{RequestHeader: hdr(b.in(inbox.handle)), RulesData: []rop.RuleData{{
		RuleDataFlags: rop.RowRemove, PropertyValues: []prop.TaggedValue{{Tag: tagRuleId, Value: id}}}}})
	if _, err := s.exec(b); err != nil {
		return "", err
	}
	if rules, err = s.rules(); err != nil {
		return "", err
	}
	if _, ok := rules[s.ruleName()]; ok {
		return "", errors.New("RopQueryRows: the rules table still lists the removed rule")
	}
	return fmt.Sprintf("%d rules left", len(rules)), nil
}

func (s *scenario) sendSubject() string { return "mapiscope to self " + s.token }

// submit sends a message to oneself — [MS-OXOMSG] 3.1.4.1.3: created in
// Drafts, one To recipient ([MS-OXCDATA] 2.8.3 RecipientRow, SMTP type),
// saved, RopSubmitMessage.
func (s *scenario) submit() (string, error) {
	drafts := s.folders["Drafts"]
	name := s.cfg.Email
	if s.disc != nil && s.disc.DisplayName != "" {
		name = s.disc.DisplayName
	}
	b := &batch{}
	msg := b.out()
	b.add(&rop.CreateMessageRequest{RequestHeader: hdr(b.in(drafts.handle)), OutputHandleIndex: msg, CodePageId: codePageLogon, FolderId: drafts.id})
	b.add(&rop.SetPropertiesRequest{RequestHeader: hdr(msg), PropertyValues: []prop.TaggedValue{
		{Tag: tagMessageClass, Value: "IPM.Note"}, {Tag: tagSubject, Value: s.sendSubject()},
		{Tag: tagBody, Value: "Sent by the mapiscope client scenario.\r\n"}}})
	cols := []prop.Tag{tagSmtpAddress}
	b.add(&rop.ModifyRecipientsRequest{RequestHeader: hdr(msg), RecipientColumns: cols, RecipientRows: []rop.ModifyRecipientRow{{
		RowId: 0, RecipientType: recipientPrimary, RecipientRow: &rop.RecipientRow{
			RecipientFlags:       rop.RecipSMTP | rop.RecipE | rop.RecipD | rop.RecipS | rop.RecipU,
			EmailAddress:         s.cfg.Email,
			DisplayName:          name,
			RecipientColumnCount: uint16(len(cols)),
			RecipientProperties:  prop.Row{Values: []any{s.cfg.Email}},
		}}}})
	si := b.add(&rop.SaveChangesMessageRequest{RequestHeader: hdr(msg), ResponseHandleIndex: msg, SaveFlags: keepOpenReadWrite})
	b.add(&rop.SubmitMessageRequest{RequestHeader: hdr(msg)})
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(msg)})
	res, err := s.exec(b)
	if err != nil {
		return "", err
	}
	sv, err := response[*rop.SaveChangesMessageResponse](res, si, b)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("MessageId=%s to %s", sv.MessageId, s.cfg.Email), nil
}

// deliver polls the Inbox's contents table until the message submitted
// appears.
func (s *scenario) deliver() (string, error) {
	inbox := s.folders["Inbox"]
	start := time.Now()
	for poll := 1; poll <= deliveryPolls; poll++ {
		rows, _, err := s.queryTable(func(b *batch, out uint8) rop.Request {
			return &rop.GetContentsTableRequest{RequestHeader: hdr(b.in(inbox.handle)), OutputHandleIndex: out, TableFlags: tableUnicode}
		}, []prop.Tag{tagMid, tagSubject})
		if err != nil {
			return "", err
		}
		for _, r := range rows {
			if v, _ := cell(r, 1); v == s.sendSubject() {
				mid, _ := cell(r, 0)
				id, _ := asID(mid)
				return fmt.Sprintf("in the Inbox as %s after %d polls (%s)", id, poll, time.Since(start).Round(time.Millisecond)), nil
			}
		}
		select {
		case <-s.ctx.Done():
			return "", s.ctx.Err()
		case <-time.After(deliveryPollPeriod):
		}
	}
	return "", fmt.Errorf("the message sent to oneself is not in the Inbox after %d polls", deliveryPolls)
}

func (s *scenario) release() (string, error) {
	b := &batch{}
	n := 0
	for _, name := range []string{"Drafts", "SentItems", "Outbox", "Inbox", "IpmSubtree", "Root"} {
		if f, ok := s.folders[name]; ok && f.handle != none {
			b.add(&rop.ReleaseRequest{RequestHeader: hdr(b.in(f.handle))})
			n++
		}
	}
	b.add(&rop.ReleaseRequest{RequestHeader: hdr(b.in(s.lh))})
	if _, err := s.exec(b); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d folders and the logon; %d objects left in the decode session", n, s.mb.Session().LiveObjects()), nil
}
