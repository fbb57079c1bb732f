// Package fakediscord is an in-process fake of Discord for tests and
// benchmarks: an httptest server that speaks the gateway (HELLO,
// IDENTIFY → READY, heartbeats, dispatches with sequence numbers, RESUME
// with replay) and the REST endpoints Vigie's adapter uses. Tests build
// a world (guilds, roles, users, members), connect the adapter with
// Config.APIURL = URL(), make users send messages and commands, inject
// failures (FailNext, RateLimitNext, DropConnection) and read back every
// REST call the adapter made (Calls, Deletes, DMs, Posts, Timeouts).
//
// It is not a test-only package so that the benchmark module can import
// it. It listens on 127.0.0.1 only and never reaches the internet.
//
// Stop the client (the adapter) before calling Close: a client whose
// server disappears keeps trying to reconnect.
package fakediscord

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// discordEpoch is the start of Discord's snowflake clock, in ms.
const discordEpoch = 1420070400000

// DefaultHeartbeat is the heartbeat interval HELLO announces.
const DefaultHeartbeat = 41250 * time.Millisecond

// replayLimit is how many dispatches a session keeps for RESUME; a client
// that missed more must identify again (op 9).
const replayLimit = 50000

// Server is a fake Discord. All its methods are safe for concurrent use.
type Server struct {
	srv       *httptest.Server
	token     string
	bot       *discordgo.User
	heartbeat time.Duration

	mu           sync.Mutex
	closed       bool
	lastID       int64
	users        map[string]*discordgo.User
	guilds       map[string]*guild
	guildOrder   []string
	channels     map[string]*channel
	messages     map[string]*discordgo.Message
	dmClosed     map[string]bool
	dmByUser     map[string]string
	sessions     map[string]*session
	conns        map[*conn]bool
	rules        []*rule
	hooks        []*hook
	written      []func(Dispatched)
	calls        []Call
	commands     map[string][]*discordgo.ApplicationCommand // "" = global, else guild id
	interactions map[string]*interaction
	identifies   int
	resumes      int

	wg sync.WaitGroup // gateway connections' goroutines
}

// Role is a guild role.
type Role struct {
	ID          string
	Name        string
	Permissions int64
}

type guild struct {
	id, name, owner, systemChannel string
	roles                          []*discordgo.Role
	members                        map[string]*member
	channels                       []string
}

type member struct {
	roles   []string
	nick    string
	joined  time.Time
	timeout *time.Time
}

type channel struct {
	id, guild, name string
	typ             discordgo.ChannelType
	recipient       string // direct-message channels
}

type interaction struct {
	token     string
	responded bool
}

// Option configures a Server.
type Option func(*Server)

// WithHeartbeat sets the heartbeat interval announced in HELLO.
func WithHeartbeat(d time.Duration) Option { return func(s *Server) { s.heartbeat = d } }

// WithToken sets the bot token the fake accepts (default: random).
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithBotUser sets the bot's user id and name (default 100000000000000001,
// "Vigie").
func WithBotUser(id, name string) Option {
	return func(s *Server) { s.bot = &discordgo.User{ID: id, Username: name, Bot: true} }
}

