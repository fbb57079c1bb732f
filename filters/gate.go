package filters

import (
	"cmp"
	"slices"

	"github.com/vigie-edu/vigie/filters/pattern"
)

// Gates: what a message must have for a frame or cue to match.
//
// Every message would otherwise pay for every pattern's anchors (see
// anchorsOf), walking the alternatives of their groups. The gate ids of
// a message are the literals (id below nlits) and term sets (nlits + set
// id) that its automaton hits stand for, set in one []bool while the hits
// are read. Patterns are checked in two steps:
//
//   - gateIndex: each pattern is filed under a key, the gate ids of which
//     one must occur for it to match (one of its literals or sets, or
//     a literal or set of each alternative of one of its groups), the
//     key least often seen in chat (see oftenNorm in compile.go);
//     a message looks only at the patterns filed under its ids.
//   - checks: a 256-bit signature of the pattern's literal and set
//     anchors rejects most of those in one test; the others run the
//     pattern's check program, its anchors checked exactly, the tests
//     least likely to pass first (see gates.program).
//
// The programs of all the patterns lie in one array, so that checking a
// pattern that a message does not open reads a cache line or two: most
// messages check a few patterns and search for none.

// gate collects, for each pattern i, the keys it may be filed under (see
// gate.index).
type gate struct {
	keys [][][]int32 // pattern i's possible keys, each a set of ids one of which must be seen
}

// signature is a 256-bit summary of a set of gate ids: bit id%256.
type signature [4]uint64

func (s *signature) set(id int32) { s[(uint32(id)>>6)&3] |= 1 << (uint32(id) & 63) }

// covers reports whether every bit of t is in s.
func (s *signature) covers(t *signature) bool {
	return t[0]&^s[0]|t[1]&^s[1]|t[2]&^s[2]|t[3]&^s[3] == 0
}

// checks holds, for each pattern i, its signature and its check program
// prog[off[i]:off[i+1]] (see gates.program), end to end.
type checks struct {
	sig  []signature
	off  []int32
	prog []int32
}

// pass reports whether the message of s has what pattern i needs: the
// gate ids of its signature and every anchor its program checks.
func (k *checks) pass(s *scratch, i int) bool {
	return s.sig.covers(&k.sig[i]) && s.holds(k.program(i))
}

// program returns pattern i's check program.
func (k *checks) program(i int) []int32 { return k.prog[k.off[i]:k.off[i+1]] }

// gates builds the gates of the frames and cues.
type gates struct {
	nlits int32     // the gate id of set s is nlits + s
	often []float64 // how often each gate id is seen in chat (see oftenNorm in compile.go)
}

func newGates(nlits int32, often []float64) *gates {
	return &gates{nlits: nlits, often: often}
}

// simple returns the gate id of a literal or single-set anchor, or -1.
func (b *gates) simple(a *anchor) int32 {
	switch {
	case a.kind == pattern.Word:
		return a.lit
	case a.kind == pattern.Ref && len(a.sets) == 1:
		return b.nlits + a.sets[0]
	}
	return -1
}

// some returns the gate ids of which one must be seen for anchor a to
// hold: its own (a literal or a set), the language's set and the "any"
// one, or the rarest literal or set of each alternative of a group; nil
// when there is no such set (a lexicon category, a group with an
// alternative that has no literal or set).
func (b *gates) some(a *anchor) []int32 {
	if x := b.simple(a); x >= 0 {
		return []int32{x}
	}
	switch a.kind {
	case pattern.Ref:
		xs := make([]int32, len(a.sets))
		for i, s := range a.sets {
			xs[i] = b.nlits + s
		}
		return xs
	case pattern.Group:
		return b.firsts(a)
	}
	return nil
}

// sumOften estimates how often one of ids is seen.
func (b *gates) sumOften(ids []int32) float64 {
	f := 0.0
	for _, x := range ids {
		f += b.often[x]
	}
	return f
}

// firsts returns gate ids one of which a message must have for group a
// to match: for each of its alternatives, the literal or set it needs
// that is least often seen in chat ("attend" rather than "t" for "t
// attend"), or, when a nested group is rarer, that group's ids ("(a la
// sortie | dehors)": "sortie" or "dehors"). It returns nil when an
// alternative needs no literal or set.
func (b *gates) firsts(a *anchor) []int32 {
	var xs []int32
	for _, alt := range a.alts {
		var best []int32
		bestOften := 0.0
		for i := range alt {
			var ids []int32
			if y := b.simple(&alt[i]); y >= 0 {
				ids = []int32{y}
			} else if alt[i].kind == pattern.Group {
				ids = b.firsts(&alt[i])
			}
			if ids == nil {
				continue
			}
			if f := b.sumOften(ids); best == nil || f < bestOften {
				best, bestOften = ids, f
			}
		}
		if best == nil {
			return nil
		}
		for _, x := range best {
			if !slices.Contains(xs, x) {
				xs = append(xs, x)
			}
		}
	}
	return xs
}

