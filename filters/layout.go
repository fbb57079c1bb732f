package filters

import "github.com/vigie-edu/vigie/filters/pattern"

// Layout of the compiled patterns in memory.
//
// Compiling a pattern allocates its elements, their sets and groups and
// its first words piecemeal, among the compiler's other allocations, in
// elements of 120 bytes that carry what every kind of element needs.
// Only the messages that open a pattern's gate read them (a few in a
// hundred), by which time they have left the caches: a pattern searched
// for then costs a cache miss for each of its pieces. layOut turns the
// frames' and cues' elements into what the search reads: elements of 8
// bytes (relem), a group's alternatives and a set reference's sets in
// side arrays, each pattern's pieces next to each other in the order
// they are read, so that the search of a pattern reads a few consecutive
// cache lines. (Their check programs, read for every pattern a message
// may open, are in one array of their own: see checks in gate.go.)

// relem is a pattern element as the search reads it.
type relem struct {
	kind uint8 // a pattern.Kind
	opt  bool
	n    uint16 // Gap: at most n tokens; Ref: the number of its sets
	// Word, Prefix: the literal; Lex: the category's index; Ref: its
	// sets are Classifier.rids[v:v+n]; Group: Classifier.rgroups[v].
	v int32
}

// rgroup is a group element as the search reads it: its alternatives,
// and the alternatives by the gate ids they may start with (sorted by
// id) and those that may start with anything (see altsAt).
type rgroup struct {
	alts    [][]relem
	byFirst []altFirst
	anyAlts []int32
}

// patternArena holds the pieces of every pattern, end to end.
type patternArena struct {
	elems  []relem
	alts   [][]relem
	ids    []int32
	first  []altFirst
	bits   []uint64
	groups []rgroup
}

// sizer counts the pieces of patterns, to size a patternArena.
type sizer struct{ elems, alts, ids, first, bits, groups int }

// add counts the pieces of a pattern: its elements seq and its first
// words' bits.
func (z *sizer) add(seq []celem, bits []uint64) {
	z.bits += len(bits)
	z.seq(seq)
}

func (z *sizer) seq(seq []celem) {
	z.elems += len(seq)
	for i := range seq {
		e := &seq[i]
		z.ids += len(e.sets) + len(e.anyAlts)
		z.first += len(e.byFirst)
		z.alts += len(e.alts)
		if e.kind == pattern.Group {
			z.groups++
		}
		for _, alt := range e.alts {
			z.seq(alt)
		}
	}
}

// int32s copies x into the arena.
func (a *patternArena) int32s(x []int32) []int32 {
	if x == nil {
		return nil
	}
	o := len(a.ids)
	a.ids = append(a.ids, x...)
	return a.ids[o:len(a.ids):len(a.ids)]
}

// seq turns seq into relems in the arena: the elements first, then each
// element's pieces in order.
func (a *patternArena) seq(seq []celem) []relem {
	if seq == nil {
		return nil
	}
	o := len(a.elems)
	a.elems = a.elems[:o+len(seq)] // within the capacity sized by sizer
	out := a.elems[o : o+len(seq) : o+len(seq)]
	for i := range seq {
		e := &seq[i]
		r := relem{kind: uint8(e.kind), opt: e.opt}
		switch e.kind {
		case pattern.Word, pattern.Prefix:
			r.v = e.lit
		case pattern.Lex:
			r.v = e.cat
		case pattern.Gap:
			r.n = uint16(e.n)
		case pattern.Ref:
			r.v, r.n = int32(len(a.ids)), uint16(len(e.sets))
			a.ids = append(a.ids, e.sets...)
		case pattern.Group:
			r.v = int32(len(a.groups))
			a.groups = a.groups[:len(a.groups)+1]
			g := rgroup{anyAlts: a.int32s(e.anyAlts)}
			if e.byFirst != nil {
				o := len(a.first)
				a.first = append(a.first, e.byFirst...)
				g.byFirst = a.first[o:len(a.first):len(a.first)]
			}
			o := len(a.alts)
			a.alts = a.alts[:o+len(e.alts)]
			g.alts = a.alts[o : o+len(e.alts) : o+len(e.alts)]
			for k := range e.alts {
				g.alts[k] = a.seq(e.alts[k])
			}
			a.groups[r.v] = g
		}
		out[i] = r
	}
	return out
}

// layOut turns the frames' and cues' elements into the arena's (see the
// top of this file) and drops the compiled ones. It runs once, after the
// patterns are compiled and indexed; the arena's arrays are sized first,
// so that appending never moves them.
func (cl *Classifier) layOut() {
	var z sizer
	for i := range cl.frames {
		z.add(cl.frames[i].elems, cl.frames[i].first.bits)
	}
	for i := range cl.cues {
		z.add(cl.cues[i].elems, cl.cues[i].first.bits)
	}
	a := &patternArena{
		elems:  make([]relem, 0, z.elems),
		alts:   make([][]relem, 0, z.alts),
		ids:    make([]int32, 0, z.ids),
		first:  make([]altFirst, 0, z.first),
		bits:   make([]uint64, 0, z.bits),
		groups: make([]rgroup, 0, z.groups),
	}
	move := func(elems *[]celem, search *[]relem, bits *[]uint64) {
		if *bits != nil {
			o := len(a.bits)
			a.bits = append(a.bits, *bits...)
			*bits = a.bits[o:len(a.bits):len(a.bits)]
		}
		*search = a.seq(*elems)
		*elems = nil
	}
	for i := range cl.frames {
		f := &cl.frames[i]
		move(&f.elems, &f.search, &f.first.bits)
	}
	for i := range cl.cues {
		q := &cl.cues[i]
		move(&q.elems, &q.search, &q.first.bits)
	}
	cl.rids, cl.rgroups = a.ids, a.groups
}
