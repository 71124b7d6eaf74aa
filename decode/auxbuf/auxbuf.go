// Package auxbuf decodes and encodes auxiliary buffers — [MS-OXCRPC]
// 2.2.2.2 and 3.1.4.1.2: the rgbAuxIn/rgbAuxOut of EcDoConnectEx and
// EcDoRpcExt2, which MAPI/HTTP carries as the AuxiliaryBuffer field of
// every request and response body ([MS-OXCMAPIHTTP] 2.2.4, "equivalent to
// the cbAuxIn / rgbAuxIn parameters").
//
// An auxiliary buffer is an RPC_HEADER_EXT (package rpcext; the
// specification requires exactly one, flagged Last, 3.1.4.1.1.1.1) whose
// payload, once de-obfuscated and decompressed, is a sequence of AUX_HEADER
// structures each followed by an auxiliary block. The Version and Type of
// the AUX_HEADER select the block structure (Types, below). Strings inside
// a block are placed at offsets counted from the start of its AUX_HEADER.
//
// Decoding keeps each block's bytes; encoding re-emits them as long as the
// decoded structure is unchanged, so that encode(decode(b)) == b whatever
// layout the sender chose, and otherwise writes the block in a canonical
// layout (fixed fields, then the variable fields in specification order,
// padded to a multiple of 4 bytes).
package auxbuf

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"

	"github.com/mapiscope/mapiscope/decode/rpcext"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// HeaderSize is the length of an AUX_HEADER.
const HeaderSize = 4

// AUX_HEADER versions.
const (
	Version1 uint8 = 0x01 // AUX_VERSION_1
	Version2 uint8 = 0x02 // AUX_VERSION_2
)

// AUX_HEADER types — [MS-OXCRPC] 2.2.2.2.
const (
	TypePerfRequestID            uint8 = 0x01
	TypePerfClientInfo           uint8 = 0x02
	TypePerfServerInfo           uint8 = 0x03
	TypePerfSessionInfo          uint8 = 0x04
	TypePerfDefMdbSuccess        uint8 = 0x05
	TypePerfDefGcSuccess         uint8 = 0x06
	TypePerfMdbSuccess           uint8 = 0x07
	TypePerfGcSuccess            uint8 = 0x08
	TypePerfFailure              uint8 = 0x09
	TypeClientControl            uint8 = 0x0A
	TypePerfProcessInfo          uint8 = 0x0B
	TypePerfBgDefMdbSuccess      uint8 = 0x0C
	TypePerfBgDefGcSuccess       uint8 = 0x0D
	TypePerfBgMdbSuccess         uint8 = 0x0E
	TypePerfBgGcSuccess          uint8 = 0x0F
	TypePerfBgFailure            uint8 = 0x10
	TypePerfFgDefMdbSuccess      uint8 = 0x11
	TypePerfFgDefGcSuccess       uint8 = 0x12
	TypePerfFgMdbSuccess         uint8 = 0x13
	TypePerfFgGcSuccess          uint8 = 0x14
	TypePerfFgFailure            uint8 = 0x15
	TypeOSVersionInfo            uint8 = 0x16
	TypeExOrgInfo                uint8 = 0x17
	TypePerfAccountInfo          uint8 = 0x18
	TypeServerCapabilities       uint8 = 0x46
	TypeEndpointCapabilities     uint8 = 0x48
	TypeClientConnectionInfo     uint8 = 0x4A
	TypeServerSessionInfo        uint8 = 0x4B
	TypeProtocolDeviceIdentifier uint8 = 0x4E
)

// TypeInfo describes one (Version, Type) pair.
type TypeInfo struct {
	Version, Type uint8
	Name          string // the Type name: AUX_TYPE_PERF_BG_FAILURE
	Struct        string // the block structure: AUX_PERF_FAILURE
	New           func() Body
}

var types = map[[2]uint8]*TypeInfo{}

