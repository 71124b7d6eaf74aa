package prop

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/mapiscope/mapiscope/decode/wire"
)

// Entry IDs composed from [MS-OXCDATA] 2.2.4 and 2.2.5.
const (
	mailboxGuidHex = "c0ffee00 1122 3344 5566 778899aabbcc" // a MailboxGuid from RopLogon
	dbGuidHex      = "0a0b0c0d 0e0f 1011 1213 141516171819" // a DatabaseGuid (ReplGuid)

	folderEIDHex = "00000000" + // Flags
		mailboxGuidHex + // Provider UID: the mailbox's MailboxGuid
		"0100" + // FolderType: eitLTPrivateFolder
		dbGuidHex + // DatabaseGuid
		"000000001234" + // GlobalCounter
		"0000" // Pad

	messageEIDHex = "00000000" + // Flags
		"1a447390aa6611cd9bc800aa002fc45a" + // Provider UID: public folders
		"0900" + // MessageType: eitLTPublicMessage
		dbGuidHex + // FolderDatabaseGuid
		"000000001234" + // FolderGlobalCounter
		"0000" + // Pad
		dbGuidHex + // MessageDatabaseGuid
		"00000000abcd" + // MessageGlobalCounter
		"0000" // Pad
)

func guid(t testing.TB, h string) GUID {
	var g GUID
	copy(g[:], hx(t, h))
	return g
}

func checkEntryID(t *testing.T, b []byte, wantKind string, want any, f func(c *wire.Codec)) *wire.Node {
	t.Helper()
	roundTrip(t, b, f)
	kind, v, tree, anomalies := DecodeEntryID(b, true)
	if kind != wantKind || len(anomalies) != 0 {
		t.Fatalf("DecodeEntryID: kind %q, anomalies %v", kind, anomalies)
	}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("DecodeEntryID:\n got %#v\nwant %#v", v, want)
	}
	enc, err := EncodeEntryID(v)
	if err != nil || !bytes.Equal(enc, b) {
		t.Fatalf("EncodeEntryID: %x, %v", enc, err)
	}
	if tree == nil || tree.Name != wantKind {
		t.Fatalf("tree %v", tree)
	}
	// Spans off gives the same value and no tree.
	_, v2, tree2, _ := DecodeEntryID(b, false)
	if tree2 != nil || !reflect.DeepEqual(v2, want) {
		t.Fatal("DecodeEntryID without spans differs")
	}
	return tree
}

func TestFolderEntryID(t *testing.T) {
	b := hx(t, folderEIDHex)
	if len(b) != 46 {
		t.Fatalf("%d bytes", len(b))
	}
	want := &FolderEntryID{ProviderUID: guid(t, mailboxGuidHex), FolderType: EitLTPrivateFolder,
		DatabaseGuid: guid(t, dbGuidHex), GlobalCounter: 0x1234}
	var e FolderEntryID
	tree := checkEntryID(t, b, KindFolderEntryID, want, func(c *wire.Codec) { CodecFolderEntryID(c, &e, "FolderEntryID") })
	js := string(tree.JSON(wire.JSONOptions{}))
	if !strings.Contains(js, `"FolderType":{"value":1,"name":"PrivateFolder"`) || !strings.Contains(js, `"GlobalCounter":"000000001234"`) {
		t.Fatalf("JSON: %s", js)
	}
}

func TestMessageEntryID(t *testing.T) {
	b := hx(t, messageEIDHex)
	if len(b) != 70 {
		t.Fatalf("%d bytes", len(b))
	}
	want := &MessageEntryID{ProviderUID: ProviderUIDPublicFolders, MessageType: EitLTPublicMessage,
		FolderDatabaseGuid: guid(t, dbGuidHex), FolderGlobalCounter: 0x1234,
		MessageDatabaseGuid: guid(t, dbGuidHex), MessageGlobalCounter: 0xABCD}
	var e MessageEntryID
	tree := checkEntryID(t, b, KindMessageEntryID, want, func(c *wire.Codec) { CodecMessageEntryID(c, &e, "MessageEntryID") })
	js := string(tree.JSON(wire.JSONOptions{}))
	if !strings.Contains(js, `"name":"public folders"`) || !strings.Contains(js, `"name":"PublicMessage"`) {
		t.Fatalf("JSON: %s", js)
	}
}

