package peers_test

import (
	"context"
	"sync"
	"testing"

	"github.com/vigie-edu/vigie/bench/corpus"
	"github.com/vigie-edu/vigie/bench/measure"
	"github.com/vigie-edu/vigie/bench/peers"
)

// benchStream is a 10,000-message stream generated like the compare
// command's (seed 1), built once per test binary.
var benchStream = sync.OnceValues(func() ([]corpus.Message, error) {
	cases, err := corpus.LoadLabelled("../../testdata")
	if err != nil {
		return nil, err
	}
	return corpus.Stream(cases, corpus.StreamConfig{N: 10000, Seed: 1}), nil
})

// BenchmarkFilters runs each compared filter over the stream, one
// message per iteration, and reports messages per second (per core with
// -cpu 1; with more, b.RunParallel shares the messages).
func BenchmarkFilters(b *testing.B) {
	stream, err := benchStream()
	if err != nil {
		b.Fatal(err)
	}
	fs, err := peers.All()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, f := range fs {
		b.Run(f.Name(), func(b *testing.B) {
			for _, m := range stream[:1000] { // warm up (lazily loaded models)
				f.Flags(ctx, m.Text, m.Lang)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := measure.CPUTime()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					m := &stream[i%len(stream)]
					f.Flags(ctx, m.Text, m.Lang)
					i++
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(float64(measure.CPUTime()-cpu0)/float64(b.N), "cpu-ns/msg")
		})
	}
}
