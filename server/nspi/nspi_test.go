package nspi

import (
	"errors"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	nsp "github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

const recipients = "/o=mapiscope/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="

var (
	testGUID = prop.GUID{0xab, 0xbc, 0x8b, 0x86, 0x79, 0x33, 0xc4, 0x48, 0xa1, 0xef, 0x1b, 0x53, 0xe6, 0x3b, 0xdc, 0x46}
	aliceBox = prop.GUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
)

// testEntries is a three-user GAL, listed out of display-name order.
func testEntries() []Entry {
	return []Entry{
		{Email: "carol@example.com", DisplayName: "Carol Alison", LegacyDN: recipients + "carol", Alias: "carol"},
		{Email: "alice@example.com", DisplayName: "Alice Anders", LegacyDN: recipients + "alice", Alias: "alice", MailboxGUID: aliceBox},
		{Email: "bob@example.com", DisplayName: "Bob Baker", LegacyDN: recipients + "bob", Alias: "bob"},
	}
}

func testServer() *Server {
	return New(Config{
		Entries:        testEntries,
		ServerDN:       DefaultServerDN,
		MailboxURL:     func(e string) string { return "https://mail.example.com/mapi/emsmdb/?MailboxId=" + e },
		AddressBookURL: func(e string) string { return "https://mail.example.com/mapi/nspi/?MailboxId=" + e },
		ServerGUID:     testGUID,
	})
}

// The GAL in table order: MIds are assigned from firstMId by display name.
const (
	midAlice = firstMId + iota
	midBob
	midCarol
	midServer
)

// requestType names the request type of a request body.
func requestType(t *testing.T, req nsp.Body) mapihttp.RequestType {
	t.Helper()
	rt, ok := mapihttp.ParseRequestType(strings.TrimSuffix(req.Name(), "Request"))
	if !ok {
		t.Fatalf("no request type for %s", req.Name())
	}
	return rt
}

// encode encodes a request body with its codec.
func encode(t testing.TB, req nsp.Body) []byte {
	t.Helper()
	c := wire.NewEncoder(nil)
	req.Codec(c)
	if err := c.Err(); err != nil {
		t.Fatalf("encoding %s: %v", req.Name(), err)
	}
	return c.Output()
}

// call sends one encoded request through Handle and decodes the response
// with decode/nspi, which must find nothing wrong with it.
func call(t *testing.T, s *Server, sess *Session, req nsp.Body) nsp.Body {
	t.Helper()
	rt := requestType(t, req)
	out, err := s.Handle(sess, rt, encode(t, req))
	if err != nil {
		t.Fatalf("%s: %v", rt, err)
	}
	return decodeResponse(t, rt, out)
}

func decodeResponse(t testing.TB, rt mapihttp.RequestType, out []byte) nsp.Body {
	t.Helper()
	resp, c, err := nsp.DecodeResponse(rt, out, 0, false)
	if err != nil {
		t.Fatalf("%s response does not decode: %v", rt, err)
	}
	if as := c.Anomalies(); len(as) > 0 {
		t.Fatalf("%s response has anomalies: %v", rt, as)
	}
	return resp
}

func bound(t *testing.T) (*Server, *Session) {
	t.Helper()
	s := testServer()
	sess := s.NewSession("alice@example.com")
	resp := call(t, s, sess, &nsp.BindRequest{State: &nsp.STAT{CodePage: 1252, TemplateLocale: 0x409, SortLocale: 0x409}}).(*nsp.BindResponse)
	if resp.ErrorCode != Success || resp.ServerGuid != testGUID {
		t.Fatalf("Bind: %v %v", resp.ErrorCode, resp.ServerGuid)
	}
	return s, sess
}

func stat(cur uint32, delta int32) *nsp.STAT {
	return &nsp.STAT{CurrentRec: cur, Delta: delta, CodePage: 1252, TemplateLocale: 0x409, SortLocale: 0x409}
}

func wantCode(t *testing.T, what string, got, want prop.ErrorCode) {
	t.Helper()
	if got != want {
		t.Errorf("%s: ErrorCode %v, want %v", what, got, want)
	}
}

func wantMIds(t *testing.T, what string, got []uint32, want ...uint32) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: MIds %#x, want %#x", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: MIds %#x, want %#x", what, got, want)
			return
		}
	}
}

// names returns the display names (column col) of rows.
func names(rows []nsp.PropertyRow, col int) []string {
	var out []string
	for _, r := range rows {
		s, _ := r.ValueArray[col].Value.(string)
		out = append(out, s)
	}
	return out
}

func wantNames(t *testing.T, what string, rows []nsp.PropertyRow, col int, want ...string) {
	t.Helper()
	if got := names(rows, col); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s: rows %q, want %q", what, got, want)
	}
}

func TestBind(t *testing.T) {
	s := testServer()
	cases := []struct {
		name string
		user string
		req  *nsp.BindRequest
		want prop.ErrorCode
	}{
		{"no STAT", "alice@example.com", &nsp.BindRequest{}, Success},
		{"code page 1252", "alice@example.com", &nsp.BindRequest{State: stat(0, 0)}, Success},
		{"anonymous", "alice@example.com", &nsp.BindRequest{Flags: nsp.FAnonymousLogin}, NotSupported},
		{"no user", "", &nsp.BindRequest{}, LogonFailed},
		{"CP_WINUNICODE", "alice@example.com", &nsp.BindRequest{State: &nsp.STAT{CodePage: nsp.CPWinUnicode}}, InvalidCodepage},
		{"unknown code page", "alice@example.com", &nsp.BindRequest{State: &nsp.STAT{CodePage: 0xFF}}, InvalidCodepage},
	}
	for _, tc := range cases {
		resp := call(t, s, s.NewSession(tc.user), tc.req).(*nsp.BindResponse)
		wantCode(t, tc.name, resp.ErrorCode, tc.want)
		if tc.want == Success && resp.ServerGuid != testGUID {
			t.Errorf("%s: ServerGuid %v", tc.name, resp.ServerGuid)
		}
	}
	// Without a user nothing else is answered either.
	resp := call(t, s, s.NewSession(""), &nsp.QueryRowsRequest{State: stat(0, 0), RowCount: 10}).(*nsp.QueryRowsResponse)
	wantCode(t, "QueryRows without a user", resp.ErrorCode, LogonFailed)
}

