package proxy

import (
	"log/slog"
	"sync"

	"github.com/mapiscope/mapiscope/trace"
)

// recorder hands exchanges to the trace writer in its own goroutine, so
// that forwarding never waits for decoding or SQLite: add only appends to
// a queue.
type recorder struct {
	w   *trace.Writer
	log *slog.Logger
	on  func(*trace.Exchange)

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []item
	closing bool
	done    chan struct{}
	failed  bool
}

func newRecorder(w *trace.Writer, log *slog.Logger, on func(*trace.Exchange)) *recorder {
	r := &recorder{w: w, log: log, on: on, done: make(chan struct{})}
	r.cond = sync.NewCond(&r.mu)
	go r.loop()
	return r
}

// item is an exchange to record, or a flush request.
type item struct {
	ex    *trace.Exchange
	flush chan error
}

func (r *recorder) add(ex *trace.Exchange) {
	r.mu.Lock()
	if !r.closing {
		r.queue = append(r.queue, item{ex: ex})
		r.cond.Signal()
	}
	r.mu.Unlock()
}

// flush waits until everything added so far is stored and committed.
// The writer is used from the recorder's goroutine only.
func (r *recorder) flush() error {
	done := make(chan error, 1)
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		return nil
	}
	r.queue = append(r.queue, item{flush: done})
	r.cond.Signal()
	r.mu.Unlock()
	return <-done
}

func (r *recorder) loop() {
	defer close(r.done)
	for {
		r.mu.Lock()
		for len(r.queue) == 0 && !r.closing {
			r.cond.Wait()
		}
		batch := r.queue
		r.queue = nil
		closing := r.closing
		r.mu.Unlock()
		for _, it := range batch {
			if it.flush != nil {
				var err error
				if r.w != nil {
					err = r.w.Flush()
				}
				it.flush <- err
				continue
			}
			ex := it.ex
			if r.w != nil && !r.failed {
				if _, err := r.w.Add(ex); err != nil {
					r.failed = true
					r.log.Error("recording stopped: the trace cannot be written", "err", err)
				}
			}
			if r.on != nil {
				r.on(ex)
			}
		}
		if closing && len(batch) == 0 {
			return
		}
	}
}

// close records what is queued and flushes the writer.
func (r *recorder) close() error {
	r.mu.Lock()
	r.closing = true
	r.cond.Signal()
	r.mu.Unlock()
	<-r.done
	if r.w != nil {
		return r.w.Flush()
	}
	return nil
}
