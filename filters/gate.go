package filters

import "github.com/vigie-edu/vigie/filters/pattern"

// Gates: a cheap necessary condition for a frame or cue to match.
//
// Every message would otherwise pay for every pattern's anchors (see
// anchorsOf), walking the alternatives of their groups. A gate flattens
// what a pattern needs into a few ids read from one []bool: a literal (id
// below nlits), a term set (nlits + its id), or a "virtual" id standing
// for a group of alternatives (or a reference to a set defined both for
// a language and for "any"). A virtual id is set while the automaton's
// hits are read, when the first literal or set of one of its
// alternatives occurs. A pattern whose gate is closed cannot match; one
// whose gate is open still has its anchors checked exactly.

// gate lists, for each pattern i, the ids ids[off[i]:off[i+1]] that must
// all be seen.
type gate struct {
	off []int32
	ids []int32
	sig []signature // the bits of each of pattern i's ids
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

// gates builds the gates of the frames and cues and the table that
// lights virtual ids: lights[off[x]:off[x+1]] are the virtual ids that id
// x (a literal or a set) sets when it is seen.
type gates struct {
	nlits  int32
	nbase  int32 // nlits + number of sets: the first virtual id
	next   int32 // the next virtual id
	lights map[int32][]int32
}

func newGates(nlits, nsets int32) *gates {
	return &gates{nlits: nlits, nbase: nlits + nsets, next: nlits + nsets, lights: map[int32][]int32{}}
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

// virtual returns a new id lit by any of xs.
func (b *gates) virtual(xs []int32) int32 {
	v := b.next
	b.next++
	for _, x := range xs {
		b.lights[x] = append(b.lights[x], v)
	}
	return v
}

// id returns the gate id of an anchor, or -1 when it cannot be gated
// (a lexicon category, a group with an alternative that has no literal or
// set of its own).
func (b *gates) id(a *anchor) int32 {
	if x := b.simple(a); x >= 0 {
		return x
	}
	switch a.kind {
	case pattern.Ref: // the language's set or the "any" set
		xs := make([]int32, len(a.sets))
		for i, s := range a.sets {
			xs[i] = b.nlits + s
		}
		return b.virtual(xs)
	case pattern.Group:
		xs := b.firsts(a)
		if xs == nil {
			return -1
		}
		return b.virtual(xs)
	}
	return -1
}

// firsts returns the gate id of the first literal or set of each of a
// group's alternatives, or nil when an alternative has none.
func (b *gates) firsts(a *anchor) []int32 {
	var xs []int32
	for _, alt := range a.alts {
		x := int32(-1)
		for i := range alt {
			if x = b.simple(&alt[i]); x >= 0 {
				break
			}
		}
		if x < 0 {
			return nil
		}
		xs = append(xs, x)
	}
	return xs
}

// ofSets reports whether every alternative of group a starts with a term
// set ("(@neg_attr | @dehum)"): its virtual id is lit by content words
// only, never by "les" or "the", so it is worth a gate id even in a
// pattern that has others.
func (b *gates) ofSets(a *anchor) bool {
	if a.kind != pattern.Group {
		return false
	}
	xs := b.firsts(a)
	for _, x := range xs {
		if x < b.nlits {
			return false
		}
	}
	return xs != nil
}

// add appends the gate of one pattern to g; virtual says whether a
// pattern without literal or set anchors may get virtual ids for its
// groups of literals (frames: yes; cues, tried only on messages that
// have findings: no).
func (b *gates) add(g *gate, as []anchor, virtual bool) {
	if len(g.off) == 0 {
		g.off = append(g.off, 0)
	}
	var sig signature
	for i := range as {
		x := b.simple(&as[i])
		if x < 0 && b.ofSets(&as[i]) {
			x = b.id(&as[i])
		}
		if x >= 0 {
			g.ids = append(g.ids, x)
			sig.set(x)
		}
	}
	// A pattern with no literal or set of its own gets virtual ids for
	// its other groups too; one that has some does not need them (its
	// groups are checked exactly, and rarely, once its gate is open), and
	// a virtual id lit by common words costs every message.
	if virtual && len(g.ids) == int(g.off[len(g.off)-1]) {
		for i := range as {
			if x := b.id(&as[i]); x >= 0 {
				g.ids = append(g.ids, x)
				sig.set(x)
			}
		}
	}
	g.off = append(g.off, int32(len(g.ids)))
	g.sig = append(g.sig, sig)
}

// table returns the lights in compressed form, indexed by literal or set
// id, and the number of ids the seen slice must hold.
func (b *gates) table() (off, ids []int32, n int) {
	off = make([]int32, b.nbase+1)
	for x := int32(0); x < b.nbase; x++ {
		off[x+1] = off[x] + int32(len(b.lights[x]))
		ids = append(ids, b.lights[x]...)
	}
	return off, ids, int(b.next)
}

// gateIndex finds the patterns whose gate may be open from the ids seen,
// instead of testing every gate: each pattern is filed under one of its
// ids, the one the fewest patterns need (a set of content words rather
// than "les" or "the"), and a message looks only at the patterns filed
// under the ids it has. Patterns without ids are always looked at.
type gateIndex struct {
	off    []int32 // by gate id: pats[off[x]:off[x+1]]
	pats   []int32
	always []int32
}

// index files the patterns of g under their rarest ids; n is the number
// of gate ids.
func (g *gate) index(n int) gateIndex {
	uses := make([]int32, n)
	for _, id := range g.ids {
		uses[id]++
	}
	by := make([][]int32, n)
	var ix gateIndex
	for i := 0; i+1 < len(g.off); i++ {
		ids := g.ids[g.off[i]:g.off[i+1]]
		if len(ids) == 0 {
			ix.always = append(ix.always, int32(i))
			continue
		}
		key := ids[0]
		for _, id := range ids[1:] {
			if uses[id] < uses[key] {
				key = id
			}
		}
		by[key] = append(by[key], int32(i))
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

// lazyGate is a gate for patterns tried rarely (cues: only on messages
// with findings), whose anchors are mostly groups of common words ("(c
// est | cest | il est)"): lighting virtual ids for them on every hit
// would cost every message, and checking their groups one by one costs
// the messages with findings. A lazy gate holds one constraint for each
// mandatory anchor of each pattern: one of the anchor's ids was seen (a
// literal or a set, the language's set or the "any" one, or the first
// literal or set of each of a group's alternatives). When the patterns
// are needed, fill sets the constraints that the message's seen ids
// satisfy, in one pass over them; a pattern is then worth trying only if
// all its constraints are set.
type lazyGate struct {
	off     []int32 // by literal or set id x: bits[off[x]:off[x+1]] are the constraints x satisfies
	bits    []int32
	n       int     // constraints
	needs   []int32 // pattern i's constraints: needs[needOff[i]:needOff[i+1]]
	needOff []int32
}

// lazy builds the lazy gate of patterns with anchors as.
func (b *gates) lazy(as [][]anchor) lazyGate {
	var g lazyGate
	by := make([][]int32, b.nbase)
	g.needOff = append(g.needOff, 0)
	for _, p := range as {
		for i := range p {
			a := &p[i]
			var xs []int32
			switch {
			case b.simple(a) >= 0:
				xs = []int32{b.simple(a)}
			case a.kind == pattern.Ref:
				for _, s := range a.sets {
					xs = append(xs, b.nlits+s)
				}
			case a.kind == pattern.Group:
				xs = b.firsts(a)
			}
			if len(xs) == 0 {
				continue // a lexicon category, or a group with an alternative of neither
			}
			bit := int32(g.n)
			g.n++
			for _, x := range xs {
				if k := len(by[x]); k == 0 || by[x][k-1] != bit {
					by[x] = append(by[x], bit)
				}
			}
			g.needs = append(g.needs, bit)
		}
		g.needOff = append(g.needOff, int32(len(g.needs)))
	}
	g.off = make([]int32, b.nbase+1)
	for x := range by {
		g.off[x+1] = g.off[x] + int32(len(by[x]))
		g.bits = append(g.bits, by[x]...)
	}
	return g
}

// fill sets in words (one bit a constraint, cleared first) the
// constraints that the seen ids satisfy.
func (g *lazyGate) fill(seen []int32, words []uint64) {
	clear(words)
	for _, x := range seen {
		if int(x)+1 >= len(g.off) {
			continue // a virtual id
		}
		for _, b := range g.bits[g.off[x]:g.off[x+1]] {
			words[b>>6] |= 1 << (b & 63)
		}
	}
}

// open reports whether all of pattern i's constraints are set in words.
func (g *lazyGate) open(i int, words []uint64) bool {
	for _, b := range g.needs[g.needOff[i]:g.needOff[i+1]] {
		if words[b>>6]&(1<<(b&63)) == 0 {
			return false
		}
	}
	return true
}
