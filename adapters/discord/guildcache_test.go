package discord

import (
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/vigie-edu/vigie/bot"
)

// TestGuildInfoCachedAndRefreshed checks that the adapter builds a
// guild's information once, shares it between messages, and builds it
// again after an event changed the guild (here a new channel, whose name
// the next message must carry).
func TestGuildInfoCachedAndRefreshed(t *testing.T) {
	h := StartHarness(t, World, nil)
	f := h.Fake
	f.SendMessage(GuildA, ChanGen, Alice, "salut")
	h.Next(bot.MessageCreated)
	first, _ := h.Adapter.guilds.get(GuildA)
	if first == nil {
		t.Fatal("the guild was not cached after a message")
	}
	f.SendMessage(GuildA, ChanAlerts, Bob, "re")
	if ev := h.Next(bot.MessageCreated); ev.Message.ChannelName != "alertes-vigie" {
		t.Errorf("channel name %q, want alertes-vigie", ev.Message.ChannelName)
	}
	if again, _ := h.Adapter.guilds.get(GuildA); again != first {
		t.Error("the guild was built again although nothing changed")
	}

	const maths = "300000000000000042"
	f.AddChannel(GuildA, maths, "maths") // CHANNEL_CREATE
	f.SendMessage(GuildA, maths, Alice, "bonjour")
	ev := h.Next(bot.MessageCreated)
	if ev.Message.ChannelName != "maths" || ev.Channel.Name != "maths" {
		t.Errorf("message in a new channel: channel name %q/%q, want maths", ev.Message.ChannelName, ev.Channel.Name)
	}
	if now, _ := h.Adapter.guilds.get(GuildA); now == first {
		t.Error("the cached guild survived CHANNEL_CREATE")
	}
}

func TestInvalidatedBy(t *testing.T) {
	tests := []struct {
		name  string
		ev    any
		guild string
		ok    bool
	}{
		{"ready", &discordgo.Ready{}, "", true},
		{"resumed", &discordgo.Resumed{}, "", true},
		{"guild create", &discordgo.GuildCreate{Guild: &discordgo.Guild{ID: "g1"}}, "g1", true},
		{"guild update", &discordgo.GuildUpdate{Guild: &discordgo.Guild{ID: "g1"}}, "g1", true},
		{"guild delete", &discordgo.GuildDelete{Guild: &discordgo.Guild{ID: "g1"}}, "g1", true},
		{"guild create without guild", &discordgo.GuildCreate{}, "", true},
		{"role create", &discordgo.GuildRoleCreate{GuildRole: &discordgo.GuildRole{GuildID: "g2"}}, "g2", true},
		{"role update", &discordgo.GuildRoleUpdate{GuildRole: &discordgo.GuildRole{GuildID: "g2"}}, "g2", true},
		{"role update without role", &discordgo.GuildRoleUpdate{}, "", true},
		{"role delete", &discordgo.GuildRoleDelete{GuildID: "g2", RoleID: "r"}, "g2", true},
		{"channel create", &discordgo.ChannelCreate{Channel: &discordgo.Channel{GuildID: "g3"}}, "g3", true},
		{"channel update", &discordgo.ChannelUpdate{Channel: &discordgo.Channel{GuildID: "g3"}}, "g3", true},
		{"channel delete", &discordgo.ChannelDelete{Channel: &discordgo.Channel{GuildID: "g3"}}, "g3", true},
		{"message", &discordgo.MessageCreate{Message: &discordgo.Message{GuildID: "g4"}}, "", false},
		{"member", &discordgo.GuildMemberAdd{Member: &discordgo.Member{GuildID: "g4"}}, "", false},
	}
	for _, tt := range tests {
		guild, ok := invalidatedBy(tt.ev)
		if guild != tt.guild || ok != tt.ok {
			t.Errorf("%s: invalidatedBy = %q, %v; want %q, %v", tt.name, guild, ok, tt.guild, tt.ok)
		}
	}
}

func TestGuildCacheGenerations(t *testing.T) {
	c := newGuildCache()
	gi := &guildInfo{ID: "g1"}
	_, gen := c.get("g1")
	c.forget("g2") // an invalidation while g1 was being built
	c.put("g1", gi, gen)
	if got, _ := c.get("g1"); got != nil {
		t.Error("a guild built before an invalidation was cached")
	}
	_, gen = c.get("g1")
	c.put("g1", gi, gen)
	if got, _ := c.get("g1"); got != gi {
		t.Error("a guild was not cached")
	}
	c.forget("")
	if got, _ := c.get("g1"); got != nil {
		t.Error("forget(\"\") kept a guild")
	}
}
