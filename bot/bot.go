package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// Judge classifies messages; *filters.Classifier satisfies it.
type Judge interface {
	Classify(ctx context.Context, m filters.Message) filters.Verdict
}

// Snapshot is one version of the rules: the classifier and the bot's
// configuration. It is immutable: hot reload builds a new Snapshot and
// swaps it in (RulesHolder), and each event is handled with the snapshot
// current when it started.
type Snapshot struct {
	Classifier Judge
	Config     Config
	// Version names the rules version for /vigie status (a hash, a file
	// date…).
	Version string
	// Actions are the rules' actions per category (filters.Config.Actions),
	// used to weigh each category of a verdict against a class's own
	// Actions. Nil: a category the class does not override takes the
	// verdict's action.
	Actions map[filters.Category]filters.Action
}

// RulesSource gives the current rules snapshot.
type RulesSource interface {
	Current() *Snapshot
}

// RulesHolder holds the current snapshot; Store swaps it atomically.
type RulesHolder struct {
	atomic.Pointer[Snapshot]
}

// NewRulesHolder returns a holder holding s.
func NewRulesHolder(s *Snapshot) *RulesHolder {
	h := new(RulesHolder)
	h.Store(s)
	return h
}

// Current returns the current snapshot (nil before the first Store).
func (h *RulesHolder) Current() *Snapshot { return h.Load() }

// Options configure a Bot. Rules and Store are required.
type Options struct {
	Rules RulesSource
	Store store.Store
	// Logger receives ids, platforms, classes, categories and actions;
	// never message text unless LogText is set. Nil: no logs.
	Logger *zap.Logger
	// Registerer registers the metrics; nil: not registered.
	Registerer prometheus.Registerer
	// Metrics, when set, are used instead of new ones (Registerer is
	// then ignored).
	Metrics *Metrics
	// Now is the clock when Clock is nil (time.Now when both are nil).
	Now func() time.Time
	// Clock, when set, gives the time, sleeps and timers (tests: the
	// fake clock of package bot/bottest).
	Clock Clock
	// QueueSize is the number of events waiting per adapter (default
	// 1024).
	QueueSize int
	// Workers is the number of goroutines judging each adapter's events
	// (default 2 × GOMAXPROCS). Events of one channel are judged in
	// order by one worker.
	Workers int
	// QueueWait is how long an adapter's reader waits for room in a full
	// queue before the event is counted as unjudged (default 10 s).
	QueueWait time.Duration
	// DrainTimeout bounds the time Run spends judging queued events
	// after its context is done (default 30 s).
	DrainTimeout time.Duration
	// HTTPClient posts webhook alerts (default: a client with a 10 s
	// timeout).
	HTTPClient *http.Client
	// LogText logs message text. Message text is personal data of
	// minors: only an operator's explicit flag sets it.
	LogText bool
	// ConsoleLinker, when set, gives teachers who run /vigie console a
	// one-time link to the web console (package console). Nil: the
	// command says the console is not available.
	ConsoleLinker ConsoleLinker
}

// Defaults.
const (
	DefaultQueueSize     = 1024
	DefaultQueueWait     = 10 * time.Second
	DefaultDrainTimeout  = 30 * time.Second
	DefaultGroupWindow   = 2 * time.Minute
	DefaultNoticeTTL     = time.Minute
	DefaultRetentionDays = 365
	DefaultLocale        = "fr"
	webhookTimeout       = 10 * time.Second
	callbackTimeout      = 30 * time.Second
)

// Bot moderates the classes of its adapters. Build it with New; it is
// safe for concurrent use.
type Bot struct {
	rules        RulesSource
	store        store.Store
	log          *zap.Logger
	metrics      *Metrics
	clock        Clock
	queueSize    int
	workers      int
	queueWait    time.Duration
	drainTimeout time.Duration
	http         *http.Client
	logText      bool
	console      ConsoleLinker

	compiled atomic.Pointer[compiled]

	mu        sync.Mutex
	idle      *sync.Cond // signalled when inflight drops to 0
	inflight  int        // timer callbacks running
	removed   map[MessageRef]time.Time
	groups    map[authorKey]*alertGroup
	notices   map[int]*pendingNotice
	nextID    int
	removals  map[authorKey][]time.Time // in-memory removal times, when the store cannot count
	escalated map[authorKey]escalationState
	settings  map[classKey]settingsEntry
}

// authorKey identifies a student in a class.
type authorKey struct {
	Platform Platform
	Class    string
	Author   string
}

