// Package rpcext decodes and encodes RPC_HEADER_EXT chains — [MS-OXCRPC]
// 2.2.2.1 and 3.1.4.1.1 / 3.1.4.2.1 ("extended buffers"). Every ROP buffer
// and auxiliary buffer that Outlook exchanges with an Exchange server, over
// RPC or over MAPI/HTTP, is one or more of these blocks: an 8-byte header
// (Version, Flags, Size, SizeActual) followed by Size bytes of payload that
// may be LZ77-compressed and/or XOR-obfuscated.
//
// Decoding keeps both forms of each payload: Payload as it was on the wire
// and Data after de-obfuscation and decompression. Encoding re-emits Payload
// untouched when Data has not changed since decoding (so that encode(decode(b))
// == b even for compressor output this package would not reproduce), and
// otherwise rebuilds Payload from Data, compressing and XORing as the Flags
// say.
package rpcext

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/mapiscope/mapiscope/decode/lz77"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// HeaderSize is the length of an RPC_HEADER_EXT.
const HeaderSize = 8

// Flags of RPC_HEADER_EXT — [MS-OXCRPC] 2.2.2.1.
const (
	FlagCompressed uint16 = 0x0001
	FlagXorMagic   uint16 = 0x0002
	FlagLast       uint16 = 0x0004
)

// transforms are the flags that change the payload's bytes.
const transforms = FlagCompressed | FlagXorMagic

// FlagsSym names RPC_HEADER_EXT Flags values.
var FlagsSym = wire.Flags(
	wire.Flag{Mask: uint64(FlagCompressed), Name: "Compressed"},
	wire.Flag{Mask: uint64(FlagXorMagic), Name: "XorMagic"},
	wire.Flag{Mask: uint64(FlagLast), Name: "Last"},
)

// Header is an RPC_HEADER_EXT.
type Header struct {
	Version    uint16 // MUST be 0x0000
	Flags      uint16
	Size       uint16 // bytes of payload on the wire
	SizeActual uint16 // bytes of payload once decompressed
}

// Compressed, XorMagic and Last report the flags.
func (h Header) Compressed() bool { return h.Flags&FlagCompressed != 0 }
func (h Header) XorMagic() bool   { return h.Flags&FlagXorMagic != 0 }
func (h Header) Last() bool       { return h.Flags&FlagLast != 0 }

// Codec reads or writes the four header fields.
func (h *Header) Codec(c *wire.Codec) {
	c.U16(&h.Version, "Version")
	c.Hex()
	c.U16(&h.Flags, "Flags")
	c.Hex().Named(FlagsSym)
	c.U16(&h.Size, "Size")
	c.U16(&h.SizeActual, "SizeActual")
}

// Block is one RPC_HEADER_EXT and its payload.
type Block struct {
	Header
	// Payload is the payload as on the wire (compressed and/or obfuscated as
	// Flags say). When decoding it aliases the input.
	Payload []byte
	// Data is the payload de-obfuscated and decompressed: what the ROP or
	// auxiliary buffer decoders read. When the payload is neither
	// compressed nor obfuscated it aliases Payload; otherwise it is a
	// private copy.
	Data []byte
	// Offset is the absolute offset of the header (decode only).
	Offset int

	// What Data and the transform flags were when Payload was last known
	// to match them (decode or Build); encoding re-emits Payload as long
	// as they still are.
	// Data is compared by identity (same first byte, same length), not
	// by content: hashing every payload on decode cost a fifth of the
	// decode time. Code that edits Data in place must call Changed.
	known   bool
	knownFl uint16
	knownN  int
	knownP  *byte
}

// PayloadOffset returns the absolute offset of the first payload byte.
func (b *Block) PayloadOffset() int { return b.Offset + HeaderSize }

// InWire reports whether Data is the wire payload itself (neither
// compressed nor obfuscated), so that offsets inside Data map onto the
// outer buffer at PayloadOffset.
func (b *Block) InWire() bool { return b.Flags&transforms == 0 }

func first(b []byte) *byte {
	if cap(b) == 0 {
		return nil
	}
	return &b[:1][0]
}

// Changed tells the block that Data was edited in place, so that encoding
// rebuilds the payload from it.
func (b *Block) Changed() { b.known = false }

func (b *Block) remember() {
	b.known = true
	b.knownFl = b.Flags & transforms
	b.knownN = len(b.Data)
	b.knownP = first(b.Data)
}

// unchanged reports whether Payload still matches Data and the flags.
func (b *Block) unchanged() bool {
	return b.known && b.Flags&transforms == b.knownFl && len(b.Data) == b.knownN && first(b.Data) == b.knownP
}

