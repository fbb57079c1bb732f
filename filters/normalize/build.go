package normalize

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Character classes: what a character is to the tokenizer.
const (
	clsDrop  uint8 = iota // removed without breaking the word (format controls, invisibles)
	clsMark               // combining mark: removed, attached to the previous character
	clsSpace              // whitespace: hard word break, a spaced-letter separator
	clsPunct              // punctuation, symbols, emoji, quotes: hard word break
	clsJoin               // '.', '-', '_', '/': soft word break (aux is the ASCII form)
	clsStar               // '*': removed inside a word, a break at its edges
	clsLeet               // '@', '$', '€', '!', '|': a letter before a letter or digit (aux)
	clsDigit              // a number (aux is the leet letter of a single ASCII digit, or 0)
	clsLatin              // a letter whose output is plain ASCII letters
	clsConf               // a Cyrillic or Greek letter that looks like a Latin one
	clsOther              // a letter of another script, or a Latin letter kept as UTF-8
)

// Entry flags.
const (
	fLatin   uint8 = 1 << iota // the character is Latin script (or decorates a Latin letter)
	fCyr                       // Cyrillic script
	fGreek                     // Greek script
	fScratch                   // (cells only) output lives in Text.buf, not in the pool
	fConv                      // (cells only) a leet symbol read as a letter
)

// Quotation kinds (aux of clsPunct entries).
const (
	qNone uint8 = iota
	qSingle
	qBacktick
	qDouble
	qDoubleLeft
	qDoubleRight
	qDoubleLow
	qGuilLeft
	qGuilRight
	qAngleLeft
	qAngleRight
	qCornerLeft
	qCornerRight
	qWCornerLeft
	qWCornerRight
)

// entry is what the tables know of one character.
type entry struct {
	off uint32 // output in the pool: ASCII form for letters (Latin form for confusables)
	n   uint8  // length of the output
	cls uint8
	// aux is the ASCII separator of clsJoin, the leet letter of clsLeet
	// and clsDigit, the quotation kind of clsPunct, and for clsConf the
	// length of the native (folded) form, stored in the pool right after
	// the Latin form.
	aux   uint8
	flags uint8
}

// Normalizer holds the immutable lookup tables of the pipeline. Build
// one with New (it takes about 25 ms and 300 KB) and share it: it is safe
// for concurrent use.
type Normalizer struct {
	ascii   [256]entry // bytes < 0x80
	pageIdx []uint16   // rune>>8 -> 1 + index of a 256-entry page, 0 if not tabulated
	pages   []entry
	pool    []byte // outputs of the entries
	emoji   entry  // a pictograph or emoji (see slow), for the one-pass path
}

// pageRanges are the Unicode blocks (in pages of 256 code points) that
// New tabulates: Latin, IPA, Greek, Cyrillic and the other alphabets up
// to U+1FFF, punctuation, letterlike and enclosed forms, CJK symbols,
// Latin and Cyrillic extensions, presentation and fullwidth forms,
// mathematical alphanumerics, enclosed alphanumeric supplement and tags.
var pageRanges = [][2]rune{
	{0x0000, 0x33FF},
	{0xA600, 0xA7FF},
	{0xAB00, 0xABFF},
	{0xFB00, 0xFFFF},
	{0x1D400, 0x1D7FF},
	{0x1F100, 0x1F1FF},
	{0xE0000, 0xE01FF},
}

// builder computes entries with golang.org/x/text; it is used only by New.
type builder struct {
	fold    cases.Caser
	pool    []byte
	poolIdx map[string]uint32
}

// New builds a Normalizer. Its tables cover the scripts and symbol
// blocks found in school chat; other characters are normalised on the
// fly with NFKC and simple lower-casing.
func New() *Normalizer {
	b := &builder{fold: cases.Fold(), poolIdx: make(map[string]uint32)}
	n := &Normalizer{pageIdx: make([]uint16, (unicode.MaxRune>>8)+1), emoji: entry{cls: clsPunct}}
	for c := 0; c < 0x80; c++ {
		n.ascii[c] = b.entryFor(rune(c))
	}
	for _, pr := range pageRanges {
		for p := pr[0] >> 8; p <= pr[1]>>8; p++ {
			n.pageIdx[p] = uint16(len(n.pages)/256 + 1)
			for r := p << 8; r < (p+1)<<8; r++ {
				n.pages = append(n.pages, b.entryFor(r))
			}
		}
	}
	n.pool = b.pool
	return n
}

