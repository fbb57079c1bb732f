package discord

import (
	"encoding/json"
	"hash/fnv"
	"slices"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/vigie-edu/vigie/bot"
)

// guildInfo is a copy of what the adapter needs to know about a guild,
// taken from discordgo's state (or the REST API) so that it can be read
// without holding the state's lock.
type guildInfo struct {
	ID            string
	Name          string
	OwnerID       string
	SystemChannel string
	Roles         map[string]roleInfo // by id
	Channels      map[string]string   // channel id → name
}

type roleInfo struct {
	Name  string
	Perms int64
}

// roleByIDOrName finds a role by id, or by name ignoring case.
func (g *guildInfo) roleByIDOrName(s string) (string, bool) {
	if g == nil {
		return "", false
	}
	if _, ok := g.Roles[s]; ok {
		return s, true
	}
	for id, r := range g.Roles {
		if strings.EqualFold(r.Name, s) {
			return id, true
		}
	}
	return "", false
}

// guildInfoFrom copies a discordgo guild.
func guildInfoFrom(g *discordgo.Guild) *guildInfo {
	gi := &guildInfo{
		ID:            g.ID,
		Name:          g.Name,
		OwnerID:       g.OwnerID,
		SystemChannel: g.SystemChannelID,
		Roles:         make(map[string]roleInfo, len(g.Roles)),
		Channels:      make(map[string]string, len(g.Channels)),
	}
	for _, r := range g.Roles {
		if r != nil {
			gi.Roles[r.ID] = roleInfo{Name: r.Name, Perms: r.Permissions}
		}
	}
	for _, c := range g.Channels {
		if c != nil {
			gi.Channels[c.ID] = c.Name
		}
	}
	return gi
}

// userName is the name alerts show for a user: the server nickname, the
// global display name, or the user name.
func userName(u *discordgo.User, m *discordgo.Member) string {
	if m != nil && m.Nick != "" {
		return m.Nick
	}
	if u == nil {
		return ""
	}
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}

// userRef maps a discordgo user.
func userRef(u *discordgo.User, m *discordgo.Member) bot.UserRef {
	if u == nil {
		return bot.UserRef{}
	}
	return bot.UserRef{ID: u.ID, Name: userName(u, m)}
}

// authorFrom maps a user and (in a guild) their member object: roles as
// ids followed by names, the owner flag from the guild, the admin flag
// from the roles' permissions (or the interaction's computed
// permissions).
func authorFrom(u *discordgo.User, m *discordgo.Member, gi *guildInfo) bot.Author {
	a := bot.Author{UserRef: userRef(u, m)}
	if u != nil {
		a.Bot = u.Bot || u.System
	}
	if m == nil {
		return a
	}
	var names []string
	for _, id := range m.Roles {
		a.Roles = append(a.Roles, id)
		if gi == nil {
			continue
		}
		if r, ok := gi.Roles[id]; ok {
			if r.Name != "" && !slices.Contains(names, r.Name) {
				names = append(names, r.Name)
			}
			if r.Perms&discordgo.PermissionAdministrator != 0 {
				a.Admin = true
			}
		}
	}
	a.Roles = append(a.Roles, names...)
	if m.Permissions&discordgo.PermissionAdministrator != 0 {
		a.Admin = true
	}
	if gi != nil && u != nil && gi.OwnerID != "" && gi.OwnerID == u.ID {
		a.Owner = true
		a.Admin = true
	}
	return a
}

// Permalink returns the link to a message (guild "" for a direct
// message).
func Permalink(guild, channel, message string) string {
	if guild == "" {
		guild = "@me"
	}
	return "https://discord.com/channels/" + guild + "/" + channel + "/" + message
}