// add appends the keys of one pattern to g, and its signature and check
// program to k.
func (b *gates) add(g *gate, k *checks, as []anchor) {
	var sig signature
	var keys [][]int32
	for i := range as {
		if x := b.simple(&as[i]); x >= 0 {
			sig.set(x)
		}
		if xs := b.some(&as[i]); xs != nil {
			keys = append(keys, xs)
		}
	}
	g.keys = append(g.keys, keys)
	if len(k.off) == 0 {
		k.off = append(k.off, 0)
	}
	k.sig = append(k.sig, sig)
	k.prog = b.program(k.prog, as)
	k.off = append(k.off, int32(len(k.prog)))
}

// program appends to p the check program of a pattern with anchors as
// (see program in compile.go for the operations). It checks the same as
// the anchors' program, in the order most likely to fail early: the
// literals and single sets, rarest first; then, rarest first, the
// anchors that need one of several ids (a set per language, and each
// group's rarest ids, see some), a test that rejects most groups without
// walking them; then lexicon categories and groups exactly.
func (b *gates) program(p []int32, as []anchor) []int32 {
	var ids []int32
	var anys [][]int32
	for i := range as {
		a := &as[i]
		if x := b.simple(a); x >= 0 {
			ids = append(ids, x)
		} else if xs := b.some(a); len(xs) > 0 {
			anys = append(anys, xs)
		}
	}
	slices.SortStableFunc(ids, func(x, y int32) int { return cmp.Compare(b.often[x], b.often[y]) })
	slices.SortStableFunc(anys, func(x, y []int32) int { return cmp.Compare(b.sumOften(x), b.sumOften(y)) })
	for _, x := range ids {
		p = append(p, opID, x)
	}
	for _, xs := range anys {
		if len(xs) == 1 {
			p = append(p, opID, xs[0])
			continue
		}
		p = append(p, opAny, int32(len(xs)))
		p = append(p, xs...)
	}
	for i := range as {
		a := &as[i]
		if a.kind == pattern.Lex || a.kind == pattern.Group && !b.oneOf(a) {
			p = program(p, as[i:i+1], b.nlits)
		}
	}
	return p
}

// oneOf reports whether group a holds exactly when one of the ids some
// returns was seen: each of its alternatives is one literal or set.
func (b *gates) oneOf(a *anchor) bool {
	for _, alt := range a.alts {
		if len(alt) != 1 || b.simple(&alt[0]) < 0 {
			return false
		}
	}
	return true
}

// gateIndex finds the patterns whose gate may be open from the ids seen,
// instead of testing every gate: each pattern is filed under the ids of
// one of its keys, the one least often seen in chat (a set of content
// words rather than "les" or "the"; the fewest patterns sharing it
// breaks ties), and a message looks only at the patterns filed under the
// ids it has. Patterns without keys are always looked at.
type gateIndex struct {
	off    []int32 // by gate id: pats[off[x]:off[x+1]]
	pats   []int32
	always []int32
}

// index files the patterns of g under their rarest keys; often[x]
// estimates how often gate id x is seen (see oftenNorm in compile.go), and
// its length is the number of gate ids.
func (g *gate) index(often []float64) gateIndex {
	n := len(often)
	uses := make([]int32, n)
	for _, keys := range g.keys {
		for _, k := range keys {
			for _, x := range k {
				uses[x]++
			}
		}
	}
	cost := func(k []int32) (float64, int32) {
		f, u := 0.0, int32(0)
		for _, x := range k {
			f += often[x]
			u += uses[x]
		}
		return f, u
	}
	by := make([][]int32, n)
	var ix gateIndex
	for i, keys := range g.keys {
		if len(keys) == 0 {
			ix.always = append(ix.always, int32(i))
			continue
		}
		best := keys[0]
		bf, bu := cost(best)
		for _, k := range keys[1:] {
			if f, u := cost(k); f < bf || f == bf && u < bu {
				best, bf, bu = k, f, u
			}
		}
		for _, x := range best {
			by[x] = append(by[x], int32(i))
		}
	}
	ix.off = make([]int32, n+1)
	for x := range by {
		ix.off[x+1] = ix.off[x] + int32(len(by[x]))
		ix.pats = append(ix.pats, by[x]...)
	}
	return ix
}

// candidates marks in mark (one bit per pattern) the patterns filed under
// the seen ids, and those always looked at.
func (ix *gateIndex) candidates(seen []int32, mark []uint64) {
	clear(mark)
	for _, i := range ix.always {
		mark[i>>6] |= 1 << (i & 63)
	}
	for _, x := range seen {
		for _, i := range ix.pats[ix.off[x]:ix.off[x+1]] {
			mark[i>>6] |= 1 << (i & 63)
		}
	}
}

// anySeen reports whether one of ids was seen.
func anySeen(seen []bool, ids []int32) bool {
	for _, x := range ids {
		if seen[x] {
			return true
		}
	}
	return false
}
