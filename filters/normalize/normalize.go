package normalize

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// cell is one character of the message that survived stage 1, with its
// class and output (in the Normalizer's pool, or in Text.buf when
// flags has fScratch).
type cell struct {
	s, e int32 // byte range in Original (combining marks included)
	entry
}

// Piece kinds, for the spaced-letter join.
const (
	pWord   uint8 = iota // anything but a single letter or leet digit
	pLetter              // a single Latin (or look-alike) letter
	pDigit               // a single ASCII digit that has a leet reading
)

// piece is a run of word cells between separators: a token before the
// spaced-letter join.
type piece struct {
	c0, c1 int32 // cell range [c0, c1)
	kind   uint8
	letter bool // contains a letter (leet applies)
	latin  bool // contains a Latin letter or a leet symbol
	digit  bool // contains a digit that has a leet reading
	join   bool // joined with the next piece into one token
}

// Normalize normalises s into a new Text.
func (n *Normalizer) Normalize(s string) *Text {
	t := new(Text)
	n.Into(t, s)
	return t
}

// Into normalises s into t, reusing t's buffers: once t has grown to the
// size of the messages it sees, Into does not allocate.
func (n *Normalizer) Into(t *Text, s string) {
	n.run(t, s, true)
}

// Term normalises a rules-file term ("enculé", "t'es", "fils de pute")
// the way Into normalises text, except that terms are taken as written:
// no leetspeak decoding and no joining of spaced letters. It returns the
// normalised bytes (words separated by single spaces) and the run length
// of each byte; both are nil for a term without letters or digits. A
// term is normalised alone: a word made only of Cyrillic or Greek
// look-alike letters ("сука") reads as Latin, as it does in a message
// without other Cyrillic or Greek letters.
func (n *Normalizer) Term(s string) (norm []byte, runs []uint8) {
	var t Text
	n.run(&t, s, false)
	if len(t.Norm) == 0 {
		return nil, nil
	}
	return append([]byte(nil), t.Norm...), append([]uint8(nil), t.Runs...)
}

// run is the pipeline; text selects the stages that only apply to chat
// text (leetspeak and spaced-letter joining).
func (n *Normalizer) run(t *Text, s string, text bool) {
	if text {
		t.reset(s)
		if n.fast(t, s) {
			return
		}
	}
	n.pipeline(t, s, text)
}

// pipeline runs every stage on s (see fast for the one-pass path).
func (n *Normalizer) pipeline(t *Text, s string, text bool) {
	t.reset(s)
	t.pool = n.pool
	native, leet := n.scan(t, s)
	if text && leet {
		markLeet(t.cells)
	}
	t.split()
	if text {
		t.join()
	}
	n.emit(t, text, native)
}

// scan decodes s into cells (stage 1). It reports which native scripts
// (fCyr, fGreek) have letters that are not look-alikes, and whether any
// leet symbol was seen.
func (n *Normalizer) scan(t *Text, s string) (native uint8, leet bool) {
	cells := t.cells[:0]
	if cap(cells) < len(s) {
		cells = make([]cell, 0, len(s))
	}
	var slow entry
	for i := 0; i < len(s); {
		var e *entry
		size := 1
		if b := s[i]; b < utf8.RuneSelf {
			e = &n.ascii[b]
		} else {
			r, sz := utf8.DecodeRuneInString(s[i:])
			size = sz
			switch p := n.pageIdx[r>>8]; {
			case r == utf8.RuneError && sz == 1:
				slow = entry{cls: clsPunct} // an invalid byte breaks words
				e = &slow
			case p != 0:
				e = &n.pages[int(p-1)<<8|int(r&0xff)]
			default:
				slow = n.slow(t, r, s[i:i+sz])
				e = &slow
			}
		}
		switch e.cls {
		case clsDrop:
		case clsMark:
			if k := len(cells) - 1; k >= 0 && cells[k].e == int32(i) && cells[k].cls >= clsDigit {
				cells[k].e = int32(i + size)
			}
		case clsOther:
			native |= e.flags & (fCyr | fGreek)
			fallthrough
		default:
			if e.cls == clsLeet {
				leet = true
			}
			// cap(cells) >= len(s): extend in place, field by field (a
			// composite literal goes through the stack and stalls).
			k := len(cells)
			cells = cells[:k+1]
			c := &cells[k]
			c.s, c.e, c.entry = int32(i), int32(i+size), *e
		}
		i += size
	}
	t.cells = cells
	return native, leet
}