// add stores s in the pool (sharing equal strings) and returns its offset.
func (b *builder) add(s string) uint32 {
	if off, ok := b.poolIdx[s]; ok {
		return off
	}
	off := uint32(len(b.pool))
	b.pool = append(b.pool, s...)
	b.poolIdx[s] = off
	return off
}

func (b *builder) out(e entry, s string) entry {
	e.off, e.n = b.add(s), uint8(len(s))
	return e
}

// digits returns the entry of a character that stands for the ASCII
// digits o. Only a decimal digit (category Nd: ASCII, fullwidth,
// mathematical) may be leet; superscripts and circled numbers (No) are
// not ("x²", "m³").
func (b *builder) digits(o string, decimal bool) entry {
	e := entry{cls: clsDigit}
	if len(o) == 1 && decimal {
		e.aux = leetDigit[o[0]-'0']
	}
	return b.out(e, o)
}

// stripMarks decomposes s, removes the nonspacing marks (diacritics) and
// recomposes what is left.
func stripMarks(s string) string {
	d := norm.NFD.String(s)
	var sb strings.Builder
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		sb.WriteRune(r)
	}
	return norm.NFC.String(sb.String())
}

// scriptFlags returns the script flags of r.
func scriptFlags(r rune) uint8 {
	switch {
	case unicode.Is(unicode.Latin, r):
		return fLatin
	case unicode.Is(unicode.Cyrillic, r):
		return fCyr
	case unicode.Is(unicode.Greek, r):
		return fGreek
	}
	return 0
}

