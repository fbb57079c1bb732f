package mattermost

import (
	"strings"
	"testing"

	"github.com/vigie-edu/vigie/bot"
)

// BenchmarkRender renders a typical alert (msgs/s: alerts rendered per
// second).
func BenchmarkRender(b *testing.B) {
	msg := bot.OutMessage{
		Title:    "Vigie — insulte dans 4e B",
		Body:     "**Classe :** 4e B — **salon :** classe-4b\n**Élève :** Alice (id u1)\n**Ce que Vigie a fait :**\n• ✔ message supprimé\nIncident n° inc_01HV7Z9K3M4N5P6Q7R8S9T0V1W",
		Evidence: "@bob t'es qu'un gros `connard`, regarde https://example.org\net ça aussi",
		Footer:   "**3018** — gratuit, anonyme et confidentiel — https://3018.fr",
		Link:     "https://chat.example.org/college/pl/abcdefghijklmnopqrstuvwxyz",
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Render(msg)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkExtractMentions scans a post for mentions (msgs/s: posts per
// second).
func BenchmarkExtractMentions(b *testing.B) {
	text := strings.Repeat("salut @bob, écris à prof@ecole.fr ou à @chloe. ", 4)
	b.ReportAllocs()
	for b.Loop() {
		_ = ExtractMentions(text)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
