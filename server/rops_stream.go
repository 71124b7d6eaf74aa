package server

import (
	"errors"
	"io"
	"math"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Stream ROPs — [MS-OXCROPS] 2.2.9, semantics in [MS-OXCPRPT] 3.2.5.11 to
// 3.2.5.20. A stream on a message or an attachment works on its working
// copy (kept by RopSaveChangesMessage); a stream on a folder commits
// straight to the store.

func init() {
	handle(0x2B, ropOpenStream)
	handle(0x2C, ropReadStream)
	handle(0x2D, ropWriteStream)
	handle(0xA3, ropWriteStreamExtended)
	handle(0x2E, ropSeekStream)
	handle(0x2F, ropSetStreamSize)
	handle(0x5D, ropCommitStream)
	handle(0x5E, ropGetStreamSize)
	handle(0x90, ropWriteAndCommitStream)
	handle(0x3A, ropCopyToStream)
	handle(0x5B, ropLockRegionStream)
	handle(0x5C, ropUnlockRegionStream)
	handle(0x3B, ropCloneStream)
}

// ecStreamSeekError — [MS-OXCPRPT] 3.2.5.17: a seek before the start or
// past the largest stream.
const ecStreamSeekError prop.ErrorCode = 0x80030019

// OpenModeFlags of RopOpenStream — [MS-OXCPRPT] 2.2.14.1.
const (
	strmReadOnly   uint8 = 0x00
	strmReadWrite  uint8 = 0x01
	strmCreate     uint8 = 0x02
	strmBestAccess uint8 = 0x03
)

// strmState is what a stream handle remembers beside the lead's
// streamObj: the object it was opened on (for RopCloneStream and folder
// events) and the RopReadStream being served, so that a re-run into a
// chained block goes on where the last one stopped and never returns
// more than the request asked for in all.
type strmState struct {
	obj    store.PropObject
	folder bool
	fid    prop.ID

	rsReqs *rop.RequestBuffer // the Execute of the ReadStream being served
	rsIdx  int
	rsDone uint32
}

var strmStates sideTable[streamObj, strmState]

// release commits a stream opened for writing when its handle goes —
// [MS-OXCPRPT] 3.2.5.11: the changes of a stream not committed with
// RopCommitStream are kept at RopRelease.
func (s *streamObj) release() {
	if !s.readOnly {
		s.st.Commit() // the object may be gone: nothing to report to
	}
}

// strmInput returns the stream a ROP works on.
func strmInput(x *execCtx, req rop.Request) (*streamObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	s, ok := obj.(*streamObj)
	if !ok {
		return nil, ecNullObject
	}
	return s, 0
}

// strmEC maps a store error of a stream operation to the stream error
// codes of [MS-OXCPRPT]: size limits give StreamSizeError, refused writes
// StreamAccessDenied.
func strmEC(err error) prop.ErrorCode {
	switch {
	case errors.Is(err, store.ErrTooBig):
		return ecStreamSizeError
	case errors.Is(err, store.ErrAccessDenied):
		return ecStreamAccessDeny
	}
	return ecOf(err)
}

// ropOpenStream — [MS-OXCPRPT] 3.2.5.11: a property of a folder, message
// or attachment as a stream, prepopulated with its value. ReadOnly and
// ReadWrite need the property (ecNotFound otherwise); Create empties it;
// BestAccess opens read/write when the object may be changed, creating
// the property then. Writing another user's folder needs
// RightFolderOwner.
func ropOpenStream(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.OpenStreamRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	st := &strmState{}
	var writable bool
	switch o := obj.(type) {
	case *messageObj:
		st.obj, writable = o.msg, !o.readOnly
	case *attachmentObj:
		st.obj, writable = o.att, !o.readOnly
	case *folderObj:
		if !x.canAccess(o.lg, o.fid, store.RightFolderVisible) {
			return x.fail(ecAccessDenied)
		}
		st.obj, st.folder, st.fid = x.st.FolderObject(o.lg.mb, o.fid), true, o.fid
		writable = x.canAccess(o.lg, o.fid, store.RightFolderOwner)
	default:
		return x.fail(ecNotSupported)
	}
	mode := r.OpenModeFlags
	var write bool
	switch mode {
	case strmReadOnly:
	case strmReadWrite, strmCreate:
		if !writable {
			return x.fail(ecAccessDenied)
		}
		write = true
	case strmBestAccess:
		write = writable
	default:
		return x.fail(ecInvalidParam)
	}
	if mode != strmCreate && !(mode == strmBestAccess && write) {
		if _, err := store.OpenPropertyStream(st.obj, r.PropertyTag, false); err != nil {
			return x.fail(ecOf(err))
		}
	}
	s, err := store.OpenPropertyStream(st.obj, r.PropertyTag, write)
	if err != nil {
		return x.fail(ecOf(err))
	}
	if mode == strmCreate && s.Size() > 0 {
		if err := s.SetSize(0); err != nil {
			return x.fail(strmEC(err))
		}
	}
	so := &streamObj{lg: obj.logon(), st: s, tag: r.PropertyTag, mode: mode, readOnly: !write}
	*strmStates.get(so) = *st
	if ec := x.bind(r.OutputHandleIndex, so); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.OpenStreamResponse{StreamSize: uint32(min(s.Size(), math.MaxUint32))})
}

