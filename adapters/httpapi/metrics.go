package httpapi

import (
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigie-edu/vigie/bot"
)

// metrics are the server's own metrics; the bot's (messages seen with
// platform "http", verdicts, incidents) count the API's texts too.
type metrics struct {
	requests *prometheus.CounterVec   // vigie_http_requests_total{handler,code}
	duration *prometheus.HistogramVec // vigie_http_request_duration_seconds{handler}
	rejected prometheus.Counter       // vigie_http_requests_rejected_total
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_http_requests_total", Help: "HTTP requests per handler and status code.",
		}, []string{"handler", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigie_http_request_duration_seconds", Help: "Time to answer an HTTP request, per handler.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"handler"}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigie_http_requests_rejected_total", Help: "Moderation requests answered 429 because too many were being judged.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	m.requests = bot.RegisterCollector(reg, m.requests, &err)
	m.duration = bot.RegisterCollector(reg, m.duration, &err)
	m.rejected = bot.RegisterCollector(reg, m.rejected, &err)
	if err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	return m, nil
}

// instrument counts and times the requests of one handler.
func (m *metrics) instrument(name string, h http.Handler) http.Handler {
	labels := prometheus.Labels{"handler": name}
	return promhttp.InstrumentHandlerDuration(m.duration.MustCurryWith(labels),
		promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(labels), h))
}
