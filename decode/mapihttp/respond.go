package mapihttp

import (
	"net/http"
	"strconv"
	"time"
)

// Responder writes MAPI/HTTP responses the way [MS-OXCMAPIHTTP] 3.2.5.2
// lays them out: the headers, PROCESSING at once, PENDING every
// PendingPeriod while the work runs, then DONE, the additional headers
// (X-ResponseCode, X-ElapsedTime, X-StartTime), an empty line and the
// body. The built-in server and the mock server both use it.
type Responder struct {
	PendingPeriod     time.Duration // default 15 s
	ServerApplication string        // X-ServerApplication
	ExpirationInfo    time.Duration // X-ExpirationInfo; 0: not sent
	// Now gives X-StartTime (time.Now when nil); FixedElapsed sends
	// X-ElapsedTime 0 (deterministic output).
	Now          func() time.Time
	FixedElapsed bool
}

// Stream answers r with a chunked response of request type rt, setting
// cookies first, and runs work while PENDING keep-alives go out. work
// returns the body and the X-ResponseCode for the additional headers.
func (o Responder) Stream(w http.ResponseWriter, r *http.Request, rt RequestType, cookies []*http.Cookie, work func() ([]byte, ResponseCode)) {
	start := time.Now()
	period := o.PendingPeriod
	if period <= 0 {
		period = 15 * time.Second
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "private")
	h.Set(HeaderRequestType, rt.String())
	h.Set(HeaderRequestID, r.Header.Get(HeaderRequestID))
	if v := r.Header.Get(HeaderClientInfo); v != "" {
		h.Set(HeaderClientInfo, v)
	}
	h.Set(HeaderResponseCode, "0")
	h.Set(HeaderPendingPeriod, strconv.FormatInt(period.Milliseconds(), 10))
	if o.ExpirationInfo > 0 {
		h.Set(HeaderExpirationInfo, strconv.FormatInt(o.ExpirationInfo.Milliseconds(), 10))
	}
	if o.ServerApplication != "" {
		h.Set(HeaderServerApplication, o.ServerApplication)
	}
	for _, c := range cookies {
		h.Add("Set-Cookie", c.String())
	}
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	write := func(b []byte) {
		w.Write(b)
		if fl != nil {
			fl.Flush()
		}
	}
	write(AppendMetaTag(nil, Processing))

	type result struct {
		body []byte
		code ResponseCode
	}
	done := make(chan result, 1)
	go func() {
		b, code := work()
		done <- result{b, code}
	}()
	tick := time.NewTicker(period)
	defer tick.Stop()
	var res result
wait:
	for {
		select {
		case res = <-done:
			break wait
		case <-tick.C:
			write(AppendMetaTag(nil, Pending))
		}
	}
	elapsed := time.Since(start).Milliseconds()
	startTime := start
	if o.Now != nil {
		startTime = o.Now()
	}
	if o.FixedElapsed {
		elapsed = 0
	}
	out := AppendDone(nil, DoneHeaders(res.code, elapsed, startTime.UTC().Format(http.TimeFormat)))
	write(append(out, res.body...))
}
