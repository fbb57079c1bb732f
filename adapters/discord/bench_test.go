package discord

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/bot"
)

// BenchmarkGatewayToEvents measures the adapter alone: messages
// dispatched by the fake gateway, decoded by discordgo and translated
// into bot.Events.
func BenchmarkGatewayToEvents(b *testing.B) {
	h := StartHarness(b, World, nil)
	b.ResetTimer()
	start := time.Now()
	go func() {
		for i := range b.N {
			h.Fake.SendMessage(GuildA, ChanGen, Alice, fmt.Sprintf("bonjour <@%s>, on révise ? %d", Bob, i))
		}
	}()
	for range b.N {
		if ev := h.Next(bot.MessageCreated); ev.Message == nil {
			b.Fatal("no message")
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkRender measures the rendering of an alert whose evidence must
// be cut to fit Discord's limit.
func BenchmarkRender(b *testing.B) {
	m := bot.OutMessage{Title: "Alerte", Body: "corps", Evidence: strings.Repeat("insulte *x* ", 500), Hidden: true, Footer: "**3018**"}
	n := 0
	start := time.Now()
	for b.Loop() {
		Render(m)
		n++
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
}