// New builds a bot.
func New(o Options) (*Bot, error) {
	if o.Rules == nil {
		return nil, errors.New("bot: Options.Rules is required")
	}
	if o.Store == nil {
		return nil, errors.New("bot: Options.Store is required")
	}
	b := &Bot{
		rules: o.Rules, store: o.Store, log: o.Logger, metrics: o.Metrics, clock: o.Clock,
		queueSize: o.QueueSize, workers: o.Workers, queueWait: o.QueueWait, drainTimeout: o.DrainTimeout,
		http: o.HTTPClient, logText: o.LogText, console: o.ConsoleLinker,
		removed:   make(map[MessageRef]time.Time),
		groups:    make(map[authorKey]*alertGroup),
		notices:   make(map[int]*pendingNotice),
		removals:  make(map[authorKey][]time.Time),
		escalated: make(map[authorKey]escalationState),
		settings:  make(map[classKey]settingsEntry),
	}
	b.idle = sync.NewCond(&b.mu)
	if b.log == nil {
		b.log = zap.NewNop()
	}
	if b.metrics == nil {
		m, err := NewMetrics(o.Registerer)
		if err != nil {
			return nil, err
		}
		b.metrics = m
	}
	if b.clock == nil {
		b.clock = realClock{now: o.Now}
	}
	if b.queueSize <= 0 {
		b.queueSize = DefaultQueueSize
	}
	if b.workers <= 0 {
		b.workers = 2 * runtime.GOMAXPROCS(0)
	}
	if b.queueWait <= 0 {
		b.queueWait = DefaultQueueWait
	}
	if b.drainTimeout <= 0 {
		b.drainTimeout = DefaultDrainTimeout
	}
	if b.http == nil {
		b.http = &http.Client{Timeout: webhookTimeout}
	}
	return b, nil
}

// Metrics returns the bot's metrics.
func (b *Bot) Metrics() *Metrics { return b.metrics }

// compiled is what the bot derives from one snapshot, once.
type compiled struct {
	snap  *Snapshot
	texts *texts
}

// current returns the compiled form of the current snapshot, compiling it
// when the snapshot changed.
func (b *Bot) current() (*compiled, error) {
	snap := b.rules.Current()
	if snap == nil || snap.Classifier == nil {
		return nil, errors.New("bot: no rules loaded")
	}
	if c := b.compiled.Load(); c != nil && c.snap == snap {
		return c, nil
	}
	t, err := compileTexts(snap.Config.Texts, snap.Config.Helplines)
	if err != nil {
		b.log.Warn("some texts of the rules do not compile; the defaults replace them",
			zap.String("rules_version", snap.Version), zap.Error(err))
	}
	c := &compiled{snap: snap, texts: t}
	b.compiled.Store(c)
	return c, nil
}

// Result is what the bot did with one event.
type Result struct {
	Kind       EventKind
	IncidentID string // empty when nothing was recorded (or the store failed)
	// Action is what the class's policy decided (allow when nothing).
	Action  filters.Action
	Verdict *filters.Verdict
	DryRun  bool
	// Exempt says why the message was not judged: self, bot, teacher,
	// owner, admin, exempt_role, exempt_user.
	Exempt string
	// Skipped says why the event needed nothing: direct, already_removed,
	// empty, ignored.
	Skipped string
	// Steps are the outcomes of what the bot did, as recorded.
	Steps []store.Step
	// Escalated is set when this message triggered an escalation.
	Escalated bool
}

// Handle processes one event synchronously: it is what each worker of
// Run does, and what tests and the HTTP API call directly.
func (b *Bot) Handle(ctx context.Context, a Adapter, ev Event) (*Result, error) {
	return b.handle(ctx, a, ev, nil)
}

// handle is Handle; later, when set, takes the follow-up of a removal
// instead of running it before handle returns (Run's workers).
func (b *Bot) handle(ctx context.Context, a Adapter, ev Event, later func(*followUp)) (*Result, error) {
	c, err := b.current()
	if err != nil {
		return nil, err
	}
	switch ev.Kind {
	case MessageCreated, MessageEdited:
		if ev.Message == nil {
			return nil, fmt.Errorf("bot: %s event without a message", ev.Kind)
		}
		return b.handleMessage(ctx, c, a, ev, later)
	case CommandInvoked:
		if ev.Command == nil {
			return nil, fmt.Errorf("bot: command event without a command")
		}
		return b.handleCommand(ctx, c, a, ev)
	case BotJoinedClass:
		return b.handleJoined(ctx, c, a, ev)
	case MemberJoined:
		return &Result{Kind: ev.Kind, Action: filters.Allow, Skipped: "ignored"}, nil
	}
	return nil, fmt.Errorf("bot: unknown event kind %s", ev.Kind)
}
