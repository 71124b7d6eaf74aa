package saz

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/mapiscope/mapiscope/trace"
)

// Fiddler's session timers, in the order Fiddler writes them. The four
// *Time ones are durations in whole milliseconds, the others timestamps.
var timerNames = []string{
	"ClientConnected", "ClientBeginRequest", "GotRequestHeaders", "ClientDoneRequest",
	"GatewayTime", "DNSTime", "TCPConnectTime", "HTTPSHandshakeTime",
	"ServerConnected", "FiddlerBeginRequest", "ServerGotRequest", "ServerBeginResponse",
	"GotResponseHeaders", "ServerDoneResponse", "ClientBeginResponse", "ClientDoneResponse",
}

// fiddlerTime is how Fiddler writes a timer: local time, 7 fractional
// digits (.NET ticks) and the UTC offset. An unset timer is .NET's
// DateTime.MinValue.
const (
	fiddlerTime = "2006-01-02T15:04:05.0000000-07:00"
	unsetTime   = "0001-01-01T00:00:00"
)

// bitIsHTTPS is SessionFlags.IsHTTPS in the Session's BitFlags (hex).
const bitIsHTTPS = 1

// flagExtra is the session flag where the writer keeps what a raw
// HTTP message and Fiddler's timers cannot hold, so that an archive
// written here reads back to the same exchange.
const flagExtra = "x-mapiscope"

// metadata is what raw/NN_m.xml says about a session.
type metadata struct {
	bitFlags uint64
	timers   map[string]time.Time
	flags    map[string]string // lower-case names
}

type xmlSession struct {
	XMLName  xml.Name `xml:"Session"`
	SID      string   `xml:"SID,attr"`
	BitFlags string   `xml:"BitFlags,attr"`
	Timers   struct {
		Attrs []xml.Attr `xml:",any,attr"`
	} `xml:"SessionTimers"`
	Flags []struct {
		N string `xml:"N,attr"`
		V string `xml:"V,attr"`
	} `xml:"SessionFlags>SessionFlag"`
}

func parseMetadata(data []byte) (metadata, error) {
	md := metadata{timers: map[string]time.Time{}, flags: map[string]string{}}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var s xmlSession
	if err := xml.Unmarshal(data, &s); err != nil {
		return md, fmt.Errorf("bad XML: %v", err)
	}
	if s.BitFlags != "" {
		v, err := strconv.ParseUint(s.BitFlags, 16, 64)
		if err == nil {
			md.bitFlags = v
		}
	}
	for _, a := range s.Timers.Attrs {
		if t, ok := parseFiddlerTime(a.Value); ok {
			md.timers[a.Name.Local] = t
		}
	}
	for _, f := range s.Flags {
		md.flags[strings.ToLower(f.N)] = f.V
	}
	return md, nil
}

// parseFiddlerTime reads a timer; an unset timer or one that is not a
// time gives false.
func parseFiddlerTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// Without a UTC offset (old Fiddler builds): taken as UTC.
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
	}
	if err != nil || t.Year() <= 1 {
		return time.Time{}, false
	}
	return t, true
}

func formatFiddlerTime(t time.Time) string {
	if t.IsZero() {
		return unsetTime
	}
	return t.Format(fiddlerTime)
}

// extra is the JSON kept in the x-mapiscope session flag.
type extra struct {
	URL       exactString  `json:"url"`
	Host      exactString  `json:"host"`
	HostAdded bool         `json:"hostAdded,omitempty"` // the Host line was written from Exchange.Host
	Method    exactString  `json:"method"`
	Proto     exactString  `json:"proto"`
	Client    exactString  `json:"client,omitempty"`
	Server    exactString  `json:"server,omitempty"`
	Conn      exactString  `json:"conn,omitempty"`
	Times     [4]string    `json:"times"` // Started, RequestDone, ResponseStart, Ended; "" when unknown
	Chunks    []extraChunk `json:"chunks"`
	Error     exactString  `json:"error,omitempty"`
	Partial   string       `json:"partial,omitempty"` // "request", "response" or "request,response"
	// The Content-Length values as captured, when the writer had to
	// change them because it encoded the body again.
	ReqLength  []exactString `json:"reqContentLength,omitempty"`
	RespLength []exactString `json:"respContentLength,omitempty"`
}

