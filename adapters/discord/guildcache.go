package discord

import (
	"sync"

	"github.com/bwmarrin/discordgo"
)

// guildCache keeps the guildInfo of each guild, built once from
// discordgo's state instead of for every message: a copy of a school
// server's roles and channels (a few hundred entries) for each message
// cost more than the rest of the adapter's work on it, and its garbage
// made collections more frequent. An entry is dropped when an event
// changes what it copies (the guild, its roles, its channels) and built
// again on next use.
//
// A guildInfo from the cache is shared: nobody modifies it.
type guildCache struct {
	mu   sync.Mutex
	gen  uint64 // bumped by every invalidation
	byID map[string]*guildInfo
}

func newGuildCache() *guildCache { return &guildCache{byID: map[string]*guildInfo{}} }

// get returns the cached guild, if any, and the generation to give put
// when the caller builds it.
func (c *guildCache) get(id string) (*guildInfo, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byID[id], c.gen
}

// put caches gi unless an invalidation happened since get returned gen
// (gi may then be stale: the next use builds it again).
func (c *guildCache) put(id string, gi *guildInfo, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		c.byID[id] = gi
	}
}

// forget drops a guild ("" drops them all).
func (c *guildCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if id == "" {
		clear(c.byID)
		return
	}
	delete(c.byID, id)
}

// invalidatedBy returns the guild whose cached copy a gateway event makes
// stale ("" for all of them: a new session, or an event without its
// guild), and ok=false for events that change nothing the cache holds.
// discordgo updates its state before the adapter sees the event, so the
// copy built next is up to date.
func invalidatedBy(ev any) (guild string, ok bool) {
	switch e := ev.(type) {
	case *discordgo.Ready, *discordgo.Resumed:
		return "", true
	case *discordgo.GuildCreate:
		return guildID(e.Guild), true
	case *discordgo.GuildUpdate:
		return guildID(e.Guild), true
	case *discordgo.GuildDelete:
		return guildID(e.Guild), true
	case *discordgo.GuildRoleCreate:
		return roleGuild(e.GuildRole), true
	case *discordgo.GuildRoleUpdate:
		return roleGuild(e.GuildRole), true
	case *discordgo.GuildRoleDelete:
		return e.GuildID, true
	case *discordgo.ChannelCreate:
		return channelGuild(e.Channel), true
	case *discordgo.ChannelUpdate:
		return channelGuild(e.Channel), true
	case *discordgo.ChannelDelete:
		return channelGuild(e.Channel), true
	}
	return "", false
}

func guildID(g *discordgo.Guild) string {
	if g == nil {
		return ""
	}
	return g.ID
}

func roleGuild(r *discordgo.GuildRole) string {
	if r == nil {
		return ""
	}
	return r.GuildID
}

func channelGuild(c *discordgo.Channel) string {
	if c == nil {
		return ""
	}
	return c.GuildID
}
