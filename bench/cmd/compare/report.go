package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/vigie-edu/vigie/bench/corpus"
	"github.com/vigie-edu/vigie/bench/e2e"
	"github.com/vigie-edu/vigie/bench/measure"
	"github.com/vigie-edu/vigie/bench/vigiebin"
)

// report is everything the command prints.
type report struct {
	when               time.Time
	machine            measure.Machine
	loadStart, loadEnd string
	args               []string
	o                  options
	cases              []corpus.Case
	stream             []corpus.Message
	accs               []measure.Accuracy
	speeds             []measure.Speed
	e2e                []e2e.Result
	bin                *vigiebin.Result
}

func (r *report) write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s on %s; load average %s at the start, %s at the end.\n",
		r.when.UTC().Format("2006-01-02 15:04 MST"), r.machine, r.loadStart, r.loadEnd)
	fmt.Fprintf(&b, "Command: `cd bench && go run ./cmd/compare%s`.\n\n", argString(r.args))

	if len(r.accs) > 0 {
		if err := r.writeComparison(&b); err != nil {
			return err
		}
	}
	if len(r.e2e) > 0 {
		r.writeE2E(&b)
	}
	if r.bin != nil {
		r.writeBinary(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeComparison writes the accuracy and speed tables.
func (r *report) writeComparison(b *strings.Builder) error {
	fmt.Fprintf(b, "### Accuracy on the labelled sets\n\n")
	sets := setsOf(r.cases)
	counts := map[string]int{}
	for _, c := range r.cases {
		counts[c.Set+"/"+c.Lang]++
	}
	var parts []string
	for _, s := range sets {
		for _, l := range corpus.Languages(r.cases) {
			if n := counts[s+"/"+l]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %s: %d", s, l, n))
			}
		}
	}
	fmt.Fprintf(b, "%d cases (%s). A filter flags a message when it would remove it or alert; a case is harmful when it expects remove or alert. P = precision, R = recall.\n\n",
		len(r.cases), strings.Join(parts, ", "))
	if err := measure.AccuracyTable(b, r.accs, sets); err != nil {
		return err
	}

	harmful, links := 0, 0
	for _, m := range r.stream {
		if m.Harmful {
			harmful++
		}
		if m.Link {
			links++
		}
	}
	fmt.Fprintf(b, "\n### Speed on the generated stream\n\n")
	fmt.Fprintf(b, "%s messages generated with seed %d (%.1f %% built around a harmful case, %.1f %% with a link, 20–300 characters, French and English). "+
		"Median of %d passes over the whole stream per filter and core count, in rounds that run each filter once; allocations and B/msg from the one-core passes; "+
		"peak heap sampled every millisecond during a warm-up pass on all cores, above the heap before the filter was built; "+
		"retained heap: what the built filter holds after that pass; flagged: share of the stream the filter flags.\n\n",
		measure.Count(float64(len(r.stream))), r.o.seed, 100*float64(harmful)/float64(max(len(r.stream), 1)),
		100*float64(links)/float64(max(len(r.stream), 1)), r.o.repeat)
	if err := measure.SpeedTable(b, r.speeds, "go-away"); err != nil {
		return err
	}
	if line := roundRatios(r.speeds, "vigie", "go-away"); line != "" {
		b.WriteString("\n" + line + "\n")
	}
	b.WriteString("\nFilters:\n\n")
	for _, s := range r.speeds {
		fmt.Fprintf(b, "- **%s**: %s\n", s.Filter, s.About)
	}
	return nil
}

// roundRatios describes filter a's one-core throughput over b's, round
// by round (both ran in the same round, a moment apart), or "" when
// either was not measured.
func roundRatios(speeds []measure.Speed, a, b string) string {
	var sa, sb *measure.Speed
	for i := range speeds {
		switch speeds[i].Filter {
		case a:
			sa = &speeds[i]
		case b:
			sb = &speeds[i]
		}
	}
	if sa == nil || sb == nil || len(sa.Ones) == 0 || len(sa.Ones) != len(sb.Ones) {
		return ""
	}
	var parts []string
	for i := range sa.Ones {
		if x := sb.Ones[i].PerSecond(); x > 0 {
			parts = append(parts, fmt.Sprintf("%.2f×", sa.Ones[i].PerSecond()/x))
		}
	}
	return fmt.Sprintf("%s ÷ %s on one core, round by round: %s.", a, b, strings.Join(parts, ", "))
}

// writeE2E writes the end-to-end latencies.
func (r *report) writeE2E(b *strings.Builder) {
	runs := slices.Clone(r.e2e)
	slices.SortFunc(runs, func(a, b e2e.Result) int { return int(a.Quantile(0.99) - b.Quantile(0.99)) })
	e := runs[(len(runs)-1)/2]
	var p99s []string
	for _, x := range r.e2e {
		p99s = append(p99s, ms(x.Quantile(0.99)))
	}
	mix := "the stream's mix"
	if r.o.e2eHarmful > 0 {
		mix = fmt.Sprintf("%.0f %% harmful", 100*r.o.e2eHarmful)
	}
	fmt.Fprintf(b, "\n### End to end (fake Discord)\n\n")
	fmt.Fprintf(b, "%d messages (%s) sent at %d/s (achieved %.0f/s) by %d students over %d channels of one server; real Discord adapter, bot, policy and SQLite incident store, default rules. "+
		"Latency from the MESSAGE_CREATE dispatch to the DELETE request reaching the fake, for the %d messages Vigie removed (%d expected). "+
		"Run of median p99 among %d (p99 of each: %s). Garbage collector as in `vigie run`: %s.\n\n",
		e.Sent, mix, e.Rate, e.SendRate(), e.Students, e.Channels, len(e.Latencies), e.Expected, len(r.e2e), strings.Join(p99s, ", "), gcSettings(e))
	b.WriteString("| median | p90 | p99 | max |\n| ---: | ---: | ---: | ---: |\n")
	fmt.Fprintf(b, "| %s | %s | %s | %s |\n", ms(e.Quantile(0.5)), ms(e.Quantile(0.9)), ms(e.Quantile(0.99)), ms(e.Quantile(1)))
}

// gcSettings describes the collector's settings of an end-to-end run.
func gcSettings(e e2e.Result) string {
	gc := "GOGC from the environment"
	if e.GCPercent > 0 {
		gc = fmt.Sprintf("GOGC=%d", e.GCPercent)
	}
	limit := "GOMEMLIMIT from the environment"
	if e.MemoryLimit > 0 {
		limit = fmt.Sprintf("GOMEMLIMIT=%d MiB", e.MemoryLimit>>20)
	}
	return gc + ", " + limit
}

// writeBinary writes the vigie binary's memory and start-up.
func (r *report) writeBinary(b *strings.Builder) {
	s, st := r.bin.MedianScan(), r.bin.MedianStartup()
	fmt.Fprintf(b, "\n### The vigie binary\n\n")
	b.WriteString("| measurement | median | runs |\n| --- | ---: | --- |\n")
	var rss, walls, logs, conns, readyz []string
	for _, x := range r.bin.Scans {
		rss = append(rss, measure.Bytes(x.MaxRSS))
		walls = append(walls, x.Wall.Round(10*time.Millisecond).String())
	}
	for _, x := range r.bin.Startups {
		logs = append(logs, ms(x.LogReady))
		conns = append(conns, ms(x.Connected))
		readyz = append(readyz, ms(x.Readyz))
	}
	fmt.Fprintf(b, "| `vigie scan --input jsonl` peak RSS, %s messages through a pipe | %s | %s |\n", measure.Count(float64(r.bin.Messages)), measure.Bytes(s.MaxRSS), strings.Join(rss, ", "))
	fmt.Fprintf(b, "| `vigie scan` wall time (%s msgs/s) | %s | %s |\n", measure.Count(float64(r.bin.Messages)/s.Wall.Seconds()), s.Wall.Round(10*time.Millisecond), strings.Join(walls, ", "))
	fmt.Fprintf(b, "| `vigie run` start to the %q log line | %s | %s |\n", "Vigie running", ms(st.LogReady), strings.Join(logs, ", "))
	fmt.Fprintf(b, "| `vigie run` start to connected to the (fake) Discord gateway, commands registered | %s | %s |\n", ms(st.Connected), strings.Join(conns, ", "))
	if st.Readyz > 0 {
		fmt.Fprintf(b, "| `vigie run` start to `/readyz` 200 | %s | %s |\n", ms(st.Readyz), strings.Join(readyz, ", "))
	} else {
		b.WriteString("| `vigie run` start to `/readyz` 200 | – | no /readyz answered on 127.0.0.1:8080 |\n")
	}
}

// setsOf returns the labelled sets present, in corpus.Sets order.
func setsOf(cases []corpus.Case) []string {
	present := map[string]bool{}
	for _, c := range cases {
		present[c.Set] = true
	}
	var out []string
	for _, s := range corpus.Sets {
		if present[s] {
			out = append(out, s)
		}
	}
	return out
}

func argString(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return " " + strings.Join(args, " ")
}

// ms formats a duration in milliseconds with two decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
