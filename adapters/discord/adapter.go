// Package discord connects Vigie to Discord with discordgo. It
// translates gateway events (messages, edits, members joining, slash
// commands, the bot joining a server) into bot.Events and the bot's calls
// (delete, direct message, post, time-out, lookups) into REST requests,
// and maps Discord's errors to the bot's sentinel errors. No discordgo
// type leaves this package.
//
// The adapter is pointed at a fake Discord (package fakediscord) or a
// proxy with Config.APIURL: its HTTP client sends the requests discordgo
// makes for https://discord.com to that base, per session; discordgo's
// package-level endpoint variables are never modified.
package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
)

// Intents are the gateway intents Vigie asks for: guilds (GUILD_CREATE,
// roles, channels), guild and direct messages with their content
// (privileged: enable "Message Content Intent" for the application) and
// guild members (privileged: "Server Members Intent", for
// GUILD_MEMBER_ADD and role member lists).
const Intents = discordgo.IntentGuilds |
	discordgo.IntentGuildMessages |
	discordgo.IntentMessageContent |
	discordgo.IntentDirectMessages |
	discordgo.IntentGuildMembers

// seenCapacity is how many recent messages the adapter remembers (as
// hashes) to recognise updates that change nothing.
const seenCapacity = 20000

// eventTimeout bounds the REST lookups made while translating one event.
const eventTimeout = 10 * time.Second

// Adapter is Vigie's Discord adapter. It implements bot.Adapter,
// bot.SelfIdentifier and bot.RoleMemberLister and is safe for concurrent
// use.
type Adapter struct {
	cfg      Config
	log      *zap.Logger
	s        *discordgo.Session
	tr       *http.Transport
	rawToken string // without "Bot ", for redaction

	seen   *seenMessages
	guilds *guildCache

	mu          sync.Mutex
	running     bool
	self        bot.UserRef
	appID       string
	knownGuilds map[string]bool // guilds the bot was in at READY, or joined since
	dmChannels  map[string]string

	bg sync.WaitGroup // background work started by events (command registration)

	connected bool   // the gateway session is up (READY or RESUMED seen, no disconnect since)
	status    string // detail for /readyz, without secrets
}

// New builds an adapter; it does not connect (Run does). log may be nil.
func New(cfg Config, log *zap.Logger) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	raw := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cfg.Token), "Bot "))
	s, err := discordgo.New("Bot " + raw)
	if err != nil {
		return nil, fmt.Errorf("discord: new session: %w", err)
	}
	client, tr, err := newHTTPClient(cfg.APIURL)
	if err != nil {
		return nil, err
	}
	s.Client = client
	s.Dialer = &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: 30 * time.Second,
	}
	s.Identify.Intents = Intents
	s.ShardID, s.ShardCount = cfg.ShardID, max(cfg.ShardCount, 1)
	// Run reconnects (and resumes) itself, within its context.
	s.ShouldReconnectOnError = false
	// The bot retries rate-limited calls itself, after RetryAfter and
	// honouring its context; discordgo's own retry sleeps without one.
	s.ShouldRetryOnRateLimit = false
	// Events are handled in order, on discordgo's reading goroutine; the
	// handler never blocks longer than Run's context allows.
	s.SyncEvents = true
	s.StateEnabled = true
	s.State.TrackPresences = false
	s.State.TrackVoice = false
	s.State.TrackEmojis = false
	s.State.TrackMembers = false
	s.State.TrackThreadMembers = false
	s.State.MaxMessageCount = 0
	return &Adapter{
		cfg:         cfg,
		log:         log.With(zap.String("platform", "discord"), zap.Int("shard", cfg.ShardID)),
		s:           s,
		tr:          tr,
		rawToken:    raw,
		seen:        newSeenMessages(seenCapacity),
		guilds:      newGuildCache(),
		knownGuilds: map[string]bool{},
		dmChannels:  map[string]string{},
	}, nil
}

// Platform returns bot.Discord.
func (a *Adapter) Platform() bot.Platform { return bot.Discord }

// Self returns the bot's own user, known once the gateway sent READY
// (zero before).
func (a *Adapter) Self() bot.UserRef {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.self
}

