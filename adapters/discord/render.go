package discord

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/bot"
)

// MaxContent is Discord's limit on a message's content, in characters.
const MaxContent = 2000

// truncMarker ends a truncated quote or body; it reads the same in French
// and English.
const truncMarker = " […]"

// contentLen measures text as Discord does (UTF-16 code units, which is
// never fewer than characters).
func contentLen(s string) int {
	n := 0
	for _, r := range s {
		if w := utf16.RuneLen(r); w > 0 {
			n += w
		} else {
			n++ // not encodable: sent as U+FFFD
		}
	}
	return n
}

// mdSpecial holds the characters escaped in quoted evidence: Discord's
// markdown (bold, italics, strike, code, spoilers, quotes, headings,
// lists, masked links), mentions, custom emoji and timestamps (<…>), and
// the ':' of URLs so that a quoted link is neither clickable nor
// previewed.
const mdSpecial = "\\*_~`|><#-[]():@"

// EscapeMarkdown escapes s so that Discord shows it as typed: no
// formatting, no mention, no link, and no way to close a spoiler early.
func EscapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for _, r := range s {
		if r == utf8.RuneError {
			b.WriteRune(r)
			continue
		}
		if strings.ContainsRune(mdSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// quoteEvidence renders evidence as a quote block, each line escaped and,
// when hidden, wrapped in its own spoiler (a spoiler cannot span quoted
// lines).
func quoteEvidence(evidence string, hidden bool, truncated bool) string {
	evidence = strings.ReplaceAll(evidence, "\r\n", "\n")
	evidence = strings.ReplaceAll(evidence, "\r", "\n")
	lines := strings.Split(evidence, "\n")
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("> ")
		esc := EscapeMarkdown(line)
		if truncated && i == len(lines)-1 {
			esc += truncMarker
		}
		if esc == "" {
			continue
		}
		if hidden {
			b.WriteString("||" + esc + "||")
		} else {
			b.WriteString(esc)
		}
	}
	return b.String()
}

// renderParts assembles a message from its parts.
func renderParts(m bot.OutMessage, body string, evidence string, evTruncated bool) string {
	var sections []string
	var head []string
	if t := strings.TrimSpace(m.Title); t != "" {
		if m.Urgent {
			t = "🚨 " + t
		}
		head = append(head, "**"+EscapeMarkdown(t)+"**")
	}
	if body != "" {
		head = append(head, body)
	}
	if len(head) > 0 {
		sections = append(sections, strings.Join(head, "\n"))
	}
	if evidence != "" || evTruncated {
		sections = append(sections, quoteEvidence(evidence, m.Hidden, evTruncated))
	}
	if f := strings.TrimSpace(m.Footer); f != "" {
		sections = append(sections, f)
	}
	if l := strings.TrimSpace(m.Link); l != "" {
		// Angle brackets keep Discord from previewing the link.
		sections = append(sections, "<"+l+">")
	}
	return strings.Join(sections, "\n\n")
}

// Render renders an OutMessage in Discord markdown: the title in bold,
// the body as given, the evidence quoted with its markdown escaped (in
// spoilers when Hidden), the footer and the link. The result never
// exceeds MaxContent characters: the evidence is shortened first, then
// the body, each with a visible marker.
func Render(m bot.OutMessage) string { return render(m, MaxContent) }

// render is Render within limit characters.
func render(m bot.OutMessage, limit int) string {
	body := strings.TrimSpace(m.Body)
	ev := strings.TrimRight(m.Evidence, " \t\r\n")
	full := renderParts(m, body, ev, false)
	if contentLen(full) <= limit {
		return full
	}
	evRunes := []rune(ev)
	if len(evRunes) > limit {
		// Each rune takes at least one character: no more can fit.
		evRunes = evRunes[:limit]
	}
	fits := func(k int) bool {
		return contentLen(renderParts(m, body, string(evRunes[:k]), true)) <= limit
	}
	if len(evRunes) > 0 && fits(0) {
		// The largest k that fits: fits is monotonic in k.
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
	// Even without evidence it is too long: shorten the body too.
	evTrunc := len(evRunes) > 0
	bodyRunes := []rune(body)
	if len(bodyRunes) > limit {
		bodyRunes = bodyRunes[:limit]
	}
	fitsBody := func(k int) bool {
		return contentLen(renderParts(m, string(bodyRunes[:k])+truncMarker, "", evTrunc)) <= limit
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
	out := renderParts(m, string(bodyRunes[:lo])+truncMarker, "", evTrunc)
	return cutTo(out, limit)
}

// cutTo shortens s to at most n characters (UTF-16 units) on a rune
// boundary: the last resort when the title, footer and link alone are too
// long.
func cutTo(s string, n int) string {
	if contentLen(s) <= n {
		return s
	}
	used := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if used+w > n {
			return s[:i]
		}
		used += w
	}
	return s
}
