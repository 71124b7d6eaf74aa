// Package jsonl reads and writes exchanges as JSON lines: one JSON object
// per trace.Exchange, every field kept, bodies in base64, times in RFC
// 3339 with nanoseconds (absent when unknown). Writing then reading gives
// the same exchanges back (times as the same instants). A string that is
// not UTF-8 (a Latin-1 header value, say) is written {"b64": "…"} so that
// it survives too; only header names must be UTF-8.
//
// Field names are the Go field names in lower camel case:
//
//	{"client":"10.0.0.5:50123","server":"192.0.2.10:443","conn":"tcp/7",
//	 "started":"2026-03-14T09:26:53.589793238+01:00","requestDone":…,
//	 "responseStart":…,"ended":…,"method":"POST","url":"/mapi/emsmdb/?…",
//	 "host":"mail.example.com","proto":"HTTP/1.1",
//	 "reqHeader":{"Content-Type":["application/mapi-http"]},"reqBody":"AAEC…",
//	 "status":200,"statusText":"OK","respHeader":{…},"respBody":"UFJP…",
//	 "chunks":[{"offset":0,"length":12,"at":"…"}],"error":"…","source":"frame 12"}
package jsonl

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mapiscope/mapiscope/trace"
)

type record struct {
	Client        str       `json:"client,omitempty"`
	Server        str       `json:"server,omitempty"`
	Conn          str       `json:"conn,omitempty"`
	Started       time.Time `json:"started,omitzero"`
	RequestDone   time.Time `json:"requestDone,omitzero"`
	ResponseStart time.Time `json:"responseStart,omitzero"`
	Ended         time.Time `json:"ended,omitzero"`
	Method        str       `json:"method,omitempty"`
	URL           str       `json:"url,omitempty"`
	Host          str       `json:"host,omitempty"`
	Proto         str       `json:"proto,omitempty"`
	ReqHeader     header    `json:"reqHeader,omitempty"`
	ReqBody       []byte    `json:"reqBody,omitempty"`
	ReqPartial    bool      `json:"reqPartial,omitempty"`
	Status        int       `json:"status,omitempty"`
	StatusText    str       `json:"statusText,omitempty"`
	RespHeader    header    `json:"respHeader,omitempty"`
	RespBody      []byte    `json:"respBody,omitempty"`
	RespPartial   bool      `json:"respPartial,omitempty"`
	Chunks        []chunk   `json:"chunks,omitempty"`
	Error         str       `json:"error,omitempty"`
	Source        str       `json:"source,omitempty"`
}

// str is a string that keeps any bytes: a JSON string when they are
// UTF-8, else {"b64": "…"}.
type str string

func (s str) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(string(s)) {
		return json.Marshal(string(s))
	}
	return json.Marshal(map[string]string{"b64": base64.StdEncoding.EncodeToString([]byte(s))})
}

func (s *str) UnmarshalJSON(b []byte) error {
	var plain string
	if err := json.Unmarshal(b, &plain); err == nil {
		*s = str(plain)
		return nil
	}
	var o struct {
		B64 *string `json:"b64"`
	}
	if err := json.Unmarshal(b, &o); err != nil || o.B64 == nil {
		return errors.New(`want a string or {"b64": "…"}`)
	}
	d, err := base64.StdEncoding.DecodeString(*o.B64)
	if err != nil {
		return err
	}
	*s = str(d)
	return nil
}

// header is an http.Header whose values keep any bytes (names must be
// UTF-8).
type header map[string][]str

func toHeader(h http.Header) header {
	if h == nil {
		return nil
	}
	out := make(header, len(h))
	for k, vs := range h {
		out[k] = make([]str, len(vs))
		for i, v := range vs {
			out[k][i] = str(v)
		}
	}
	return out
}

func (h header) http() http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		out[k] = make([]string, len(vs))
		for i, v := range vs {
			out[k][i] = string(v)
		}
	}
	return out
}

type chunk struct {
	Offset int       `json:"offset"`
	Length int       `json:"length"`
	At     time.Time `json:"at,omitzero"`
}

// Write writes e as one line of JSON.
func Write(w io.Writer, e *trace.Exchange) error {
	r := record{
		Client: str(e.Client), Server: str(e.Server), Conn: str(e.Conn),
		Started: e.Started, RequestDone: e.RequestDone, ResponseStart: e.ResponseStart, Ended: e.Ended,
		Method: str(e.Method), URL: str(e.URL), Host: str(e.Host), Proto: str(e.Proto),
		ReqHeader: toHeader(e.ReqHeader), ReqBody: e.ReqBody, ReqPartial: e.ReqPartial,
		Status: e.Status, StatusText: str(e.StatusText),
		RespHeader: toHeader(e.RespHeader), RespBody: e.RespBody, RespPartial: e.RespPartial,
		Error: str(e.Error), Source: str(e.Source),
	}
	for _, c := range e.Chunks {
		r.Chunks = append(r.Chunks, chunk(c))
	}
	b, err := json.Marshal(&r)
	if err != nil {
		return fmt.Errorf("jsonl: %v", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// Read calls each with the exchange of every line, in order. Blank lines
// are skipped; a line that is not an exchange stops the read with a
// one-line error naming it ("jsonl: line 3: …"). An error from each stops
// the read and is returned as is.
func Read(r io.Reader, each func(*trace.Exchange) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			var rec record
			if jerr := json.Unmarshal(line, &rec); jerr != nil {
				return fmt.Errorf("jsonl: line %d: %s", n, strings.ReplaceAll(jerr.Error(), "\n", " "))
			}
			e := &trace.Exchange{
				Client: string(rec.Client), Server: string(rec.Server), Conn: string(rec.Conn),
				Started: rec.Started, RequestDone: rec.RequestDone, ResponseStart: rec.ResponseStart, Ended: rec.Ended,
				Method: string(rec.Method), URL: string(rec.URL), Host: string(rec.Host), Proto: string(rec.Proto),
				ReqHeader: rec.ReqHeader.http(), ReqBody: rec.ReqBody, ReqPartial: rec.ReqPartial,
				Status: rec.Status, StatusText: string(rec.StatusText),
				RespHeader: rec.RespHeader.http(), RespBody: rec.RespBody, RespPartial: rec.RespPartial,
				Error: string(rec.Error), Source: string(rec.Source),
			}
			for _, c := range rec.Chunks {
				e.Chunks = append(e.Chunks, trace.Chunk(c))
			}
			if cerr := each(e); cerr != nil {
				return cerr
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("jsonl: line %d: %v", n, err)
		}
	}
}
