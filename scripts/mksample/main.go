// Command mksample writes the sample MAPI session of internal/mapitest
// into a new trace, for manual tries of the TUI and its smoke test:
//
//	go run ./scripts/mksample OUT.mapiscope
package main

import (
	"fmt"
	"os"

	"github.com/mapiscope/mapiscope/internal/mapitest"
	"github.com/mapiscope/mapiscope/trace"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mksample OUT")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "mksample:", err)
		os.Exit(1)
	}
}

func write(path string) error {
	trace.Remove(path)
	exs, err := mapitest.SampleSession(mapitest.NewConversation())
	if err != nil {
		return err
	}
	t, err := trace.Create(path)
	if err != nil {
		return err
	}
	defer t.Close()
	w, err := t.NewWriter("jsonl", "mksample", "dev")
	if err != nil {
		return err
	}
	for _, ex := range exs {
		if _, err := w.Add(ex); err != nil {
			return err
		}
	}
	return w.Close()
}
