package server

import (
	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/server/store"
)

// FastTransfer source and ICS download ROPs — [MS-OXCROPS] 2.2.12 and
// 2.2.13, semantics [MS-OXCFXICS] 3.2.5.8 and 3.2.5.9.

func init() {
	handle(0x70, ropSynchronizationConfigure)
	handle(0x75, ropSynchronizationUploadStateStreamBegin)
	handle(0x76, ropSynchronizationUploadStateStreamContinue)
	handle(0x77, ropSynchronizationUploadStateStreamEnd)
	handle(0x4E, ropFastTransferSourceGetBuffer)
	handle(0x82, ropSynchronizationGetTransferState)
	handle(0x4D, ropFastTransferSourceCopyTo)
	handle(0x69, ropFastTransferSourceCopyProperties)
	handle(0x4B, ropFastTransferSourceCopyMessages)
	handle(0x4C, ropFastTransferSourceCopyFolder)
	handle(0x86, ropTellVersion)
}

// TransferStatus values — [MS-OXCFXICS] 2.2.3.1.1.5.2.
const (
	fxGetPartial uint16 = 0x0001
	fxGetNoRoom  uint16 = 0x0002
	fxGetDone    uint16 = 0x0003
)

// fxGetBufferOverhead is the size of a successful
// RopFastTransferSourceGetBuffer response without its TransferBuffer.
const fxGetBufferOverhead = 15

// folderInput returns the folder a ROP works on.
func (x *execCtx) fxFolderInput(req rop.Request) (*folderObj, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	f, ok := obj.(*folderObj)
	if !ok {
		return nil, ecNotSupported
	}
	return f, 0
}

// ropSynchronizationConfigure — [MS-OXCFXICS] 3.2.5.9.1.1: a download
// context for the contents or the hierarchy of the input folder.
func ropSynchronizationConfigure(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SynchronizationConfigureRequest)
	fo, ec := x.fxFolderInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.SynchronizationType != 0x01 && r.SynchronizationType != 0x02 {
		return x.fail(ecInvalidParam)
	}
	hierarchy := r.SynchronizationType == 0x02
	if !fxValidSendOptions(r.SendOptions) || (hierarchy && r.RestrictionData != nil) {
		return x.fail(ecInvalidParam)
	}
	right := store.RightReadAny
	if hierarchy {
		right = store.RightFolderVisible
	}
	if !x.canAccess(fo.lg, fo.fid, right) {
		return x.fail(ecAccessDenied)
	}
	if _, err := x.st.Folder(fo.lg.mb, fo.fid); err != nil {
		return x.fail(ecOf(err))
	}
	d := &icsDownload{lg: fo.lg, fid: fo.fid, hierarchy: hierarchy, so: r.SendOptions,
		flags: r.SynchronizationFlags, extra: r.SynchronizationExtraFlags, restriction: r.RestrictionData,
		filter: newFXFilter(r.SynchronizationFlags&syncOnlySpecifiedProperties != 0, r.PropertyTags)}
	if r.SynchronizationFlags&syncUnicode != 0 {
		d.so |= fxUnicode
	}
	if ec := x.bind(r.OutputHandleIndex, d); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.SynchronizationConfigureResponse{})
}

// stateInput returns the synchronization context a state upload ROP works on.
func (x *execCtx) stateInput(req rop.Request) (stateReceiver, prop.ErrorCode) {
	obj, ec := x.input(req)
	if ec != 0 {
		return nil, ec
	}
	sr, ok := obj.(stateReceiver)
	if !ok {
		return nil, ecNotSupported
	}
	return sr, 0
}

// ropSynchronizationUploadStateStreamBegin — [MS-OXCFXICS] 3.2.5.9.2.1.
func ropSynchronizationUploadStateStreamBegin(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SynchronizationUploadStateStreamBeginRequest)
	sr, ec := x.stateInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	up := sr.stateUpload()
	if up.open {
		return x.fail(ecInvalidParam)
	}
	if ec := sr.acceptState(r.StateProperty); ec != 0 {
		return x.fail(ec)
	}
	if r.TransferBufferSize > maxStateUpload {
		return x.fail(ecTooBig)
	}
	*up = stateStream{tag: r.StateProperty, open: true}
	return x.ok(&rop.SynchronizationUploadStateStreamBeginResponse{})
}

