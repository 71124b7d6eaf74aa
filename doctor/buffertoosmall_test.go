package doctor

import (
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/rop"
	"github.com/mapiscope/mapiscope/internal/mapitest"
)

// tooSmallBatch asks for two properties on the logon and gets
// RopBufferTooSmall; ok answers them instead.
func tooSmallBatch(t *testing.T, tags []prop.Tag, ok bool) *mapitest.Batch {
	t.Helper()
	get := &rop.GetPropertiesSpecificRequest{RequestHeader: mapitest.Req(0x07, 0, 0), PropertySizeLimit: 0, PropertyTags: tags}
	b := &mapitest.Batch{Requests: []rop.Request{get}, ReqHandles: []uint32{0x100}, RespHandles: []uint32{0x100}}
	if ok {
		vals := make([]any, len(tags))
		for i := range vals {
			vals[i] = "x"
		}
		b.Responses = []rop.Response{&rop.GetPropertiesSpecificResponse{ResponseHeader: mapitest.OK(0x07, 0), RowData: prop.Row{Values: vals}}}
		b.Columns = tags
		return b
	}
	rb, err := b.ReqBuffer()
	if err != nil {
		t.Fatal(err)
	}
	b.Responses = []rop.Response{&rop.BufferTooSmallResponse{RopId: 0xFF, SizeNeeded: 40000, RequestBuffers: rb[2 : len(rb)-4]}}
	return b
}

func TestBufferTooSmallLoop(t *testing.T) {
	tags := []prop.Tag{0x3001001F, 0x1000001F}
	tr := newTrace(t, session(t, mapitest.NewConversation(), logonBatch(0, aliceDN, 0x2100040C, logonOK(0)),
		tooSmallBatch(t, tags, false), tooSmallBatch(t, tags, false), tooSmallBatch(t, tags, false))...)
	f := want(t, check(t, tr, "buffer-too-small-loop"), Warning)
	evidenceExists(t, tr, f)
	if len(f.Evidence) != 3 || f.Evidence[0].Rop == 0 {
		t.Errorf("finding: %s", dump([]Finding{f}))
	}
}

func TestBufferTooSmallRecovered(t *testing.T) {
	// Too small once; the client asks for less and gets it.
	tr := newTrace(t, session(t, mapitest.NewConversation(), logonBatch(0, aliceDN, 0x2100040C, logonOK(0)),
		tooSmallBatch(t, []prop.Tag{0x3001001F, 0x1000001F}, false), tooSmallBatch(t, []prop.Tag{0x3001001F}, true))...)
	none(t, check(t, tr, "buffer-too-small-loop"))
	none(t, check(t, realTrace(t), "buffer-too-small-loop"))
}