func def(version, typ uint8, name, structName string, mk func() Body) {
	types[[2]uint8{version, typ}] = &TypeInfo{Version: version, Type: typ, Name: name, Struct: structName, New: mk}
}

func init() {
	v1 := func(t uint8, name, st string, mk func() Body) { def(Version1, t, name, st, mk) }
	v2 := func(t uint8, name, st string, mk func() Body) { def(Version2, t, name, st, mk) }
	requestID := func() Body { return &PerfRequestID{} }
	clientInfo := func() Body { return &PerfClientInfo{} }
	serverInfo := func() Body { return &PerfServerInfo{} }
	sessionInfo := func() Body { return &PerfSessionInfo{} }
	sessionInfoV2 := func() Body { return &PerfSessionInfoV2{} }
	defMdb := func() Body { return &PerfDefMdbSuccess{} }
	defGc := func() Body { return &PerfDefGcSuccess{} }
	mdb := func() Body { return &PerfMdbSuccess{} }
	mdbV2 := func() Body { return &PerfMdbSuccessV2{} }
	gc := func() Body { return &PerfGcSuccess{} }
	gcV2 := func() Body { return &PerfGcSuccessV2{} }
	failure := func() Body { return &PerfFailure{} }
	failureV2 := func() Body { return &PerfFailureV2{} }
	processInfo := func() Body { return &PerfProcessInfo{} }

	// AUX_VERSION_1
	v1(TypePerfRequestID, "AUX_TYPE_PERF_REQUESTID", "AUX_PERF_REQUESTID", requestID)
	v1(TypePerfClientInfo, "AUX_TYPE_PERF_CLIENTINFO", "AUX_PERF_CLIENTINFO", clientInfo)
	v1(TypePerfServerInfo, "AUX_TYPE_PERF_SERVERINFO", "AUX_PERF_SERVERINFO", serverInfo)
	v1(TypePerfSessionInfo, "AUX_TYPE_PERF_SESSIONINFO", "AUX_PERF_SESSIONINFO", sessionInfo)
	v1(TypePerfDefMdbSuccess, "AUX_TYPE_PERF_DEFMDB_SUCCESS", "AUX_PERF_DEFMDB_SUCCESS", defMdb)
	v1(TypePerfDefGcSuccess, "AUX_TYPE_PERF_DEFGC_SUCCESS", "AUX_PERF_DEFGC_SUCCESS", defGc)
	v1(TypePerfMdbSuccess, "AUX_TYPE_PERF_MDB_SUCCESS", "AUX_PERF_MDB_SUCCESS", mdb)
	v1(TypePerfGcSuccess, "AUX_TYPE_PERF_GC_SUCCESS", "AUX_PERF_GC_SUCCESS", gc)
	v1(TypePerfFailure, "AUX_TYPE_PERF_FAILURE", "AUX_PERF_FAILURE", failure)
	v1(TypeClientControl, "AUX_TYPE_CLIENT_CONTROL", "AUX_CLIENT_CONTROL", func() Body { return &ClientControl{} })
	v1(TypePerfProcessInfo, "AUX_TYPE_PERF_PROCESSINFO", "AUX_PERF_PROCESSINFO", processInfo)
	v1(TypePerfBgDefMdbSuccess, "AUX_TYPE_PERF_BG_DEFMDB_SUCCESS", "AUX_PERF_DEFMDB_SUCCESS", defMdb)
	v1(TypePerfBgDefGcSuccess, "AUX_TYPE_PERF_BG_DEFGC_SUCCESS", "AUX_PERF_DEFGC_SUCCESS", defGc)
	v1(TypePerfBgMdbSuccess, "AUX_TYPE_PERF_BG_MDB_SUCCESS", "AUX_PERF_MDB_SUCCESS", mdb)
	v1(TypePerfBgGcSuccess, "AUX_TYPE_PERF_BG_GC_SUCCESS", "AUX_PERF_GC_SUCCESS", gc)
	v1(TypePerfBgFailure, "AUX_TYPE_PERF_BG_FAILURE", "AUX_PERF_FAILURE", failure)
	v1(TypePerfFgDefMdbSuccess, "AUX_TYPE_PERF_FG_DEFMDB_SUCCESS", "AUX_PERF_DEFMDB_SUCCESS", defMdb)
	v1(TypePerfFgDefGcSuccess, "AUX_TYPE_PERF_FG_DEFGC_SUCCESS", "AUX_PERF_DEFGC_SUCCESS", defGc)
	v1(TypePerfFgMdbSuccess, "AUX_TYPE_PERF_FG_MDB_SUCCESS", "AUX_PERF_MDB_SUCCESS", mdb)
	v1(TypePerfFgGcSuccess, "AUX_TYPE_PERF_FG_GC_SUCCESS", "AUX_PERF_GC_SUCCESS", gc)
	v1(TypePerfFgFailure, "AUX_TYPE_PERF_FG_FAILURE", "AUX_PERF_FAILURE", failure)
	v1(TypeOSVersionInfo, "AUX_TYPE_OSVERSIONINFO", "AUX_OSVERSIONINFO", func() Body { return &OSVersionInfo{} })
	v1(TypeExOrgInfo, "AUX_TYPE_EXORGINFO", "AUX_EXORGINFO", func() Body { return &ExOrgInfo{} })
	v1(TypePerfAccountInfo, "AUX_TYPE_PERF_ACCOUNTINFO", "AUX_PERF_ACCOUNTINFO", func() Body { return &PerfAccountInfo{} })
	v1(TypeServerCapabilities, "AUX_TYPE_SERVER_CAPABILITIES", "AUX_SERVER_CAPABILITIES", func() Body { return &ServerCapabilities{} })
	v1(TypeEndpointCapabilities, "AUX_TYPE_ENDPOINT_CAPABILITIES", "AUX_ENDPOINT_CAPABILITIES", func() Body { return &EndpointCapabilities{} })
	v1(TypeClientConnectionInfo, "AUX_CLIENT_CONNECTION_INFO", "AUX_CLIENT_CONNECTION_INFO", func() Body { return &ClientConnectionInfo{} })
	v1(TypeServerSessionInfo, "AUX_SERVER_SESSION_INFO", "AUX_SERVER_SESSION_INFO", func() Body { return &ServerSessionInfo{} })
	v1(TypeProtocolDeviceIdentifier, "AUX_PROTOCOL_DEVICE_IDENTIFICATION", "AUX_PROTOCOL_DEVICE_IDENTIFICATION", func() Body { return &ProtocolDeviceIdentification{} })

	// AUX_VERSION_2
	v2(TypePerfSessionInfo, "AUX_TYPE_PERF_SESSIONINFO", "AUX_PERF_SESSIONINFO_V2", sessionInfoV2)
	v2(TypePerfMdbSuccess, "AUX_TYPE_PERF_MDB_SUCCESS", "AUX_PERF_MDB_SUCCESS_V2", mdbV2)
	v2(TypePerfGcSuccess, "AUX_TYPE_PERF_GC_SUCCESS", "AUX_PERF_GC_SUCCESS_V2", gcV2)
	v2(TypePerfFailure, "AUX_TYPE_PERF_FAILURE", "AUX_PERF_FAILURE_V2", failureV2)
	v2(TypePerfProcessInfo, "AUX_TYPE_PERF_PROCESSINFO", "AUX_PERF_PROCESSINFO", processInfo)
	v2(TypePerfBgMdbSuccess, "AUX_TYPE_PERF_BG_MDB_SUCCESS", "AUX_PERF_MDB_SUCCESS_V2", mdbV2)
	v2(TypePerfBgGcSuccess, "AUX_TYPE_PERF_BG_GC_SUCCESS", "AUX_PERF_GC_SUCCESS_V2", gcV2)
	v2(TypePerfBgFailure, "AUX_TYPE_PERF_BG_FAILURE", "AUX_PERF_FAILURE_V2", failureV2)
	v2(TypePerfFgMdbSuccess, "AUX_TYPE_PERF_FG_MDB_SUCCESS", "AUX_PERF_MDB_SUCCESS_V2", mdbV2)
	v2(TypePerfFgGcSuccess, "AUX_TYPE_PERF_FG_GC_SUCCESS", "AUX_PERF_GC_SUCCESS_V2", gcV2)
	v2(TypePerfFgFailure, "AUX_TYPE_PERF_FG_FAILURE", "AUX_PERF_FAILURE_V2", failureV2)
}

