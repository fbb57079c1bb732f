package links

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Link is a URL found in text.
type Link struct {
	Raw        string // the text as written (may be obfuscated)
	URL        string // normalised: scheme://host/path (scheme defaults to http), host lower-case
	Host       string // lower-case; IDN punycode (xn--) decoded to Unicode where valid
	Start, End int    // byte offsets of Raw in the text
	Obfuscated bool   // written with [.], (dot), " dot ", hxxp, spaces around dots …
}

const (
	// maxLabels bounds the labels of a name; a longer dotted chain is
	// not a host name.
	maxLabels = 32
	// maxLabelScan bounds the bytes of one label as written (Unicode,
	// invisible characters included).
	maxLabelScan = 256
	// maxSpaces bounds the spaces around an obfuscated dot.
	maxSpaces = 3
)

// sepKind is how two labels of a name were separated.
type sepKind uint8

const (
	sepNone    sepKind = iota
	sepDot             // "."
	sepAltDot          // "。", "．" or "｡": dots that IDNA maps to "."
	sepBracket         // "[.]", "(.)", "{.}", "[dot]", "(point)" …
	sepSpaced          // " . " or " ."
	sepWord            // " dot " or " point "
)

// span is a half-open byte range of the text.
type span struct{ start, end int }

// hostScan holds the labels of a dotted name as read from the text. It
// lives on Find's stack so that rejected candidates cost no allocation.
type hostScan struct {
	labels [maxLabels]span
	seps   [maxLabels]sepKind // seps[i] joins labels[i] and labels[i+1]
	n      int
}

// Find appends the links found in text to dst and returns it. No
// allocation when the text has no link candidate.
//
// It finds URLs with a scheme (http, https, ftp, and the defanged hxxp,
// hxxps, h**p, h**ps), names starting with www., and bare domain names
// ending in a known top-level domain, also when their dots are
// obfuscated ("example[.]com", "example(.)com", "example dot com",
// "example point com", "example . com") or when they are written in
// upper case or with an internationalised name. Trailing punctuation and
// unbalanced closing brackets are not part of a link; e-mail addresses
// are not links. A bare name whose top-level domain is also a common
// word, chat abbreviation or file extension ("fin.de", "main.py") is
// only a link with more evidence: www., a scheme, a path, bracketed dots,
// or a non-French letter or punycode in the name ("bücher.de").
func Find(text string, dst []Link) []Link {
	if !mayHaveLink(text) {
		return dst
	}
	return find(text, dst)
}

// mayHaveLink reports whether text has something every link needs: a
// "//" (after a scheme), a dot that may separate two labels (followed by
// anything but a space, a line break or another dot, or preceded by a
// space or an opening bracket: "a.b", "a .b", "a . b", "a[.]b"), an
// ideographic or fullwidth dot, or the word "dot" or "point" (any case).
// Most chat messages have none: "fini. Et", "bon..." and "ok." are not
// searched further. It never says false where find would find a link
// (FuzzFind checks it).
func mayHaveLink(text string) bool {
	for i := 0; i < len(text); i++ {
		if !linkByte[text[i]] {
			continue
		}
		switch text[i] {
		case '.':
			if i > 0 {
				switch text[i-1] {
				case ' ', '\t', '[', '(', '{':
					return true
				}
			}
			if i+1 < len(text) {
				switch text[i+1] {
				case ' ', '\t', '\n', '\r', '.':
				default:
					return true
				}
			}
		case '/':
			if i+1 < len(text) && text[i+1] == '/' {
				return true
			}
		case 'd', 'D':
			if hasPrefixFold(text[i:], "dot") {
				return true
			}
		case 'p', 'P':
			if hasPrefixFold(text[i:], "point") {
				return true
			}
		case 0xE3, 0xEF: // first byte of "。", "．" and "｡"
			rest := text[i:]
			if strings.HasPrefix(rest, "。") || strings.HasPrefix(rest, "．") || strings.HasPrefix(rest, "｡") {
				return true
			}
		}
	}
	return false
}

// linkByte marks the bytes mayHaveLink looks at more closely.
var linkByte = func() (t [256]bool) {
	for _, c := range []byte("./dDpP\xe3\xef") {
		t[c] = true
	}
	return t
}()

