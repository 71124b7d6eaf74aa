package fxics

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// stream writes elements/markers/props in order (no structure needed).
func stream(t testing.TB, items ...*Element) []byte {
	t.Helper()
	w := NewWriter(nil)
	for _, it := range items {
		w.Element(it)
	}
	if w.Err() != nil {
		t.Fatal(w.Err())
	}
	return w.Bytes()
}

func hasAnomaly(an []wire.Anomaly, s string) bool {
	for _, a := range an {
		if strings.Contains(a.Reason, s) {
			return true
		}
	}
	return false
}

func TestParserAnomalies(t *testing.T) {
	state := ICSState{CnsetSeen: &IDSet{}}.Element()
	msg := func() *Element { return sampleMessage(0, 10) }
	cases := []struct {
		name   string
		root   Root
		items  []*Element
		want   []string // anomaly substrings
		layout string   // top-level children, space separated
	}{
		{"contentsSync without state", RootContentsSync,
			[]*Element{msg(), M(IncrSyncEnd)},
			[]string{"contentsSync ends without its state"}, "messageChangeFull IncrSyncEnd"},
		{"stray marker", RootContentsSync,
			[]*Element{M(StartSubFld), state, M(IncrSyncEnd)},
			[]string{"unexpected StartSubFld in contentsSync"}, "StartSubFld state IncrSyncEnd"},
		{"out of order", RootContentsSync,
			[]*Element{state, DeletionsElement(&IDSet{}, nil, nil), M(IncrSyncEnd)},
			[]string{"deletions out of order in contentsSync"}, "state deletions IncrSyncEnd"},
		{"second progressTotal", RootContentsSync,
			[]*Element{ProgressTotalElement(ProgressInformation{}), ProgressTotalElement(ProgressInformation{}), state, M(IncrSyncEnd)},
			[]string{"second progressTotal"}, "progressTotal progressTotal state IncrSyncEnd"},
		{"dangling progressPerMessage", RootContentsSync,
			[]*Element{ProgressPerMessageElement(1, false), state, M(IncrSyncEnd)},
			[]string{"progressPerMessage is not followed by a messageChange"}, "progressPerMessage state IncrSyncEnd"},
		{"after the end", RootContentsSync,
			[]*Element{state, M(IncrSyncEnd), M(IncrSyncChg)},
			[]string{"IncrSyncChg after the end of contentsSync"}, "state IncrSyncEnd IncrSyncChg"},
		{"missing EndMessage", RootMessageList,
			[]*Element{M(StartMessage), PL(P(tagSubject, "a")), M(StartMessage), PL(P(tagSubject, "b")), M(EndMessage)},
			[]string{"message: missing EndMessage before StartMessage"}, "message message"},
		{"missing EndToRecip", RootMessageContent,
			[]*Element{PL(P(tagSubject, "a")), M(StartRecip), PL(P(tagRecipName, "r")), M(NewAttach), P(PidTagAttachNumber, int32(0)), M(EndAttach)},
			[]string{"recipient: missing EndToRecip before NewAttach"}, "propList messageChildren"},
		{"attachment without number", RootMessageContent,
			[]*Element{M(NewAttach), P(tagAttachName, "x"), M(EndAttach)},
			[]string{"NewAttach is not followed by PidTagAttachNumber"}, "propList messageChildren"},
		{"missing IncrSyncMessage", RootContentsSync,
			[]*Element{M(IncrSyncChg), P(PidTagSourceKey, NewXID(testReplGUID, 1).Bytes()), M(StartRecip), M(EndToRecip), state, M(IncrSyncEnd)},
			[]string{"missing IncrSyncMessage before StartRecip"}, "messageChangeFull state IncrSyncEnd"},
		{"partial without IncrSyncChgPartial", RootContentsSync,
			[]*Element{P(MetaTagIncrSyncGroupId, int32(1)), state, M(IncrSyncEnd)},
			[]string{"missing IncrSyncChgPartial before IncrSyncStateBegin"}, "messageChangePartial state IncrSyncEnd"},
		{"truncated inside an attachment", RootMessageContent,
			[]*Element{M(NewAttach), P(PidTagAttachNumber, int32(0)), P(tagAttachName, "x")},
			[]string{"stream ends inside attachment (no EndAttach)"}, "propList messageChildren"},
		{"state without begin", RootState,
			[]*Element{P(MetaTagCnsetSeen, []byte{}), M(IncrSyncStateEnd)},
			[]string{"state does not start with IncrSyncStateBegin"}, "propList IncrSyncStateEnd"},
		{"topFolder without start", RootTopFolder,
			[]*Element{PL(P(PidTagDisplayName, "x")), M(EndFolder)},
			[]string{"topFolder does not start with StartTopFld"}, "folderContent EndFolder"},
		{"bad values", RootMessageContent,
			[]*Element{Leaf(Atom{Tag: 0x0E69000B, Raw: []byte{2, 0}, Hdr: 4, Len: 6}),
				Leaf(Atom{Tag: tagSubject, Raw: []byte{'a', 0}, Size: 2, Hdr: 8, Len: 10}),
				Leaf(Atom{Tag: 0x0E1D001E, Raw: []byte{'a'}, Size: 1, Hdr: 8, Len: 9}),
				P(PidTagSourceKey, []byte{1, 2, 3}),
				P(PidTagPredecessorChangeList, []byte{40}),
			},
			[]string{"boolean 0x0002 is neither 0 nor 1", "PidTagSubject: string value lacks its terminating NUL",
				"PidTagNormalizedSubject: string value lacks its terminating NUL", "PidTagSourceKey: 3 bytes is not an XID",
				"XidSize 40"}, "propList messageChildren"},
		{"bad state IDSET", RootState,
			[]*Element{ICSState{CnsetSeen: &IDSet{}}.Element().Children[0], P(MetaTagCnsetSeen, []byte{1, 2, 3}), M(IncrSyncStateEnd)},
			[]string{"truncated: REPLGUID needs 16 bytes, 3 left"}, "IncrSyncStateBegin propList IncrSyncStateEnd"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := stream(t, c.items...)
			e, n, an := DecodeStream(b, c.root, true)
			for _, w := range c.want {
				if !hasAnomaly(an, w) {
					t.Errorf("no anomaly %q in %v", w, an)
				}
			}
			var names []string
			for _, ch := range e.Children {
				names = append(names, ch.Name())
			}
			if got := strings.Join(names, " "); got != c.layout {
				t.Errorf("layout %q, want %q\n%s", got, c.layout, e.Dump())
			}
			_ = n.JSON(wire.JSONOptions{Spans: true})
			_ = n.Text()
			// The split does not matter, here either.
			d := NewDecoder(Options{Root: c.root})
			for i := range b {
				d.Feed(b[i : i+1])
			}
			d.Close()
			if got, want := d.Root().Dump(), e.Dump(); got != want {
				t.Errorf("byte by byte:\n%s", firstDiff(want, got))
			}
			if got, want := fmt.Sprint(d.Anomalies()), fmt.Sprint(an); got != want {
				t.Errorf("byte by byte anomalies %s, want %s", got, want)
			}
		})
	}
}

