package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
)

// Delete removes a post. Mattermost keeps no reason for a deletion; the
// incident log has it. Deleting other users' posts needs the bot to be a
// team admin (or system admin): a 403 is an error wrapping
// bot.ErrForbidden with Missing MissingDelete.
func (a *Adapter) Delete(ctx context.Context, m bot.MessageRef, _ string) error {
	resp, err := a.client.DeletePost(ctx, m.ID)
	if err := a.red.classify(opDelete, resp, err); err != nil {
		if errors.Is(err, bot.ErrForbidden) {
			team := m.Class
			if team == "" {
				team = "(unknown team)"
			}
			a.logForbidden(team)
		}
		return err
	}
	// The author's notice, which the bot sends next, goes as an
	// ephemeral post in this channel.
	if s, ok := a.seen.get(m.ID); ok && !a.cfg.NoEphemeral {
		a.mu.Lock()
		a.pendingNotices[s.user] = pendingNotice{channel: m.Channel, until: time.Now().Add(pendingNoticeTTL)}
		if len(a.pendingNotices) > 1000 {
			now := time.Now()
			for u, p := range a.pendingNotices {
				if now.After(p.until) {
					delete(a.pendingNotices, u)
				}
			}
		}
		a.mu.Unlock()
	}
	return nil
}

// takePendingNotice returns (and forgets) the channel where a user's
// post was just deleted.
func (a *Adapter) takePendingNotice(user string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.pendingNotices[user]
	delete(a.pendingNotices, user)
	if !ok || time.Now().After(p.until) || a.ephemeralForbidden {
		return "", false
	}
	return p.channel, true
}

// SendDirect sends msg to u privately. The first message to a user
// whose post the adapter has just deleted (the bot's notice to its
// author) is an ephemeral post in that channel, which only they see,
// when they are online; otherwise, or when the ephemeral post fails, it
// is a direct message. The error wraps bot.ErrDirectClosed when the
// server refuses the direct channel (e.g. direct messages restricted to
// team members).
func (a *Adapter) SendDirect(ctx context.Context, u bot.UserRef, msg bot.OutMessage) error {
	if ch, ok := a.takePendingNotice(u.ID); ok && a.online(ctx, u.ID) {
		err := a.PostEphemeral(ctx, bot.ChannelRef{ID: ch}, u, msg)
		if err == nil {
			return nil
		}
		if errors.Is(err, bot.ErrForbidden) {
			a.mu.Lock()
			first := !a.ephemeralForbidden
			a.ephemeralForbidden = true
			a.mu.Unlock()
			if first {
				a.log.Warn("ephemeral posts refused (the bot is not a system admin): notices go by direct message")
			}
		} else {
			a.log.Warn("ephemeral notice failed; sending a direct message", zap.String("user", u.ID), zap.Error(err))
		}
	}
	dm, err := a.dmChannel(ctx, u.ID)
	if err != nil {
		return err
	}
	_, resp, err := a.client.CreatePost(ctx, &model.Post{ChannelId: dm, Message: Render(msg)})
	return a.red.classify(opDM, resp, err)
}

// online reports whether a user is connected (online, away or do not
// disturb): an ephemeral post reaches only a connected user. When the
// status cannot be read, the user is taken as offline. A status is
// trusted for statusTTL.
func (a *Adapter) online(ctx context.Context, user string) bool {
	if on, ok := a.cache.online.get(user); ok {
		return on
	}
	st, resp, err := a.client.GetUserStatus(ctx, user, "")
	if err != nil {
		a.log.Debug("status not read", zap.String("user", user), zap.Error(a.red.classify(opMember, resp, err)))
		return false
	}
	on := st.Status != model.StatusOffline
	a.cache.online.put(user, on)
	return on
}

// dmChannel returns (and remembers) the direct channel with a user.
func (a *Adapter) dmChannel(ctx context.Context, user string) (string, error) {
	a.mu.Lock()
	ch, ok := a.dmChannels[user]
	self := a.self.ID
	a.mu.Unlock()
	if ok {
		return ch, nil
	}
	if self == "" {
		return "", &bot.PlatformError{Op: opDM, Kind: bot.ErrUnavailable, Err: errors.New("not connected yet")}
	}
	c, resp, err := a.client.CreateDirectChannel(ctx, self, user)
	if err != nil {
		return "", a.red.classify(opDM, resp, err)
	}
	a.mu.Lock()
	a.dmChannels[user] = c.Id
	a.mu.Unlock()
	return c.Id, nil
}

