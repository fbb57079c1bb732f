// Package mattermost connects Vigie to a Mattermost server with the
// official client library (model.Client4 for the REST API,
// model.WebSocketClient for events). It translates WebSocket events
// (posts, edits, members added, the bot joining a team) and slash
// commands (/vigie, /aide, served by a small HTTP endpoint the server
// calls) into bot.Events, and the bot's calls (delete, direct message,
// post, ephemeral post, removal from a channel, lookups) into REST
// requests, mapping Mattermost's errors to the bot's sentinel errors. No
// Mattermost type leaves this package.
//
// When the WebSocket connection drops, the adapter connects again with
// backoff and catches up: for every channel the bot is a member of, it
// asks for the posts created or edited since the last one it saw
// (GetPostsSince), and reports those it had not seen.
package mattermost

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
)

// Reconnection backoff bounds.
const (
	minBackoff = time.Second
	maxBackoff = time.Minute
	// stableConnection is how long a connection must have lasted for the
	// backoff to start again from minBackoff.
	stableConnection = time.Minute
)

// eventTimeout bounds the REST lookups made while translating one event.
const eventTimeout = 15 * time.Second

// catchUpSlack is how far before the last post seen the catch-up starts,
// for posts whose events crossed (the server's clock is in
// milliseconds; events of different channels may arrive out of order).
const catchUpSlack = 2 * time.Second

// seenCapacity is how many recent posts the adapter remembers, to tell
// a new post from one already reported and an edit that changes nothing.
const seenCapacity = 50000

// pendingNoticeTTL is how long after deleting a post the adapter sends
// its author's next notice as an ephemeral post in that channel.
const pendingNoticeTTL = 2 * time.Minute

// errTokenRefused is Run's error when the server refuses the token.
var errTokenRefused = errors.New("mattermost: the server refused the access token (HTTP 401): check " + EnvToken)

// errConnectionLost is Run's error when the connection drops and
// Config.DisableReconnect is set.
var errConnectionLost = errors.New("mattermost: WebSocket connection lost")

// Adapter is Vigie's Mattermost adapter. It implements bot.Adapter,
// bot.SelfIdentifier and bot.RoleMemberLister and is safe for concurrent
// use.
type Adapter struct {
	cfg    Config
	log    *zap.Logger
	red    redactor
	client *model.Client4
	tr     *http.Transport
	dialer *websocket.Dialer
	wsURL  string

	cache *lookups
	seen  *seenPosts

	// lastPostAt is the server time (ms) of the newest post seen on the
	// WebSocket; connectedAt is the server time when the current
	// connection was opened, less a margin. The catch-up starts at the
	// later of the two.
	lastPostAt  atomic.Int64
	connectedAt atomic.Int64

	// caughtUp counts the posts reported by catch-ups; reconnects the
	// connections opened after the first.
	caughtUp   atomic.Int64
	reconnects atomic.Int64

	mu                 sync.Mutex
	running            bool
	self               bot.UserRef
	selfAdmin          bool // the bot is a system admin
	teams              map[string]bool
	dmChannels         map[string]string
	pendingNotices     map[string]pendingNotice // user id → channel of their post just deleted
	ephemeralForbidden bool
	forbiddenLogged    map[string]bool // team ids whose missing rights were logged
	sink               *eventSink
	commands           map[string]commandReg // team id + "/" + trigger → registration
	commandURL         string

	// beforeReconnect, when set (tests), runs before each new connection
	// after the first.
	beforeReconnect func(ctx context.Context)

	bg sync.WaitGroup // background work (command registration)
}

// pendingNotice is where the next notice to a user whose post was just
// deleted goes.
type pendingNotice struct {
	channel string
	until   time.Time
}

// eventSink is where the slash-command endpoint sends its events while
// Run runs.
type eventSink struct {
	ctx context.Context
	out chan<- bot.Event
}

// New builds an adapter; it does not connect (Run does). log may be nil.
func New(cfg Config, log *zap.Logger) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	base := strings.TrimRight(cfg.URL, "/")
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("mattermost: server URL: %w", err)
	}
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	default:
		u.Scheme = "ws"
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	client := model.NewAPIv4Client(base)
	client.HTTPClient = &http.Client{Transport: tr}
	client.SetToken(strings.TrimSpace(cfg.Token))
	a := &Adapter{
		cfg:    cfg,
		log:    log.With(zap.String("platform", "mattermost")),
		red:    redactor{token: strings.TrimSpace(cfg.Token)},
		client: client,
		tr:     tr,
		dialer: &websocket.Dialer{
			Proxy:            http.ProxyFromEnvironment,
			HandshakeTimeout: 30 * time.Second,
		},
		wsURL:           u.String(),
		seen:            newSeenPosts(seenCapacity),
		teams:           map[string]bool{},
		dmChannels:      map[string]string{},
		pendingNotices:  map[string]pendingNotice{},
		forbiddenLogged: map[string]bool{},
		commands:        map[string]commandReg{},
	}
	a.cache = newLookups(a)
	return a, nil
}

