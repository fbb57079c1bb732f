package rules

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// iso6391 holds the ISO 639-1 language codes.
var iso6391 = func() map[string]bool {
	const codes = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy " +
		"da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz " +
		"ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt " +
		"lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu " +
		"rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts " +
		"tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
	m := map[string]bool{}
	for _, c := range strings.Fields(codes) {
		m[c] = true
	}
	return m
}()

// checkLang checks an ISO 639-1 code.
func checkLang(s string) error {
	if !iso6391[s] {
		return fmt.Errorf("unknown language code %q (want an ISO 639-1 code such as fr, en, es)", s)
	}
	return nil
}

// checkLocale checks a locale name for texts and helplines: a language
// code optionally followed by subtags ("fr", "en", "fr-CA").
func checkLocale(s string) error {
	lang, rest, _ := strings.Cut(s, "-")
	if len(lang) < 2 || len(lang) > 3 || !isLower(lang) {
		return fmt.Errorf("bad locale %q (want a language code such as fr or en, optionally with a region: fr-CA)", s)
	}
	for rest != "" {
		var sub string
		sub, rest, _ = strings.Cut(rest, "-")
		if len(sub) < 2 || len(sub) > 8 || strings.IndexFunc(sub, func(r rune) bool { return !isAlnumASCII(r) }) >= 0 {
			return fmt.Errorf("bad locale %q (want a language code such as fr or en, optionally with a region: fr-CA)", s)
		}
	}
	return nil
}

func isLower(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

func isAlnumASCII(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// checkCategoryName checks the name of a category a school defines.
func checkCategoryName(s string) error {
	if s == "" || s[0] < 'a' || s[0] > 'z' || strings.IndexFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') }) >= 0 {
		return fmt.Errorf("bad category name %q (want lower-case letters, digits and _, starting with a letter)", s)
	}
	return nil
}

// termKey is the identity of a term for merging and removal: what is
// left after Unicode compatibility decomposition, removal of diacritics,
// lower-casing, and turning everything but letters and digits into
// single spaces. So "Enculé", "encule" and "enculé " are one term, and
// so are "t'es" and "t es".
func termKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// normDomain checks a domain name and returns it in lower case without a
// trailing dot.
func normDomain(s string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	switch {
	case d == "":
		return "", errors.New("empty domain")
	case strings.Contains(d, "://") || strings.ContainsAny(d, "/?#@:"):
		return "", fmt.Errorf("bad domain %q: write the host name only, not a URL", s)
	case strings.HasPrefix(d, "*."):
		return "", fmt.Errorf("bad domain %q: write it without \"*.\" (subdomains are always included)", s)
	case len(d) > 253:
		return "", fmt.Errorf("bad domain %q: longer than 253 characters", s)
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "", fmt.Errorf("bad domain %q: want at least two labels (example.com); put top-level domains in adult_tlds", s)
	}
	for _, l := range labels {
		if err := checkLabel(l); err != nil {
			return "", fmt.Errorf("bad domain %q: %w", s, err)
		}
	}
	if strings.IndexFunc(labels[len(labels)-1], func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		return "", fmt.Errorf("bad domain %q: an IP address is not a domain", s)
	}
	return d, nil
}

// checkLabel checks one label of a domain name (letters, digits and
// inner hyphens, at most 63 bytes; Unicode letters are allowed for
// internationalised names).
func checkLabel(l string) error {
	if l == "" {
		return errors.New("empty label")
	}
	if len(l) > 63 {
		return fmt.Errorf("label %q longer than 63 characters", l)
	}
	if l[0] == '-' || l[len(l)-1] == '-' {
		return fmt.Errorf("label %q starts or ends with '-'", l)
	}
	for _, r := range l {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '-') {
			return fmt.Errorf("label %q has the character %q", l, r)
		}
	}
	return nil
}
