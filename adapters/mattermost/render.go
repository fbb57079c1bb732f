package mattermost

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/bot"
)

// MaxPostRunes is Mattermost's limit on a post's message, in characters
// (runes).
const MaxPostRunes = 16383

// truncMarker ends a shortened quote or body; it reads the same in
// French and English.
const truncMarker = " […]"

// wordJoiner is U+2060, an invisible character put after '@' so that a
// name or @channel in a rendered text is shown but does not notify
// anyone.
const wordJoiner = "\u2060"

// mdSpecial holds the characters escaped in titles: Mattermost markdown
// (emphasis, strike, code, tables, quotes, headings, lists, links,
// images, emoji).
const mdSpecial = "\\*_~`|><#-+[]()!:"

// EscapeMarkdown escapes s so that Mattermost shows it as typed in
// running text: no formatting, no link, no emoji, and no mention (an '@'
// that starts a word is followed by an invisible word joiner).
func EscapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	prev := ' '
	for _, r := range s {
		if strings.ContainsRune(mdSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		if r == '@' && !isWordRune(prev) {
			b.WriteString(wordJoiner)
		}
		prev = r
	}
	return b.String()
}

// isWordRune reports whether r is a letter or a digit: before an '@', it
// makes an e-mail address rather than a mention.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// defuseMentions puts a word joiner after every '@' that starts a word,
// so that text the bot composes (with names that students chose) cannot
// notify a user, a channel or @all. Markdown is kept.
func defuseMentions(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := ' '
	for _, r := range s {
		b.WriteRune(r)
		if r == '@' && !isWordRune(prev) {
			b.WriteString(wordJoiner)
		}
		prev = r
	}
	return b.String()
}

// codeSpan renders one line as an inline code span, which Mattermost
// shows exactly as typed: no markdown, no link, no preview, no emoji and
// no mention (the server looks for mentions outside code only). The
// fence is one backtick longer than the longest run inside.
func codeSpan(line string) string {
	if line == "" {
		return ""
	}
	run, longest := 0, 0
	for i := 0; i < len(line); i++ {
		if line[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if line[0] == '`' || line[len(line)-1] == '`' || line[0] == ' ' && line[len(line)-1] == ' ' && strings.Trim(line, " ") != "" {
		// CommonMark strips one space on each side: pad so that the
		// backticks and spaces of the text are kept.
		line = " " + line + " "
	}
	return fence + line + fence
}

// quoteEvidence renders evidence as a block quote of code spans, one per
// line. truncated adds the marker after the last line.
func quoteEvidence(evidence string, truncated bool) string {
	evidence = strings.ReplaceAll(evidence, "\r\n", "\n")
	evidence = strings.ReplaceAll(evidence, "\r", "\n")
	lines := strings.Split(evidence, "\n")
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(">")
		span := codeSpan(strings.Map(dropControl, line))
		if span != "" {
			b.WriteString(" " + span)
		}
		if truncated && i == len(lines)-1 {
			b.WriteString(truncMarker)
		}
	}
	return b.String()
}

// dropControl removes control characters other than tab from quoted
// evidence (they would be shown as boxes or garble the line).
func dropControl(r rune) rune {
	if r != '\t' && unicode.IsControl(r) {
		return -1
	}
	return r
}

// incidentIDPattern finds the incident id the bot writes in an alert's
// body (store ids: "inc_" and 26 Crockford base-32 digits).
var incidentIDPattern = regexp.MustCompile(`\binc_[0-9A-HJKMNP-TV-Z]{26}\b`)

// hiddenNotice is what replaces explicit evidence: Mattermost has no
// spoiler markup, so the text stays in the incident log only. The
// language follows the body's ("Incident n°" is French, "Incident #" is
// English); a body in neither gets both.
func hiddenNotice(body string) string {
	id := incidentIDPattern.FindString(body)
	fr := "🔞 *Contenu explicite masqué (Mattermost n'a pas de balise spoiler) : le texte est conservé dans l'incident"
	en := "🔞 *Explicit content hidden (Mattermost has no spoiler markup): the text is kept in the incident"
	if id != "" {
		fr += " " + id + ".* Pour le lire : `vigie incidents show " + id + "`"
		en += " " + id + ".* To read it: `vigie incidents show " + id + "`"
	} else {
		fr += " (journal des incidents de Vigie).*"
		en += " (Vigie's incident log).*"
	}
	switch {
	case strings.Contains(body, "Incident n°"):
		return "> " + fr
	case strings.Contains(body, "Incident #"):
		return "> " + en
	}
	return "> " + fr + "\n>\n> " + en
}

// renderParts assembles a post from its parts.
func renderParts(m bot.OutMessage, body, evidence string, evTruncated bool) string {
	var sections []string
	var head []string
	if t := strings.TrimSpace(m.Title); t != "" {
		t = "**" + EscapeMarkdown(t) + "**"
		if m.Urgent {
			t = "🚨 " + t
		}
		head = append(head, t)
	}
	if body != "" {
		head = append(head, body)
	}
	if len(head) > 0 {
		sections = append(sections, strings.Join(head, "\n"))
	}
	switch {
	case m.Hidden && (evidence != "" || evTruncated):
		sections = append(sections, hiddenNotice(m.Body))
	case evidence != "" || evTruncated:
		sections = append(sections, quoteEvidence(evidence, evTruncated))
	}
	if f := strings.TrimSpace(m.Footer); f != "" {
		sections = append(sections, defuseMentions(f))
	}
	if l := strings.TrimSpace(m.Link); l != "" {
		sections = append(sections, l)
	}
	return strings.Join(sections, "\n\n")
}

// Render renders an OutMessage in Mattermost markdown: the title in bold
// (🚨 before it when urgent), the body as given, the evidence as a block
// quote of code spans (shown exactly as typed, with no link, preview or
// mention), the footer and the link. Hidden (explicit) evidence is not
// shown at all: a notice says the text is kept in the incident log.
// Names in the title, body and footer cannot notify anyone. The result
// never exceeds MaxPostRunes: the evidence is shortened first, then the
// body, each with a visible marker.
func Render(m bot.OutMessage) string {
	body := defuseMentions(strings.TrimSpace(m.Body))
	ev := strings.TrimRight(m.Evidence, " \t\r\n")
	full := renderParts(m, body, ev, false)
	if utf8.RuneCountInString(full) <= MaxPostRunes {
		return full
	}
	evRunes := []rune(ev)
	fits := func(k int) bool {
		return utf8.RuneCountInString(renderParts(m, body, string(evRunes[:k]), true)) <= MaxPostRunes
	}
	if len(evRunes) > 0 && fits(0) {
		lo, hi := 0, len(evRunes)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if fits(mid) {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return renderParts(m, body, string(evRunes[:lo]), true)
	}
	evTrunc := len(evRunes) > 0
	bodyRunes := []rune(body)
	fitsBody := func(k int) bool {
		return utf8.RuneCountInString(renderParts(m, string(bodyRunes[:k])+truncMarker, "", evTrunc)) <= MaxPostRunes
	}
	lo, hi := 0, len(bodyRunes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fitsBody(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return cutRunes(renderParts(m, string(bodyRunes[:lo])+truncMarker, "", evTrunc), MaxPostRunes)
}

// cutRunes shortens s to at most n runes: the last resort when the
// title, footer and link alone are too long.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