// Build makes a block carrying data. It compresses when flags has
// Compressed (dropping the flag when compression would not make the payload
// smaller, since the specification requires Size < SizeActual for a
// compressed block), obfuscates when flags has XorMagic, and sets or clears
// Last as last says. Data longer than 65535 bytes cannot be carried by one
// block; encoding such a block fails.
func Build(data []byte, flags uint16, last bool) Block {
	flags &^= FlagLast
	if last {
		flags |= FlagLast
	}
	b := Block{Header: Header{Flags: flags}, Data: data}
	b.Payload, b.Flags = transform(data, flags)
	b.Size = uint16(len(b.Payload))
	b.SizeActual = uint16(len(data))
	b.remember()
	return b
}

// transform builds the wire payload for data, returning the flags actually
// applied.
func transform(data []byte, flags uint16) ([]byte, uint16) {
	payload := data
	if flags&FlagCompressed != 0 {
		z := lz77.Compress(data)
		if len(z) < len(data) {
			payload = z
		} else {
			flags &^= FlagCompressed
		}
	}
	if flags&FlagXorMagic != 0 {
		if flags&FlagCompressed == 0 {
			payload = append([]byte(nil), payload...)
		}
		lz77.XOR(payload)
	}
	return payload, flags
}

// PayloadFunc decodes or encodes the content of one block's Data. When
// decoding, c is a decoder over b.Data (its base is b.PayloadOffset() when
// b.InWire(), else 0: offsets then count from the start of the
// decompressed data) and f must read it. When encoding, c is a fresh
// encoder whose output becomes b.Data.
type PayloadFunc func(c *wire.Codec, i int, b *Block)

// CodecChain reads or writes a chain of blocks: decoding reads blocks until
// one carries Last (several may share one buffer); encoding writes every
// block in *blocks. With spans on, each block shows its header fields and
// its Payload; a compressed or obfuscated block also shows the decoded
// Data as a derived node.
func CodecChain(c *wire.Codec, blocks *[]Block) { CodecChainFunc(c, blocks, nil) }

// CodecChainFunc is CodecChain with the content of each block decoded or
// encoded by f (nil: kept as bytes).
func CodecChainFunc(c *wire.Codec, blocks *[]Block, f PayloadFunc) {
	c.BeginArray("Blocks")
	defer c.End()
	if c.Encoding() {
		for i := range *blocks {
			encodeBlock(c, &(*blocks)[i], i, f)
		}
		return
	}
	*blocks = (*blocks)[:0]
	for i := 0; ; i++ {
		if c.Failed() {
			return
		}
		if c.Remaining() == 0 {
			if i == 0 {
				c.Fail("truncated: no RPC_HEADER_EXT")
			} else {
				c.Note("RPC_HEADER_EXT chain ends after %d block(s) without one flagged Last", i)
			}
			return
		}
		var b Block
		if !decodeBlock(c, &b, i, f) {
			return
		}
		*blocks = append(*blocks, b)
		if b.Last() {
			return
		}
	}
}

