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
	// orig[i] is the byte offset in Original where Norm[i] starts; origEnd[i]
	// is where it ends (exclusive), so that a collapsed run or a joined
	// spaced word maps back to the whole original stretch.
	orig, origEnd []int32
	// Quoted[i] reports whether token i lies inside quotation marks
	// ("…", «…», “…”, '…' around several words, `…`).
	Quoted []bool
}

// Span maps the normalised byte range [start, end) back to the byte range
// of Original it came from. start < end is required; the result is a
// range of whole UTF-8 characters.
func (t *Text) Span(start, end int) (int, int) {
	return int(t.orig[start]), int(t.origEnd[end-1])
}
