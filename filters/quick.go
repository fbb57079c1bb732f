package filters

import (
	"fmt"

	"github.com/vigie-edu/vigie/filters/match"
	"github.com/vigie-edu/vigie/filters/pattern"
)

// quickFilter is the first look at a message, which rules most messages
// out for less than the full automaton costs.
//
// The full automaton holds every word the rules name, and patterns name
// many common words ("les", "the", "pour", "is"): most messages hit a few
// of them, for nothing. The quick automaton holds only the lexicon terms
// and the frames' quick keys. A frame's quick keys are sets of gate ids
// one of which must be seen for it to match: its mandatory term sets, its
// runs of mandatory literals read as one phrase ("too many", "de merde",
// "a la sortie": a phrase of common words is rare), and, for a mandatory
// group, the phrase or set each alternative starts with. Only the keys
// without common words are kept (all of them when every key has one);
// a frame that cannot match without a lexicon hit needs none.
//
// A message with no lexicon hit, and for each frame a quick key none of
// whose ids was seen, can have no finding from the automaton (cues only
// suppress findings): prepare stops there. The others are scanned again
// with the full automaton and judged exactly as without a quick look.
type quickFilter struct {
	ac    *match.Automaton
	index gateIndex // each frame filed under one of its quick keys
	keys  lazyGate  // all the quick keys of each frame
}

// quickKeys are the keys of one frame for the quick filter.
type quickKeys struct {
	keys [][]int32
	lex  bool // the frame cannot match without a lexicon hit
	none bool // some alternative has no key: the frame is always possible
}

// litTerm is the term of a pattern literal.
type litTerm struct {
	norm []byte
	runs []uint8
	mode match.Mode
}

// quickKeys returns the quick keys of a pattern (see quickFilter).
func (c *compiler) quickKeys(seq []celem) quickKeys {
	var q quickKeys
	for i := 0; i < len(seq); i++ {
		e := &seq[i]
		if e.opt {
			continue
		}
		switch e.kind {
		case pattern.Word, pattern.Prefix:
			j := litRun(seq, i)
			q.keys = append(q.keys, []int32{c.phrase(seq[i:j])})
			i = j - 1
		case pattern.Ref:
			q.keys = append(q.keys, c.setGateIDs(e.sets))
		case pattern.Lex:
			return quickKeys{lex: true}
		case pattern.Group:
			if len(e.alts) == 1 {
				sub := c.quickKeys(e.alts[0])
				if sub.lex {
					return sub
				}
				q.keys = append(q.keys, sub.keys...)
				continue
			}
			ids, lex, ok := c.leading(e)
			switch {
			case lex:
				return quickKeys{lex: true}
			case ok:
				q.keys = append(q.keys, ids)
			}
		}
	}
	q.none = len(q.keys) == 0
	return q
}

// leading returns the gate ids one of which a group's match starts with:
// the phrase or set each alternative starts with. lex reports that every
// alternative needs a lexicon hit; ok is false when an alternative may
// start with anything.
func (c *compiler) leading(g *celem) (ids []int32, lex, ok bool) {
	lexAlts := 0
	for _, alt := range g.alts {
		if len(alt) == 0 || alt[0].opt {
			return nil, false, false
		}
		switch e := &alt[0]; e.kind {
		case pattern.Word, pattern.Prefix:
			ids = append(ids, c.phrase(alt[:litRun(alt, 0)]))
		case pattern.Ref:
			ids = append(ids, c.setGateIDs(e.sets)...)
		case pattern.Lex:
			lexAlts++
		case pattern.Group:
			sub, subLex, subOK := c.leading(e)
			if !subOK {
				return nil, false, false
			}
			if subLex {
				lexAlts++
			}
			ids = append(ids, sub...)
		default:
			return nil, false, false
		}
	}
	return ids, lexAlts == len(g.alts), true
}

