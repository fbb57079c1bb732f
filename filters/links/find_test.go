package links

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// want is an expected link: Raw and its offsets, and the normalised URL
// and host.
type want struct {
	Raw        string
	Start, End int
	URL, Host  string
	Obfuscated bool
}

func (w want) String() string {
	return fmt.Sprintf("{%q [%d:%d] %s host=%s obf=%v}", w.Raw, w.Start, w.End, w.URL, w.Host, w.Obfuscated)
}

func TestFind(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []want
	}{
		// Schemes.
		{"https", "voir https://example.com, puis", []want{{"https://example.com", 5, 24, "https://example.com", "example.com", false}}},
		{"http path query fragment", "http://example.com/a/b.html?x=1&y=2#top", []want{{"http://example.com/a/b.html?x=1&y=2#top", 0, 39, "http://example.com/a/b.html?x=1&y=2#top", "example.com", false}}},
		{"ftp", "ftp://files.example.org/pub", []want{{"ftp://files.example.org/pub", 0, 27, "ftp://files.example.org/pub", "files.example.org", false}}},
		{"scheme upper case", "<HTTP://Example.COM:8080/X>", []want{{"HTTP://Example.COM:8080/X", 1, 26, "http://example.com:8080/X", "example.com", false}}},
		{"userinfo dropped", "http://user:pw@example.com/p", []want{{"http://user:pw@example.com/p", 0, 28, "http://example.com/p", "example.com", false}}},
		{"ipv4", "admin: http://192.168.0.1/admin", []want{{"http://192.168.0.1/admin", 7, 31, "http://192.168.0.1/admin", "192.168.0.1", false}}},
		{"ipv6", "http://[::1]:80/p", []want{{"http://[::1]:80/p", 0, 17, "http://[::1]:80/p", "::1", false}}},
		{"localhost", "http://localhost:3000/", []want{{"http://localhost:3000/", 0, 22, "http://localhost:3000/", "localhost", false}}},
		{"scheme then sentence", "https://example.com.Merci", []want{{"https://example.com", 0, 19, "https://example.com", "example.com", false}}},
		{"scheme without host", "http:// et https://. et https://", nil},

		// www. and bare domains.
		{"www", "mon site: www.monsite.blog.", []want{{"www.monsite.blog", 10, 26, "http://www.monsite.blog", "www.monsite.blog", false}}},
		{"www unknown tld", "www.example.abcxyz", []want{{"www.example.abcxyz", 0, 18, "http://www.example.abcxyz", "www.example.abcxyz", false}}},
		{"upper case", "l'adresse est WWW.EXAMPLE.COM.", []want{{"WWW.EXAMPLE.COM", 14, 29, "http://www.example.com", "www.example.com", false}}},
		{"bare", "va sur example.com maintenant", []want{{"example.com", 7, 18, "http://example.com", "example.com", false}}},
		{"bare with path", "sub.example.co.uk/path", []want{{"sub.example.co.uk/path", 0, 22, "http://sub.example.co.uk/path", "sub.example.co.uk", false}}},
		{"bare with port", "example.com:8080/x", []want{{"example.com:8080/x", 0, 18, "http://example.com:8080/x", "example.com", false}}},
		{"query kept, dot trimmed", "Regarde: youtube.com/watch?v=abc.", []want{{"youtube.com/watch?v=abc", 9, 32, "http://youtube.com/watch?v=abc", "youtube.com", false}}},
		{"trailing dot", "va sur example.com.", []want{{"example.com", 7, 18, "http://example.com", "example.com", false}}},
		{"parenthesis", "(see example.com)", []want{{"example.com", 5, 16, "http://example.com", "example.com", false}}},
		{"exclamations", "j'aime pornhub.com!!!", []want{{"pornhub.com", 7, 18, "http://pornhub.com", "pornhub.com", false}}},
		{"sentence after name", "example.com.Merci", []want{{"example.com", 0, 11, "http://example.com", "example.com", false}}},
		{"apostrophe", "l'example.fr est bien", []want{{"example.fr", 2, 12, "http://example.fr", "example.fr", false}}},
		{"several", "a.com, b.org et c.fr", []want{
			{"a.com", 0, 5, "http://a.com", "a.com", false},
			{"b.org", 7, 12, "http://b.org", "b.org", false},
			{"c.fr", 16, 20, "http://c.fr", "c.fr", false},
		}},
		{"short links", "t.co/abc bit.ly youtu.be/abc", []want{
			{"t.co/abc", 0, 8, "http://t.co/abc", "t.co", false},
			{"bit.ly", 9, 15, "http://bit.ly", "bit.ly", false},
			{"youtu.be/abc", 16, 28, "http://youtu.be/abc", "youtu.be", false},
		}},

		// Markdown and brackets.
		{"markdown", "[le site](https://example.com/a?b=1#c)", []want{{"https://example.com/a?b=1#c", 10, 37, "https://example.com/a?b=1#c", "example.com", false}}},
		{"markdown both", "[example.com](https://example.com)", []want{
			{"example.com", 1, 12, "http://example.com", "example.com", false},
			{"https://example.com", 14, 33, "https://example.com", "example.com", false},
		}},
		{"angle brackets", "<https://example.com>", []want{{"https://example.com", 1, 20, "https://example.com", "example.com", false}}},
		{"balanced parenthesis", "(https://fr.wikipedia.org/wiki/Paris_(France)).", []want{{"https://fr.wikipedia.org/wiki/Paris_(France)", 1, 45, "https://fr.wikipedia.org/wiki/Paris_(France)", "fr.wikipedia.org", false}}},
		{"bold", "**https://x.com**", []want{{"https://x.com", 2, 15, "https://x.com", "x.com", false}}},
		{"italic", "_https://x.com/a_", []want{{"https://x.com/a", 1, 16, "https://x.com/a", "x.com", false}}},
		{"french quotes", "« example.com/été »", []want{{"example.com/été", 3, 20, "http://example.com/été", "example.com", false}}},
		{"ellipsis", "bon...example.com…", []want{{"example.com", 6, 17, "http://example.com", "example.com", false}}},

		// Internationalised names.
		{"idn unicode", "bücher.de", []want{{"bücher.de", 0, 10, "http://bücher.de", "bücher.de", false}}},
		{"idn punycode", "xn--bcher-kva.de", []want{{"xn--bcher-kva.de", 0, 16, "http://bücher.de", "bücher.de", false}}},
		{"idn upper case", "ПРИМЕР.РФ", []want{{"ПРИМЕР.РФ", 0, 17, "http://пример.рф", "пример.рф", false}}},
		{"fullwidth", "ｅｘａｍｐｌｅ.com", []want{{"ｅｘａｍｐｌｅ.com", 0, 25, "http://example.com", "example.com", false}}},
		{"bad punycode kept", "xn--zz.com", []want{{"xn--zz.com", 0, 10, "http://xn--zz.com", "xn--zz.com", false}}},

		// Obfuscated forms.
		{"[.]", "example[.]com", []want{{"example[.]com", 0, 13, "http://example.com", "example.com", true}}},
		{"(.)", "example(.)com", []want{{"example(.)com", 0, 13, "http://example.com", "example.com", true}}},
		{"{.}", "example{.}com", []want{{"example{.}com", 0, 13, "http://example.com", "example.com", true}}},
		{"[dot]", "va sur example [dot] com", []want{{"example [dot] com", 7, 24, "http://example.com", "example.com", true}}},
		{"(point)", "example(point)fr", []want{{"example(point)fr", 0, 16, "http://example.fr", "example.fr", true}}},
		{"dot", "example dot com", []want{{"example dot com", 0, 15, "http://example.com", "example.com", true}}},
		{"DOT", "EXAMPLE DOT COM", []want{{"EXAMPLE DOT COM", 0, 15, "http://example.com", "example.com", true}}},
		{"point", "va sur pornhub point com", []want{{"pornhub point com", 7, 24, "http://pornhub.com", "pornhub.com", true}}},
		{"spaced dot", "example . com", []want{{"example . com", 0, 13, "http://example.com", "example.com", true}}},
		{"space before dot", "example .com", []want{{"example .com", 0, 12, "http://example.com", "example.com", true}}},
		{"sub domains spoken", "www dot example dot co dot uk", []want{{"www dot example dot co dot uk", 0, 29, "http://www.example.co.uk", "www.example.co.uk", true}}},
		{"ideographic dot", "example。com", []want{{"example。com", 0, 13, "http://example.com", "example.com", true}}},
		{"zero width space", "porn\u200bhub.com", []want{{"porn\u200bhub.com", 0, 14, "http://pornhub.com", "pornhub.com", true}}},
		{"hxxp", "hxxp://evil.com", []want{{"hxxp://evil.com", 0, 15, "http://evil.com", "evil.com", true}}},
		{"hxxps bracket", "hxxps://evil[.]com/x", []want{{"hxxps://evil[.]com/x", 0, 20, "https://evil.com/x", "evil.com", true}}},
		{"h**p", "h**p://a.xxx", []want{{"h**p://a.xxx", 0, 12, "http://a.xxx", "a.xxx", true}}},
		{"h**ps", "H**PS://a.xxx/b", []want{{"H**PS://a.xxx/b", 0, 15, "https://a.xxx/b", "a.xxx", true}}},
		{"hxxp [:]", "hxxp[:]//evil[dot]com/", []want{{"hxxp[:]//evil[dot]com/", 0, 22, "http://evil.com/", "evil.com", true}}},
		{"ambiguous tld in brackets", "fin[.]de", []want{{"fin[.]de", 0, 8, "http://fin.de", "fin.de", true}}},

		// Ambiguous top-level domains need evidence.
		{"ambiguous tld with www", "spiegel.de www.spiegel.de spiegel.de/x", []want{
			{"www.spiegel.de", 11, 25, "http://www.spiegel.de", "www.spiegel.de", false},
			{"spiegel.de/x", 26, 38, "http://spiegel.de/x", "spiegel.de", false},
		}},
		{"ambiguous tld three labels", "news.spiegel.de", []want{{"news.spiegel.de", 0, 15, "http://news.spiegel.de", "news.spiegel.de", false}}},

		// Not links.
		{"sentence without space", "C'est la fin.de la phrase", nil},
		{"capitalised sentence", "j'ai fini.Et alors", nil},
		{"capitalised word", "Bon.Merci", nil},
		{"www then sentence", "www.example.Merci", nil},
		{"number", "1.5 et 3.14 et v1.2.3 et 10.30", nil},
		{"abbreviations", "e.g. i.e. M.Dupont Mr.Smith U.S.A. N.B.", nil},
		{"file names", "fichier.txt index.html photo.JPG main.py notes.md app.rs run.sh", nil},
		{"bare ambiguous tld", "spiegel.de ok.gg hello.world", nil},
		{"numeric label", "chapitre 2.fr", nil},
		{"bare ip", "192.168.0.1", nil},
		{"localhost bare", "localhost:3000", nil},
		{"email", "écris à jean.dupont@example.com ou contact@3018.fr", nil},
		{"email local part like a domain", "jean.fr@gmail.com", nil},
		{"email obfuscated", "jean [at] example [dot] com et jean(at)example(dot)com", nil},
		{"spoken stopword", "le point de vue, un point net, the dot com bubble", nil},
		{"spoken ambiguous tld", "au point de départ, example dot de", nil},
		{"spaced dot sentence", "c'est fini. Com", nil},
		{"underscore", "foo_bar.com", nil},
		{"hyphen end", "exa-.com", nil},
		{"unknown tld", "example.comm et machin.truc", nil},
		{"empty", "", nil},
		{"no dot", "Salut tout le monde, ça va ?", nil},
		{"emoticon", "lol (.)(.) ok", nil},
		{"long chain", strings.Repeat("a.", 40) + "com", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Find(tt.text, nil)
			var gw []want
			for _, l := range got {
				if l.Raw != tt.text[l.Start:l.End] {
					t.Errorf("Raw %q != text[%d:%d] %q", l.Raw, l.Start, l.End, tt.text[l.Start:l.End])
				}
				gw = append(gw, want{l.Raw, l.Start, l.End, l.URL, l.Host, l.Obfuscated})
			}
			if fmt.Sprint(gw) != fmt.Sprint(tt.want) {
				t.Errorf("Find(%q)\n got %v\nwant %v", tt.text, gw, tt.want)
			}
		})
	}
}