// slow classifies a character outside the Normalizer's tables (CJK,
// Hangul, emoji, rarer scripts): its NFKC (compatibility) decomposition,
// lower-cased, without combining marks, the output going to t.buf.
func (n *Normalizer) slow(t *Text, r rune, raw string) entry {
	switch {
	case r >= 0x1F300 && r <= 0x1FAFF: // pictographs and emoji
		return entry{cls: clsPunct}
	case unicode.In(r, unicode.Mn, unicode.Me):
		return entry{cls: clsMark}
	case unicode.Is(unicode.Cf, r):
		return entry{cls: clsDrop}
	case unicode.IsSpace(r):
		return entry{cls: clsSpace}
	case !unicode.IsLetter(r) && !unicode.IsNumber(r):
		return entry{cls: clsPunct}
	}
	off := len(t.buf)
	letters := false
	d := norm.NFKC.PropertiesString(raw).Decomposition()
	if d == nil {
		d = append(t.tmp[:0], raw...)
		t.tmp = d
	}
	for len(d) > 0 {
		c, w := utf8.DecodeRune(d)
		d = d[w:]
		c = unicode.ToLower(c)
		if unicode.IsLetter(c) {
			letters = true
		} else if !unicode.IsNumber(c) {
			continue // marks, spaces and punctuation of a decomposition
		}
		t.buf = utf8.AppendRune(t.buf, c)
	}
	if len(t.buf) == off || len(t.buf)-off > 255 {
		t.buf = t.buf[:off]
		return entry{cls: clsMark}
	}
	e := entry{off: uint32(off), n: uint8(len(t.buf) - off), flags: fScratch | scriptFlags(r), cls: clsDigit}
	if letters {
		e.cls = clsOther
	}
	return e
}

// markLeet flags the leet symbols that are followed, possibly through
// other leet symbols, by a letter or digit (stage 3). Several symbols at
// the start of a word are markup, not leet ("||spoiler||", "!!!non").
func markLeet(cs []cell) {
	next := false
	for i := len(cs) - 1; i >= 0; i-- {
		c := &cs[i]
		switch {
		case c.cls >= clsDigit:
			next = true
		case c.cls == clsLeet:
			if next {
				c.flags |= fConv
			}
		default:
			next = false
		}
	}
	for i := 0; i < len(cs); i++ {
		if cs[i].cls != clsLeet || cs[i].flags&fConv == 0 {
			continue
		}
		j := i + 1
		for j < len(cs) && cs[j].cls == clsLeet {
			j++
		}
		if j-i >= 2 && (i == 0 || cs[i-1].cls < clsDigit) {
			for k := i; k < j; k++ {
				cs[k].flags &^= fConv
			}
		}
		i = j - 1
	}
}

// wordy reports whether c is part of a word: a letter, a digit or a leet
// symbol read as a letter.
func wordy(c *cell) bool {
	return c.cls >= clsDigit || c.flags&fConv != 0
}

// split groups cells into pieces (stage 2): runs of word cells, '*'
// removed between them. A piece without a letter reads its leet symbols
// as separators ("@123" → "123").
func (t *Text) split() {
	cs := t.cells
	for i := 0; i < len(cs); {
		if !wordy(&cs[i]) {
			i++
			continue
		}
		start := i
		letter, conv, latin, digit := false, false, false, false
		for i < len(cs) {
			c := &cs[i]
			if wordy(c) {
				switch c.cls {
				case clsLatin:
					letter, latin = true, true
				case clsConf:
					letter = true
				case clsOther:
					letter = true
					latin = latin || c.flags&fLatin != 0
				case clsLeet:
					conv = true
				case clsDigit:
					digit = digit || c.aux != 0
				}
				i++
				continue
			}
			if c.cls == clsStar {
				j := i + 1
				for j < len(cs) && cs[j].cls == clsStar {
					j++
				}
				if j < len(cs) && wordy(&cs[j]) {
					i = j
					continue
				}
			}
			break
		}
		if !letter && conv {
			for k := start; k < i; k++ {
				cs[k].flags &^= fConv
			}
			i = start
			continue
		}
		p := piece{c0: int32(start), c1: int32(i), letter: letter, latin: latin || conv, digit: digit}
		if i-start == 1 {
			switch c := &cs[start]; {
			case c.cls == clsLatin || c.cls == clsConf:
				p.kind = pLetter
			case c.cls == clsDigit && c.aux != 0:
				p.kind = pDigit
			}
		}
		t.pieces = append(t.pieces, p)
	}
}

