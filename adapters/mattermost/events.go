package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
)

// seenPost is what the adapter remembers of a post it reported.
type seenPost struct {
	fp      uint64 // fingerprint of what the bot judges
	user    string
	channel string
}

// seenPosts remembers the last capacity posts reported, oldest forgotten
// first.
type seenPosts struct {
	mu    sync.Mutex
	m     map[string]seenPost
	order []string
	next  int
}

func newSeenPosts(capacity int) *seenPosts {
	return &seenPosts{m: make(map[string]seenPost, capacity), order: make([]string, 0, capacity)}
}

// swap records p for id and returns what was recorded before.
func (s *seenPosts) swap(id string, p seenPost) (old seenPost, known bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, known = s.m[id]
	if !known {
		if len(s.order) < cap(s.order) {
			s.order = append(s.order, id)
		} else {
			delete(s.m, s.order[s.next])
			s.order[s.next] = id
			s.next = (s.next + 1) % len(s.order)
		}
	}
	s.m[id] = p
	return old, known
}

// get returns what is recorded for id.
func (s *seenPosts) get(id string) (seenPost, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.m[id]
	return p, ok
}

// fingerprint hashes what the bot judges in a post: its text, file
// names, link previews and message attachments. An edit that changes
// none of them (a reaction, a pin) is not judged again.
func fingerprint(p *model.Post, files []string, embeds []bot.Embed) uint64 {
	h := fnv.New64a()
	h.Write([]byte(p.Message))
	for _, f := range files {
		h.Write([]byte{0})
		h.Write([]byte(f))
	}
	for _, e := range embeds {
		h.Write([]byte{1})
		h.Write([]byte(e.URL))
		h.Write([]byte{0})
		h.Write([]byte(e.Title))
		h.Write([]byte{0})
		h.Write([]byte(e.Description))
	}
	return h.Sum64()
}

// postSource says where a post came from.
type postSource int

const (
	fromPosted  postSource = iota + 1 // a "posted" event
	fromEdited                        // a "post_edited" event
	fromCatchUp                       // GetPostsSince after a reconnection
)

// dispatch handles one WebSocket event.
func (a *Adapter) dispatch(ctx context.Context, out chan<- bot.Event, ev *model.WebSocketEvent) {
	if ev == nil {
		return
	}
	received := time.Now()
	data := ev.GetData()
	bc := ev.GetBroadcast()
	switch ev.EventType() {
	case model.WebsocketEventPosted, model.WebsocketEventPostEdited:
		p, err := postFromData(data)
		if err != nil {
			a.log.Warn("unreadable post event", zap.String("event", string(ev.EventType())), zap.Error(err))
			return
		}
		src := fromPosted
		if ev.EventType() == model.WebsocketEventPostEdited {
			src = fromEdited
		}
		if src == fromPosted {
			if t := p.UpdateAt; t > a.lastPostAt.Load() {
				a.lastPostAt.Store(t)
			}
		}
		a.handlePost(ctx, out, p, src, received)
	case model.WebsocketEventUserAdded:
		a.onUserAdded(ctx, out, str(data, "user_id"), str(data, "team_id"), broadcastChannel(bc), received)
	case model.WebsocketEventAddedToTeam:
		a.onAddedToTeam(ctx, out, str(data, "team_id"), str(data, "user_id"), received)
	case model.WebsocketEventLeaveTeam:
		if str(data, "user_id") == a.Self().ID {
			a.mu.Lock()
			delete(a.teams, str(data, "team_id"))
			a.mu.Unlock()
		}
		a.cache.forgetMember(str(data, "team_id"), str(data, "user_id"))
	case model.WebsocketEventUserUpdated:
		if u, ok := data["user"].(map[string]any); ok {
			if id, _ := u["id"].(string); id != "" {
				a.cache.forgetUser(id)
			}
		}
	case model.WebsocketEventUserRoleUpdated:
		a.cache.forgetUser(str(data, "user_id"))
	case model.WebsocketEventMemberroleUpdated:
		var tm model.TeamMember
		if s := str(data, "member"); s != "" && json.Unmarshal([]byte(s), &tm) == nil {
			a.cache.forgetMember(tm.TeamId, tm.UserId)
		}
	case model.WebsocketEventChannelUpdated, model.WebsocketEventChannelDeleted, model.WebsocketEventChannelConverted:
		a.cache.forgetChannel(broadcastChannel(bc))
		a.cache.forgetChannel(str(data, "channel_id"))
	}
}

// str reads a string from event data.
func str(data map[string]any, key string) string {
	s, _ := data[key].(string)
	return s
}

