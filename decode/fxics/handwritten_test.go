package fxics

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

var commentRE = regexp.MustCompile(`(?m)//.*$`)

// unhex reads hex with spaces, newlines and // comments.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	s = commentRE.ReplaceAllString(s, "")
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The sample stream of the Microsoft Open Specifications blog post
// "MS-OXCFXICS – How to parse the FastTransfer Stream" (2015): the start
// of a hierarchy synchronization download, one folderChange. The post
// shows only the first part of a longer stream, so the hierarchySync does
// not end.
const blogSample = `
03 00 12 40 02 01 E1 65 00 00 00 00 02 01 E0 65
16 00 00 00 52 F6 85 EC 7D 43 2E 4A A9 60 34 50
88 53 D9 0A 00 00 00 00 03 F5 40 00 08 30 00 D0
9E A8 81 85 D0 01 02 01 E2 65 16 00 00 00 52 F6
85 EC 7D 43 2E 4A A9 60 34 50 88 53 D9 0A 00 00
00 00 20 7C 02 01 E3 65 17 00 00 00 16 52 F6 85
EC 7D 43 2E 4A A9 60 34 50 88 53 D9 0A 00 00 00
00 20 7C 1F 00 01 30 0C 00 00 00 49 00 4E 00 42
00 4F 00 58 00 00 00 14 00 49 67 01 00 00 00 00
00 03 F4 03 00 39 66 FB 03 00 00 40 00 07 30 80
39 06 A8 81 85 D0 01 0B 00 F4 10 00 00`

func TestBlogSample(t *testing.T) {
	b := unhex(t, blogSample)
	atoms, an := LexAll(b, LexerOptions{})
	if len(an) != 0 {
		t.Fatal(an)
	}
	want := []string{
		"IncrSyncChg@0",
		"PidTagParentSourceKey:PtypBinary@4+8",
		"PidTagSourceKey:PtypBinary@12+30",
		"PidTagLastModificationTime:PtypTime@42+12",
		"PidTagChangeKey:PtypBinary@54+30",
		"PidTagPredecessorChangeList:PtypBinary@84+31",
		"PidTagDisplayName:PtypString@115+20",
		"PidTagParentFolderId:PtypInteger64@135+12",
		"PidTagRights:PtypInteger32@147+8",
		"PidTagCreationTime:PtypTime@155+12",
		"PidTagAttributeHidden:PtypBoolean@167+6", // PtypBoolean: 2 bytes
	}
	if len(atoms) != len(want) {
		t.Fatalf("%d atoms", len(atoms))
	}
	for i, a := range atoms {
		if a.String() != want[i] {
			t.Fatalf("atom %d = %s, want %s", i, a.String(), want[i])
		}
	}
	if v, _ := atoms[6].Value(); v != "INBOX" {
		t.Fatalf("display name %q", v)
	}
	if v, _ := atoms[10].Value(); v != false {
		t.Fatalf("hidden %v", v)
	}
	sk, err := DecodeXID(atoms[2].Raw)
	if err != nil || sk.String() != "{ec85f652-437d-4a2e-a960-34508853d90a}:0000000003F5" {
		t.Fatalf("source key %v %v", sk, err)
	}
	pcl, err := DecodePredecessorChangeList(atoms[5].Raw)
	if err != nil || len(pcl) != 1 || pcl[0].String() != "{ec85f652-437d-4a2e-a960-34508853d90a}:00000000207C" {
		t.Fatalf("PCL %v %v", pcl, err)
	}
	if v, _ := atoms[7].Value(); prop.ID(uint64(v.(int64))).String() != "0001-0000000003F4" {
		t.Fatalf("parent folder id %v", v)
	}

	// Parsed with a guessed root: a hierarchySync with one folderChange,
	// and the anomaly that the stream (cut short by the post) ends inside it.
	e, n, an := DecodeStream(b, RootUnknown, true)
	if e.Kind != KindHierarchySync || len(e.Children) != 1 || e.Children[0].Kind != KindFolderChange {
		t.Fatalf("tree:\n%s", e.Dump())
	}
	if len(an) != 1 || !strings.Contains(an[0].Reason, "stream ends inside hierarchySync") {
		t.Fatalf("anomalies %v", an)
	}
	js := string(n.JSON(wire.JSONOptions{}))
	for _, s := range []string{`"element":"folderChange"`, `"name":"IncrSyncChg"`, `"Value":"INBOX"`,
		`"name":"0001-0000000003F4"`, `"XidSize":22`, `"NamespaceGuid":"ec85f652-437d-4a2e-a960-34508853d90a"`} {
		if !strings.Contains(js, s) {
			t.Fatalf("JSON lacks %s:\n%s", s, js)
		}
	}
	if nd := n.Find(92); nd == nil || nd.Name != "XidSize" {
		t.Fatalf("offset 92 → %+v", nd)
	}
	if got, _ := Encode(e); !bytes.Equal(got, b) {
		t.Fatal("re-encode differs")
	}
}

