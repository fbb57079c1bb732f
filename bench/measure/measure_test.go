package measure

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/bench/corpus"
)

func TestCounts(t *testing.T) {
	tests := []struct {
		name       string
		judgements [][2]bool // harmful, flagged
		p, r, f1   float64
	}{
		{"perfect", [][2]bool{{true, true}, {false, false}}, 1, 1, 1},
		{"nothing flagged", [][2]bool{{true, false}, {false, false}}, 1, 0, 0},
		{"all flagged", [][2]bool{{true, true}, {false, true}, {false, true}, {true, true}}, 0.5, 1, 2.0 / 3},
		{"one of each", [][2]bool{{true, true}, {true, false}, {false, true}, {false, false}}, 0.5, 0.5, 0.5},
		{"no harmful", [][2]bool{{false, false}}, 1, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Counts
			for _, j := range tt.judgements {
				c.Add(j[0], j[1])
			}
			if c.Total() != len(tt.judgements) {
				t.Errorf("Total %d, want %d", c.Total(), len(tt.judgements))
			}
			for _, x := range []struct {
				name      string
				got, want float64
			}{{"precision", c.Precision(), tt.p}, {"recall", c.Recall(), tt.r}, {"F1", c.F1(), tt.f1}} {
				if math.Abs(x.got-x.want) > 1e-9 {
					t.Errorf("%s %v, want %v", x.name, x.got, x.want)
				}
			}
		})
	}
}

// wordFilter flags the texts that contain a word.
type wordFilter struct{ word string }

func (wordFilter) Name() string     { return "word" }
func (wordFilter) Describe() string { return "flags a word" }
func (f wordFilter) Flags(_ context.Context, text, _ string) bool {
	return strings.Contains(text, f.word)
}

