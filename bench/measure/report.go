package measure

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Speed is what was measured of one filter on a stream.
type Speed struct {
	Filter   string
	About    string        // what the filter is (peers.Filter.Describe)
	Build    time.Duration // time to build (compile) the filter
	Retained uint64        // live heap the built, warmed-up filter holds, in bytes
	Peak     uint64        // peak heap above the pre-build baseline during a pass on all cores, in bytes
	One      Run           // median pass on one core
	All      Run           // median pass on all cores
	Ones     []Run         // the passes on one core, one a round, in order
}

// SpeedTable writes speeds as a Markdown table. Ratio is computed
// against the filter named base (none when empty or absent).
func SpeedTable(w io.Writer, speeds []Speed, base string) error {
	var baseOne, baseCPU float64
	for _, s := range speeds {
		if s.Filter == base {
			baseOne, baseCPU = s.One.PerSecond(), s.One.PerCPUSecond()
		}
	}
	var b strings.Builder
	cores := 0
	for _, s := range speeds {
		cores = max(cores, s.All.Procs)
	}
	fmt.Fprintf(&b, "| filter | msgs/s, 1 core | msgs per CPU-second, 1 core | msgs/s, %d cores | ns/msg (1 core) | allocs/msg | B/msg | peak heap | retained heap | build | flagged |\n", cores)
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, s := range speeds {
		ratio, ratioCPU := "", ""
		if baseOne > 0 && s.Filter != base {
			ratio = fmt.Sprintf(" (%.2f× %s)", s.One.PerSecond()/baseOne, base)
		}
		if baseCPU > 0 && s.Filter != base {
			ratioCPU = fmt.Sprintf(" (%.2f×)", s.One.PerCPUSecond()/baseCPU)
		}
		fmt.Fprintf(&b, "| %s | %s%s | %s%s | %s | %s | %.1f | %s | %s | %s | %s | %.2f %% |\n",
			s.Filter, Count(s.One.PerSecond()), ratio, Count(s.One.PerCPUSecond()), ratioCPU, Count(s.All.PerSecond()), Count(s.One.NsPerMsg()),
			s.One.AllocsPerMsg(), Count(s.One.BytesPerMsg()), Bytes(s.Peak), Bytes(s.Retained),
			s.Build.Round(time.Millisecond), 100*float64(s.One.Flagged)/float64(max(s.One.Msgs, 1)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// AccuracyTable writes, for each filter and language, precision and
// recall on each labelled set and on all of them, as a Markdown table.
func AccuracyTable(w io.Writer, accs []Accuracy, sets []string) error {
	var b strings.Builder
	b.WriteString("| filter | lang |")
	for _, s := range sets {
		fmt.Fprintf(&b, " %s P | %s R |", s, s)
	}
	b.WriteString(" all P | all R | all F1 | TP | FP | FN | TN |\n|---|---|")
	for range sets {
		b.WriteString("---:|---:|")
	}
	b.WriteString("---:|---:|---:|---:|---:|---:|---:|\n")
	for _, a := range accs {
		for _, lang := range a.Langs() {
			fmt.Fprintf(&b, "| %s | %s |", a.Filter, lang)
			for _, s := range sets {
				c, ok := a.By[lang][s]
				if !ok {
					b.WriteString(" – | – |")
					continue
				}
				fmt.Fprintf(&b, " %s | %s |", Pct(c.Precision()), Pct(c.Recall()))
			}
			c := a.Lang(lang)
			fmt.Fprintf(&b, " %s | %s | %s | %d | %d | %d | %d |\n", Pct(c.Precision()), Pct(c.Recall()), Pct(c.F1()), c.TP, c.FP, c.FN, c.TN)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Pct formats a ratio as a percentage with one decimal.
func Pct(x float64) string { return fmt.Sprintf("%.1f %%", 100*x) }

// Count formats a number with thin groups of three digits ("123 456").
func Count(x float64) string {
	n := int64(x + 0.5)
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(" ")
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Bytes formats a byte count in binary units.
func Bytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