// Lookup returns what the specification defines for (version, typ).
func Lookup(version, typ uint8) (*TypeInfo, bool) {
	t, ok := types[[2]uint8{version, typ}]
	return t, ok
}

// Types returns every defined (Version, Type) pair.
func Types() []*TypeInfo {
	out := make([]*TypeInfo, 0, len(types))
	for v := 1; v <= 2; v++ {
		for t := 0; t < 256; t++ {
			if ti, ok := types[[2]uint8{uint8(v), uint8(t)}]; ok {
				out = append(out, ti)
			}
		}
	}
	return out
}

func versionSym(v uint64) string {
	switch v {
	case 1:
		return "AUX_VERSION_1"
	case 2:
		return "AUX_VERSION_2"
	}
	return ""
}

// TypeName names a Type under a Version ("" when undefined).
func TypeName(version, typ uint8) string {
	if t, ok := Lookup(version, typ); ok {
		return t.Name
	}
	return ""
}

// Body is an auxiliary block structure.
type Body interface {
	// StructName is the specification's name of the structure.
	StructName() string
	codec(c *wire.Codec, x *blockCtx)
}

// Block is an AUX_HEADER and the block that follows it.
type Block struct {
	// Size is AUX_HEADER.Size: header plus block. Decoding sets it;
	// encoding computes it (it is only kept when the block's bytes are
	// re-emitted unchanged).
	Size    uint16
	Version uint8
	Type    uint8
	Body    Body
	// Frame is the index of the RPC_HEADER_EXT block that carries this
	// block (normally 0).
	Frame int
	// Offset is the offset of the AUX_HEADER: absolute when the frame is
	// neither compressed nor obfuscated, otherwise from the start of the
	// frame's decoded data.
	Offset int

	raw   []byte // AUX_HEADER and block as decoded
	canon uint64 // hash of the canonical encoding at decode time
}

