package fxics

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

func newEncoder() *wire.Codec { return wire.NewEncoder(nil) }

func decodeClean(t *testing.T, b []byte, root Root) *Element {
	t.Helper()
	e, _, an := DecodeStream(b, root, true)
	if len(an) != 0 {
		t.Fatalf("anomalies: %v\n%s", an, e.Dump())
	}
	return e
}

// Writer → lexer + parser: the tree comes back as built, and re-encoding
// the decoded tree gives the same bytes.
func TestRoundTripContentsSync(t *testing.T) {
	x := sampleContentsSync(6, 300)
	b := mustEncode(t, x)
	for _, root := range []Root{RootContentsSync, RootUnknown} {
		e := decodeClean(t, b, root)
		if d := sameTree(x, e); d != "" {
			t.Fatalf("root %s: tree differs: %s", root, d)
		}
		if e.Len != int64(len(b)) || e.Off != 0 {
			t.Fatalf("root spans %d+%d, stream %d", e.Off, e.Len, len(b))
		}
		again, err := Encode(e)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("re-encode differs (err %v)", err)
		}
	}
}

func TestRoundTripAllRoots(t *testing.T) {
	msg := func(i int) *Element {
		m := sampleMessage(i, 40)
		// messageContent = propList messageChildren, from the message change.
		return E(KindMessageContent, m.Children[3], m.Children[4])
	}
	folder := func(name string, sub ...*Element) *Element {
		fc := E(KindFolderContent, PL(P(PidTagDisplayName, name), P(PidTagFolderType, int32(1))),
			E(KindFolderMessages,
				P(MetaTagFXDelProp, int32(PidTagContainerContents)),
				E(KindMessageList, E(KindMessage, M(StartMessage), msg(1), M(EndMessage)),
					P(MetaTagEcWarning, int32(0x00000505)),
					E(KindMessage, M(StartFAIMsg), msg(2), M(EndMessage))),
				P(MetaTagFXDelProp, int32(PidTagFolderAssociatedContents)),
				E(KindMessageList)),
			P(MetaTagFXDelProp, int32(PidTagContainerHierarchy)))
		fc.Children = append(fc.Children, sub...)
		return fc
	}
	cases := []struct {
		name string
		root Root
		e    *Element
	}{
		{"messageContent", RootMessageContent, msg(2)},
		{"attachmentContent", RootAttachmentContent, E(KindAttachmentContent,
			PL(P(tagAttachName, "a.eml"), P(PidTagAttachMethod, int32(5))),
			EmbeddedMessageElement([]*Element{P(tagSubject, "inner")}, nil))},
		{"messageList", RootMessageList, E(KindMessageList,
			P(MetaTagDnPrefix, "/o=Org"),
			E(KindMessage, M(StartMessage), msg(1), M(EndMessage)),
			E(KindMessage, M(StartFAIMsg), msg(3), M(EndMessage)))},
		{"folderContent", RootFolderContent, folder("Inbox",
			E(KindSubFolder, M(StartSubFld), folder("Sub"), M(EndFolder)))},
		{"topFolder", RootTopFolder, E(KindTopFolder, M(StartTopFld),
			E(KindFolderContent, PL(P(PidTagDisplayName, "Top")),
				E(KindFolderMessages, E(KindMessageList, E(KindMessage, M(StartMessage), msg(0), M(EndMessage)))),
				E(KindSubFolder, M(StartSubFld), E(KindFolderContent, PL(P(PidTagDisplayName, "Child")), P(MetaTagNewFXFolder, newFXFolder())), M(EndFolder))),
			M(EndFolder))},
		{"hierarchySync", RootHierarchySync, E(KindHierarchySync,
			FolderChangeElement(P(PidTagParentSourceKey, []byte{}), P(PidTagSourceKey, NewXID(testReplGUID, 7).Bytes()), P(PidTagDisplayName, "Inbox")),
			FolderChangeElement(P(PidTagParentSourceKey, NewXID(testReplGUID, 7).Bytes()), P(PidTagSourceKey, NewXID(testReplGUID, 8).Bytes()), P(PidTagDisplayName, "Sub")),
			DeletionsElement(&IDSet{{ReplID: 1, Ranges: []Range{{3, 4}}}}, nil, nil),
			ICSState{CnsetSeen: &IDSet{{ReplGUID: testReplGUID, HasGUID: true, Ranges: []Range{{1, 9}}}},
				IdsetGiven: &IDSet{{ReplGUID: testReplGUID, HasGUID: true, Ranges: []Range{{7, 8}}}}}.Element(),
			M(IncrSyncEnd))},
		{"state", RootState, ICSState{CnsetSeen: &IDSet{{ReplGUID: testReplGUID, HasGUID: true, Ranges: []Range{{1, 9}}}},
			CnsetSeenFAI: &IDSet{}, IdsetGiven: &IDSet{}, CnsetRead: &IDSet{}}.Element()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := mustEncode(t, c.e)
			for _, root := range []Root{c.root, RootUnknown} {
				e := decodeClean(t, b, root)
				if e.Kind != c.root {
					t.Fatalf("root %s decoded as %s", root, e.Kind)
				}
				if d := sameTree(c.e, e); d != "" {
					t.Fatalf("root %s: %s", root, d)
				}
				if again := mustEncode(t, e); !bytes.Equal(again, b) {
					t.Fatalf("re-encode differs")
				}
			}
		})
	}
}

