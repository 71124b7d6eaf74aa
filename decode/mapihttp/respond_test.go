package mapihttp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestResponderStream: a real chunked response with PENDING keep-alives
// while the work runs, then DONE, the additional headers and the body.
func TestResponderStream(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := Responder{PendingPeriod: 20 * time.Millisecond, ServerApplication: "test/1", ExpirationInfo: time.Minute}
		o.Stream(w, r, TypeExecute, []*http.Cookie{{Name: "MapiContext", Value: "abc"}}, func() ([]byte, ResponseCode) {
			time.Sleep(90 * time.Millisecond)
			return []byte{1, 2, 3}, CodeInvalidRequestBody
		})
	}))
	defer hs.Close()
	req, _ := http.NewRequest("POST", hs.URL, nil)
	req.Header.Set(HeaderRequestID, "{x}:7")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get(HeaderRequestID) != "{x}:7" || resp.Header.Get(HeaderRequestType) != "Execute" || resp.Header.Get(HeaderExpirationInfo) != "60000" || len(resp.Cookies()) != 1 {
		t.Errorf("headers %v", resp.Header)
	}
	f, err := ParseResponseBody(body)
	if err != nil {
		t.Fatal(err)
	}
	if f.Pendings() < 2 {
		t.Errorf("%d PENDING, want a keep-alive every 20 ms over 90 ms", f.Pendings())
	}
	if code, _ := f.View().Code(); code != CodeInvalidRequestBody || string(f.Body) != "\x01\x02\x03" {
		t.Errorf("code %v body %q", code, f.Body)
	}
}
