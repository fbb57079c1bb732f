package mattermost

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/rules"
	"github.com/vigie-edu/vigie/store"
)

// Environment of the end-to-end tests (set by mm_start in
// .ci/mattermost.sh).
const (
	envTestURL     = "VIGIE_TEST_MATTERMOST_URL"
	envTestSocket  = "VIGIE_TEST_MATTERMOST_SOCKET"
	envTestAdmin   = "VIGIE_TEST_MATTERMOST_ADMIN"    // login, when there is no socket
	envTestAdminPW = "VIGIE_TEST_MATTERMOST_PASSWORD" // its password
	envTestRestart = "VIGIE_TEST_MATTERMOST_RESTART"
	envTestMarker  = "VIGIE_TEST_MATTERMOST_MARKER"
	// envRequireServers lists the servers CI provides: a test that needs
	// one of them fails instead of skipping when it is missing.
	envRequireServers = "VIGIE_REQUIRE_SERVERS"
)

// e2eMarker is the line that says the end-to-end tests ran (CI greps for
// it in the marker file or the verbose output).
const e2eMarker = "MATTERMOST E2E RAN"

// waitLong bounds every wait for something the bot does; the tests
// assert what happens, never how fast.
const waitLong = 90 * time.Second

// e2e is a real Mattermost server prepared through its API.
type e2e struct {
	t        *testing.T
	ctx      context.Context
	base     string
	admin    *model.Client4
	sfx      string
	password string
}