func TestJudge(t *testing.T) {
	cases := []corpus.Case{
		{ID: "1", Set: "devset", Lang: "fr", Text: "sale con", Expect: "remove"},
		{ID: "2", Set: "devset", Lang: "fr", Text: "bonjour", Expect: "allow"},
		{ID: "3", Set: "hatesuite", Lang: "fr", Text: "con", Expect: "allow"},
		{ID: "4", Set: "devset", Lang: "en", Text: "idiot", Expect: "alert"},
	}
	var wrong []string
	a := Judge(context.Background(), wordFilter{"con"}, cases, func(c corpus.Case, flagged bool) { wrong = append(wrong, c.ID) })
	if got := a.By["fr"]["devset"]; got != (Counts{TP: 1, TN: 1}) {
		t.Errorf("fr devset %+v", got)
	}
	if got := a.By["fr"]["hatesuite"]; got != (Counts{FP: 1}) {
		t.Errorf("fr hatesuite %+v", got)
	}
	if got := a.Lang("en"); got != (Counts{FN: 1}) {
		t.Errorf("en %+v", got)
	}
	if got := strings.Join(wrong, ","); got != "3,4" {
		t.Errorf("wrong cases %s, want 3,4", got)
	}
	if got := strings.Join(a.Langs(), ","); got != "en,fr" {
		t.Errorf("Langs %s", got)
	}
	var b strings.Builder
	if err := AccuracyTable(&b, []Accuracy{a}, []string{"devset", "hatesuite"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| filter | lang | devset P | devset R | hatesuite P | hatesuite R |",
		"| word | en | 100.0 % | 0.0 % | – | – | 100.0 % | 0.0 % | 0.0 % | 0 | 0 | 1 | 0 |",
		"| word | fr | 100.0 % | 100.0 % | 0.0 % | 100.0 % | 50.0 % | 100.0 % | 66.7 % | 1 | 1 | 0 | 1 |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("accuracy table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestThroughput(t *testing.T) {
	msgs := make([]corpus.Message, 1000)
	for i := range msgs {
		msgs[i] = corpus.Message{Text: "ok", Lang: "fr"}
		if i%10 == 0 {
			msgs[i].Text = "sale con"
		}
	}
	for _, procs := range []int{1, 2, 3} {
		r := Throughput(context.Background(), wordFilter{"con"}, msgs, procs)
		if r.Msgs != len(msgs) || r.Flagged != 100 || r.Procs != procs {
			t.Errorf("procs %d: %+v, want %d messages, 100 flagged", procs, r, len(msgs))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := Throughput(ctx, wordFilter{"con"}, msgs, 1); r.Msgs != 0 {
		t.Errorf("a cancelled pass judged %d messages", r.Msgs)
	}
}

func TestRunRates(t *testing.T) {
	r := Run{Msgs: 1000, Elapsed: 2 * time.Second, CPU: time.Second, Mallocs: 3000, Bytes: 64000}
	if r.PerSecond() != 500 || r.PerCPUSecond() != 1000 || r.NsPerMsg() != 2e6 || r.AllocsPerMsg() != 3 || r.BytesPerMsg() != 64 {
		t.Errorf("rates of %+v: %v %v %v %v %v", r, r.PerSecond(), r.PerCPUSecond(), r.NsPerMsg(), r.AllocsPerMsg(), r.BytesPerMsg())
	}
	if (Run{}).PerSecond() != 0 || (Run{}).PerCPUSecond() != 0 || (Run{}).NsPerMsg() != 0 {
		t.Error("an empty run has rates")
	}
}

func TestMedian(t *testing.T) {
	runs := []Run{
		{Msgs: 10, Elapsed: 3 * time.Second},
		{Msgs: 10, Elapsed: time.Second},
		{Msgs: 10, Elapsed: 2 * time.Second},
	}
	if got := Median(runs); got.Elapsed != 2*time.Second {
		t.Errorf("median %v, want the 2 s run", got.Elapsed)
	}
	if got := Median(runs[:2]); got.Elapsed != 3*time.Second {
		t.Errorf("median of two %v, want the slower (lower middle)", got.Elapsed)
	}
}

func TestSpeedTable(t *testing.T) {
	speeds := []Speed{
		{Filter: "vigie", One: Run{Procs: 1, Msgs: 300, Flagged: 15, Elapsed: time.Second, CPU: time.Second}, All: Run{Procs: 2, Msgs: 500, Elapsed: time.Second}},
		{Filter: "go-away", One: Run{Procs: 1, Msgs: 100, Elapsed: time.Second, CPU: time.Second}, All: Run{Procs: 2, Msgs: 150, Elapsed: time.Second}},
	}
	var b strings.Builder
	if err := SpeedTable(&b, speeds, "go-away"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"msgs/s, 2 cores", "| vigie | 300 (3.00× go-away) | 300 (3.00×) | 500 |", "| 5.00 % |", "| go-away | 100 | 100 | 150 |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("speed table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestFormats(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 999: "999", 1000: "1 000", 123456.4: "123 456", 1234567: "1 234 567"} {
		if got := Count(x); got != want {
			t.Errorf("Count(%v) = %q, want %q", x, got, want)
		}
	}
	for n, want := range map[uint64]string{512: "512 B", 2048: "2.0 KiB", 3 << 20: "3.0 MiB", 5 << 30: "5.0 GiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
	if got := Pct(0.1234); got != "12.3 %" {
		t.Errorf("Pct = %q", got)
	}
}

func TestCPUModel(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"
	if got := cpuModel([]byte(info)); got != "AMD EPYC 7B13" {
		t.Errorf("cpuModel = %q", got)
	}
	if got := cpuModel(nil); got != "" {
		t.Errorf("cpuModel(nil) = %q", got)
	}
	if m := ThisMachine(); m.Cores < 1 || m.Go == "" || !strings.Contains(m.String(), "cores") {
		t.Errorf("ThisMachine() = %+v", m)
	}
}

func TestHeap(t *testing.T) {
	if HeapBytes(true) == 0 {
		t.Fatal("no heap")
	}
	h := SampleHeap(time.Millisecond)
	keep := make([]byte, 8<<20)
	for i := range keep {
		keep[i] = byte(i)
	}
	time.Sleep(5 * time.Millisecond)
	if peak := h.Stop(); peak < uint64(len(keep)) {
		t.Errorf("peak %d below the %d bytes held", peak, len(keep))
	}
	_ = keep[len(keep)-1]
}
