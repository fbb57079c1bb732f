package bot_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/bot"
)

// BenchmarkHandle measures one message through the bot on the default
// rules: benign chat (the common case: classify, nothing else) and
// insults (incident recorded, deletion, notices, grouped alerts).
func BenchmarkHandle(b *testing.B) {
	for _, bc := range []struct{ name, text string }{
		{"benign", "bonjour, quelqu'un a fait l'exercice 3 pour demain ? merci d'avance"},
		{"insult", "t'es qu'un gros connard"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEnv(b, withDefaults(b, "fr"))
			ctx := context.Background()
			m := e.message(bc.text)
			ev := bot.Event{Kind: bot.MessageCreated, Platform: bot.Discord, Message: m}
			b.ResetTimer()
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				m.Ref.ID = "b" + strconv.Itoa(i)
				if _, err := e.bot.Handle(ctx, e.ad, ev); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}

// BenchmarkRun measures the queued pipeline: an adapter hands benign
// messages to Run, whose workers judge them.
func BenchmarkRun(b *testing.B) {
	e := newEnv(b, withDefaults(b, "fr"), func(o *bot.Options, _ *bot.Snapshot) { o.QueueSize = 1024 })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.bot.Run(ctx, e.ad) }()
	m := e.message("bonjour, quelqu'un a fait l'exercice 3 pour demain ? merci d'avance")
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if err := e.ad.Send(ctx, bot.Event{Kind: bot.MessageCreated, Platform: bot.Discord, Message: m}); err != nil {
			b.Fatal(err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
