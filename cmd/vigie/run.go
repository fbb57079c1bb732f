package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/vigie-edu/vigie/adapters/discord"
	"github.com/vigie-edu/vigie/adapters/httpapi"
	"github.com/vigie-edu/vigie/adapters/mattermost"
	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/console"
	"github.com/vigie-edu/vigie/reload"
	"github.com/vigie-edu/vigie/store"
)

// exitRunUsage is the exit status for bad flags of `vigie run`.
const exitRunUsage = 2

// runDeps are what `vigie run` takes from the outside world; tests
// replace them.
type runDeps struct {
	// getenv reads the environment (flag defaults).
	getenv func(string) string
	// platforms builds an adapter for every platform that has
	// credentials, and says how to configure the others.
	platforms func(log *zap.Logger) (adapters []bot.Adapter, notConfigured []string, err error)
	// started, when set, is called once the bot is built and about to
	// run (tests use it to drive the bot and stop it).
	started func(b *bot.Bot, st store.Store)
	// purgeEvery is the period of the retention purge.
	purgeEvery time.Duration
}

// runOptions are the flags of `vigie run`.
type runOptions struct {
	rules, dsn, logFormat, logLevel, listen string
	logText                                 bool
}

func newRunCmd() *cobra.Command {
	return newRunCmdWith(runDeps{getenv: os.Getenv, platforms: platformAdapters, purgeEvery: 24 * time.Hour})
}

