// Command genpcap writes a realistic capture of MAPI/HTTP traffic (the
// plain-HTTP leg between nginx and the backend) for benchmarks:
//
//	go run ./scripts/genpcap -size 1GiB -o /tmp/mapi.pcap
//
// Many concurrent Outlook sessions each carry Connect, a logon Execute,
// table reads, property reads and FastTransfer GetBuffer runs, and
// Disconnect, with chunked responses streaming PROCESSING / PENDING / DONE.
// The file is written as it is generated (memory stays small).
//
// With -read FILE it instead imports FILE with capture/pcap and prints
// what it found, for timing the importer alone (scripts/bench-import.sh).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mapiscope/mapiscope/capture/pcap"
	"github.com/mapiscope/mapiscope/capture/pcap/synth"
	"github.com/mapiscope/mapiscope/trace"
)

func main() {
	size := flag.String("size", "64MiB", "size of the capture to write (B, KiB, MiB, GiB, KB, MB, GB)")
	out := flag.String("o", "", "output file (required unless -read)")
	format := flag.String("format", "pcap", "pcap or pcapng")
	seed := flag.Uint64("seed", 1, "random seed")
	sessions := flag.Int("sessions", 16, "concurrent sessions")
	read := flag.String("read", "", "import this capture with capture/pcap and print a summary instead")
	flag.Parse()
	if *read != "" {
		if err := readFile(*read); err != nil {
			fmt.Fprintln(os.Stderr, "genpcap:", err)
			os.Exit(1)
		}
		return
	}
	if err := generate(*size, *out, *format, *seed, *sessions); err != nil {
		fmt.Fprintln(os.Stderr, "genpcap:", err)
		os.Exit(1)
	}
}

func generate(sizeText, out, format string, seed uint64, sessions int) error {
	if out == "" {
		return fmt.Errorf("-o FILE is required")
	}
	size, err := parseSize(sizeText)
	if err != nil {
		return err
	}
	cfg := synth.Config{Size: size, Seed: seed, Sessions: sessions}
	switch format {
	case "pcap":
		cfg.Format = pcap.FormatPcap
	case "pcapng":
		cfg.Format = pcap.FormatPcapNG
	default:
		return fmt.Errorf("-format %q: want pcap or pcapng", format)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := synth.Generate(f, cfg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d bytes, %d packets, %d connections, %d exchanges (%.1fs)\n",
		out, sum.Bytes, sum.Packets, sum.Connections, sum.Exchanges, time.Since(start).Seconds())
	return nil
}

func readFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	var body int64
	st, err := pcap.Read(bufio.NewReaderSize(f, 1<<20), pcap.Options{}, func(e *trace.Exchange) error {
		body += int64(len(e.ReqBody) + len(e.RespBody))
		return nil
	})
	el := time.Since(start)
	fmt.Printf("%s: %d packets, %d bytes, %d connections, %d exchanges (%d partial), %d body bytes in %.2fs: %.0f MB/s\n",
		name, st.Packets, st.Bytes, st.Connections, st.Exchanges, st.Partial, body, el.Seconds(), float64(st.Bytes)/1e6/el.Seconds())
	for _, w := range st.Warnings {
		fmt.Println("warning:", w)
	}
	return err
}

// parseSize reads "1GiB", "64MiB", "500MB", "1024".
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), 64)
			if err != nil || v <= 0 {
				return 0, fmt.Errorf("bad size %q", s)
			}
			return int64(v * float64(u.mult)), nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return v, nil
}