// gap describes the separators between piece k-1 and piece k: the
// separator character when there is exactly one (' ' for any whitespace)
// or 0, and whether the gap is soft (only '.', '-', '_', '/' and '*': the
// pieces are glued into one written word).
func (t *Text) gap(k int) (sep byte, soft bool) {
	cs := t.cells[t.pieces[k-1].c1:t.pieces[k].c0]
	soft = true
	for i := range cs {
		if cs[i].cls != clsJoin && cs[i].cls != clsStar {
			soft = false
			break
		}
	}
	if len(cs) == 1 {
		switch cs[0].cls {
		case clsSpace:
			sep = ' '
		case clsJoin:
			sep = cs[0].aux
		case clsStar:
			sep = '*'
		}
	}
	return sep, soft
}

// join marks runs of spaced single letters to be joined into one token
// (stage 5).
func (t *Text) join() {
	ps := t.pieces
	m := len(ps)
	for k := 0; k < m; {
		if ps[k].kind == pWord {
			k++
			continue
		}
		j, sep := k, byte(0)
		for j+1 < m && ps[j+1].kind != pWord {
			s, _ := t.gap(j + 1)
			if s == 0 || (sep != 0 && s != sep) {
				break
			}
			if j > k && t.elided(j+1) {
				// "g a y s c'est": the "c'" belongs to the next word.
				break
			}
			sep = s
			j++
		}
		a, b := k, j
		for a <= b && ps[a].kind == pDigit {
			a++
		}
		for b >= a && ps[b].kind == pDigit {
			b--
		}
		if a <= b && t.joinable(a, b, sep) {
			for x := a; x < b; x++ {
				ps[x].join = true
			}
			k = b + 1
			continue
		}
		if j > k {
			k = j
		} else {
			k++
		}
	}
}

// elided reports whether piece k is a letter written against an
// apostrophe and a word, as the elided articles and pronouns of French
// are (c'est, l'école, j'ai, qu'il): it starts the next word, it does not
// end a run of spaced letters.
func (t *Text) elided(k int) bool {
	ps := t.pieces
	if k+1 >= len(ps) || ps[k+1].kind != pWord {
		return false
	}
	end := ps[k].c1
	if int(end)+1 != int(ps[k+1].c0) {
		return false
	}
	c := &t.cells[end]
	return c.cls == clsPunct && c.aux == qSingle
}

// joinable decides whether the run of single-character pieces [a, b],
// separated by sep and starting and ending with a letter, is one
// spaced-out word.
func (t *Text) joinable(a, b int, sep byte) bool {
	ps := t.pieces
	letters, chat := 0, true
	var word [4]byte // the run's letters, when it is short and plain
	for x := a; x <= b; x++ {
		if ps[x].kind != pLetter {
			chat = false
			continue
		}
		c := &t.cells[ps[x].c0]
		o := t.out(c)
		if c.n != 1 || !isChatLetter(o[0]) {
			chat = false
		}
		if c.n == 1 && x-a < len(word) {
			word[x-a] = o[0]
		}
		letters++
	}
	if letters < 2 {
		return false
	}
	if n := b - a + 1; n >= 3 {
		if sep != ' ' || n > len(word) || letters != n {
			return true
		}
		if n == 3 && chat {
			return false
		}
		for _, p := range chatRuns {
			if string(word[:n]) == p {
				return false
			}
		}
		return true
	}
	if sep != '.' && sep != '-' && sep != '*' {
		return false
	}
	if a > 0 {
		if _, soft := t.gap(a); soft {
			return false
		}
	}
	if b < len(ps)-1 {
		if _, soft := t.gap(b + 1); soft {
			return false
		}
	}
	return true
}

func isChatLetter(b byte) bool {
	for i := 0; i < len(chatLetters); i++ {
		if chatLetters[i] == b {
			return true
		}
	}
	return false
}

// out returns the primary output of c: its ASCII form for letters.
func (t *Text) out(c *cell) []byte {
	if c.flags&fScratch != 0 {
		return t.buf[c.off : c.off+uint32(c.n)]
	}
	return t.pool[c.off : c.off+uint32(c.n)]
}

// emitter builds the output of emit in local slices (on the stack, to
// spare the write barriers of storing into Text at every byte).
type emitter struct {
	norm   []byte
	runs   []uint8
	orig   []span
	tokens []Token
	quoted []bool
	stack  []qmark
}