// New makes a block of the given version and type around body.
func New(version, typ uint8, body Body) Block {
	return Block{Version: version, Type: typ, Body: body}
}

// Info returns the block's type description (nil when undefined).
func (b *Block) Info() *TypeInfo {
	t, _ := Lookup(b.Version, b.Type)
	return t
}

// Raw returns the block's bytes as decoded (nil for a block built in code).
func (b *Block) Raw() []byte { return b.raw }

// Unknown holds the bytes of a block whose Version and Type the
// specification does not define.
type Unknown struct {
	Data []byte
}

func (*Unknown) StructName() string { return "Unknown" }
func (u *Unknown) codec(c *wire.Codec, x *blockCtx) {
	c.Rest(&u.Data, "Data")
}

// Buffer is a whole auxiliary buffer.
type Buffer struct {
	// Frames are the RPC_HEADER_EXT blocks (one, in a conforming buffer).
	// Encoding a Buffer with no Frames makes one, flagged Last and
	// neither compressed nor obfuscated.
	Frames []rpcext.Block
	// Blocks are the auxiliary blocks of every frame, in order.
	Blocks []Block
	// Raw, when non-nil, is written instead of Frames and Blocks. Decoding
	// sets it to the buffer's bytes when they could not be decoded
	// completely, so that such a buffer still re-encodes unchanged.
	Raw []byte

	failed bool
}

