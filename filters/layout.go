package filters

// Layout of the compiled patterns in memory.
//
// Compiling a pattern allocates its elements, their sets and groups and
// its first words piecemeal, among the compiler's other allocations.
// Only the messages that open a pattern's gate read
// them (a few in a hundred), by which time they have left the caches: a
// pattern searched for then costs a cache miss for each of its pieces.
// layOut copies the frames' and cues' pieces into a few arrays, each
// pattern's next to each other in the order they are read, so that the
// search of a pattern reads a few consecutive cache lines. (Their check
// programs, read for every pattern a message may open, are in one array
// of their own: see checks in gate.go.)

// patternArena holds the pieces of every pattern, end to end.
type patternArena struct {
	elems []celem
	alts  [][]celem
	ids   []int32
	first []altFirst
	bits  []uint64
}

// sizer counts the pieces of patterns, to size a patternArena.
type sizer struct{ elems, alts, ids, first, bits int }

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

// seq copies seq and its pieces into the arena: the elements first, then
// each element's pieces in order.
func (a *patternArena) seq(seq []celem) []celem {
	if seq == nil {
		return nil
	}
	o := len(a.elems)
	a.elems = append(a.elems, seq...)
	out := a.elems[o:len(a.elems):len(a.elems)]
	for i := range out {
		e := &out[i]
		e.sets = a.int32s(e.sets)
		e.anyAlts = a.int32s(e.anyAlts)
		if e.byFirst != nil {
			o := len(a.first)
			a.first = append(a.first, e.byFirst...)
			e.byFirst = a.first[o:len(a.first):len(a.first)]
		}
		if e.alts != nil {
			o := len(a.alts)
			a.alts = append(a.alts, e.alts...)
			alts := a.alts[o:len(a.alts):len(a.alts)]
			for k := range alts {
				alts[k] = a.seq(alts[k])
			}
			e.alts = alts
		}
	}
	return out
}

// layOut moves the pieces of the frames and cues into one arena (see the
// top of this file). It runs once, after the patterns are compiled and
// indexed; the arena's arrays are sized first, so that appending never
// moves them.
func (cl *Classifier) layOut() {
	var z sizer
	for i := range cl.frames {
		z.add(cl.frames[i].elems, cl.frames[i].first.bits)
	}
	for i := range cl.cues {
		z.add(cl.cues[i].elems, cl.cues[i].first.bits)
	}
	a := &patternArena{
		elems: make([]celem, 0, z.elems),
		alts:  make([][]celem, 0, z.alts),
		ids:   make([]int32, 0, z.ids),
		first: make([]altFirst, 0, z.first),
		bits:  make([]uint64, 0, z.bits),
	}
	move := func(elems *[]celem, bits *[]uint64) {
		if *bits != nil {
			o := len(a.bits)
			a.bits = append(a.bits, *bits...)
			*bits = a.bits[o:len(a.bits):len(a.bits)]
		}
		*elems = a.seq(*elems)
	}
	for i := range cl.frames {
		f := &cl.frames[i]
		move(&f.elems, &f.first.bits)
	}
	for i := range cl.cues {
		q := &cl.cues[i]
		move(&q.elems, &q.first.bits)
	}
}
