package links

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// maxKeyBytes bounds the lower-cased copy of a label that lookups build
// on the stack.
const maxKeyBytes = 64

// invisible reports whether r is a zero-width or soft-hyphen character
// that renders as nothing and is used to split a word or a domain name
// so that filters miss it ("porn\u200bhub.com"). Inside a label it is
// skipped.
func invisible(r rune) bool {
	switch r {
	case '\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return false
}

// labelStart reports whether r can begin a domain label.
func labelStart(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// labelRune reports whether r can continue a domain label. It is also
// Find's notion of a word character: a link never starts in the middle
// of a word.
func labelRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || invisible(r)
}

// lowerKey writes the lower-case form of s, without invisible
// characters, into buf and returns it; ok is false when it does not fit.
func lowerKey(buf *[maxKeyBytes]byte, s string) (key []byte, ok bool) {
	n := 0
	for _, r := range s {
		if invisible(r) {
			continue
		}
		if r < utf8.RuneSelf {
			if n == len(buf) {
				return nil, false
			}
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			buf[n] = byte(r)
			n++
			continue
		}
		r = unicode.ToLower(r)
		if n+utf8.RuneLen(r) > len(buf) {
			return nil, false
		}
		n += utf8.EncodeRune(buf[n:], r)
	}
	return buf[:n], true
}

// lookupTLD returns the kind of the top-level domain label as written
// (any case), or 0 when it is not a known TLD.
func lookupTLD(label string) tldKind {
	var buf [maxKeyBytes]byte
	key, ok := lowerKey(&buf, label)
	if !ok {
		return 0
	}
	return tlds[string(key)]
}

// isSpokenStopword reports whether label (any case) is a function word
// that cannot start a domain written with spelled-out dots.
func isSpokenStopword(label string) bool {
	var buf [maxKeyBytes]byte
	key, ok := lowerKey(&buf, label)
	return ok && spokenStopwords[string(key)]
}

// normHost returns host in the form Link.Host and Classify use: lower
// case, and IDN labels (punycode "xn--" or Unicode) mapped and decoded to
// Unicode with the IDNA display profile where they are valid. Labels
// that are not valid IDNA are only lower-cased. It does not allocate for
// a lower-case ASCII host without punycode.
func normHost(host string) string {
	ascii, upper := true, false
	for i := 0; i < len(host); i++ {
		c := host[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if ascii {
		if upper {
			host = strings.ToLower(host)
		}
		if !strings.Contains(host, "xn--") {
			return host
		}
	}
	if u, err := idna.Display.ToUnicode(host); err == nil && u != "" {
		return u
	}
	// Some label is not valid IDNA (an underscore, a bad punycode
	// sequence, a disallowed character): decode the others one by one.
	labels := strings.Split(host, ".")
	for i, l := range labels {
		if u, err := idna.Display.ToUnicode(l); err == nil && u != "" && !strings.Contains(u, ".") {
			labels[i] = u
		} else {
			labels[i] = strings.ToLower(l)
		}
	}
	return strings.Join(labels, ".")
}

// errDomain is wrapped by the errors cleanDomain returns.
var errDomain = errors.New("invalid domain")

// cleanDomain turns a domain as written in a list or a configuration
// ("Example.COM", "*.example.com", ".example.com", "example.com.",
// "https://user@example.com:8080/path", "xn--bcher-kva.de") into the
// normalised form Classify compares ("example.com", "bücher.de"), or
// reports why it is not a domain name.
func cleanDomain(s string) (string, error) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		for _, c := range s[:i] {
			if !(c < utf8.RuneSelf && (labelStart(c) || c == '+' || c == '.' || c == '-')) {
				return "", fmt.Errorf("%w: bad URL scheme %q", errDomain, s[:i])
			}
		}
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 && allDigits(s[i+1:]) {
		s = s[:i]
	}
	s = strings.TrimPrefix(s, "*.")
	s = strings.TrimPrefix(s, ".")
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "", fmt.Errorf("%w: empty name", errDomain)
	}
	if err := checkName(s); err != nil {
		return "", err
	}
	h := normHost(s)
	if err := checkName(h); err != nil {
		return "", err
	}
	if !strings.Contains(h, ".") {
		return "", fmt.Errorf("%w: %q has no dot", errDomain, h)
	}
	return h, nil
}

// allDigits reports whether s is a non-empty string of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkName reports whether s is made of valid labels: letters, digits,
// marks, '-' and '_', 1 to 63 bytes each, 253 bytes at most in all.
func checkName(s string) error {
	if len(s) > 253 {
		return fmt.Errorf("%w: name longer than 253 bytes", errDomain)
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" {
			return fmt.Errorf("%w: empty label in %q", errDomain, s)
		}
		if len(label) > 63 {
			return fmt.Errorf("%w: label %q longer than 63 bytes", errDomain, label)
		}
		for _, r := range label {
			if !labelRune(r) || invisible(r) {
				return fmt.Errorf("%w: character %q not allowed in %q", errDomain, r, s)
			}
		}
	}
	return nil
}

// isIP reports whether host is an IPv4 or IPv6 address. Names (whose
// last label is not all digits) are told apart without parsing, which
// would allocate an error.
func isIP(host string) bool {
	if strings.IndexByte(host, ':') < 0 && !allDigits(host[strings.LastIndexByte(host, '.')+1:]) {
		return false
	}
	_, err := netip.ParseAddr(host)
	return err == nil
}