// emit writes the tokens into Norm, Runs and the offsets, and finds the
// quoted tokens.
func (n *Normalizer) emit(t *Text, text bool, native uint8) {
	ps, cs, pool := t.pieces, t.cells, n.pool
	w := emitter{
		norm: t.Norm[:0], runs: t.Runs[:0], orig: t.orig[:0],
		tokens: t.Tokens[:0], quoted: t.Quoted[:0], stack: t.stack[:0],
	}
	from := 0 // first cell not yet scanned for quotation marks
	for k := 0; k < len(ps); {
		k1 := k
		letter, latin, digit := false, false, false
		for {
			p := &ps[k1]
			letter = letter || p.letter
			latin = latin || p.latin
			digit = digit || p.digit
			k1++
			if !p.join {
				break
			}
		}
		w.quotes(cs, from, int(ps[k].c0))

		leet := text && letter && (k1-k > 1 || cs[ps[k].c0].cls != clsDigit || !t.unit(&ps[k]))
		latin = latin || leet && digit

		if len(w.tokens) > 0 {
			w.norm = append(w.norm, ' ')
			w.runs = append(w.runs, 1)
			w.orig = append(w.orig, span{w.orig[len(w.orig)-1].e, cs[ps[k].c0].s})
		}
		start := len(w.norm)
		for x := k; x < k1; x++ {
			for ci := ps[x].c0; ci < ps[x].c1; ci++ {
				c := &cs[ci]
				switch {
				case c.cls == clsLatin && c.n == 1 && c.flags&fScratch == 0:
					w.put(pool[c.off], c.s, c.e, start)
				case c.cls == clsStar:
				case c.cls == clsLeet:
					w.put(c.aux, c.s, c.e, start)
				case c.cls == clsDigit && leet && c.aux != 0:
					w.put(c.aux, c.s, c.e, start)
				case c.cls == clsConf && !latin && native&c.flags != 0:
					o := c.off + uint32(c.n)
					w.puts(pool[o:o+uint32(c.aux)], c.s, c.e, start)
				default:
					w.puts(t.out(c), c.s, c.e, start)
				}
			}
		}
		w.tokens = append(w.tokens, Token{Start: start, End: len(w.norm)})
		w.quoted = append(w.quoted, false)
		from = int(ps[k1-1].c1)
		k = k1
	}
	w.quotes(cs, from, len(cs))
	t.Norm, t.Runs, t.orig = w.norm, w.runs, w.orig
	t.Tokens, t.Quoted, t.stack = w.tokens, w.quoted, w.stack
}

// put appends one output byte from the original range [s, e), merging a
// repeated ASCII letter of the same token into a run.
func (w *emitter) put(b byte, s, e int32, tokStart int) {
	w.norm, w.runs, w.orig = putByte(w.norm, w.runs, w.orig, b, s, e, tokStart)
}

// putByte is put on the slices themselves (the one-pass path keeps them
// in local variables).
func putByte(norm []byte, runs []uint8, orig []span, b byte, s, e int32, tokStart int) ([]byte, []uint8, []span) {
	if last := len(norm) - 1; last >= tokStart && norm[last] == b && b >= 'a' && b <= 'z' {
		if runs[last] < 255 {
			runs[last]++
		}
		orig[last].e = e
		return norm, runs, orig
	}
	return append(norm, b), append(runs, 1), append(orig, span{s, e})
}

// puts appends the output bytes of one character.
func (w *emitter) puts(bs []byte, s, e int32, tokStart int) {
	for _, b := range bs {
		w.put(b, s, e, tokStart)
	}
}

// unit reports whether piece p is a number with an ordinal or unit
// suffix ("1er", "3eme", "10h30", "5km"), whose digits are not leet.
func (t *Text) unit(p *piece) bool {
	cs := t.cells[p.c0:p.c1]
	i := 0
	for i < len(cs) && isASCIIDigitCell(t, &cs[i]) {
		i++
	}
	if i == 0 || i == len(cs) {
		return false
	}
	var suf [8]byte
	ns := 0
	for ; i < len(cs) && cs[i].cls == clsLatin; i++ {
		o := t.out(&cs[i])
		if ns+len(o) > len(suf) {
			return false
		}
		ns += copy(suf[ns:], o)
	}
	if ns == 1 && suf[0] == 'h' {
		for i < len(cs) && isASCIIDigitCell(t, &cs[i]) {
			i++
		}
	}
	if i != len(cs) {
		return false
	}
	for _, u := range unitSuffixes {
		if string(suf[:ns]) == u {
			return true
		}
	}
	return false
}

func isASCIIDigitCell(t *Text, c *cell) bool {
	if c.cls != clsDigit || c.n != 1 {
		return false
	}
	b := t.out(c)[0]
	return b >= '0' && b <= '9'
}