// ropSynchronizationUploadStateStreamContinue — [MS-OXCFXICS] 3.2.5.9.2.2.
func ropSynchronizationUploadStateStreamContinue(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SynchronizationUploadStateStreamContinueRequest)
	sr, ec := x.stateInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	up := sr.stateUpload()
	if !up.open {
		return x.fail(ecInvalidParam)
	}
	if len(up.buf)+len(r.StreamData) > maxStateUpload {
		*up = stateStream{}
		return x.fail(ecTooBig)
	}
	up.buf = append(up.buf, r.StreamData...)
	return x.ok(&rop.SynchronizationUploadStateStreamContinueResponse{})
}

// ropSynchronizationUploadStateStreamEnd — [MS-OXCFXICS] 3.2.5.9.2.3: the
// uploaded bytes are a REPLGUID-based IDSET; none at all is an empty set.
func ropSynchronizationUploadStateStreamEnd(x *execCtx, req rop.Request) rop.Response {
	sr, ec := x.stateInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	up := sr.stateUpload()
	if !up.open {
		return x.fail(ecInvalidParam)
	}
	tag, buf := up.tag, up.buf
	*up = stateStream{}
	set, err := fxics.DecodeIDSet(buf, true)
	if err != nil {
		return x.fail(ecInvalidParam)
	}
	if ec := sr.setState(tag, set); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.SynchronizationUploadStateStreamEndResponse{})
}

// ropFastTransferSourceGetBuffer — [MS-OXCFXICS] 3.2.5.8.1.5: the next
// portion of the stream, at most BufferSize bytes (with 0xBABE: as much
// as the response buffer holds, up to MaximumBufferSize), cut where the
// stream may be split. A chained Execute runs it again into further
// blocks while data is left.
func ropFastTransferSourceGetBuffer(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.FastTransferSourceGetBufferRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	src, ok := obj.(fxSource)
	if !ok {
		return x.fail(ecNotSupported)
	}
	s, ec := src.fxStream(x)
	if ec != 0 {
		return x.fail(ec)
	}
	hard := min(x.budget-fxGetBufferOverhead, 0xFFFF)
	if hard < 0 {
		hard = 0
	}
	want := int(r.BufferSize)
	if r.BufferSize == rop.FastTransferBufferSizeAuto {
		want = hard
		if r.MaximumBufferSize != 0 {
			want = min(want, int(r.MaximumBufferSize))
		}
	}
	data, err := s.read(x, want, hard)
	if err != nil {
		x.srv.log.Warn("FastTransfer stream failed", "err", err)
		return x.fail(ecOf(err))
	}
	status := fxGetPartial
	switch {
	case s.finished():
		status = fxGetDone
	case len(data) == 0:
		status = fxGetNoRoom
	}
	x.more = status == fxGetPartial
	done, total := s.counts()
	return x.ok(&rop.FastTransferSourceGetBufferResponse{TransferStatus: status, InProgressCount: done, TotalStepCount: total, TransferBuffer: data})
}

// ropSynchronizationGetTransferState — [MS-OXCFXICS] 3.2.5.9.3.1: a
// download context whose stream is the current ICS state of the input
// synchronization context.
func ropSynchronizationGetTransferState(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.SynchronizationGetTransferStateRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	src, ok := obj.(stateSource)
	if !ok {
		return x.fail(ecNotSupported)
	}
	st, ec := src.transferState(x)
	if ec != 0 {
		return x.fail(ec)
	}
	d := &fxDownload{lg: obj.logon(), s: newFXStream(fxElemStep(st.Element()))}
	if ec := x.bind(r.OutputHandleIndex, d); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.SynchronizationGetTransferStateResponse{})
}