// Empty reports whether the buffer holds nothing (AuxiliaryBufferSize 0).
func (b *Buffer) Empty() bool { return len(b.Frames) == 0 && len(b.Blocks) == 0 && b.Raw == nil }

// Find returns the first block with that structure name (nil if none).
func (b *Buffer) Find(structName string) *Block {
	for i := range b.Blocks {
		if b.Blocks[i].Body != nil && b.Blocks[i].Body.StructName() == structName {
			return &b.Blocks[i]
		}
	}
	return nil
}

// CodecBuffer reads or writes an auxiliary buffer that fills the codec's
// current limit (decoding an empty region gives an empty Buffer).
func CodecBuffer(c *wire.Codec, b *Buffer) {
	if c.Encoding() {
		encodeBuffer(c, b)
		return
	}
	*b = Buffer{}
	if c.Remaining() == 0 {
		return
	}
	rpcext.CodecChainFunc(c, &b.Frames, func(sc *wire.Codec, i int, _ *rpcext.Block) {
		decodeList(sc, i, b)
		if sc.Failed() {
			b.failed = true
		}
	})
	if c.Failed() {
		b.failed = true
		return
	}
	if len(b.Frames) > 1 {
		c.NoteAt(c.Pos(), "auxiliary buffer has %d RPC_HEADER_EXT blocks; the specification allows one", len(b.Frames))
	}
	if c.Remaining() > 0 {
		c.Note("%d bytes follow the RPC_HEADER_EXT block flagged Last", c.Remaining())
		b.failed = true
	}
}

func encodeBuffer(c *wire.Codec, b *Buffer) {
	if b.Raw != nil {
		c.Rest(&b.Raw, "AuxiliaryBuffer")
		return
	}
	if len(b.Frames) == 0 && len(b.Blocks) == 0 {
		return
	}
	frames := b.Frames
	if len(frames) == 0 {
		frames = []rpcext.Block{{Header: rpcext.Header{Flags: rpcext.FlagLast}}}
	}
	n := len(frames)
	rpcext.CodecChainFunc(c, &frames, func(ec *wire.Codec, i int, _ *rpcext.Block) {
		for k := range b.Blocks {
			f := b.Blocks[k].Frame
			if f < 0 {
				f = 0
			}
			if f >= n {
				f = n - 1
			}
			if f == i {
				encodeBlock(ec, &b.Blocks[k])
			}
		}
	})
	if len(b.Frames) > 0 {
		b.Frames = frames
	}
}

// CodecSized reads or writes the AuxiliaryBufferSize (32-bit) and
// AuxiliaryBuffer fields that end every MAPI/HTTP body. A buffer that
// does not decode is reported and kept as Raw; it never stops the
// enclosing body from decoding.
func CodecSized(c *wire.Codec, b *Buffer) {
	if c.Encoding() {
		c.Sized(4, "AuxiliaryBufferSize", func() { CodecBuffer(c, b) })
		return
	}
	var n uint32
	c.U32(&n, "AuxiliaryBufferSize")
	if c.Failed() {
		return
	}
	*b = Buffer{}
	if int64(n) > int64(c.Remaining()) {
		c.Fail("AuxiliaryBufferSize %d exceeds the %d bytes left", n, c.Remaining())
		return
	}
	if n == 0 {
		return
	}
	pos := c.Pos()
	region := c.Input()[pos : pos+int(n) : pos+int(n)]
	sub := c.Sub(region, c.Offset(), "AuxiliaryBuffer")
	CodecBuffer(sub, b)
	if sub.Failed() || b.failed {
		b.Raw = region
	}
	c.Adopt(sub)
	c.Advance(int(n))
}

// Decode decodes a whole auxiliary buffer.
func Decode(b []byte, spans bool) (*Buffer, *wire.Codec) {
	c := wire.NewDecoder(b, spans, "AuxiliaryBuffer")
	var buf Buffer
	CodecBuffer(c, &buf)
	if c.Failed() || buf.failed {
		buf.Raw = b
	}
	return &buf, c
}