// New starts a fake Discord on 127.0.0.1.
func New(opts ...Option) *Server {
	s := &Server{
		token:        randomHex(24),
		bot:          &discordgo.User{ID: "100000000000000001", Username: "Vigie", Bot: true},
		heartbeat:    DefaultHeartbeat,
		users:        map[string]*discordgo.User{},
		guilds:       map[string]*guild{},
		channels:     map[string]*channel{},
		messages:     map[string]*discordgo.Message{},
		dmClosed:     map[string]bool{},
		dmByUser:     map[string]string{},
		sessions:     map[string]*session{},
		conns:        map[*conn]bool{},
		commands:     map[string][]*discordgo.ApplicationCommand{},
		interactions: map[string]*interaction{},
	}
	for _, o := range opts {
		o(s)
	}
	s.users[s.bot.ID] = s.bot
	s.srv = httptest.NewServer(s.routes())
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("fakediscord: crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// URL is the base URL to give the adapter (Config.APIURL); the REST API
// is under /api/v9 and the gateway at /gateway.
func (s *Server) URL() string { return s.srv.URL }

// Token is the bot token the fake accepts (without "Bot ").
func (s *Server) Token() string { return s.token }

// BotID is the bot's user id (also the application id).
func (s *Server) BotID() string { return s.bot.ID }

// Close disconnects every gateway client, waits for the fake's goroutines
// and stops the HTTP server.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	var cs []*conn
	for c := range s.conns {
		cs = append(cs, c)
	}
	s.mu.Unlock()
	for _, c := range cs {
		c.ws.Close()
	}
	s.wg.Wait()
	s.srv.Close()
}

// newID returns a new snowflake; s.mu must be held.
func (s *Server) newID() string {
	id := (time.Now().UnixMilli() - discordEpoch) << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatInt(id, 10)
}

// AddUser adds a user (a student, a teacher, another bot).
func (s *Server) AddUser(id, name string, isBot bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[id] = &discordgo.User{ID: id, Username: name, GlobalName: name, Bot: isBot}
}

// user returns a user, creating one named after its id if unknown; s.mu
// must be held.
func (s *Server) user(id string) *discordgo.User {
	u, ok := s.users[id]
	if !ok {
		u = &discordgo.User{ID: id, Username: "user" + id}
		s.users[id] = u
	}
	return u
}

// everyonePerms are the default permissions of @everyone.
const everyonePerms = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionReadMessageHistory | discordgo.PermissionEmbedLinks

// AddGuild adds a guild with an owner and roles (besides @everyone, whose
// id is the guild's). The guild gets a text channel "general" whose id is
// the guild's id; it is the system channel. If a client is connected, the
// bot "joins" the guild: GUILD_CREATE is dispatched.
func (s *Server) AddGuild(id, name, ownerID string, roles ...Role) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &guild{id: id, name: name, owner: ownerID, systemChannel: id, members: map[string]*member{}}
	g.roles = append(g.roles, &discordgo.Role{ID: id, Name: "@everyone", Permissions: everyonePerms})
	for i, r := range roles {
		g.roles = append(g.roles, &discordgo.Role{ID: r.ID, Name: r.Name, Permissions: r.Permissions, Position: i + 1})
	}
	s.guilds[id] = g
	s.guildOrder = append(s.guildOrder, id)
	s.channels[id] = &channel{id: id, guild: id, name: "general", typ: discordgo.ChannelTypeGuildText}
	g.channels = append(g.channels, id)
	if ownerID != "" {
		s.user(ownerID)
		g.members[ownerID] = &member{joined: time.Now()}
	}
	s.dispatchGuild(id, "GUILD_CREATE", s.guildJSON(g, true))
}

// AddChannel adds a text channel to a guild (dispatching CHANNEL_CREATE
// to connected clients).
func (s *Server) AddChannel(guildID, id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guilds[guildID]
	if g == nil {
		return
	}
	s.channels[id] = &channel{id: id, guild: guildID, name: name, typ: discordgo.ChannelTypeGuildText}
	g.channels = append(g.channels, id)
	s.dispatchGuild(guildID, "CHANNEL_CREATE", s.channelJSON(s.channels[id]))
}

// AddMember makes a user a member of a guild with roles (ids or names).
// If a client is connected, GUILD_MEMBER_ADD is dispatched.
func (s *Server) AddMember(guildID, userID string, roles ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guilds[guildID]
	if g == nil {
		return
	}
	u := s.user(userID)
	m := &member{joined: time.Now()}
	for _, r := range roles {
		m.roles = append(m.roles, g.roleID(r))
	}
	g.members[userID] = m
	mj := s.memberJSON(g, userID, true)
	mj.GuildID = guildID
	mj.User = u
	s.dispatchGuild(guildID, "GUILD_MEMBER_ADD", mj)
}

// roleID resolves a role name to its id (ids pass through).
func (g *guild) roleID(r string) string {
	for _, role := range g.roles {
		if role.ID == r {
			return r
		}
	}
	for _, role := range g.roles {
		if strings.EqualFold(role.Name, r) {
			return role.ID
		}
	}
	return r
}

// SetDMClosed makes a user refuse direct messages (Discord answers 403,
// code 50007).
func (s *Server) SetDMClosed(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dmClosed[userID] = true
}

// MessageOption adds something to a message sent with SendMessage or
// EditMessage.
type MessageOption func(s *Server, m *discordgo.Message)

// Mentions mentions users in the message.
func Mentions(userIDs ...string) MessageOption {
	return func(s *Server, m *discordgo.Message) {
		for _, id := range userIDs {
			m.Mentions = append(m.Mentions, s.user(id))
		}
	}
}

