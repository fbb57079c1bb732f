package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/filters"
)

// FuzzRelocate checks that, whatever a message holds and wherever the
// classifier reports a finding in the joined text, the spans given back
// stay inside the message text and findings outside it say where they
// were.
func FuzzRelocate(f *testing.F) {
	f.Add("t'es qu'un connard", "photo.png", "https://x.example", "titre", 10, 17)
	f.Add("", "idiot.png", "", "", 1, 6)
	f.Add("abc", "", "https://porn.example/a", "desc", 4, 30)
	f.Add("héhé", "é.png", "u", "t", 0, 100)
	f.Fuzz(func(t *testing.T, text, attachment, url, title string, start, end int) {
		m := &Message{Text: text, Embeds: []Embed{{URL: url, Title: title}}}
		if attachment != "" {
			m.Attachments = []string{attachment}
		}
		joined, segs := classifiedText(m)
		if !strings.HasPrefix(joined, text) {
			t.Fatalf("joined text %q does not start with the message text", joined)
		}
		if start < 0 || end < start || end > len(joined) {
			return
		}
		v := filters.Verdict{
			Findings: []filters.Finding{{Category: filters.Insult, Span: filters.Span{Start: start, End: end}}},
			Links:    []filters.Link{{Span: filters.Span{Start: start, End: end}, Category: filters.PornLink}},
		}
		where := relocate(&v, len(text), segs)
		for _, sp := range []filters.Span{v.Findings[0].Span, v.Links[0].Span} {
			if sp.Start < 0 || sp.End < sp.Start || sp.End > len(text) {
				t.Fatalf("span %+v outside the text of %d bytes", sp, len(text))
			}
		}
		if start >= len(text) && len(segs) > 0 {
			if where == "" || !strings.Contains(v.Findings[0].Detail, "in ") {
				t.Fatalf("finding at %d (text %d bytes) not reported as outside: where %q detail %q", start, len(text), where, v.Findings[0].Detail)
			}
		}
	})
}

// FuzzCommandOptions checks the parsing of the options students and
// teachers type in commands: it never panics, and a channel reference
// is either an id or a name without markup.
func FuzzCommandOptions(f *testing.F) {
	for _, s := range []string{"<#123456789012345678>", "#alertes-vigie", "<@&987>", "@Professeur", "on", "OFF", "oui", " ", "<#>", "<@&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parseOnOff(s)
		r := trimRef(s)
		if len(r) > len(s) {
			t.Fatalf("trimRef(%q) = %q is longer", s, r)
		}
		ch := channelRef("class", s)
		if ch.ID != "" && (ch.Name != "" || !looksLikeID(ch.ID)) {
			t.Fatalf("channelRef(%q) = %+v", s, ch)
		}
		if utf8.ValidString(s) && ch.ID == "" && strings.HasPrefix(ch.Name, "#") && strings.HasPrefix(strings.TrimSpace(s), "#") {
			t.Fatalf("channelRef(%q) kept the '#': %+v", s, ch)
		}
	})
}