// fxObjectSteps is the stream of RopFastTransferSourceCopyTo and
// RopFastTransferSourceCopyProperties on a folder (folderContent), a
// message (messageContent) or an attachment (attachmentContent) —
// [MS-OXCFXICS] 2.2.4.2. Level 0 includes the subobjects.
func (x *execCtx) fxObjectSteps(obj object, level uint8, o fxOptions, f fxFilter) (fxStep, prop.ErrorCode) {
	sub := level == 0
	switch v := obj.(type) {
	case *folderObj:
		if !x.canAccess(v.lg, v.fid, store.RightFolderVisible) {
			return nil, ecAccessDenied
		}
		c := &fxCopy{lg: v.lg, o: o, f: f, subfolders: sub}
		return c.folderSteps(v.fid, true, false, sub), 0
	case *messageObj:
		return func(x *execCtx, s *fxStream) error {
			mf := f
			if !sub {
				mf = fxFilter{only: f.only, tags: map[uint16]bool{}}
				for id, in := range f.tags {
					mf.tags[id] = in
				}
				// Level 1: the message's own properties, no subobjects.
				for _, t := range []prop.Tag{store.TagMessageRecipients, store.TagMessageAttachments} {
					mf.tags[t.ID()] = !f.only
				}
			}
			props, children, err := x.fxMessageContent(s, v.lg, v.msg, o, mf, true, nil)
			if err != nil {
				return err
			}
			s.progress++
			return s.elem(fxics.E(fxics.KindMessageContent, fxics.PL(props...), children))
		}, 0
	case *attachmentObj:
		return func(x *execCtx, s *fxStream) error {
			props, embedded, err := x.fxAttachmentProps(s, v.lg, v.att, o, f, sub)
			if err != nil {
				return err
			}
			s.progress++
			return s.elem(fxics.E(fxics.KindAttachmentContent, fxics.PL(props...), embedded))
		}, 0
	}
	return nil, ecNotSupported
}

// ropFastTransferSourceCopyTo — [MS-OXCFXICS] 3.2.5.8.1.1: the object's
// properties and subobjects but those PropertyTags excludes. The Move flag
// is taken as a copy: the source is not deleted.
func ropFastTransferSourceCopyTo(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.FastTransferSourceCopyToRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.CopyFlags&^uint32(0x01|0x02|0x04|0x08|0x200|0x400|0x2000) != 0 || !fxValidSendOptions(r.SendOptions) {
		return x.fail(ecInvalidParam)
	}
	o := fxOptions{sendOptions: r.SendOptions, bestBody: r.CopyFlags&0x2000 != 0, delProps: true}
	step, ec := x.fxObjectSteps(obj, r.Level, o, newFXFilter(false, r.PropertyTags))
	if ec != 0 {
		return x.fail(ec)
	}
	d := &fxDownload{lg: obj.logon(), s: newFXStream(step)}
	d.s.total = 1
	if ec := x.bind(r.OutputHandleIndex, d); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.FastTransferSourceCopyToResponse{})
}

// ropFastTransferSourceCopyProperties — [MS-OXCFXICS] 3.2.5.8.1.2: like
// CopyTo with an inclusion list, bodies as stored.
func ropFastTransferSourceCopyProperties(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.FastTransferSourceCopyPropertiesRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.CopyFlags&^0x0F != 0 || !fxValidSendOptions(r.SendOptions) {
		return x.fail(ecInvalidParam)
	}
	o := fxOptions{sendOptions: r.SendOptions, bestBody: true, delProps: true}
	step, ec := x.fxObjectSteps(obj, r.Level, o, newFXFilter(true, r.PropertyTags))
	if ec != 0 {
		return x.fail(ec)
	}
	d := &fxDownload{lg: obj.logon(), s: newFXStream(step)}
	d.s.total = 1
	if ec := x.bind(r.OutputHandleIndex, d); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.FastTransferSourceCopyPropertiesResponse{})
}