// ReplyTo makes the message a reply to another one.
func ReplyTo(messageID string) MessageOption {
	return func(s *Server, m *discordgo.Message) {
		ref, ok := s.messages[messageID]
		m.MessageReference = &discordgo.MessageReference{MessageID: messageID, ChannelID: m.ChannelID, GuildID: m.GuildID}
		if ok {
			cp := *ref
			cp.ReferencedMessage = nil
			m.ReferencedMessage = &cp
		}
	}
}

// Attachment attaches a file (by name) to the message.
func Attachment(filename string) MessageOption {
	return func(s *Server, m *discordgo.Message) {
		m.Attachments = append(m.Attachments, &discordgo.MessageAttachment{
			ID: s.newID(), Filename: filename, URL: "https://cdn.discordapp.com/attachments/" + m.ChannelID + "/" + filename,
		})
	}
}

// Embed adds an embed (a link preview or a rich embed).
func Embed(url, title, description string) MessageOption {
	return func(s *Server, m *discordgo.Message) {
		m.Embeds = append(m.Embeds, &discordgo.MessageEmbed{Type: discordgo.EmbedTypeLink, URL: url, Title: title, Description: description})
	}
}

// Webhook marks the message as sent by a webhook.
func Webhook(id string) MessageOption {
	return func(s *Server, m *discordgo.Message) { m.WebhookID = id }
}

// SendMessage makes author post content in a channel: the message is
// stored and MESSAGE_CREATE is dispatched with the author's member object
// (roles). guild "" sends a direct message to the bot (channel "" picks
// or creates the author's DM channel). It returns the message id.
func (s *Server) SendMessage(guildID, channelID, authorID, content string, opts ...MessageOption) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if guildID == "" && channelID == "" {
		channelID = s.dmChannelLocked(authorID).id
	}
	m := &discordgo.Message{
		ID: s.newID(), ChannelID: channelID, GuildID: guildID, Content: content,
		Timestamp: time.Now().UTC(), Author: s.user(authorID), Type: discordgo.MessageTypeDefault,
	}
	for _, o := range opts {
		o(s, m)
	}
	if guildID != "" {
		if g := s.guilds[guildID]; g != nil {
			m.Member = s.memberJSON(g, authorID, false)
		}
	}
	if m.MessageReference != nil {
		m.Type = discordgo.MessageTypeReply
	}
	s.messages[m.ID] = m
	s.dispatchGuild(guildID, "MESSAGE_CREATE", m)
	return m.ID
}

// EditMessage changes a message's content (and applies opts) and
// dispatches a full MESSAGE_UPDATE with edited_timestamp. It reports
// whether the message exists.
func (s *Server) EditMessage(messageID, content string, opts ...MessageOption) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[messageID]
	if !ok {
		return false
	}
	cp := *m
	cp.Content = content
	now := time.Now().UTC()
	cp.EditedTimestamp = &now
	for _, o := range opts {
		o(s, &cp)
	}
	s.messages[messageID] = &cp
	s.dispatchGuild(cp.GuildID, "MESSAGE_UPDATE", &cp)
	return true
}

// UnfurlEmbed adds a link preview to a message the way Discord does after
// unfurling a link: a partial MESSAGE_UPDATE with the embeds but without
// content or author. It reports whether the message exists.
func (s *Server) UnfurlEmbed(messageID, url, title, description string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[messageID]
	if !ok {
		return false
	}
	cp := *m
	cp.Embeds = append(append([]*discordgo.MessageEmbed(nil), m.Embeds...),
		&discordgo.MessageEmbed{Type: discordgo.EmbedTypeLink, URL: url, Title: title, Description: description})
	s.messages[messageID] = &cp
	partial := map[string]any{"id": cp.ID, "channel_id": cp.ChannelID, "embeds": cp.Embeds}
	if cp.GuildID != "" {
		partial["guild_id"] = cp.GuildID
	}
	s.dispatchGuild(cp.GuildID, "MESSAGE_UPDATE", partial)
	return true
}

// Message returns a stored message (false once deleted).
func (s *Server) Message(id string) (discordgo.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return discordgo.Message{}, false
	}
	return *m, true
}

