package mattermost

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
)

// Slash command triggers. /help is Mattermost's own, so the English
// help is /aide too.
const (
	TriggerVigie = "vigie"
	TriggerAide  = "aide"
)

// commandWait is how long the slash-command endpoint waits for the bot's
// answer before it answers "working on it" (Mattermost waits 30 s by
// default); a later answer goes through the response URL.
const commandWait = 10 * time.Second

// maxCommandBody bounds a slash-command request body.
const maxCommandBody = 64 << 10

// workingText is the endpoint's answer when the bot takes longer than
// commandWait; the real answer follows.
const workingText = "⏳ Vigie traite ta demande… · Vigie is working on it…"

// busyText answers a command that the bot could not take in time.
const busyText = "Vigie est occupé, réessaie dans un instant. · Vigie is busy, please try again in a moment."

// commandReg is a slash command registered in a team.
type commandReg struct {
	id    string
	token string
}

// commandSpec describes one of Vigie's slash commands.
type commandSpec struct {
	trigger, displayName, desc, hint string
}

// commandSpecs are the commands the adapter registers in each team.
var commandSpecs = []commandSpec{
	{
		trigger:     TriggerVigie,
		displayName: "Vigie",
		desc:        "Réglages de la modération (enseignants) · Moderation settings (teachers)",
		hint:        "[status | dryrun on|off | setup channel:~alertes role:team_admin lang:fr]",
	},
	{
		trigger:     TriggerAide,
		displayName: "Vigie — aide",
		desc:        "Aide, ou signaler en privé un problème à un adulte · Help, or privately tell an adult about a problem",
		hint:        "[signaler ce qui se passe]",
	},
}

// setupKeys are the keys /vigie accepts as key:value or key=value.
var setupKeys = map[string]string{
	"channel": "channel", "canal": "channel", "salon": "channel",
	"role": "role", "rôle": "role",
	"lang": "lang", "langue": "lang", "language": "lang",
	"state": "state", "mode": "mode", "on": "on", "value": "value",
}

// ParseCommand turns a slash command's trigger and text into the bot's
// command name, sub-command and arguments, as the Discord adapter does
// for its options:
//
//	/vigie status
//	/vigie dryrun on                      → Args["state"] = "on"
//	/vigie setup channel:~alertes role:team_admin lang:fr
//	/vigie setup ~alertes @team_admin fr  (the same, positionally)
//	/aide                                 → help
//	/aide signaler <text>                 → Sub "report", Args["text"]
//	/aide <text>                          → Sub "report" too: a student who
//	                                        writes something wants it read
//
// The sub-command is lower case; argument values keep their case, less
// a leading '~' (channel) or '@' (role).
func ParseCommand(trigger, text string) (name, sub string, args map[string]string) {
	name = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(trigger), "/"))
	args = map[string]string{}
	text = strings.TrimSpace(text)
	first, rest := cutWord(text)
	switch name {
	case TriggerAide, "help":
		switch strings.ToLower(first) {
		case "", "aide", "help", "?":
			return name, "", args
		case "signaler", "report", "signalement":
			sub = "report"
			text = rest
		default:
			sub = "report"
		}
		if text != "" {
			args["text"] = text
		}
		return name, sub, args
	}
	sub = strings.ToLower(first)
	var positional []string
	for _, w := range strings.Fields(rest) {
		k, v, ok := cutKey(w)
		if key, known := setupKeys[strings.ToLower(k)]; ok && known {
			args[key] = trimRefPrefix(key, v)
			continue
		}
		positional = append(positional, w)
	}
	for _, w := range positional {
		switch {
		case sub == "dryrun" || sub == "dry-run" || sub == "test":
			if _, set := args["state"]; !set {
				args["state"] = w
			}
		case sub == "setup" && strings.HasPrefix(w, "~"):
			setOnce(args, "channel", trimRefPrefix("channel", w))
		case sub == "setup" && strings.HasPrefix(w, "@"):
			setOnce(args, "role", trimRefPrefix("role", w))
		case sub == "setup" && isLang(w):
			setOnce(args, "lang", strings.ToLower(w))
		case sub == "setup":
			if _, set := args["channel"]; !set {
				args["channel"] = trimRefPrefix("channel", w)
			} else {
				setOnce(args, "role", trimRefPrefix("role", w))
			}
		}
	}
	return name, sub, args
}