func TestResolveNames(t *testing.T) {
	s, sess := bound(t)
	req := &nsp.ResolveNamesRequest{
		State:        stat(0, 0),
		PropertyTags: []prop.Tag{tagDisplayName, tagSMTPAddress, tagEmailAddress},
		NameValues:   []string{"alice@example.com", "BOB", "nobody", "ali", "=carol", "SMTP:carol@example.com", recipients + "bob"},
	}
	resp := call(t, s, sess, req).(*nsp.ResolveNamesResponse)
	wantCode(t, "ResolveNames", resp.ErrorCode, Success)
	// "ali" starts Alice Anders and Carol Alison: ambiguous.
	wantMIds(t, "ResolveNames", resp.MinimalIds, midAlice, midBob, nsp.MIDUnresolved, nsp.MIDAmbiguous, midCarol, midCarol, midBob)
	wantNames(t, "ResolveNames", resp.RowData, 0, "Alice Anders", "Bob Baker", "Carol Alison", "Carol Alison", "Bob Baker")
	if got, _ := resp.RowData[0].ValueArray[2].Value.(string); got != recipients+"alice" {
		t.Errorf("PidTagEmailAddress %q", got)
	}

	// No columns: the default set, display name as PtypString8.
	resp = call(t, s, sess, &nsp.ResolveNamesRequest{State: stat(0, 0), NameValues: []string{"bob"}}).(*nsp.ResolveNamesResponse)
	if len(resp.PropertyTags) != len(defaultColumns) || resp.PropertyTags[3] != tagDisplayName.WithType(prop.PtypString8) {
		t.Errorf("default columns %v", resp.PropertyTags)
	}
	wantNames(t, "default columns", resp.RowData, 3, "Bob Baker")

	// Nothing resolved: no rows.
	resp = call(t, s, sess, &nsp.ResolveNamesRequest{State: stat(0, 0), NameValues: []string{"zed"}}).(*nsp.ResolveNamesResponse)
	wantMIds(t, "unresolved", resp.MinimalIds, nsp.MIDUnresolved)
	if resp.HasRowsAndCols.Set() || len(resp.RowData) != 0 {
		t.Errorf("rows for an unresolved name: %v", resp.RowData)
	}
}

func TestGetMatches(t *testing.T) {
	s, sess := bound(t)
	anr := func(v string) *prop.Restriction {
		return &prop.Restriction{
			RestrictType: prop.RestrictProperty, RelOp: prop.RelopEQ, PropTag: tagAnr,
			TaggedValue: prop.TaggedValue{Tag: tagAnr, Value: v},
		}
	}
	cols := []prop.Tag{tagDisplayName, tagEntryID}
	resp := call(t, s, sess, &nsp.GetMatchesRequest{State: stat(0, 0), Filter: anr("ali"), RowCount: 50, Columns: cols}).(*nsp.GetMatchesResponse)
	wantCode(t, "GetMatches PR_ANR ali", resp.ErrorCode, Success)
	wantMIds(t, "GetMatches PR_ANR ali", resp.MinimalIds, midAlice, midCarol)
	wantNames(t, "GetMatches PR_ANR ali", resp.RowData, 0, "Alice Anders", "Carol Alison")
	if resp.State == nil || resp.State.TotalRecs != 2 || resp.State.CurrentRec != nsp.MIDBeginningOfTable {
		t.Errorf("GetMatches STAT %+v", resp.State)
	}
	// Rows carry Ephemeral Entry IDs of the server's GUID.
	for i, row := range resp.RowData {
		id := decodeEntryID(t, row.ValueArray[1].Value)
		if !id.Ephemeral() || id.ProviderUID != testGUID || id.MId != resp.MinimalIds[i] {
			t.Errorf("row %d EntryID %+v", i, id)
		}
	}

	// More matches than RowCount: TableTooBig.
	resp = call(t, s, sess, &nsp.GetMatchesRequest{State: stat(0, 0), Filter: anr("ali"), RowCount: 1}).(*nsp.GetMatchesResponse)
	wantCode(t, "GetMatches RowCount 1", resp.ErrorCode, TableTooBig)

	// ANR inside And/Not, and an ordinary content restriction.
	notCarol := &prop.Restriction{RestrictType: prop.RestrictAnd, Restricts: []prop.Restriction{
		*anr("ali"),
		{RestrictType: prop.RestrictNot, Restriction: &prop.Restriction{
			RestrictType: prop.RestrictContent, FuzzyLevelLow: prop.FLSubstring, FuzzyLevelHigh: prop.FLIgnoreCase,
			PropTag: tagSMTPAddress, TaggedValue: prop.TaggedValue{Tag: tagSMTPAddress, Value: "CAROL"},
		}},
	}}
	resp = call(t, s, sess, &nsp.GetMatchesRequest{State: stat(0, 0), Filter: notCarol, RowCount: 50}).(*nsp.GetMatchesResponse)
	wantMIds(t, "ANR and not carol", resp.MinimalIds, midAlice)
	if resp.HasColsAndRows.Set() {
		t.Errorf("rows without columns")
	}

	// An explicit table restricts the candidates.
	resp = call(t, s, sess, &nsp.GetMatchesRequest{State: stat(0, 0), MinimalIds: []uint32{midCarol, midBob}, Filter: anr("ali"), RowCount: 50}).(*nsp.GetMatchesResponse)
	wantMIds(t, "explicit table", resp.MinimalIds, midCarol)

	// A property restriction on an 8-bit string.
	eq := &prop.Restriction{RestrictType: prop.RestrictProperty, RelOp: prop.RelopEQ, PropTag: tagAccount.WithType(prop.PtypString8),
		TaggedValue: prop.TaggedValue{Tag: tagAccount.WithType(prop.PtypString8), Value: "bob"}}
	resp = call(t, s, sess, &nsp.GetMatchesRequest{State: stat(0, 0), Filter: eq, RowCount: 50}).(*nsp.GetMatchesResponse)
	wantMIds(t, "PidTagAccount = bob", resp.MinimalIds, midBob)

	// No filter and no object: GeneralFailure; another container: InvalidBookmark.
	resp = call(t, s, sess, &nsp.GetMatchesRequest{State: stat(0, 0), RowCount: 50}).(*nsp.GetMatchesResponse)
	wantCode(t, "no filter", resp.ErrorCode, GeneralFailure)
	st := stat(0, 0)
	st.ContainerID = 1
	resp = call(t, s, sess, &nsp.GetMatchesRequest{State: st, Filter: anr("a"), RowCount: 50}).(*nsp.GetMatchesResponse)
	wantCode(t, "unknown container", resp.ErrorCode, InvalidBookmark)
}

