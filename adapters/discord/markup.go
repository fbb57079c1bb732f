package discord

import (
	"regexp"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// markup matches Discord's message markup: user, role and channel
// mentions, custom emoji, timestamps and command mentions.
var markup = regexp.MustCompile(`<(?:(@!?|@&|#)([0-9]{1,21})|(a?):([A-Za-z0-9_~]{1,32}):([0-9]{1,21})|t:(-?[0-9]{1,13})(?::[tTdDfFR])?|/([\p{L}\p{N}_\- ]{1,100}):([0-9]{1,21}))>`)

// Placeholders for mentions of unknown users, roles and channels.
const (
	unknownUser    = "@user"
	unknownRole    = "@role"
	unknownChannel = "#channel"
)

// ReadableText turns a message's content into the text its readers see:
// <@id> becomes @name (from the message's mentions), <@&id> the role's
// name, <#id> the channel's, <:name:id> :name:, <t:unix> a UTC date,
// </cmd:id> /cmd. The bot judges this text: Discord's ids are long digit
// strings that a detector would take for phone numbers, and a teacher
// reading the evidence should see what the students saw.
func ReadableText(content string, mentions []*discordgo.User, gi *guildInfo) string {
	if !containsByte(content, '<') {
		return content
	}
	return markup.ReplaceAllStringFunc(content, func(s string) string {
		m := markup.FindStringSubmatch(s)
		switch {
		case m[1] == "@" || m[1] == "@!":
			for _, u := range mentions {
				if u != nil && u.ID == m[2] {
					if n := userName(u, nil); n != "" {
						return "@" + n
					}
				}
			}
			return unknownUser
		case m[1] == "@&":
			if gi != nil {
				if r, ok := gi.Roles[m[2]]; ok && r.Name != "" {
					return "@" + r.Name
				}
			}
			return unknownRole
		case m[1] == "#":
			if gi != nil {
				if n := gi.Channels[m[2]]; n != "" {
					return "#" + n
				}
			}
			return unknownChannel
		case m[4] != "":
			return ":" + m[4] + ":"
		case m[6] != "":
			sec, err := strconv.ParseInt(m[6], 10, 64)
			if err != nil {
				return s
			}
			return time.Unix(sec, 0).UTC().Format("2006-01-02 15:04 UTC")
		case m[7] != "":
			return "/" + m[7]
		}
		return s
	})
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}
