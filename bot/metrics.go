package bot

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bot's Prometheus metrics. The HTTP API reuses them
// (messages it judges count in the same series, with platform "http").
type Metrics struct {
	// MessagesSeen counts messages (new and edited) per platform.
	MessagesSeen *prometheus.CounterVec // vigie_messages_seen_total{platform}
	// Verdicts counts judged messages per category and final action;
	// messages with no finding count under category "none".
	Verdicts *prometheus.CounterVec // vigie_verdicts_total{category,action}
	// PlatformFailures counts failed platform calls (each attempt) per
	// platform, operation and kind of error.
	PlatformFailures *prometheus.CounterVec // vigie_platform_failures_total{platform,op,kind}
	// QueueDepth is the number of events waiting per platform.
	QueueDepth *prometheus.GaugeVec // vigie_queue_depth{platform}
	// QueueFull counts events that found their queue full.
	QueueFull *prometheus.CounterVec // vigie_queue_full_total{platform}
	// Unjudged counts events that could not be judged at all (the queue
	// stayed full for the whole wait).
	Unjudged *prometheus.CounterVec // vigie_events_unjudged_total{platform}
	// ClassifySeconds is the time the classifier takes per message.
	ClassifySeconds prometheus.Histogram // vigie_classify_seconds
	// IncidentsStored counts incidents recorded in the store.
	IncidentsStored prometheus.Counter // vigie_incidents_stored_total
	// IncidentStoreFailures counts incidents (or steps) the store could
	// not record.
	IncidentStoreFailures prometheus.Counter // vigie_incident_store_failures_total
	// AlertsSent counts alerts delivered per route (channel, direct,
	// role, webhook, owner).
	AlertsSent *prometheus.CounterVec // vigie_alerts_sent_total{route}
	// AlertsFailed counts alerts that could not be delivered per route.
	AlertsFailed *prometheus.CounterVec // vigie_alerts_failed_total{route}
	// QueueWaitSeconds is the time from an adapter receiving an event to
	// a worker starting on it (events of Run only).
	QueueWaitSeconds prometheus.Histogram // vigie_queue_wait_seconds
	// IncidentRecordSeconds is the time to record an incident in the
	// store, which comes before the removal.
	IncidentRecordSeconds prometheus.Histogram // vigie_incident_record_seconds
	// RemovalSeconds is the time from an adapter receiving a message to
	// the platform confirming its removal: queue, classification,
	// incident record and the delete call.
	RemovalSeconds prometheus.Histogram // vigie_removal_seconds
	// FollowUpsPending is the number of removals whose follow-up
	// (outcome record, notices, escalation, alerts) has not run yet.
	FollowUpsPending prometheus.Gauge // vigie_followups_pending
}

// latencyBuckets are the buckets of the latency histograms, in seconds
// (100 µs to 10 s).
var latencyBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}

// NewMetrics creates the metrics and registers them on reg; a nil reg
// leaves them unregistered (they still count). A metric that reg already
// holds (a second bot in the same process, the HTTP API) is reused.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		MessagesSeen: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_messages_seen_total", Help: "Messages (new and edited) seen, per platform.",
		}, []string{"platform"}),
		Verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_verdicts_total", Help: "Judged messages per category found and final action.",
		}, []string{"category", "action"}),
		PlatformFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_platform_failures_total", Help: "Failed platform calls per platform, operation and kind of error.",
		}, []string{"platform", "op", "kind"}),
		QueueDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigie_queue_depth", Help: "Events waiting to be judged, per platform.",
		}, []string{"platform"}),
		QueueFull: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_queue_full_total", Help: "Events that found their platform's queue full.",
		}, []string{"platform"}),
		Unjudged: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_events_unjudged_total", Help: "Events that could not be judged because the queue stayed full.",
		}, []string{"platform"}),
		ClassifySeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigie_classify_seconds", Help: "Time to classify one message.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25},
		}),
		IncidentsStored: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigie_incidents_stored_total", Help: "Incidents recorded in the store.",
		}),
		IncidentStoreFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigie_incident_store_failures_total", Help: "Incidents or steps the store could not record.",
		}),
		AlertsSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_alerts_sent_total", Help: "Teacher alerts delivered, per route.",
		}, []string{"route"}),
		AlertsFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_alerts_failed_total", Help: "Teacher alerts that could not be delivered, per route.",
		}, []string{"route"}),
		QueueWaitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigie_queue_wait_seconds", Help: "Time from an adapter receiving an event to a worker starting on it.",
			Buckets: latencyBuckets,
		}),
		IncidentRecordSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigie_incident_record_seconds", Help: "Time to record an incident in the store (before the removal).",
			Buckets: latencyBuckets,
		}),
		RemovalSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigie_removal_seconds", Help: "Time from an adapter receiving a message to the platform confirming its removal.",
			Buckets: latencyBuckets,
		}),
		FollowUpsPending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigie_followups_pending", Help: "Removals whose follow-up (outcome record, notices, escalation, alerts) has not run yet.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	m.MessagesSeen = RegisterCollector(reg, m.MessagesSeen, &err)
	m.Verdicts = RegisterCollector(reg, m.Verdicts, &err)
	m.PlatformFailures = RegisterCollector(reg, m.PlatformFailures, &err)
	m.QueueDepth = RegisterCollector(reg, m.QueueDepth, &err)
	m.QueueFull = RegisterCollector(reg, m.QueueFull, &err)
	m.Unjudged = RegisterCollector(reg, m.Unjudged, &err)
	m.ClassifySeconds = RegisterCollector(reg, m.ClassifySeconds, &err)
	m.IncidentsStored = RegisterCollector(reg, m.IncidentsStored, &err)
	m.IncidentStoreFailures = RegisterCollector(reg, m.IncidentStoreFailures, &err)
	m.AlertsSent = RegisterCollector(reg, m.AlertsSent, &err)
	m.AlertsFailed = RegisterCollector(reg, m.AlertsFailed, &err)
	m.QueueWaitSeconds = RegisterCollector(reg, m.QueueWaitSeconds, &err)
	m.IncidentRecordSeconds = RegisterCollector(reg, m.IncidentRecordSeconds, &err)
	m.RemovalSeconds = RegisterCollector(reg, m.RemovalSeconds, &err)
	m.FollowUpsPending = RegisterCollector(reg, m.FollowUpsPending, &err)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	return m, nil
}

// RegisterCollector registers c on reg, returning the collector already
// registered under the same name if there is one (a second server or
// bot in the same process shares it). The first other error is kept in
// *errp. The bot, the HTTP API and the reloader register their metrics
// with it.
func RegisterCollector[C prometheus.Collector](reg prometheus.Registerer, c C, errp *error) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	if *errp == nil {
		*errp = fmt.Errorf("register metrics: %w", err)
	}
	return c
}
