package pcap_test

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mapiscope/mapiscope/capture/pcap"
)

type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// rec is one packet record of a capture.
type rec struct {
	ts   time.Time
	data []byte
}

// records splits a little-endian microsecond pcap written by the Writer.
func records(t *testing.T, b []byte) (link uint32, rs []rec) {
	t.Helper()
	le := binary.LittleEndian
	link = le.Uint32(b[20:])
	for b = b[24:]; len(b) >= 16; {
		n := int(le.Uint32(b[8:]))
		rs = append(rs, rec{time.Unix(int64(le.Uint32(b)), int64(le.Uint32(b[4:]))*1000).UTC(), b[16 : 16+n]})
		b = b[16+n:]
	}
	return link, rs
}

// sample is a capture of two MAPI/HTTP exchanges, as raw records.
func sample(t *testing.T, link pcap.Link) (uint32, []rec, []mapiExchange) {
	ms := []mapiExchange{execTable(t, 30), execFX(t, 20000, 1)}
	b := build(t, pcap.WriterOptions{Link: link}, func(w *pcap.Writer) {
		c, err := w.Dial(client, server, t0)
		must(t, err)
		for i, m := range ms {
			writeMAPI(t, c, i, m, t0.Add(time.Duration(i+1)*time.Second))
		}
		must(t, c.Close(t0.Add(5*time.Second)))
	})
	l, rs := records(t, b)
	return l, rs, ms
}

func checkSample(t *testing.T, b []byte, ms []mapiExchange) {
	t.Helper()
	xs, st := read(t, b)
	if len(xs) != len(ms) {
		t.Fatalf("%d exchanges, warnings %q", len(xs), st.Warnings)
	}
	for i := range ms {
		checkMAPI(t, xs[i], ms[i])
	}
	if want := t0.Add(time.Second); !xs[0].Started.Equal(want) {
		t.Fatalf("started %v, want %v", xs[0].Started, want)
	}
}

// pcapFile encodes records as a classic pcap in either byte order, with
// micro- or nanosecond timestamps.
func pcapFile(order byteOrder, nano bool, link uint32, rs []rec) []byte {
	var b []byte
	magic := uint32(0xA1B2C3D4)
	if nano {
		magic = 0xA1B23C4D
	}
	b = order.AppendUint32(b, magic)
	b = order.AppendUint16(b, 2)
	b = order.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = order.AppendUint32(b, 262144)
	b = order.AppendUint32(b, link)
	for _, r := range rs {
		frac := r.ts.Nanosecond() / 1000
		if nano {
			frac = r.ts.Nanosecond()
		}
		b = order.AppendUint32(b, uint32(r.ts.Unix()))
		b = order.AppendUint32(b, uint32(frac))
		b = order.AppendUint32(b, uint32(len(r.data)))
		b = order.AppendUint32(b, uint32(len(r.data)))
		b = append(b, r.data...)
	}
	return b
}

type ngOpt struct {
	code uint16
	val  []byte
}

func ngBlock(order byteOrder, typ uint32, body []byte) []byte {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	var b []byte
	b = order.AppendUint32(b, typ)
	b = order.AppendUint32(b, uint32(12+len(body)))
	b = append(b, body...)
	return order.AppendUint32(b, uint32(12+len(body)))
}

