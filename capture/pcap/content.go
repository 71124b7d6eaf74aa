package pcap

import (
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mapiscope/mapiscope/trace"
)

// posReader reads a byte slice and says how far it got. It is an
// io.ByteReader so that the decompressors read no further than they need:
// its position then maps compressed offsets to decompressed ones.
type posReader struct {
	b   []byte
	pos int
}

func (r *posReader) Read(p []byte) (int, error) {
	if r.pos >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.pos:])
	r.pos += n
	return n, nil
}

func (r *posReader) ReadByte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, io.EOF
	}
	r.pos++
	return r.b[r.pos-1], nil
}

// decodeContent removes a gzip or deflate Content-Encoding from body in
// place, moving the chunk timeline (offsets in the encoded body) to the
// decoded one. Other codings are left as they are. On error the body is
// kept as sent, except that a stream cut short (a partial exchange) keeps
// what could be decoded.
func decodeContent(body *[]byte, chunks *[]trace.Chunk, enc string, limit int64) error {
	in := *body
	if len(in) == 0 {
		return nil
	}
	src := &posReader{b: in}
	var zr io.Reader
	var err error
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "gzip", "x-gzip":
		var g *gzip.Reader
		if g, err = gzip.NewReader(src); err == nil {
			zr = g
		}
	case "deflate":
		// RFC 9110 says zlib-wrapped; some servers send raw deflate.
		if zr, err = zlib.NewReader(src); err != nil {
			src.pos = 0
			zr, err = flate.NewReader(src), nil
		}
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("content-encoding %s: %v (kept encoded)", enc, err)
	}
	type mark struct{ in, out int }
	var marks []mark
	out := make([]byte, 0, min(int64(len(in))*4+512, limit))
	const step = 4096
	for {
		if cap(out)-len(out) < step {
			if int64(len(out)) >= limit {
				return fmt.Errorf("content-encoding %s: decoded body over %d bytes (kept encoded)", enc, limit)
			}
			out = append(out, make([]byte, step)...)[:len(out)]
		}
		var n int
		n, err = zr.Read(out[len(out) : len(out)+step])
		out = out[:len(out)+n]
		marks = append(marks, mark{src.pos, len(out)})
		if err != nil {
			break
		}
	}
	if err != io.EOF {
		if !errors.Is(err, io.ErrUnexpectedEOF) || len(out) == 0 {
			return fmt.Errorf("content-encoding %s: %v (kept encoded)", enc, err)
		}
		err = fmt.Errorf("content-encoding %s: the encoded body ends early; %d bytes decoded", enc, len(out))
	}
	if chunks != nil {
		prev := 0
		k := 0
		for i := range *chunks {
			ch := &(*chunks)[i]
			end := ch.Offset + ch.Length
			for k < len(marks) && marks[k].in < end {
				k++
			}
			e := len(out)
			if k < len(marks) && end < len(in) {
				e = marks[k].out
			}
			e = max(e, prev)
			ch.Offset, ch.Length = prev, e-prev
			prev = e
		}
	}
	*body = out
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