// A contentsSync written by hand from the field layouts of [MS-OXCFXICS]
// 2.2.4 (markers 2.2.4.1.4, propValue 2.2.4.1.2, simple types 2.2.4.1.3,
// code page types 2.2.4.1.1.1), 2.2.2.7 (ProgressInformation) and the
// IDSET / GLOBSET encodings of 2.2.2.4 and 2.2.2.6.
const handContents = `
0B 00 74 40                        // IncrSyncProgressMode
  02 01 00 00 20 00 00 00          // propValue 0x00000102 PtypBinary, length 32
    00 00 00 00                    //   ProgressInformation Version 0, Padding1
    00 00 00 00 00 00 00 00 00 00 00 00 // FAIMessageCount 0, FAIMessageTotalSize 0
    01 00 00 00 00 00 00 00        //   NormalMessageCount 1, Padding2
    00 01 00 00 00 00 00 00        //   NormalMessageTotalSize 256
0B 00 75 40                        // IncrSyncProgressPerMsg
  03 00 00 00 00 01 00 00          // 0x00000003 PtypInteger32 256 (message size)
  0B 00 00 00 00 00                // 0x0000000B PtypBoolean false, two bytes
03 00 12 40                        // IncrSyncChg
  02 01 E0 65 16 00 00 00          // PidTagSourceKey, 22 bytes
    52 F6 85 EC 7D 43 2E 4A A9 60 34 50 88 53 D9 0A 00 00 00 00 01 10
  40 00 08 30 00 D0 9E A8 81 85 D0 01 // PidTagLastModificationTime
  02 01 E2 65 16 00 00 00          // PidTagChangeKey
    52 F6 85 EC 7D 43 2E 4A A9 60 34 50 88 53 D9 0A 00 00 00 00 20 01
  02 01 E3 65 17 00 00 00 16       // PidTagPredecessorChangeList: one SizedXid of 22
    52 F6 85 EC 7D 43 2E 4A A9 60 34 50 88 53 D9 0A 00 00 00 00 20 01
  0B 00 AA 67 00 00                // PidTagAssociated false
  14 00 4A 67 01 00 00 00 00 00 01 10 // PidTagMid 0001-000000000110
  03 00 08 0E 00 01 00 00          // PidTagMessageSize 256
  14 00 A4 67 01 00 00 00 00 00 20 01 // PidTagChangeNumber 0001-000000002001
03 00 15 40                        // IncrSyncMessage
  1F 00 37 00 06 00 00 00 48 00 69 00 00 00 // PidTagSubject "Hi" with its NUL
  1F 00 01 80                      // named property 0x8001 PtypString
    86 03 02 00 00 00 00 00 C0 00 00 00 00 00 00 46 // PS_INTERNET_HEADERS
    01 78 00 00 00                 // kind 0x01 (name), "x" NUL-terminated
    04 00 00 00 79 00 00 00        // value "y"
  03 00 02 80                      // named property 0x8002 PtypInteger32
    08 20 06 00 00 00 00 00 C0 00 00 00 00 00 00 46 // PSETID_Common
    00 06 85 00 00                 // kind 0x00 (dispid), LID 0x8506 (PidLidPrivate)
    01 00 00 00
  E4 84 1D 0E 03 00 00 00 41 80 00 // PidTagNormalizedSubject, code page 1252: "A€"
  03 10 01 7F 02 00 00 00 07 00 00 00 08 00 00 00 // 0x7F01 PtypMultipleInteger32 [7, 8]
  1F 10 02 7F 02 00 00 00          // 0x7F02 PtypMultipleString, 2 values
    04 00 00 00 61 00 00 00        //   "a"
    02 00 00 00 00 00              //   ""
03 00 03 40                        // StartRecip
  03 00 15 0C 01 00 00 00          // PidTagRecipientType 1
03 00 04 40                        // EndToRecip
03 00 00 40                        // NewAttach
  03 00 21 0E 00 00 00 00          // PidTagAttachNumber 0
  03 00 05 37 01 00 00 00          // PidTagAttachMethod 1
03 00 0E 40                        // EndAttach
03 00 13 40                        // IncrSyncDel
  02 01 E5 67 0D 00 00 00          // MetaTagIdsetDeleted, REPLID-based IDSET
    01 00                          //   REPLID 1
    05 00 00 00 00 00              //   Push 5 common bytes
    52 01 05                       //   Range 1..5
    50 00                          //   Pop, End
03 00 2F 40                        // IncrSyncRead
  02 01 2D 40 0A 00 00 00          // MetaTagIdsetRead
    01 00 06 00 00 00 00 01 10 00  //   REPLID 1, Push 6 (singleton 0x110), End
03 00 3A 40                        // IncrSyncStateBegin
  02 01 96 67 1B 00 00 00          // MetaTagCnsetSeen, REPLGUID-based
    52 F6 85 EC 7D 43 2E 4A A9 60 34 50 88 53 D9 0A
    05 00 00 00 00 20              //   Push 5
    42 01 46                       //   Bitmask from 0x01: bits 1, 2, 6 → 3, 4, 8
    50 00                          //   Pop, End
  03 00 17 40 18 00 00 00          // MetaTagIdsetGiven: PtypInteger32 tag, binary payload
    52 F6 85 EC 7D 43 2E 4A A9 60 34 50 88 53 D9 0A
    06 00 00 00 00 01 10 00        //   singleton 0x110, End
03 00 3B 40                        // IncrSyncStateEnd
03 00 14 40                        // IncrSyncEnd
`