// MemberTimeout returns a member's time-out end (nil: none).
func (s *Server) MemberTimeout(guildID, userID string) *time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.guilds[guildID]; g != nil {
		if m := g.members[userID]; m != nil && m.timeout != nil {
			t := *m.timeout
			return &t
		}
	}
	return nil
}

// Interact makes user invoke a slash command in a channel: sub is the
// sub-command ("" for none) and options its named options (values as
// strings; their types come from the registered command when the client
// registered it). It dispatches INTERACTION_CREATE and returns the
// interaction id.
func (s *Server) Interact(guildID, channelID, userID, command, sub string, options map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID()
	tok := randomHex(16)
	s.interactions[id] = &interaction{token: tok}
	decl := s.findCommand(guildID, command)
	var declOpts []*discordgo.ApplicationCommandOption
	cmdID := ""
	if decl != nil {
		declOpts = decl.Options
		cmdID = decl.ID
	}
	var opts []map[string]any
	if sub != "" {
		var subDecl []*discordgo.ApplicationCommandOption
		for _, o := range declOpts {
			if o.Name == sub {
				subDecl = o.Options
			}
		}
		opts = []map[string]any{{"name": sub, "type": discordgo.ApplicationCommandOptionSubCommand, "options": optionsJSON(options, subDecl)}}
	} else {
		opts = optionsJSON(options, declOpts)
	}
	payload := map[string]any{
		"id": id, "application_id": s.bot.ID, "type": discordgo.InteractionApplicationCommand,
		"token": tok, "version": 1, "channel_id": channelID, "locale": "fr",
		"data": map[string]any{"id": cmdID, "name": command, "type": discordgo.ChatApplicationCommand, "options": opts},
	}
	if guildID != "" {
		payload["guild_id"] = guildID
		if g := s.guilds[guildID]; g != nil {
			mj := s.memberJSON(g, userID, true)
			mj.User = s.user(userID)
			mj.Permissions = g.permissions(userID)
			payload["member"] = mj
		}
	} else {
		payload["user"] = s.user(userID)
	}
	s.dispatchGuild(guildID, "INTERACTION_CREATE", payload)
	return id
}

// findCommand finds a registered command by name, guild scope first;
// s.mu must be held.
func (s *Server) findCommand(guildID, name string) *discordgo.ApplicationCommand {
	for _, scope := range []string{guildID, ""} {
		for _, c := range s.commands[scope] {
			if c.Name == name {
				return c
			}
		}
	}
	return nil
}

// optionsJSON types option values after their declarations.
func optionsJSON(values map[string]string, decl []*discordgo.ApplicationCommandOption) []map[string]any {
	var out []map[string]any
	for name, v := range values {
		typ := discordgo.ApplicationCommandOptionString
		for _, d := range decl {
			if d.Name == name {
				typ = d.Type
			}
		}
		var val any = v
		switch typ {
		case discordgo.ApplicationCommandOptionInteger, discordgo.ApplicationCommandOptionNumber:
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				val = f
			}
		case discordgo.ApplicationCommandOptionBoolean:
			val = v == "true"
		}
		out = append(out, map[string]any{"name": name, "type": typ, "value": val})
	}
	return out
}

// permissions computes a member's guild permissions; s.mu must be held.
func (g *guild) permissions(userID string) int64 {
	if userID == g.owner {
		return discordgo.PermissionAll
	}
	var p int64
	m := g.members[userID]
	for _, r := range g.roles {
		if r.ID == g.id {
			p |= r.Permissions
			continue
		}
		if m != nil {
			for _, mr := range m.roles {
				if mr == r.ID {
					p |= r.Permissions
				}
			}
		}
	}
	if p&discordgo.PermissionAdministrator != 0 {
		return discordgo.PermissionAll
	}
	return p
}

// Rule injection ---------------------------------------------------------

type rule struct {
	method     string
	path       *regexp.Regexp
	status     int
	body       string
	retryAfter time.Duration
	limitUntil time.Time // a fired rate limit holds until then
	fired      bool
}

// FailNext makes the next request matching method and pathRegexp (matched
// against the URL path, e.g. `/channels/\d+/messages/\d+$`) fail with
// status and body (a Discord error JSON such as
// `{"message": "Missing Permissions", "code": 50013}`). It panics if
// pathRegexp does not compile, like regexp.MustCompile.
func (s *Server) FailNext(method, pathRegexp string, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, &rule{method: method, path: regexp.MustCompile(pathRegexp), status: status, body: body})
}

