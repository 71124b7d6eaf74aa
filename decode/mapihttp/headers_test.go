package mapihttp

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRequestType(t *testing.T) {
	cases := map[string]RequestType{
		"Connect": TypeConnect, "execute": TypeExecute, "DISCONNECT": TypeDisconnect,
		"NotificationWait": TypeNotificationWait, "PING": TypePing, "ping": TypePing,
		"Bind": TypeBind, "Unbind": TypeUnbind, "CompareMIds": TypeCompareMIds, "DNToMId": TypeDNToMId,
		"GetMatches": TypeGetMatches, "GetPropList": TypeGetPropList, "GetProps": TypeGetProps,
		"GetSpecialTable": TypeGetSpecialTable, "GetTemplateInfo": TypeGetTemplateInfo,
		"ModLinkAtt": TypeModLinkAtt, "ModProps": TypeModProps, "QueryColumns": TypeQueryColumns,
		"QueryRows": TypeQueryRows, "ResolveNames": TypeResolveNames, "ResortRestriction": TypeResortRestriction,
		"SeekEntries": TypeSeekEntries, "UpdateStat": TypeUpdateStat, "getmailboxurl": TypeGetMailboxUrl,
		" GetAddressBookUrl ": TypeGetAddressBookUrl,
	}
	for s, want := range cases {
		got, ok := ParseRequestType(s)
		if !ok || got != want {
			t.Errorf("%q -> %v %v, want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "Executed", "EcDoRpcExt2"} {
		if _, ok := ParseRequestType(s); ok {
			t.Errorf("%q accepted", s)
		}
	}
	if n := len(RequestTypes()); n != 24 {
		t.Errorf("%d request types", n)
	}
	mailbox, ab := 0, 0
	for _, rt := range RequestTypes() {
		if rt.Mailbox() {
			mailbox++
		}
		if rt.AddressBook() {
			ab++
		}
		if back, ok := ParseRequestType(rt.String()); !ok || back != rt {
			t.Errorf("%v does not parse back", rt)
		}
	}
	if mailbox != 5 || ab != 20 {
		t.Errorf("mailbox %d address book %d (PING counts in both)", mailbox, ab)
	}
}

func TestResponseCodes(t *testing.T) {
	want := []string{"Success", "Unknown Failure", "Invalid Verb", "Invalid Path", "Invalid Header",
		"Invalid Request Type", "Invalid Context Cookie", "Missing Header", "Anonymous Not Allowed",
		"Too Large", "Context Not Found", "No Privilege", "Invalid Request Body", "Missing Cookie",
		"Reserved", "Invalid Sequence", "Endpoint Disabled", "Invalid Response", "Endpoint Shutting Down"}
	for i, w := range want {
		if got := ResponseCode(i).Name(); got != w {
			t.Errorf("%d: %q want %q", i, got, w)
		}
	}
	if CodeInvalidContextCookie.String() != "6 (Invalid Context Cookie)" || ResponseCode(99).String() != "99" {
		t.Error("String")
	}
}

func TestParseHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("content-type", "Application/MAPI-HTTP; charset=x")
	h.Set("x-requesttype", "Execute")
	h.Set("X-RequestId", "{E2EA6C1C-E61B-49E9-9CFB-38184F907552}:123")
	h.Set("X-ClientInfo", "{2EF33C39-49C8-421C-B876-CDF7F2AC3AA0}:456")
	h.Set("X-ClientApplication", "Outlook/16.0.17928.20114")
	h.Set("X-ResponseCode", " 0 ")
	h.Set("X-PendingPeriod", "15000")
	h.Set("X-ExpirationInfo", "900000")
	h.Set("X-ServerApplication", "Exchange/15.02.1544.011")
	h.Set("X-ElapsedTime", "12")
	h.Set("X-StartTime", "Mon, 01 Jan 2024 10:00:00 GMT")
	h.Set("X-DeviceInfo", "dev")
	h.Set("X-User-Identity", "user@example.com")
	h.Add("Cookie", "MapiContext=abc; MapiSequence=\"42\"")
	h.Add("Cookie", "sid=xyz")
	h.Add("Set-Cookie", "MapiSequence=43; path=/mapi/emsmdb; HttpOnly")
	v := ParseHeaders(h)
	if v.Type() != TypeExecute || !v.IsMapiHTTP() || v.ClientApplication != "Outlook/16.0.17928.20114" ||
		v.UserIdentity != "user@example.com" || v.DeviceInfo != "dev" || v.StartTime == "" || v.ServerApplication == "" {
		t.Fatalf("%+v", v)
	}
	if code, ok := v.Code(); !ok || code != CodeSuccess {
		t.Error("Code")
	}
	if d, ok := v.Pending(); !ok || d != 15*time.Second {
		t.Error("Pending")
	}
	if d, ok := v.Expiration(); !ok || d != 15*time.Minute {
		t.Error("Expiration")
	}
	if d, ok := v.Elapsed(); !ok || d != 12*time.Millisecond {
		t.Error("Elapsed")
	}
	want := []Cookie{
		{Name: "MapiContext", Value: "abc"},
		{Name: "MapiSequence", Value: "42"},
		{Name: "sid", Value: "xyz"},
		{Name: "MapiSequence", Value: "43", Set: true, Attrs: "path=/mapi/emsmdb; HttpOnly"},
	}
	if len(v.Cookies) != len(want) {
		t.Fatalf("cookies %+v", v.Cookies)
	}
	for i := range want {
		if v.Cookies[i] != want[i] {
			t.Errorf("cookie %d: %+v want %+v", i, v.Cookies[i], want[i])
		}
	}
	bad := Headers{ResponseCode: "x", PendingPeriod: "-1"}
	if _, ok := bad.Code(); ok {
		t.Error("bad code accepted")
	}
	if _, ok := bad.Pending(); ok {
		t.Error("negative period accepted")
	}
	m := Headers{ResponseCode: "6"}.Merge(v)
	if m.ResponseCode != "6" || m.RequestType != "Execute" {
		t.Errorf("merge %+v", m)
	}
}