func decodeBlock(c *wire.Codec, b *Block, i int, f PayloadFunc) bool {
	b.Offset = c.Offset()
	c.Begin("Block")
	defer c.End()
	c.Begin("RPC_HEADER_EXT")
	b.Header.Codec(c)
	c.End()
	if c.Failed() {
		return false
	}
	if c.Spans() {
		c.SetTitle(FlagsSym(uint64(b.Flags)))
	}
	if b.Version != 0 {
		c.NoteAt(c.Pos()-HeaderSize, "RPC_HEADER_EXT Version is 0x%04X; it MUST be 0x0000", b.Version)
	}
	if rest := b.Flags &^ (transforms | FlagLast); rest != 0 {
		c.NoteAt(c.Pos()-6, "RPC_HEADER_EXT Flags has undefined bits 0x%04X", rest)
	}
	if int(b.Size) > c.Remaining() {
		c.Fail("RPC_HEADER_EXT Size %d exceeds the %d bytes left", b.Size, c.Remaining())
		return false
	}
	payloadPos := c.Pos()
	if b.Compressed() {
		if b.Size >= b.SizeActual {
			c.NoteAt(payloadPos-4, "compressed block: Size %d is not less than SizeActual %d", b.Size, b.SizeActual)
		}
	} else if b.Size != b.SizeActual {
		c.NoteAt(payloadPos-4, "uncompressed block: Size %d differs from SizeActual %d", b.Size, b.SizeActual)
	}
	in := c.Input()
	b.Payload = in[payloadPos : payloadPos+int(b.Size) : payloadPos+int(b.Size)]

	// Undo the obfuscation on a copy, then decompress.
	data := b.Payload
	if b.XorMagic() {
		data = append([]byte(nil), data...)
		lz77.XOR(data)
	}
	if b.Compressed() {
		out, err := lz77.Decompress(data, int(b.SizeActual))
		if err != nil {
			at := payloadPos
			var le *lz77.Error
			if errors.As(err, &le) {
				at += le.Offset
			}
			c.NoteAt(at, "payload does not decompress: %v", err)
			out = nil
		} else if len(out) != int(b.SizeActual) {
			c.NoteAt(payloadPos, "payload decompresses to %d bytes, SizeActual says %d", len(out), b.SizeActual)
		}
		data = out
	}
	b.Data = data
	b.remember()

	if f == nil || !b.InWire() {
		// The wire bytes as one leaf.
		var p []byte
		c.Fixed(&p, int(b.Size), "Payload")
	} else {
		c.Advance(int(b.Size))
	}
	if f == nil {
		if !b.InWire() {
			c.Derive("Data", b.Data, false, fmt.Sprintf("%d bytes decoded", len(b.Data)))
		}
		return true
	}
	if b.Data == nil && b.Compressed() {
		return true // nothing to hand to f
	}
	name, base := "Payload", b.PayloadOffset()
	if !b.InWire() {
		name, base = "Data", 0
	}
	sub := c.Sub(b.Data, base, name)
	f(sub, i, b)
	if !b.InWire() {
		// Offsets inside decompressed data do not point into the outer
		// buffer: keep the nodes out of the hex view and say where the
		// anomalies really are.
		if t := sub.Tree(); t != nil {
			t.Derived = true
		}
		as := sub.Anomalies()
		for k := range as {
			as[k].Reason = fmt.Sprintf("in the decoded data of the block at offset %d, at data offset %d: %s", b.Offset, as[k].Offset, as[k].Reason)
			as[k].Offset = b.PayloadOffset()
		}
	}
	c.Adopt(sub)
	return true
}

func encodeBlock(c *wire.Codec, b *Block, i int, f PayloadFunc) {
	if f != nil {
		e := wire.NewEncoder(nil)
		f(e, i, b)
		if e.Failed() {
			c.AddAnomalies(e.Anomalies())
			c.EncodeError("block %d: its content cannot be encoded", i)
			return
		}
		b.Data = e.Output()
	}
	if !b.unchanged() {
		if len(b.Data) > math.MaxUint16 {
			c.EncodeError("block %d: %d bytes of data do not fit one RPC_HEADER_EXT (at most 65535)", i, len(b.Data))
			return
		}
		b.Payload, b.Flags = transform(b.Data, b.Flags)
		b.SizeActual = uint16(len(b.Data))
		b.remember()
	}
	if len(b.Payload) > math.MaxUint16 {
		c.EncodeError("block %d: %d bytes of payload do not fit one RPC_HEADER_EXT", i, len(b.Payload))
		return
	}
	b.Size = uint16(len(b.Payload))
	b.Header.Codec(c)
	c.Fixed(&b.Payload, len(b.Payload), "Payload")
}

// Decode decodes a whole buffer as one chain. Bytes after the block flagged
// Last are an anomaly. It never fails outright: the blocks decoded so far
// and the anomalies found come back together.
func Decode(b []byte, spans bool) ([]Block, *wire.Codec) {
	c := wire.NewDecoder(b, spans, "RPC_HEADER_EXT chain")
	var blocks []Block
	CodecChain(c, &blocks)
	if !c.Failed() && c.Remaining() > 0 {
		c.Note("%d bytes follow the block flagged Last", c.Remaining())
	}
	return blocks, c
}

// Append encodes blocks after dst.
func Append(dst []byte, blocks []Block) ([]byte, error) {
	c := wire.NewEncoder(dst)
	CodecChain(c, &blocks)
	if err := c.Err(); err != nil {
		return c.Output(), err
	}
	return c.Output(), nil
}

// Join returns the Data of every block, concatenated.
func Join(blocks []Block) []byte {
	n := 0
	for i := range blocks {
		n += len(blocks[i].Data)
	}
	out := make([]byte, 0, n)
	for i := range blocks {
		out = append(out, blocks[i].Data...)
	}
	return out
}

// PeekHeader reads an RPC_HEADER_EXT at the start of b without decoding the
// payload (ok false when b is shorter than a header).
func PeekHeader(b []byte) (h Header, ok bool) {
	if len(b) < HeaderSize {
		return h, false
	}
	return Header{
		Version:    binary.LittleEndian.Uint16(b),
		Flags:      binary.LittleEndian.Uint16(b[2:]),
		Size:       binary.LittleEndian.Uint16(b[4:]),
		SizeActual: binary.LittleEndian.Uint16(b[6:]),
	}, true
}
