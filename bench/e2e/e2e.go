// Package e2e measures Vigie end to end against the fake Discord: the
// real Discord adapter, the real bot and policy, a real incident store
// (SQLite in a temporary directory) and the classifier compiled from the
// default rules. Students post messages at a fixed rate; for every
// message Vigie removes, the latency is the time from the MESSAGE_CREATE
// dispatch to the DELETE request reaching the fake.
//
// Both ends are taken where Discord would see them: the dispatch when
// the fake starts writing the frame to the gateway connection
// (fakediscord.OnDispatchWritten), not when the sender calls
// SendMessage, which also counts the fake encoding the message and its
// writer goroutine waiting for a turn; the DELETE when the fake's HTTP
// handler starts on the request (fakediscord.Call.Time), before it waits
// for its own lock. Result.FromSend keeps the latencies from the
// SendMessage call, for comparison.
//
// Everything listens on 127.0.0.1 and the run is bounded: a fixed
// number of messages, then a bounded wait for the last deletions.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/adapters/discord"
	"github.com/vigie-edu/vigie/adapters/discord/fakediscord"
	"github.com/vigie-edu/vigie/bench/corpus"
	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/rules"
	"github.com/vigie-edu/vigie/store"
)

// Config says what to send.
type Config struct {
	Messages int // messages to send (default 10000)
	Rate     int // messages per second (default 1000)
	// Stream gives the texts, taken in order (cycling when shorter than
	// Messages).
	Stream []corpus.Message
	// HarmfulShare, when positive, resamples the stream so that this
	// share of the messages is harmful (e.g. 1/3, for more latency
	// samples); zero keeps the stream's own mix.
	HarmfulShare float64
	Channels     int           // channels the messages are spread over (default 20)
	Students     int           // students who post (default 200)
	Drain        time.Duration // longest wait for deletions after the last message (default 30 s)
	Dir          string        // directory for the incident store (default: a new temporary directory, removed after)
	Logger       *zap.Logger   // the bot's and the adapter's logger (default: none)
	// Workers is the bot's number of workers (bot.Options.Workers; 0:
	// the bot's default, 2 × GOMAXPROCS).
	Workers int
}

func (c *Config) fill() {
	if c.Messages <= 0 {
		c.Messages = 10000
	}
	if c.Rate <= 0 {
		c.Rate = 1000
	}
	if c.Channels <= 0 {
		c.Channels = 20
	}
	if c.Students <= 0 {
		c.Students = 200
	}
	if c.Drain <= 0 {
		c.Drain = 30 * time.Second
	}
}

// Result is what the run measured.
type Result struct {
	Sent     int           // messages sent
	Expected int           // messages the classifier removes (judged beforehand)
	Deleted  int           // of those, deleted during the run
	Elapsed  time.Duration // from the first message to the last one sent
	// Latencies from MESSAGE_CREATE dispatch to DELETE, sorted.
	Latencies []time.Duration
	// FromSend are the latencies from the sender's SendMessage call to
	// the DELETE, sorted: they add the fake's own encoding and queueing.
	FromSend []time.Duration
	Channels int
	Students int
	Rate     int
	// GCPercent and MemoryLimit are the garbage collector's settings
	// during the run: those of `vigie run` (bot.TuneGC), unless the
	// GOGC or GOMEMLIMIT variables set them (then 0).
	GCPercent   int
	MemoryLimit int64
}

// SendRate is the achieved sending rate, in messages per second.
func (r Result) SendRate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Sent) / r.Elapsed.Seconds()
}

// Quantile returns the q-quantile (0–1) of the latencies (nearest rank),
// 0 when there are none.
func (r Result) Quantile(q float64) time.Duration {
	return Quantile(r.Latencies, q)
}

// Quantile returns the q-quantile (0–1) of sorted durations by the
// nearest-rank method, 0 for none.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(q*float64(len(sorted))+0.999999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// Ids of the test world.
const (
	guildID    = "210000000000000001"
	ownerID    = "510000000000000001"
	teacherID  = "510000000000000002"
	alertsID   = "310000000000000000"
	roleProf   = "410000000000000001"
	roleEleve  = "410000000000000002"
	firstStud  = 520000000000000000
	firstChan  = 310000000000000001
	alertsName = "alertes-vigie"
)