// newE2E connects to the server named by VIGIE_TEST_MATTERMOST_URL as a
// system admin, or skips the test when it is not set.
func newE2E(t *testing.T) *e2e {
	t.Helper()
	base := strings.TrimRight(os.Getenv(envTestURL), "/")
	if base == "" {
		if strings.Contains(os.Getenv(envRequireServers), "mattermost") {
			t.Fatalf("%s names mattermost but %s is not set", envRequireServers, envTestURL)
		}
		t.Skip(envTestURL + " is not set: no Mattermost server to test against " +
			"(run `source .ci/mattermost.sh && mm_start` first)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := &e2e{t: t, ctx: ctx, base: base, sfx: randomSuffix(t), password: "Vigie-Test-" + randomSuffix(t) + "!"}
	e.admin = e.adminClient()
	return e
}

func randomSuffix(t *testing.T) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// adminClient returns a client logged in as a system admin: one created
// for this run through the local-mode socket (no login needed there), or
// the account of VIGIE_TEST_MATTERMOST_ADMIN.
func (e *e2e) adminClient() *model.Client4 {
	t := e.t
	t.Helper()
	c := model.NewAPIv4Client(e.base)
	if sock := os.Getenv(envTestSocket); sock != "" {
		local := model.NewAPIv4SocketClient(sock)
		name := "admin" + e.sfx
		u, _, err := local.CreateUser(e.ctx, &model.User{Username: name, Email: name + "@example.org",
			Password: e.password, EmailVerified: true})
		if err != nil {
			t.Fatalf("creating an admin through the local socket %s: %v", sock, err)
		}
		if _, err := local.UpdateUserRoles(e.ctx, u.Id, model.SystemUserRoleId+" "+model.SystemAdminRoleId); err != nil {
			t.Fatalf("making %s a system admin: %v", name, err)
		}
		if _, _, err := c.Login(e.ctx, name, e.password); err != nil {
			t.Fatalf("admin login: %v", err)
		}
		return c
	}
	login, pw := os.Getenv(envTestAdmin), os.Getenv(envTestAdminPW)
	if login == "" {
		t.Fatalf("set %s (local-mode socket) or %s and %s", envTestSocket, envTestAdmin, envTestAdminPW)
	}
	if _, _, err := c.Login(e.ctx, login, pw); err != nil {
		t.Fatalf("admin login: %v", err)
	}
	return c
}

// must fails the test on an API error.
func must[T any](t *testing.T, what string, v T, _ *model.Response, err error) T {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func mustOK(t *testing.T, what string, _ *model.Response, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// team creates an open team.
func (e *e2e) team(name, display string) *model.Team {
	name = name + "-" + e.sfx
	tm, resp, err := e.admin.CreateTeam(e.ctx, &model.Team{Name: name, DisplayName: display, Type: model.TeamOpen})
	return must(e.t, "create team", tm, resp, err)
}

// channel creates a public channel in a team.
func (e *e2e) channel(team *model.Team, name, display string) *model.Channel {
	ch, resp, err := e.admin.CreateChannel(e.ctx, &model.Channel{TeamId: team.Id, Name: name, DisplayName: display,
		Type: model.ChannelTypeOpen})
	return must(e.t, "create channel "+name, ch, resp, err)
}

// person is a user with a logged-in client.
type person struct {
	*model.User
	c *model.Client4
}

// user creates a user and logs them in.
func (e *e2e) user(name, first string) person {
	name = name + e.sfx
	u, resp, err := e.admin.CreateUser(e.ctx, &model.User{Username: name, Email: name + "@example.org",
		Password: e.password, FirstName: first, EmailVerified: true})
	u = must(e.t, "create user "+name, u, resp, err)
	c := model.NewAPIv4Client(e.base)
	if _, _, err := c.Login(e.ctx, name, e.password); err != nil {
		e.t.Fatalf("login %s: %v", name, err)
	}
	return person{User: u, c: c}
}

// join adds users to a team and channels.
func (e *e2e) join(team *model.Team, chans []*model.Channel, users ...string) {
	for _, u := range users {
		_, resp, err := e.admin.AddTeamMember(e.ctx, team.Id, u)
		mustOK(e.t, "add team member", resp, err)
		for _, ch := range chans {
			_, resp, err := e.admin.AddChannelMember(e.ctx, ch.Id, u)
			mustOK(e.t, "add channel member", resp, err)
		}
	}
}

// teamAdmin makes a user a team admin (or not).
func (e *e2e) teamAdmin(team *model.Team, user string, admin bool) {
	resp, err := e.admin.UpdateTeamMemberSchemeRoles(e.ctx, team.Id, user,
		&model.SchemeRoles{SchemeAdmin: admin, SchemeUser: true})
	mustOK(e.t, "team scheme roles", resp, err)
}

// botAccount creates a bot account with an access token, in a team and
// its channels; sysAdmin also makes it a system admin (needed for
// ephemeral posts).
func (e *e2e) botAccount(name string, team *model.Team, chans []*model.Channel, teamAdmin, sysAdmin bool) (*model.Bot, string) {
	b, resp, err := e.admin.CreateBot(e.ctx, &model.Bot{Username: name + e.sfx, DisplayName: "Vigie"})
	b = must(e.t, "create bot", b, resp, err)
	e.join(team, chans, b.UserId)
	if teamAdmin {
		e.teamAdmin(team, b.UserId, true)
	}
	if sysAdmin {
		resp, err := e.admin.UpdateUserRoles(e.ctx, b.UserId, model.SystemUserRoleId+" "+model.SystemAdminRoleId)
		mustOK(e.t, "bot system admin", resp, err)
	}
	tok, resp, err := e.admin.CreateUserAccessToken(e.ctx, b.UserId, "vigie e2e", 0)
	tok = must(e.t, "bot token", tok, resp, err)
	return b, tok.Token
}

// post posts as a user.
func (e *e2e) post(p person, ch *model.Channel, text string) *model.Post {
	e.t.Helper()
	created, resp, err := p.c.CreatePost(e.ctx, &model.Post{ChannelId: ch.Id, Message: text})
	return must(e.t, "post", created, resp, err)
}

// exists reports whether a post is still there (the admin sees deleted
// posts as 404).
func (e *e2e) exists(id string) bool {
	e.t.Helper()
	_, resp, err := e.admin.GetPost(e.ctx, id, "")
	if err == nil {
		return true
	}
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return false
	}
	e.t.Fatalf("get post %s: %v", id, err)
	return false
}

// watcher records the WebSocket events one user receives.
type watcher struct {
	t      *testing.T
	base   string
	token  string
	mu     sync.Mutex
	ws     *model.WebSocketClient
	events []*model.WebSocketEvent
	notify chan struct{} // closed and replaced on each event
}

// watch opens a WebSocket for a user and records its events until the
// test ends.
func (e *e2e) watch(c *model.Client4) *watcher {
	w := &watcher{t: e.t, base: e.base, token: c.AuthToken, notify: make(chan struct{})}
	w.connect()
	e.t.Cleanup(func() {
		w.mu.Lock()
		ws := w.ws
		w.mu.Unlock()
		closeWebSocket(ws)
	})
	return w
}

// connect opens (again) the watcher's connection.
func (w *watcher) connect() {
	w.t.Helper()
	var ws *model.WebSocketClient
	var err error
	deadline := time.Now().Add(waitLong)
	for {
		ws, err = model.NewWebSocketClient4(strings.Replace(w.base, "http", "ws", 1), w.token)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		w.t.Fatalf("watcher WebSocket: %v", err)
	}
	ws.Listen()
	start := w.mark()
	w.mu.Lock()
	old := w.ws
	w.ws = ws
	w.mu.Unlock()
	if old != nil {
		closeWebSocket(old)
	}
	go func() {
		for {
			select {
			case ev, ok := <-ws.EventChannel:
				if !ok {
					return
				}
				w.mu.Lock()
				w.events = append(w.events, ev)
				close(w.notify)
				w.notify = make(chan struct{})
				w.mu.Unlock()
			case <-ws.ResponseChannel:
			case <-ws.PingTimeoutChannel:
			}
		}
	}()
	// The server sends hello once the connection is registered.
	w.waitFrom(start, "hello", func(ev *model.WebSocketEvent) bool {
		return ev.EventType() == model.WebsocketEventHello
	})
}

// mark returns the number of events recorded so far, for waitFrom.
func (w *watcher) mark() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.events)
}

// waitFrom waits until an event matching pred is recorded at or after
// index start and returns it; what describes it for the failure.
func (w *watcher) waitFrom(start int, what string, pred func(*model.WebSocketEvent) bool) *model.WebSocketEvent {
	w.t.Helper()
	deadline := time.NewTimer(waitLong)
	defer deadline.Stop()
	seen := start
	for {
		w.mu.Lock()
		evs := w.events[seen:]
		seen = len(w.events)
		ch := w.notify
		w.mu.Unlock()
		for _, ev := range evs {
			if pred(ev) {
				return ev
			}
		}
		select {
		case <-ch:
		case <-deadline.C:
			w.t.Fatalf("no %s within %s", what, waitLong)
			return nil
		}
	}
}

// waitFor waits for an event among all recorded so far and to come.
func (w *watcher) waitFor(what string, pred func(*model.WebSocketEvent) bool) *model.WebSocketEvent {
	w.t.Helper()
	return w.waitFrom(0, what, pred)
}

// all returns the events recorded so far.
func (w *watcher) all() []*model.WebSocketEvent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]*model.WebSocketEvent(nil), w.events...)
}