// Post posts msg in a channel, given by id or (within c.Class, a team)
// by name, and returns the new post's reference. Users in msg.Mentions
// are mentioned first. When the bot is not a member of a public channel,
// it joins it and posts again.
func (a *Adapter) Post(ctx context.Context, c bot.ChannelRef, msg bot.OutMessage) (bot.MessageRef, error) {
	ch, err := a.resolveChannel(ctx, c)
	if err != nil {
		return bot.MessageRef{}, err
	}
	text := Render(msg)
	if prefix := a.mentionPrefix(ctx, msg.Mentions); prefix != "" {
		text = cutRunes(prefix+"\n"+text, MaxPostRunes)
	}
	post := &model.Post{ChannelId: ch.Id, Message: text}
	created, resp, err := a.client.CreatePost(ctx, post)
	if statusOf(resp, err) == http.StatusForbidden && ch.Type == model.ChannelTypeOpen {
		if self := a.Self().ID; self != "" {
			if _, jresp, jerr := a.client.AddChannelMember(ctx, ch.Id, self); jerr == nil {
				a.log.Info("joined a channel to post in it", zap.String("channel", ch.Id))
				created, resp, err = a.client.CreatePost(ctx, post)
			} else {
				a.log.Warn("could not join a channel", zap.String("channel", ch.Id),
					zap.Error(a.red.classify(opPost, jresp, jerr)))
			}
		}
	}
	if err != nil {
		return bot.MessageRef{}, a.red.classify(opPost, resp, err)
	}
	return bot.MessageRef{Class: ch.TeamId, Channel: ch.Id, ID: created.Id}, nil
}

// mentionPrefix returns "@name @name" for the users to mention.
func (a *Adapter) mentionPrefix(ctx context.Context, users []bot.UserRef) string {
	var parts []string
	for _, u := range users {
		if u.ID == "" {
			continue
		}
		mu, err := a.cache.user(ctx, u.ID)
		if err != nil {
			a.log.Warn("user to mention not found", zap.String("user", u.ID), zap.Error(err))
			continue
		}
		parts = append(parts, "@"+mu.Username)
	}
	return strings.Join(parts, " ")
}

// resolveChannel finds a channel by id, or by name within the team
// c.Class: its handle ("alertes-vigie", with or without '~' or '#'), or
// a display name turned into a handle ("Alertes Vigie").
func (a *Adapter) resolveChannel(ctx context.Context, c bot.ChannelRef) (*model.Channel, error) {
	if c.ID != "" {
		return a.cache.channel(ctx, c.ID)
	}
	name := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(c.Name), "~#"))
	if name == "" {
		return nil, &bot.PlatformError{Op: opPost, Kind: bot.ErrNotFound, Err: errors.New("channel without id or name")}
	}
	if c.Class == "" {
		return nil, &bot.PlatformError{Op: opPost, Kind: bot.ErrNotFound,
			Err: fmt.Errorf("channel %q: a channel name needs its team", name)}
	}
	var lastErr error
	for _, cand := range channelHandles(name) {
		ch, resp, err := a.client.GetChannelByName(ctx, cand, c.Class, "")
		if err == nil {
			a.cache.putChannel(ch)
			return ch, nil
		}
		lastErr = a.red.classify(opPost, resp, err)
		if !errors.Is(lastErr, bot.ErrNotFound) {
			return nil, lastErr
		}
	}
	return nil, lastErr
}

// channelHandles returns the handles a channel name may stand for: as
// given in lower case, then with spaces turned to '-' (Mattermost's
// handle for a display name).
func channelHandles(name string) []string {
	h := strings.ToLower(name)
	out := []string{h}
	if slug := strings.Join(strings.Fields(h), "-"); slug != h {
		out = append(out, slug)
	}
	return out
}

// PostEphemeral posts msg in a channel so that only u sees it.
// Mattermost lets only system admins do this: a 403 wraps
// bot.ErrForbidden with Missing MissingEphemeral.
func (a *Adapter) PostEphemeral(ctx context.Context, c bot.ChannelRef, u bot.UserRef, msg bot.OutMessage) error {
	ch, err := a.resolveChannel(ctx, c)
	if err != nil {
		return err
	}
	_, resp, err := a.client.CreatePostEphemeral(ctx, &model.PostEphemeral{
		UserID: u.ID,
		Post:   &model.Post{ChannelId: ch.Id, Message: Render(msg)},
	})
	return a.red.classify(opEphemeral, resp, err)
}

