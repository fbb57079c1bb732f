package fakediscord

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// apiError is Discord's error body.
func apiError(status, code int, msg string) (int, any) {
	return status, map[string]any{"message": msg, "code": code}
}

// restHandler handles a REST request whose body was read; it runs with
// s.mu held and returns the status and the JSON body (nil: none).
type restHandler func(r *http.Request, body []byte) (int, any)

// routes builds the fake's HTTP handler.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gateway", s.serveGateway)
	mux.HandleFunc("GET /gateway/", s.serveGateway)
	h := func(pattern string, f restHandler) { mux.Handle(pattern, s.rest(f)) }
	const api = "/api/v9"
	h("GET "+api+"/gateway", s.getGateway)
	h("GET "+api+"/gateway/bot", s.getGateway)
	h("GET "+api+"/users/@me", func(*http.Request, []byte) (int, any) { return http.StatusOK, s.bot })
	h("GET "+api+"/users/{user}", s.getUser)
	h("POST "+api+"/users/@me/channels", s.createDM)
	h("GET "+api+"/channels/{channel}", s.getChannel)
	h("POST "+api+"/channels/{channel}/messages", s.createMessage)
	h("GET "+api+"/channels/{channel}/messages/{message}", s.getMessage)
	h("DELETE "+api+"/channels/{channel}/messages/{message}", s.deleteMessage)
	h("GET "+api+"/guilds/{guild}", s.getGuild)
	h("GET "+api+"/guilds/{guild}/channels", s.getGuildChannels)
	h("GET "+api+"/guilds/{guild}/roles", s.getRoles)
	h("GET "+api+"/guilds/{guild}/members", s.listMembers)
	h("GET "+api+"/guilds/{guild}/members/{user}", s.getMember)
	h("PATCH "+api+"/guilds/{guild}/members/{user}", s.patchMember)
	h("GET "+api+"/applications/{app}/commands", s.getCommands)
	h("PUT "+api+"/applications/{app}/commands", s.putCommands)
	h("GET "+api+"/applications/{app}/guilds/{guild}/commands", s.getCommands)
	h("PUT "+api+"/applications/{app}/guilds/{guild}/commands", s.putCommands)
	h("POST "+api+"/interactions/{id}/{token}/callback", s.interactionCallback)
	h("/", func(*http.Request, []byte) (int, any) { return apiError(http.StatusNotFound, 0, "404: Not Found") })
	return mux
}

// rest wraps a handler: it records the call, checks the token, runs the
// hooks and the injected failures.
func (s *Server) rest(f restHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := readBody(r)
		call := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body,
			AuditReason: decodeReason(r.Header.Get("X-Audit-Log-Reason")), Time: time.Now()}

		s.mu.Lock()
		var hooks []func(Call)
		for _, h := range s.hooks {
			if h.method == r.Method && h.path.MatchString(r.URL.Path) {
				hooks = append(hooks, h.fn)
			}
		}
		s.mu.Unlock()
		for _, fn := range hooks {
			fn(call) // outside the lock: a hook may call the fake
		}

		s.mu.Lock()
		var (
			status int
			resp   any
			header = http.Header{}
		)
		authorized := r.Header.Get("Authorization") == "Bot "+s.token
		var rl *rule
		if authorized {
			rl = s.matchRule(r.Method, r.URL.Path, call.Time)
		}
		switch {
		case !authorized:
			status, resp = apiError(http.StatusUnauthorized, 0, "401: Unauthorized")
		case rl != nil && rl.status == http.StatusTooManyRequests:
			left := time.Until(rl.limitUntil)
			if left < 0 {
				left = 0
			}
			secs := left.Seconds()
			status = http.StatusTooManyRequests
			resp = map[string]any{"message": "You are being rate limited.", "retry_after": secs, "global": false}
			header.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
			header.Set("X-RateLimit-Limit", "1")
			header.Set("X-RateLimit-Remaining", "0")
			header.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
			header.Set("X-RateLimit-Bucket", "fake")
			header.Set("X-RateLimit-Scope", "user")
		case rl != nil:
			status = rl.status
			if rl.body != "" {
				resp = json.RawMessage(rl.body)
			}
		default:
			status, resp = f(r, body)
		}
		var out []byte
		if resp != nil {
			var err error
			if out, err = json.Marshal(resp); err != nil {
				status, out = http.StatusInternalServerError, []byte(`{"message":"fake: encoding failed","code":0}`)
			}
		}
		call.Status, call.Response = status, out
		s.calls = append(s.calls, call)
		s.mu.Unlock()

		for k, v := range header {
			w.Header()[k] = v
		}
		if out != nil {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		if out != nil {
			w.Write(out)
		}
	})
}