// find is Find without the mayHaveLink shortcut.
func find(text string, dst []Link) []Link {
	var hs hostScan
	prevLabel := false
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if !labelRune(r) {
			prevLabel = false
			i += size
			continue
		}
		if !prevLabel && !labelStart(r) && (r == '_' || r == '-') {
			// Leading underscores and hyphens are markup ("_italic_",
			// "--"), not part of a word.
			i += size
			continue
		}
		if !prevLabel && labelStart(r) && startAllowed(text, i) {
			if l, ok := findAt(text, i, &hs); ok {
				dst = append(dst, l)
				i = l.End
				prevLabel = endsInLabel(text, i)
				continue
			}
			if hs.n > 0 && hs.labels[0].start == i {
				// Skip the word already read as a label.
				prevLabel = true
				i = hs.labels[0].end
				continue
			}
		}
		prevLabel = true
		i += size
	}
	return dst
}

// endsInLabel reports whether the rune before i is a label character.
func endsInLabel(text string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return labelRune(r)
}

// startAllowed reports whether a link may start at i, the start of a
// word: not inside a dotted name already tried ("a.b" at "b"), and not
// the domain of an e-mail address ("jean@example.com", "jean [at]
// example [dot] com").
func startAllowed(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, size := utf8.DecodeLastRuneInString(text[:i])
	switch r {
	case '.', '。', '．', '｡':
		if j := i - size; j > 0 {
			p, _ := utf8.DecodeLastRuneInString(text[:j])
			return !labelRune(p)
		}
		return true
	}
	n := i
	for n > 0 && (text[n-1] == ' ' || text[n-1] == '\t') {
		n--
	}
	if n > 0 && text[n-1] == '@' {
		return false
	}
	if n >= 4 {
		t := text[n-4 : n]
		if (t[0] == '[' && t[3] == ']' || t[0] == '(' && t[3] == ')' || t[0] == '{' && t[3] == '}') && strings.EqualFold(t[1:3], "at") {
			return false
		}
	}
	return true
}

// findAt reads a link starting at i, if there is one.
func findAt(text string, i int, hs *hostScan) (Link, bool) {
	if scheme, p, obf, ok := matchScheme(text, i); ok {
		return schemeLink(text, i, scheme, p, obf, hs)
	}
	return bareLink(text, i, hs)
}

// schemeForm is a way of writing a URL scheme.
type schemeForm struct {
	written, norm string
	obfuscated    bool
}

// schemeForms are the schemes Find knows, longest first where one is a
// prefix of another.
var schemeForms = [...]schemeForm{
	{"https", "https", false},
	{"http", "http", false},
	{"hxxps", "https", true},
	{"hxxp", "http", true},
	{"h**ps", "https", true},
	{"h**p", "http", true},
	{"ftp", "ftp", false},
}

// matchScheme reads a scheme and "://" (or the defanged "[:]//") at i. It
// returns the normalised scheme and the offset of the authority.
func matchScheme(text string, i int) (scheme string, p int, obfuscated, ok bool) {
	if c := text[i] | 0x20; c != 'h' && c != 'f' {
		return "", 0, false, false
	}
	for _, f := range schemeForms {
		if !hasPrefixFold(text[i:], f.written) {
			continue
		}
		p := i + len(f.written)
		switch {
		case strings.HasPrefix(text[p:], "://"):
			return f.norm, p + 3, f.obfuscated, true
		case strings.HasPrefix(text[p:], "[:]//"):
			return f.norm, p + 5, true, true
		}
	}
	return "", 0, false, false
}

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case
// (prefix is lower case).
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for j := 0; j < len(prefix); j++ {
		c := s[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[j] {
			return false
		}
	}
	return true
}

// schemeLink reads the rest of a URL whose scheme ends at p: optional
// user information, a host (a name, an IPv4 or a bracketed IPv6
// address), an optional port and a path.
func schemeLink(text string, start int, scheme string, p int, obf bool, hs *hostScan) (Link, bool) {
	end := p
	for end < len(text) {
		c := text[end]
		if c == '/' || c == '?' || c == '#' || c <= ' ' || c == '<' || c == '>' || c == '"' {
			break
		}
		end++
	}
	if at := strings.LastIndexByte(text[p:end], '@'); at >= 0 {
		p += at + 1
	}
	if p < len(text) && text[p] == '[' {
		closing := strings.IndexByte(text[p:min(len(text), p+64)], ']')
		if closing < 0 {
			return Link{}, false
		}
		addr, err := netip.ParseAddr(text[p+1 : p+closing])
		if err != nil || !addr.Is6() {
			return Link{}, false
		}
		hostEnd := p + closing + 1
		tail := scanTail(text, hostEnd)
		host := addr.String()
		return Link{
			Raw:        text[start:tail],
			URL:        scheme + "://[" + host + "]" + text[hostEnd:tail],
			Host:       host,
			Start:      start,
			End:        tail,
			Obfuscated: obf,
		}, true
	}
	if !labelStartAt(text, p) {
		return Link{}, false
	}
	hs.scan(text, p)
	if hs.n == 0 {
		return Link{}, false
	}
	k := sentenceCut(text, hs)
	return makeLink(text, start, scheme, obf, hs, k, scanTail(text, hs.labels[k-1].end)), true
}