// litRun returns the end of the run of mandatory literals that starts at
// seq[i]: a prefix literal ends it (the rest of its word comes before the
// next one).
func litRun(seq []celem, i int) int {
	j := i
	for j < len(seq) && !seq[j].opt && (seq[j].kind == pattern.Word || seq[j].kind == pattern.Prefix) {
		j++
		if seq[j-1].kind == pattern.Prefix {
			break
		}
	}
	return j
}

// setGateIDs returns the gate ids of term sets.
func (c *compiler) setGateIDs(sets []int32) []int32 {
	ids := make([]int32, len(sets))
	for i, s := range sets {
		ids[i] = c.nlits + s
	}
	return ids
}

// phrase returns the gate id of a run of literals: the literal's own for
// one, or that of a phrase of the quick filter, whose term is the
// literals' terms one after the other (as they are in the normalised
// text when they match in a row).
func (c *compiler) phrase(lits []celem) int32 {
	if len(lits) == 1 {
		return lits[0].lit
	}
	var norm []byte
	var runs []uint8
	mode := match.Word
	for k, e := range lits {
		t := &c.litTerm[e.lit]
		if k > 0 {
			norm, runs = append(norm, ' '), append(runs, 1)
		}
		norm, runs = append(norm, t.norm...), append(runs, t.runs...)
		mode = t.mode
	}
	key := fmt.Sprintf("%d:%s:%v", mode, norm, runs)
	if id, ok := c.phrases[key]; ok {
		return id
	}
	id := c.nseen
	if err := c.addNorm(norm, runs, mode, termRef{kindPhrase, id}); err != nil {
		return lits[0].lit // too long for a term: its first literal will do
	}
	c.nseen++
	c.phrases[key] = id
	return id
}

// newQuickFilter builds the quick filter of cl, whose automaton terms
// are b's and are common in chat where common is true, from the frames'
// quick keys. It returns nil when it would rule nothing out: when some
// frame is always possible, or when every term is needed.
func newQuickFilter(cl *Classifier, b *match.Builder, common []bool, frames []quickKeys) *quickFilter {
	commonID := make([]bool, cl.nseen) // gate ids lit by a common term
	for i, ti := range cl.terms {
		if common[i] {
			for _, x := range cl.lights[ti.lights : ti.lights+ti.nlights] {

				commonID[x] = true
			}
		}
	}
	var g gate
	needed := make([]bool, cl.nseen) // the ids of the quick keys
	for _, f := range frames {
		if f.none {
			return nil
		}
		var rare [][]int32
		for _, k := range f.keys {
			ok := true
			for _, x := range k {
				ok = ok && !commonID[x]
			}
			if ok {
				rare = append(rare, k)
			}
		}
		if len(rare) == 0 {
			rare = f.keys
		}
		for _, k := range rare {
			for _, x := range k {
				needed[x] = true
			}
		}
		g.keys = append(g.keys, rare)
	}
	keep := make([]bool, len(cl.terms))
	all := true
	for i, ti := range cl.terms {
		keep[i] = ti.flags&tLex != 0
		for _, x := range cl.lights[ti.lights : ti.lights+ti.nlights] {
			keep[i] = keep[i] || needed[x]
		}
		all = all && keep[i]
	}
	if all {
		return nil
	}
	// Frames that need a lexicon hit have no keys: they are not filed
	// (a lexicon hit always calls for the full scan).
	ix := g.index(cl.nseen)
	ix.always = nil
	return &quickFilter{ac: b.BuildSubset(keep), index: ix, keys: lazyOf(g.keys)}
}

// possible reports whether a frame may match a message whose quick hits
// set the gate ids seenIDs (seen): whether one of its quick keys' ids
// was seen for each of them.
func (q *quickFilter) possible(seenIDs []int32, seen []bool) bool {
	for _, x := range seenIDs {
		for _, fi := range q.index.pats[q.index.off[x]:q.index.off[x+1]] {
			if q.keys.check(int(fi), seen) {
				return true
			}
		}
	}
	return false
}