func newFXFolder() []byte {
	f := FolderReplicaInfo{FolderLongTermId: prop.LongTermID{DatabaseGuid: testReplGUID, GlobalCounter: 5},
		CheapServerDNCount: 1, ServerDNArray: []string{"/o=Org/ou=Site/cn=Servers/cn=EX1"}}
	c := newEncoder()
	f.Codec(c)
	return c.Output()
}

// feedAll decodes a stream through the incremental Decoder in pieces.
func feedAll(pieces ...[]byte) *Decoder {
	d := NewDecoder(Options{Root: RootUnknown})
	for _, p := range pieces {
		d.Feed(p)
	}
	d.Close()
	return d
}

// The split test: a contentsSync split at every offset into two Feed
// calls, and fed byte by byte, decodes to the same elements and anomalies
// as in one piece.
func TestSplitEverywhere(t *testing.T) {
	x := sampleContentsSync(3, 60)
	b := mustEncode(t, x)
	whole := feedAll(b)
	want := whole.Root().Dump()
	wantAn := fmt.Sprint(whole.Anomalies())
	if len(whole.Anomalies()) != 0 {
		t.Fatalf("anomalies: %v", whole.Anomalies())
	}
	if d := sameTree(x, whole.Root()); d != "" {
		t.Fatal(d)
	}
	for i := 0; i <= len(b); i++ {
		// Copies, so that a lexer keeping a reference would be caught
		// when the buffers are clobbered.
		p1 := append([]byte(nil), b[:i]...)
		p2 := append([]byte(nil), b[i:]...)
		d := NewDecoder(Options{})
		d.Feed(p1)
		for j := range p1 {
			p1[j] = 0xEE
		}
		d.Feed(p2)
		for j := range p2 {
			p2[j] = 0xEE
		}
		d.Close()
		if !identical(whole.Root(), d.Root()) {
			t.Fatalf("split at %d: tree differs\n%s", i, firstDiff(want, d.Root().Dump()))
		}
		if got := fmt.Sprint(d.Anomalies()); got != wantAn {
			t.Fatalf("split at %d: anomalies %s", i, got)
		}
	}
	d := NewDecoder(Options{})
	for i := range b {
		d.Feed([]byte{b[i]})
	}
	d.Close()
	if got := d.Root().Dump(); got != want {
		t.Fatalf("byte by byte: tree differs\n%s", firstDiff(want, got))
	}
	if len(d.Anomalies()) != 0 {
		t.Fatalf("byte by byte: %v", d.Anomalies())
	}
}

// identical compares trees including offsets.
func identical(a, b *Element) bool {
	if a.Off != b.Off || a.Len != b.Len || sameTree(a, b) != "" {
		return false
	}
	if a.Atom != nil {
		return a.Atom.Off == b.Atom.Off
	}
	for i := range a.Children {
		if !identical(a.Children[i], b.Children[i]) {
			return false
		}
	}
	return true
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n want %s\n got  %s", i, la[i], lb[i])
		}
	}
	return fmt.Sprintf("lengths %d vs %d lines", len(la), len(lb))
}