func (s *Server) getGateway(*http.Request, []byte) (int, any) {
	return http.StatusOK, map[string]any{"url": s.gatewayURL(), "shards": 1,
		"session_start_limit": map[string]any{"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}}
}

func (s *Server) getUser(r *http.Request, _ []byte) (int, any) {
	u, ok := s.users[r.PathValue("user")]
	if !ok {
		return apiError(http.StatusNotFound, discordgo.ErrCodeUnknownUser, "Unknown User")
	}
	return http.StatusOK, u
}

// dmChannelLocked returns (creating it) the DM channel with a user; s.mu
// must be held.
func (s *Server) dmChannelLocked(userID string) *channel {
	if id, ok := s.dmByUser[userID]; ok {
		return s.channels[id]
	}
	c := &channel{id: s.newID(), typ: discordgo.ChannelTypeDM, recipient: userID}
	s.channels[c.id] = c
	s.dmByUser[userID] = c.id
	return c
}

func (s *Server) createDM(_ *http.Request, body []byte) (int, any) {
	var req struct {
		RecipientID string `json:"recipient_id"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.RecipientID == "" {
		return apiError(http.StatusBadRequest, 50035, "Invalid Form Body")
	}
	if _, ok := s.users[req.RecipientID]; !ok {
		return apiError(http.StatusBadRequest, 50033, "Invalid Recipient(s)")
	}
	return http.StatusOK, s.channelJSON(s.dmChannelLocked(req.RecipientID))
}

func (s *Server) getChannel(r *http.Request, _ []byte) (int, any) {
	c, ok := s.channels[r.PathValue("channel")]
	if !ok {
		return apiError(http.StatusNotFound, discordgo.ErrCodeUnknownChannel, "Unknown Channel")
	}
	return http.StatusOK, s.channelJSON(c)
}

func (s *Server) createMessage(r *http.Request, body []byte) (int, any) {
	c, ok := s.channels[r.PathValue("channel")]
	if !ok {
		return apiError(http.StatusNotFound, discordgo.ErrCodeUnknownChannel, "Unknown Channel")
	}
	var req discordgo.MessageSend
	if err := json.Unmarshal(body, &req); err != nil {
		return apiError(http.StatusBadRequest, 50035, "Invalid Form Body")
	}
	if req.Content == "" && len(req.Embeds) == 0 {
		return apiError(http.StatusBadRequest, 50006, "Cannot send an empty message")
	}
	if n := len([]rune(req.Content)); n > 2000 {
		return apiError(http.StatusBadRequest, 50035, fmt.Sprintf("Invalid Form Body: content: Must be 2000 or fewer in length (%d)", n))
	}
	if c.recipient != "" && s.dmClosed[c.recipient] {
		return apiError(http.StatusForbidden, discordgo.ErrCodeCannotSendMessagesToThisUser, "Cannot send messages to this user")
	}
	m := &discordgo.Message{
		ID: s.newID(), ChannelID: c.id, GuildID: c.guild, Content: req.Content, Embeds: req.Embeds,
		Timestamp: time.Now().UTC(), Author: s.bot, Flags: req.Flags, Type: discordgo.MessageTypeDefault,
	}
	s.messages[m.ID] = m
	ev := *m
	if g := s.guilds[c.guild]; g != nil {
		ev.Member = s.memberJSON(g, s.bot.ID, false)
	}
	s.dispatchGuild(c.guild, "MESSAGE_CREATE", &ev)
	return http.StatusOK, m
}

func (s *Server) getMessage(r *http.Request, _ []byte) (int, any) {
	m, ok := s.messages[r.PathValue("message")]
	if !ok || m.ChannelID != r.PathValue("channel") {
		return apiError(http.StatusNotFound, discordgo.ErrCodeUnknownMessage, "Unknown Message")
	}
	// The REST API sends no member object and no guild_id.
	cp := *m
	cp.Member = nil
	cp.GuildID = ""
	return http.StatusOK, &cp
}

func (s *Server) deleteMessage(r *http.Request, _ []byte) (int, any) {
	m, ok := s.messages[r.PathValue("message")]
	if !ok || m.ChannelID != r.PathValue("channel") {
		return apiError(http.StatusNotFound, discordgo.ErrCodeUnknownMessage, "Unknown Message")
	}
	delete(s.messages, m.ID)
	ev := map[string]any{"id": m.ID, "channel_id": m.ChannelID}
	if m.GuildID != "" {
		ev["guild_id"] = m.GuildID
	}
	s.dispatchGuild(m.GuildID, "MESSAGE_DELETE", ev)
	return http.StatusNoContent, nil
}

func (s *Server) guildOr404(r *http.Request) (*guild, int, any) {
	g, ok := s.guilds[r.PathValue("guild")]
	if !ok {
		st, body := apiError(http.StatusNotFound, discordgo.ErrCodeUnknownGuild, "Unknown Guild")
		return nil, st, body
	}
	return g, 0, nil
}

func (s *Server) getGuild(r *http.Request, _ []byte) (int, any) {
	g, st, body := s.guildOr404(r)
	if g == nil {
		return st, body
	}
	return http.StatusOK, s.guildJSON(g, false)
}

func (s *Server) getGuildChannels(r *http.Request, _ []byte) (int, any) {
	g, st, body := s.guildOr404(r)
	if g == nil {
		return st, body
	}
	out := []*discordgo.Channel{}
	for _, id := range g.channels {
		out = append(out, s.channelJSON(s.channels[id]))
	}
	return http.StatusOK, out
}

func (s *Server) getRoles(r *http.Request, _ []byte) (int, any) {
	g, st, body := s.guildOr404(r)
	if g == nil {
		return st, body
	}
	return http.StatusOK, g.roles
}

// lessID orders snowflakes numerically.
func lessID(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func (s *Server) listMembers(r *http.Request, _ []byte) (int, any) {
	g, st, body := s.guildOr404(r)
	if g == nil {
		return st, body
	}
	limit := 1
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: limit")
		}
		limit = n
	}
	after := r.URL.Query().Get("after")
	var ids []string
	for id := range g.members {
		if after == "" || lessID(after, id) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int {
		switch {
		case lessID(a, b):
			return -1
		case lessID(b, a):
			return 1
		}
		return 0
	})
	if len(ids) > limit {
		ids = ids[:limit]
	}
	out := []*discordgo.Member{}
	for _, id := range ids {
		mj := s.memberJSON(g, id, false)
		mj.User = s.user(id)
		out = append(out, mj)
	}
	return http.StatusOK, out
}

func (s *Server) getMember(r *http.Request, _ []byte) (int, any) {
	g, st, body := s.guildOr404(r)
	if g == nil {
		return st, body
	}
	uid := r.PathValue("user")
	if _, ok := g.members[uid]; !ok {
		return apiError(http.StatusNotFound, discordgo.ErrCodeUnknownMember, "Unknown Member")
	}
	mj := s.memberJSON(g, uid, false)
	mj.User = s.user(uid)
	return http.StatusOK, mj
}

func (s *Server) patchMember(r *http.Request, body []byte) (int, any) {
	g, st, eb := s.guildOr404(r)
	if g == nil {
		return st, eb
	}
	uid := r.PathValue("user")
	m, ok := g.members[uid]
	if !ok {
		return apiError(http.StatusNotFound, discordgo.ErrCodeUnknownMember, "Unknown Member")
	}
	var req map[string]json.RawMessage
	if err := json.Unmarshal(body, &req); err != nil {
		return apiError(http.StatusBadRequest, 50035, "Invalid Form Body")
	}
	if raw, ok := req["communication_disabled_until"]; ok {
		var until *time.Time
		if err := json.Unmarshal(raw, &until); err != nil {
			return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: communication_disabled_until")
		}
		if until != nil && until.After(time.Now().Add(28*24*time.Hour+time.Minute)) {
			return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: communication_disabled_until: longer than 28 days")
		}
		if uid == g.owner {
			return apiError(http.StatusForbidden, discordgo.ErrCodeMissingPermissions, "Missing Permissions")
		}
		m.timeout = until
	}
	mj := s.memberJSON(g, uid, false)
	mj.User = s.user(uid)
	return http.StatusOK, mj
}

func (s *Server) getCommands(r *http.Request, _ []byte) (int, any) {
	out := s.commands[r.PathValue("guild")]
	if out == nil {
		out = []*discordgo.ApplicationCommand{}
	}
	return http.StatusOK, out
}

func (s *Server) putCommands(r *http.Request, body []byte) (int, any) {
	if r.PathValue("app") != s.bot.ID {
		return apiError(http.StatusForbidden, 50001, "Missing Access")
	}
	var cmds []*discordgo.ApplicationCommand
	if err := json.Unmarshal(body, &cmds); err != nil {
		return apiError(http.StatusBadRequest, 50035, "Invalid Form Body")
	}
	for _, c := range cmds {
		if c.Name == "" || c.Name != strings.ToLower(c.Name) || len(c.Name) > 32 {
			return apiError(http.StatusBadRequest, 50035, "Invalid Form Body: name")
		}
		c.ID = s.newID()
		c.ApplicationID = s.bot.ID
		c.GuildID = r.PathValue("guild")
		c.Version = c.ID
	}
	s.commands[r.PathValue("guild")] = cmds
	return http.StatusOK, cmds
}

func (s *Server) interactionCallback(r *http.Request, body []byte) (int, any) {
	it, ok := s.interactions[r.PathValue("id")]
	if !ok || it.token != r.PathValue("token") {
		return apiError(http.StatusNotFound, 10062, "Unknown interaction")
	}
	if it.responded {
		return apiError(http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
	}
	var resp discordgo.InteractionResponse
	if err := json.Unmarshal(body, &resp); err != nil || resp.Type == 0 {
		return apiError(http.StatusBadRequest, 50035, "Invalid Form Body")
	}
	it.responded = true
	return http.StatusNoContent, nil
}
