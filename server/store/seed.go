package store

import (
	"fmt"
	"time"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// SeedDemo fills a mailbox with a small realistic set: folders under the
// Inbox, ten mails (plain text and HTML, read and unread, senders and
// recipients), one with a text attachment and one with an embedded
// message, a calendar item, a contact, and IPM.Configuration FAI messages
// in the Inbox.
func (s *Store) SeedDemo(mb *Mailbox) error {
	inbox, err := s.SpecialFolder(mb, RoleInbox)
	if err != nil {
		return err
	}
	var subs []prop.ID
	for _, name := range []string{"Projects", "Receipts", "Newsletters"} {
		f, _, err := s.CreateFolder(mb, inbox.ID, name, FolderGeneric, []prop.TaggedValue{{Tag: TagContainerClass, Value: "IPF.Note"}}, true)
		if err != nil {
			return err
		}
		subs = append(subs, f.ID)
	}
	base := s.opt.Clock().UTC().Truncate(time.Hour)
	senders := []struct{ name, addr string }{
		{"Ada Lovelace", "ada@example.com"}, {"Grace Hopper", "grace@example.com"}, {"Alan Turing", "alan@example.com"},
	}
	subjects := []string{
		"Quarterly report draft", "Lunch on Friday?", "Your receipt #10442", "Weekly newsletter: MAPI tips",
		"Re: build failure on main", "Meeting notes", "Invitation: design review", "Photos from the offsite",
		"Password expiry notice", "Welcome to mapiscope",
	}
	for i, subj := range subjects {
		folder := inbox.ID
		switch i {
		case 2:
			folder = subs[1]
		case 3:
			folder = subs[2]
		case 0, 4:
			folder = subs[0]
		}
		from := senders[i%len(senders)]
		m, err := s.CreateMessage(mb, folder, false)
		if err != nil {
			return err
		}
		when := prop.FiletimeOf(base.Add(-time.Duration(10-i) * 3 * time.Hour))
		body := fmt.Sprintf("Hello %s,\r\n\r\n%s.\r\n\r\nRegards,\r\n%s\r\n", mb.DisplayName, subj, from.name)
		vals := []prop.TaggedValue{
			{Tag: TagMessageClass, Value: "IPM.Note"},
			{Tag: TagSubject, Value: subj},
			{Tag: TagNormalizedSubject, Value: subj},
			{Tag: TagConversationTopic, Value: subj},
			{Tag: TagBody, Value: body},
			{Tag: TagSenderName, Value: from.name},
			{Tag: TagSenderEmailAddress, Value: from.addr},
			{Tag: TagSenderAddressType, Value: "SMTP"},
			{Tag: TagSenderSmtpAddress, Value: from.addr},
			{Tag: TagSentRepresentingName, Value: from.name},
			{Tag: TagSentRepresentingEmailAddress, Value: from.addr},
			{Tag: TagSentRepresentingAddressType, Value: "SMTP"},
			{Tag: TagDisplayTo, Value: mb.DisplayName},
			{Tag: TagMessageDeliveryTime, Value: when},
			{Tag: TagClientSubmitTime, Value: when},
			{Tag: TagImportance, Value: int32(1)},
			{Tag: TagInternetMessageId, Value: fmt.Sprintf("<demo-%d@example.com>", i+1)},
			{Tag: TagMessageFlags, Value: int32(0)},
			{Tag: TagMessageCodepage, Value: int32(65001)},
		}
		if i%2 == 1 {
			html := fmt.Sprintf("<html><body><p>Hello %s,</p><p><b>%s</b>.</p><p>Regards,<br>%s</p></body></html>", mb.DisplayName, subj, from.name)
			vals = append(vals, prop.TaggedValue{Tag: TagHtml, Value: []byte(html)})
		}
		if i < 4 {
			for j := range vals {
				if vals[j].Tag == TagMessageFlags {
					vals[j].Value = int32(MsgFlagRead)
				}
			}
		}
		if _, err := m.SetProps(vals); err != nil {
			return err
		}
		m.AddRecipient(RecipTo, recipientProps(mb.DisplayName, mb.Email))
		if i == 5 {
			m.AddRecipient(RecipCc, recipientProps("Grace Hopper", "grace@example.com"))
		}
		if i == 5 {
			a, _ := m.CreateAttachment()
			a.SetProps([]prop.TaggedValue{
				{Tag: TagAttachMethod, Value: int32(AttachByValue)},
				{Tag: TagAttachFilename, Value: "notes.txt"},
				{Tag: TagAttachLongFilename, Value: "notes.txt"},
				{Tag: TagAttachExtension, Value: ".txt"},
				{Tag: TagAttachMimeTag, Value: "text/plain"},
				{Tag: TagDisplayName, Value: "notes.txt"},
				{Tag: TagAttachDataBinary, Value: []byte("1. Ship the store.\n2. Build the server on it.\n")},
			})
			if err := a.SaveChanges(); err != nil {
				return err
			}
		}
		if i == 7 {
			a, _ := m.CreateAttachment()
			a.SetProps([]prop.TaggedValue{{Tag: TagDisplayName, Value: "Original message"}})
			e, err := a.OpenEmbeddedMessage(true)
			if err != nil {
				return err
			}
			e.SetProps([]prop.TaggedValue{
				{Tag: TagMessageClass, Value: "IPM.Note"},
				{Tag: TagSubject, Value: "Offsite photos (original)"},
				{Tag: TagBody, Value: "See the attached album link.\r\n"},
				{Tag: TagSenderName, Value: "Alan Turing"},
				{Tag: TagSenderEmailAddress, Value: "alan@example.com"},
				{Tag: TagSenderAddressType, Value: "SMTP"},
				{Tag: TagMessageFlags, Value: int32(MsgFlagRead)},
			})
			e.AddRecipient(RecipTo, recipientProps("Ada Lovelace", "ada@example.com"))
			if err := e.SaveChanges(false); err != nil {
				return err
			}
			if err := a.SaveChanges(); err != nil {
				return err
			}
		}
		if err := m.SaveChanges(false); err != nil {
			return err
		}
	}

	// a calendar item
	cal, err := s.SpecialFolder(mb, RoleCalendar)
	if err != nil {
		return err
	}
	start := base.Add(48 * time.Hour)
	appt, err := s.CreateMessage(mb, cal.ID, false)
	if err != nil {
		return err
	}
	appt.SetProps([]prop.TaggedValue{
		{Tag: TagMessageClass, Value: "IPM.Appointment"},
		{Tag: TagSubject, Value: "Design review"},
		{Tag: TagBody, Value: "Walk through the store API.\r\n"},
		{Tag: TagStartDate, Value: prop.FiletimeOf(start)},
		{Tag: TagEndDate, Value: prop.FiletimeOf(start.Add(time.Hour))},
		{Tag: TagMessageFlags, Value: int32(MsgFlagRead)},
	})
	if err := appt.SaveChanges(false); err != nil {
		return err
	}

	// a contact
	contacts, err := s.SpecialFolder(mb, RoleContacts)
	if err != nil {
		return err
	}
	c, err := s.CreateMessage(mb, contacts.ID, false)
	if err != nil {
		return err
	}
	c.SetProps([]prop.TaggedValue{
		{Tag: TagMessageClass, Value: "IPM.Contact"},
		{Tag: TagSubject, Value: "Grace Hopper"},
		{Tag: TagDisplayName, Value: "Grace Hopper"},
		{Tag: prop.NewTag(0x3A06, prop.PtypString), Value: "Grace"},  // PidTagGivenName
		{Tag: prop.NewTag(0x3A11, prop.PtypString), Value: "Hopper"}, // PidTagSurname
		{Tag: prop.NewTag(0x3A16, prop.PtypString), Value: "Navy"},   // PidTagCompanyName
		{Tag: TagMessageFlags, Value: int32(MsgFlagRead)},
	})
	if err := c.SaveChanges(false); err != nil {
		return err
	}

	// IPM.Configuration FAIs Outlook looks for in the Inbox
	for _, class := range []string{"IPM.Configuration.MessageListSettings", "IPM.Configuration.UMOLK.UserOptions", "IPM.Configuration.CategoryList"} {
		f, err := s.CreateMessage(mb, inbox.ID, true)
		if err != nil {
			return err
		}
		f.SetProps([]prop.TaggedValue{
			{Tag: TagMessageClass, Value: class},
			{Tag: TagSubject, Value: class[len("IPM.Configuration."):]},
			{Tag: TagMessageFlags, Value: int32(MsgFlagRead)},
			{Tag: prop.NewTag(0x7C07, prop.PtypBinary), Value: []byte("<UserConfiguration/>")}, // PidTagRoamingXmlStream
		})
		if err := f.SaveChanges(false); err != nil {
			return err
		}
	}
	return nil
}

func recipientProps(name, addr string) Props {
	p := Props{}
	p.Set(TagDisplayName, name)
	p.Set(TagEmailAddress, addr)
	p.Set(TagAddressType, "SMTP")
	p.Set(TagSmtpAddress, addr)
	p.Set(prop.NewTag(0x5FF6, prop.PtypString), name) // PidTagRecipientDisplayName
	return p
}
