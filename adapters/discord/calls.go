package discord

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/vigie-edu/vigie/bot"
)

// maxTimeout is the longest time-out Discord accepts.
const maxTimeout = 28 * 24 * time.Hour

// maxAuditReason is the longest audit-log reason Discord keeps.
const maxAuditReason = 512

// auditReason encodes a reason for the X-Audit-Log-Reason header, which
// Discord wants URL-encoded (it may hold accents and must hold no line
// break).
func auditReason(reason string) discordgo.RequestOption {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > maxAuditReason {
		reason = string([]rune(reason)[:maxAuditReason])
	}
	return discordgo.WithAuditLogReason(url.PathEscape(reason))
}

// Delete removes a message, with reason in the server's audit log.
func (a *Adapter) Delete(ctx context.Context, m bot.MessageRef, reason string) error {
	ctx, rec := withRecorder(ctx)
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx)}
	if strings.TrimSpace(reason) != "" {
		opts = append(opts, auditReason(reason))
	}
	err := a.s.ChannelMessageDelete(m.Channel, m.ID, opts...)
	return a.classify(opDelete, rec, err)
}

// maxPings bounds the users one message mentions.
const maxPings = 20

// messageSend builds the payload of a notice or alert: rendered markdown,
// no link previews, and no mentions except the message's own Mentions.
func messageSend(msg bot.OutMessage) *discordgo.MessageSend {
	allowed := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	var pings []string
	for _, u := range msg.Mentions {
		if len(pings) == maxPings {
			break
		}
		if isSnowflake(u.ID) && !slices.Contains(allowed.Users, u.ID) {
			pings = append(pings, "<@"+u.ID+">")
			allowed.Users = append(allowed.Users, u.ID)
		}
	}
	content := Render(msg)
	if len(pings) > 0 {
		prefix := strings.Join(pings, " ") + "\n"
		content = prefix + render(msg, MaxContent-contentLen(prefix))
	}
	return &discordgo.MessageSend{
		Content:         content,
		AllowedMentions: allowed,
		Flags:           discordgo.MessageFlagsSuppressEmbeds,
	}
}

// isSnowflake reports whether s looks like a Discord id.
func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// SendDirect sends msg to u in a direct message. The error wraps
// bot.ErrDirectClosed when the user does not accept direct messages from
// the server's members.
func (a *Adapter) SendDirect(ctx context.Context, u bot.UserRef, msg bot.OutMessage) error {
	ch, err := a.dmChannel(ctx, u.ID)
	if err != nil {
		return err
	}
	ctx, rec := withRecorder(ctx)
	_, err = a.s.ChannelMessageSendComplex(ch, messageSend(msg), discordgo.WithContext(ctx))
	return a.classify(opDM, rec, err)
}

// dmChannel returns (and remembers) the direct-message channel with a
// user.
func (a *Adapter) dmChannel(ctx context.Context, user string) (string, error) {
	a.mu.Lock()
	ch, ok := a.dmChannels[user]
	a.mu.Unlock()
	if ok {
		return ch, nil
	}
	ctx, rec := withRecorder(ctx)
	c, err := a.s.UserChannelCreate(user, discordgo.WithContext(ctx))
	if err != nil {
		return "", a.classify(opDM, rec, err)
	}
	a.mu.Lock()
	a.dmChannels[user] = c.ID
	a.mu.Unlock()
	return c.ID, nil
}

// Post posts msg in a channel, given by id or (within c.Class) by name,
// and returns the new message's reference.
func (a *Adapter) Post(ctx context.Context, c bot.ChannelRef, msg bot.OutMessage) (bot.MessageRef, error) {
	chID, err := a.resolveChannel(ctx, c)
	if err != nil {
		return bot.MessageRef{}, err
	}
	ctx, rec := withRecorder(ctx)
	m, err := a.s.ChannelMessageSendComplex(chID, messageSend(msg), discordgo.WithContext(ctx))
	if err != nil {
		return bot.MessageRef{}, a.classify(opPost, rec, err)
	}
	class := c.Class
	if class == "" {
		class = m.GuildID
	}
	return bot.MessageRef{Class: class, Channel: chID, ID: m.ID}, nil
}

// resolveChannel returns a channel's id: c.ID when it is one, else the
// channel named c.ID or c.Name ("alertes-vigie" or "#alertes-vigie")
// within the class.
func (a *Adapter) resolveChannel(ctx context.Context, c bot.ChannelRef) (string, error) {
	id := strings.TrimSpace(c.ID)
	if isSnowflake(id) || (id != "" && c.Class == "") {
		return id, nil
	}
	name := id
	if name == "" {
		name = c.Name
	}
	name = strings.TrimPrefix(strings.TrimSpace(name), "#")
	if name == "" || c.Class == "" {
		return "", &bot.PlatformError{Op: opPost, Kind: bot.ErrNotFound, Err: fmt.Errorf("no channel given")}
	}
	gi, err := a.guildInfo(ctx, c.Class)
	if err != nil {
		return "", err
	}
	for id, n := range gi.Channels {
		if strings.EqualFold(n, name) {
			return id, nil
		}
	}
	// The state may not know a channel created since: ask.
	ctx, rec := withRecorder(ctx)
	chans, err := a.s.GuildChannels(c.Class, discordgo.WithContext(ctx))
	if err != nil {
		return "", a.classify(opPost, rec, err)
	}
	for _, ch := range chans {
		if strings.EqualFold(ch.Name, name) {
			return ch.ID, nil
		}
	}
	return "", &bot.PlatformError{Op: opPost, Kind: bot.ErrNotFound,
		Err: fmt.Errorf("no channel named %q in guild %s", name, c.Class)}
}