// entryFor computes the entry of r. It is the single source of truth for
// what happens to a character; the runtime fallback (Normalizer.slow)
// follows the same steps for characters outside the tables.
func (b *builder) entryFor(r rune) entry {
	// Separators and special characters first.
	if k, ok := quoteKinds[r]; ok {
		return entry{cls: clsPunct, aux: k}
	}
	if c, ok := joiners[r]; ok {
		return entry{cls: clsJoin, aux: c}
	}
	if r == '*' {
		return entry{cls: clsStar}
	}
	if l, ok := leetSymbol[r]; ok {
		return entry{cls: clsLeet, aux: l}
	}
	if slices.Contains(invisibles, r) {
		return entry{cls: clsDrop}
	}
	if slices.Contains(blanks, r) || unicode.IsSpace(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp) {
		return entry{cls: clsSpace}
	}
	if unicode.In(r, unicode.Cf, unicode.Cc) || (r >= 0xE0000 && r <= 0xE007F) {
		return entry{cls: clsDrop}
	}
	if unicode.In(r, unicode.Mn, unicode.Me) {
		return entry{cls: clsMark}
	}
	if r < 0x80 {
		switch {
		case r >= 'a' && r <= 'z':
			return b.out(entry{cls: clsLatin, flags: fLatin}, string(r))
		case r >= 'A' && r <= 'Z':
			return b.out(entry{cls: clsLatin, flags: fLatin}, string(r+'a'-'A'))
		case r >= '0' && r <= '9':
			return b.out(entry{cls: clsDigit, aux: leetDigit[r-'0']}, string(r))
		}
		return entry{cls: clsPunct}
	}
	// Letters that NFKC leaves alone but that are Latin letters in
	// disguise: negative circled and squared letters, regional indicators.
	switch {
	case r >= 0x1F150 && r <= 0x1F169:
		return b.out(entry{cls: clsLatin, flags: fLatin}, string('a'+r-0x1F150))
	case r >= 0x1F170 && r <= 0x1F189:
		return b.out(entry{cls: clsLatin, flags: fLatin}, string('a'+r-0x1F170))
	case r >= 0x1F1E6 && r <= 0x1F1FF:
		return b.out(entry{cls: clsLatin, flags: fLatin}, string('a'+r-0x1F1E6))
	}

	if !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.C) {
		return entry{cls: clsPunct} // unassigned
	}
	switch {
	case r >= 0x24EB && r <= 0x24F4: // negative circled numbers ⓫
		return b.digits(strconv.Itoa(int(r-0x24EB)+11), false)
	case r >= 0x24F5 && r <= 0x24FE: // double circled digits ⓵
		return b.digits(strconv.Itoa(int(r-0x24F5)+1), false)
	case r == 0x24FF: // negative circled digit zero ⓿
		return b.digits("0", false)
	case r >= 0x2776 && r <= 0x277F: // dingbat negative circled digits ❶
		return b.digits(strconv.Itoa(int(r-0x2776)+1), false)
	case r >= 0x2780 && r <= 0x2789: // dingbat circled sans-serif digits ➀
		return b.digits(strconv.Itoa(int(r-0x2780)+1), false)
	case r >= 0x278A && r <= 0x2793: // dingbat negative circled sans-serif digits ➊
		return b.digits(strconv.Itoa(int(r-0x278A)+1), false)
	case r >= 0x02B0 && r <= 0x02FF && unicode.Is(unicode.Lm, r) &&
		norm.NFKD.PropertiesString(string(r)).Decomposition() == nil:
		return entry{cls: clsPunct} // spacing modifier letters used as symbols (ˆ ˈ)
	}

	// k is the NFKC form, base the same without diacritics, folded the
	// case-folded form with stroke letters mapped and diacritics removed.
	k, base, folded := string(r), string(r), string(r)
	if unicode.SimpleFold(r) != r || norm.NFKD.PropertiesString(k).Decomposition() != nil {
		k = norm.NFKC.String(k)
		base = stripMarks(k)
		folded = stripMarks(b.fold.String(k))
	}
	if strings.IndexFunc(folded, func(c rune) bool { _, ok := latinExtra[c]; return ok }) >= 0 {
		var fx strings.Builder
		for _, c := range folded {
			if x, ok := latinExtra[c]; ok {
				fx.WriteString(x)
			} else {
				fx.WriteRune(c)
			}
		}
		folded = fx.String()
	}
	flags := scriptFlags(r)
	if br, size := utf8.DecodeRuneInString(base); size == len(base) && size > 0 {
		if flags == 0 {
			flags = scriptFlags(br)
		}
		if l, ok := confusables[br]; ok {
			nat := b.fold.String(base)
			e := b.out(entry{cls: clsConf, flags: flags, aux: uint8(len(nat))}, string(l)+nat)
			e.n = 1
			return e
		}
	}
	// Keep letters and digits; map stroke letters and small capitals.
	var sb strings.Builder
	letters, digits, nonASCII := 0, 0, false
	for _, c := range folded {
		switch {
		case c >= 0x2B9 && c <= 0x2BF: // apostrophe-like modifier letters
			continue
		case unicode.IsLetter(c):
			letters++
		case unicode.IsDigit(c) || unicode.IsNumber(c):
			digits++
		default:
			continue
		}
		if c >= 0x80 {
			nonASCII = true
		}
		sb.WriteRune(c)
	}
	o := sb.String()
	switch {
	case letters > 0 && !nonASCII:
		return b.out(entry{cls: clsLatin, flags: flags | fLatin}, o)
	case letters > 0:
		return b.out(entry{cls: clsOther, flags: flags}, o)
	case digits > 0 && !nonASCII:
		return b.digits(o, unicode.IsDigit(r))
	case digits > 0:
		return b.out(entry{cls: clsDigit}, o)
	}
	// No letter or digit: a symbol. Fullwidth and small forms of ASCII
	// punctuation behave like their ASCII counterpart.
	if len(k) == 1 && k[0] < 0x80 {
		return b.entryFor(rune(k[0]))
	}
	if k == "" || unicode.In(r, unicode.Lm, unicode.Lo, unicode.Mc) {
		// A letter or sign that normalises to nothing (a lone voicing
		// mark): drop it like a diacritic.
		return entry{cls: clsMark}
	}
	return entry{cls: clsPunct}
}