// cutWord splits off the first word of s.
func cutWord(s string) (first, rest string) {
	i := strings.IndexFunc(s, isSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// cutKey splits "key:value" or "key=value".
func cutKey(w string) (k, v string, ok bool) {
	i := strings.IndexAny(w, ":=")
	if i <= 0 {
		return "", "", false
	}
	return w[:i], w[i+1:], true
}

// trimRefPrefix removes Mattermost's reference marks from a value:
// '~' before a channel, '@' before a role.
func trimRefPrefix(key, v string) string {
	switch key {
	case "channel":
		return strings.TrimLeft(v, "~#")
	case "role":
		return strings.TrimLeft(v, "@")
	}
	return v
}

func setOnce(args map[string]string, k, v string) {
	if _, set := args[k]; !set && v != "" {
		args[k] = v
	}
}

// isLang reports whether w is a language code /vigie setup accepts
// positionally.
func isLang(w string) bool {
	switch strings.ToLower(w) {
	case "fr", "en":
		return true
	}
	return false
}

// serveCommands starts the slash-command endpoint; stop shuts it down.
func (a *Adapter) serveCommands(ctx context.Context) (stop func(), err error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", a.cfg.CommandListen)
	if err != nil {
		return nil, fmt.Errorf("mattermost: slash-command endpoint: %w", err)
	}
	cmdURL := a.cfg.CommandURL
	if cmdURL == "" {
		cmdURL = "http://" + hostPort(ln.Addr()) + CommandPath
	}
	a.mu.Lock()
	a.commandURL = cmdURL
	a.mu.Unlock()
	mux := http.NewServeMux()
	mux.HandleFunc(CommandPath, a.serveCommand)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      commandWait + 10*time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("slash-command endpoint stopped", zap.Error(err))
		}
	}()
	a.log.Info("slash-command endpoint listening", zap.String("addr", ln.Addr().String()), zap.String("url", cmdURL))
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
		<-done
	}, nil
}

// CommandURL returns the URL the server calls for the slash commands,
// known once Run has started the endpoint ("" before, or when disabled).
func (a *Adapter) CommandURL() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.commandURL
}

// commandResponse is the JSON answer to Mattermost.
type commandResponse struct {
	ResponseType     string `json:"response_type"`
	Text             string `json:"text"`
	SkipSlackParsing bool   `json:"skip_slack_parsing"`
}

// writeCommandResponse answers a slash command privately.
func writeCommandResponse(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(commandResponse{
		ResponseType:     model.CommandResponseTypeEphemeral,
		Text:             cutRunes(text, MaxPostRunes),
		SkipSlackParsing: true,
	})
}

// serveCommand handles one slash command: it checks the command's token,
// reports a bot.CommandInvoked event and answers with the bot's reply
// (ephemeral: only the user sees it).
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCommandBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	f := r.PostForm
	team, trigger := f.Get("team_id"), strings.ToLower(strings.TrimPrefix(f.Get("command"), "/"))
	token := f.Get("token")
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Token "); ok && token == "" {
		token = strings.TrimSpace(h)
	}
	a.mu.Lock()
	reg, known := a.commands[team+"/"+trigger]
	sink := a.sink
	a.mu.Unlock()
	if !known || token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(reg.token)) != 1 {
		a.log.Warn("slash command refused: unknown command or wrong token", zap.String("team", team),
			zap.String("command", trigger), zap.String("remote", r.RemoteAddr))
		http.Error(w, "unknown command or wrong token", http.StatusUnauthorized)
		return
	}
	if sink == nil {
		http.Error(w, "not running", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), commandWait)
	defer cancel()
	name, sub, args := ParseCommand(trigger, f.Get("text"))
	user := f.Get("user_id")
	author := a.authorOf(ctx, team, user)
	if author.Name == "" {
		author.Name = f.Get("user_name")
	}
	pr := &pendingReply{a: a, ch: make(chan string, 1), responseURL: f.Get("response_url")}
	cmd := &bot.Command{
		Name: name, Sub: sub, Args: args, User: author,
		Channel: bot.ChannelRef{Class: team, ID: f.Get("channel_id"), Name: f.Get("channel_name")},
		Respond: pr.respond,
	}
	ev := bot.Event{Kind: bot.CommandInvoked, Platform: bot.Mattermost, Command: cmd, Channel: cmd.Channel, Received: time.Now()}
	select {
	case sink.out <- ev:
	case <-ctx.Done():
		pr.finish()
		writeCommandResponse(w, busyText)
		return
	case <-sink.ctx.Done():
		pr.finish()
		writeCommandResponse(w, busyText)
		return
	}
	select {
	case text := <-pr.ch:
		writeCommandResponse(w, text)
	case <-ctx.Done():
		if text, ok := pr.finish(); ok {
			writeCommandResponse(w, text)
			return
		}
		writeCommandResponse(w, workingText)
	}
}

// errResponded is returned by a Command's Respond after the first call.
var errResponded = errors.New("mattermost: command already answered")

// pendingReply carries the bot's answer to a slash command: to the
// waiting HTTP request, or, once it has given up, through the command's
// response URL.
type pendingReply struct {
	a           *Adapter
	ch          chan string
	responseURL string

	mu       sync.Mutex
	used     bool
	finished bool // the HTTP request no longer waits
}

