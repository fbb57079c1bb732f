package links

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFind checks Find's invariants on arbitrary text: no panic, links in
// increasing, non-overlapping order, offsets in range and on UTF-8
// boundaries, Raw == text[Start:End], and a deterministic result.
func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"voir https://example.com/a?b=1#c, puis",
		"example[.]com example(.)com example{.}com example dot com example point com example . com",
		"hxxp://evil.com hxxps://evil[.]com/x h**p://a.xxx hxxp[:]//x[dot]org",
		"C'est la fin.de la phrase, j'ai fini.Et 1.5 e.g. M.Dupont",
		"[texte](https://fr.wikipedia.org/wiki/Paris_(France)) <http://[::1]:80/>",
		"bücher.de xn--bcher-kva.de ПРИМЕР.РФ example。com",
		"jean.dupont@example.com jean [at] example [dot] com",
		"porn\u200bhub.com WWW.EXAMPLE.COM",
		"\xff\xfe.com a.\xc3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := Find(text, nil)
		checkLinks(t, text, got)
		if full := find(text, nil); len(full) != len(got) {
			t.Fatalf("mayHaveLink(%q) = %v, but find finds %d links", text, mayHaveLink(text), len(full))
		}
		again := Find(text, make([]Link, 0, len(got)))
		if len(again) != len(got) {
			t.Fatalf("Find is not deterministic: %d then %d links", len(got), len(again))
		}
		for i := range got {
			if got[i] != again[i] {
				t.Fatalf("Find is not deterministic: %+v then %+v", got[i], again[i])
			}
		}
		for _, l := range got {
			if utf8.ValidString(text) && !utf8.ValidString(l.Host) {
				t.Fatalf("invalid UTF-8 host %q", l.Host)
			}
			if strings.ContainsAny(l.Host, " \t\n/") {
				t.Fatalf("host %q contains a space or a slash", l.Host)
			}
		}
	})
}

// FuzzParseList checks that ParseList never panics, that its errors are
// *ListError with a line inside the input, and that every domain it
// returns is valid and parses back to itself.
func FuzzParseList(f *testing.F) {
	for _, s := range []string{
		"example.com\n# comment\n\n*.example.net\nhttp://example.org/path\n",
		"0.0.0.0 example.com other.com\n127.0.0.1 localhost\n::1 ip6-localhost\n",
		"\ufeffxn--bcher-kva.de\r\nBÜCHER.ch\r\n",
		"bad domain.com\n",
		"0.0.0.0\n",
		"a..b\n",
	} {
		f.Add(s, "ut1")
		f.Add(s, "hosts")
	}
	f.Fuzz(func(t *testing.T, in, format string) {
		domains, err := ParseList(strings.NewReader(in), format, "fuzz")
		if err != nil {
			le, ok := err.(*ListError)
			if !ok {
				t.Fatalf("error %v is a %T", err, err)
			}
			if le.Line < 0 || le.Line > strings.Count(in, "\n")+2 || le.Name != "fuzz" {
				t.Fatalf("error %+v: line out of range", le)
			}
			if format == "ut1" || format == "hosts" {
				if le.Line == 0 {
					t.Fatalf("error without a line for a known format: %v", err)
				}
			}
			return
		}
		if format != "ut1" && format != "hosts" {
			t.Fatalf("format %q accepted", format)
		}
		for _, d := range domains {
			again, err := cleanDomain(d)
			if err != nil || again != d {
				t.Fatalf("domain %q does not parse back to itself: %q, %v", d, again, err)
			}
		}
		if _, err := NewClassifier(Config{Lists: []List{{Name: "fuzz", Category: "c", Domains: domains}}}); err != nil {
			t.Fatalf("ParseList returned domains NewClassifier rejects: %v", err)
		}
	})
}