// exactString keeps any bytes: a JSON string when they are UTF-8, else
// {"b64": "…"}.
type exactString string

func (s exactString) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(string(s)) {
		return json.Marshal(string(s))
	}
	return json.Marshal(map[string]string{"b64": base64.StdEncoding.EncodeToString([]byte(s))})
}

func (s *exactString) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = exactString(str)
		return nil
	}
	var o struct {
		B64 string `json:"b64"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	d, err := base64.StdEncoding.DecodeString(o.B64)
	if err != nil {
		return err
	}
	*s = exactString(d)
	return nil
}

func exactStrings(vs []string) []exactString {
	if vs == nil {
		return nil
	}
	out := make([]exactString, len(vs))
	for i, v := range vs {
		out[i] = exactString(v)
	}
	return out
}

func plainStrings(vs []exactString) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// asciiJSON escapes every non-ASCII character of a JSON text, so that it
// survives any XML attribute (XML cannot hold some characters).
func asciiJSON(b []byte) string {
	var sb strings.Builder
	for _, r := range string(b) {
		switch {
		case r < 0x80:
			sb.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&sb, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&sb, `\u%04x`, r)
		}
	}
	return sb.String()
}

type extraChunk struct {
	Offset int    `json:"o"`
	Length int    `json:"n"`
	At     string `json:"t,omitempty"`
}

func formatExact(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func parseExact(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func parseExtra(s string) (*extra, bool) {
	var x extra
	if err := json.Unmarshal([]byte(s), &x); err != nil {
		return nil, false
	}
	return &x, true
}

// chunksFromExtra gives the timeline kept by the writer, if it fits the
// body (a body edited in Fiddler and saved again no longer matches).
func (x *extra) chunks(bodyLen int) ([]trace.Chunk, bool) {
	if x == nil || x.Chunks == nil {
		return nil, false
	}
	out := make([]trace.Chunk, 0, len(x.Chunks))
	end := 0
	for _, c := range x.Chunks {
		if c.Offset < 0 || c.Length < 0 || c.Offset > bodyLen || c.Length > bodyLen-c.Offset {
			return nil, false
		}
		end = max(end, c.Offset+c.Length)
		out = append(out, trace.Chunk{Offset: c.Offset, Length: c.Length, At: parseExact(c.At)})
	}
	if len(out) > 0 && end != bodyLen {
		return nil, false
	}
	if len(out) == 0 {
		out = nil
	}
	return out, true
}

// writeMetadata renders raw/NN_m.xml the way Fiddler does.
func writeMetadata(sid int, bitFlags uint64, timers [16]time.Time, flags [][2]string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\r\n")
	fmt.Fprintf(&b, `<Session SID="%d" BitFlags="%x">`+"\r\n", sid, bitFlags)
	b.WriteString("  <SessionTimers")
	for i, name := range timerNames {
		var v string
		switch name {
		case "GatewayTime", "DNSTime", "TCPConnectTime", "HTTPSHandshakeTime":
			v = "0"
		default:
			v = formatFiddlerTime(timers[i])
		}
		fmt.Fprintf(&b, ` %s="%s"`, name, v)
	}
	b.WriteString(" />\r\n  <PipeInfo />\r\n  <SessionFlags>\r\n")
	for _, f := range flags {
		b.WriteString(`    <SessionFlag N="`)
		xml.EscapeText(&b, []byte(f[0]))
		b.WriteString(`" V="`)
		xml.EscapeText(&b, []byte(f[1]))
		b.WriteString("\" />\r\n")
	}
	b.WriteString("  </SessionFlags>\r\n</Session>")
	return b.Bytes()
}
