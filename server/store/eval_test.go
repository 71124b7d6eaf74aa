package store

import (
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
)

func res(t uint8) prop.Restriction { return prop.Restriction{RestrictType: t} }

func content(low, high uint16, tag prop.Tag, v any) prop.Restriction {
	return prop.Restriction{RestrictType: prop.RestrictContent, FuzzyLevelLow: low, FuzzyLevelHigh: high, PropTag: tag,
		TaggedValue: prop.TaggedValue{Tag: tag, Value: v}}
}

func property(op uint8, tag prop.Tag, v any) prop.Restriction {
	return prop.Restriction{RestrictType: prop.RestrictProperty, RelOp: op, PropTag: tag, TaggedValue: prop.TaggedValue{Tag: tag, Value: v}}
}

func ptr(r prop.Restriction) *prop.Restriction { return &r }

func TestEval(t *testing.T) {
	kw := prop.NewTag(0x8001, prop.PtypMultipleString)
	nums := prop.NewTag(0x8002, prop.PtypMultipleInteger32)
	msg := &Message{props: Props{}, attachments: []*Attachment{{Num: 0, props: Props{}}}}
	msg.props.Set(TagSubject, "Crème Brûlée Recipe")
	msg.props.Set(TagMessageClass, "IPM.Configuration.MessageListSettings")
	msg.props.Set(TagImportance, int32(2))
	msg.props.Set(TagMessageFlags, int32(0x11))
	msg.props.Set(TagMessageDeliveryTime, prop.Filetime(1000))
	msg.props.Set(TagClientSubmitTime, prop.Filetime(900))
	msg.props.Set(TagHtml, []byte("<html>x</html>"))
	msg.props.Set(kw, []string{"red", "Blue"})
	msg.props.Set(nums, []int32{3, 7})
	msg.props.Set(TagHasAttachments, true)
	msg.props.Set(prop.NewTag(0x6601, prop.PtypFloating64), 2.5)
	msg.AddRecipient(RecipTo, Props{TagEmailAddress.ID(): {Tag: TagEmailAddress, Value: "bob@x"}})
	msg.attachments[0].props.Set(TagAttachLongFilename, "report.PDF")

	exist := prop.Restriction{RestrictType: prop.RestrictExist, PropTag: TagSubject}
	missing := prop.Restriction{RestrictType: prop.RestrictExist, PropTag: TagBody}
	tests := []struct {
		name string
		r    prop.Restriction
		want bool
	}{
		{"and empty", res(prop.RestrictAnd), true},
		{"and", prop.Restriction{RestrictType: prop.RestrictAnd, Restricts: []prop.Restriction{exist, missing}}, false},
		{"or", prop.Restriction{RestrictType: prop.RestrictOr, Restricts: []prop.Restriction{exist, missing}}, true},
		{"or empty", res(prop.RestrictOr), false},
		{"not", prop.Restriction{RestrictType: prop.RestrictNot, Restriction: &missing}, true},
		{"exist", exist, true},
		{"exist missing", missing, false},
		{"content full exact", content(prop.FLFullString, 0, TagSubject, "Crème Brûlée Recipe"), true},
		{"content full case", content(prop.FLFullString, 0, TagSubject, "crème brûlée recipe"), false},
		{"content full ignorecase", content(prop.FLFullString, prop.FLIgnoreCase, TagSubject, "CRÈME BRÛLÉE RECIPE"), true},
		{"content substring", content(prop.FLSubstring, 0, TagSubject, "Brûlée"), true},
		{"content substring nonspace", content(prop.FLSubstring, prop.FLIgnoreNonSpace, TagSubject, "Brulee"), true},
		{"content substring no nonspace", content(prop.FLSubstring, 0, TagSubject, "Brulee"), false},
		{"content prefix ignorecase", content(prop.FLPrefix, prop.FLIgnoreCase, TagMessageClass, "ipm.configuration."), true},
		{"content prefix wrong", content(prop.FLPrefix, prop.FLIgnoreCase, TagMessageClass, "IPM.Note"), false},
		{"content loose", content(prop.FLSubstring, prop.FLLoose, TagSubject, "creme brulee-recipe"), true},
		{"content string8 tag", content(prop.FLSubstring, 0, TagSubject.WithType(prop.PtypString8), "Recipe"), true},
		{"content binary", content(prop.FLSubstring, 0, TagHtml, []byte("<html>")), true},
		{"content multi", content(prop.FLFullString, prop.FLIgnoreCase, kw, "blue"), true},
		{"content multi none", content(prop.FLFullString, 0, kw, "green"), false},
		{"content missing", content(prop.FLSubstring, 0, TagBody, "x"), false},
		{"prop eq int", property(prop.RelopEQ, TagImportance, int32(2)), true},
		{"prop lt int", property(prop.RelopLT, TagImportance, int32(2)), false},
		{"prop le int", property(prop.RelopLE, TagImportance, int32(2)), true},
		{"prop gt time", property(prop.RelopGT, TagMessageDeliveryTime, prop.Filetime(999)), true},
		{"prop ge time", property(prop.RelopGE, TagMessageDeliveryTime, prop.Filetime(1001)), false},
		{"prop ne string", property(prop.RelopNE, TagSubject, "other"), true},
		{"prop eq string nocase", property(prop.RelopEQ, TagMessageClass, "ipm.configuration.messagelistsettings"), true},
		{"prop eq bool", property(prop.RelopEQ, TagHasAttachments, true), true},
		{"prop eq float", property(prop.RelopGT, prop.NewTag(0x6601, prop.PtypFloating64), 2.0), true},
		{"prop eq binary", property(prop.RelopEQ, TagHtml, []byte("<html>x</html>")), true},
		{"prop missing ne", property(prop.RelopNE, TagBody, "x"), false},
		{"prop wrong type", property(prop.RelopEQ, TagImportance, "2"), false},
		{"prop multi any", property(prop.RelopGT, nums.WithType(prop.PtypMultipleInteger32), int32(5)), true},
		{"prop multi instance", property(prop.RelopEQ, prop.NewTag(0x8002, prop.PtypInteger32|prop.MultiValueInstance|prop.MultiValued), int32(3)), true},
		{"prop multi whole", property(prop.RelopEQ, nums, []int32{3, 7}), true},
		{"prop multi whole ne", property(prop.RelopEQ, nums, []int32{3}), false},
		{"prop member of dl", property(prop.RelopMemberOfDL, TagSubject, "x"), false},
		{"compare props", prop.Restriction{RestrictType: prop.RestrictCompareProperties, RelOp: prop.RelopGT, PropTag: TagMessageDeliveryTime, PropTag2: TagClientSubmitTime}, true},
		{"compare props eq", prop.Restriction{RestrictType: prop.RestrictCompareProperties, RelOp: prop.RelopEQ, PropTag: TagMessageDeliveryTime, PropTag2: TagClientSubmitTime}, false},
		{"compare props missing", prop.Restriction{RestrictType: prop.RestrictCompareProperties, RelOp: prop.RelopNE, PropTag: TagMessageDeliveryTime, PropTag2: TagBody}, false},
		{"bitmask nez", prop.Restriction{RestrictType: prop.RestrictBitMask, RelOp: 1, PropTag: TagMessageFlags, Mask: 0x10}, true},
		{"bitmask eqz", prop.Restriction{RestrictType: prop.RestrictBitMask, RelOp: 0, PropTag: TagMessageFlags, Mask: 0x10}, false},
		{"bitmask eqz other", prop.Restriction{RestrictType: prop.RestrictBitMask, RelOp: 0, PropTag: TagMessageFlags, Mask: 0x2}, true},
		{"size", prop.Restriction{RestrictType: prop.RestrictSize, RelOp: prop.RelopEQ, PropTag: TagHtml, Size: 14}, true},
		{"size string", prop.Restriction{RestrictType: prop.RestrictSize, RelOp: prop.RelopGT, PropTag: TagSubject, Size: 30}, true},
		{"size missing", prop.Restriction{RestrictType: prop.RestrictSize, RelOp: prop.RelopGE, PropTag: TagBody, Size: 0}, false},
		{"subobject recipients", prop.Restriction{RestrictType: prop.RestrictSubObject, Subobject: TagMessageRecipients,
			Restriction: ptr(property(prop.RelopEQ, TagEmailAddress, "BOB@x"))}, true},
		{"subobject attachments", prop.Restriction{RestrictType: prop.RestrictSubObject, Subobject: TagMessageAttachments,
			Restriction: ptr(content(prop.FLSubstring, prop.FLIgnoreCase, TagAttachLongFilename, ".pdf"))}, true},
		{"subobject none", prop.Restriction{RestrictType: prop.RestrictSubObject, Subobject: TagMessageRecipients,
			Restriction: ptr(property(prop.RelopEQ, TagEmailAddress, "carol@x"))}, false},
		{"comment without restriction", prop.Restriction{RestrictType: prop.RestrictComment, TaggedValues: []prop.TaggedValue{{Tag: TagSubject, Value: "c"}}}, true},
		{"comment with restriction", prop.Restriction{RestrictType: prop.RestrictComment, Restriction: &missing}, false},
		{"count", prop.Restriction{RestrictType: prop.RestrictCount, Count: 1, Restriction: &exist}, true},
		{"count zero", prop.Restriction{RestrictType: prop.RestrictCount, Count: 0, Restriction: &exist}, false},
	}
	for _, tc := range tests {
		if got := Eval(&tc.r, msg); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if !Eval(nil, msg) {
		t.Error("nil restriction")
	}
	// Count limits a sequence of rows in a Matcher.
	m := NewMatcher(&prop.Restriction{RestrictType: prop.RestrictCount, Count: 2, Restriction: &exist})
	n := 0
	for i := 0; i < 5; i++ {
		if m.Match(msg) {
			n++
		}
	}
	if n != 2 {
		t.Errorf("count matched %d rows", n)
	}
	// Props without sub-objects never match SubObject
	if Eval(&tests[len(tests)-7].r, msg.props) {
		t.Error("SubObject on plain Props")
	}
}

func TestSearchFolder(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	if err := s.SeedDemo(mb); err != nil {
		t.Fatal(err)
	}
	finder := special(t, s, mb, RoleFinder)
	ipm := special(t, s, mb, RoleIPMSubtree)
	sf, _, err := s.CreateFolder(mb, finder, "Unread mail", FolderSearch, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	unread := prop.Restriction{RestrictType: prop.RestrictBitMask, RelOp: 0, PropTag: TagMessageFlags, Mask: MsgFlagRead}
	if err := s.SetSearchCriteria(mb, sf.ID, &unread, []prop.ID{ipm}, SearchRecursive|SearchRestart); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Contents(mb, sf.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 {
		t.Errorf("unread search found %d", len(rows))
	}
	c, _ := s.FolderCounts(mb, sf.ID)
	if c.Content != 6 || c.Unread != 6 {
		t.Errorf("search counts %+v", c)
	}
	crit, _ := s.GetSearchCriteria(mb, sf.ID)
	if crit.State()&SearchStateRunning == 0 || crit.State()&SearchStateRecursive == 0 || len(crit.FolderIDs) != 1 {
		t.Errorf("criteria %+v", crit)
	}
	if _, err := s.OpenMessage(mb, sf.ID, rows[0].ID); err != nil {
		t.Errorf("open through search folder: %v", err)
	}
	// shallow search over the Inbox only, with a SubObject restriction
	att := prop.Restriction{RestrictType: prop.RestrictSubObject, Subobject: TagMessageAttachments,
		Restriction: &prop.Restriction{RestrictType: prop.RestrictExist, PropTag: TagAttachDataBinary}}
	s.SetSearchCriteria(mb, sf.ID, &att, []prop.ID{special(t, s, mb, RoleInbox)}, 0)
	rows, _ = s.Contents(mb, sf.ID, false)
	if len(rows) != 1 || rows[0].Props.String(TagSubject) != "Meeting notes" {
		t.Errorf("attachment search %d rows", len(rows))
	}
	inbox := special(t, s, mb, RoleInbox)
	wantErr(t, s.SetSearchCriteria(mb, inbox, &att, nil, 0), ErrNotSearchFolder)
}

func TestSeedDemo(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "demo@example.com")
	if err := s.SeedDemo(mb); err != nil {
		t.Fatal(err)
	}
	inbox := special(t, s, mb, RoleInbox)
	h, _ := s.Hierarchy(mb, inbox, false)
	if len(h) != 3 {
		t.Errorf("%d Inbox subfolders", len(h))
	}
	total := 0
	for _, fid := range []prop.ID{inbox, h[0].Folder.ID, h[1].Folder.ID, h[2].Folder.ID} {
		c, _ := s.FolderCounts(mb, fid)
		total += c.Content
	}
	if total != 10 {
		t.Errorf("%d mails", total)
	}
	fai, _ := s.Contents(mb, inbox, true)
	found := false
	for _, r := range fai {
		if r.Props.String(TagMessageClass) == "IPM.Configuration.UMOLK.UserOptions" {
			found = true
		}
	}
	if !found {
		t.Error("no IPM.Configuration.UMOLK.UserOptions FAI")
	}
	for _, role := range []Role{RoleCalendar, RoleContacts} {
		if c, _ := s.FolderCounts(mb, special(t, s, mb, role)); c.Content != 1 {
			t.Errorf("role %d: %+v", role, c)
		}
	}
	rows, _ := s.Contents(mb, inbox, false)
	var embedded, html bool
	for _, r := range rows {
		m, _ := s.OpenMessage(mb, inbox, r.ID)
		if _, ok := m.Prop(TagHtml); ok {
			html = true
		}
		for _, a := range m.AttachmentTable() {
			if a.Int32(TagAttachMethod) == int32(AttachEmbeddedMessage) {
				at, _ := m.OpenAttachment(uint32(a.Int32(TagAttachNumber)))
				if e, err := at.OpenEmbeddedMessage(false); err == nil && e.props.String(TagSubject) != "" {
					embedded = true
				}
			}
		}
	}
	if !embedded || !html {
		t.Errorf("embedded %v html %v", embedded, html)
	}
}