func TestFindAppends(t *testing.T) {
	dst := []Link{{Raw: "earlier"}}
	got := Find("voir example.com", dst)
	if len(got) != 2 || got[0].Raw != "earlier" || got[1].Host != "example.com" {
		t.Fatalf("Find did not append: %+v", got)
	}
}

func TestFindNoAllocWithoutLinks(t *testing.T) {
	texts := []string{
		"Salut tout le monde, on se retrouve à 14h pour le TP de SVT ?",
		"C'est la fin.de la phrase, j'ai fini.Et alors ? 1.5 e.g. M.Dupont",
		"écris à jean.dupont@example.com, le point de vue, main.py",
		"ПРИВЕТ всем, bücher und Straße",
	}
	dst := make([]Link, 0, 4)
	for _, text := range texts {
		allocs := testing.AllocsPerRun(100, func() {
			dst = Find(text, dst[:0])
		})
		if allocs != 0 {
			t.Errorf("Find(%q): %v allocations, want 0", text, allocs)
		}
		if len(dst) != 0 {
			t.Errorf("Find(%q) found %+v", text, dst)
		}
	}
}

// checkLinks verifies the invariants every result of Find must satisfy.
func checkLinks(t *testing.T, text string, links []Link) {
	t.Helper()
	prevEnd := 0
	for i, l := range links {
		if l.Start < prevEnd || l.End <= l.Start || l.End > len(text) {
			t.Fatalf("link %d [%d:%d] out of order or range (previous end %d, len %d)", i, l.Start, l.End, prevEnd, len(text))
		}
		if l.Raw != text[l.Start:l.End] {
			t.Fatalf("link %d: Raw %q != text[%d:%d] %q", i, l.Raw, l.Start, l.End, text[l.Start:l.End])
		}
		if utf8.ValidString(text) && (!utf8.ValidString(l.Raw) || !utf8.RuneStart(text[l.Start]) || l.End < len(text) && !utf8.RuneStart(text[l.End])) {
			t.Fatalf("link %d [%d:%d] not on UTF-8 boundaries in %q", i, l.Start, l.End, text)
		}
		if l.Host == "" || !strings.Contains(l.URL, "://") {
			t.Fatalf("link %d: empty host or bad URL: %+v", i, l)
		}
		prevEnd = l.End
	}
}

func TestMayHaveLink(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"", false},
		{"ok merci !!", false},
		{"fini. Et toi ? bon... ok.", false},
		{"on se voit demain?", false},
		{"example.com", true},
		{"example .com", true},
		{"example . com", true},
		{"example[.]com", true},
		{"example( .)com", true},
		{"example dot com", true},
		{"example POINT com", true},
		{"example。com", true},
		{"example．com", true},
		{"example｡com", true},
		{"http://localhost", true},
		{"hxxp[:]//evil", true},
		{"porn\u200b.com", true},
		{"a.\u200bcom", true},
	}
	for _, tt := range tests {
		if got := mayHaveLink(tt.text); got != tt.want {
			t.Errorf("mayHaveLink(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	// Every text of TestFind and of the fuzz seed corpus that has a link
	// passes the shortcut.
	seeds, err := filepath.Glob("testdata/fuzz/FuzzFind/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			text, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(line, "string("), ")"))
			if err != nil {
				continue
			}
			if n := len(find(text, nil)); n > 0 && !mayHaveLink(text) {
				t.Errorf("%s: find finds %d links in %q but mayHaveLink says none", path, n, text)
			}
		}
	}
}
