package mattermost

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/bot"
)

func TestRender(t *testing.T) {
	const id = "inc_01HV7Z9K3M4N5P6Q7R8S9T0V1W"
	tests := []struct {
		name string
		msg  bot.OutMessage
		want string
	}{
		{
			name: "alert with evidence, footer and link",
			msg: bot.OutMessage{Title: "Vigie — insulte dans 4e B", Body: "**Élève :** Alice\nIncident n° " + id,
				Evidence: "t'es *nul*\n@bob regarde https://x.example", Footer: "3018 : gratuit", Link: "http://mm/t/pl/p1"},
			want: "**Vigie — insulte dans 4e B**\n**Élève :** Alice\nIncident n° " + id + "\n\n" +
				"> `t'es *nul*`\n> `@bob regarde https://x.example`\n\n3018 : gratuit\n\nhttp://mm/t/pl/p1",
		},
		{
			name: "urgent title escaped",
			msg:  bot.OutMessage{Title: "URGENT — [x](y) _z_", Urgent: true},
			want: "🚨 **URGENT — \\[x\\]\\(y\\) \\_z\\_**",
		},
		{
			name: "backticks and blank lines in evidence",
			msg:  bot.OutMessage{Evidence: "a `b` c\n\n`start"},
			want: "> ``a `b` c``\n>\n> `` `start ``",
		},
		{
			name: "hidden evidence, French body",
			msg:  bot.OutMessage{Body: "Incident n° " + id, Evidence: "explicit", Hidden: true},
			want: "Incident n° " + id + "\n\n> 🔞 *Contenu explicite masqué (Mattermost n'a pas de balise spoiler) : le texte est conservé dans l'incident " +
				id + ".* Pour le lire : `vigie incidents show " + id + "`",
		},
		{
			name: "hidden evidence, English body",
			msg:  bot.OutMessage{Body: "Incident #" + id, Evidence: "explicit", Hidden: true},
			want: "Incident #" + id + "\n\n> 🔞 *Explicit content hidden (Mattermost has no spoiler markup): the text is kept in the incident " +
				id + ".* To read it: `vigie incidents show " + id + "`",
		},
		{
			name: "mentions in body and footer defused, e-mail kept",
			msg:  bot.OutMessage{Body: "**@all** from @Zoé", Footer: "écrire à aide@ecole.fr"},
			want: "**@\u2060all** from @\u2060Zoé\n\nécrire à aide@ecole.fr",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Render(tt.msg); got != tt.want {
				t.Errorf("Render =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestRenderHiddenWithoutIDIsBilingual(t *testing.T) {
	got := Render(bot.OutMessage{Body: "report", Evidence: "explicit", Hidden: true})
	for _, s := range []string{"Contenu explicite masqué", "Explicit content hidden", "journal des incidents", "incident log"} {
		if !strings.Contains(got, s) {
			t.Errorf("%q missing from\n%s", s, got)
		}
	}
	if strings.Contains(got, "explicit\n") || strings.HasSuffix(got, "explicit") {
		t.Errorf("hidden evidence shown:\n%s", got)
	}
}

func TestRenderTruncates(t *testing.T) {
	long := strings.Repeat("é", MaxPostRunes)
	got := Render(bot.OutMessage{Title: "T", Body: "body", Evidence: long, Footer: "3018"})
	if n := utf8.RuneCountInString(got); n > MaxPostRunes {
		t.Fatalf("%d runes", n)
	}
	if !strings.Contains(got, truncMarker) || !strings.HasSuffix(got, "3018") || !strings.Contains(got, "body") {
		t.Fatalf("evidence should be shortened first, footer kept:\n%.200s…", got)
	}
	got = Render(bot.OutMessage{Title: "T", Body: long + long, Evidence: "ev", Footer: "3018"})
	if n := utf8.RuneCountInString(got); n > MaxPostRunes || !strings.HasSuffix(got, "3018") {
		t.Fatalf("%d runes, ends %q", n, got[len(got)-10:])
	}
}

// decodeCodeSpan undoes codeSpan as CommonMark reads a code span.
func decodeCodeSpan(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	n := 0
	for n < len(s) && s[n] == '`' {
		n++
	}
	if n == 0 || len(s) < 2*n || strings.Repeat("`", n) != s[len(s)-n:] {
		return "", false
	}
	inner := s[n : len(s)-n]
	// The fence must not occur inside as a run of exactly n backticks.
	for i := 0; i < len(inner); {
		if inner[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(inner) && inner[j] == '`' {
			j++
		}
		if j-i == n {
			return "", false
		}
		i = j
	}
	if len(inner) >= 2 && inner[0] == ' ' && inner[len(inner)-1] == ' ' && strings.Trim(inner, " ") != "" {
		inner = inner[1 : len(inner)-1]
	}
	return inner, true
}

func TestCodeSpanRoundTrip(t *testing.T) {
	for _, line := range []string{"plain", "a`b", "``", "` x `", "  both  ", " ", "x``y```z", "`"} {
		got, ok := decodeCodeSpan(codeSpan(line))
		if !ok || got != line {
			t.Errorf("codeSpan(%q) = %q reads back as %q (%v)", line, codeSpan(line), got, ok)
		}
	}
}

// FuzzRender checks what Render promises for any evidence and names:
// the length limit, evidence only inside code spans of quoted lines
// (read back exactly), and no mention outside them.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"t'es nul", "@bob `x` **y**", "a\r\nb\n\n`", "https://pornhub.com", "\x00\x1b[31m", "@all @here"} {
		f.Add("Alice", s, false)
	}
	f.Add("@channel", "explicit", true)
	f.Fuzz(func(t *testing.T, name, evidence string, hidden bool) {
		if !utf8.ValidString(name) || !utf8.ValidString(evidence) {
			t.Skip()
		}
		msg := bot.OutMessage{Title: "Alerte " + name, Body: "**Élève :** " + name, Evidence: evidence, Hidden: hidden, Footer: "3018"}
		got := Render(msg)
		if n := utf8.RuneCountInString(got); n > MaxPostRunes {
			t.Fatalf("%d runes", n)
		}
		sections := strings.Split(got, "\n\n")
		for _, sec := range sections {
			if strings.HasPrefix(sec, ">") {
				continue
			}
			for i := 0; i < len(sec); i++ {
				if sec[i] != '@' || strings.HasPrefix(sec[i+1:], wordJoiner) {
					continue
				}
				if prev, _ := utf8.DecodeLastRuneInString(sec[:i]); i == 0 || !isWordRune(prev) {
					t.Fatalf("live mention in %q", sec)
				}
			}
		}
		if hidden || strings.TrimSpace(evidence) == "" || utf8.RuneCountInString(got) > MaxPostRunes-100 {
			return
		}
		var quote string
		for _, sec := range sections {
			if strings.HasPrefix(sec, ">") {
				quote = sec
			}
		}
		var lines []string
		for _, l := range strings.Split(quote, "\n") {
			text, ok := decodeCodeSpan(strings.TrimPrefix(strings.TrimPrefix(l, ">"), " "))
			if !ok {
				t.Fatalf("quoted line %q is not a code span", l)
			}
			lines = append(lines, text)
		}
		if got, want := strings.Join(lines, "\n"), stripControlsPerLine(evidence); got != want {
			t.Fatalf("evidence reads back as %q, want %q", got, want)
		}
	})
}

// stripControlsPerLine is what quoteEvidence shows of evidence.
func stripControlsPerLine(ev string) string {
	ev = strings.TrimRight(ev, " \t\r\n")
	ev = strings.ReplaceAll(ev, "\r\n", "\n")
	ev = strings.ReplaceAll(ev, "\r", "\n")
	lines := strings.Split(ev, "\n")
	for i, l := range lines {
		lines[i] = strings.Map(dropControl, l)
	}
	return strings.Join(lines, "\n")
}

func ExampleRender() {
	fmt.Println(Render(bot.OutMessage{
		Title:    "Vigie — insult in 4e B",
		Body:     "**Student:** Alice",
		Evidence: "@bob you are *useless*",
		Footer:   "3018: free, anonymous and confidential — https://3018.fr",
	}))
	// Output:
	// **Vigie — insult in 4e B**
	// **Student:** Alice
	//
	// > `@bob you are *useless*`
	//
	// 3018: free, anonymous and confidential — https://3018.fr
}

func ExampleEscapeMarkdown() {
	fmt.Println(EscapeMarkdown("**@all** see [this](x)"))
	// Output: \*\*@⁠all\*\* see \[this\]\(x\)
}