// Run connects to the gateway (as the configured shard) and sends events
// to out until ctx is done. When the connection drops, Run opens it again
// with backoff and discordgo resumes the session (Discord replays the
// events missed meanwhile); a first connection that fails is retried the
// same way unless Discord refused the token, the shard or the intents.
// Run returns nil after ctx is done and the connection is closed (closing
// takes about a second: discordgo waits for the close handshake).
//
// discordgo's own reconnect loop is not used: it can start after Close
// (its heartbeat goroutine may write to the closed connection and then
// reconnect forever), so nothing would bound it by ctx.
func (a *Adapter) Run(ctx context.Context, out chan<- bot.Event) error {
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return errors.New("discord: Run called twice")
	}
	a.running = true
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.running = false
		a.mu.Unlock()
	}()

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	removeEvents := a.s.AddHandler(func(_ *discordgo.Session, e *discordgo.Event) {
		a.dispatch(runCtx, out, e)
	})
	defer removeEvents()
	lost := make(chan struct{}, 1)
	removeDisconnect := a.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		a.setStatus(false, "gateway connection lost, reconnecting")
		select {
		case lost <- struct{}{}:
		default:
		}
	})
	defer removeDisconnect()

	err := a.open(runCtx)
	if err == nil && runCtx.Err() == nil {
		a.log.Info("connected to the gateway")
	}
	for err == nil && runCtx.Err() == nil {
		select {
		case <-runCtx.Done():
		case <-lost:
			switch {
			case runCtx.Err() != nil:
			case a.cfg.DisableReconnect:
				err = errConnectionLost
			default:
				a.log.Warn("gateway connection lost, resuming")
				err = a.open(runCtx)
			}
		}
	}
	removeDisconnect()
	closeErr := a.s.Close()
	cancel()
	a.bg.Wait()
	a.tr.CloseIdleConnections()
	a.log.Info("disconnected from the gateway")
	a.setStatus(false, "stopped")
	if err != nil {
		return err
	}
	if closeErr != nil {
		return fmt.Errorf("discord: close: %w", a.redact(closeErr))
	}
	return nil
}

// errConnectionLost is Run's error when the connection drops and
// Config.DisableReconnect is set.
var errConnectionLost = errors.New("discord: gateway connection lost")

// open opens the session, retrying transient failures with backoff until
// ctx is done (then it returns nil). discordgo identifies a new session,
// or resumes the previous one.
func (a *Adapter) open(ctx context.Context) error {
	wait := time.Second
	for {
		err := a.s.Open()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return nil
		}
		err = a.redact(err)
		if fatalOpenError(err) {
			return fmt.Errorf("discord: connecting to the gateway: %w", err)
		}
		a.log.Warn("gateway connection failed, retrying", zap.Error(err), zap.Duration("wait", wait))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(wait*2, time.Minute)
	}
}

// fatalOpenError reports errors that retrying cannot fix: a refused
// token (HTTP 401, close 4004), an invalid shard (4010, 4011), invalid
// or disallowed intents (4013, 4014).
func fatalOpenError(err error) bool {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusUnauthorized {
		return true
	}
	if errors.Is(err, discordgo.ErrWSShardBounds) {
		return true
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004, 4010, 4011, 4012, 4013, 4014:
			return true
		}
	}
	return false
}

// send forwards ev to out unless ctx ends first.
func send(ctx context.Context, out chan<- bot.Event, ev bot.Event) {
	select {
	case out <- ev:
	case <-ctx.Done():
	}
}

// dispatch handles one gateway dispatch on discordgo's goroutine.
func (a *Adapter) dispatch(ctx context.Context, out chan<- bot.Event, e *discordgo.Event) {
	if ctx.Err() != nil || e == nil {
		return
	}
	received := time.Now()
	if guild, ok := invalidatedBy(e.Struct); ok {
		a.guilds.forget(guild)
	}
	switch ev := e.Struct.(type) {
	case *discordgo.Ready:
		a.onReady(ctx, ev)
		a.setStatus(true, fmt.Sprintf("connected to %d server(s)", len(ev.Guilds)))
	case *discordgo.Resumed:
		a.setStatus(true, "connected (session resumed)")
	case *discordgo.GuildCreate:
		a.onGuildCreate(ctx, out, ev, received)
	case *discordgo.MessageCreate:
		if ev.Message == nil || ev.Author == nil {
			return
		}
		a.seen.swap(ev.ID, fingerprintOf(ev.Message))
		gi := a.guild(ctx, ev.GuildID) // bounded by eventTimeout when it asks the API
		send(ctx, out, bot.Event{Kind: bot.MessageCreated, Platform: bot.Discord,
			Message: messageFrom(ev.Message, gi), Channel: channelRef(ev.GuildID, ev.ChannelID, gi),
			Received: received})
	case *discordgo.MessageUpdate:
		if ev.Message == nil {
			return
		}
		a.onMessageUpdate(ctx, out, ev.Message, parseUpdate(e.RawData), received)
	case *discordgo.GuildMemberAdd:
		if ev.Member == nil || ev.User == nil {
			return
		}
		gi := a.guild(ctx, ev.GuildID)
		author := authorFrom(ev.User, ev.Member, gi)
		ch := bot.ChannelRef{Class: ev.GuildID}
		if gi != nil {
			ch = channelRef(ev.GuildID, gi.SystemChannel, gi)
		}
		send(ctx, out, bot.Event{Kind: bot.MemberJoined, Platform: bot.Discord,
			Member: &author, Channel: ch, Received: received})
	case *discordgo.InteractionCreate:
		if ev.Interaction == nil || ev.Type != discordgo.InteractionApplicationCommand {
			return
		}
		a.onCommand(ctx, out, ev.Interaction, received)
	}
}