// Encode appends the buffer to dst.
func Encode(dst []byte, b *Buffer) ([]byte, error) {
	c := wire.NewEncoder(dst)
	CodecBuffer(c, b)
	return c.Output(), c.Err()
}

// ---- the block list inside one frame ----

func decodeList(c *wire.Codec, frame int, b *Buffer) {
	c.BeginArray("AuxiliaryBlocks")
	defer c.End()
	in := c.Input()
	for c.Remaining() > 0 && !c.Failed() {
		var blk Block
		blk.Frame = frame
		blk.Offset = c.Offset()
		start := c.Pos()
		c.Begin("AUX")
		c.Begin("AUX_HEADER")
		c.U16(&blk.Size, "Size")
		c.U8(&blk.Version, "Version")
		c.Hex().Named(versionSym)
		c.U8(&blk.Type, "Type")
		ver := blk.Version
		c.Hex().Named(func(v uint64) string { return TypeName(ver, uint8(v)) })
		c.End()
		if c.Failed() {
			c.End()
			return
		}
		if blk.Size < HeaderSize {
			c.NoteAt(start, "AUX_HEADER Size %d is smaller than the header itself", blk.Size)
			c.Fail("auxiliary blocks cannot be delimited after a Size below 4")
			c.End()
			return
		}
		n := int(blk.Size) - HeaderSize
		if n > c.Remaining() {
			c.Fail("AUX_HEADER Size %d exceeds the %d bytes left", blk.Size, c.Remaining()+HeaderSize)
			c.End()
			return
		}
		info, known := Lookup(blk.Version, blk.Type)
		structName := "Unknown"
		if known {
			blk.Body = info.New()
			structName = info.Struct
			c.SetTitle(info.Name)
		} else {
			blk.Body = &Unknown{}
			c.NoteAt(start, "unknown auxiliary block: Version 0x%02X Type 0x%02X (kept as bytes)", blk.Version, blk.Type)
		}
		pos := c.Pos()
		region := in[pos : pos+n : pos+n]
		x := &blockCtx{blk: in[start : pos+n : pos+n], base: blk.Offset}
		sub := c.Sub(region, c.Offset(), structName)
		blk.Body.codec(sub, x)
		if !sub.Failed() && sub.Remaining() > 0 {
			var pad []byte
			at := sub.Pos()
			sub.Rest(&pad, "Padding")
			if len(pad) >= 4 {
				sub.NoteAt(at, "%d bytes follow the %s structure inside its AUX_HEADER Size", len(pad), structName)
			}
		}
		c.Adopt(sub)
		c.Advance(n)
		c.End()
		blk.raw = x.blk
		blk.canon = hash(canonical(&blk))
		b.Blocks = append(b.Blocks, blk)
	}
}