func TestStoreEntryID(t *testing.T) {
	head := "00000000" + // Flags
		"38a1bb1005e5101aa1bb08002b2a56c2" + // ProviderUID: store wrapper
		"00" + // Version
		"00" + // Flag
		"454d534d44422e444c4c00000000" + // DLLFileName "EMSMDB.DLL"
		"00000000" // WrappedFlags
	mailbox := head +
		"1b55fa20aa6611cd9bc800aa002fc45a" + // WrappedProvider UID: mailbox store
		"0c000000" + // WrappedType: mailbox
		str8z("EXCH01") + // ServerShortname
		str8z("/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice") // MailboxDN
	want := &StoreEntryID{ProviderUID: ProviderUIDStoreWrap, DLLFileName: StoreDLLFileName,
		WrappedProviderUID: ProviderUIDMailboxStore, WrappedType: 0x0C, ServerShortname: "EXCH01",
		MailboxDN: "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice"}
	var e StoreEntryID
	tree := checkEntryID(t, hx(t, mailbox), KindStoreEntryID, want, func(c *wire.Codec) { CodecStoreEntryID(c, &e, "StoreEntryID") })
	if !e.IsMailbox() {
		t.Fatal("IsMailbox")
	}
	js := string(tree.JSON(wire.JSONOptions{}))
	for _, s := range []string{`"DLLFileName":"EMSMDB.DLL"`, `"name":"mailbox store"`, `"ServerShortname":"EXCH01"`} {
		if !strings.Contains(js, s) {
			t.Errorf("JSON lacks %s: %s", s, js)
		}
	}

	// The public folder store has no MailboxDN.
	public := head +
		"1c830210aa6611cd9bc800aa002fc45a" + // WrappedProvider UID: public store
		"06000000" + // WrappedType: public
		str8z("EXCH01") // ServerShortname
	want = &StoreEntryID{ProviderUID: ProviderUIDStoreWrap, DLLFileName: StoreDLLFileName,
		WrappedProviderUID: ProviderUIDPublicStore, WrappedType: 0x06, ServerShortname: "EXCH01"}
	checkEntryID(t, hx(t, public), KindStoreEntryID, want, func(c *wire.Codec) { CodecStoreEntryID(c, &e, "StoreEntryID") })

	// Bytes after MailboxDN (Outlook's v2/v3 blocks) are kept.
	ext := mailbox + "e94632f4 0c000000 01000000"
	_, v, _, anomalies := DecodeEntryID(hx(t, ext), false)
	se := v.(*StoreEntryID)
	if len(anomalies) != 0 || !bytes.Equal(se.Extension, hx(t, "e94632f4 0c000000 01000000")) {
		t.Fatalf("extension %x, %v", se.Extension, anomalies)
	}
	if enc, _ := EncodeEntryID(se); !bytes.Equal(enc, hx(t, ext)) {
		t.Fatal("extension not re-encoded")
	}

	// A wrong DLL name and WrappedType are noted, not fatal.
	bad := strings.Replace(public, "06000000", "07000000", 1)
	bad = strings.Replace(bad, "454d534d44422e444c4c", "454d534d44422e444c58", 1)
	_, _, _, anomalies = DecodeEntryID(hx(t, bad), false)
	if len(anomalies) != 2 {
		t.Fatalf("anomalies %v", anomalies)
	}
}