// Timeout is not offered by Mattermost: it returns an error wrapping
// bot.ErrUnsupported. Use the escalation mode remove_from_channel.
func (a *Adapter) Timeout(context.Context, string, bot.UserRef, time.Duration, string) error {
	return &bot.PlatformError{Op: "timeout", Kind: bot.ErrUnsupported,
		Err: errors.New("Mattermost has no time-out; use escalation mode remove_from_channel")}
}

// RemoveFromChannel takes u out of a channel (the escalation Mattermost
// offers instead of a time-out).
func (a *Adapter) RemoveFromChannel(ctx context.Context, c bot.ChannelRef, u bot.UserRef) error {
	ch, err := a.resolveChannel(ctx, c)
	if err != nil {
		return err
	}
	resp, err := a.client.RemoveUserFromChannel(ctx, ch.Id, u.ID)
	return a.red.classify(opRemove, resp, err)
}

// Member looks up a user in a team (class): name, system and team
// roles, and whether they are an administrator or a bot.
func (a *Adapter) Member(ctx context.Context, class string, u bot.UserRef) (bot.Author, error) {
	mu, err := a.cache.user(ctx, u.ID)
	if err != nil {
		return bot.Author{}, err
	}
	au := bot.Author{
		UserRef: bot.UserRef{ID: mu.Id, Name: displayName(mu)},
		Bot:     mu.IsBot,
		Roles:   strings.Fields(mu.Roles),
		Admin:   hasField(mu.Roles, model.SystemAdminRoleId),
	}
	if class == "" {
		return au, nil
	}
	tm, err := a.cache.teamMember(ctx, class, u.ID)
	if err != nil {
		return au, err
	}
	au.Roles = appendRoles(au.Roles, tm)
	au.Admin = au.Admin || isTeamAdmin(tm)
	return au, nil
}

// Class returns a team's display name and, as its owner (Mattermost
// teams have none), its first team admin who is not a bot.
func (a *Adapter) Class(ctx context.Context, class string) (bot.ClassInfo, error) {
	t, err := a.cache.team(ctx, class)
	if err != nil {
		return bot.ClassInfo{}, err
	}
	info := bot.ClassInfo{ID: t.Id, Name: t.DisplayName}
	admins, err := a.usersWithRole(ctx, class, model.TeamAdminRoleId, 1)
	if err != nil {
		return info, err
	}
	if len(admins) > 0 {
		info.Owner = admins[0]
	}
	return info, nil
}

// RoleMembers returns the members of a team (class) who have a role:
// team_admin, team_user, team_guest, system_admin, system_user or
// system_guest (Mattermost's Team Edition has no custom roles). Bots are
// left out.
func (a *Adapter) RoleMembers(ctx context.Context, class, role string) ([]bot.UserRef, error) {
	return a.usersWithRole(ctx, class, role, 0)
}

// maxRolePages bounds the pages of 200 users read for one role.
const maxRolePages = 25

// usersWithRole lists the team's users with a team or system role; limit
// 0 means all.
func (a *Adapter) usersWithRole(ctx context.Context, team, role string, limit int) ([]bot.UserRef, error) {
	r := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(role), "@"))
	q := url.Values{}
	q.Set("in_team", team)
	switch r {
	case model.TeamAdminRoleId, model.TeamUserRoleId, model.TeamGuestRoleId:
		q.Set("team_roles", r)
	case model.SystemAdminRoleId, model.SystemUserRoleId, model.SystemGuestRoleId:
		q.Set("roles", r)
	default:
		return nil, &bot.PlatformError{Op: opRoleMembers, Kind: bot.ErrNotFound,
			Err: fmt.Errorf("role %q: Mattermost roles are team_admin, team_user, team_guest, system_admin, system_user, system_guest", role)}
	}
	q.Set("active", "true")
	const perPage = 200
	var out []bot.UserRef
	for page := 0; page < maxRolePages; page++ {
		users, resp, err := a.client.GetUsersWithCustomQueryParameters(ctx, page, perPage, q.Encode(), "")
		if err != nil {
			return out, a.red.classify(opRoleMembers, resp, err)
		}
		for _, u := range users {
			if u == nil || u.IsBot || u.DeleteAt != 0 {
				continue
			}
			out = append(out, bot.UserRef{ID: u.Id, Name: displayName(u)})
			if limit > 0 && len(out) >= limit {
				return out, nil
			}
		}
		if len(users) < perPage {
			break
		}
	}
	return out, nil
}