func decodeEntryID(t *testing.T, v any) nsp.EntryID {
	t.Helper()
	b, _ := v.([]byte)
	var id nsp.EntryID
	c := wire.NewDecoder(b, false, "EntryID")
	nsp.CodecEntryID(c, &id, "")
	if c.Err() != nil || c.Remaining() != 0 || len(c.Anomalies()) > 0 {
		t.Fatalf("EntryID %x: %v %v", b, c.Err(), c.Anomalies())
	}
	return id
}

func TestDNToMId(t *testing.T) {
	s, sess := bound(t)
	resp := call(t, s, sess, &nsp.DNToMIdRequest{NameValues: []string{
		strings.ToUpper(recipients + "alice"), recipients + "nobody", DefaultServerDN, recipients + "carol",
	}}).(*nsp.DNToMIdResponse)
	wantCode(t, "DNToMId", resp.ErrorCode, Success)
	wantMIds(t, "DNToMId", resp.MinimalIds, midAlice, 0, midServer, midCarol)
}

func TestQueryRowsPaging(t *testing.T) {
	s, sess := bound(t)
	cols := []prop.Tag{tagDisplayName, tagAccount}
	resp := call(t, s, sess, &nsp.QueryRowsRequest{State: stat(nsp.MIDBeginningOfTable, 0), RowCount: 2, Columns: cols}).(*nsp.QueryRowsResponse)
	wantCode(t, "page 1", resp.ErrorCode, Success)
	wantNames(t, "page 1", resp.RowData, 0, "Alice Anders", "Bob Baker")
	if st := resp.State; st == nil || st.CurrentRec != midCarol || st.NumPos != 2 || st.TotalRecs != 3 || st.Delta != 0 {
		t.Fatalf("page 1 STAT %+v", resp.State)
	}
	resp = call(t, s, sess, &nsp.QueryRowsRequest{State: resp.State, RowCount: 2, Columns: cols}).(*nsp.QueryRowsResponse)
	wantNames(t, "page 2", resp.RowData, 0, "Carol Alison")
	if st := resp.State; st.CurrentRec != nsp.MIDEndOfTable || st.NumPos != 3 {
		t.Errorf("page 2 STAT %+v", st)
	}
	resp = call(t, s, sess, &nsp.QueryRowsRequest{State: resp.State, RowCount: 2, Columns: cols}).(*nsp.QueryRowsResponse)
	wantCode(t, "past the end", resp.ErrorCode, Success)
	if len(resp.RowData) != 0 {
		t.Errorf("past the end: %d rows", len(resp.RowData))
	}

	// Delta moves before reading; fractional positioning scales NumPos.
	resp = call(t, s, sess, &nsp.QueryRowsRequest{State: stat(midAlice, 2), RowCount: 5, Columns: cols}).(*nsp.QueryRowsResponse)
	wantNames(t, "Delta 2", resp.RowData, 0, "Carol Alison")
	frac := stat(nsp.MIDCurrent, 0)
	frac.NumPos, frac.TotalRecs = 50, 100
	resp = call(t, s, sess, &nsp.QueryRowsRequest{State: frac, RowCount: 1, Columns: cols}).(*nsp.QueryRowsResponse)
	wantNames(t, "fractional 50/100", resp.RowData, 0, "Bob Baker")

	// An explicit table: its rows in its order, an unknown MId as errors,
	// the STAT untouched.
	in := stat(midBob, 0)
	resp = call(t, s, sess, &nsp.QueryRowsRequest{State: in, ExplicitTable: []uint32{midCarol, 0x7777, midAlice}, RowCount: 10, Columns: cols}).(*nsp.QueryRowsResponse)
	wantNames(t, "explicit", resp.RowData, 0, "Carol Alison", "", "Alice Anders")
	if resp.RowData[0].Flags != nsp.RowStandard || resp.RowData[1].Flags != nsp.RowFlagged ||
		resp.RowData[1].ValueArray[0].Flag != nsp.FlagError || resp.RowData[1].ValueArray[0].Value != NotFound {
		t.Errorf("explicit rows %+v", resp.RowData)
	}
	if *resp.State != *in {
		t.Errorf("explicit table moved the STAT: %+v", resp.State)
	}

	// No columns: the default set.
	resp = call(t, s, sess, &nsp.QueryRowsRequest{State: stat(0, 0), RowCount: 1}).(*nsp.QueryRowsResponse)
	if len(resp.Columns) != len(defaultColumns) {
		t.Errorf("default columns %v", resp.Columns)
	}
	wantNames(t, "default columns", resp.RowData, 3, "Alice Anders")
	if resp.RowData[0].Flags != nsp.RowFlagged { // no telephone number, department, office
		t.Errorf("default row flags %d", resp.RowData[0].Flags)
	}

	// PtypUnspecified columns come back typed.
	resp = call(t, s, sess, &nsp.QueryRowsRequest{State: stat(0, 0), RowCount: 1, Columns: []prop.Tag{tagDisplayName.WithType(prop.PtypUnspecified), tagObjectType.WithType(prop.PtypUnspecified)}}).(*nsp.QueryRowsResponse)
	if v := resp.RowData[0].ValueArray; v[0].PropertyType != prop.PtypString || v[0].Value != "Alice Anders" || v[1].PropertyType != prop.PtypInteger32 || v[1].Value != objectTypeMailUser {
		t.Errorf("typed values %+v", v)
	}

	for _, tc := range []struct {
		name string
		req  *nsp.QueryRowsRequest
		want prop.ErrorCode
	}{
		{"Count 0", &nsp.QueryRowsRequest{State: stat(0, 0)}, InvalidParameter},
		{"unknown CurrentRec", &nsp.QueryRowsRequest{State: stat(0x7777, 0), RowCount: 1}, NotFound},
		{"unknown container", &nsp.QueryRowsRequest{State: &nsp.STAT{ContainerID: 1, CodePage: 1252}, RowCount: 1}, InvalidBookmark},
		{"CP_WINUNICODE", &nsp.QueryRowsRequest{State: &nsp.STAT{CodePage: nsp.CPWinUnicode}, RowCount: 1}, InvalidCodepage},
	} {
		resp := call(t, s, sess, tc.req).(*nsp.QueryRowsResponse)
		wantCode(t, tc.name, resp.ErrorCode, tc.want)
		if resp.State != nil {
			t.Errorf("%s: a STAT in a failed response", tc.name)
		}
	}
}