// messageFrom maps a discordgo message to the bot's Message. gi may be
// nil (direct messages, or a guild the adapter could not look up).
func messageFrom(m *discordgo.Message, gi *guildInfo) *bot.Message {
	msg := &bot.Message{
		Ref:    bot.MessageRef{Class: m.GuildID, Channel: m.ChannelID, ID: m.ID},
		Author: authorFrom(m.Author, m.Member, gi),
		Text:   ReadableText(m.Content, m.Mentions, gi),
		Time:   m.Timestamp,
		Link:   Permalink(m.GuildID, m.ChannelID, m.ID),
		Direct: m.GuildID == "",
	}
	if m.WebhookID != "" {
		msg.Author.Bot = true
	}
	if gi != nil {
		msg.ClassName = gi.Name
		msg.ChannelName = gi.Channels[m.ChannelID]
	}
	for _, at := range m.Attachments {
		if at != nil && at.Filename != "" {
			msg.Attachments = append(msg.Attachments, at.Filename)
		}
	}
	for _, e := range m.Embeds {
		if e == nil || (e.URL == "" && e.Title == "" && e.Description == "") {
			continue
		}
		msg.Embeds = append(msg.Embeds, bot.Embed{URL: e.URL, Title: e.Title, Description: e.Description})
	}
	for _, u := range m.Mentions {
		if u != nil {
			msg.Mentions = append(msg.Mentions, userRef(u, nil))
		}
	}
	if r := m.ReferencedMessage; r != nil && r.Author != nil {
		ref := userRef(r.Author, r.Member)
		msg.ReplyTo = &ref
	}
	return msg
}

// updateFields says which fields a MESSAGE_UPDATE carried: Discord sends
// partial updates (an embed unfurl has no content), and discordgo's
// Message cannot tell an absent content from an empty one.
type updateFields struct {
	HasContent bool
	HasAuthor  bool
	HasEmbeds  bool
	Edited     bool
}

// parseUpdate reads which fields a MESSAGE_UPDATE payload carries. It
// accepts any input: a field of the wrong type counts as absent, and
// unreadable JSON carries nothing.
func parseUpdate(raw []byte) updateFields {
	var p map[string]json.RawMessage
	if err := json.Unmarshal(raw, &p); err != nil {
		return updateFields{}
	}
	isString := func(key string) bool {
		var s string
		v, ok := p[key]
		return ok && json.Unmarshal(v, &s) == nil && string(v) != "null"
	}
	isKind := func(key string, open byte) bool {
		v, ok := p[key]
		return ok && len(v) > 0 && v[0] == open
	}
	edited := false
	if isString("edited_timestamp") {
		var s string
		_ = json.Unmarshal(p["edited_timestamp"], &s)
		edited = s != ""
	}
	return updateFields{
		HasContent: isString("content"),
		HasAuthor:  isKind("author", '{'),
		HasEmbeds:  isKind("embeds", '['),
		Edited:     edited,
	}
}

// fingerprint is what the adapter remembers of a message to tell a real
// edit from an update that changes nothing the bot judges: hashes only,
// never the text.
type fingerprint struct {
	content uint64
	embeds  []uint64 // sorted hashes of embed url+title+description
}

func hashString(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func fingerprintOf(m *discordgo.Message) fingerprint {
	fp := fingerprint{content: hashString(m.Content)}
	for _, e := range m.Embeds {
		if e == nil {
			continue
		}
		fp.embeds = append(fp.embeds, hashString(e.URL, e.Title, e.Description))
	}
	slices.Sort(fp.embeds)
	return fp
}

// newEmbeds reports whether fp has an embed that old had not.
func (fp fingerprint) newEmbeds(old fingerprint) bool {
	for _, e := range fp.embeds {
		if _, found := slices.BinarySearch(old.embeds, e); !found {
			return true
		}
	}
	return false
}

// seenMessages remembers the fingerprints of the last messages, oldest
// forgotten first. Safe for concurrent use.
type seenMessages struct {
	mu    sync.Mutex
	max   int
	byID  map[string]fingerprint
	order []string // ring of ids
	next  int
}

func newSeenMessages(max int) *seenMessages {
	return &seenMessages{max: max, byID: make(map[string]fingerprint, max)}
}

// swap stores fp for id and returns what was stored before.
func (s *seenMessages) swap(id string, fp fingerprint) (old fingerprint, known bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, known = s.byID[id]
	if !known {
		if len(s.order) < s.max {
			s.order = append(s.order, id)
		} else {
			delete(s.byID, s.order[s.next])
			s.order[s.next] = id
			s.next = (s.next + 1) % s.max
		}
	}
	s.byID[id] = fp
	return old, known
}

// editWorthJudging decides whether an update is an edit the bot must
// judge: new text or a new embed. An unknown message (sent before the
// adapter started) is judged when it was edited or carries embeds.
func editWorthJudging(cur, old fingerprint, known, edited bool, embeds int) bool {
	if !known {
		return edited || embeds > 0
	}
	return cur.content != old.content || cur.newEmbeds(old)
}