// Platform returns bot.Mattermost.
func (a *Adapter) Platform() bot.Platform { return bot.Mattermost }

// Self returns the bot's own user, known once Run has connected (zero
// before).
func (a *Adapter) Self() bot.UserRef {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.self
}

// Run connects to the server and sends events to out until ctx is done.
// It serves the slash-command endpoint meanwhile (when
// Config.CommandListen is set). When the WebSocket connection drops, Run
// connects again with backoff (1 s doubling to 1 min, with jitter) and
// catches up on the posts missed meanwhile; a first connection that fails
// is retried the same way unless the server refused the token. Run
// returns nil after ctx is done.
func (a *Adapter) Run(ctx context.Context, out chan<- bot.Event) error {
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return errors.New("mattermost: Run called twice")
	}
	a.running = true
	a.mu.Unlock()
	runCtx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		a.bg.Wait()
		a.mu.Lock()
		a.running = false
		a.sink = nil
		a.mu.Unlock()
		a.tr.CloseIdleConnections()
	}()
	a.mu.Lock()
	a.sink = &eventSink{ctx: runCtx, out: out}
	a.mu.Unlock()

	if a.cfg.CommandListen != "" {
		stop, err := a.serveCommands(runCtx)
		if err != nil {
			return err
		}
		defer stop()
	}

	wait := minBackoff
	connected := false
	for {
		if connected && a.beforeReconnect != nil {
			a.beforeReconnect(runCtx)
		}
		start := time.Now()
		ok, err := a.session(runCtx, out, connected)
		connected = connected || ok
		switch {
		case runCtx.Err() != nil:
			a.log.Info("disconnected")
			return nil
		case errors.Is(err, errTokenRefused):
			return err
		case a.cfg.DisableReconnect:
			if err == nil {
				err = errConnectionLost
			}
			return err
		}
		if time.Since(start) > stableConnection {
			wait = minBackoff
		}
		d := wait + rand.N(wait/2+1)
		a.log.Warn("connection lost; connecting again", zap.Error(err), zap.Duration("wait", d))
		t := time.NewTimer(d)
		select {
		case <-runCtx.Done():
			t.Stop()
			a.log.Info("disconnected")
			return nil
		case <-t.C:
		}
		wait = min(wait*2, maxBackoff)
	}
}

// session opens one connection, catches up when it is not the first, and
// reads events until the connection drops or ctx is done. ok reports
// whether the WebSocket connection was established.
func (a *Adapter) session(ctx context.Context, out chan<- bot.Event, reconnect bool) (ok bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, eventTimeout)
	me, resp, err := a.client.GetMe(cctx, "")
	cancel()
	if err != nil {
		if statusOf(resp, err) == http.StatusUnauthorized {
			return false, errTokenRefused
		}
		return false, fmt.Errorf("mattermost: %s: %w", opConnect, a.red.classify(opConnect, resp, err))
	}
	serverNow := time.Now()
	if resp != nil && resp.Header != nil {
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			serverNow = t
		}
	}
	a.mu.Lock()
	a.self = bot.UserRef{ID: me.Id, Name: me.Username}
	a.selfAdmin = hasField(me.Roles, model.SystemAdminRoleId)
	a.mu.Unlock()
	joined, err := a.loadTeams(ctx, me.Id)
	if err != nil {
		return false, err
	}

	ws, err := model.NewWebSocketClient4WithDialer(a.dialer, a.wsURL, a.red.token)
	if err != nil {
		return false, fmt.Errorf("mattermost: opening the WebSocket: %w", a.red.redact(err))
	}
	ws.Listen()
	defer closeWebSocket(ws)
	if reconnect {
		a.reconnects.Add(1)
	}
	a.log.Info("connected", zap.String("bot", me.Username), zap.Bool("reconnect", reconnect))

	// The connection is open: what is posted from now on arrives as
	// events. Posts made while disconnected are fetched now.
	since := max(a.connectedAt.Load(), a.lastPostAt.Load())
	a.connectedAt.Store(serverNow.Add(-catchUpSlack).UnixMilli())
	if reconnect && since > 0 {
		n, err := a.catchUp(ctx, out, since-catchUpSlack.Milliseconds())
		if err != nil {
			a.log.Error("catch-up incomplete", zap.Int("posts", n), zap.Error(err))
		} else {
			a.log.Info("caught up on missed posts", zap.Int("posts", n))
		}
	}
	if !reconnect {
		a.bg.Go(func() { a.checkRights(ctx) })
	} else {
		// Teams the bot was added to while disconnected.
		for _, team := range joined {
			a.announceTeam(ctx, out, team, time.Now())
		}
	}
	if a.cfg.CommandListen != "" {
		// Every team, at the first connection; afterwards, those where
		// registering failed.
		for _, team := range a.teamList() {
			if !a.commandsRegistered(team) {
				a.bg.Go(func() { a.registerCommandsLogged(ctx, team) })
			}
		}
	}

	events, responses := ws.EventChannel, ws.ResponseChannel
	for {
		select {
		case <-ctx.Done():
			return true, nil
		case ev, open := <-events:
			if !open {
				if ws.ListenError != nil {
					return true, fmt.Errorf("mattermost: WebSocket: %w", a.red.redact(ws.ListenError))
				}
				return true, errConnectionLost
			}
			a.dispatch(ctx, out, ev)
		case _, open := <-responses:
			// Answers to the authentication challenge: nothing to do,
			// but the channel must be drained.
			if !open {
				responses = nil
			}
		case <-ws.PingTimeoutChannel:
			return true, errors.New("mattermost: no ping from the server: connection presumed dead")
		}
	}
}