// eventPost decodes the post of a posted, post_edited, post_deleted or
// ephemeral_message event.
func eventPost(ev *model.WebSocketEvent) *model.Post {
	p, err := postFromData(ev.GetData())
	if err != nil {
		return nil
	}
	return p
}

// isDeletion matches the post_deleted event of a post.
func isDeletion(id string) func(*model.WebSocketEvent) bool {
	return func(ev *model.WebSocketEvent) bool {
		if ev.EventType() != model.WebsocketEventPostDeleted {
			return false
		}
		p := eventPost(ev)
		return p != nil && p.Id == id
	}
}

// postedIn matches a post by user in channel whose text contains all of
// parts.
func postedIn(kind model.WebsocketEventType, channel, user string, parts ...string) func(*model.WebSocketEvent) bool {
	return func(ev *model.WebSocketEvent) bool {
		if ev.EventType() != kind {
			return false
		}
		p := eventPost(ev)
		if p == nil || (channel != "" && p.ChannelId != channel) || (user != "" && p.UserId != user) {
			return false
		}
		for _, s := range parts {
			if !strings.Contains(p.Message, s) {
				return false
			}
		}
		return true
	}
}

// vigie is the bot running on the Mattermost adapter.
type vigie struct {
	ad   *Adapter
	b    *bot.Bot
	st   store.Store
	logs *observer.ObservedLogs
	stop func()
}

var (
	rulesOnce sync.Once
	rulesSnap *bot.Snapshot
	rulesErr  error
)

// defaultSnapshot returns the embedded default rules as a snapshot.
func defaultSnapshot(t *testing.T) bot.Snapshot {
	t.Helper()
	rulesOnce.Do(func() {
		r, err := rules.Defaults()
		if err != nil {
			rulesErr = err
			return
		}
		c, err := r.Classifier()
		if err != nil {
			rulesErr = err
			return
		}
		rulesSnap = &bot.Snapshot{Classifier: c, Config: r.Bot, Actions: maps.Clone(r.Filters.Actions), Version: "defaults"}
	})
	if rulesErr != nil {
		t.Fatalf("default rules: %v", rulesErr)
	}
	return *rulesSnap
}

