package decode

import (
	"github.com/mapiscope/mapiscope/decode/rop"
)

// learnNamesFrom records the named-property ids a ROP maps to names:
// RopGetPropertyIdsFromNames (names in the request, ids in the response),
// RopGetNamesFromPropertyIds (the reverse) and RopQueryNamedProperties
// (both in the response).
func learnNamesFrom(s *Session, req rop.Request, resp rop.Response) {
	logon := req.Header().LogonId
	switch r := req.(type) {
	case *rop.GetPropertyIdsFromNamesRequest:
		if a, ok := resp.(*rop.GetPropertyIdsFromNamesResponse); ok {
			for i, id := range a.PropertyIds {
				if i < len(r.PropertyNames) && id != 0 {
					s.learnName(logon, id, r.PropertyNames[i])
				}
			}
		}
	case *rop.GetNamesFromPropertyIdsRequest:
		if a, ok := resp.(*rop.GetNamesFromPropertyIdsResponse); ok {
			for i, n := range a.PropertyNames {
				if i < len(r.PropertyIds) {
					s.learnName(logon, r.PropertyIds[i], n)
				}
			}
		}
	case *rop.QueryNamedPropertiesRequest:
		if a, ok := resp.(*rop.QueryNamedPropertiesResponse); ok {
			for i, id := range a.PropertyIds {
				if i < len(a.PropertyNames) {
					s.learnName(logon, id, a.PropertyNames[i])
				}
			}
		}
	}
}

// describeMore fills in what the creating ROPs of every family say about
// the object they open. A message keeps its recipient columns in Columns
// (RopReadRecipients rows decode against them).
func describeMore(o *Object, req rop.Request, resp rop.Response) {
	switch r := req.(type) {
	case *rop.OpenStreamRequest:
		o.PropertyTag = r.PropertyTag
	case *rop.OpenMessageRequest:
		o.MessageId, o.HasMessage = r.MessageId, true
		o.FolderId, o.HasFolder = r.FolderId, true
	case *rop.CreateMessageRequest:
		o.FolderId, o.HasFolder = r.FolderId, true
		o.Detail = "new message"
	case *rop.GetContentsTableRequest:
		if r.TableFlags&0x02 != 0 {
			o.Detail = "associated contents table"
		}
	}
	switch a := resp.(type) {
	case *rop.OpenMessageResponse:
		o.Columns, o.HasColumns = a.RecipientColumns, true
	case *rop.OpenEmbeddedMessageResponse:
		o.Columns, o.HasColumns = a.RecipientColumns, true
		o.MessageId, o.HasMessage = a.MessageId, a.MessageId != 0
		o.Detail = "embedded message"
	case *rop.CreateMessageResponse:
		if a.HasMessageId {
			o.MessageId, o.HasMessage = a.MessageId, true
		}
	case *rop.CreateFolderResponse:
		o.FolderId, o.HasFolder = a.FolderId, true
	}
}

// learnColumns keeps the column sets that ROPs other than RopSetColumns
// establish: a message's recipient columns.
func learnColumns(in *Object, req rop.Request, resp rop.Response) {
	if in == nil {
		return
	}
	switch a := resp.(type) {
	case *rop.ReloadCachedInformationResponse:
		in.Columns, in.HasColumns = a.RecipientColumns, true
	}
	if r, ok := req.(*rop.ModifyRecipientsRequest); ok && in.Kind == KindMessage {
		in.Columns, in.HasColumns = r.RecipientColumns, true
	}
}
