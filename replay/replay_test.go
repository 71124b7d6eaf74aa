package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mapiscope/mapiscope/client"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/proxy"
	"github.com/mapiscope/mapiscope/server"
)

const replayUser, replayPassword = "alice@example.test", "alice-secret"

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// recordForReplay records the client basic scenario through the proxy in
// front of its built-in server (not deterministic: its GUIDs and times
// differ from the replay's) into a new trace, followed, when browses > 0,
// by a mailbox session that browses the folders that many times.
func recordForReplay(tb testing.TB, browses int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "scenario.trace")
	p, err := proxy.Start(proxy.RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: replayUser, Password: replayPassword}},
		Trace: path, Logger: quietLog})
	if err != nil {
		tb.Fatal(err)
	}
	cfg := client.Config{Email: replayUser, Password: replayPassword}
	if _, err := client.RunScenario(context.Background(), "basic", p.AutodiscoverURL, cfg, nil); err != nil {
		p.Close()
		tb.Fatal(err)
	}
	if browses > 0 {
		if _, err := browse(context.Background(), p.AutodiscoverURL, cfg, browses); err != nil {
			p.Close()
			tb.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

func report(t *testing.T, res *Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// browse reads mail as Outlook does most of the time: it opens the
// Inbox and its contents table once, then n times, in one Execute each,
// goes back to the top of the table, reads the rows and opens the first
// messages to read their properties.
func browse(ctx context.Context, adURL string, cfg client.Config, n int) (sent int, err error) {
	d, err := client.Autodiscover(ctx, adURL, cfg)
	if err != nil {
		return 0, err
	}
	mb := client.NewMailbox(d.MailStoreURL, cfg)
	if _, err := mb.Connect(ctx, d.LegacyDN); err != nil {
		return 0, err
	}
	res, err := mb.Execute(ctx, []rop.Request{&rop.LogonRequest{LogonFlags: 0x01, OpenFlags: 0x01000004, Essdn: d.LegacyDN}}, []uint32{unsetHandle})
	if err != nil {
		return sent, err
	}
	lg, ok := res.Response(0).(*rop.LogonResponse)
	if !ok || res.Check() != nil {
		return sent, errors.New("RopLogon failed")
	}
	inbox := lg.FolderIds[4]
	cols := []prop.Tag{0x674A0014, 0x0037001F, 0x0E080003, 0x0E070003}
	res, err = mb.Execute(ctx, []rop.Request{
		&rop.OpenFolderRequest{OutputHandleIndex: 1, FolderId: inbox},
		&rop.GetContentsTableRequest{RequestHeader: rop.RequestHeader{InputHandleIndex: 1}, OutputHandleIndex: 2, TableFlags: 0x40},
		&rop.SetColumnsRequest{RequestHeader: rop.RequestHeader{InputHandleIndex: 2}, PropertyTags: cols},
		&rop.QueryRowsRequest{RequestHeader: rop.RequestHeader{InputHandleIndex: 2}, ForwardRead: true, RowCount: 50},
	}, []uint32{res.Handle(0), unsetHandle, unsetHandle})
	if err != nil {
		return sent, err
	}
	if err := res.Check(); err != nil {
		return sent, err
	}
	lh, fh, th := res.Handles[0], res.Handles[1], res.Handles[2]
	q, ok := res.Response(3).(*rop.QueryRowsResponse)
	if !ok {
		return sent, errors.New("RopQueryRows: no rows")
	}
	var mids []prop.ID
	for _, row := range q.RowData {
		if id, ok := row.Values[0].(int64); ok && len(mids) < 5 {
			mids = append(mids, prop.ID(uint64(id)))
		}
	}
	for i := 0; i < n; i++ {
		rops := []rop.Request{
			&rop.SeekRowRequest{RequestHeader: rop.RequestHeader{InputHandleIndex: 2}, Origin: 0},
			&rop.QueryRowsRequest{RequestHeader: rop.RequestHeader{InputHandleIndex: 2}, ForwardRead: true, RowCount: 50},
		}
		handles := []uint32{lh, fh, th}
		for _, mid := range mids {
			out := uint8(len(handles))
			handles = append(handles, unsetHandle)
			rops = append(rops,
				&rop.OpenMessageRequest{RequestHeader: rop.RequestHeader{InputHandleIndex: 1}, OutputHandleIndex: out, CodePageId: 0x0FFF, FolderId: inbox, MessageId: mid},
				&rop.GetPropertiesSpecificRequest{RequestHeader: rop.RequestHeader{InputHandleIndex: out}, WantUnicode: 1, PropertyTags: cols[1:]},
				&rop.ReleaseRequest{RequestHeader: rop.RequestHeader{InputHandleIndex: out}})
		}
		res, err := mb.Execute(ctx, rops, handles)
		if err != nil {
			return sent, err
		}
		if err := res.Check(); err != nil {
			return sent, err
		}
		sent += len(rops)
	}
	return sent, mb.Disconnect(ctx)
}

// TestReplayBuiltinClean is the first acceptance test of issue 9: a
// recording of the client scenario replays against the built-in server
// with no difference.
func TestReplayBuiltinClean(t *testing.T) {
	path := recordForReplay(t, 0)
	var progress []int
	res, err := Run(context.Background(), SessionRef{Trace: path}, Options{Target: "builtin",
		Progress: func(done, total int) { progress = append(progress, done, total) }})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Summary.Clean() || len(res.Errors) > 0 {
		t.Fatalf("replay not clean:\n%s", report(t, res))
	}
	// 4 NSPI requests, Connect, the Executes, Disconnect.
	if res.Requests < 30 || res.Summary.Same < 70 {
		t.Errorf("%d requests, %d ROPs the same: the session was not replayed whole\n%s", res.Requests, res.Summary.Same, report(t, res))
	}
	seen := map[string]bool{}
	for _, rr := range res.Rops {
		seen[rr.Rop] = true
	}
	for _, want := range []string{"Bind", "ResolveNames", "GetProps", "Unbind", "Connect", "Disconnect", "RopLogon",
		"RopIdFromLongTermId", "RopOpenMessage", "RopReadStream", "RopModifyRules", "RopSubmitMessage"} {
		if !seen[want] {
			t.Errorf("no %s among the results", want)
		}
	}
	if n := len(progress); n == 0 || progress[n-2] != progress[n-1] || progress[n-1] != res.Requests {
		t.Errorf("progress ends at %v, want done = total = %d", progress[max(0, n-2):], res.Requests)
	}
	js, err := json.Marshal(res)
	if err != nil || !bytes.Contains(js, []byte(`"summary":{"same":`)) {
		t.Errorf("JSON: %v %.200s", err, js)
	}
}

// TestReplayChangedAnswer is the second acceptance test: a server that
// answers one ROP differently is reported for exactly that ROP, with the
// field, in the text, the Result and the JUnit file.
func TestReplayChangedAnswer(t *testing.T) {
	path := recordForReplay(t, 0)
	var changed atomic.Int32
	tune := func(c *server.Config) {
		c.RopHook = func(user string, req, resp any) {
			// The first GetPropertiesSpecific that reads a string: the
			// draft's subject, read back.
			r, ok := resp.(*rop.GetPropertiesSpecificResponse)
			if !ok || changed.Load() > 0 {
				return
			}
			for i, v := range r.RowData.Values {
				if s, ok := v.(string); ok && strings.HasPrefix(s, "mapiscope draft") {
					r.RowData.Values[i] = "changed by the test"
					changed.Add(1)
					return
				}
			}
		}
	}
	res, err := Run(context.Background(), SessionRef{Trace: path}, Options{Target: "builtin", BuiltinTune: tune})
	if err != nil {
		t.Fatal(err)
	}
	if changed.Load() != 1 {
		t.Fatalf("the hook changed %d responses", changed.Load())
	}
	if res.Summary.Clean() || res.Summary.Different != 1 || res.Summary.Missing+res.Summary.Extra != 0 {
		t.Fatalf("want exactly one different ROP:\n%s", report(t, res))
	}
	var diff RopResult
	for _, rr := range res.Rops {
		if rr.Outcome != Same {
			diff = rr
		}
	}
	if diff.Rop != "RopGetPropertiesSpecific" || len(diff.Diffs) != 1 || !strings.Contains(diff.Diffs[0].Path, "PidTagSubject") ||
		diff.Diffs[0].Live != "changed by the test" {
		t.Errorf("different ROP: %+v", diff)
	}
	if txt := report(t, res); !strings.Contains(txt, "RopGetPropertiesSpecific: different") || !strings.Contains(txt, "changed by the test") {
		t.Errorf("text report:\n%s", txt)
	}

	var b bytes.Buffer
	if err := res.WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit: %v\n%s", err, b.String())
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Failures != 1 || doc.Suites[0].Tests != len(res.Rops) {
		t.Fatalf("JUnit suites: %+v", doc.Suites)
	}
	failed := 0
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil {
			failed++
			if !strings.Contains(c.Name, "RopGetPropertiesSpecific") || !strings.Contains(c.Failure.Message, "PidTagSubject") ||
				!strings.Contains(c.Failure.Text, "changed by the test") {
				t.Errorf("JUnit failure %q: %+v", c.Name, c.Failure)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d JUnit testcases fail, want 1", failed)
	}
}

// TestReplaySession replays one session of a trace (the address book one)
// and refuses sessions and traces that do not exist.
func TestReplaySession(t *testing.T) {
	path := recordForReplay(t, 0)
	res, err := Run(context.Background(), SessionRef{Trace: path, Session: 1}, Options{Target: "builtin"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Summary.Clean() || res.Requests != 4 || len(res.Rops) != 4 || res.Rops[0].Rop != "Bind" {
		t.Errorf("NSPI session replay:\n%s", report(t, res))
	}
	for _, c := range []struct {
		ref SessionRef
		opt Options
	}{
		{SessionRef{Trace: path, Session: 99}, Options{Target: "builtin"}},
		{SessionRef{Trace: filepath.Join(t.TempDir(), "none.trace")}, Options{Target: "builtin"}},
		{SessionRef{Trace: path}, Options{}},
		{SessionRef{Trace: path}, Options{Target: "ftp://x"}},
		{SessionRef{Trace: path}, Options{Target: "http://127.0.0.1:1", SeedFromTrace: true}},
	} {
		if _, err := Run(context.Background(), c.ref, c.opt); !errors.Is(err, ErrBadInput) {
			t.Errorf("%v %+v: err %v, want ErrBadInput", c.ref, c.opt, err)
		}
	}
	// A target that does not answer is a failure, not bad input.
	if _, err := Run(context.Background(), SessionRef{Trace: path}, Options{Target: "http://127.0.0.1:1"}); err == nil || errors.Is(err, ErrBadInput) {
		t.Errorf("unreachable target: %v", err)
	}
}

// TestReplaySeedFromTrace replays against a built-in mailbox built from
// the trace alone (no demo mail): every request gets its answers, and the
// folders, messages and ids the session uses are there.
func TestReplaySeedFromTrace(t *testing.T) {
	path := recordForReplay(t, 0)
	res, err := Run(context.Background(), SessionRef{Trace: path}, Options{Target: "builtin", SeedFromTrace: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", report(t, res))
	if len(res.Errors) > 0 || res.Summary.Missing+res.Summary.Extra > 0 || res.Summary.Same < 70 {
		t.Errorf("seeded replay:\n%s", report(t, res))
	}
}

// TestRewriteRequest checks the id, GUID, EntryID and DN rewriting of
// requests, nested restrictions included.
func TestRewriteRequest(t *testing.T) {
	n := NewNormalizer()
	recFolder, liveFolder := prop.MakeID(1, 0x10), prop.MakeID(1, 0x20)
	recMsg, liveMsg := prop.MakeID(1, 0x11), prop.MakeID(1, 0x31)
	n.IDs.Match(recFolder.String(), liveFolder.String())
	n.IDs.Match(recMsg.String(), liveMsg.String())
	recGUID, liveGUID := prop.GUID{1, 2, 3}, prop.GUID{9, 9, 9}
	n.guidRe[string(recGUID[:])] = string(liveGUID[:]) // as Compare learns it from ReplGuid
	n.IDs.Match("123", "456")                          // a PidTagRuleId, as Compare maps them
	w := newRewriter(n)
	w.recDN, w.liveDN = "/o=rec/cn=alice", "/o=live/cn=alice"

	open := &rop.OpenMessageRequest{FolderId: recFolder, MessageId: recMsg}
	w.request(open)
	if open.FolderId != liveFolder || open.MessageId != liveMsg {
		t.Errorf("OpenMessage: %s %s", open.FolderId, open.MessageId)
	}
	del := &rop.DeleteMessagesRequest{MessageIds: []prop.ID{recMsg, prop.MakeID(1, 0x99)}}
	w.request(del)
	if del.MessageIds[0] != liveMsg || del.MessageIds[1] != prop.MakeID(1, 0x99) {
		t.Errorf("DeleteMessages: %v (an unknown id stays)", del.MessageIds)
	}
	restr := &rop.RestrictRequest{Restriction: &prop.Restriction{RestrictType: prop.RestrictAnd, Restricts: []prop.Restriction{
		{RestrictType: prop.RestrictProperty, PropTag: 0x674A0014, TaggedValue: prop.TaggedValue{Tag: 0x674A0014, Value: int64(recMsg)}},
		{RestrictType: prop.RestrictProperty, PropTag: 0x0E080003, TaggedValue: prop.TaggedValue{Tag: 0x0E080003, Value: int32(7)}},
	}}}
	w.request(restr)
	if got := restr.Restriction.Restricts[0].TaggedValue.Value; got != int64(liveMsg) {
		t.Errorf("restriction PidTagMid: %v", got)
	}
	if got := restr.Restriction.Restricts[1].TaggedValue.Value; got != int32(7) {
		t.Errorf("restriction PidTagMessageSize: %v", got)
	}
	lt := &rop.IdFromLongTermIdRequest{LongTermId: prop.LongTermID{DatabaseGuid: recGUID, GlobalCounter: 0x10}}
	w.request(lt)
	if lt.LongTermId.DatabaseGuid != liveGUID || lt.LongTermId.GlobalCounter != 0x20 {
		t.Errorf("LongTermId: %+v", lt.LongTermId)
	}
	eid, err := prop.EncodeEntryID(&prop.FolderEntryID{ProviderUID: recGUID, FolderType: 1, DatabaseGuid: recGUID, GlobalCounter: 0x10})
	if err != nil {
		t.Fatal(err)
	}
	set := &rop.SetPropertiesRequest{PropertyValues: []prop.TaggedValue{{Tag: 0x0FFF0102, Value: eid}, {Tag: 0x3001001F, Value: "/o=rec/cn=alice"}}}
	w.request(set)
	_, v, _, _ := prop.DecodeEntryID(set.PropertyValues[0].Value.([]byte), false)
	if f, ok := v.(*prop.FolderEntryID); !ok || f.DatabaseGuid != liveGUID || f.ProviderUID != liveGUID || f.GlobalCounter != 0x20 {
		t.Errorf("EntryID: %+v", v)
	}
	if set.PropertyValues[1].Value != "/o=live/cn=alice" {
		t.Errorf("DN: %v", set.PropertyValues[1].Value)
	}
	rules := &rop.ModifyRulesRequest{RulesData: []rop.RuleData{{RuleDataFlags: rop.RowRemove,
		PropertyValues: []prop.TaggedValue{{Tag: 0x66740014, Value: int64(123)}}}}}
	w.request(rules)
	if got := rules.RulesData[0].PropertyValues[0].Value; got != int64(456) {
		t.Errorf("PidTagRuleId: %v", got)
	}
	logon := &rop.LogonRequest{Essdn: "/O=REC/CN=ALICE"}
	w.request(logon)
	if logon.Essdn != "/o=live/cn=alice" {
		t.Errorf("RopLogon Essdn: %q", logon.Essdn)
	}

	w.learnHandles([]uint32{0x10, unsetHandle, 0x11}, []uint32{0x90, 0x91, unsetHandle})
	if w.handle(0x10) != 0x90 || w.handle(0x11) != 0x11 || w.handle(unsetHandle) != unsetHandle || w.handle(0x55) != 0x55 {
		t.Errorf("handles: %v", w.handles)
	}

	w.learnMIDs(&nspi.ResolveNamesResponse{MinimalIds: []uint32{0x100, 0, 0x101}}, &nspi.ResolveNamesResponse{MinimalIds: []uint32{0x200, 0, 0x201}})
	gp := &nspi.GetPropsRequest{State: &nspi.STAT{CurrentRec: 0x101, ContainerID: 0}}
	w.nspiRequest(gp)
	if gp.State.CurrentRec != 0x201 || gp.State.ContainerID != 0 {
		t.Errorf("STAT: %+v", gp.State)
	}
	if !w.mappedMID(Difference{Path: "X/MinimalIds[0]", Recorded: "256", Live: "512"}) ||
		w.mappedMID(Difference{Path: "X/MinimalIds[0]", Recorded: "256", Live: "513"}) ||
		w.mappedMID(Difference{Path: "X/RowCount", Recorded: "256", Live: "512"}) {
		t.Error("mappedMID")
	}
}

// BenchmarkReplay replays a long recorded session (the client scenario,
// then 300 Executes of reading mail) against the in-process built-in
// server and reports ROPs per second, the server's time included. The
// client sub-benchmark runs the same 300 Executes straight from the
// client against the same kind of server: the ceiling a replay can reach.
func BenchmarkReplay(b *testing.B) {
	const executes = 300
	// As mapiscope replay runs.
	defer debug.SetGCPercent(debug.SetGCPercent(proxy.GCPercent))
	b.Run("replay", func(b *testing.B) {
		path := recordForReplay(b, executes)
		b.ResetTimer()
		rops := 0
		for i := 0; i < b.N; i++ {
			res, err := Run(context.Background(), SessionRef{Trace: path}, Options{Target: "builtin"})
			if err != nil {
				b.Fatal(err)
			}
			if !res.Summary.Clean() {
				b.Fatalf("not clean: %+v %v", res.Summary, res.Errors)
			}
			rops += len(res.Rops)
		}
		b.ReportMetric(float64(rops)/b.Elapsed().Seconds(), "ROPs/s")
	})
	b.Run("client", func(b *testing.B) {
		rops := 0
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			srv, err := server.Start(server.RunConfig{Listen: "http://127.0.0.1:0", Users: []server.UserSpec{{Email: replayUser, Password: replayPassword}},
				Deterministic: true, Logger: quietLog})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			n, err := browse(context.Background(), srv.AutodiscoverURL, client.Config{Email: replayUser, Password: replayPassword}, executes)
			if err != nil {
				b.Fatal(err)
			}
			rops += n
			b.StopTimer()
			srv.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(rops)/b.Elapsed().Seconds(), "ROPs/s")
	})
}