// channelRef builds a ChannelRef with the channel's name when known.
func channelRef(guild, channel string, gi *guildInfo) bot.ChannelRef {
	ref := bot.ChannelRef{Class: guild, ID: channel}
	if gi != nil {
		ref.Name = gi.Channels[channel]
	}
	return ref
}

// onReady records the bot's user and guilds and registers the slash
// commands (shard 0 only, in the background).
func (a *Adapter) onReady(ctx context.Context, r *discordgo.Ready) {
	a.mu.Lock()
	if r.User != nil {
		a.self = userRef(r.User, nil)
	}
	appID := a.cfg.ClientID
	if appID == "" && r.Application != nil {
		appID = r.Application.ID
	}
	if appID == "" && r.User != nil {
		appID = r.User.ID
	}
	a.appID = appID
	for _, g := range r.Guilds {
		if g != nil {
			a.knownGuilds[g.ID] = true
		}
	}
	a.mu.Unlock()
	a.log.Info("gateway ready", zap.Int("guilds", len(r.Guilds)))
	if a.cfg.ShardID != 0 || appID == "" {
		return
	}
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		if err := a.registerCommands(ctx, appID); err != nil {
			a.log.Error("slash commands not registered", zap.Error(err))
		}
	}()
}

// registerCommands bulk-overwrites the slash commands, globally or in
// the configured guilds, retrying transient failures a few times.
func (a *Adapter) registerCommands(ctx context.Context, appID string) error {
	scopes := a.cfg.CommandGuilds
	if len(scopes) == 0 {
		scopes = []string{""}
	}
	var errs []error
	for _, guild := range scopes {
		wait := time.Second
		for attempt := 1; ; attempt++ {
			cctx, rec := withRecorder(ctx)
			_, err := a.s.ApplicationCommandBulkOverwrite(appID, guild, Commands(), discordgo.WithContext(cctx))
			err = a.classify(opCommands, rec, err)
			if err == nil {
				a.log.Info("slash commands registered", zap.String("guild", guild))
				break
			}
			var pe *bot.PlatformError
			if attempt >= 3 || ctx.Err() != nil || !errors.As(err, &pe) ||
				(!errors.Is(err, bot.ErrUnavailable) && !errors.Is(err, bot.ErrRateLimited)) {
				errs = append(errs, fmt.Errorf("guild %q: %w", guild, err))
				break
			}
			if pe.RetryAfter > wait {
				wait = pe.RetryAfter
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
			wait *= 2
		}
	}
	return errors.Join(errs...)
}

// onGuildCreate reports a guild the bot was not in at READY as
// BotJoinedClass (GUILD_CREATE also follows READY for every guild the bot
// is already in).
func (a *Adapter) onGuildCreate(ctx context.Context, out chan<- bot.Event, g *discordgo.GuildCreate, received time.Time) {
	if g.Guild == nil || g.Unavailable {
		return
	}
	a.mu.Lock()
	known := a.knownGuilds[g.ID]
	a.knownGuilds[g.ID] = true
	a.mu.Unlock()
	if known {
		return
	}
	gi := guildInfoFrom(g.Guild)
	a.log.Info("joined a server", zap.String("guild", g.ID))
	send(ctx, out, bot.Event{Kind: bot.BotJoinedClass, Platform: bot.Discord,
		Channel: channelRef(g.ID, gi.SystemChannel, gi), Received: received})
}

// onMessageUpdate reports an edit the bot must judge: new text, or a new
// embed (a link preview can carry a porn site's title). An update without
// content (an unfurl) is completed from the REST API.
func (a *Adapter) onMessageUpdate(ctx context.Context, out chan<- bot.Event, m *discordgo.Message, f updateFields, received time.Time) {
	ectx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	if !f.HasContent || !f.HasAuthor {
		fetched, err := a.fetchMessage(ectx, m.ChannelID, m.ID)
		if err != nil {
			a.log.Warn("edited message not fetched", zap.String("channel", m.ChannelID),
				zap.String("message", m.ID), zap.Error(err))
			return
		}
		if fetched.GuildID == "" {
			fetched.GuildID = m.GuildID
		}
		if fetched.Member == nil {
			fetched.Member = m.Member
		}
		f.Edited = f.Edited || fetched.EditedTimestamp != nil
		m = fetched
	}
	if m.Author == nil {
		return
	}
	cur := fingerprintOf(m)
	old, known := a.seen.swap(m.ID, cur)
	if !editWorthJudging(cur, old, known, f.Edited, len(m.Embeds)) {
		return
	}
	if m.GuildID != "" && m.Member == nil {
		// Roles decide exemptions: look the author up.
		if mem, err := a.s.GuildMember(m.GuildID, m.Author.ID, discordgo.WithContext(ectx)); err == nil {
			m.Member = mem
		} else {
			a.log.Warn("author of an edit not found", zap.String("guild", m.GuildID),
				zap.String("user", m.Author.ID), zap.Error(a.redact(err)))
		}
	}
	gi := a.guild(ectx, m.GuildID)
	send(ctx, out, bot.Event{Kind: bot.MessageEdited, Platform: bot.Discord,
		Message: messageFrom(m, gi), Channel: channelRef(m.GuildID, m.ChannelID, gi), Received: received})
}

// fetchMessage reads a message from the REST API.
func (a *Adapter) fetchMessage(ctx context.Context, channel, id string) (*discordgo.Message, error) {
	ctx, rec := withRecorder(ctx)
	m, err := a.s.ChannelMessage(channel, id, discordgo.WithContext(ctx))
	if err != nil {
		return nil, a.classify(opFetch, rec, err)
	}
	return m, nil
}

// onCommand reports a slash command with a Respond that answers
// ephemerally.
func (a *Adapter) onCommand(ctx context.Context, out chan<- bot.Event, i *discordgo.Interaction, received time.Time) {
	d, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok {
		return
	}
	name, sub, args := commandFromInteraction(d)
	ectx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	var gi *guildInfo
	if i.GuildID != "" {
		gi = a.guild(ectx, i.GuildID)
	}
	var author bot.Author
	if i.Member != nil {
		author = authorFrom(i.Member.User, i.Member, gi)
	} else {
		author = authorFrom(i.User, nil, nil)
	}
	cmd := &bot.Command{
		Name: name, Sub: sub, Args: args, User: author,
		Channel: channelRef(i.GuildID, i.ChannelID, gi),
		Respond: a.responder(i),
	}
	send(ctx, out, bot.Event{Kind: bot.CommandInvoked, Platform: bot.Discord,
		Command: cmd, Channel: cmd.Channel, Received: received})
}

// guild returns what the adapter knows of a guild: discordgo's state,
// filled from GUILD_CREATE, or else the REST API (then stored in the
// state; the lookup is bounded by eventTimeout). nil for direct messages
// or when the guild cannot be read.
func (a *Adapter) guild(ctx context.Context, id string) *guildInfo {
	gi, err := a.guildInfo(ctx, id)
	if err != nil {
		a.log.Warn("guild lookup failed", zap.String("guild", id), zap.Error(err))
		return nil
	}
	return gi
}

// guildInfo is guild with its error.
func (a *Adapter) guildInfo(ctx context.Context, id string) (*guildInfo, error) {
	if id == "" {
		return nil, nil
	}
	cached, gen := a.guilds.get(id)
	if cached != nil {
		return cached, nil
	}
	st := a.s.State
	if g, err := st.Guild(id); err == nil {
		st.RLock()
		var gi *guildInfo
		if !g.Unavailable && g.Name != "" {
			gi = guildInfoFrom(g)
		}
		st.RUnlock()
		if gi != nil {
			a.guilds.put(id, gi, gen)
			return gi, nil
		}
		// Only READY's stub so far: GUILD_CREATE has not arrived.
	}
	ctx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	ctx, rec := withRecorder(ctx)
	g, err := a.s.Guild(id, discordgo.WithContext(ctx))
	if err != nil {
		return nil, a.classify(opClass, rec, err)
	}
	gi := guildInfoFrom(g)
	chans, err := a.s.GuildChannels(id, discordgo.WithContext(ctx))
	if err == nil {
		for _, c := range chans {
			gi.Channels[c.ID] = c.Name
		}
		g.Channels = chans
	}
	if err := st.GuildAdd(g); err != nil {
		a.log.Debug("guild not cached", zap.String("guild", id), zap.Error(err))
	}
	if err == nil { // without its channels, it is looked up again next time
		a.guilds.put(id, gi, gen)
	}
	return gi, nil
}
