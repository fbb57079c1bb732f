package filters

import (
	"cmp"
	"slices"

	"github.com/vigie-edu/vigie/filters/pattern"
)

// Gates: cheap necessary conditions for a frame or cue to match.
//
// Every message would otherwise pay for every pattern's anchors (see
// anchorsOf), walking the alternatives of their groups. The gate ids of
// a message are the literals (id below nlits) and term sets (nlits + set
// id) that its automaton hits stand for, set in one []bool while the hits
// are read. Patterns are checked in three steps, each cheaper than the
// next and rejecting most of what reaches it:
//
//   - gateIndex: each pattern is filed under a key, the gate ids of which
//     one must occur for it to match (one of its literals or sets, or
//     a literal or set of each alternative of one of its groups), the
//     key least often seen in chat (see oftenNorm in compile.go);
//     a message looks only at the patterns filed under its ids.
//   - gate: all of a pattern's literal and set anchors were seen
//     (a 256-bit signature of them rejects most patterns in one test).
//   - lazyGate: each of its groups has an alternative whose rarest literal
//     or set was seen.
//
// A pattern that passes still has its anchors checked exactly (holds)
// before it is searched for.

// gate lists, for each pattern i, the ids ids[off[i]:off[i+1]] that must
// all be seen, and the keys the pattern may be filed under.
type gate struct {
	off  []int32
	ids  []int32
	sig  []signature // the bits of each of pattern i's ids
	keys [][][]int32 // pattern i's possible keys, each a set of ids one of which must be seen
}

// signature is a 256-bit summary of a set of gate ids: bit id%256.
type signature [4]uint64

func (s *signature) set(id int32) { s[(uint32(id)>>6)&3] |= 1 << (uint32(id) & 63) }

// covers reports whether every bit of t is in s.
func (s *signature) covers(t *signature) bool {
	return t[0]&^s[0]|t[1]&^s[1]|t[2]&^s[2]|t[3]&^s[3] == 0
}

// open reports whether all of pattern i's gate ids were seen; sig is the
// signature of the seen ids, which rejects most patterns in one test.
func (g *gate) open(seen []bool, sig *signature, i int) bool {
	if !sig.covers(&g.sig[i]) {
		return false
	}
	for _, id := range g.ids[g.off[i]:g.off[i+1]] {
		if !seen[id] {
			return false
		}
	}
	return true
}

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

// add appends the gate of one pattern to g.
func (b *gates) add(g *gate, as []anchor) {
	if len(g.off) == 0 {
		g.off = append(g.off, 0)
	}
	var sig signature
	var keys [][]int32
	for i := range as {
		if x := b.simple(&as[i]); x >= 0 {
			g.ids = append(g.ids, x)
			sig.set(x)
		}
		if xs := b.some(&as[i]); xs != nil {
			keys = append(keys, xs)
		}
	}
	// The rarest first: open stops at the first id not seen.
	own := g.ids[g.off[len(g.off)-1]:]
	slices.SortStableFunc(own, func(x, y int32) int { return cmp.Compare(b.often[x], b.often[y]) })
	g.off = append(g.off, int32(len(g.ids)))
	g.sig = append(g.sig, sig)
	g.keys = append(g.keys, keys)
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

// lazyGate checks the groups of the patterns whose gate is open. Their
// anchors are mostly groups of common words ("(c est | cest | il est)"),
// which the gate does not hold, and checking them one by one, for each
// pattern, cost more than the rest of the frames. A lazy gate holds one
// constraint for each mandatory anchor of more than one id of each
// pattern: one of the anchor's ids was seen (the language's set or the
// "any" one, or the rarest literal or set of each of a group's
// alternatives; an anchor of one id is its gate's).
type lazyGate struct {
	// Constraint k is satisfied by any of ids[idOff[k]:idOff[k+1]];
	// groups[groupOff[i]:groupOff[i+1]] are pattern i's constraints.
	idOff    []int32
	ids      []int32
	groups   []int32
	groupOff []int32
}

// lazy builds the lazy gate of patterns with anchors as.
func (b *gates) lazy(as [][]anchor) lazyGate {
	g := lazyGate{idOff: []int32{0}, groupOff: []int32{0}}
	for _, p := range as {
		var cs [][]int32
		for i := range p {
			if xs := b.some(&p[i]); len(xs) > 1 {
				cs = append(cs, xs)
			}
		}
		// The constraint least likely to hold first: most patterns fail
		// there.
		slices.SortStableFunc(cs, func(x, y []int32) int { return cmp.Compare(b.sumOften(x), b.sumOften(y)) })
		for _, xs := range cs {
			g.groups = append(g.groups, int32(len(g.idOff)-1))
			g.ids = append(g.ids, xs...)
			g.idOff = append(g.idOff, int32(len(g.ids)))
		}
		g.groupOff = append(g.groupOff, int32(len(g.groups)))
	}
	return g
}

// check reports whether pattern i's constraints hold.
func (g *lazyGate) check(i int, seen []bool) bool {
	for _, k := range g.groups[g.groupOff[i]:g.groupOff[i+1]] {
		if !anySeen(seen, g.ids[g.idOff[k]:g.idOff[k+1]]) {
			return false
		}
	}
	return true
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
