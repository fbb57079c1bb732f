package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// benchTexts are ordinary and harmful school messages, mixed as in a
// class chat (most messages are harmless).
var benchTexts = []string{
	"On se retrouve à 14 h pour l'exposé ?",
	"tu as fini l'exercice 3 de maths ?",
	"t'es qu'un gros connard",
	"merci pour ton aide, à demain",
	"the homework is due on Friday, right?",
	"shut up you stupid idiot",
	"qui a le lien du cours de SVT ?",
	"bonne soirée tout le monde",
}

// BenchmarkModerate measures POST /v1/moderate end to end (HTTP, JSON,
// the bot, the store, the webhook on loopback), one request at a time.
func BenchmarkModerate(b *testing.B) {
	e := newEnv(b, envConfig{})
	bodies := make([]string, len(benchTexts))
	for i, text := range benchTexts {
		bodies[i] = fmt.Sprintf(`{"text":%q,"class":"5e-a","author":"eleve-%d"}`, text, i)
	}
	for i := 0; b.Loop(); i++ {
		resp, data := e.do(http.MethodPost, "/v1/moderate", bodies[i%len(bodies)])
		if resp.StatusCode != 200 {
			b.Fatalf("%s %s", resp.Status, data)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkModerateBatch measures POST /v1/moderate/batch with 1,000
// texts per request.
func BenchmarkModerateBatch(b *testing.B) {
	e := newEnv(b, envConfig{})
	body := batchBody(1000, func(i int) string { return benchTexts[i%len(benchTexts)] })
	var sent int
	for b.Loop() {
		resp, data := e.do(http.MethodPost, "/v1/moderate/batch", body)
		if resp.StatusCode != 200 || !strings.HasPrefix(string(data), `{"results":[`) {
			b.Fatalf("%s %.200s", resp.Status, data)
		}
		sent += 1000
	}
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "msgs/s")
}
