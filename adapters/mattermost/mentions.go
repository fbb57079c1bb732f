package mattermost

import (
	"slices"
	"strings"
)

// maxMentions bounds the user names taken from one post.
const maxMentions = 20

// maxUsernameLen is the longest user name Mattermost accepts.
const maxUsernameLen = 64

// channelWide are the mentions that name no user.
var channelWide = []string{"all", "channel", "here"}

// isUsernameByte reports whether c may appear in a Mattermost user name
// (letters, digits, '.', '-', '_'; compared in lower case).
func isUsernameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_'
}

// ExtractMentions returns the user names a post's text mentions
// (@alice), in lower case, in order and without duplicates. As
// Mattermost does, an '@' inside a word (an e-mail address) is no
// mention, and a name followed by '.', '-' or '_' is also tried without
// them ("@alice." may mean alice); @all, @channel and @here name no one.
// At most 20 names are returned.
func ExtractMentions(text string) []string {
	var out []string
	add := func(n string) {
		if len(n) == 0 || n[0] < 'a' || n[0] > 'z' || slices.Contains(channelWide, n) || slices.Contains(out, n) {
			return
		}
		out = append(out, n)
	}
	for i := 0; i < len(text) && len(out) < maxMentions; i++ {
		if text[i] != '@' {
			continue
		}
		if i > 0 && (isUsernameByte(lower(text[i-1])) || text[i-1] >= 0x80 || text[i-1] == '@') {
			continue
		}
		j := i + 1
		for j < len(text) && j-i-1 < maxUsernameLen && isUsernameByte(lower(text[j])) {
			j++
		}
		if j < len(text) && text[j] >= 0x80 {
			// A name running into a non-ASCII letter is not a user name.
			continue
		}
		name := strings.ToLower(text[i+1 : j])
		add(name)
		if trimmed := strings.TrimRight(name, ".-_"); trimmed != name {
			add(trimmed)
		}
		i = j - 1
	}
	if len(out) > maxMentions {
		out = out[:maxMentions]
	}
	return out
}

// lower returns the ASCII lower case of c.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