// RateLimitNext answers the next matching request with 429, retry_after
// and the X-RateLimit-* headers; like Discord, matching requests made
// before retryAfter has passed are refused too.
func (s *Server) RateLimitNext(method, pathRegexp string, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, &rule{method: method, path: regexp.MustCompile(pathRegexp), status: http.StatusTooManyRequests, retryAfter: retryAfter})
}

// BeforeRequest calls fn (on the server's goroutine, before the request is
// handled) for every request matching method and pathRegexp: a test can
// check what the client did before that call (e.g. that an incident was
// recorded before the DELETE).
func (s *Server) BeforeRequest(method, pathRegexp string, fn func(Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, &hook{method: method, path: regexp.MustCompile(pathRegexp), fn: fn})
}

// Dispatched is a gateway dispatch the fake wrote to a client.
type Dispatched struct {
	Type string // MESSAGE_CREATE, GUILD_CREATE…
	Seq  int64  // its sequence number in the session
	// MessageID is the message of a MESSAGE_CREATE or of a full
	// MESSAGE_UPDATE ("" otherwise).
	MessageID string
	// At is when the fake began writing the frame to the connection:
	// the moment Discord would send it, after the fake's own queueing.
	At time.Time
}

// OnDispatchWritten registers fn, called for every dispatch (replays
// after a RESUME included) once the fake wrote it to a client's
// connection, on the connection's writer goroutine, outside the fake's
// lock. Measurements of the time from a dispatch to the client's answer
// start there rather than at SendMessage, which also counts the fake's
// own encoding and queueing.
func (s *Server) OnDispatchWritten(fn func(Dispatched)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.written = append(s.written, fn)
}

type hook struct {
	method string
	path   *regexp.Regexp
	fn     func(Call)
}

// matchRule returns the injected answer for a request, if any; s.mu must
// be held.
func (s *Server) matchRule(method, path string, now time.Time) *rule {
	for i, r := range s.rules {
		if r.method != method || !r.path.MatchString(path) {
			continue
		}
		if r.status == http.StatusTooManyRequests {
			if !r.fired {
				r.fired = true
				r.limitUntil = now.Add(r.retryAfter)
				return r
			}
			if now.Before(r.limitUntil) {
				return r
			}
			s.rules = append(s.rules[:i], s.rules[i+1:]...)
			continue
		}
		s.rules = append(s.rules[:i], s.rules[i+1:]...)
		return r
	}
	return nil
}

// Call log ----------------------------------------------------------------

// Call is one REST request the fake received.
type Call struct {
	Method      string
	Path        string
	Query       string
	Body        []byte
	AuditReason string // X-Audit-Log-Reason, URL-decoded
	Status      int    // 0 in BeforeRequest hooks
	Response    []byte // the answer's body (nil in hooks)
	Time        time.Time
}

// Calls returns every REST call so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

var (
	reMessage  = regexp.MustCompile(`^/api/v9/channels/(\d+)/messages/(\d+)$`)
	reMessages = regexp.MustCompile(`^/api/v9/channels/(\d+)/messages$`)
	reMember   = regexp.MustCompile(`^/api/v9/guilds/(\d+)/members/(\d+)$`)
	reCallback = regexp.MustCompile(`^/api/v9/interactions/(\d+)/[^/]+/callback$`)
)

// Deletion is a successful message deletion.
type Deletion struct {
	Channel, Message, Reason string
	Time                     time.Time
}

// Deletes returns the successful message deletions, in order.
func (s *Server) Deletes() []Deletion {
	var out []Deletion
	for _, c := range s.Calls() {
		if c.Method != http.MethodDelete || c.Status != http.StatusNoContent {
			continue
		}
		if m := reMessage.FindStringSubmatch(c.Path); m != nil {
			out = append(out, Deletion{Channel: m[1], Message: m[2], Reason: c.AuditReason, Time: c.Time})
		}
	}
	return out
}

// Sent is a message the client posted.
type Sent struct {
	ID        string
	Channel   string
	Guild     string // "" for direct messages
	Recipient string // direct messages: the user
	Content   string
	Flags     discordgo.MessageFlags
	Allowed   *discordgo.MessageAllowedMentions
	Time      time.Time
}