func hash(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// canonical encodes a block in the canonical layout.
func canonical(b *Block) []byte {
	e := wire.NewEncoder(nil)
	var size uint16
	e.U16(&size, "Size")
	e.U8(&b.Version, "Version")
	e.U8(&b.Type, "Type")
	body := b.Body
	if body == nil {
		body = &Unknown{}
	}
	body.codec(e, &blockCtx{})
	out := e.Output()
	if _, unknown := body.(*Unknown); !unknown {
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	n := len(out)
	if n > math.MaxUint16 {
		n = math.MaxUint16 // reported by encodeBlock
	}
	binary.LittleEndian.PutUint16(out, uint16(n))
	return out
}

func encodeBlock(c *wire.Codec, b *Block) {
	out := canonical(b)
	if b.raw != nil && hash(out) == b.canon {
		out = b.raw
	} else if len(out) > math.MaxUint16 {
		c.EncodeError("auxiliary block %s: %d bytes do not fit AUX_HEADER Size", b.structName(), len(out))
		return
	}
	b.Size = uint16(len(out))
	c.Fixed(&out, len(out), b.structName())
}

func (b *Block) structName() string {
	if b.Body == nil {
		return "Unknown"
	}
	return b.Body.StructName()
}

// ---- variable fields at offsets ----

// blockCtx gives a block structure access to the bytes of the whole block
// (decode) and lays out variable fields (encode).
type blockCtx struct {
	blk  []byte // decode: AUX_HEADER and block
	base int    // decode: absolute offset of blk[0]
	next int    // encode: where the next variable field goes
}

// layout starts the variable part after fixed bytes of fixed fields.
func (x *blockCtx) layout(fixed int) { x.next = HeaderSize + fixed }

// place reserves n bytes for a variable field (0 when absent) and returns
// its offset from the AUX_HEADER, or 0 for an absent field.
func (x *blockCtx) place(n int) uint16 {
	if n == 0 {
		return 0
	}
	off := x.next
	x.next += n
	if off > math.MaxUint16 {
		return math.MaxUint16
	}
	return uint16(off)
}

func (x *blockCtx) placeString(s string) uint16 {
	if s == "" {
		return 0
	}
	return x.place(wire.UTF16Len(s) + 2)
}

// target checks a decoded offset and returns a decoder over the block from
// there, or nil when there is nothing to read.
func (x *blockCtx) target(c *wire.Codec, off uint16, name string, fixed int) *wire.Codec {
	if off == 0 {
		return nil
	}
	o := int(off)
	if o >= len(x.blk) {
		c.NoteAt(c.Pos(), "%s offset %d points past the block's %d bytes", name, o, len(x.blk))
		return nil
	}
	if o < HeaderSize+fixed {
		c.NoteAt(c.Pos(), "%s offset %d points inside the block's fixed fields", name, o)
	}
	return c.Sub(x.blk[o:], x.base+o, name)
}

// str reads (at off) or writes (in order) a NUL-terminated UTF-16 string.
func (x *blockCtx) str(c *wire.Codec, off uint16, p *string, name string, fixed int) {
	if c.Encoding() {
		if off != 0 {
			c.UnicodeZ(p, name)
		}
		return
	}
	*p = ""
	s := x.target(c, off, name, fixed)
	if s == nil {
		return
	}
	s.UnicodeZ(p, name)
	graft(c, s)
}

// bin reads (at off, size bytes) or writes (in order) a byte field.
func (x *blockCtx) bin(c *wire.Codec, off, size uint16, p *[]byte, name string, fixed int) {
	if c.Encoding() {
		if off != 0 {
			c.Fixed(p, len(*p), name)
		}
		return
	}
	*p = nil
	if size == 0 {
		return
	}
	s := x.target(c, off, name, fixed)
	if s == nil {
		return
	}
	s.Fixed(p, int(size), name)
	graft(c, s)
}

// graft moves a sub-decoder's single leaf into c's open node (the
// sub-decoder's root would otherwise wrap it in a struct of its own).
func graft(c *wire.Codec, s *wire.Codec) {
	if root := s.Tree(); root != nil {
		switch {
		case len(root.Children) == 1 && root.Children[0].Kind == wire.KindValue:
			*root = *root.Children[0]
		case len(root.Children) == 0: // nothing decoded: an empty leaf
			root.Kind, root.Len, root.Value = wire.KindValue, 0, nil
		}
	}
	c.Adopt(s)
}

// finishVariable consumes the rest of the block after the fixed fields of
// a structure whose variable fields were read at their offsets.
func finishVariable(c *wire.Codec) {
	if c.Decoding() && !c.Failed() {
		c.Advance(c.Remaining())
	}
}

// String describes a block in one line.
func (b *Block) String() string {
	name := fmt.Sprintf("Version 0x%02X Type 0x%02X", b.Version, b.Type)
	if t := b.Info(); t != nil {
		name = t.Name
	}
	return fmt.Sprintf("%s (%s, %d bytes)", name, b.structName(), b.Size)
}