// bareLink reads a domain name without scheme at i ("www.example.com",
// "example.com/path", "example[.]com"), or reports that there is none.
func bareLink(text string, i int, hs *hostScan) (Link, bool) {
	hs.scan(text, i)
	if hs.n < 2 {
		return Link{}, false
	}
	www := hs.n >= 3 && strings.EqualFold(hs.label(text, 0), "www")
	if www {
		k := sentenceCut(text, hs)
		if tld := hs.label(text, k-1); k >= 3 && lookupTLD(tld) == 0 && asciiAlpha(tld) && !titleCase(tld) && hs.validBare(text, k) {
			// "www.example.blog": www. is evidence enough for an
			// unknown but plausible top-level domain.
			return makeLink(text, i, "http", false, hs, k, scanTail(text, hs.labels[k-1].end)), true
		}
	}
	for k := hs.n; k >= 2; k-- {
		tld := hs.label(text, k-1)
		kind := lookupTLD(tld)
		if kind == 0 || !hs.validBare(text, k) {
			continue
		}
		hostEnd := hs.labels[k-1].end
		tail := scanTail(text, hostEnd)
		path := tail > hostEnd
		wwwK := www && k >= 3
		spoken, bracket := false, false
		for j := 0; j < k-1; j++ {
			switch hs.seps[j] {
			case sepSpaced, sepWord:
				spoken = true
			case sepBracket:
				bracket = true
			}
		}
		first := hs.label(text, 0)
		if spoken && (kind == tldAmbiguous || isSpokenStopword(first) || utf8.RuneCountInString(first) < 2) {
			continue
		}
		if !wwwK && !path && titleCase(tld) && startsLower(hs.label(text, k-2)) {
			continue // "fini.Et": a sentence missing its space
		}
		if kind == tldAmbiguous && k == 2 && !wwwK && !path && !bracket && !idnEvidence(first) {
			continue // "fin.de la phrase", "main.py"
		}
		if k == 2 && !path && allDigits(first) {
			continue // "chapitre 2.fr"
		}
		if !path && strings.HasPrefix(text[hostEnd:], "@") {
			return Link{}, false // the local part of an e-mail address
		}
		return makeLink(text, i, "http", false, hs, k, tail), true
	}
	return Link{}, false
}

// makeLink builds the Link for the first k labels of hs, starting at
// start and ending at end (after the port and path).
func makeLink(text string, start int, scheme string, obf bool, hs *hostScan, k, end int) Link {
	var b strings.Builder
	b.Grow(hs.labels[k-1].end - hs.labels[0].start)
	for j := 0; j < k; j++ {
		if j > 0 {
			b.WriteByte('.')
			if hs.seps[j-1] != sepDot {
				obf = true
			}
		}
		for _, r := range text[hs.labels[j].start:hs.labels[j].end] {
			if invisible(r) {
				obf = true
				continue
			}
			b.WriteRune(r)
		}
	}
	host := normHost(b.String())
	return Link{
		Raw:        text[start:end],
		URL:        scheme + "://" + host + text[hs.labels[k-1].end:end],
		Host:       host,
		Start:      start,
		End:        end,
		Obfuscated: obf,
	}
}

// label returns the j-th label as written.
func (hs *hostScan) label(text string, j int) string {
	return text[hs.labels[j].start:hs.labels[j].end]
}