func TestOneOffEntryID(t *testing.T) {
	head := "00000000" + // Flags
		"812b1fa4bea310199d6e00dd010f5402" + // ProviderUID: one-off
		"0000" // Version
	unicode := head +
		"0190" + // M, U, L set (masks 0x0100, 0x0080, 0x0010)
		utf16z("Alice Example") + // DisplayName
		utf16z("SMTP") + // AddressType
		utf16z("alice@example.com") // EmailAddress
	want := &OneOffEntryID{ProviderUID: ProviderUIDOneOff, Bits: OneOffM | OneOffU | OneOffL,
		DisplayName: "Alice Example", AddressType: "SMTP", EmailAddress: "alice@example.com"}
	var e OneOffEntryID
	tree := checkEntryID(t, hx(t, unicode), KindOneOffEntryID, want, func(c *wire.Codec) { CodecOneOffEntryID(c, &e, "OneOffEntryID") })
	if !e.Unicode() || e.Format() != 0 || e.MAE() != 0 {
		t.Fatalf("bits %04X", e.Bits)
	}
	js := string(tree.JSON(wire.JSONOptions{}))
	for _, s := range []string{`"U":true`, `"L":true`, `"M":true`, `"EmailAddress":"alice@example.com"`} {
		if !strings.Contains(js, s) {
			t.Errorf("JSON lacks %s: %s", s, js)
		}
	}

	// 8-bit strings; Format TextOnly (b'0011'), MAE UUENCODE (b'01').
	ansi := head +
		"2600" + // MAE 01 (0x20 of the first byte), Format 0011 (0x06)
		str8z("Bob") + str8z("SMTP") + str8z("bob@example.com")
	want = &OneOffEntryID{ProviderUID: ProviderUIDOneOff, Bits: 0x2600,
		DisplayName: "Bob", AddressType: "SMTP", EmailAddress: "bob@example.com"}
	checkEntryID(t, hx(t, ansi), KindOneOffEntryID, want, func(c *wire.Codec) { CodecOneOffEntryID(c, &e, "OneOffEntryID") })
	if e.Unicode() || e.Format() != OneOffTextOnly || e.MAE() != 1 {
		t.Fatalf("bits %04X: format %d MAE %d", e.Bits, e.Format(), e.MAE())
	}
	// A Unicode flag with 8-bit strings runs out of bytes.
	truncated := head + "0080" + str8z("Bob")
	if _, _, _, a := DecodeEntryID(hx(t, truncated), false); len(a) == 0 {
		t.Fatal("no anomaly")
	}
}

func TestAddressBookEntryID(t *testing.T) {
	dn := "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice"
	b := hx(t,
		"00000000",                         // Flags
		"dca740c8c042101ab4b908002b2fe182", // ProviderUID: address book
		"01000000",                         // Version
		"00000000",                         // Type: local mail user
		str8z(dn),                          // X500DN
	)
	want := &AddressBookEntryID{ProviderUID: ProviderUIDAddressBook, Version: 1, Type: ABLocalMailUser, X500DN: dn}
	var e AddressBookEntryID
	tree := checkEntryID(t, b, KindAddressBookEntryID, want, func(c *wire.Codec) { CodecAddressBookEntryID(c, &e, "AddressBookEntryID") })
	if !strings.Contains(string(tree.JSON(wire.JSONOptions{})), `"name":"LocalMailUser"`) {
		t.Fatalf("JSON: %s", tree.JSON(wire.JSONOptions{}))
	}
	// A distribution list.
	b[24] = 0x01
	want.Type = ABDistributionList
	checkEntryID(t, b, KindAddressBookEntryID, want, func(c *wire.Codec) { CodecAddressBookEntryID(c, &e, "") })
}

