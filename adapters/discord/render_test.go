package discord

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/bot"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name string
		msg  bot.OutMessage
		want string
	}{
		{"full", bot.OutMessage{
			Title: "Message retiré", Body: "Un message de **alice** a été retiré.",
			Evidence: "t'es qu'un *gros* c0nnard", Footer: "**3018** : gratuit, anonyme, confidentiel — https://3018.fr",
			Link: "https://discord.com/channels/1/2/3",
		}, "**Message retiré**\nUn message de **alice** a été retiré.\n\n" +
			"> t'es qu'un \\*gros\\* c0nnard\n\n" +
			"**3018** : gratuit, anonyme, confidentiel — https://3018.fr\n\n<https://discord.com/channels/1/2/3>"},
		{"hidden evidence, two lines", bot.OutMessage{Title: "Alerte", Evidence: "ligne 1\r\nligne 2", Hidden: true},
			"**Alerte**\n\n> ||ligne 1||\n> ||ligne 2||"},
		{"urgent", bot.OutMessage{Title: "Menace", Urgent: true}, "**🚨 Menace**"},
		{"mentions and links neutralised", bot.OutMessage{Evidence: "@everyone <@123> va sur https://x.example/p [ici](https://y.example)"},
			"> \\@everyone \\<\\@123\\> va sur https\\://x.example/p \\[ici\\]\\(https\\://y.example\\)"},
		{"spoiler cannot be closed early", bot.OutMessage{Evidence: "a || b", Hidden: true}, "> ||a \\|\\| b||"},
		{"body only", bot.OutMessage{Body: "Bonjour"}, "Bonjour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Render(tt.msg); got != tt.want {
				t.Errorf("Render =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestRenderTruncates(t *testing.T) {
	long := strings.Repeat("insulte ", 600) // 4800 characters
	tests := []struct {
		name string
		msg  bot.OutMessage
	}{
		{"long evidence", bot.OutMessage{Title: "Alerte", Body: "corps", Evidence: long, Footer: "**3018**", Link: "https://discord.com/channels/1/2/3"}},
		{"long hidden evidence with escapes", bot.OutMessage{Title: "Alerte", Evidence: strings.Repeat("*_|", 1500), Hidden: true, Footer: "**3018**"}},
		{"long multi-line evidence", bot.OutMessage{Evidence: strings.Repeat("a\n", 1500), Hidden: true, Footer: "**3018**"}},
		{"long body", bot.OutMessage{Title: "T", Body: strings.Repeat("é", 2500), Evidence: "x", Footer: "**3018**"}},
		{"emoji counted as two units", bot.OutMessage{Evidence: strings.Repeat("😀", 1500)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Render(tt.msg)
			if n := contentLen(got); n > MaxContent {
				t.Fatalf("length %d > %d", n, MaxContent)
			}
			if !strings.Contains(got, truncMarker) {
				t.Errorf("no truncation marker")
			}
			if tt.msg.Footer != "" && !strings.Contains(got, tt.msg.Footer) {
				t.Errorf("footer (the helpline) lost")
			}
			if tt.msg.Link != "" && !strings.Contains(got, tt.msg.Link) {
				t.Errorf("link lost")
			}
			if tt.msg.Hidden {
				checkSpoilers(t, got)
			}
			if n := contentLen(got); n < MaxContent-40 {
				t.Errorf("truncated to %d characters, much shorter than the limit", n)
			}
		})
	}
}

// checkSpoilers checks that every quoted line of a rendered message is
// either empty or one spoiler whose content has no unescaped markdown
// character.
func checkSpoilers(t *testing.T, s string) {
	t.Helper()
	for _, line := range strings.Split(s, "\n") {
		q, ok := strings.CutPrefix(line, "> ")
		if !ok || q == "" {
			continue
		}
		inner, ok := strings.CutPrefix(q, "||")
		if ok {
			inner, ok = strings.CutSuffix(inner, "||")
		}
		if !ok {
			t.Errorf("quoted line %q is not one spoiler", line)
			continue
		}
		if bad, ok := unescaped(strings.TrimSuffix(inner, truncMarker)); !ok {
			t.Errorf("quoted line %q has an unescaped %q", line, bad)
		}
	}
}

// unescaped scans escaped text and returns a markdown character that is
// not escaped, if any.
func unescaped(s string) (rune, bool) {
	esc := false
	for _, r := range s {
		switch {
		case esc:
			esc = false
		case r == '\\':
			esc = true
		case strings.ContainsRune(mdSpecial, r):
			return r, false
		}
	}
	if esc {
		return '\\', false
	}
	return 0, true
}

func FuzzRender(f *testing.F) {
	f.Add("Alerte", "t'es qu'un c0nnard", "**3018**", true)
	f.Add("", "||spoiler|| <@123> @everyone https://x.example", "", true)
	f.Add("T", strings.Repeat("\\*", 1200), "f", false)
	f.Add("😀", strings.Repeat("😀\n", 900), "", true)
	f.Fuzz(func(t *testing.T, title, evidence, footer string, hidden bool) {
		msg := bot.OutMessage{Title: title, Body: "corps", Evidence: evidence, Footer: footer, Hidden: hidden}
		got := Render(msg)
		if n := contentLen(got); n > MaxContent {
			t.Fatalf("length %d > %d", n, MaxContent)
		}
		if !utf8.ValidString(got) && utf8.ValidString(title+evidence+footer) {
			t.Fatalf("invalid UTF-8 from valid input")
		}
		// The escaped evidence, however cut, never lets markdown through.
		ev := quoteEvidence(strings.TrimRight(evidence, " \t\r\n"), hidden, false)
		for _, line := range strings.Split(ev, "\n") {
			q := strings.TrimPrefix(line, "> ")
			if hidden {
				q = strings.TrimSuffix(strings.TrimPrefix(q, "||"), "||")
			}
			if bad, ok := unescaped(q); !ok {
				t.Fatalf("evidence line %q has an unescaped %q", line, bad)
			}
		}
	})
}

func ExampleRender() {
	fmt.Println(Render(bot.OutMessage{
		Title:    "Message retiré",
		Body:     "Un message de **alice** a été retiré dans #général.",
		Evidence: "t'es *nul* @bob",
		Hidden:   true,
		Footer:   "**3018** — gratuit, anonyme et confidentiel — https://3018.fr",
	}))
	// Output:
	// **Message retiré**
	// Un message de **alice** a été retiré dans #général.
	//
	// > ||t'es \*nul\* \@bob||
	//
	// **3018** — gratuit, anonyme et confidentiel — https://3018.fr
}

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"**bold**", `\*\*bold\*\*`},
		{"`code`", "\\`code\\`"},
		{"<t:123:R>", `\<t\:123\:R\>`},
		{"# titre", `\# titre`},
		{"- liste", `\- liste`},
		{"déjà vu", "déjà vu"},
		{`back\slash`, `back\\slash`},
	}
	for _, tt := range tests {
		if got := EscapeMarkdown(tt.in); got != tt.want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
