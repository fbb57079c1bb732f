package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/bench/corpus"
)

func TestQuantile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		var out []time.Duration
		for _, x := range n {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		d    []time.Duration
		q    float64
		want time.Duration
	}{
		{nil, 0.5, 0},
		{ms(7), 0.99, 7 * time.Millisecond},
		{ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 1, 4 * time.Millisecond},
		{ms(1, 2, 3, 4), 0, time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.9, 9 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := Quantile(tt.d, tt.q); got != tt.want {
			t.Errorf("Quantile(%v, %v) = %v, want %v", tt.d, tt.q, got, tt.want)
		}
	}
}

func TestPickMessages(t *testing.T) {
	stream := []corpus.Message{{Text: "a"}, {Text: "b", Harmful: true}, {Text: "c"}}
	got := pickMessages(Config{Messages: 5, Stream: stream})
	if len(got) != 5 || got[3].Text != "a" {
		t.Errorf("cycling the stream: %+v", got)
	}
	got = pickMessages(Config{Messages: 3000, Stream: stream, HarmfulShare: 1.0 / 3})
	n := 0
	for _, m := range got {
		if m.Harmful {
			n++
		}
	}
	if n < 900 || n > 1100 {
		t.Errorf("%d harmful of 3000, want about 1000", n)
	}
	if pickMessages(Config{Messages: 3}) != nil {
		t.Error("messages from no stream")
	}
}

// TestRun runs a short end-to-end pass: every message the classifier
// removes is deleted by the real bot through the real adapter, and each
// deletion has a latency.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a fake Discord and the bot")
	}
	cases, err := corpus.LoadLabelled("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	stream := corpus.Stream(cases, corpus.StreamConfig{N: 1000, Seed: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := Run(ctx, Config{Messages: 150, Rate: 500, Stream: stream, HarmfulShare: 1.0 / 3, Channels: 3, Students: 10, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 150 {
		t.Errorf("sent %d, want 150", r.Sent)
	}
	if r.Expected == 0 {
		t.Fatal("no message to remove among 150 with a third harmful")
	}
	if r.Deleted != r.Expected {
		t.Errorf("deleted %d of the %d messages to remove", r.Deleted, r.Expected)
	}
	if len(r.Latencies) < r.Deleted || !slices.IsSorted(r.Latencies) || r.Latencies[0] <= 0 {
		t.Errorf("latencies %v for %d deletions", r.Latencies, r.Deleted)
	}
	// The dispatch is written after SendMessage is called: every latency
	// from the send is at least the one from the dispatch.
	if len(r.FromSend) != len(r.Latencies) || !slices.IsSorted(r.FromSend) {
		t.Fatalf("%d latencies from the send, %d from the dispatch", len(r.FromSend), len(r.Latencies))
	}
	for i := range r.Latencies {
		if r.FromSend[i] < r.Latencies[i] {
			t.Errorf("latency %d: %v from the send, less than %v from the dispatch", i, r.FromSend[i], r.Latencies[i])
		}
	}
}