func broadcastChannel(bc *model.WebsocketBroadcast) string {
	if bc == nil {
		return ""
	}
	return bc.ChannelId
}

// postFromData decodes the "post" field of a posted or post_edited event
// (a JSON string).
func postFromData(data map[string]any) (*model.Post, error) {
	var p model.Post
	s, ok := data["post"].(string)
	if !ok {
		return nil, errNoPost
	}
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, err
	}
	if p.Id == "" || p.ChannelId == "" {
		return nil, errNoPost
	}
	return &p, nil
}

var errNoPost = errors.New("event without a post")

// handlePost reports a post the bot has not judged in its current form:
// a new post, or an edit that changed its text, files or previews.
// System messages, deleted posts and the bot's own posts are ignored.
func (a *Adapter) handlePost(ctx context.Context, out chan<- bot.Event, p *model.Post, src postSource, received time.Time) bool {
	if p.DeleteAt != 0 || p.IsSystemMessage() || p.UserId == "" {
		return false
	}
	if self := a.Self(); self.ID != "" && p.UserId == self.ID {
		return false
	}
	ectx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	files := a.fileNames(ectx, p)
	embeds := embedsOf(p)
	fp := fingerprint(p, files, embeds)
	old, known := a.seen.swap(p.Id, seenPost{fp: fp, user: p.UserId, channel: p.ChannelId})
	if known && old.fp == fp {
		return false
	}
	kind := bot.MessageCreated
	if known || src == fromEdited {
		kind = bot.MessageEdited
	}
	m, ch, err := a.messageFrom(ectx, p, files, embeds)
	if err != nil {
		// The post stays unjudged only if its channel cannot be read:
		// say so with ids.
		a.log.Error("post not judged: its channel could not be read", zap.String("channel", p.ChannelId),
			zap.String("post", p.Id), zap.Error(err))
		return false
	}
	if kind == bot.MessageEdited && p.EditAt > 0 {
		m.Time = time.UnixMilli(p.EditAt)
	}
	return send(ctx, out, bot.Event{Kind: kind, Platform: bot.Mattermost, Message: m,
		Channel: bot.ChannelRef{Class: ch.TeamId, ID: ch.Id, Name: ch.Name}, Received: received})
}

// fileNames returns the names of a post's files: from its metadata, or
// from the API when the event did not carry them.
func (a *Adapter) fileNames(ctx context.Context, p *model.Post) []string {
	if len(p.FileIds) == 0 {
		return nil
	}
	var infos []*model.FileInfo
	if p.Metadata != nil && len(p.Metadata.Files) > 0 {
		infos = p.Metadata.Files
	} else {
		fi, resp, err := a.client.GetFileInfosForPost(ctx, p.Id, "")
		if err != nil {
			a.log.Warn("file names of a post not read", zap.String("post", p.Id),
				zap.Error(a.red.classify(opFetch, resp, err)))
			return nil
		}
		infos = fi
	}
	var out []string
	for _, f := range infos {
		if f != nil && f.Name != "" {
			out = append(out, f.Name)
		}
	}
	return out
}

// embedsOf returns a post's link previews (OpenGraph) and message
// attachments (from bots and webhooks) as embeds.
func embedsOf(p *model.Post) []bot.Embed {
	var out []bot.Embed
	if p.Metadata != nil {
		for _, e := range p.Metadata.Embeds {
			if e == nil {
				continue
			}
			be := bot.Embed{URL: e.URL}
			if d, ok := e.Data.(map[string]any); ok {
				be.Title, _ = d["title"].(string)
				be.Description, _ = d["description"].(string)
				if be.URL == "" {
					be.URL, _ = d["url"].(string)
				}
			}
			if be != (bot.Embed{}) {
				out = append(out, be)
			}
		}
	}
	for _, at := range p.Attachments() {
		if at == nil {
			continue
		}
		desc := strings.TrimSpace(strings.Join(slices.DeleteFunc([]string{at.Pretext, at.Text, at.Fallback},
			func(s string) bool { return s == "" }), "\n"))
		be := bot.Embed{URL: at.TitleLink, Title: at.Title, Description: desc}
		if be != (bot.Embed{}) {
			out = append(out, be)
		}
	}
	return out
}