func newRunCmdWith(deps runDeps) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run [--rules FILE] [--store DSN]",
		Short: "Run the moderation bot",
		Long: `Run loads the rules (the embedded defaults, or FILE over them), opens the
incident store and moderates every platform that has credentials:

  Discord      VIGIE_DISCORD_TOKEN or VIGIE_DISCORD_TOKEN_FILE
  Mattermost   VIGIE_MATTERMOST_URL with VIGIE_MATTERMOST_TOKEN or
               VIGIE_MATTERMOST_TOKEN_FILE; slash commands served on
               VIGIE_MATTERMOST_COMMAND_LISTEN (127.0.0.1:8066, "off" to disable)

A platform without credentials is skipped and named in the log. Message
text is never logged unless --log-text is given. Incidents older than the
rules' retention (365 days by default) are purged once a day.

The HTTP server (--listen, VIGIE_LISTEN, default 127.0.0.1:8080) serves
the moderation API (POST /v1/moderate, /v1/moderate/batch; OpenAPI at
/v1/openapi.json), /healthz, /readyz, /metrics and the web console for
teachers and school IT under /console/ (VIGIE_CONSOLE_URL, _KEY or
_KEY_FILE, _ADMIN_TOKEN_HASH, _TRUSTED_PROXIES). API clients need a
bearer token whose SHA-256 is in VIGIE_API_TOKEN_HASHES or in the file
VIGIE_API_TOKENS_FILE (see vigie api hash-token); without tokens, the API
is open and served on loopback only: another address is refused.

The rules file and the list files it names are reloaded when they change
and on SIGHUP; rules that fail to load are refused (logged with file and
line) and the running rules stay in force.

SIGINT or SIGTERM stops it cleanly: the platforms stop, the API finishes
the requests it is serving, the queued messages are still judged,
grouped alerts are sent, channel notices deleted, and the store is
closed.

Run charge les règles, ouvre le journal des incidents, sert l'API HTTP
et modère chaque plateforme configurée ; les règles sont rechargées
quand leur fichier change ou sur SIGHUP ; SIGINT ou SIGTERM l'arrête
proprement.`,
		Example: `  VIGIE_DISCORD_TOKEN_FILE=/run/secrets/discord vigie run --rules ecole.yaml
  vigie run --store postgres://vigie@db/vigie --log-format json
  VIGIE_API_TOKENS_FILE=/run/secrets/api-tokens vigie run --listen 0.0.0.0:8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBot(cmd.Context(), cmd.ErrOrStderr(), o, deps)
		},
	}
	env := func(k, def string) string {
		if v := strings.TrimSpace(deps.getenv(k)); v != "" {
			return v
		}
		return def
	}
	f := cmd.Flags()
	f.StringVar(&o.rules, "rules", env("VIGIE_RULES", ""), "rules `FILE` over the embedded defaults (default from VIGIE_RULES)")
	f.StringVar(&o.dsn, "store", env("VIGIE_STORE", "vigie.db"), "incident store `DSN`: a SQLite path or postgres://… (default from VIGIE_STORE)")
	f.StringVar(&o.logFormat, "log-format", env("VIGIE_LOG_FORMAT", ""), "log format: json or console (default: console on a terminal, else json; VIGIE_LOG_FORMAT)")
	f.StringVar(&o.logLevel, "log-level", env("VIGIE_LOG_LEVEL", "info"), "log level: debug, info, warn, error (VIGIE_LOG_LEVEL)")
	f.BoolVar(&o.logText, "log-text", false, "log message text (personal data of minors: only when an operator needs it)")
	f.StringVar(&o.listen, "listen", env(httpapi.EnvListen, httpapi.DefaultListen), "`ADDRESS` of the HTTP API, /healthz, /readyz and /metrics ("+httpapi.EnvListen+"); beyond loopback only with API tokens")
	return cmd
}

// newLogger builds the logger of `vigie run` on w.
func newLogger(w io.Writer, format, level string) (*zap.Logger, error) {
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, &exitError{code: exitRunUsage, err: fmt.Errorf("--log-level %q: want debug, info, warn or error", level)}
	}
	if format == "" {
		format = "json"
		if isTerminal(w) {
			format = "console"
		}
	}
	var enc zapcore.Encoder
	switch format {
	case "json":
		cfg := zap.NewProductionEncoderConfig()
		cfg.EncodeTime = zapcore.ISO8601TimeEncoder
		enc = zapcore.NewJSONEncoder(cfg)
	case "console":
		cfg := zap.NewDevelopmentEncoderConfig()
		cfg.EncodeTime = zapcore.TimeEncoderOfLayout("2006-01-02 15:04:05")
		enc = zapcore.NewConsoleEncoder(cfg)
	default:
		return nil, &exitError{code: exitRunUsage, err: fmt.Errorf("--log-format %q: want json or console", format)}
	}
	return zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), lvl)), nil
}

// runBot is `vigie run`.
func runBot(ctx context.Context, stderr io.Writer, o *runOptions, deps runDeps) (err error) {
	log, err := newLogger(stderr, o.logFormat, o.logLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	if percent, limit := bot.TuneGC(deps.getenv); percent > 0 || limit > 0 {
		log.Info("garbage collector tuned for a long-running bot (GOGC and GOMEMLIMIT override)", zap.Int("gc_percent", percent), zap.Int64("memory_limit_bytes", limit))
	}

	// SIGHUP reloads the rules; caught from the start so that it never
	// kills the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	snap, ruleFiles, err := reload.Load(o.rules)
	if err != nil {
		return &exitError{code: exitRules, err: err}
	}
	holder := bot.NewRulesHolder(snap)
	log.Info("rules loaded", zap.String("version", snap.Version), zap.Int("classes", len(snap.Config.Classes)))

	// The API's address is checked before anything is opened: without
	// tokens, only loopback.
	tokens, err := httpapi.TokensFromEnv(deps.getenv)
	if err != nil {
		return &exitError{code: exitRunUsage, err: err}
	}
	ln, err := httpapi.Listen(ctx, o.listen, tokens.Len() > 0)
	if err != nil {
		return &exitError{code: exitRunUsage, err: fmt.Errorf("--listen: %w", err)}
	}
	defer ln.Close() // already closed when the server ran

	st, err := store.Open(ctx, o.dsn)
	if err != nil {
		return fmt.Errorf("open incident store %s: %w", store.RedactDSN(o.dsn), err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close incident store: %w", cerr))
			return
		}
		log.Info("incident store closed")
	}()
	log.Info("incident store open", zap.String("store", store.RedactDSN(o.dsn)))

	cons, err := newConsole(deps.getenv, log.Named("console"), holder, st, o.dsn, ln.Addr().String())
	if err != nil {
		return &exitError{code: exitRunUsage, err: err}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	b, err := bot.New(bot.Options{
		Rules:         holder,
		Store:         st,
		Logger:        log,
		Registerer:    reg,
		LogText:       o.logText,
		ConsoleLinker: cons,
	})
	if err != nil {
		return err
	}
	reloader, err := reload.New(reload.Options{
		Path: o.rules, Holder: holder, Files: ruleFiles, Logger: log.Named("rules"), Registerer: reg,
	})
	if err != nil {
		return err
	}
	var reloading sync.WaitGroup
	reloadCtx, stopReload := context.WithCancel(ctx)
	reloading.Go(func() {
		if err := reloader.Run(reloadCtx, hup); err != nil {
			log.Error("rules watcher stopped; SIGHUP no longer reloads", zap.Error(err))
		}
	})
	defer func() {
		stopReload()
		reloading.Wait()
	}()
	if o.logText {
		log.Warn("--log-text: message text will be logged; it is personal data of minors")
	}

	adapters, notConfigured, err := deps.platforms(log)
	if err != nil {
		return err
	}
	for _, hint := range notConfigured {
		log.Warn("platform not configured", zap.String("how", hint))
	}
	api, err := httpapi.New(httpapi.Options{
		Bot: b, Rules: holder, Store: st, Adapters: adapters, Tokens: tokens,
		Gatherer: reg, Registerer: reg, Logger: log.Named("http"), Listener: ln,
	})
	if err != nil {
		return err
	}
	api.Mount(console.Prefix, cons)

	retention := time.Duration(snap.Config.RetentionDays) * 24 * time.Hour
	purgeDone := make(chan struct{})
	purgeCtx, stopPurge := context.WithCancel(ctx)
	go func() {
		defer close(purgeDone)
		purgeLoop(purgeCtx, log, st, retention, deps.purgeEvery)
	}()
	defer func() {
		stopPurge()
		<-purgeDone
	}()

	if deps.started != nil {
		deps.started(b, st)
	}
	if len(adapters) == 0 {
		log.Warn("no platform configured: Vigie moderates the texts of the HTTP API only")
	}
	// The API is the adapter of platform "http": the bot runs it with the
	// chat adapters, and flushes after it has finished its requests.
	adapters = append(adapters, api)
	names := make([]string, 0, len(adapters))
	for _, a := range adapters {
		names = append(names, string(a.Platform()))
	}
	log.Info("Vigie running", zap.Strings("platforms", names), zap.String("listen", ln.Addr().String()))
	if err := b.Run(ctx, adapters...); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// purgeLoop deletes the incidents older than keep (365 days when 0) at
// start and then every period, until ctx is done.
func purgeLoop(ctx context.Context, log *zap.Logger, st store.Store, keep, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		n, err := store.PurgeExpired(ctx, st, keep, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("retention purge failed", zap.Error(err))
		case n > 0:
			log.Info("retention purge", zap.Int64("incidents_deleted", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// platformAdapters builds the adapters of the platforms whose
// credentials are in the environment.
func platformAdapters(log *zap.Logger) ([]bot.Adapter, []string, error) {
	var (
		adapters []bot.Adapter
		missing  []string
	)
	cfg, ok, err := discord.ConfigFromEnv()
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("discord: %w", err)
	case !ok:
		missing = append(missing, "Discord: set "+discord.EnvToken+" (the bot token) or "+discord.EnvTokenFile+" (a file holding it)")
	default:
		a, err := discord.New(cfg, log.Named("discord"))
		if err != nil {
			return nil, nil, fmt.Errorf("discord: %w", err)
		}
		adapters = append(adapters, a)
	}
	mcfg, ok, err := mattermost.ConfigFromEnv()
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("mattermost: %w", err)
	case !ok:
		missing = append(missing, "Mattermost: set "+mattermost.EnvURL+" and "+mattermost.EnvToken+" (the bot's access token) or "+
			mattermost.EnvTokenFile+" (a file holding it)")
	default:
		a, err := mattermost.New(mcfg, log.Named("mattermost"))
		if err != nil {
			return nil, nil, fmt.Errorf("mattermost: %w", err)
		}
		adapters = append(adapters, a)
	}
	return adapters, missing, nil
}
