// Package normalize turns chat text into the form that Vigie's matchers
// read, keeping for every normalised byte the place in the original text
// it came from, so that a match can be quoted and highlighted.
//
// The normalised form ("Norm") is a sequence of tokens separated by
// single spaces. Each token is lower case, without diacritics, with
// look-alike letters mapped to Latin, leetspeak decoded inside words and
// runs of one letter collapsed to a single letter whose run length is kept
// in Runs. For example "T'es qu'un GROS c0nnnnard !!" becomes
// "t es qu un gros conard" with Runs[...] = 4 for the collapsed 'n'.
//
// The pipeline, in the order a character meets it:
//
//  1. Unicode: NFKC per character, case folding, diacritics removed
//     (é → e, ç → c, œ → oe, ß → ss), stroke letters and small capitals
//     mapped (ø → o, ᴄ → c), fancy letters read as plain ones (ｃ 𝐜 𝓬 𝕔 ⓒ ⒞
//     🄲 🅒 🅲 🇨 → c), zero-width, bidi and other format characters
//     removed without breaking the word.
//  2. Words: whitespace, apostrophes, punctuation, symbols and emoji
//     break words; '.', '-', '_' and '/' break words too but may be
//     bridged by the spaced-letter join; '*' inside a word is removed
//     ("f*ck" → "fck").
//  3. Leetspeak, only in words that contain a letter: 0→o 1→i 3→e 4→a 5→s
//     7→t 8→b 9→g, and @→a $→s €→e !→i |→l when followed by a letter or
//     digit (but not two or more at a word start: "||spoiler||",
//     "!!!non"). Pure numbers and numbers with an ordinal or unit suffix
//     ("2024", "1er", "3eme", "10h30", "4ans") keep their digits.
//  4. Confusables: Cyrillic and Greek letters that look like Latin ones
//     are read as Latin in words that contain Latin letters (or leet), and
//     in words made only of look-alikes unless the message also has
//     genuine Cyrillic (or Greek) letters: "соnnаrd" reads as "connard",
//     but "Привет как дела" stays Cyrillic.
//  5. Spaced letters: three or more one-letter words separated by the same
//     single separator (space, '.', '-', '_', '*', '/') are joined
//     ("c o n n a r d", "p.u.t.e", "n-t-m", with leet digits inside the
//     run: "c 0 n n 4 r d"); two are joined only with
//     '.', '*' or '-' and when they stand alone ("t.g", not "a-t-il").
//     Runs of one-letter chat words separated by spaces are not joined:
//     three of a c i o r u y ("y a à", "u r a", "i c u"), and "n y a",
//     "y a t", "n y a t", "j y a".
//  6. Letter runs: a run of one ASCII letter becomes one byte whose run
//     length is kept in Runs (capped at 255).
//
// Every byte of Norm keeps the byte range of Original it came from
// (Text.Span): a collapsed run maps to the whole run, a joined spaced
// word to the whole stretch, "oe" from "œ" to the one character. Tokens
// between quotation marks are flagged in Text.Quoted.
//
// Rules-file terms go through the same pipeline without leetspeak and
// without the spaced-letter join (Normalizer.Term).
//
// Most chat messages need neither leetspeak, look-alikes nor the
// spaced-letter join: they are normalised in one pass that writes the
// same result as the pipeline and falls back to it at the first
// character or word it does not handle (see fast.go).
package normalize

// Token is a word of the normalised text: the half-open byte range
// [Start, End) of Norm.
type Token struct {
	Start, End int
}

// Text is a normalised message. A Text is not safe for concurrent use;
// reuse one per goroutine with Normalizer.Into to avoid allocations.
type Text struct {
	// Original is the text as received.
	Original string
	// Norm is the normalised text: tokens separated by single spaces,
	// no leading or trailing space.
	Norm []byte
	// Runs[i] is how many times the letter Norm[i] was repeated in a row
	// in the source (1 for most letters, capped at 255); 1 for spaces,
	// digits and non-ASCII bytes.
	Runs []uint8
	// Tokens are the words of Norm, in order.
	Tokens []Token
	// orig[i] is the byte range of Original that Norm[i] came from, so
	// that a collapsed run or a joined spaced word maps back to the whole
	// original stretch (for a space: the gap between the two tokens).
	orig []span
	// Quoted[i] reports whether token i lies inside quotation marks
	// ("…", «…», “…”, „…“, '…' around words, `…`).
	Quoted []bool

	// Scratch space of the pipeline, kept between calls of Into.
	cells  []cell
	pool   []byte // the Normalizer's outputs
	buf    []byte // outputs of characters outside the Normalizer's tables
	tmp    []byte
	pieces []piece
	stack  []qmark
}

// Span maps the normalised byte range [start, end) back to the byte range
// of Original it came from. The result is a range of whole characters
// with start <= end. Out-of-range arguments are clamped; an empty range
// maps to an empty range at the corresponding place of Original.
func (t *Text) Span(start, end int) (int, int) {
	n := len(t.Norm)
	if start < 0 {
		start = 0
	}
	if end > n {
		end = n
	}
	if start >= end {
		switch {
		case n == 0:
			return 0, 0
		case start >= n:
			p := int(t.orig[n-1].e)
			return p, p
		}
		p := int(t.orig[start].s)
		return p, p
	}
	return int(t.orig[start].s), int(t.orig[end-1].e)
}

// TokenSpan returns the byte range of Original that token i came from
// (for a joined spaced word, the whole stretch "c o n n a r d").
func (t *Text) TokenSpan(i int) (int, int) {
	tok := t.Tokens[i]
	return t.Span(tok.Start, tok.End)
}

// TokenAt returns the index of the token that contains the Norm offset
// off. For the offset of a space between two tokens it returns the
// following token; for an offset outside Norm it returns -1.
func (t *Text) TokenAt(off int) int {
	if off < 0 || off >= len(t.Norm) {
		return -1
	}
	lo, hi := 0, len(t.Tokens)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.Tokens[m].End > off {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// span is a half-open byte range [s, e) of Original.
type span struct{ s, e int32 }

// reset empties t for a new message s, keeping its buffers.
func (t *Text) reset(s string) {
	t.Original = s
	t.Norm = t.Norm[:0]
	t.Runs = t.Runs[:0]
	t.Tokens = t.Tokens[:0]
	t.Quoted = t.Quoted[:0]
	t.orig = t.orig[:0]
	t.cells = t.cells[:0]
	t.buf = t.buf[:0]
	t.pieces = t.pieces[:0]
	t.stack = t.stack[:0]
}