func TestLexicalErrors(t *testing.T) {
	cases := []struct {
		hex, reason string
		atoms       int
	}{
		{"03 00 37 00 01 00 00 00  00 00 01 00", "type 0x0000 is not a FastTransfer property type", 1},
		{"01 00 02 00", "type 0x0001 is not", 0},
		{"FD 00 02 00", "type 0x00FD is not", 0},
		{"0B 10 02 00", "type 0x100B is not", 0},
		{"03 00 01 80 " + strings.Repeat("00", 16) + " 05", "named property kind 0x05", 0},
		{"03 00 01 80 " + strings.Repeat("00", 16) + " 01 " + strings.Repeat("4100", 2100), "without its NUL", 0},
	}
	for _, c := range cases {
		b := unhex(t, c.hex)
		atoms, an := LexAll(b, LexerOptions{})
		if len(atoms) != c.atoms || !hasAnomaly(an, c.reason) {
			t.Errorf("%s…: %d atoms, %v", c.hex[:min(20, len(c.hex))], len(atoms), an)
		}
		// The error is found the same way however the bytes come.
		l := NewLexer(LexerOptions{})
		for i := range b {
			l.Feed(b[i : i+1])
		}
		l.Close()
		if len(l.Atoms()) != c.atoms || fmt.Sprint(l.Anomalies()) != fmt.Sprint(an) {
			t.Errorf("byte by byte: %v vs %v", l.Anomalies(), an)
		}
		if !l.Broken() {
			t.Errorf("not broken")
		}
	}
	// The bytes after a lexical error keep a span.
	b := unhex(t, "03 00 37 00 01 00 00 00  FF FF FF FF 01 02")
	_, n, _ := DecodeStream(b, RootMessageContent, true)
	if nd := n.Find(9); nd == nil || nd.Name != "unlexed" || nd.Len != 6 {
		t.Fatalf("%+v", nd)
	}
	// A stream ending inside an atom.
	_, an := LexAll(unhex(t, "1F 00 37 00 10 00 00 00 41 00"), LexerOptions{})
	if len(an) != 1 || !strings.Contains(an[0].Reason, "truncated: stream ends 10 bytes into an atom that needs at least 24") || len(an[0].Raw) != 10 {
		t.Fatalf("%v", an)
	}
	// Bytes fed after Close.
	l := NewLexer(LexerOptions{})
	l.Close()
	l.Feed([]byte{1})
	if len(l.Anomalies()) != 1 {
		t.Fatal(l.Anomalies())
	}
}