// closeWebSocket closes a client and drains its channels so that its
// reading goroutine (which may be blocked delivering an event) ends.
func closeWebSocket(ws *model.WebSocketClient) {
	ws.Close()
	events, responses := ws.EventChannel, ws.ResponseChannel
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for events != nil || responses != nil {
		select {
		case _, ok := <-events:
			if !ok {
				events = nil
			}
		case _, ok := <-responses:
			if !ok {
				responses = nil
			}
		case <-timeout.C:
			return
		}
	}
}

// loadTeams records the teams the bot is a member of and returns those
// it did not know.
func (a *Adapter) loadTeams(ctx context.Context, self string) (joined []string, err error) {
	cctx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	teams, resp, err := a.client.GetTeamsForUser(cctx, self, "")
	if err != nil {
		return nil, fmt.Errorf("mattermost: listing the bot's teams: %w", a.red.classify(opClass, resp, err))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	known := a.teams
	a.teams = make(map[string]bool, len(teams))
	for _, t := range teams {
		if t != nil && t.DeleteAt == 0 {
			a.teams[t.Id] = true
			a.cache.putTeam(t)
			if !known[t.Id] {
				joined = append(joined, t.Id)
			}
		}
	}
	return joined, nil
}

// teamList returns the bot's teams.
func (a *Adapter) teamList() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.teams))
	for id := range a.teams {
		out = append(out, id)
	}
	return out
}

// checkRights says at start-up, for each team, what the bot cannot do
// for lack of rights: delete others' posts (team admin needed) and send
// ephemeral notices (system admin needed).
func (a *Adapter) checkRights(ctx context.Context) {
	a.mu.Lock()
	self, sysAdmin := a.self, a.selfAdmin
	a.mu.Unlock()
	if !sysAdmin && !a.cfg.NoEphemeral {
		a.log.Warn("the bot is not a system admin: Mattermost lets only system admins post ephemeral messages, " +
			"so notices to authors go by direct message")
	}
	if sysAdmin {
		return
	}
	for _, team := range a.teamList() {
		cctx, cancel := context.WithTimeout(ctx, eventTimeout)
		tm, err := a.cache.teamMember(cctx, team, self.ID)
		cancel()
		if err != nil {
			a.log.Warn("could not read the bot's rights in a team", zap.String("team", team), zap.Error(err))
			continue
		}
		if !isTeamAdmin(tm) {
			a.logForbidden(team)
		}
	}
}

// logForbidden says, once per team, that the bot cannot delete posts.
func (a *Adapter) logForbidden(team string) {
	a.mu.Lock()
	done := a.forbiddenLogged[team]
	a.forbiddenLogged[team] = true
	a.mu.Unlock()
	if done {
		return
	}
	a.log.Error("the bot cannot delete other users' posts in this team: make it a team admin "+
		"(System Console > Teams > team > Members > Team Admin) or a system admin; until then, alerts say the post could not be deleted",
		zap.String("team", team), zap.String("missing", MissingDelete))
}

// hasField reports whether a space-separated list holds s.
func hasField(list, s string) bool {
	for _, f := range strings.Fields(list) {
		if f == s {
			return true
		}
	}
	return false
}

// isTeamAdmin reports whether a team member is a team admin.
func isTeamAdmin(tm *model.TeamMember) bool {
	return tm != nil && (tm.SchemeAdmin || hasField(tm.Roles, model.TeamAdminRoleId))
}

// send forwards ev to out unless ctx ends first.
func send(ctx context.Context, out chan<- bot.Event, ev bot.Event) bool {
	select {
	case out <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// hostPort is the host:port a listener bound, for a URL.
func hostPort(addr net.Addr) string {
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
	}
	return addr.String()
}