// sent returns the client's successful posts.
func (s *Server) sent() []Sent {
	calls := s.Calls()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, c := range calls {
		if c.Method != http.MethodPost || c.Status != http.StatusOK {
			continue
		}
		m := reMessages.FindStringSubmatch(c.Path)
		if m == nil {
			continue
		}
		var body discordgo.MessageSend
		if err := jsonUnmarshal(c.Body, &body); err != nil {
			continue
		}
		var created struct {
			ID string `json:"id"`
		}
		_ = jsonUnmarshal(c.Response, &created)
		sn := Sent{ID: created.ID, Channel: m[1], Content: body.Content, Flags: body.Flags, Allowed: body.AllowedMentions, Time: c.Time}
		if ch := s.channels[m[1]]; ch != nil {
			sn.Guild, sn.Recipient = ch.guild, ch.recipient
		}
		out = append(out, sn)
	}
	return out
}

// DMs returns the direct messages the client sent, in order.
func (s *Server) DMs() []Sent {
	var out []Sent
	for _, m := range s.sent() {
		if m.Recipient != "" {
			out = append(out, m)
		}
	}
	return out
}

// Posts returns the messages the client posted in guild channels.
func (s *Server) Posts() []Sent {
	var out []Sent
	for _, m := range s.sent() {
		if m.Recipient == "" {
			out = append(out, m)
		}
	}
	return out
}

// TimeoutCall is a successful time-out (or its removal, Until nil).
type TimeoutCall struct {
	Guild, User, Reason string
	Until               *time.Time
	Time                time.Time
}

// Timeouts returns the time-outs the client set.
func (s *Server) Timeouts() []TimeoutCall {
	var out []TimeoutCall
	for _, c := range s.Calls() {
		if c.Method != http.MethodPatch || c.Status != http.StatusOK {
			continue
		}
		m := reMember.FindStringSubmatch(c.Path)
		if m == nil {
			continue
		}
		var body struct {
			Until *time.Time `json:"communication_disabled_until"`
		}
		if err := jsonUnmarshal(c.Body, &body); err != nil {
			continue
		}
		out = append(out, TimeoutCall{Guild: m[1], User: m[2], Reason: c.AuditReason, Until: body.Until, Time: c.Time})
	}
	return out
}

// InteractionResponse is the client's answer to an interaction.
type InteractionResponse struct {
	Interaction string
	Type        discordgo.InteractionResponseType
	Content     string
	Flags       discordgo.MessageFlags
	Time        time.Time
}

// Responses returns the client's successful interaction responses.
func (s *Server) Responses() []InteractionResponse {
	var out []InteractionResponse
	for _, c := range s.Calls() {
		if c.Method != http.MethodPost || c.Status != http.StatusNoContent {
			continue
		}
		m := reCallback.FindStringSubmatch(c.Path)
		if m == nil {
			continue
		}
		var body discordgo.InteractionResponse
		if err := jsonUnmarshal(c.Body, &body); err != nil {
			continue
		}
		r := InteractionResponse{Interaction: m[1], Type: body.Type, Time: c.Time}
		if body.Data != nil {
			r.Content, r.Flags = body.Data.Content, body.Data.Flags
		}
		out = append(out, r)
	}
	return out
}

// Commands returns the slash commands registered globally (scope "") or
// in a guild.
func (s *Server) Commands(scope string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*discordgo.ApplicationCommand(nil), s.commands[scope]...)
}

// Identifies and Resumes count the gateway sessions started and resumed.
func (s *Server) Identifies() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.identifies
}

// Resumes counts the sessions resumed with RESUME.
func (s *Server) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resumes
}

// Connected reports whether some client is connected and identified (or
// resumed).
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		if !ss.dead && ss.conn != nil {
			return true
		}
	}
	return false
}

// WaitFor polls cond until it holds or ctx ends; it returns ctx's error
// in that case. Use it instead of sleeping.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	return WaitFor(ctx, cond)
}

// WaitFor polls cond every few milliseconds until it holds or ctx ends.
func WaitFor(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New("fakediscord: condition not met: " + ctx.Err().Error())
		case <-t.C:
		}
	}
}

// WaitConnected waits until a client is connected and identified.
func (s *Server) WaitConnected(ctx context.Context) error {
	return s.WaitFor(ctx, s.Connected)
}

// readBody reads a request body (bounded).
func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	return b
}

// decodeReason decodes the audit-log reason header.
func decodeReason(h string) string {
	if h == "" {
		return ""
	}
	if d, err := url.PathUnescape(h); err == nil {
		return d
	}
	return h
}