// ropFastTransferSourceCopyMessages — [MS-OXCFXICS] 3.2.5.8.1.3: a
// messageList of the given messages of the input folder. With Move the
// messages are deleted once the stream was produced whole.
func ropFastTransferSourceCopyMessages(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.FastTransferSourceCopyMessagesRequest)
	fo, ec := x.fxFolderInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.CopyFlags&^0x3F != 0 || !fxValidSendOptions(r.SendOptions) {
		return x.fail(ecInvalidParam)
	}
	lg := fo.lg
	if !x.canAccess(lg, fo.fid, store.RightReadAny) {
		return x.fail(ecAccessDenied)
	}
	for _, mid := range r.MessageIds {
		fid, err := x.st.MessageFolder(lg.mb, mid)
		if err != nil {
			return x.fail(ecOf(err))
		}
		if fid != fo.fid {
			return x.fail(ecNotFound)
		}
	}
	c := &fxCopy{lg: lg, o: fxOptions{sendOptions: r.SendOptions, bestBody: r.CopyFlags&0x10 != 0, entryIDs: r.CopyFlags&0x20 != 0}, f: fxAll}
	s := newFXStream()
	s.total = len(r.MessageIds)
	for _, mid := range r.MessageIds {
		s.steps = append(s.steps, c.messageStep(fo.fid, mid))
	}
	if r.CopyFlags&0x01 != 0 && x.canAccess(lg, fo.fid, store.RightDeleteAny) {
		fid, mids := fo.fid, append([]prop.ID(nil), r.MessageIds...)
		s.steps = append(s.steps, func(x *execCtx, s *fxStream) error {
			if _, err := x.st.DeleteMessages(lg.mb, fid, mids, true); err != nil {
				return err
			}
			for _, mid := range mids {
				x.publish(lg, event{kind: fnevObjectDeleted, fid: fid, mid: mid})
			}
			return nil
		})
	}
	if ec := x.bind(r.OutputHandleIndex, &fxDownload{lg: lg, s: s}); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.FastTransferSourceCopyMessagesResponse{})
}

// ropFastTransferSourceCopyFolder — [MS-OXCFXICS] 3.2.5.8.1.4: topFolder =
// StartTopFld folderContentNoDelProps EndFolder, with the subfolders when
// CopySubfolders is set. Move is taken as a copy.
func ropFastTransferSourceCopyFolder(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.FastTransferSourceCopyFolderRequest)
	fo, ec := x.fxFolderInput(req)
	if ec != 0 {
		return x.fail(ec)
	}
	if r.CopyFlags&^0x1F != 0 || !fxValidSendOptions(r.SendOptions) {
		return x.fail(ecInvalidParam)
	}
	if !x.canAccess(fo.lg, fo.fid, store.RightFolderVisible) {
		return x.fail(ecAccessDenied)
	}
	c := &fxCopy{lg: fo.lg, o: fxOptions{sendOptions: r.SendOptions, bestBody: true}, f: fxAll, subfolders: r.CopyFlags&0x10 != 0}
	s := newFXStream(fxMarkerStep(fxics.StartTopFld), c.folderSteps(fo.fid, true, false, true), fxMarkerStep(fxics.EndFolder))
	s.total = 1
	if ec := x.bind(r.OutputHandleIndex, &fxDownload{lg: fo.lg, s: s}); ec != 0 {
		return x.fail(ec)
	}
	return x.ok(&rop.FastTransferSourceCopyFolderResponse{})
}

// ropTellVersion — [MS-OXCFXICS] 3.2.5.8.1.6: the version of the other
// server of a server-to-client-to-server copy, kept on the context.
func ropTellVersion(x *execCtx, req rop.Request) rop.Response {
	r := req.(*rop.TellVersionRequest)
	obj, ec := x.input(req)
	if ec != 0 {
		return x.fail(ec)
	}
	v, ok := obj.(fxVersioned)
	if !ok {
		return x.fail(ecNotSupported)
	}
	v.tellVersion(r.Version)
	return x.ok(&rop.TellVersionResponse{})
}