// scan reads the labels of a dotted name starting at p (a label start).
// hs.n is 0 when the chain has more than maxLabels labels.
func (hs *hostScan) scan(text string, p int) {
	hs.n = 0
	for {
		end, ok := scanLabel(text, p)
		if !ok {
			if hs.n > 0 {
				hs.seps[hs.n-1] = sepNone
			}
			return
		}
		if hs.n == maxLabels {
			hs.n = 0
			return
		}
		hs.labels[hs.n] = span{p, end}
		hs.seps[hs.n] = sepNone
		hs.n++
		kind, next := scanSep(text, end)
		if kind == sepNone {
			return
		}
		hs.seps[hs.n-1] = kind
		p = next
	}
}

// validBare reports whether the first k labels can form a bare domain
// name: no underscore, no final hyphen, at most 63 bytes.
func (hs *hostScan) validBare(text string, k int) bool {
	for j := 0; j < k; j++ {
		l := hs.label(text, j)
		if len(l) > 63 || l[len(l)-1] == '-' || strings.IndexByte(l, '_') >= 0 {
			return false
		}
	}
	return true
}

// sentenceCut returns how many labels of hs form the host when a
// sentence follows a name without a space ("example.com.Merci"): the
// host stops before a capitalised label that follows a known top-level
// domain in an otherwise lower-case name.
func sentenceCut(text string, hs *hostScan) int {
	for j := 1; j < hs.n; j++ {
		l := hs.label(text, j-1)
		if hasUpper(l) {
			break
		}
		if startsUpper(hs.label(text, j)) && lookupTLD(l) != 0 {
			return j
		}
	}
	return hs.n
}

// scanLabel reads a label starting at p; ok is false when no label
// starts there or it is longer than maxLabelScan bytes. Trailing
// underscores and hyphens are left out ("_example.com_" in markdown).
func scanLabel(text string, p int) (end int, ok bool) {
	if !labelStartAt(text, p) {
		return 0, false
	}
	q, last := p, p
	for q < len(text) {
		r, size := rune(text[q]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[q:])
		}
		if !labelRune(r) {
			break
		}
		q += size
		if r != '_' && r != '-' {
			last = q
		}
		if q-p > maxLabelScan {
			return 0, false
		}
	}
	return last, true
}

// labelStartAt reports whether a label starts at p.
func labelStartAt(text string, p int) bool {
	if p >= len(text) {
		return false
	}
	r := rune(text[p])
	if r >= utf8.RuneSelf {
		r, _ = utf8.DecodeRuneInString(text[p:])
	}
	return labelStart(r)
}

// scanSep reads a label separator at e, followed by the start of a
// label; kind is sepNone when there is none.
func scanSep(text string, e int) (kind sepKind, next int) {
	if e >= len(text) {
		return sepNone, e
	}
	switch c := text[e]; {
	case c == '.':
		if labelStartAt(text, e+1) {
			return sepDot, e + 1
		}
		return sepNone, e
	case c >= utf8.RuneSelf:
		r, size := utf8.DecodeRuneInString(text[e:])
		if (r == '。' || r == '．' || r == '｡') && labelStartAt(text, e+size) {
			return sepAltDot, e + size
		}
		return sepNone, e
	case c != ' ' && c != '\t' && c != '[' && c != '(' && c != '{':
		return sepNone, e
	}
	q := skipSpaces(text, e, maxSpaces)
	if q >= len(text) {
		return sepNone, e
	}
	switch text[q] {
	case '[', '(', '{':
		if after, ok := bracketDot(text, q); ok {
			if n := skipSpaces(text, after, maxSpaces); labelStartAt(text, n) {
				return sepBracket, n
			}
		}
		return sepNone, e
	}
	if q == e {
		return sepNone, e
	}
	if text[q] == '.' {
		if n := skipSpaces(text, q+1, maxSpaces); labelStartAt(text, n) {
			return sepSpaced, n
		}
		return sepNone, e
	}
	if w := dotWord(text, q); w > 0 {
		if n := skipSpaces(text, q+w, maxSpaces); n > q+w && labelStartAt(text, n) {
			return sepWord, n
		}
	}
	return sepNone, e
}

// skipSpaces skips at most limit ASCII spaces and tabs from p.
func skipSpaces(text string, p, limit int) int {
	for n := 0; n < limit && p < len(text) && (text[p] == ' ' || text[p] == '\t'); n++ {
		p++
	}
	return p
}

// dotWord returns the length of "dot" or "point" (any case) at p, or 0.
func dotWord(text string, p int) int {
	switch {
	case hasPrefixFold(text[p:], "dot"):
		return 3
	case hasPrefixFold(text[p:], "point"):
		return 5
	}
	return 0
}