func ngOptions(order byteOrder, opts []ngOpt) []byte {
	var b []byte
	for _, o := range opts {
		b = order.AppendUint16(b, o.code)
		b = order.AppendUint16(b, uint16(len(o.val)))
		b = append(b, o.val...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	if len(opts) > 0 {
		b = append(b, 0, 0, 0, 0)
	}
	return b
}

func ngSection(order byteOrder) []byte {
	var body []byte
	body = order.AppendUint32(body, 0x1A2B3C4D)
	body = order.AppendUint16(body, 1)
	body = order.AppendUint16(body, 0)
	body = order.AppendUint64(body, ^uint64(0))
	body = append(body, ngOptions(order, []ngOpt{{4, []byte("test")}})...)
	return ngBlock(order, 0x0A0D0D0A, body)
}

func ngIface(order byteOrder, link uint16, snap uint32, opts ...ngOpt) []byte {
	var body []byte
	body = order.AppendUint16(body, link)
	body = order.AppendUint16(body, 0)
	body = order.AppendUint32(body, snap)
	body = append(body, ngOptions(order, opts)...)
	return ngBlock(order, 1, body)
}

// ngPacket encodes an enhanced packet block with a timestamp in units
// per second after subtracting offset seconds.
func ngPacket(order byteOrder, iface uint32, r rec, units uint64, offset int64) []byte {
	sec := uint64(r.ts.Unix() - offset)
	ts := sec*units + uint64(r.ts.Nanosecond())*units/1e9
	var body []byte
	body = order.AppendUint32(body, iface)
	body = order.AppendUint32(body, uint32(ts>>32))
	body = order.AppendUint32(body, uint32(ts))
	body = order.AppendUint32(body, uint32(len(r.data)))
	body = order.AppendUint32(body, uint32(len(r.data)))
	body = append(body, r.data...)
	return ngBlock(order, 6, body)
}

func TestPcapVariants(t *testing.T) {
	link, rs, ms := sample(t, pcap.LinkEthernet)
	for _, tc := range []struct {
		name  string
		order byteOrder
		nano  bool
	}{
		{"little-micro", binary.LittleEndian, false},
		{"big-micro", binary.BigEndian, false},
		{"little-nano", binary.LittleEndian, true},
		{"big-nano", binary.BigEndian, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkSample(t, pcapFile(tc.order, tc.nano, link, rs), ms)
		})
	}
}

func TestPcapNGVariants(t *testing.T) {
	link, rs, ms := sample(t, pcap.LinkEthernet)
	_, rawRecs, _ := sample(t, pcap.LinkRaw)
	le, be := binary.LittleEndian, binary.BigEndian
	build := func(order byteOrder, units uint64, offset int64, opts ...ngOpt) []byte {
		b := ngSection(order)
		b = append(b, ngIface(order, uint16(link), 0, opts...)...)
		// An unknown block and a name resolution block are skipped.
		b = append(b, ngBlock(order, 0x0BAD, []byte("custom block"))...)
		b = append(b, ngBlock(order, 4, []byte{0, 0, 0, 0})...)
		for _, r := range rs {
			b = append(b, ngPacket(order, 0, r, units, offset)...)
		}
		return b
	}
	tsoff := make([]byte, 8)
	le.PutUint64(tsoff, 1_000_000)
	tsoffBE := make([]byte, 8)
	be.PutUint64(tsoffBE, 1_000_000)
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"default-micro", build(le, 1e6, 0)},
		{"big-endian", build(be, 1e6, 0)},
		{"nano", build(le, 1e9, 0, ngOpt{9, []byte{9}})},
		{"binary-2^-30", build(le, 1<<30, 0, ngOpt{9, []byte{0x80 | 30}})},
		{"tsoffset", build(le, 1e6, 1_000_000, ngOpt{14, tsoff})},
		{"tsoffset-be", build(be, 1e6, 1_000_000, ngOpt{14, tsoffBE})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkSample(t, tc.b, ms)
		})
	}
	// Two interfaces with different link types, in two sections.
	t.Run("mixed-links", func(t *testing.T) {
		b := ngSection(le)
		b = append(b, ngIface(le, uint16(link), 0)...)
		b = append(b, ngIface(le, 101, 0)...)
		for i := range rs {
			if i%2 == 0 {
				b = append(b, ngPacket(le, 0, rs[i], 1e6, 0)...)
			} else {
				b = append(b, ngPacket(le, 1, rawRecs[i], 1e6, 0)...)
			}
		}
		checkSample(t, b, ms)
	})
	// Simple packet blocks carry no timestamp: they take the previous
	// packet's. Each record here follows a non-IP frame with its time.
	t.Run("simple-packets", func(t *testing.T) {
		b := ngSection(le)
		b = append(b, ngIface(le, uint16(link), 0)...)
		for _, r := range rs {
			b = append(b, ngPacket(le, 0, rec{r.ts, make([]byte, 60)}, 1e6, 0)...)
			body := le.AppendUint32(nil, uint32(len(r.data)))
			b = append(b, ngBlock(le, 3, append(body, r.data...))...)
		}
		checkSample(t, b, ms)
	})
	t.Run("second-section", func(t *testing.T) {
		half := len(rs) / 2
		b := ngSection(be)
		b = append(b, ngIface(be, uint16(link), 0)...)
		for _, r := range rs[:half] {
			b = append(b, ngPacket(be, 0, r, 1e6, 0)...)
		}
		b = append(b, ngSection(le)...)
		b = append(b, ngIface(le, 101, 0)...)
		for _, r := range rawRecs[half:] {
			b = append(b, ngPacket(le, 0, r, 1e6, 0)...)
		}
		checkSample(t, b, ms)
	})
}