// strmPos is the seek pointer of a stream.
func strmPos(s *store.Stream) int64 {
	p, _ := s.Seek(0, io.SeekCurrent)
	return p
}

// ropReadStream — [MS-OXCPRPT] 3.2.5.12: up to ByteCount bytes (or
// MaximumByteCount when ByteCount is 0xBABE) from the seek pointer, as
// many as fit the response's room. When room and not data ran out, x.more
// lets a chained Execute re-run the ROP for the rest of what was asked.
func ropReadStream(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.ReadStreamRequest)
	s, ec := strmInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	st := strmStates.get(s)
	want := r.Max()
	if st.rsReqs == x.reqs && st.rsIdx == x.index {
		want -= min(want, st.rsDone) // a re-run into a chained block
	} else {
		st.rsReqs, st.rsIdx, st.rsDone = x.reqs, x.index, 0
	}
	room := x.budget - 8 // RopId, InputHandleIndex, ReturnValue, DataSize
	n := int(min(int64(want), int64(max(room, 0)), 0xFFFF, max(s.st.Size()-strmPos(s.st), 0)))
	data := make([]byte, n)
	got, err := io.ReadFull(s.st, data)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return x.fail(ecOf(err))
	}
	data = data[:got]
	st.rsDone += uint32(got)
	x.more = uint32(got) < want && got == room && strmPos(s.st) < s.st.Size()
	return x.ok(&rop.ReadStreamResponse{Data: data})
}

// strmWrite writes data at the seek pointer; a read-only stream refuses
// with StreamAccessDenied ([MS-OXCPRPT] 3.2.5.13).
func strmWrite(x *execCtx, req rop.Request, data []byte) (*streamObj, int, prop.ErrorCode) {
	s, ec := strmInput(x, req)
	if ec != 0 {
		return nil, 0, ec
	}
	if s.readOnly {
		return s, 0, ecStreamAccessDeny
	}
	n, err := s.st.Write(data)
	if err != nil {
		return s, n, strmEC(err)
	}
	return s, n, 0
}

// ropWriteStream — [MS-OXCPRPT] 3.2.5.13. WrittenSize is in every
// response.
func ropWriteStream(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.WriteStreamRequest)
	_, n, ec := strmWrite(x, req, r.Data)
	if ec != 0 {
		resp := x.fail(ec).(*rop.WriteStreamResponse)
		resp.WrittenSize = uint16(n)
		return resp
	}
	return x.ok(&rop.WriteStreamResponse{WrittenSize: uint16(n)})
}

// ropWriteStreamExtended — [MS-OXCPRPT] 3.2.5.20: RopWriteStream with a
// 4-byte WrittenSize.
func ropWriteStreamExtended(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.WriteStreamExtendedRequest)
	_, n, ec := strmWrite(x, req, r.Data)
	if ec != 0 {
		resp := x.fail(ec).(*rop.WriteStreamExtendedResponse)
		resp.WrittenSize = uint32(n)
		return resp
	}
	return x.ok(&rop.WriteStreamExtendedResponse{WrittenSize: uint32(n)})
}

// strmCommit stores a stream into its object; on a folder that is a
// change of the folder to announce. A read-only stream has nothing to
// commit.
func strmCommit(x *execCtx, s *streamObj) prop.ErrorCode {
	if s.readOnly {
		return 0
	}
	if err := s.st.Commit(); err != nil {
		return strmEC(err)
	}
	if st := strmStates.get(s); st.folder {
		x.publish(s.lg, event{kind: fnevObjectModified, fid: st.fid, tags: []prop.Tag{s.tag}})
	}
	return 0
}

// ropCommitStream — [MS-OXCPRPT] 3.2.5.14.
func ropCommitStream(x *execCtx, req rop.Request) rop.Response {
	s, ec := strmInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	if ec := strmCommit(x, s); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.CommitStreamResponse{})
}

// ropWriteAndCommitStream — [MS-OXCPRPT] 3.2.5.21: RopWriteStream then
// RopCommitStream.
func ropWriteAndCommitStream(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.WriteAndCommitStreamRequest)
	s, n, ec := strmWrite(x, req, r.Data)
	if ec == 0 {
		ec = strmCommit(x, s)
	}
	if ec != 0 {
		resp := x.fail(ec).(*rop.WriteAndCommitStreamResponse)
		resp.WrittenSize = uint16(n)
		return resp
	}
	return x.ok(&rop.WriteAndCommitStreamResponse{WrittenSize: uint16(n)})
}