// messageFrom builds the bot's Message for a post, with its author's
// roles, the users it mentions and the author of the thread it answers.
func (a *Adapter) messageFrom(ctx context.Context, p *model.Post, files []string, embeds []bot.Embed) (*bot.Message, *model.Channel, error) {
	ch, err := a.cache.channel(ctx, p.ChannelId)
	if err != nil {
		return nil, nil, err
	}
	direct := ch.Type == model.ChannelTypeDirect || ch.Type == model.ChannelTypeGroup
	m := &bot.Message{
		Ref:         bot.MessageRef{Class: ch.TeamId, Channel: ch.Id, ID: p.Id},
		ChannelName: ch.Name,
		Text:        p.Message,
		Attachments: files,
		Embeds:      embeds,
		Time:        time.UnixMilli(p.CreateAt),
		Direct:      direct,
	}
	m.Author = a.authorOf(ctx, ch.TeamId, p.UserId)
	if v, _ := p.GetProp(model.PostPropsFromWebhook).(string); v == "true" {
		m.Author.Bot = true
	}
	if v, _ := p.GetProp(model.PostPropsFromBot).(string); v == "true" {
		m.Author.Bot = true
	}
	if ch.TeamId != "" {
		if t, err := a.cache.team(ctx, ch.TeamId); err == nil {
			m.ClassName = t.DisplayName
			m.Link = strings.TrimRight(a.cfg.URL, "/") + "/" + t.Name + "/pl/" + p.Id
		} else {
			a.log.Warn("team lookup failed", zap.String("team", ch.TeamId), zap.Error(err))
		}
	}
	if direct {
		return m, ch, nil
	}
	if names := ExtractMentions(p.Message); len(names) > 0 {
		users, err := a.cache.byUsernames(ctx, names)
		if err != nil {
			a.log.Warn("mentioned users not resolved", zap.String("post", p.Id), zap.Error(err))
		}
		for _, u := range users {
			m.Mentions = append(m.Mentions, bot.UserRef{ID: u.Id, Name: displayName(u)})
		}
	}
	if p.RootId != "" {
		if root := a.rootAuthor(ctx, p.RootId); root != "" && root != p.UserId {
			if u, err := a.cache.user(ctx, root); err == nil {
				m.ReplyTo = &bot.UserRef{ID: u.Id, Name: displayName(u)}
			} else {
				m.ReplyTo = &bot.UserRef{ID: root}
			}
		}
	}
	return m, ch, nil
}

// rootAuthor returns the author of a thread's root post.
func (a *Adapter) rootAuthor(ctx context.Context, root string) string {
	if s, ok := a.seen.get(root); ok {
		return s.user
	}
	p, resp, err := a.client.GetPost(ctx, root, "")
	if err != nil {
		a.log.Warn("thread root not read", zap.String("post", root), zap.Error(a.red.classify(opFetch, resp, err)))
		return ""
	}
	return p.UserId
}

// displayName is the name shown for a user: their full name, else their
// user name.
func displayName(u *model.User) string {
	if u == nil {
		return ""
	}
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	if n := strings.TrimSpace(u.Nickname); n != "" {
		return n
	}
	return u.Username
}

// authorOf returns a user as an author in a team: their system and team
// roles, and whether they are an administrator or a bot. When a lookup
// fails, the author is taken for a student (moderated) and the failure
// logged.
func (a *Adapter) authorOf(ctx context.Context, team, user string) bot.Author {
	au := bot.Author{UserRef: bot.UserRef{ID: user}}
	u, err := a.cache.user(ctx, user)
	if err != nil {
		a.log.Warn("author lookup failed; judged as a student", zap.String("user", user), zap.Error(err))
		return au
	}
	au.Name = displayName(u)
	au.Bot = u.IsBot
	au.Roles = strings.Fields(u.Roles)
	au.Admin = hasField(u.Roles, model.SystemAdminRoleId)
	if team == "" {
		return au
	}
	tm, err := a.cache.teamMember(ctx, team, user)
	if err != nil {
		a.log.Warn("team membership lookup failed", zap.String("team", team), zap.String("user", user), zap.Error(err))
		return au
	}
	au.Roles = appendRoles(au.Roles, tm)
	au.Admin = au.Admin || isTeamAdmin(tm)
	return au
}