func TestHandWrittenContentsSync(t *testing.T) {
	b := unhex(t, handContents)
	e := decodeClean(t, b, RootUnknown)
	var kinds []string
	for _, c := range e.Children {
		kinds = append(kinds, c.Name())
	}
	if got := strings.Join(kinds, " "); got != "progressTotal progressPerMessage messageChangeFull deletions readStateChanges state IncrSyncEnd" {
		t.Fatalf("children: %s", got)
	}
	mc := e.Children[2]
	if mc.Prop(tagSubject) == nil {
		t.Fatalf("no subject in %s", mc.Dump())
	}
	vals := map[string]string{}
	for _, a := range mc.Props() {
		v, err := a.Value()
		if err != nil {
			t.Fatal(err)
		}
		vals[a.DisplayName()] = fmt.Sprint(v)
	}
	for k, v := range map[string]string{
		"PidTagSubject":                 "Hi",
		`PS_INTERNET_HEADERS:"x"`:       "y",
		"PidLidPrivate":                 "1",
		"PidTagNormalizedSubject":       "A€",
		"0x7F011003":                    "[7 8]",
		"0x7F02101F":                    "[a ]",
		"PidTagMid":                     fmt.Sprint(int64(prop.MakeID(1, 0x110))),
		"PidTagPredecessorChangeList":   fmt.Sprint(unhex(t, "1652F685EC7D432E4AA96034508853D90A000000002001")),
		"PidTagAssociated":              "false",
		"PidTagChangeNumber":            fmt.Sprint(int64(MakeCN(1, 0x2001))),
		"PidTagLastModificationTime":    "2015-05-03T09:15:12Z",
		"PidTagSourceKey":               fmt.Sprint(NewXID(testReplGUID, 0x110).Bytes()),
		"PidTagChangeKey":               fmt.Sprint(NewXID(testReplGUID, 0x2001).Bytes()),
		"PidTagMessageSize":             "256",
		"PidTagRecipientType":           "",
		"MetaTagIdsetGiven":             "",
		"PidTagAttachNumber":            "",
		"PidTagMessageSizeExtended":     "",
		"IncrSyncChg":                   "",
		"PidTagNormalizedSubject:extra": "",
	} {
		if v == "" {
			if _, ok := vals[k]; ok && k != "PidTagMessageSize" {
				t.Fatalf("%s should not be among the message properties", k)
			}
			continue
		}
		if vals[k] != v {
			t.Fatalf("%s = %q, want %q (all: %v)", k, vals[k], v, vals)
		}
	}
	// Recipient and attachment are children, not message properties.
	ch := mc.Child(KindMessageChildren)
	if ch == nil || len(ch.Elements(KindRecipient)) != 1 || len(ch.Elements(KindAttachment)) != 1 {
		t.Fatalf("messageChildren:\n%s", mc.Dump())
	}
	// The IDSETs.
	checkSet := func(k Kind, tag prop.Tag, form IDSetForm, want string) {
		t.Helper()
		el := e.Child(k)
		a := el.Prop(tag)
		if a == nil {
			t.Fatalf("%s: no %s", k, tag)
		}
		s, err := DecodeIDSet(a.Raw, form == FormREPLGUID)
		if err != nil || s.String() != want {
			t.Fatalf("%s: %s (%v), want %s", tag, s, err, want)
		}
		if enc := s.Encode(form == FormREPLGUID); !bytes.Equal(enc, a.Raw) {
			t.Fatalf("%s: canonical encoding %x, stream %x", tag, enc, a.Raw)
		}
	}
	checkSet(KindDeletions, MetaTagIdsetDeleted, FormREPLID, "replica 1: 1-5")
	checkSet(KindReadStateChanges, MetaTagIdsetRead, FormREPLID, "replica 1: 272")
	checkSet(KindState, MetaTagCnsetSeen, FormREPLGUID, "replica {ec85f652-437d-4a2e-a960-34508853d90a}: 8193, 8195-8196, 8200")
	checkSet(KindState, MetaTagIdsetGiven, FormREPLGUID, "replica {ec85f652-437d-4a2e-a960-34508853d90a}: 272")
	st, err := StateOf(e)
	if err != nil || st.CnsetSeen == nil || st.IdsetGiven == nil || st.CnsetSeenFAI != nil || !st.IdsetGiven.ContainsGUID(testReplGUID, 0x110) {
		t.Fatalf("state %+v %v", st, err)
	}
	// The ProgressInformation.
	pt := e.Child(KindProgressTotal).Prop(0x00000102)
	c := wire.NewDecoder(pt.Raw, false, "")
	var pi ProgressInformation
	pi.Codec(c)
	if c.Err() != nil || pi.NormalMessageCount != 1 || pi.NormalMessageTotalSize != 256 {
		t.Fatalf("progress %+v %v", pi, c.Err())
	}
	// Re-encoding gives the hand-written bytes back.
	if got := mustEncode(t, e); !bytes.Equal(got, b) {
		t.Fatal("re-encode differs")
	}
	// The span tree decodes the structures.
	_, n, _ := DecodeStream(b, RootContentsSync, true)
	js := string(n.JSON(wire.JSONOptions{}))
	for _, s := range []string{`"NormalMessageTotalSize":256`, `"StartingValue"`,
		`"Ranges":"8193, 8195-8196, 8200"`, `"REPLID":1`, `"LID":{"value":34054,"name":"PidLidPrivate"`,
		`"Name":"x"`, `"Value":"A€"`, `"Value":[7,8]`} {
		if !strings.Contains(js, s) {
			t.Fatalf("JSON lacks %s:\n%s", s, js)
		}
	}
	txt := n.Text()
	for _, s := range []string{"(Bitmask from 000000002001)", "(Push 5 (5 common bytes))", "(Push (singleton 000000000110))",
		"(replica {ec85f652-437d-4a2e-a960-34508853d90a})", "Ranges: \"1-5\""} {
		if !strings.Contains(txt, s) {
			t.Fatalf("text lacks %s:\n%s", s, txt)
		}
	}
	// Every byte of the stream is covered by some leaf of the span tree.
	for off := 0; off < len(b); off++ {
		nd := n.Find(off)
		if nd == nil || nd.Kind != wire.KindValue {
			t.Fatalf("offset %d: %+v", off, nd)
		}
	}
}
