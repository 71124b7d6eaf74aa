package server

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/server/store"
)

// Server objects — [MS-OXCROPS] 1.3.1. Every object a ROP creates gets a
// handle in its session's handle map; the handle names it in the handle
// tables of later Execute requests until RopRelease.

// object is a server object.
type object interface {
	// logon is the logon the object belongs to.
	logon() *logonObj
}

// releaser is an object that holds something to free on RopRelease or
// when the session ends (a notification subscription, say).
type releaser interface {
	release()
}

// logonObj is a RopLogon.
type logonObj struct {
	id        uint8
	mb        *store.Mailbox
	owner     bool // the session's user owns the mailbox
	flags     uint8
	openFlags uint32
	user      string // the session user's email
}

func (l *logonObj) logon() *logonObj { return l }

// folderObj is an open folder.
type folderObj struct {
	lg  *logonObj
	fid prop.ID
}

func (f *folderObj) logon() *logonObj { return f.lg }

// messageObj is an open message (its working copy).
type messageObj struct {
	lg       *logonObj
	fid      prop.ID
	msg      *store.Message
	readOnly bool
	// parentAtt is the attachment of an embedded message.
	parentAtt *attachmentObj
}

func (m *messageObj) logon() *logonObj { return m.lg }

// attachmentObj is an open attachment.
type attachmentObj struct {
	lg       *logonObj
	parent   *messageObj
	att      *store.Attachment
	readOnly bool
}

func (a *attachmentObj) logon() *logonObj { return a.lg }

// streamObj is an open property stream.
type streamObj struct {
	lg       *logonObj
	st       *store.Stream
	tag      prop.Tag
	mode     uint8 // OpenModeFlags: 0 read-only, 1 read/write, 2 create
	readOnly bool
}

func (s *streamObj) logon() *logonObj { return s.lg }

// canAccess reports whether the logon's user may use folder fid with the
// given rights: always for the owner, else through the folder's
// permissions ([MS-OXCPERM]). One user never reaches another's objects
// without it.
func (x *execCtx) canAccess(lg *logonObj, fid prop.ID, right uint32) bool {
	if lg.owner {
		return true
	}
	return x.st.CanAccess(lg.mb, fid, lg.user, right)
}