// Incremental use: the parser reports each top-level element as it
// completes, and Discard keeps the tree small.
func TestIncrementalCompleted(t *testing.T) {
	x := sampleContentsSync(5, 50)
	b := mustEncode(t, x)
	d := NewDecoder(Options{Root: RootContentsSync, Discard: true})
	var kinds []string
	for i := 0; i < len(b); i += 97 {
		end := min(i+97, len(b))
		d.Feed(b[i:end])
		for _, e := range d.Completed() {
			kinds = append(kinds, e.Kind.String())
		}
	}
	d.Close()
	for _, e := range d.Completed() {
		kinds = append(kinds, e.Kind.String())
	}
	got := strings.Join(kinds, " ")
	want := "progressTotal progressPerMessage messageChangeFull progressPerMessage messageChangePartial " +
		"progressPerMessage messageChangeFull progressPerMessage messageChangeFull progressPerMessage messageChangeFull " +
		"deletions readStateChanges state contentsSync"
	if got != want {
		t.Fatalf("completed:\n got  %s\n want %s", got, want)
	}
	if !d.Done() {
		t.Fatal("not done")
	}
	// With Discard only the end marker stays under the root.
	if r := d.Root(); len(r.Children) != 1 || !r.Children[0].Atom.Is(IncrSyncEnd) {
		t.Fatalf("root keeps %d children", len(r.Children))
	}
}

// A value over MaxValue is streamed: the first bytes and the size are
// kept, and the result does not depend on the split.
func TestLargeValueTruncated(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80000 bytes
	mv := [][]byte{bytes.Repeat([]byte{1}, 30000), bytes.Repeat([]byte{2}, 40000)}
	x := E(KindMessageContent, PL(P(tagSubject, "big"), P(tagAttachData, big), P(0x68031102, mv), P(tagImportance, int32(2))), E(KindMessageChildren))
	b := mustEncode(t, x)
	opt := LexerOptions{MaxValue: 65536, KeepPrefix: 100}
	lex := func(pieces [][]byte) string {
		l := NewLexer(opt)
		for _, p := range pieces {
			l.Feed(p)
		}
		l.Close()
		var s strings.Builder
		for _, a := range l.Atoms() {
			fmt.Fprintf(&s, "%s %v %d %x\n", a.String(), a.Truncated, a.Size, a.Raw[:min(len(a.Raw), 8)])
		}
		fmt.Fprint(&s, l.Anomalies())
		return s.String()
	}
	want := lex([][]byte{b})
	if !strings.Contains(want, "PidTagAttachDataBinary:PtypBinary@") || strings.Count(want, " true ") != 2 {
		t.Fatalf("unexpected atoms:\n%s", want)
	}
	for _, cut := range []int{1, 10, 30, 50, 100, 4097, 40000, 80050, 90000, 100000, len(b) - 3} {
		if got := lex([][]byte{b[:cut], b[cut:]}); got != want {
			t.Fatalf("cut %d:\n%s\nwant\n%s", cut, got, want)
		}
	}
	var pieces [][]byte
	for i := 0; i < len(b); i += 333 {
		pieces = append(pieces, b[i:min(i+333, len(b))])
	}
	if got := lex(pieces); got != want {
		t.Fatalf("pieces:\n%s", got)
	}
	l := NewLexer(opt)
	l.Feed(b)
	l.Close()
	as := l.Atoms()
	if a := as[1]; !a.Truncated || len(a.Raw) != 100 || a.Size != uint32(len(big)) || a.Len != int64(len(big)+8) {
		t.Fatalf("big value atom %+v", a)
	}
	if _, err := as[1].Value(); err != ErrTruncated {
		t.Fatalf("Value error %v", err)
	}
	// Writing a truncated atom is refused.
	if _, err := as[1].AppendTo(nil); err == nil {
		t.Fatal("truncated atom written")
	}
	// The stream ending inside a large value is reported.
	l = NewLexer(opt)
	l.Feed(b[:50000])
	l.Close()
	if an := l.Anomalies(); len(an) != 1 || !strings.Contains(an[0].Reason, "stream ends inside the value") {
		t.Fatalf("anomalies %v", an)
	}
}

