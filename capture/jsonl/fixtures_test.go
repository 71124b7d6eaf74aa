package jsonl

import (
	"time"

	"github.com/mapiscope/mapiscope/internal/capturetest"
	"github.com/mapiscope/mapiscope/trace"
)

// The fixtures shared by the capture packages live in internal/capturetest.

var t0 = capturetest.T0

func allBytes() []byte                   { return capturetest.AllBytes() }
func at(ns int64) time.Time              { return capturetest.At(ns) }
func sampleExchanges() []*trace.Exchange { return capturetest.SampleExchanges() }
func diff(a, b *trace.Exchange) []string { return capturetest.Diff(a, b) }
