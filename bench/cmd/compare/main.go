// Command compare measures Vigie's classifier against go-away and a
// word-list regular expression on the same messages in one process run,
// and prints the results as Markdown: precision and recall per language
// on the labelled sets, then throughput on one core and on all cores,
// allocations and heap on a generated stream; then, unless turned off,
// Vigie end to end against the fake Discord and the vigie binary's
// memory and start-up.
//
// Usage, from the bench directory:
//
//	go run ./cmd/compare [-n 200000] [-repeat 3] [-seed 1] [-compare=true] [-e2e=true] [-binary=true]
//	    [-profile vigie -cpuprofile cpu.out -memprofile heap.out] [-misses misses.txt] [-out results.md]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/vigie-edu/vigie/bench"
	"github.com/vigie-edu/vigie/bench/corpus"
	"github.com/vigie-edu/vigie/bench/e2e"
	"github.com/vigie-edu/vigie/bench/measure"
	"github.com/vigie-edu/vigie/bench/peers"
	"github.com/vigie-edu/vigie/bench/vigiebin"
)

// options are the command's flags.
type options struct {
	testdata   string
	n          int
	seed       uint64
	repeat     int
	only       string
	profile    string
	cpuprofile string
	memprofile string
	misses     string
	out        string
	compare    bool
	e2e        bool
	e2eN       int
	e2eRate    int
	e2eRepeat  int
	e2eHarmful float64
	binary     bool
	mainDir    string
}

