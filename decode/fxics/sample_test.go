package fxics

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Test data built from the grammar with the Writer's element builders.

var (
	testReplGUID = prop.GUID{0x52, 0xF6, 0x85, 0xEC, 0x7D, 0x43, 0x2E, 0x4A, 0xA9, 0x60, 0x34, 0x50, 0x88, 0x53, 0xD9, 0x0A}
	psetCommon   = prop.GUID{0x08, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
	psInternet   = prop.GUID{0x86, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
)

const (
	tagSubject      prop.Tag = 0x0037001F
	tagBody         prop.Tag = 0x1000001F
	tagHTML         prop.Tag = 0x10130102
	tagMessageClass prop.Tag = 0x001A001F
	tagImportance   prop.Tag = 0x00170003
	tagKeywords     prop.Tag = 0x8001101F // a named property by LID (PidLidCategories's LID)
	tagNamedName    prop.Tag = 0x8002001F
	tagRead         prop.Tag = 0x0E69000B
	tagDisplayTo    prop.Tag = 0x0E04001F
	tagRecipType    prop.Tag = 0x0C150003
	tagEmailAddr    prop.Tag = 0x3003001F
	tagRecipName    prop.Tag = 0x3001001F
	tagAttachData   prop.Tag = 0x37010102
	tagAttachName   prop.Tag = 0x3707001F
	tagAttachSize   prop.Tag = 0x0E200003
	tagSearchKey    prop.Tag = 0x300B0102
	tagMVInt        prop.Tag = 0x7F011003
	tagGuidProp     prop.Tag = 0x7F020048
	tagCodePageStr  prop.Tag = 0x0E1D84E4 // PidTagNormalizedSubject as a Windows-1252 code page string
	tagCodePageUTF  prop.Tag = 0x0E1D84B0 // ... as a code page 1200 (UTF-16) string
)

func namedLID(tag prop.Tag, set prop.GUID, lid uint32, v any) *Element {
	a, err := NewNamedProp(tag, prop.PropertyName{Kind: prop.KindLID, Guid: set, LID: lid}, v)
	if err != nil {
		panic(err)
	}
	return Leaf(a)
}

func namedString(tag prop.Tag, set prop.GUID, name string, v any) *Element {
	a, err := NewNamedProp(tag, prop.PropertyName{Kind: prop.KindName, Guid: set, Name: name}, v)
	if err != nil {
		panic(err)
	}
	return Leaf(a)
}

// sampleMessage builds the messageChangeFull of message i with a body of
// bodySize characters, three recipients and i%3 attachments (the second
// holding an embedded message).
func sampleMessage(i, bodySize int) *Element {
	gc := uint64(0x1000 + i)
	header := []*Element{
		P(PidTagSourceKey, NewXID(testReplGUID, gc).Bytes()),
		P(PidTagLastModificationTime, prop.Filetime(133000000000000000+uint64(i)*10000000)),
		P(PidTagChangeKey, NewXID(testReplGUID, 0x8000+gc).Bytes()),
		P(PidTagPredecessorChangeList, mustPCL(NewXID(testReplGUID, 0x8000+gc))),
		P(PidTagAssociated, false),
		P(PidTagMid, int64(prop.MakeID(1, gc))),
		P(PidTagMessageSize, int32(bodySize*2+512)),
		P(PidTagChangeNumber, int64(MakeCN(1, 0x8000+gc))),
	}
	body := strings.Repeat(fmt.Sprintf("Line %d of message body text. ", i), bodySize/20+1)[:bodySize]
	props := []*Element{
		P(tagMessageClass, "IPM.Note"),
		P(tagSubject, fmt.Sprintf("Subject of message %d — ünïcødé", i)),
		P(tagImportance, int32(1)),
		P(tagRead, i%2 == 0),
		P(tagBody, body),
		P(tagHTML, []byte("<html><body>"+body[:bodySize/2]+"</body></html>")),
		P(tagMVInt, []int32{1, 2, int32(i)}),
		P(tagGuidProp, testReplGUID),
		P(tagCodePageStr, "caf\u00e9 \u20ac"),
		P(tagCodePageUTF, "\u65e5\u672c"),
		namedLID(tagKeywords, psetCommon, 0x8539, []string{"red", "blue"}),
		namedString(tagNamedName, psInternet, "x-custom-header", "value"),
	}
	children := E(KindMessageChildren, P(MetaTagFXDelProp, int32(PidTagMessageRecipients)))
	for r := 0; r < 3; r++ {
		children.Children = append(children.Children, RecipientElement(
			P(tagRecipType, int32(r+1)),
			P(tagRecipName, fmt.Sprintf("Recipient %d", r)),
			P(tagEmailAddr, fmt.Sprintf("user%d@example.com", r)),
			P(tagSearchKey, []byte(fmt.Sprintf("SMTP:USER%d@EXAMPLE.COM\x00", r))),
		))
	}
	children.Children = append(children.Children, P(MetaTagFXDelProp, int32(PidTagMessageAttachments)))
	for a := 0; a < i%3; a++ {
		data := []byte(strings.Repeat(fmt.Sprintf("attachment %d/%d ", i, a), 40))
		var emb *Element
		if a == 1 {
			emb = EmbeddedMessageElement([]*Element{
				P(tagMessageClass, "IPM.Note"),
				P(tagSubject, "embedded"),
			}, E(KindMessageChildren, RecipientElement(P(tagRecipName, "Inner"))))
		}
		children.Children = append(children.Children, AttachmentElement(int32(a), []*Element{
			P(tagAttachName, fmt.Sprintf("file%d.txt", a)),
			P(tagAttachSize, int32(len(data))),
			P(tagAttachData, data),
		}, emb))
	}
	return MessageChangeFullElement(header, props, children)
}

func mustPCL(xs ...XID) []byte {
	b, err := EncodePredecessorChangeList(xs)
	if err != nil {
		panic(err)
	}
	return b
}

func samplePartial(i int) *Element {
	gi := PropertyGroupInfo{GroupId: 1, Groups: []PropertyGroup{
		{PropertyTags: []GroupProperty{{Tag: tagSubject}, {Tag: tagImportance}}},
		{PropertyTags: []GroupProperty{{Tag: tagBody}, {Tag: tagNamedName, Name: &GroupPropertyName{Guid: psInternet, Kind: 1, Name: "x-custom-header"}}}},
	}}
	c := encodeGroupInfo(gi)
	gc := uint64(0x2000 + i)
	return E(KindMessageChangePartial,
		E(KindGroupInfo, M(IncrSyncGroupInfo), PL(P(0x00000102, c))),
		P(MetaTagIncrSyncGroupId, int32(1)),
		M(IncrSyncChgPartial),
		E(KindMessageChangeHeader,
			P(PidTagSourceKey, NewXID(testReplGUID, gc).Bytes()),
			P(PidTagLastModificationTime, prop.Filetime(133000000000000000)),
			P(PidTagChangeKey, NewXID(testReplGUID, 0x9000+gc).Bytes()),
			P(PidTagPredecessorChangeList, mustPCL(NewXID(testReplGUID, 0x9000+gc))),
			P(PidTagAssociated, false),
		),
		P(MetaTagIncrementalSyncMessagePartial, int32(0)),
		PL(P(tagSubject, "changed subject"), P(tagImportance, int32(2))),
		P(MetaTagIncrementalSyncMessagePartial, int32(1)),
		PL(P(0x00000003, int32(0))),
		E(KindMessageChildren),
	)
}

// sampleContentsSync builds a contentsSync with progress, n message
// changes (one partial), deletions, read-state changes and the state.
func sampleContentsSync(n, bodySize int) *Element {
	root := E(KindContentsSync, ProgressTotalElement(ProgressInformation{
		FAIMessageCount: 0, NormalMessageCount: uint32(n), NormalMessageTotalSize: uint64(n * bodySize * 2),
	}))
	for i := 0; i < n; i++ {
		root.Children = append(root.Children, ProgressPerMessageElement(int32(bodySize*2), false))
		if i == 1 {
			root.Children = append(root.Children, samplePartial(i))
			continue
		}
		root.Children = append(root.Children, sampleMessage(i, bodySize))
	}
	del := IDSet{{ReplID: 1, Ranges: []Range{{0x500, 0x510}, {0x600, 0x600}}}}
	gone := IDSet{{ReplID: 1, Ranges: []Range{{0x700, 0x701}}}}
	read := IDSet{{ReplID: 1, Ranges: []Range{{0x1000, 0x1003}, {0x1005, 0x1005}}}}
	unread := IDSet{{ReplID: 1, Ranges: []Range{{0x1004, 0x1004}}}}
	root.Children = append(root.Children, DeletionsElement(&del, &gone, nil), ReadStateChangesElement(&read, &unread))
	seen := IDSet{{ReplGUID: testReplGUID, HasGUID: true, Ranges: []Range{{1, 0x8000 + 0x1000 + uint64(n)}}}}
	seenFAI := IDSet{{ReplGUID: testReplGUID, HasGUID: true, Ranges: []Range{{1, 0x10}}}}
	given := IDSet{{ReplGUID: testReplGUID, HasGUID: true, Ranges: []Range{{0x1000, 0x1000 + uint64(n)}, {0x2001, 0x2001}}}}
	readCN := IDSet{{ReplGUID: testReplGUID, HasGUID: true, Ranges: []Range{{1, 0x40}}}}
	root.Children = append(root.Children, ICSState{CnsetSeen: &seen, CnsetSeenFAI: &seenFAI, IdsetGiven: &given, CnsetRead: &readCN}.Element(), M(IncrSyncEnd))
	return root
}

func encodeGroupInfo(g PropertyGroupInfo) []byte {
	c := newEncoder()
	g.Codec(c)
	if err := c.Err(); err != nil {
		panic(err)
	}
	return c.Output()
}

func mustEncode(t testing.TB, e *Element) []byte {
	t.Helper()
	b, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameTree compares element trees ignoring offsets.
func sameTree(a, b *Element) string {
	if a.Kind != b.Kind || a.Stray != b.Stray {
		return fmt.Sprintf("%s vs %s", a.Kind, b.Kind)
	}
	if (a.Atom == nil) != (b.Atom == nil) {
		return fmt.Sprintf("%s: leaf vs element", a.Name())
	}
	if a.Atom != nil {
		x, y := a.Atom, b.Atom
		if x.Tag != y.Tag || x.Marker != y.Marker || x.Size != y.Size || x.Hdr != y.Hdr || x.Len != y.Len ||
			x.Truncated != y.Truncated || string(x.Raw) != string(y.Raw) || (x.Name == nil) != (y.Name == nil) ||
			(x.Name != nil && *x.Name != *y.Name) {
			return fmt.Sprintf("atom %s vs %s", x, y)
		}
		return ""
	}
	if len(a.Children) != len(b.Children) {
		return fmt.Sprintf("%s: %d children vs %d\n%s\nvs\n%s", a.Kind, len(a.Children), len(b.Children), a.Dump(), b.Dump())
	}
	for i := range a.Children {
		if d := sameTree(a.Children[i], b.Children[i]); d != "" {
			return a.Kind.String() + "/" + d
		}
	}
	return ""
}
