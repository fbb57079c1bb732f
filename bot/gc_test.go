package bot_test

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/vigie-edu/vigie/bot"
)

func TestTuneGC(t *testing.T) {
	prevGC := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(prevGC)
		debug.SetMemoryLimit(prevLimit)
	})
	tests := []struct {
		name      string
		env       map[string]string
		percent   int
		limit     int64
		wantGC    int
		wantLimit int64
	}{
		{"defaults", nil, bot.GCPercent, bot.MemoryLimit, bot.GCPercent, bot.MemoryLimit},
		{"operator's GOGC", map[string]string{"GOGC": "50"}, 0, bot.MemoryLimit, 100, bot.MemoryLimit},
		{"operator's GOMEMLIMIT", map[string]string{"GOMEMLIMIT": "256MiB"}, bot.GCPercent, 0, bot.GCPercent, math.MaxInt64},
		{"both", map[string]string{"GOGC": "off", "GOMEMLIMIT": "2GiB"}, 0, 0, 100, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			percent, limit := bot.TuneGC(func(k string) string { return tt.env[k] })
			if percent != tt.percent || limit != tt.limit {
				t.Errorf("TuneGC = %d, %d; want %d, %d", percent, limit, tt.percent, tt.limit)
			}
			if got := debug.SetGCPercent(100); got != tt.wantGC {
				t.Errorf("GC percent now %d, want %d", got, tt.wantGC)
			}
			if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
				t.Errorf("memory limit now %d, want %d", got, tt.wantLimit)
			}
		})
	}
}