func main() {
	var o options
	flag.StringVar(&o.testdata, "testdata", "../testdata", "the project's testdata `DIR` (devset/, hatesuite/)")
	flag.IntVar(&o.n, "n", 200000, "messages in the generated stream")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the generated stream")
	flag.IntVar(&o.repeat, "repeat", 3, "rounds of timed passes, each filter once a round, per core count (the median is reported)")
	flag.StringVar(&o.only, "filters", "", "comma-separated filters to measure (default: all)")
	flag.StringVar(&o.profile, "profile", "vigie", "the `FILTER` whose one-core passes -cpuprofile and -memprofile profile")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of -profile's first one-core pass to `FILE`")
	flag.StringVar(&o.memprofile, "memprofile", "", "write a heap profile (allocations) of -profile's passes to `FILE`")
	flag.StringVar(&o.misses, "misses", "", "write every labelled case a filter got wrong to `FILE`")
	flag.StringVar(&o.out, "out", "", "also write the Markdown report to `FILE`")
	flag.BoolVar(&o.compare, "compare", true, "compare the filters' accuracy and speed")
	flag.BoolVar(&o.e2e, "e2e", true, "measure Vigie end to end against the fake Discord")
	flag.IntVar(&o.e2eRepeat, "e2e-repeat", 3, "end-to-end runs (the run of median p99 is reported)")
	flag.Float64Var(&o.e2eHarmful, "e2e-harmful", 0, "share of harmful messages in the end-to-end run (0: the stream's own mix)")
	flag.IntVar(&o.e2eN, "e2e-n", 10000, "messages sent in the end-to-end run")
	flag.IntVar(&o.e2eRate, "e2e-rate", 1000, "messages per second sent in the end-to-end run")
	flag.BoolVar(&o.binary, "binary", true, "build the vigie binary and measure `vigie scan` memory and `vigie run` start-up")
	flag.StringVar(&o.mainDir, "vigie", "..", "the Vigie module's `DIR` (for -binary)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// builder builds one compared filter.
type builder struct {
	name  string
	build func() (peers.Filter, error)
}

var builders = []builder{
	{"vigie", func() (peers.Filter, error) { return peers.NewVigie() }},
	{"go-away", func() (peers.Filter, error) { return peers.NewGoAway(), nil }},
	{"regex", func() (peers.Filter, error) { return peers.NewRegex(bench.WordListLanguages...) }},
}

func selected(only string) ([]builder, error) {
	if only == "" {
		return builders, nil
	}
	var out []builder
	for _, name := range strings.Split(only, ",") {
		found := false
		for _, b := range builders {
			if b.name == strings.TrimSpace(name) {
				out = append(out, b)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("-filters: unknown filter %q", name)
		}
	}
	return out, nil
}

func run(ctx context.Context, o options, stdout, logw io.Writer) error {
	if o.repeat < 1 || o.n < 1 || o.e2eRepeat < 1 {
		return errors.New("-repeat, -e2e-repeat and -n must be at least 1")
	}
	bs, err := selected(o.only)
	if err != nil {
		return err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(logw, format+"\n", args...) }
	started := time.Now()
	loadStart := measure.LoadAverage()

	cases, err := corpus.LoadLabelled(o.testdata)
	if err != nil {
		return err
	}
	stream := corpus.Stream(cases, corpus.StreamConfig{N: o.n, Seed: o.seed})
	if stream == nil {
		return errors.New("the labelled sets give no French or English harmful case to generate a stream from")
	}
	logf("%d labelled cases, %d generated messages (seed %d)", len(cases), len(stream), o.seed)

	var missesW io.Writer
	if o.misses != "" {
		f, err := os.Create(o.misses)
		if err != nil {
			return fmt.Errorf("-misses: %w", err)
		}
		defer f.Close()
		missesW = f
	}

	var accs []measure.Accuracy
	var speeds []measure.Speed
	var built []peers.Filter
	for _, b := range bs {
		if !o.compare {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		f, acc, sp, err := prepareFilter(ctx, b, cases, stream, logf, missesW)
		if err != nil {
			return err
		}
		built = append(built, f)
		accs = append(accs, acc)
		speeds = append(speeds, sp)
	}
	if o.compare {
		if err := timePasses(ctx, built, speeds, stream, o, logf); err != nil {
			return err
		}
	}

	var e2eRuns []e2e.Result
	if o.e2e {
		for i := range o.e2eRepeat {
			logf("end to end %d/%d: %d messages at %d/s against the fake Discord…", i+1, o.e2eRepeat, o.e2eN, o.e2eRate)
			r, err := e2e.Run(ctx, e2e.Config{Messages: o.e2eN, Rate: o.e2eRate, Stream: stream, HarmfulShare: o.e2eHarmful})
			if err != nil {
				return fmt.Errorf("end to end: %w", err)
			}
			logf("median %s, p99 %s, %d/%d deleted", r.Quantile(0.5), r.Quantile(0.99), r.Deleted, r.Expected)
			e2eRuns = append(e2eRuns, r)
		}
	}
	var binRes *vigiebin.Result
	if o.binary {
		logf("building vigie and measuring scan and run…")
		r, err := vigiebin.Measure(ctx, vigiebin.Config{ModuleDir: o.mainDir, Stream: stream, Repeat: o.repeat})
		if err != nil {
			return fmt.Errorf("vigie binary: %w", err)
		}
		binRes = &r
	}

	rep := report{
		when: started, machine: measure.ThisMachine(), loadStart: loadStart, loadEnd: measure.LoadAverage(),
		args: os.Args[1:], o: o, cases: cases, stream: stream, accs: accs, speeds: speeds,
		e2e: e2eRuns, bin: binRes,
	}
	var md strings.Builder
	if err := rep.write(&md); err != nil {
		return err
	}
	if _, err := io.WriteString(stdout, md.String()); err != nil {
		return err
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(md.String()), 0o644); err != nil {
			return fmt.Errorf("-out: %w", err)
		}
	}
	return nil
}

// prepareFilter builds one filter and measures what does not need the
// clock: accuracy on the labelled cases, and the heap during a warm-up
// pass on all cores.
func prepareFilter(ctx context.Context, b builder, cases []corpus.Case, stream []corpus.Message,
	logf func(string, ...any), missesW io.Writer) (peers.Filter, measure.Accuracy, measure.Speed, error) {
	base := measure.HeapBytes(true)
	t0 := time.Now()
	f, err := b.build()
	if err != nil {
		return nil, measure.Accuracy{}, measure.Speed{}, err
	}
	sp := measure.Speed{Filter: b.name, About: f.Describe(), Build: time.Since(t0)}

	var wrong []string
	acc := measure.Judge(ctx, f, cases, func(c corpus.Case, flagged bool) {
		what := "missed"
		if flagged {
			what = "false alarm"
		}
		wrong = append(wrong, fmt.Sprintf("%s\t%s\t%s\t%s\t%q", b.name, c.ID, what, c.Expect, c.Text))
	})
	if missesW != nil {
		sort.Strings(wrong)
		for _, w := range wrong {
			fmt.Fprintln(missesW, w)
		}
	}
	for _, lang := range acc.Langs() {
		c := acc.Lang(lang)
		logf("%-8s %s: precision %s recall %s (%d cases)", b.name, lang, measure.Pct(c.Precision()), measure.Pct(c.Recall()), c.Total())
	}

	sampler := measure.SampleHeap(time.Millisecond)
	measure.Throughput(ctx, f, stream, runtime.NumCPU())
	if peak := sampler.Stop(); peak > base {
		sp.Peak = peak - base
	}
	if live := measure.HeapBytes(true); live > base {
		sp.Retained = live - base
	}
	return f, acc, sp, ctx.Err()
}

// timePasses times o.repeat passes of each filter over the stream on one
// core, then on all cores, in rounds: each round runs every filter once,
// so that all of them see the machine in the same state (on a shared VM,
// passes minutes apart can differ by a fifth) and the ratios between
// them hold better than their absolute figures. The median pass of each
// filter goes into speeds. The -profile filter's first one-core pass is
// the one -cpuprofile records.
func timePasses(ctx context.Context, fs []peers.Filter, speeds []measure.Speed, stream []corpus.Message, o options, logf func(string, ...any)) error {
	ones := make([][]measure.Run, len(fs))
	alls := make([][]measure.Run, len(fs))
	for round := 0; round < o.repeat; round++ {
		for i, f := range fs {
			if err := ctx.Err(); err != nil {
				return err
			}
			profiled := round == 0 && o.profile == speeds[i].Filter && o.cpuprofile != ""
			if profiled {
				pf, err := os.Create(o.cpuprofile)
				if err != nil {
					return fmt.Errorf("-cpuprofile: %w", err)
				}
				defer pf.Close()
				if err := pprof.StartCPUProfile(pf); err != nil {
					return fmt.Errorf("-cpuprofile: %w", err)
				}
			}
			r := measure.Throughput(ctx, f, stream, 1)
			if profiled {
				pprof.StopCPUProfile()
			}
			logf("%-8s 1 core:  %s msgs/s, %s msgs per CPU-second (round %d)", speeds[i].Filter, measure.Count(r.PerSecond()), measure.Count(r.PerCPUSecond()), round+1)
			ones[i] = append(ones[i], r)
		}
	}
	for i := range fs {
		if o.profile == speeds[i].Filter && o.memprofile != "" {
			if err := writeHeapProfile(o.memprofile); err != nil {
				return err
			}
		}
	}
	for round := 0; round < o.repeat; round++ {
		for i, f := range fs {
			if err := ctx.Err(); err != nil {
				return err
			}
			r := measure.Throughput(ctx, f, stream, runtime.NumCPU())
			logf("%-8s %d cores: %s msgs/s (round %d)", speeds[i].Filter, r.Procs, measure.Count(r.PerSecond()), round+1)
			alls[i] = append(alls[i], r)
		}
	}
	for i := range fs {
		speeds[i].One, speeds[i].All = measure.Median(ones[i]), measure.Median(alls[i])
		speeds[i].Ones = ones[i]
	}
	return nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("-memprofile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return fmt.Errorf("-memprofile: %w", err)
	}
	return nil
}