// respond is the Command's Respond.
func (p *pendingReply) respond(ctx context.Context, r bot.Reply) error {
	p.mu.Lock()
	if p.used {
		p.mu.Unlock()
		return errResponded
	}
	p.used = true
	if !p.finished {
		p.ch <- r.Text
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	return p.a.respondLate(ctx, p.responseURL, r.Text)
}

// finish marks the request as no longer waiting and returns an answer
// that arrived meanwhile.
func (p *pendingReply) finish() (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished = true
	select {
	case t := <-p.ch:
		return t, true
	default:
		return "", false
	}
}

// responseHookPath matches the path of a command's response URL.
var responseHookPath = regexp.MustCompile(`/hooks/commands/([a-z0-9]{26})$`)

// respondLate sends a late answer through the command's response URL.
// Only the hook id is taken from the URL: the request goes to the
// configured server, never to a host named by the request.
func (a *Adapter) respondLate(ctx context.Context, responseURL, text string) error {
	m := responseHookPath.FindStringSubmatch(responseURL)
	if m == nil {
		return &bot.PlatformError{Op: opRespond, Kind: bot.ErrNotFound, Err: errors.New("no usable response URL")}
	}
	body, err := json.Marshal(commandResponse{ResponseType: model.CommandResponseTypeEphemeral,
		Text: cutRunes(text, MaxPostRunes), SkipSlackParsing: true})
	if err != nil {
		return fmt.Errorf("mattermost: %s: %w", opRespond, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		strings.TrimRight(a.cfg.URL, "/")+"/hooks/commands/"+m[1], bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("mattermost: %s: %w", opRespond, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.HTTPClient.Do(req)
	if err != nil {
		return a.red.classify(opRespond, nil, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return a.red.classify(opRespond, model.BuildResponse(resp), fmt.Errorf("HTTP %d", resp.StatusCode))
	}
	return nil
}

// commandsRegistered reports whether both commands are registered in a
// team.
func (a *Adapter) commandsRegistered(team string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, spec := range commandSpecs {
		if _, ok := a.commands[team+"/"+spec.trigger]; !ok {
			return false
		}
	}
	return true
}

// registerCommandsLogged registers the commands in a team and logs the
// outcome.
func (a *Adapter) registerCommandsLogged(ctx context.Context, team string) {
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := a.registerCommands(cctx, team); err != nil {
		if ctx.Err() != nil {
			return
		}
		a.log.Error("slash commands /vigie and /aide not registered", zap.String("team", team), zap.Error(err))
		return
	}
	a.log.Info("slash commands registered", zap.String("team", team))
}

// registerCommands creates /vigie and /aide in a team, or updates the
// ones the bot created before (the endpoint URL may have changed), and
// remembers their tokens.
func (a *Adapter) registerCommands(ctx context.Context, team string) error {
	self, cmdURL := a.Self().ID, a.CommandURL()
	if cmdURL == "" {
		return errors.New("the slash-command endpoint is not running")
	}
	existing, resp, err := a.client.ListCommands(ctx, team, true)
	if err != nil {
		return a.red.classify(opCommands, resp, err)
	}
	var errs []error
	for _, spec := range commandSpecs {
		var found *model.Command
		for _, c := range existing {
			if c != nil && c.DeleteAt == 0 && strings.EqualFold(c.Trigger, spec.trigger) {
				found = c
				break
			}
		}
		want := &model.Command{
			TeamId: team, Trigger: spec.trigger, Method: model.CommandMethodPost, URL: cmdURL,
			DisplayName: spec.displayName, Description: spec.desc,
			AutoComplete: true, AutoCompleteDesc: spec.desc, AutoCompleteHint: spec.hint,
		}
		var reg *model.Command
		switch {
		case found == nil:
			reg, resp, err = a.client.CreateCommand(ctx, want)
		case found.CreatorId != self:
			err = fmt.Errorf("/%s is already another integration's command in this team", spec.trigger)
		case found.URL != want.URL || found.Method != want.Method || found.AutoCompleteHint != want.AutoCompleteHint ||
			found.Description != want.Description || found.DisplayName != want.DisplayName || !found.AutoComplete:
			want.Id, want.Token, want.CreatorId, want.CreateAt = found.Id, found.Token, found.CreatorId, found.CreateAt
			reg, resp, err = a.client.UpdateCommand(ctx, want)
		default:
			reg = found
		}
		if err != nil {
			if resp != nil {
				err = a.red.classify(opCommands, resp, err)
			}
			errs = append(errs, fmt.Errorf("/%s: %w", spec.trigger, err))
			continue
		}
		if reg.Token == "" {
			tok, resp, err := a.client.RegenCommandToken(ctx, reg.Id)
			if err != nil {
				errs = append(errs, fmt.Errorf("/%s: token: %w", spec.trigger, a.red.classify(opCommands, resp, err)))
				continue
			}
			reg.Token = tok
		}
		a.mu.Lock()
		a.commands[team+"/"+spec.trigger] = commandReg{id: reg.Id, token: reg.Token}
		a.mu.Unlock()
	}
	return errors.Join(errs...)
}