var deletePath = regexp.MustCompile(`/channels/\d+/messages/(\d+)$`)

// Run starts a fake Discord and Vigie, sends cfg.Messages messages at
// cfg.Rate per second, waits for the deletions (at most cfg.Drain after
// the last message) and returns the latencies.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg.fill()
	msgs := pickMessages(cfg)
	if len(msgs) == 0 {
		return Result{}, errors.New("e2e: no messages to send")
	}
	dir := cfg.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "vigie-e2e-")
		if err != nil {
			return Result{}, fmt.Errorf("e2e: %w", err)
		}
		defer os.RemoveAll(d)
		dir = d
	}

	r, err := rules.Defaults()
	if err != nil {
		return Result{}, fmt.Errorf("e2e: rules: %w", err)
	}
	clf, err := r.Classifier()
	if err != nil {
		return Result{}, fmt.Errorf("e2e: classifier: %w", err)
	}
	res := Result{Channels: cfg.Channels, Students: cfg.Students, Rate: cfg.Rate}
	removes := make([]bool, len(msgs))
	for i, m := range msgs {
		removes[i] = clf.Classify(ctx, filters.Message{Text: m.Text, DefaultLang: "fr"}).Action == filters.Remove
		if removes[i] {
			res.Expected++
		}
	}
	botCfg := r.Bot
	botCfg.Default.AlertChannel = alertsName

	st, err := store.Open(ctx, filepath.Join(dir, "vigie.db"))
	if err != nil {
		return Result{}, fmt.Errorf("e2e: store: %w", err)
	}
	defer st.Close()

	fake := fakediscord.New()
	defer fake.Close()
	world(fake, cfg)

	var mu sync.Mutex
	deletedAt := map[string]time.Time{}
	dispatchedAt := make(map[string]time.Time, len(msgs))
	fake.BeforeRequest("DELETE", deletePath.String(), func(c fakediscord.Call) {
		if m := deletePath.FindStringSubmatch(c.Path); m != nil {
			mu.Lock()
			if _, dup := deletedAt[m[1]]; !dup {
				deletedAt[m[1]] = c.Time
			}
			mu.Unlock()
		}
	})
	fake.OnDispatchWritten(func(d fakediscord.Dispatched) {
		if d.Type != "MESSAGE_CREATE" || d.MessageID == "" {
			return
		}
		mu.Lock()
		if _, dup := dispatchedAt[d.MessageID]; !dup {
			dispatchedAt[d.MessageID] = d.At
		}
		mu.Unlock()
	})

	ad, err := discord.New(discord.Config{Token: fake.Token(), APIURL: fake.URL()}, cfg.Logger)
	if err != nil {
		return Result{}, fmt.Errorf("e2e: adapter: %w", err)
	}
	b, err := bot.New(bot.Options{
		Rules: bot.NewRulesHolder(&bot.Snapshot{
			Classifier: clf, Config: botCfg, Version: "bench", Actions: maps.Clone(r.Filters.Actions),
		}),
		Store:      st,
		Workers:    cfg.Workers,
		Logger:     cfg.Logger,
		Registerer: prometheus.NewRegistry(),
	})
	if err != nil {
		return Result{}, fmt.Errorf("e2e: bot: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx, ad) }()
	stopBot := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(time.Minute):
			return errors.New("e2e: the bot did not stop within a minute")
		}
	})
	defer func() { _ = stopBot() }()

	connCtx, connCancel := context.WithTimeout(ctx, 30*time.Second)
	err = fake.WaitFor(connCtx, func() bool {
		return fake.Connected() && ad.Self().ID != "" && len(fake.Commands("")) > 0
	})
	connCancel()
	if err != nil {
		return Result{}, fmt.Errorf("e2e: waiting for the adapter to connect: %w", err)
	}

	// Send at a fixed rate: message i leaves at start + i/rate. The
	// garbage of the set-up (the classifier's compilation, the messages
	// judged beforehand) is collected first, as testing.B does before a
	// benchmark, so that it does not fall due during the run.
	sentAt := make(map[string]time.Time, len(msgs))
	ids := make([]string, len(msgs))
	interval := time.Second / time.Duration(cfg.Rate)
	// The collector runs as it does in `vigie run`, which tunes it for a
	// long-running bot unless the operator set GOGC or GOMEMLIMIT.
	prevGC, prevLimit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(prevGC)
	defer func() {
		debug.SetGCPercent(prevGC)
		debug.SetMemoryLimit(prevLimit)
	}()
	res.GCPercent, res.MemoryLimit = bot.TuneGC(os.Getenv)
	runtime.GC()
	start := time.Now()
	for i, m := range msgs {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		ch := strconv.Itoa(firstChan + i%cfg.Channels)
		author := strconv.Itoa(firstStud + (i*7919)%cfg.Students)
		t0 := time.Now()
		ids[i] = fake.SendMessage(guildID, ch, author, m.Text)
		sentAt[ids[i]] = t0
	}
	res.Elapsed = time.Since(start)
	res.Sent = len(msgs)

	// Wait for the expected deletions.
	drainCtx, drainCancel := context.WithTimeout(ctx, cfg.Drain)
	_ = fake.WaitFor(drainCtx, func() bool {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for i, id := range ids {
			if _, ok := deletedAt[id]; ok && removes[i] {
				n++
			}
		}
		return n >= res.Expected
	})
	drainCancel()
	if err := stopBot(); err != nil {
		return Result{}, fmt.Errorf("e2e: bot: %w", err)
	}

	mu.Lock()
	for i, id := range ids {
		at, ok := deletedAt[id]
		if !ok {
			continue
		}
		if removes[i] {
			res.Deleted++
		}
		from, ok := dispatchedAt[id]
		if !ok {
			mu.Unlock()
			return Result{}, fmt.Errorf("e2e: message %s deleted but its dispatch was never written", id)
		}
		res.Latencies = append(res.Latencies, at.Sub(from))
		res.FromSend = append(res.FromSend, at.Sub(sentAt[id]))
	}
	mu.Unlock()
	slices.Sort(res.Latencies)
	slices.Sort(res.FromSend)
	return res, nil
}