func TestSeekEntries(t *testing.T) {
	s, sess := bound(t)
	target := func(tag prop.Tag, v any) *nsp.TaggedValue { tv := nsp.Tagged(tag, v); return &tv }
	resp := call(t, s, sess, &nsp.SeekEntriesRequest{State: stat(0, 0), Target: target(tagDisplayName, "b"), Columns: []prop.Tag{tagDisplayName}}).(*nsp.SeekEntriesResponse)
	wantCode(t, "seek b", resp.ErrorCode, Success)
	if st := resp.State; st.CurrentRec != midBob || st.NumPos != 1 || st.TotalRecs != 3 {
		t.Errorf("seek b STAT %+v", st)
	}
	wantNames(t, "seek b", resp.RowData, 0, "Bob Baker", "Carol Alison")

	// 8-bit target, in an explicit table.
	resp = call(t, s, sess, &nsp.SeekEntriesRequest{State: stat(0, 0), Target: target(tagDisplayName.WithType(prop.PtypString8), "Bz"), ExplicitTable: []uint32{midAlice, midCarol}}).(*nsp.SeekEntriesResponse)
	if st := resp.State; resp.ErrorCode != Success || st.CurrentRec != midCarol || st.NumPos != 1 || st.TotalRecs != 2 {
		t.Errorf("explicit seek: %v %+v", resp.ErrorCode, st)
	}
	if resp.HasColsAndRows.Set() {
		t.Errorf("rows without columns")
	}

	phonetic := stat(0, 0)
	phonetic.SortType = nsp.SortTypePhoneticDisplayName
	for _, tc := range []struct {
		name string
		req  *nsp.SeekEntriesRequest
		want prop.ErrorCode
	}{
		{"past the last name", &nsp.SeekEntriesRequest{State: stat(0, 0), Target: target(tagDisplayName, "zz")}, NotFound},
		{"not the sort key", &nsp.SeekEntriesRequest{State: stat(0, 0), Target: target(tagDisplayType, int32(0))}, GeneralFailure},
		{"phonetic sort", &nsp.SeekEntriesRequest{State: phonetic, Target: target(tagDisplayName, "a")}, GeneralFailure},
		{"no target", &nsp.SeekEntriesRequest{State: stat(0, 0)}, InvalidParameter},
	} {
		resp := call(t, s, sess, tc.req).(*nsp.SeekEntriesResponse)
		wantCode(t, tc.name, resp.ErrorCode, tc.want)
	}
}

func TestUpdateStat(t *testing.T) {
	s, sess := bound(t)
	for _, tc := range []struct {
		name      string
		in        *nsp.STAT
		wantRec   uint32
		wantPos   uint32
		wantDelta int32
	}{
		{"forward 2", stat(nsp.MIDBeginningOfTable, 2), midCarol, 2, 2},
		{"back past the start", stat(midCarol, -5), midAlice, 0, -2},
		{"forward past the end", stat(midAlice, 10), nsp.MIDEndOfTable, 3, 3},
		{"from the end", stat(nsp.MIDEndOfTable, -1), midCarol, 2, -1},
		{"no move", stat(midBob, 0), midBob, 1, 0},
	} {
		resp := call(t, s, sess, &nsp.UpdateStatRequest{State: tc.in, DeltaRequested: nsp.True}).(*nsp.UpdateStatResponse)
		wantCode(t, tc.name, resp.ErrorCode, Success)
		if st := resp.State; st.CurrentRec != tc.wantRec || st.NumPos != tc.wantPos || st.TotalRecs != 3 || st.Delta != 0 {
			t.Errorf("%s: STAT %+v", tc.name, st)
		}
		if !resp.HasDelta.Set() || resp.Delta != tc.wantDelta {
			t.Errorf("%s: Delta %v %d, want %d", tc.name, resp.HasDelta, resp.Delta, tc.wantDelta)
		}
	}
	resp := call(t, s, sess, &nsp.UpdateStatRequest{State: stat(midAlice, 1)}).(*nsp.UpdateStatResponse)
	if resp.HasDelta.Set() {
		t.Errorf("Delta returned unasked")
	}
	resp = call(t, s, sess, &nsp.UpdateStatRequest{State: stat(0x7777, 1)}).(*nsp.UpdateStatResponse)
	wantCode(t, "unknown CurrentRec", resp.ErrorCode, NotFound)
}