func TestContactEntryIDs(t *testing.T) {
	contactMsg := strings.Replace(messageEIDHex, "1a447390aa6611cd9bc800aa002fc45a0900", mailboxGuidHex+"0700", 1)
	msg := &MessageEntryID{ProviderUID: guid(t, mailboxGuidHex), MessageType: EitLTPrivateMessage,
		FolderDatabaseGuid: guid(t, dbGuidHex), FolderGlobalCounter: 0x1234,
		MessageDatabaseGuid: guid(t, dbGuidHex), MessageGlobalCounter: 0xABCD}
	b := hx(t,
		"00000000",                         // Flags
		"fe42aa0a18c71a10e8850b651c240000", // ProviderUID: contact address book
		"03000000",                         // Version
		"04000000",                         // Type: contact address
		"01000000",                         // Index: Email2
		"46000000",                         // EntryIdCount: 70
		contactMsg,                         // EntryIdBytes: the contact's Message EntryID
	)
	want := &ContactAddressEntryID{ProviderUID: ProviderUIDContactAB, Version: 3, Type: ContactAddressType, Index: 1,
		EntryIdBytes: hx(t, contactMsg), Message: msg}
	var e ContactAddressEntryID
	tree := checkEntryID(t, b, KindContactAddressEntryID, want, func(c *wire.Codec) { CodecContactAddressEntryID(c, &e, "ContactAddressEntryID") })
	js := string(tree.JSON(wire.JSONOptions{}))
	for _, s := range []string{`"name":"Email2"`, `"EntryIdBytes":{"Flags":0`, `"name":"PrivateMessage"`} {
		if !strings.Contains(js, s) {
			t.Errorf("JSON lacks %s: %s", s, js)
		}
	}
	if n := tree.Child("EntryIdBytes"); n == nil || n.Off != 36 || n.Len != 70 || n.Children[0].Off != 36 {
		t.Fatalf("EntryIdBytes node %+v", n)
	}

	// Personal Distribution List: Type 5, Index 0xFF.
	b = hx(t,
		"00000000", "fe42aa0a18c71a10e8850b651c240000",
		"03000000", // Version
		"05000000", // Type: personal distribution list
		"ff000000", // Index
		"46000000", // EntryIdCount
		contactMsg, // EntryIdBytes
	)
	wantPDL := &PersonalDistributionListEntryID{ProviderUID: ProviderUIDContactAB, Version: 3,
		Type: PersonalDistributionListType, Index: 0xFF, EntryIdBytes: hx(t, contactMsg), Message: msg}
	var p PersonalDistributionListEntryID
	checkEntryID(t, b, KindPersonalDistributionListEntryID, wantPDL, func(c *wire.Codec) {
		CodecPersonalDistributionListEntryID(c, &p, "PersonalDistributionListEntryID")
	})

	// EntryIdBytes of another size stay bytes.
	b = hx(t, "00000000 fe42aa0a18c71a10e8850b651c240000 03000000 04000000 00000000 02000000 abcd")
	want = &ContactAddressEntryID{ProviderUID: ProviderUIDContactAB, Version: 3, Type: ContactAddressType, EntryIdBytes: []byte{0xAB, 0xCD}}
	checkEntryID(t, b, KindContactAddressEntryID, want, func(c *wire.Codec) { CodecContactAddressEntryID(c, &e, "") })
}

func TestGenericAndBadEntryIDs(t *testing.T) {
	// A provider DecodeEntryID does not know.
	b := hx(t, "00000000 00112233445566778899aabbccddeeff 0102")
	want := &EntryID{ProviderUID: guid(t, "00112233445566778899aabbccddeeff"), ProviderData: []byte{1, 2}}
	var e EntryID
	checkEntryID(t, b, KindEntryID, want, func(c *wire.Codec) { CodecEntryID(c, &e, "EntryID") })

	// A folder type with the wrong length is not taken for a Folder EntryID.
	if k := EntryIDKind(hx(t, folderEIDHex+"00")); k != KindEntryID {
		t.Fatalf("kind %q", k)
	}
	// Too short.
	kind, v, _, anomalies := DecodeEntryID([]byte{0, 0, 0, 0, 1}, true)
	if kind != "" || v != nil || len(anomalies) != 1 {
		t.Fatalf("short: %q %v %v", kind, v, anomalies)
	}
	// A short-term EntryID (Flags set) and a nonzero Pad are noted.
	bad := hx(t, folderEIDHex)
	bad[0] = 0x01
	bad[45] = 0x01
	_, _, _, anomalies = DecodeEntryID(bad, false)
	if len(anomalies) != 2 {
		t.Fatalf("anomalies %v", anomalies)
	}
	// Bytes after an Address Book EntryID's X500DN are noted.
	ab := hx(t, "00000000 dca740c8c042101ab4b908002b2fe182 01000000 00000000", str8z("/o=x"), "00")
	_, _, _, anomalies = DecodeEntryID(ab, false)
	if len(anomalies) != 1 || !strings.Contains(anomalies[0].Reason, "after the end") {
		t.Fatalf("anomalies %v", anomalies)
	}
	if _, err := EncodeEntryID(42); err == nil {
		t.Fatal("EncodeEntryID(42) succeeded")
	}
}