// appendRoles adds a team membership's roles (explicit and from the
// scheme) to roles, without duplicates.
func appendRoles(roles []string, tm *model.TeamMember) []string {
	add := func(r string) {
		if r != "" && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	for _, r := range strings.Fields(tm.Roles) {
		add(r)
	}
	for _, r := range strings.Fields(tm.ExplicitRoles) {
		add(r)
	}
	if tm.SchemeGuest {
		add(model.TeamGuestRoleId)
	}
	if tm.SchemeUser {
		add(model.TeamUserRoleId)
	}
	if tm.SchemeAdmin {
		add(model.TeamAdminRoleId)
	}
	return roles
}

// onUserAdded reports a user added to a channel as MemberJoined (the bot
// itself being added needs nothing: its new channel's posts arrive as
// events).
func (a *Adapter) onUserAdded(ctx context.Context, out chan<- bot.Event, user, team, channel string, received time.Time) {
	if user == "" || user == a.Self().ID {
		return
	}
	ectx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	ref := bot.ChannelRef{Class: team, ID: channel}
	if channel != "" {
		if ch, err := a.cache.channel(ectx, channel); err == nil {
			ref.Name = ch.Name
			if ref.Class == "" {
				ref.Class = ch.TeamId
			}
		}
	}
	author := a.authorOf(ectx, ref.Class, user)
	send(ctx, out, bot.Event{Kind: bot.MemberJoined, Platform: bot.Mattermost, Member: &author,
		Channel: ref, Received: received})
}

// onAddedToTeam handles the bot being added to a team.
func (a *Adapter) onAddedToTeam(ctx context.Context, out chan<- bot.Event, team, user string, received time.Time) {
	if team == "" || user != a.Self().ID {
		return
	}
	a.mu.Lock()
	known := a.teams[team]
	a.teams[team] = true
	a.mu.Unlock()
	if known {
		return
	}
	if a.cfg.CommandListen != "" {
		a.bg.Go(func() { a.registerCommandsLogged(ctx, team) })
	}
	a.announceTeam(ctx, out, team, received)
}

// announceTeam reports BotJoinedClass for a team the bot was added to,
// with the team's default channel.
func (a *Adapter) announceTeam(ctx context.Context, out chan<- bot.Event, team string, received time.Time) {
	a.log.Info("added to a team", zap.String("team", team))
	ectx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	ref := bot.ChannelRef{Class: team}
	ch, resp, err := a.client.GetChannelByName(ectx, model.DefaultChannelName, team, "")
	if err == nil {
		a.cache.putChannel(ch)
		ref.ID, ref.Name = ch.Id, ch.Name
	} else {
		a.log.Warn("default channel of a new team not found", zap.String("team", team),
			zap.Error(a.red.classify(opFetch, resp, err)))
	}
	send(ctx, out, bot.Event{Kind: bot.BotJoinedClass, Platform: bot.Mattermost, Channel: ref, Received: received})
}

// catchUp reports the posts created or edited since since (server time,
// ms) in every team channel the bot is a member of, oldest first, that
// it has not reported yet. It returns how many it reported.
func (a *Adapter) catchUp(ctx context.Context, out chan<- bot.Event, since int64) (int, error) {
	self := a.Self().ID
	var errs []error
	n := 0
	for _, team := range a.teamList() {
		cctx, cancel := context.WithTimeout(ctx, eventTimeout)
		chans, resp, err := a.client.GetChannelsForTeamForUser(cctx, team, self, false, "")
		cancel()
		if err != nil {
			errs = append(errs, a.red.classify(opFetch, resp, err))
			continue
		}
		for _, ch := range chans {
			if ch == nil || ch.DeleteAt != 0 || ch.Type == model.ChannelTypeDirect || ch.Type == model.ChannelTypeGroup {
				continue
			}
			a.cache.putChannel(ch)
			cctx, cancel := context.WithTimeout(ctx, eventTimeout)
			list, resp, err := a.client.GetPostsSince(cctx, ch.Id, since, false)
			cancel()
			if err != nil {
				errs = append(errs, a.red.classify(opFetch, resp, err))
				continue
			}
			posts := make([]*model.Post, 0, len(list.Posts))
			for _, p := range list.Posts {
				if p != nil && p.ChannelId == ch.Id {
					posts = append(posts, p)
				}
			}
			slices.SortFunc(posts, func(x, y *model.Post) int {
				switch {
				case x.CreateAt != y.CreateAt:
					return int(x.CreateAt - y.CreateAt)
				}
				return strings.Compare(x.Id, y.Id)
			})
			received := time.Now()
			for _, p := range posts {
				if a.handlePost(ctx, out, p, fromCatchUp, received) {
					n++
					a.caughtUp.Add(1)
				}
				if p.UpdateAt > a.lastPostAt.Load() {
					a.lastPostAt.Store(p.UpdateAt)
				}
			}
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
		}
	}
	return n, joinErrors(errs)
}

// joinErrors is errors.Join of the first few errors only.
func joinErrors(errs []error) error {
	return errors.Join(errs[:min(len(errs), 5)]...)
}