// bracketDot reads "[.]", "(.)", "{.}", "[dot]", "(point)" … (with at
// most one space inside each bracket) at p and returns the offset after
// the closing bracket.
func bracketDot(text string, p int) (int, bool) {
	var closing byte
	switch text[p] {
	case '[':
		closing = ']'
	case '(':
		closing = ')'
	case '{':
		closing = '}'
	default:
		return 0, false
	}
	q := skipSpaces(text, p+1, 1)
	if q >= len(text) {
		return 0, false
	}
	if text[q] == '.' {
		q++
	} else if w := dotWord(text, q); w > 0 {
		q += w
	} else {
		return 0, false
	}
	q = skipSpaces(text, q, 1)
	if q >= len(text) || text[q] != closing {
		return 0, false
	}
	return q + 1, true
}

// scanTail reads an optional port (":8080") and path, query or fragment
// after a host ending at e, and returns where the link ends.
func scanTail(text string, e int) int {
	p := e
	if p < len(text) && text[p] == ':' {
		d := p + 1
		for d < len(text) && d-p <= 6 && '0' <= text[d] && text[d] <= '9' {
			d++
		}
		if n := d - p - 1; n >= 1 && n <= 5 && !labelRuneAt(text, d) {
			p = d
		}
	}
	if p < len(text) && (text[p] == '/' || text[p] == '?' || text[p] == '#') {
		p = scanPath(text, p)
	}
	return p
}

// labelRuneAt reports whether a label character is at p.
func labelRuneAt(text string, p int) bool {
	if p >= len(text) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[p:])
	return labelRune(r)
}

// scanPath reads a path, query and fragment starting at p and returns
// its end: it stops at spaces, quotes, angle brackets and unbalanced
// closing brackets, and leaves out trailing punctuation.
func scanPath(text string, p int) int {
	var paren, square, curly int
	end := p
scan:
	for end < len(text) {
		r, size := rune(text[end]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[end:])
		}
		switch r {
		case '(':
			paren++
		case '[':
			square++
		case '{':
			curly++
		case ')':
			if paren == 0 {
				break scan
			}
			paren--
		case ']':
			if square == 0 {
				break scan
			}
			square--
		case '}':
			if curly == 0 {
				break scan
			}
			curly--
		default:
			if pathStop(r) {
				break scan
			}
		}
		end += size
	}
	for end > p {
		r, size := utf8.DecodeLastRuneInString(text[p:end])
		if !trailingPunct(r) {
			break
		}
		end -= size
	}
	return end
}

// pathStop reports whether r cannot be part of a URL path written in
// chat.
func pathStop(r rune) bool {
	switch r {
	case '<', '>', '"', '`', '|', '\\', '«', '»', '“', '”', '„', '‹', '›', utf8.RuneError:
		return true
	}
	if r < utf8.RuneSelf {
		return r <= ' ' || r == 0x7f
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.IsControl(r)
}

// trailingPunct reports whether r, at the end of a URL, is punctuation of
// the sentence rather than part of the URL.
func trailingPunct(r rune) bool {
	switch r {
	case '.', ',', ';', ':', '!', '?', '\'', '*', '_', '…', '’':
		return true
	}
	return false
}

// titleCase reports whether s starts with an upper-case letter followed
// by a lower-case one somewhere ("Et", "Merci").
func titleCase(s string) bool {
	return startsUpper(s) && strings.IndexFunc(s, unicode.IsLower) > 0
}

// startsUpper reports whether s starts with an upper-case letter.
func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// startsLower reports whether s starts with a lower-case letter.
func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// hasUpper reports whether s has an upper-case letter.
func hasUpper(s string) bool {
	return strings.IndexFunc(s, unicode.IsUpper) >= 0
}

// asciiAlpha reports whether s is 2 or more ASCII letters.
func asciiAlpha(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// idnEvidence reports whether a label looks like part of an
// internationalised domain name rather than a French or English word:
// punycode, or a letter that written French does not use.
func idnEvidence(label string) bool {
	if hasPrefixFold(label, "xn--") {
		return true
	}
	for _, r := range label {
		if r >= utf8.RuneSelf && unicode.IsLetter(r) && !frenchLetter(unicode.ToLower(r)) {
			return true
		}
	}
	return false
}