func TestEncodeValues(t *testing.T) {
	// Every value type round-trips through NewProp and Value.
	vals := []struct {
		tag prop.Tag
		v   any
	}{
		{0x00010002, int16(-2)}, {0x00020003, int32(-3)}, {0x00030004, float32(1.5)}, {0x00040005, 2.25},
		{0x00050006, prop.Currency(12345)}, {0x00060007, prop.FloatingTime(4.5)}, {0x0007000A, prop.ErrorCode(0x80040005)},
		{0x0008000B, true}, {0x0009000B, false}, {0x000A0014, int64(-7)}, {0x000B0040, prop.Filetime(1)},
		{0x000C0048, testReplGUID}, {0x000D001F, "wide ✓"}, {0x000E001E, "narrow é"}, {0x000F0102, []byte{1, 2}},
		{0x001000FB, prop.ServerID{1, 2, 3}}, {0x0011000D, []byte{9}}, {0x001284E4, "€uro"}, {0x001384B0, "日本"},
		{0x00141002, []int16{1, -1}}, {0x00151003, []int32{1, 2, 3}}, {0x00161004, []float32{1}}, {0x00171005, []float64{2}},
		{0x00181006, []prop.Currency{3}}, {0x00191007, []prop.FloatingTime{4}}, {0x001A1014, []int64{5}},
		{0x001B1040, []prop.Filetime{6}}, {0x001C1048, []prop.GUID{testReplGUID}}, {0x001D101F, []string{"a", "bc"}},
		{0x001E101E, []string{"x"}}, {0x001F1102, [][]byte{{1}, {}, {2, 3}}}, {0x00201003, []int32{}},
		{MetaTagIdsetGiven, []byte{1, 2, 3}},
	}
	w := NewWriter(nil)
	for _, c := range vals {
		w.Prop(c.tag, c.v)
	}
	if w.Err() != nil {
		t.Fatal(w.Err())
	}
	atoms, an := LexAll(w.Bytes(), LexerOptions{})
	if len(an) != 0 || len(atoms) != len(vals) {
		t.Fatalf("%d atoms, anomalies %v", len(atoms), an)
	}
	for i, c := range vals {
		v, err := atoms[i].Value()
		if err != nil {
			t.Fatalf("%s: %v", atoms[i].String(), err)
		}
		if !reflect.DeepEqual(v, c.v) && !(fmt.Sprint(v) == fmt.Sprint(c.v)) {
			t.Fatalf("%s: got %#v want %#v", atoms[i].String(), v, c.v)
		}
		if msgs := atoms[i].check(); len(msgs) != 0 {
			t.Fatalf("%s: %v", atoms[i].String(), msgs)
		}
	}
	// Wrong Go types are refused.
	if _, err := NewProp(tagSubject, 5); err == nil {
		t.Fatal("int accepted for a string")
	}
	if _, err := NewProp(0x00010001, nil); err == nil {
		t.Fatal("PtypNull accepted")
	}
	if _, err := NewProp(prop.Tag(StartMessage), int32(0)); err == nil {
		t.Fatal("a marker accepted as a property")
	}
}

// Several large values in a row, split at every offset: the tail buffer
// hands each one to the streaming path in turn.
func TestLargeValuesInARow(t *testing.T) {
	b := stream(t, P(tagSubject, "abc"), P(tagAttachData, bytes.Repeat([]byte{1}, 400)),
		P(tagHTML, bytes.Repeat([]byte{2}, 500)), P(0x7F011102, [][]byte{bytes.Repeat([]byte{3}, 200), bytes.Repeat([]byte{4}, 200)}),
		P(tagImportance, int32(1)), P(tagAttachData, bytes.Repeat([]byte{5}, 301)))
	opt := LexerOptions{MaxValue: 300, KeepPrefix: 10}
	lex := func(pieces ...[]byte) string {
		l := NewLexer(opt)
		var as []Atom
		for _, p := range pieces {
			l.Feed(p)
			as = append(as, l.Atoms()...)
		}
		l.Close()
		as = append(as, l.Atoms()...)
		return fmt.Sprintf("%+v %v", as, l.Anomalies())
	}
	want := lex(b)
	if strings.Count(want, "Truncated:true") != 4 {
		t.Fatal(want)
	}
	for i := 0; i <= len(b); i++ {
		if got := lex(b[:i], b[i:]); got != want {
			t.Fatalf("split at %d:\n%s\nwant\n%s", i, got, want)
		}
	}
}