// ropGetStreamSize — [MS-OXCPRPT] 3.2.5.15.
func ropGetStreamSize(x *execCtx, req rop.Request) rop.Response {
	s, ec := strmInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.GetStreamSizeResponse{StreamSize: uint32(min(s.st.Size(), math.MaxUint32))})
}

// ropSetStreamSize — [MS-OXCPRPT] 3.2.5.16: truncates or zero-extends.
func ropSetStreamSize(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SetStreamSizeRequest)
	s, ec := strmInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	if s.readOnly {
		return x.fail(ecStreamAccessDeny)
	}
	if r.StreamSize > store.MaxStreamSize {
		return x.fail(ecStreamSizeError)
	}
	if err := s.st.SetSize(int64(r.StreamSize)); err != nil {
		return x.fail(strmEC(err))
	}
	return x.ok(&rop.SetStreamSizeResponse{})
}

// ropSeekStream — [MS-OXCPRPT] 3.2.5.17: Origin beginning, current or
// end; a position before the start or past the largest stream gives
// StreamSeekError.
func ropSeekStream(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SeekStreamRequest)
	s, ec := strmInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	var whence int
	switch r.Origin {
	case 0:
		whence = io.SeekStart
	case 1:
		whence = io.SeekCurrent
	case 2:
		whence = io.SeekEnd
	default:
		return x.fail(ecInvalidParam)
	}
	pos, err := s.st.Seek(r.Offset, whence)
	if err != nil {
		return x.fail(ecStreamSeekError)
	}
	return x.ok(&rop.SeekStreamResponse{NewPosition: uint64(pos)})
}

// ropCopyToStream — [MS-OXCPRPT] 3.2.5.18: ByteCount bytes from the seek
// pointer of the source to that of the stream at DestHandleIndex. A bad
// destination handle gives the ecDstNullObject layout.
func ropCopyToStream(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.CopyToStreamRequest)
	src, ec := strmInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	dobj, ec := x.object(r.DestHandleIndex)
	dst, ok := dobj.(*streamObj)
	if ec != 0 || !ok {
		resp := x.fail(ecDstNullObject).(*rop.CopyToStreamResponse)
		resp.DestHandleIndex = uint32(r.DestHandleIndex)
		return resp
	}
	if dst.readOnly {
		return x.fail(ecStreamAccessDeny)
	}
	var read, written uint64
	buf := make([]byte, 64<<10)
	for read < r.ByteCount {
		n, err := src.st.Read(buf[:min(uint64(len(buf)), r.ByteCount-read)])
		read += uint64(n)
		if n > 0 {
			w, werr := dst.st.Write(buf[:n])
			written += uint64(w)
			if werr != nil {
				resp := x.fail(strmEC(werr)).(*rop.CopyToStreamResponse)
				resp.ReadByteCount, resp.WrittenByteCount = read, written
				return resp
			}
		}
		if err != nil || n == 0 {
			break
		}
	}
	return x.ok(&rop.CopyToStreamResponse{ReadByteCount: read, WrittenByteCount: written})
}

// ropLockRegionStream — [MS-OXCPRPT] 3.2.5.19: accepted; a session's
// streams are its own working copies, so there is nobody to lock out.
func ropLockRegionStream(x *execCtx, req rop.Request) rop.Response {
	if _, ec := strmInput(x, req); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.LockRegionStreamResponse{})
}

// ropUnlockRegionStream — [MS-OXCPRPT] 3.2.5.19.
func ropUnlockRegionStream(x *execCtx, req rop.Request) rop.Response {
	if _, ec := strmInput(x, req); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.UnlockRegionStreamResponse{})
}

// ropCloneStream — [MS-OXCPRPT] 3.2.5.20: a new stream handle on the same
// property with the same content and seek pointer (uncommitted writes
// included) and its own seek pointer from then on.
func ropCloneStream(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.CloneStreamRequest)
	s, ec := strmInput(x, req)
	if ec != 0 {
		return x.fail(ec)
	}
	st := strmStates.get(s)
	if st.obj == nil {
		return x.fail(ecNotSupported)
	}
	c, err := store.OpenPropertyStream(st.obj, s.tag, !s.readOnly)
	if err != nil {
		return x.fail(ecOf(err))
	}
	pos := strmPos(s.st)
	if !s.readOnly {
		// Carry over what was written and not yet committed.
		data := make([]byte, s.st.Size())
		s.st.Seek(0, io.SeekStart)
		io.ReadFull(s.st, data)
		s.st.Seek(pos, io.SeekStart)
		if err := c.SetSize(0); err != nil {
			return x.fail(strmEC(err))
		}
		if _, err := c.Write(data); err != nil {
			return x.fail(strmEC(err))
		}
	}
	c.Seek(pos, io.SeekStart)
	co := &streamObj{lg: s.lg, st: c, tag: s.tag, mode: s.mode, readOnly: s.readOnly}
	cst := strmStates.get(co)
	cst.obj, cst.folder, cst.fid = st.obj, st.folder, st.fid
	if ec := x.bind(r.OutputHandleIndex, co); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.CloneStreamResponse{})
}
