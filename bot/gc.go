package bot

import (
	"runtime/debug"
	"strings"
)

// GCPercent is the garbage collector's target percentage that TuneGC
// sets: a bot's live heap is small (tens of megabytes: rules, language
// models, caches) and most of what it allocates is short-lived decoding
// of platform events, so collecting a quarter as often costs little
// memory and removes most of the pauses that otherwise land on a
// deletion (measured: end-to-end p99 at 1,000 messages/s from 4.5 ms to
// 2.7 ms; bench/README.md).
const GCPercent = 400

// MemoryLimit is the soft memory limit that TuneGC sets with GCPercent,
// so that the larger target never lets the heap grow past it: the
// collector works harder near the limit instead.
const MemoryLimit = 1 << 30

// TuneGC sets GCPercent and MemoryLimit for a long-running bot, unless
// the operator chose otherwise with the GOGC or GOMEMLIMIT variables
// (read with getenv), which it then leaves alone. It reports what it
// set: the percentage (0 when GOGC was set) and the limit in bytes (0
// when GOMEMLIMIT was set).
func TuneGC(getenv func(string) string) (percent int, limit int64) {
	if strings.TrimSpace(getenv("GOGC")) == "" {
		debug.SetGCPercent(GCPercent)
		percent = GCPercent
	}
	if strings.TrimSpace(getenv("GOMEMLIMIT")) == "" {
		debug.SetMemoryLimit(MemoryLimit)
		limit = MemoryLimit
	}
	return percent, limit
}
