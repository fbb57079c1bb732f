package measure

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vigie-edu/vigie/bench/corpus"
	"github.com/vigie-edu/vigie/bench/peers"
)

// Run is one timed pass of a filter over a stream.
type Run struct {
	Procs   int           // GOMAXPROCS and goroutines during the pass
	Msgs    int           // messages judged
	Flagged int           // messages the filter flagged
	Elapsed time.Duration // wall time of the pass
	CPU     time.Duration // CPU time the process used during the pass (user and system)
	Mallocs uint64        // heap allocations during the pass
	Bytes   uint64        // bytes allocated during the pass
}

// PerSecond is the pass's throughput in messages per second.
func (r Run) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Msgs) / r.Elapsed.Seconds()
}

// PerCPUSecond is the pass's throughput per second of CPU time: on a
// machine shared with other work, it is what the filter would do on a
// core of its own.
func (r Run) PerCPUSecond() float64 {
	if r.CPU <= 0 {
		return 0
	}
	return float64(r.Msgs) / r.CPU.Seconds()
}

// NsPerMsg is the wall time per message, in nanoseconds (on several
// cores, the time per message of the whole, not of one core).
func (r Run) NsPerMsg() float64 { return per(float64(r.Elapsed.Nanoseconds()), r.Msgs) }

// AllocsPerMsg is the number of heap allocations per message.
func (r Run) AllocsPerMsg() float64 { return per(float64(r.Mallocs), r.Msgs) }

// BytesPerMsg is the number of bytes allocated per message.
func (r Run) BytesPerMsg() float64 { return per(float64(r.Bytes), r.Msgs) }

func per(x float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return x / float64(n)
}

// chunk is how many messages a worker takes at a time.
const chunk = 256

// Throughput judges every message of msgs with f once, with GOMAXPROCS
// set to procs and procs goroutines sharing the messages, and returns
// the pass's wall time and allocations. GOMAXPROCS is restored after.
// A cancelled ctx ends the pass early; Msgs then counts the messages
// judged.
func Throughput(ctx context.Context, f peers.Filter, msgs []corpus.Message, procs int) Run {
	if procs < 1 {
		procs = 1
	}
	prev := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(prev)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := CPUTime()

	var next, judged, flagged atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range procs {
		wg.Go(func() {
			var n, fl int64
			for ctx.Err() == nil {
				i := int(next.Add(chunk)) - chunk
				if i >= len(msgs) {
					break
				}
				for _, m := range msgs[i:min(i+chunk, len(msgs))] {
					if f.Flags(ctx, m.Text, m.Lang) {
						fl++
					}
					n++
				}
			}
			judged.Add(n)
			flagged.Add(fl)
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := CPUTime() - cpu0
	runtime.ReadMemStats(&after)
	return Run{
		Procs: procs, Msgs: int(judged.Load()), Flagged: int(flagged.Load()), Elapsed: elapsed, CPU: cpu,
		Mallocs: after.Mallocs - before.Mallocs, Bytes: after.TotalAlloc - before.TotalAlloc,
	}
}

// Median returns the run of median throughput (the lower middle one of
// an even number of runs). It panics on no runs.
func Median(runs []Run) Run {
	if len(runs) == 0 {
		panic("measure.Median: no runs")
	}
	s := append([]Run(nil), runs...)
	sort.Slice(s, func(i, j int) bool { return s[i].PerSecond() < s[j].PerSecond() })
	return s[(len(s)-1)/2]
}

// CPUTime returns the CPU time (user and system) the process has used so
// far, 0 when the system cannot tell.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapObjects is the runtime metric of the bytes held by heap objects,
// live or not yet swept: what the heap holds at a moment.
const heapObjects = "/memory/classes/heap/objects:bytes"

// HeapBytes returns the bytes held by heap objects now. With gc set it
// first collects garbage, so that only live objects are counted.
func HeapBytes(gc bool) uint64 {
	if gc {
		runtime.GC()
	}
	s := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		panic(fmt.Sprintf("measure: metric %s unsupported", heapObjects))
	}
	return s[0].Value.Uint64()
}

// HeapSampler records the largest heap seen while it runs.
type HeapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Uint64
}

// SampleHeap starts sampling the heap every interval (reading a runtime
// metric, which does not stop the world) until Stop.
func SampleHeap(interval time.Duration) *HeapSampler {
	h := &HeapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	h.peak.Store(HeapBytes(false))
	go func() {
		defer close(h.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				if b := HeapBytes(false); b > h.peak.Load() {
					h.peak.Store(b)
				}
			}
		}
	}()
	return h
}

// Stop stops sampling and returns the peak heap in bytes.
func (h *HeapSampler) Stop() uint64 {
	close(h.stop)
	<-h.done
	if b := HeapBytes(false); b > h.peak.Load() {
		h.peak.Store(b)
	}
	return h.peak.Load()
}