// Records larger than the read buffer go through the scratch path.
func TestLargeRecords(t *testing.T) {
	link, rs, ms := sample(t, pcap.LinkEthernet)
	big := rec{ts: t0, data: bytes.Repeat([]byte{0xFF}, 300_000)} // not IP: skipped
	withBig := append([]rec{big}, rs...)
	withBig = append(withBig, big)
	checkSample(t, pcapFile(binary.LittleEndian, false, link, withBig), ms)
	b := ngSection(binary.LittleEndian)
	b = append(b, ngIface(binary.LittleEndian, uint16(link), 0)...)
	for _, r := range withBig {
		b = append(b, ngPacket(binary.LittleEndian, 0, r, 1e6, 0)...)
	}
	checkSample(t, b, ms)
}

func TestBadPcapNG(t *testing.T) {
	le := binary.LittleEndian
	good := append(ngSection(le), ngIface(le, 1, 0)...)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"tsresol 10^-20", append(ngSection(le), ngIface(le, 1, 0, ngOpt{9, []byte{20}})...), "if_tsresol 10^-20"},
		{"tsresol 2^-64", append(ngSection(le), ngIface(le, 1, 0, ngOpt{9, []byte{0x80 | 64}})...), "if_tsresol 2^-64"},
		{"packet on no interface", append(ngSection(le), ngPacket(le, 0, rec{t0, []byte{1, 2, 3}}, 1e6, 0)...), "packet on interface 0; 0 described"},
		{"caplen overrun", func() []byte {
			b := append([]byte(nil), good...)
			p := ngPacket(le, 0, rec{t0, []byte{1, 2, 3, 4}}, 1e6, 0)
			le.PutUint32(p[20:], 4000)
			return append(b, p...)
		}(), "captured length 4000 overruns its block"},
		{"huge block", func() []byte {
			b := append([]byte(nil), good...)
			p := ngPacket(le, 0, rec{t0, []byte{1, 2, 3, 4}}, 1e6, 0)
			le.PutUint32(p[4:], 0x7FFFFFF0)
			return append(b, p...)
		}(), "over the"},
		{"bad byte order", func() []byte {
			b := ngSection(le)
			le.PutUint32(b[8:], 0x12345678)
			return b
		}(), "byte-order magic"},
		{"version 2", func() []byte {
			b := ngSection(le)
			le.PutUint16(b[12:], 2)
			return b
		}(), "pcapng: unsupported version 2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readErr(tc.b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	// A section with no packets is an empty capture, not an error.
	xs, st, err := readErr(good)
	if err != nil || len(xs) != 0 || st.Packets != 0 {
		t.Fatalf("empty capture: %v, %d exchanges", err, len(xs))
	}
}

func TestUnsupportedLinkType(t *testing.T) {
	b := pcapFile(binary.LittleEndian, false, 105, nil) // 802.11
	_, _, err := readErr(b)
	if err == nil || !strings.Contains(err.Error(), "link type 105 (802.11) is not supported") {
		t.Fatalf("error %v", err)
	}
}

func TestPcapNGCut(t *testing.T) {
	link, rs, ms := sample(t, pcap.LinkEthernet)
	le := binary.LittleEndian
	b := ngSection(le)
	b = append(b, ngIface(le, uint16(link), 0)...)
	head := len(b)
	for _, r := range rs {
		b = append(b, ngPacket(le, 0, r, 1e6, 0)...)
	}
	// Cut inside the last block (a FIN): both exchanges are whole.
	xs, st := read(t, b[:len(b)-10])
	if len(xs) != len(ms) || !hasWarning(st, "ends in the middle of a record") {
		t.Fatalf("%d exchanges, warnings %q", len(xs), st.Warnings)
	}
	// Cut before the first packet block ends: nothing usable.
	_, _, err := readErr(b[:head+20])
	if err == nil || err.Error() != "pcap: truncated record header at offset "+itoa(head) {
		t.Fatalf("error %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