// pickMessages takes cfg.Messages messages from the stream, resampled to
// cfg.HarmfulShare when it is set.
func pickMessages(cfg Config) []corpus.Message {
	if len(cfg.Stream) == 0 {
		return nil
	}
	out := make([]corpus.Message, 0, cfg.Messages)
	if cfg.HarmfulShare <= 0 {
		for i := range cfg.Messages {
			out = append(out, cfg.Stream[i%len(cfg.Stream)])
		}
		return out
	}
	var harmful, benign []corpus.Message
	for _, m := range cfg.Stream {
		if m.Harmful {
			harmful = append(harmful, m)
		} else {
			benign = append(benign, m)
		}
	}
	if len(harmful) == 0 || len(benign) == 0 {
		return pickMessages(Config{Messages: cfg.Messages, Stream: cfg.Stream})
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Messages), 2))
	var h, bn int
	for range cfg.Messages {
		if rng.Float64() < cfg.HarmfulShare {
			out = append(out, harmful[h%len(harmful)])
			h++
		} else {
			out = append(out, benign[bn%len(benign)])
			bn++
		}
	}
	return out
}

// world builds a school server: an owner, a teacher, students, the
// channels and the alerts channel.
func world(f *fakediscord.Server, cfg Config) {
	f.AddUser(ownerID, "Mme Directrice", false)
	f.AddUser(teacherID, "M. Martin", false)
	f.AddGuild(guildID, "Collège Jean Moulin", ownerID,
		fakediscord.Role{ID: roleProf, Name: "Professeur"},
		fakediscord.Role{ID: roleEleve, Name: "Élève"})
	f.AddChannel(guildID, alertsID, alertsName)
	for c := range cfg.Channels {
		f.AddChannel(guildID, strconv.Itoa(firstChan+c), fmt.Sprintf("classe-%d", c+1))
	}
	f.AddMember(guildID, teacherID, roleProf)
	for s := range cfg.Students {
		id := strconv.Itoa(firstStud + s)
		f.AddUser(id, fmt.Sprintf("eleve%03d", s+1), false)
		f.AddMember(guildID, id, roleEleve)
	}
}
