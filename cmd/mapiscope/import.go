package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/mapiscope/mapiscope/capture/har"
	"github.com/mapiscope/mapiscope/capture/jsonl"
	"github.com/mapiscope/mapiscope/capture/pcap"
	"github.com/mapiscope/mapiscope/capture/saz"
	"github.com/mapiscope/mapiscope/trace"
)

// sniff names the format of a capture file from its first bytes.
func sniff(head []byte) string {
	switch {
	case len(head) >= 4 && (bytes.Equal(head[:4], []byte{0xd4, 0xc3, 0xb2, 0xa1}) || bytes.Equal(head[:4], []byte{0xa1, 0xb2, 0xc3, 0xd4}) ||
		bytes.Equal(head[:4], []byte{0x4d, 0x3c, 0xb2, 0xa1}) || bytes.Equal(head[:4], []byte{0xa1, 0xb2, 0x3c, 0x4d})):
		return "pcap"
	case len(head) >= 4 && bytes.Equal(head[:4], []byte{0x0a, 0x0d, 0x0d, 0x0a}):
		return "pcapng"
	case len(head) >= 4 && bytes.Equal(head[:4], []byte("PK\x03\x04")):
		return "saz"
	}
	t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if len(t) > 0 && t[0] == '{' {
		// HAR is one object with "log"; JSON lines put one exchange a line.
		if i := bytes.IndexByte(t, '\n'); i > 0 && bytes.Contains(t[:i], []byte(`"method"`)) && !bytes.Contains(t[:i], []byte(`"log"`)) {
			return "jsonl"
		}
		if bytes.Contains(t, []byte(`"log"`)) {
			return "har"
		}
		return "jsonl"
	}
	return ""
}

func newImportCmd() *cobra.Command {
	var tracePath string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "import FILE... --trace TRACE",
		Short: "Import captures (pcap, pcapng, Fiddler SAZ, HAR, JSON lines) into a trace, decoding every MAPI session",
		Long: `Import capture files into a trace (created if needed), decoding every MAPI
session: pcap and pcapng of plain HTTP (any port; capture the leg behind the TLS
terminator), Fiddler .saz archives, HAR 1.2 files and mapiscope JSON lines. The
format is sniffed from the content. A failed import leaves no half-written
capture behind.`,
		Example: `  mapiscope import customer.pcapng --trace case-1234.mapiscope
  mapiscope import a.saz b.har --trace t.mapiscope`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if tracePath == "" {
				return usageErr("import: --trace FILE is required")
			}
			// Imports keep little live memory (one exchange in flight per
			// stage), so collecting garbage less often is cheap and fast.
			debug.SetGCPercent(400)
			_, statErr := os.Stat(tracePath)
			created := errors.Is(statErr, os.ErrNotExist)
			t, err := trace.Create(tracePath)
			if err != nil {
				if created {
					trace.Remove(tracePath)
				}
				return usageErr("import: %v", err)
			}
			var total int
			for _, file := range args {
				n, err := importFile(cmd.ErrOrStderr(), t, file, quiet)
				if err != nil {
					t.Close()
					if created {
						trace.Remove(tracePath)
					}
					return usageErr("import %s: %v", file, oneLine(err.Error()))
				}
				total += n
			}
			if err := t.Close(); err != nil {
				return err
			}
			if !quiet {
				fmt.Fprintf(cmd.OutOrStdout(), "imported %d exchanges into %s\n", total, tracePath)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&tracePath, "trace", "", "the trace file to create or add to")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress or summary")
	return cmd
}

// countingReader counts bytes for the progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// importFile reads one capture into a new capture of t.
func importFile(stderr io.Writer, t *trace.Trace, file string, quiet bool) (int, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	format := sniff(head)
	if format == "" {
		return 0, fmt.Errorf("not a capture mapiscope reads (pcap, pcapng, saz, har, json lines)")
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	source := format
	if source == "pcapng" {
		source = "pcap"
	}
	abs, _ := filepath.Abs(file)
	w, err := t.NewWriter(source, abs, version)
	if err != nil {
		return 0, err
	}
	cr := &countingReader{r: bufio.NewReaderSize(f, 1<<20)}
	stop := progress(stderr, quiet, file, st.Size(), &cr.n)
	each := func(ex *trace.Exchange) error {
		_, err := w.Add(ex)
		return err
	}
	switch format {
	case "pcap", "pcapng":
		_, err = pcap.Read(cr, pcap.Options{}, each)
	case "saz":
		cr.n.Store(st.Size())
		_, err = saz.Read(f, st.Size(), each)
	case "har":
		_, err = har.Read(cr, each)
	case "jsonl":
		err = jsonl.Read(cr, each)
	}
	stop()
	if err != nil {
		w.Abort(err.Error())
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	return w.Total(), nil
}

// progress draws a progress line on stderr while an import runs, when
// stderr is a terminal; it returns the function that clears it.
func progress(stderr io.Writer, quiet bool, name string, size int64, done *atomic.Int64) func() {
	f, ok := stderr.(*os.File)
	if quiet || !ok {
		return func() {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	stopc := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopc:
				fmt.Fprint(f, "\r\033[K")
				return
			case <-tick.C:
				n := done.Load()
				pct := 0.0
				if size > 0 {
					pct = 100 * float64(n) / float64(size)
				}
				rate := float64(n) / time.Since(start).Seconds() / (1 << 20)
				bar := strings.Repeat("█", int(pct/4)) + strings.Repeat("·", 25-int(pct/4))
				fmt.Fprintf(f, "\r\033[K%s %s %5.1f%% %.1f MB/s", filepath.Base(name), bar, pct, rate)
			}
		}
	}()
	return func() { close(stopc); <-finished }
}
