package proxy

import (
	"net/url"
	"testing"
)

// FuzzRewrite feeds upstream bodies to the Autodiscover and NSPI URL
// rewriters: they rewrite or refuse, never panic.
func FuzzRewrite(f *testing.F) {
	up, _ := url.Parse("https://mail.example.test")
	pub, _ := url.Parse("https://127.0.0.1:8443")
	p, err := New(Config{Upstream: up, PublicURL: pub, Logger: quiet})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Protocol Type="mapiHttp"><MailStore><InternalUrl>https://mail.example.test/mapi/emsmdb/?MailboxId=a@b</InternalUrl></MailStore></Protocol></Account></Response></Autodiscover>`))
	f.Add([]byte("PROCESSING\r\nDONE\r\nX-ResponseCode: 0\r\n\r\n\x00\x00\x00\x00\x00\x00\x00\x00h\x00t\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p.rewriteAutodiscover(b)
		p.rewriteNspi(b)
	})
}