// Deeply nested embedded messages stop at the nesting limit.
func TestNestingLimit(t *testing.T) {
	var items []*Element
	for i := 0; i < 200; i++ {
		items = append(items, M(NewAttach), P(PidTagAttachNumber, int32(i)), M(StartEmbed))
	}
	b := stream(t, items...)
	e, _, an := DecodeStream(b, RootMessageContent, false)
	if !hasAnomaly(an, "nested deeper than") {
		t.Fatalf("anomalies %v", an[:min(len(an), 5)])
	}
	depth := 0
	var walk func(e *Element, d int)
	walk = func(e *Element, d int) {
		depth = max(depth, d)
		for _, c := range e.Children {
			walk(c, d+1)
		}
	}
	walk(e, 0)
	if depth > maxDepth+2 {
		t.Fatalf("depth %d", depth)
	}
}

// The root guess: each root from its first atoms, and the hierarchy /
// contents ambiguity of IncrSyncChg decided by what follows.
func TestGuessRoot(t *testing.T) {
	hier := stream(t, M(IncrSyncChg), P(PidTagParentSourceKey, []byte{}), M(IncrSyncChg))
	if e, _, _ := DecodeStream(hier, RootUnknown, false); e.Kind != KindHierarchySync {
		t.Fatalf("hierarchy guessed as %s", e.Kind)
	}
	cont := stream(t, M(IncrSyncChg), P(PidTagSourceKey, NewXID(testReplGUID, 1).Bytes()), M(IncrSyncMessage))
	if e, _, _ := DecodeStream(cont, RootUnknown, false); e.Kind != KindContentsSync {
		t.Fatalf("contents guessed as %s", e.Kind)
	}
	tail := stream(t, DeletionsElement(&IDSet{}, nil, nil), ICSState{CnsetSeen: &IDSet{}, IdsetGiven: &IDSet{}}.Element(), M(IncrSyncEnd))
	if e, _, _ := DecodeStream(tail, RootUnknown, false); e.Kind != KindHierarchySync {
		t.Fatalf("hierarchy tail guessed as %s", e.Kind)
	}
	tail = stream(t, DeletionsElement(&IDSet{}, nil, nil), ICSState{CnsetSeen: &IDSet{}, CnsetRead: &IDSet{}}.Element(), M(IncrSyncEnd))
	if e, _, _ := DecodeStream(tail, RootUnknown, false); e.Kind != KindContentsSync {
		t.Fatalf("contents tail guessed as %s", e.Kind)
	}
	st := stream(t, ICSState{CnsetSeen: &IDSet{}, CnsetRead: &IDSet{}}.Element())
	if e, _, an := DecodeStream(st, RootUnknown, false); e.Kind != KindState || len(an) != 0 {
		t.Fatalf("state guessed as %s %v", e.Kind, an)
	}
	if e, _, an := DecodeStream(nil, RootUnknown, true); e.Kind != KindUnknown || len(an) != 0 {
		t.Fatalf("empty: %s %v", e.Kind, an)
	}
	for _, s := range []string{"contents", "hierarchySync", "state", "folder", "message", "attachment", "messages", "topFolder", "auto"} {
		if _, err := ParseRoot(s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ParseRoot("nope"); err == nil {
		t.Fatal("bad root accepted")
	}
}