func TestGetProps(t *testing.T) {
	s, sess := bound(t)
	tags := []prop.Tag{tagDisplayName, tagSMTPAddress, tagEntryID, prop.Tag(0x3A17001F) /* PidTagTitle: absent */, tagHomeMDB.WithType(prop.PtypString)}
	resp := call(t, s, sess, &nsp.GetPropsRequest{State: stat(midAlice, 0), PropertyTags: tags}).(*nsp.GetPropsResponse)
	wantCode(t, "GetProps", resp.ErrorCode, ErrorsReturned)
	v := resp.PropertyValues
	if len(v) != len(tags) || v[0].Value != "Alice Anders" || v[1].Value != "alice@example.com" ||
		v[3].PropertyType != prop.PtypErrorCode || v[3].Value != NotFound ||
		v[4].PropertyType != prop.PtypString || v[4].Value != DefaultServerDN+"/cn=Microsoft Private MDB" {
		t.Fatalf("GetProps values %+v", v)
	}
	if id := decodeEntryID(t, v[2].Value); id.Ephemeral() || id.DistinguishedName != recipients+"alice" || id.ProviderUID != nsp.GUIDNSPI || id.DisplayType != nsp.DTMailUser {
		t.Errorf("Permanent Entry ID %+v", id)
	}

	// fEphID: an Ephemeral Entry ID; no tags: every property, all present.
	resp = call(t, s, sess, &nsp.GetPropsRequest{Flags: nsp.FEphID, State: stat(midBob, 0), PropertyTags: []prop.Tag{tagEntryID}}).(*nsp.GetPropsResponse)
	if id := decodeEntryID(t, resp.PropertyValues[0].Value); !id.Ephemeral() || id.MId != midBob || id.ProviderUID != testGUID {
		t.Errorf("Ephemeral Entry ID %+v", id)
	}
	resp = call(t, s, sess, &nsp.GetPropsRequest{State: stat(midBob, 0)}).(*nsp.GetPropsResponse)
	wantCode(t, "all properties", resp.ErrorCode, Success)
	got := map[prop.Tag]any{}
	for _, tv := range resp.PropertyValues {
		got[tv.Tag()] = tv.Value
	}
	for tag, want := range map[prop.Tag]any{
		tagDisplayName.WithType(prop.PtypString8): "Bob Baker",
		tagAddressType.WithType(prop.PtypString8): "EX",
		tagObjectType:                         objectTypeMailUser,
		tagDisplayType:                        int32(nsp.DTMailUser),
		tagAccount.WithType(prop.PtypString8): "bob",
		tagSearchKey:                          string(append([]byte("EX:"+strings.ToUpper(recipients+"bob")), 0)),
	} {
		g := got[tag]
		if b, ok := g.([]byte); ok {
			g = string(b)
		}
		if g != want {
			t.Errorf("%v = %#v, want %#v", tag, got[tag], want)
		}
	}
	if p, _ := got[tagProxyAddresses.WithType(prop.PtypMultipleString8)].([]string); len(p) != 1 || p[0] != "SMTP:bob@example.com" {
		t.Errorf("proxy addresses %v", p)
	}

	// An object the server cannot locate has no properties.
	resp = call(t, s, sess, &nsp.GetPropsRequest{State: stat(nsp.MIDCurrent, 0), PropertyTags: []prop.Tag{tagDisplayName}}).(*nsp.GetPropsResponse)
	wantCode(t, "MID_CURRENT", resp.ErrorCode, ErrorsReturned)
	if resp.PropertyValues[0].Value != NotFound {
		t.Errorf("MID_CURRENT value %v", resp.PropertyValues[0].Value)
	}
}

func TestPropLists(t *testing.T) {
	s, sess := bound(t)
	has := func(tags []prop.Tag, want prop.Tag) bool {
		for _, t := range tags {
			if t == want {
				return true
			}
		}
		return false
	}
	pl := call(t, s, sess, &nsp.GetPropListRequest{MinimalId: midCarol, CodePage: 1252}).(*nsp.GetPropListResponse)
	if !has(pl.PropertyTags, tagDisplayName.WithType(prop.PtypString8)) || !has(pl.PropertyTags, tagEntryID) {
		t.Errorf("GetPropList %v", pl.PropertyTags)
	}
	pl = call(t, s, sess, &nsp.GetPropListRequest{MinimalId: midCarol, CodePage: nsp.CPWinUnicode}).(*nsp.GetPropListResponse)
	if !has(pl.PropertyTags, tagDisplayName) || !has(pl.PropertyTags, tagHomeMDB.WithType(prop.PtypString)) {
		t.Errorf("GetPropList Unicode %v", pl.PropertyTags)
	}
	pl = call(t, s, sess, &nsp.GetPropListRequest{MinimalId: 0x7777, CodePage: 1252}).(*nsp.GetPropListResponse)
	wantCode(t, "GetPropList unknown MId", pl.ErrorCode, NotFound)

	qc := call(t, s, sess, &nsp.QueryColumnsRequest{MapiFlags: nsp.NspiUnicodeProptypes}).(*nsp.QueryColumnsResponse)
	if !has(qc.Columns, tagDisplayName) || !has(qc.Columns, tagNetworkAddress) || !has(qc.Columns, tagSMTPAddress) {
		t.Errorf("QueryColumns %v", qc.Columns)
	}
	qc = call(t, s, sess, &nsp.QueryColumnsRequest{}).(*nsp.QueryColumnsResponse)
	if !has(qc.Columns, tagDisplayName.WithType(prop.PtypString8)) {
		t.Errorf("QueryColumns 8-bit %v", qc.Columns)
	}
}

