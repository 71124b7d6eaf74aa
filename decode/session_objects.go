package decode

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
)

func (s *Session) learnName(logon uint8, id uint16, n prop.PropertyName) {
	if id < 0x8000 || n.Kind == prop.KindNone {
		return
	}
	m := s.named[logon]
	if m == nil {
		m = map[uint16]prop.PropertyName{}
		s.named[logon] = m
	}
	m[id] = n
}

// objectKind says what a creating ROP opens.
func objectKind(id uint8, req rop.Request) (Kind, string) {
	switch id {
	case 0xFE:
		return KindLogon, ""
	case 0x02, 0x1C:
		return KindFolder, ""
	case 0x03, 0x06, 0x46, 0x72:
		return KindMessage, ""
	case 0x04:
		return KindTable, "hierarchy table"
	case 0x05:
		return KindTable, "contents table"
	case 0x21:
		return KindTable, "attachment table"
	case 0x3E:
		return KindTable, "permissions table"
	case 0x3F:
		return KindTable, "rules table"
	case 0x22, 0x23:
		return KindAttachment, ""
	case 0x2B, 0x3B:
		return KindStream, ""
	case 0x4B, 0x4C, 0x4D, 0x69, 0x82:
		return KindFastTransferDownload, ""
	case 0x53:
		return KindFastTransferUpload, ""
	case 0x70:
		return KindICSDownload, ""
	case 0x7E:
		return KindICSUpload, ""
	case 0x29:
		return KindSubscription, ""
	}
	return KindUnknown, rop.Name(id)
}

// describeObject fills ids and details from the creating request/response.
func describeObject(o *Object, req rop.Request, resp rop.Response) {
	switch r := req.(type) {
	case *rop.OpenFolderRequest:
		o.FolderId, o.HasFolder = r.FolderId, true
	case *rop.LogonRequest:
		o.Detail = "logon"
		if r.LogonFlags&0x01 != 0 {
			o.Detail = "private mailbox logon"
		} else {
			o.Detail = "public folders logon"
		}
	}
	describeMore(o, req, resp)
}

// learnNames records named-property mappings a ROP reveals.
func (e *sessionEnv) learnNames(req rop.Request, resp rop.Response) {
	learnNamesFrom(e.s, req, resp)
}