// PostEphemeral returns an error wrapping bot.ErrUnsupported: Discord has
// ephemeral messages only as answers to interactions (see
// bot.Command.Respond).
func (a *Adapter) PostEphemeral(ctx context.Context, c bot.ChannelRef, u bot.UserRef, msg bot.OutMessage) error {
	return &bot.PlatformError{Op: opEphemeral, Kind: bot.ErrUnsupported}
}

// Timeout stops u from posting, reacting and speaking in the guild for d
// (at most 28 days, Discord's limit; d <= 0 lifts a time-out). It needs
// Moderate Members.
func (a *Adapter) Timeout(ctx context.Context, class string, u bot.UserRef, d time.Duration, reason string) error {
	var until *time.Time
	if d > 0 {
		t := time.Now().Add(min(d, maxTimeout)).UTC()
		until = &t
	}
	ctx, rec := withRecorder(ctx)
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx)}
	if strings.TrimSpace(reason) != "" {
		opts = append(opts, auditReason(reason))
	}
	err := a.s.GuildMemberTimeout(class, u.ID, until, opts...)
	return a.classify(opTimeout, rec, err)
}

// RemoveFromChannel returns an error wrapping bot.ErrUnsupported: on
// Discord the escalation is a time-out.
func (a *Adapter) RemoveFromChannel(ctx context.Context, c bot.ChannelRef, u bot.UserRef) error {
	return &bot.PlatformError{Op: opRemove, Kind: bot.ErrUnsupported}
}

// Member looks up a member of a guild: roles (ids then names), owner and
// administrator flags. Outside a guild (class "") it returns the user as
// given.
func (a *Adapter) Member(ctx context.Context, class string, u bot.UserRef) (bot.Author, error) {
	if class == "" {
		return bot.Author{UserRef: u}, nil
	}
	gi, err := a.guildInfo(ctx, class)
	if err != nil {
		return bot.Author{}, err
	}
	ctx, rec := withRecorder(ctx)
	m, err := a.s.GuildMember(class, u.ID, discordgo.WithContext(ctx))
	if err != nil {
		return bot.Author{}, a.classify(opMember, rec, err)
	}
	user := m.User
	if user == nil {
		user = &discordgo.User{ID: u.ID, Username: u.Name}
	}
	return authorFrom(user, m, gi), nil
}

// Class returns a guild's name and owner.
func (a *Adapter) Class(ctx context.Context, class string) (bot.ClassInfo, error) {
	gi, err := a.guildInfo(ctx, class)
	if err != nil {
		return bot.ClassInfo{}, err
	}
	if gi == nil {
		return bot.ClassInfo{}, &bot.PlatformError{Op: opClass, Kind: bot.ErrNotFound, Err: fmt.Errorf("no guild given")}
	}
	info := bot.ClassInfo{ID: gi.ID, Name: gi.Name, Owner: bot.UserRef{ID: gi.OwnerID}}
	if gi.OwnerID != "" {
		// The owner's name is a nicety: a failed lookup leaves it empty.
		if m, err := a.s.GuildMember(class, gi.OwnerID, discordgo.WithContext(ctx)); err == nil {
			info.Owner = userRef(m.User, m)
			info.Owner.ID = gi.OwnerID
		}
	}
	return info, nil
}

// membersPage is the page size of the member list (Discord's maximum).
const membersPage = 1000

// RoleMembers lists the members of a role (given by id or name) in a
// guild, reading the member list page by page. It needs the Server
// Members privileged intent.
func (a *Adapter) RoleMembers(ctx context.Context, class, role string) ([]bot.UserRef, error) {
	gi, err := a.guildInfo(ctx, class)
	if err != nil {
		return nil, err
	}
	roleID, ok := gi.roleByIDOrName(role)
	if !ok {
		return nil, &bot.PlatformError{Op: opRoleMembers, Kind: bot.ErrNotFound,
			Err: fmt.Errorf("no role %q in guild %s", role, class)}
	}
	var users []bot.UserRef
	after := ""
	for {
		cctx, rec := withRecorder(ctx)
		page, err := a.s.GuildMembers(class, after, membersPage, discordgo.WithContext(cctx))
		if err != nil {
			return nil, a.classify(opRoleMembers, rec, err)
		}
		for _, m := range page {
			if m == nil || m.User == nil {
				continue
			}
			for _, r := range m.Roles {
				if r == roleID {
					users = append(users, userRef(m.User, m))
					break
				}
			}
		}
		if len(page) < membersPage {
			return users, nil
		}
		last := page[len(page)-1]
		if last == nil || last.User == nil || last.User.ID == after {
			return users, nil
		}
		after = last.User.ID
		if err := ctx.Err(); err != nil {
			return nil, &bot.PlatformError{Op: opRoleMembers, Kind: bot.ErrUnavailable, Err: err}
		}
	}
}

// Compile-time checks of the interfaces the bot looks for.
var (
	_ bot.Adapter          = (*Adapter)(nil)
	_ bot.SelfIdentifier   = (*Adapter)(nil)
	_ bot.RoleMemberLister = (*Adapter)(nil)
)