func TestGetSpecialTable(t *testing.T) {
	s, sess := bound(t)
	resp := call(t, s, sess, &nsp.GetSpecialTableRequest{Flags: nsp.NspiUnicodeStrings, State: stat(0, 0), Version: 7}).(*nsp.GetSpecialTableResponse)
	wantCode(t, "hierarchy", resp.ErrorCode, Success)
	if resp.Version != hierarchyVersion || len(resp.Rows) != 1 {
		t.Fatalf("hierarchy: version %d, %d rows", resp.Version, len(resp.Rows))
	}
	row := map[prop.Tag]any{}
	for _, tv := range resp.Rows[0] {
		row[tv.Tag()] = tv.Value
	}
	if row[tagDisplayName] != "" || row[tagContainerFlags] != int32(9) || row[tagDepth] != int32(0) || row[tagContainerID] != int32(0) || row[tagIsMaster] != false {
		t.Errorf("GAL row %v", row)
	}
	if id := decodeEntryID(t, row[tagEntryID]); id.DisplayType != nsp.DTContainer || id.DistinguishedName != "/" {
		t.Errorf("GAL EntryID %+v", id)
	}
	resp = call(t, s, sess, &nsp.GetSpecialTableRequest{State: stat(0, 0)}).(*nsp.GetSpecialTableResponse)
	if resp.Rows[0][4].PropertyType != prop.PtypString8 {
		t.Errorf("8-bit display name type %v", resp.Rows[0][4].PropertyType)
	}
	resp = call(t, s, sess, &nsp.GetSpecialTableRequest{Flags: nsp.NspiAddressCreationTemplates, State: stat(0, 0)}).(*nsp.GetSpecialTableResponse)
	if resp.ErrorCode != Success || len(resp.Rows) != 0 {
		t.Errorf("address creation table: %v, %d rows", resp.ErrorCode, len(resp.Rows))
	}
	resp = call(t, s, sess, &nsp.GetSpecialTableRequest{State: &nsp.STAT{CodePage: nsp.CPWinUnicode}}).(*nsp.GetSpecialTableResponse)
	wantCode(t, "CP_WINUNICODE without NspiUnicodeStrings", resp.ErrorCode, InvalidCodepage)
}

func TestTemplateInfo(t *testing.T) {
	s, sess := bound(t)
	resp := call(t, s, sess, &nsp.GetTemplateInfoRequest{Flags: nsp.TITemplate, DisplayType: nsp.DTMailUser, CodePage: 1252, LocaleId: 0x409}).(*nsp.GetTemplateInfoResponse)
	wantCode(t, "GetTemplateInfo", resp.ErrorCode, InvalidLocale)
	resp = call(t, s, sess, &nsp.GetTemplateInfoRequest{Flags: nsp.TITemplate, CodePage: nsp.CPWinUnicode, LocaleId: 0x409}).(*nsp.GetTemplateInfoResponse)
	wantCode(t, "GetTemplateInfo CP_WINUNICODE", resp.ErrorCode, InvalidCodepage)
}

func TestCompareAndResort(t *testing.T) {
	s, sess := bound(t)
	cmp := call(t, s, sess, &nsp.CompareMIdsRequest{State: stat(0, 0), MinimalId1: midAlice, MinimalId2: midCarol}).(*nsp.CompareMIdsResponse)
	if cmp.ErrorCode != Success || cmp.Result >= 0 {
		t.Errorf("CompareMIds alice, carol: %v %d", cmp.ErrorCode, cmp.Result)
	}
	cmp = call(t, s, sess, &nsp.CompareMIdsRequest{State: stat(0, 0), MinimalId1: midBob, MinimalId2: midBob}).(*nsp.CompareMIdsResponse)
	if cmp.Result != 0 {
		t.Errorf("CompareMIds bob, bob: %d", cmp.Result)
	}
	cmp = call(t, s, sess, &nsp.CompareMIdsRequest{State: stat(0, 0), MinimalId1: midBob, MinimalId2: 0x7777}).(*nsp.CompareMIdsResponse)
	wantCode(t, "CompareMIds unknown", cmp.ErrorCode, GeneralFailure)

	rr := call(t, s, sess, &nsp.ResortRestrictionRequest{State: stat(midCarol, 0), MinimalIds: []uint32{midCarol, 0x7777, midAlice}}).(*nsp.ResortRestrictionResponse)
	wantCode(t, "ResortRestriction", rr.ErrorCode, Success)
	wantMIds(t, "ResortRestriction", rr.MinimalIds, midAlice, midCarol)
	if st := rr.State; st.CurrentRec != midCarol || st.NumPos != 1 || st.TotalRecs != 2 {
		t.Errorf("ResortRestriction STAT %+v", st)
	}
	phonetic := stat(0, 0)
	phonetic.SortType = nsp.SortTypePhoneticDisplayName
	rr = call(t, s, sess, &nsp.ResortRestrictionRequest{State: phonetic, MinimalIds: []uint32{midAlice}}).(*nsp.ResortRestrictionResponse)
	wantCode(t, "ResortRestriction phonetic", rr.ErrorCode, GeneralFailure)
}

func TestModificationsRefused(t *testing.T) {
	s, sess := bound(t)
	name := nsp.Tagged(tagDisplayName, "Mallory")
	mp := call(t, s, sess, &nsp.ModPropsRequest{State: stat(midAlice, 0), PropertyTags: []prop.Tag{tagDisplayName}, PropertyValues: []nsp.TaggedValue{name}}).(*nsp.ModPropsResponse)
	wantCode(t, "ModProps", mp.ErrorCode, AccessDenied)
	mp = call(t, s, sess, &nsp.ModPropsRequest{State: stat(midAlice, 0), PropertyValues: []nsp.TaggedValue{name}}).(*nsp.ModPropsResponse)
	wantCode(t, "ModProps without tags", mp.ErrorCode, InvalidParameter)
	mp = call(t, s, sess, &nsp.ModPropsRequest{State: stat(nsp.MIDCurrent, 0), PropertyTags: []prop.Tag{tagDisplayName}}).(*nsp.ModPropsResponse)
	wantCode(t, "ModProps without an object", mp.ErrorCode, InvalidParameter)

	// The property was not changed.
	gp := call(t, s, sess, &nsp.GetPropsRequest{State: stat(midAlice, 0), PropertyTags: []prop.Tag{tagDisplayName}}).(*nsp.GetPropsResponse)
	if gp.PropertyValues[0].Value != "Alice Anders" {
		t.Errorf("display name now %v", gp.PropertyValues[0].Value)
	}

	eid := nsp.EntryID{IDType: nsp.IDTypeEphemeral, ProviderUID: testGUID, R4: 1, MId: midBob}
	ml := call(t, s, sess, &nsp.ModLinkAttRequest{PropertyTag: tagMember, MinimalId: midAlice, EntryIds: []nsp.EntryID{eid}}).(*nsp.ModLinkAttResponse)
	wantCode(t, "ModLinkAtt", ml.ErrorCode, AccessDenied)
	ml = call(t, s, sess, &nsp.ModLinkAttRequest{PropertyTag: tagDisplayName, MinimalId: midAlice, EntryIds: []nsp.EntryID{eid}}).(*nsp.ModLinkAttResponse)
	wantCode(t, "ModLinkAtt not a link", ml.ErrorCode, NotFound)
	ml = call(t, s, sess, &nsp.ModLinkAttRequest{PropertyTag: tagMember, MinimalId: 0x7777, EntryIds: []nsp.EntryID{eid}}).(*nsp.ModLinkAttResponse)
	wantCode(t, "ModLinkAtt unknown object", ml.ErrorCode, InvalidParameter)
}

