// Package pattern parses the token patterns of Vigie's frames and cues
// (see rules/FORMAT.md): sequences of words, word prefixes, term-set
// references, lexicon-category references, groups of alternatives,
// optional elements, bounded gaps and wildcards.
//
//	@you (qu un | qu une)? ~2 @lex:insult
//
// Parse only checks the syntax; the classifier resolves references and
// matches patterns over the hits of its automaton.
package pattern

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is the kind of a pattern element.
type Kind int

// Element kinds.
const (
	Word   Kind = iota + 1 // a literal word (or words, once normalised)
	Prefix                 // a literal word prefix: word*
	Ref                    // @name: a term set
	Lex                    // @lex:category: a lexicon match of that category
	Group                  // (a | b c): alternatives
	Gap                    // ~N: 0 to N tokens
	Any                    // .: exactly one token
)

// MaxGap is the largest N allowed in ~N.
const MaxGap = 8

// Element is one element of a pattern.
type Element struct {
	Kind     Kind
	Text     string      // Word, Prefix: the word as written; Ref: the set name; Lex: the category
	N        int         // Gap: the maximum number of tokens
	Alts     [][]Element // Group: the alternatives, each a sequence
	Optional bool        // followed by '?'
}

// Pattern is a parsed pattern.
type Pattern struct {
	Source   string
	Elements []Element
}

// Error is a syntax error at a byte offset of the pattern.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("pattern: column %d: %s", e.Offset+1, e.Msg) }

// Parse parses a pattern.
func Parse(s string) (*Pattern, error) {
	p := &parser{src: s}
	elems, err := p.sequence(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.errorf("unexpected %q", p.src[p.pos:p.pos+1])
	}
	if len(elems) == 0 {
		return nil, &Error{Offset: 0, Msg: "empty pattern"}
	}
	pat := &Pattern{Source: s, Elements: elems}
	if !hasAnchor(elems) {
		return nil, &Error{Offset: 0, Msg: "pattern has no anchor: it needs at least one word, word*, @name or @lex:category that is not optional"}
	}
	return pat, nil
}

// hasAnchor reports whether a sequence has a mandatory element that can
// only match specific tokens.
func hasAnchor(seq []Element) bool {
	for _, e := range seq {
		if e.Optional {
			continue
		}
		switch e.Kind {
		case Word, Prefix, Ref, Lex:
			return true
		case Group:
			all := true
			for _, alt := range e.Alts {
				if !hasAnchor(alt) {
					all = false
					break
				}
			}
			if all {
				return true
			}
		}
	}
	return false
}

// Walk calls f for every element of the pattern, groups' alternatives
// included, depth first.
func (p *Pattern) Walk(f func(e *Element)) { walk(p.Elements, f) }

func walk(seq []Element, f func(e *Element)) {
	for i := range seq {
		f(&seq[i])
		for _, alt := range seq[i].Alts {
			walk(alt, f)
		}
	}
}

type parser struct {
	src   string
	pos   int
	depth int
}

func (p *parser) errorf(format string, args ...any) error {
	return &Error{Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		r, n := utf8.DecodeRuneInString(p.src[p.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		p.pos += n
	}
}

// sequence parses elements until ')' or '|' or the end.
func (p *parser) sequence(depth int) ([]Element, error) {
	if depth > 8 {
		return nil, p.errorf("groups nested too deeply")
	}
	var seq []Element
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			return seq, nil
		}
		c := p.src[p.pos]
		if c == ')' || c == '|' {
			return seq, nil
		}
		e, err := p.element(depth)
		if err != nil {
			return nil, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == '?' {
			if e.Kind == Gap {
				return nil, p.errorf("a gap ~N is already optional")
			}
			e.Optional = true
			p.pos++
		}
		seq = append(seq, e)
		if len(seq) > 64 {
			return nil, p.errorf("pattern too long (at most 64 elements in a sequence)")
		}
	}
}

func (p *parser) element(depth int) (Element, error) {
	start := p.pos
	switch c := p.src[p.pos]; {
	case c == '(':
		p.pos++
		var alts [][]Element
		for {
			seq, err := p.sequence(depth + 1)
			if err != nil {
				return Element{}, err
			}
			if len(seq) == 0 {
				return Element{}, p.errorf("empty alternative in group")
			}
			alts = append(alts, seq)
			if p.pos >= len(p.src) {
				return Element{}, &Error{Offset: start, Msg: "unclosed '('"}
			}
			if p.src[p.pos] == ')' {
				p.pos++
				return Element{Kind: Group, Alts: alts}, nil
			}
			p.pos++ // '|'
		}
	case c == '~':
		p.pos++
		n := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		if n == p.pos {
			return Element{}, p.errorf("~ must be followed by a number (~2)")
		}
		v, err := strconv.Atoi(p.src[n:p.pos])
		if err != nil || v < 0 || v > MaxGap {
			return Element{}, &Error{Offset: start, Msg: fmt.Sprintf("gap %s out of range 0–%d", p.src[start:p.pos], MaxGap)}
		}
		return Element{Kind: Gap, N: v}, nil
	case c == '.':
		p.pos++
		return Element{Kind: Any}, nil
	case c == '@':
		p.pos++
		name := p.word(true)
		if name == "" {
			return Element{}, p.errorf("@ must be followed by a term-set name or lex:CATEGORY")
		}
		if cat, ok := strings.CutPrefix(name, "lex:"); ok {
			if cat == "" {
				return Element{}, &Error{Offset: start, Msg: "@lex: needs a category"}
			}
			return Element{Kind: Lex, Text: cat}, nil
		}
		if strings.Contains(name, ":") {
			return Element{}, &Error{Offset: start, Msg: fmt.Sprintf("unknown reference %q (want @name or @lex:CATEGORY)", "@"+name)}
		}
		return Element{Kind: Ref, Text: name}, nil
	case c == ')' || c == '|' || c == '?' || c == '*':
		return Element{}, p.errorf("unexpected %q", string(c))
	default:
		w := p.word(false)
		if w == "" {
			r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
			return Element{}, p.errorf("unexpected %q", string(r))
		}
		if p.pos < len(p.src) && p.src[p.pos] == '*' {
			p.pos++
			return Element{Kind: Prefix, Text: w}, nil
		}
		return Element{Kind: Word, Text: w}, nil
	}
}

// word reads a word: letters, digits, apostrophes, hyphens, underscores
// (and ':' and '.' inside a reference name).
func (p *parser) word(ref bool) string {
	start := p.pos
	for p.pos < len(p.src) {
		r, n := utf8.DecodeRuneInString(p.src[p.pos:])
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\'' || r == '’' || r == '-' || r == '_'
		if ref && (r == ':' || r == '.') {
			ok = true
		}
		if !ok {
			break
		}
		p.pos += n
	}
	return p.src[start:p.pos]
}