// startVigie runs the bot with the default rules and classes, on an
// SQLite store in a temporary directory, until the test ends. hook, when
// set, is the adapter's beforeReconnect.
func (e *e2e) startVigie(token string, classes []bot.Class, hook func(context.Context)) *vigie {
	t := e.t
	t.Helper()
	snap := defaultSnapshot(t)
	snap.Config.Classes = classes
	st, err := store.Open(e.ctx, "sqlite:"+filepath.Join(t.TempDir(), "incidents.db"))
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	core, logs := observer.New(zap.InfoLevel)
	log := zap.New(core)
	ad, err := New(Config{URL: e.base, Token: token, CommandListen: "127.0.0.1:0"}, log)
	if err != nil {
		t.Fatalf("adapter: %v", err)
	}
	ad.beforeReconnect = hook
	b, err := bot.New(bot.Options{Rules: bot.NewRulesHolder(&snap), Store: st, Logger: log})
	if err != nil {
		t.Fatalf("bot: %v", err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, ad) }()
	v := &vigie{ad: ad, b: b, st: st, logs: logs}
	var once sync.Once
	v.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("bot stopped with: %v", err)
			}
			st.Close()
			for _, entry := range logs.All() {
				if strings.Contains(fmt.Sprint(entry.ContextMap()), token) || strings.Contains(entry.Message, token) {
					t.Errorf("the token appears in a log entry: %q", entry.Message)
				}
			}
		})
	}
	t.Cleanup(v.stop)
	t.Cleanup(func() {
		if t.Failed() {
			for _, en := range logs.All() {
				t.Logf("vigie log: %s %s %v", en.Level, en.Message, en.ContextMap())
			}
		}
	})
	return v
}

// ready waits until the adapter is connected and its slash commands are
// registered in team.
func (v *vigie) ready(t *testing.T, team string) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		v.ad.mu.Lock()
		_, vigieOK := v.ad.commands[team+"/"+TriggerVigie]
		_, aideOK := v.ad.commands[team+"/"+TriggerAide]
		v.ad.mu.Unlock()
		if v.ad.Self().ID != "" && vigieOK && aideOK {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the adapter did not connect and register its commands in %s", waitLong)
}

// connectedOnce waits until the adapter is connected (without commands).
func (v *vigie) connectedOnce(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		if v.ad.Self().ID != "" && len(v.logs.FilterMessage("connected").All()) > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the adapter did not connect in %s", waitLong)
}

// incidentsFor returns the incidents recorded about a message.
func (v *vigie) incidentsFor(t *testing.T, ctx context.Context, team, message string) []*store.Incident {
	t.Helper()
	all, err := v.st.List(ctx, store.Filter{Platform: string(bot.Mattermost), Class: team})
	if err != nil {
		t.Fatalf("store list: %v", err)
	}
	var out []*store.Incident
	for _, in := range all {
		if in.MessageID == message {
			out = append(out, in)
		}
	}
	return out
}

// waitIncident waits until the one incident recorded about a message
// satisfies done (steps are recorded as the bot goes) and returns it.
func (v *vigie) waitIncident(t *testing.T, ctx context.Context, team, message string, done func(*store.Incident) bool) *store.Incident {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	var incs []*store.Incident
	for time.Now().Before(deadline) {
		incs = v.incidentsFor(t, ctx, team, message)
		if len(incs) > 1 {
			t.Fatalf("%d incidents about message %s, want 1", len(incs), message)
		}
		if len(incs) == 1 {
			in, err := v.st.Get(ctx, incs[0].ID)
			if err != nil {
				t.Fatalf("store get: %v", err)
			}
			if done(in) {
				return in
			}
			incs[0] = in
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(incs) == 0 {
		t.Fatalf("no incident about message %s within %s", message, waitLong)
	}
	t.Fatalf("incident about message %s not as expected within %s: %+v steps %+v", message, waitLong, incs[0], incs[0].Steps)
	return nil
}

// restartServer runs VIGIE_TEST_MATTERMOST_RESTART, which returns once
// the server answers again.
func (e *e2e) restartServer() {
	e.t.Helper()
	cmd := os.Getenv(envTestRestart)
	if cmd == "" {
		e.t.Fatalf("%s is not set: the restart test needs a command that restarts the server", envTestRestart)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", "-c", cmd).CombinedOutput()
	if err != nil {
		e.t.Fatalf("restarting the server: %v\n%s", err, out)
	}
}

// markRan records that the end-to-end tests ran.
func markRan(t *testing.T, what string) {
	t.Helper()
	t.Logf("%s: %s", e2eMarker, what)
	if path := os.Getenv(envTestMarker); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Errorf("marker file: %v", err)
			return
		}
		defer f.Close()
		if _, err := fmt.Fprintf(f, "%s: %s\n", e2eMarker, what); err != nil {
			t.Errorf("marker file: %v", err)
		}
	}
}