func TestURLs(t *testing.T) {
	s, sess := bound(t)
	for _, tc := range []struct {
		dn, want string
		code     prop.ErrorCode
	}{
		{DefaultServerDN + "/cn=Microsoft Private MDB", "https://mail.example.com/mapi/emsmdb/?MailboxId=alice@example.com", Success},
		{recipients + "bob", "https://mail.example.com/mapi/emsmdb/?MailboxId=bob@example.com", Success},
		{"/o=mapiscope/ou=x/cn=Configuration/cn=Servers/cn=" + aliceBox.String() + "@example.com", "https://mail.example.com/mapi/emsmdb/?MailboxId=alice@example.com", Success},
		{"/o=elsewhere/cn=nobody", "", NotFound},
	} {
		resp := call(t, s, sess, &nsp.GetMailboxUrlRequest{ServerDn: tc.dn}).(*nsp.GetMailboxUrlResponse)
		if resp.ErrorCode != tc.code || resp.ServerUrl != tc.want {
			t.Errorf("GetMailboxUrl %s: %v %q, want %v %q", tc.dn, resp.ErrorCode, resp.ServerUrl, tc.code, tc.want)
		}
	}
	ab := call(t, s, sess, &nsp.GetAddressBookUrlRequest{UserDn: recipients + "carol"}).(*nsp.GetAddressBookUrlResponse)
	if ab.ErrorCode != Success || ab.ServerUrl != "https://mail.example.com/mapi/nspi/?MailboxId=carol@example.com" {
		t.Errorf("GetAddressBookUrl: %v %q", ab.ErrorCode, ab.ServerUrl)
	}
}

func TestUnbindAndRebind(t *testing.T) {
	entries := testEntries()[:2]
	s := New(Config{Entries: func() []Entry { return entries }, ServerGUID: testGUID})
	sess := s.NewSession("alice@example.com")
	call(t, s, sess, &nsp.BindRequest{})
	count := func() int {
		resp := call(t, s, sess, &nsp.QueryRowsRequest{State: stat(0, 0), RowCount: 10, Columns: []prop.Tag{tagDisplayName}}).(*nsp.QueryRowsResponse)
		return len(resp.RowData)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d rows", n)
	}
	entries = testEntries()
	if n := count(); n != 2 {
		t.Errorf("the snapshot changed within a session: %d rows", n)
	}
	ub := call(t, s, sess, &nsp.UnbindRequest{}).(*nsp.UnbindResponse)
	wantCode(t, "Unbind", ub.ErrorCode, UnbindSuccess)
	call(t, s, sess, &nsp.BindRequest{})
	if n := count(); n != 3 {
		t.Errorf("after a new Bind: %d rows", n)
	}
}

func TestBadBodies(t *testing.T) {
	s, sess := bound(t)
	for _, rt := range nsp.RequestTypes() {
		for _, body := range [][]byte{nil, {0xFF}, {1, 2, 3, 4, 5, 6, 7}} {
			out, err := s.Handle(sess, rt, body)
			var bad *BadRequest
			if !errors.As(err, &bad) {
				// A few bodies are short enough to be valid requests.
				if err == nil {
					decodeResponse(t, rt, out)
					continue
				}
				t.Fatalf("%s %x: %v", rt, body, err)
			}
			if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), rt.String()) {
				t.Errorf("%s: error %q", rt, err)
			}
		}
	}
	if _, err := s.Handle(sess, mapihttp.TypeExecute, nil); err == nil {
		t.Errorf("Execute answered by the address book")
	}
	// Trailing garbage after a valid body is tolerated, as decoding notes it.
	if _, err := s.Handle(sess, mapihttp.TypeUnbind, append(encode(t, &nsp.UnbindRequest{}), 0xEE)); err != nil {
		t.Errorf("trailing byte: %v", err)
	}
}

// TestGarbageIsBadRequest checks that a truncated body of every request
// type is refused, whatever its length.
func TestGarbageIsBadRequest(t *testing.T) {
	s, sess := bound(t)
	for _, req := range sampleRequests() {
		rt := requestType(t, req)
		b := encode(t, req)
		for n := 0; n < len(b); n++ {
			_, err := s.Handle(sess, rt, b[:n])
			var bad *BadRequest
			if !errors.As(err, &bad) {
				t.Errorf("%s truncated to %d of %d bytes: %v", rt, n, len(b), err)
				break
			}
		}
	}
}

func TestTagNames(t *testing.T) {
	for tag, want := range map[prop.Tag]string{
		tagEntryID: "PidTagEntryId", tagObjectType: "PidTagObjectType", tagInstanceKey: "PidTagInstanceKey",
		tagRecordKey: "PidTagRecordKey", tagMappingSignature: "PidTagMappingSignature", tagDisplayName: "PidTagDisplayName",
		tagAddressType: "PidTagAddressType", tagEmailAddress: "PidTagEmailAddress", tagDepth: "PidTagDepth",
		tagSearchKey: "PidTagSearchKey", tagContainerFlags: "PidTagContainerFlags", tagAnr: "PidTagAnr",
		tagDisplayType: "PidTagDisplayType", tagTemplateID: "PidTagTemplateid", tagDisplayTypeEx: "PidTagDisplayTypeEx",
		tagSMTPAddress: "PidTagSmtpAddress", tagDisplayNamePrintable: "PidTagAddressBookDisplayNamePrintable",
		tagAccount: "PidTagAccount", tagTransmittableName: "PidTagTransmittableDisplayName", tagSendRichInfo: "PidTagSendRichInfo",
		tagInitialDetailsPane: "PidTagInitialDetailsPane", tagHomeMDB: "PidTagAddressBookHomeMessageDatabase",
		tagMember: "PidTagAddressBookMember", tagPublicDelegates: "PidTagAddressBookPublicDelegates",
		tagProxyAddresses: "PidTagAddressBookProxyAddresses", tagObjectDN: "PidTagAddressBookObjectDistinguishedName",
		tagNetworkAddress: "PidTagAddressBookNetworkAddress", tagObjectGUID: "PidTagAddressBookObjectGuid",
		tagContainerID: "PidTagAddressBookContainerId", tagIsMaster: "PidTagAddressBookIsMaster",
		tagPrimaryTelephone: "PidTagPrimaryTelephoneNumber", tagDepartmentName: "PidTagDepartmentName",
		tagOfficeLocation: "PidTagOfficeLocation",
	} {
		if got := tag.WithType(canonicalType(tag)).Name(); got != want {
			t.Errorf("%08X is %q, want %s", uint32(tag), got, want)
		}
	}
}

// canonicalType is the type propnames lists a tag under (8-bit strings
// are asked for in the 8-bit type here and listed in the Unicode one).
func canonicalType(tag prop.Tag) prop.Type {
	if tag.WithType(tag.Type()).Name() != "" {
		return tag.Type()
	}
	return unicodeType(tag.Type())
}

// sampleRequests is one valid request of every address book type.
func sampleRequests() []nsp.Body {
	anr := &prop.Restriction{RestrictType: prop.RestrictProperty, RelOp: prop.RelopEQ, PropTag: tagAnr,
		TaggedValue: prop.TaggedValue{Tag: tagAnr, Value: "ali"}}
	target := nsp.Tagged(tagDisplayName, "b")
	cols := []prop.Tag{tagDisplayName, tagEntryID, tagObjectType.WithType(prop.PtypUnspecified), prop.Tag(0x3A17001F)}
	return []nsp.Body{
		&nsp.BindRequest{State: stat(0, 0)},
		&nsp.UnbindRequest{},
		&nsp.CompareMIdsRequest{State: stat(0, 0), MinimalId1: midAlice, MinimalId2: midBob},
		&nsp.DNToMIdRequest{NameValues: []string{recipients + "bob", "/o=x"}},
		&nsp.GetMatchesRequest{State: stat(0, 0), Filter: anr, RowCount: 10, Columns: cols},
		&nsp.GetPropListRequest{MinimalId: midAlice, CodePage: 1252},
		&nsp.GetPropsRequest{Flags: nsp.FEphID, State: stat(midBob, 0), PropertyTags: cols},
		&nsp.GetSpecialTableRequest{Flags: nsp.NspiUnicodeStrings, State: stat(0, 0), Version: 1},
		&nsp.GetTemplateInfoRequest{Flags: nsp.TITemplate, DisplayType: nsp.DTMailUser, TemplateDn: "/t", CodePage: 1252, LocaleId: 0x409},
		&nsp.ModLinkAttRequest{PropertyTag: tagMember, MinimalId: midAlice, EntryIds: []nsp.EntryID{{IDType: nsp.IDTypeEphemeral, R4: 1, MId: midBob}}},
		&nsp.ModPropsRequest{State: stat(midAlice, 0), PropertyTags: []prop.Tag{tagDisplayName}},
		&nsp.QueryColumnsRequest{MapiFlags: nsp.NspiUnicodeProptypes},
		&nsp.QueryRowsRequest{State: stat(0, 0), ExplicitTable: []uint32{midCarol}, RowCount: 5, Columns: cols},
		&nsp.ResolveNamesRequest{State: stat(0, 0), PropertyTags: cols, NameValues: []string{"bob", "ali", "x"}},
		&nsp.ResortRestrictionRequest{State: stat(0, 0), MinimalIds: []uint32{midCarol, midAlice}},
		&nsp.SeekEntriesRequest{State: stat(0, 0), Target: &target, Columns: cols},
		&nsp.UpdateStatRequest{State: stat(0, 1), DeltaRequested: nsp.True},
		&nsp.GetMailboxUrlRequest{ServerDn: DefaultServerDN},
		&nsp.GetAddressBookUrlRequest{UserDn: recipients + "alice"},
	}
}

func TestEveryType(t *testing.T) {
	s, sess := bound(t)
	seen := map[mapihttp.RequestType]bool{}
	for _, req := range sampleRequests() {
		seen[requestType(t, req)] = true
		call(t, s, sess, req)
	}
	for _, rt := range nsp.RequestTypes() {
		if !seen[rt] {
			t.Errorf("%s has no sample request", rt)
		}
	}
}

// FuzzHandle feeds any bytes to every request type: Handle never panics,
// and whatever it answers decodes without anomaly.
func FuzzHandle(f *testing.F) {
	types := nsp.RequestTypes()
	for _, req := range sampleRequests() {
		rt, _ := mapihttp.ParseRequestType(strings.TrimSuffix(req.Name(), "Request"))
		for i, t := range types {
			if t == rt {
				f.Add(append([]byte{byte(i)}, encode(f, req)...))
			}
		}
	}
	f.Add([]byte{})
	s := testServer()
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		rt := types[int(b[0])%len(types)]
		sess := s.NewSession("bob@example.com")
		out, err := s.Handle(sess, rt, b[1:])
		if err != nil {
			var bad *BadRequest
			if !errors.As(err, &bad) {
				t.Fatalf("%s: %v", rt, err)
			}
			return
		}
		decodeResponse(t, rt, out)
	})
}
