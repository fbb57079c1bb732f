// Package match finds many terms at once in normalised text with an
// Aho–Corasick automaton compiled to a deterministic table, so that the
// cost of a scan depends on the length of the text, not on the number of
// terms (tens of thousands cost the same as ten).
//
// Terms and text are in the form produced by package normalize: bytes
// with letter runs collapsed and their lengths kept aside, words
// separated by spaces. The automaton reads the text as if it began and
// ended with a space, and files a whole-word term as " term " and a
// prefix term as " term": word boundaries are part of what it matches,
// so that inside a word it follows only the few substring terms and
// rests at its root, and a state's outputs are the terms that really end
// there. A match is then verified against the term's letter runs: a text
// run of 1 or 2 letters must equal the term's, a run of 3 or more
// ("fuuuck") matches any run.
//
// Identical terms (same bytes, runs and mode) added several times are one
// term with one id: rules that share a word ("the" as a literal and as a
// member of two term sets) cost one match.
package match

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"unsafe"
)

// Mode says where a term may match.
type Mode uint8

// Modes.
const (
	Word      Mode = iota // whole tokens only
	Prefix                // starting at a token start
	Substring             // anywhere
)

// Hit is a verified match of a term: its id (as Builder.Add returned it)
// and the normalised byte range [Start, End).
type Hit struct {
	Term       int32
	Start, End int32
}

// number of byte classes: 0 unused, a–z 1–26, 0–9 27–36, space 37, other 38.
const (
	classes    = 39
	spaceClass = 37
	otherClass = 38
)

var byteClass = func() (t [256]uint8) {
	for i := range t {
		t[i] = otherClass
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = uint8(c-'a') + 1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = uint8(c-'0') + 27
	}
	t[' '] = spaceClass
	return t
}()

type term struct {
	norm  []byte
	runs  []uint8
	mode  Mode
	exact bool // has bytes of class "other": compare bytes on a hit
	plain bool // every run is 1: a text whose runs are all 1 needs no run check
}

// pattern returns the bytes the automaton files t under: the term with a
// space before it (whole-word and prefix terms) and after it (whole-word
// terms).
func (t *term) pattern() []byte {
	p := make([]byte, 0, len(t.norm)+2)
	if t.mode != Substring {
		p = append(p, ' ')
	}
	p = append(p, t.norm...)
	if t.mode == Word {
		p = append(p, ' ')
	}
	return p
}

// MaxTermLen is the length of the longest term Add accepts, in
// normalised bytes: a rules-file term is a few words.
const MaxTermLen = 1024

// Builder collects terms. The zero value is ready to use.
type Builder struct {
	terms []term
	ids   map[string]int32 // mode, runs and bytes → id
}

// Add adds a term: its normalised bytes, the run length of each byte (nil
// means all 1) and the mode. It returns the term's id, reported with each
// of its hits; a term added before (same bytes, runs and mode) keeps its
// first id.
func (b *Builder) Add(norm []byte, runs []uint8, mode Mode) (int32, error) {
	if len(norm) == 0 {
		return 0, errors.New("match: empty term")
	}
	if runs != nil && len(runs) != len(norm) {
		return 0, fmt.Errorf("match: term %q has %d runs for %d bytes", norm, len(runs), len(norm))
	}
	if len(norm) > MaxTermLen {
		return 0, fmt.Errorf("match: term %.20q… is longer than %d bytes", norm, MaxTermLen)
	}
	if norm[0] == ' ' || norm[len(norm)-1] == ' ' {
		return 0, fmt.Errorf("match: term %q starts or ends with a space", norm)
	}
	if mode > Substring {
		return 0, fmt.Errorf("match: term %q: unknown mode %d", norm, mode)
	}
	t := term{norm: append([]byte(nil), norm...), mode: mode, plain: true}
	t.runs = make([]uint8, len(norm))
	for i := range t.runs {
		t.runs[i] = 1
		if runs != nil && runs[i] > 0 {
			t.runs[i] = runs[i]
		}
		if t.runs[i] != 1 {
			t.plain = false
		}
	}
	key := string(rune('0'+mode)) + string(t.runs) + "\x00" + string(t.norm)
	if id, ok := b.ids[key]; ok {
		return id, nil
	}
	for _, c := range norm {
		if byteClass[c] == otherClass {
			t.exact = true
			break
		}
	}
	if b.ids == nil {
		b.ids = map[string]int32{}
	}
	id := int32(len(b.terms))
	b.ids[key] = id
	b.terms = append(b.terms, t)
	return id, nil
}

// Len returns the number of distinct terms added.
func (b *Builder) Len() int { return len(b.terms) }

// Automaton is a compiled set of terms. It is immutable and safe for
// concurrent use.
type Automaton struct {
	// col maps a byte to its column in the transition table: each byte
	// class that occurs in some pattern has a column, all the others
	// share column 0 (from any state they lead back to the root), so
	// that a state's row is as short as the terms allow.
	col   [256]uint8
	shift uint // a state's row is 1<<shift columns: a cache line for two-byte transitions
	// delta16 (at most 65,536 states) or delta32 is the transition
	// table: [s<<shift + col] → next state. Two bytes a transition keep
	// the rows of the states that text visits most in the caches; rows
	// of 32 columns start on 64-byte boundaries, so that a transition
	// reads one cache line.
	delta16 []uint16
	delta32 []uint32
	start   int // the state after the text's leading space
	// States are dense (a row in the transition table) or sparse (the
	// deep states of one child or none, most of them: their one
	// transition, and for the other bytes those of their failure state).
	// Dense states are numbered breadth first, so that the shallow
	// states that text visits most share cache lines, and sparse ones
	// depth first, so that the states of a term's chain do; in four
	// ranges: dense states
	// [0, dfinal) without outputs and [dfinal, nd) with outputs, sparse
	// states [nd, sfinal) without outputs and [sfinal, nstates) with
	// outputs. Scan tells them apart without a load.
	dfinal, nd, sfinal int
	sparse             []sparseState // state nd + i → sparse[i]
	// first[f] is the longest term ending in the state of final index
	// f (see finalIndex), in one load with what Scan needs of it; the
	// others, if any, are extra[first[f].xoff:][:first[f].more].
	first   []output
	extra   []output
	runs    []uint8 // the letter runs of the terms that are not plain (see output.roff)
	terms   []term
	nstates int
}

// sparseState is a state of at most one transition: on column col (255:
// none) to next; on the other columns, those of fail.
type sparseState struct {
	col  uint8
	next uint32
	fail uint32
}

// sparseDepth is the depth (pattern bytes) from which a state of one
// child or none is sparse: shallower states are few and visited often.
const sparseDepth = 3

// output is a term ending in a state. At byte i of the text (i = len(text)
// for the trailing space), the term starts at i - back.
type output struct {
	term int32 // index in terms
	back int32 // pattern length - 1 - lead
	n    int32 // length of the term's bytes
	// What verify needs of the term, so that most hits are verified
	// without loading it.
	mode  Mode
	exact bool
	plain bool
	more  uint16 // first outputs: how many more terms end in the state
	xoff  int32  // … from extra[xoff]
	// The term's letter runs are runs[roff:roff+n] when it is not plain
	// (one array for all the terms: a hit that needs them reads a line
	// of it rather than the term and its slice).
	roff int32
}

// Build compiles the automaton.
func (b *Builder) Build() *Automaton {
	// Trie with sparse children during construction.
	type node struct {
		next map[uint8]int32
		own  []int32
	}
	nodes := []node{{next: map[uint8]int32{}}}
	used := make([]bool, classes)
	for ti := range b.terms {
		s := int32(0)
		for _, c := range b.terms[ti].pattern() {
			cl := byteClass[c]
			used[cl] = true
			n, ok := nodes[s].next[cl]
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, node{next: map[uint8]int32{}})
				nodes[s].next[cl] = n
			}
			s = n
		}
		nodes[s].own = append(nodes[s].own, int32(ti))
	}
	// The text's leading space: the start state is the root's child on a
	// space, which always exists.
	used[spaceClass] = true
	if _, ok := nodes[0].next[spaceClass]; !ok {
		nodes[0].next[spaceClass] = int32(len(nodes))
		nodes = append(nodes, node{next: map[uint8]int32{}})
	}
	n := len(nodes)
	a := &Automaton{terms: b.terms, nstates: n}
	full := make([]int32, n*classes) // the table over all byte classes
	fail := make([]int32, n)
	outs := make([][]int32, n)
	// BFS over the trie to fill failure links and the DFA table.
	queue := make([]int32, 0, n)
	for cl := uint8(0); cl < classes; cl++ {
		if nx, ok := nodes[0].next[cl]; ok {
			full[cl] = nx
			fail[nx] = 0
			queue = append(queue, nx)
		}
	}
	outs[0] = nodes[0].own
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		outs[s] = append(append([]int32(nil), nodes[s].own...), outs[fail[s]]...)
		for cl := uint8(0); cl < classes; cl++ {
			if nx, ok := nodes[s].next[cl]; ok {
				full[int(s)*classes+int(cl)] = nx
				fail[nx] = full[int(fail[s])*classes+int(cl)]
				queue = append(queue, nx)
			} else {
				full[int(s)*classes+int(cl)] = full[int(fail[s])*classes+int(cl)]
			}
		}
	}
	// Numbering: the root, then the states in the four ranges dense
	// without outputs, dense with (breadth first), sparse without, sparse
	// with (depth first).
	depth := make([]int, n)
	for _, s := range queue {
		for _, nx := range nodes[s].next {
			depth[nx] = depth[s] + 1
		}
	}
	isSparse := func(s int32) bool { return depth[s] >= sparseDepth && len(nodes[s].next) <= 1 }
	// Sparse states in depth-first order: a term's chain of one-child
	// states is read byte after byte, and numbered one after another its
	// states share cache lines (breadth first, each would be on its own).
	dfs := make([]int32, 0, n)
	stack := []int32{0}
	var kids []uint8
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		dfs = append(dfs, s)
		kids = kids[:0]
		for cl := range nodes[s].next {
			kids = append(kids, cl)
		}
		slices.Sort(kids)
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, nodes[s].next[kids[i]])
		}
	}
	order := make([]int32, 0, n) // new number → trie node
	order = append(order, 0)
	for k, pick := range []func(s int32) bool{
		func(s int32) bool { return !isSparse(s) && len(outs[s]) == 0 },
		func(s int32) bool { return !isSparse(s) && len(outs[s]) > 0 },
		func(s int32) bool { return isSparse(s) && len(outs[s]) == 0 },
		func(s int32) bool { return isSparse(s) && len(outs[s]) > 0 },
	} {
		switch k {
		case 1:
			a.dfinal = len(order)
		case 2:
			a.nd = len(order)
		case 3:
			a.sfinal = len(order)
		}
		from := queue
		if k >= 2 {
			from = dfs[1:] // without the root, as queue
		}
		for _, s := range from {
			if pick(s) {
				order = append(order, s)
			}
		}
	}
	num := make([]int32, n) // trie node → new number
	for i, s := range order {
		num[s] = int32(i)
	}
	nfinal := (a.nd - a.dfinal) + (n - a.sfinal)
	a.first = make([]output, nfinal)
	roff := make([]int32, len(b.terms)) // term → its runs in a.runs, -1: not there yet
	for i := range roff {
		roff[i] = -1
	}
	for ns := a.dfinal; ns < n; ns++ {
		if ns == a.nd {
			ns = a.sfinal
			if ns == n {
				break
			}
		}
		s := order[ns]
		// Longest terms first at each end position: callers see the most
		// specific match first.
		o := outs[s]
		sort.SliceStable(o, func(i, j int) bool { return len(b.terms[o[i]].norm) > len(b.terms[o[j]].norm) })
		f := a.finalIndex(ns)
		for k, ti := range o {
			t := &b.terms[ti]
			back := len(t.norm) - 1
			if t.mode == Word {
				back++ // the trailing space
			}
			out := output{term: ti, back: int32(back), n: int32(len(t.norm)), mode: t.mode, exact: t.exact, plain: t.plain}
			if !t.plain {
				if roff[ti] < 0 {
					roff[ti] = int32(len(a.runs))
					a.runs = append(a.runs, t.runs...)
				}
				out.roff = roff[ti]
			}
			if k == 0 {
				out.more, out.xoff = uint16(len(o)-1), int32(len(a.extra))
				a.first[f] = out
				continue
			}
			a.extra = append(a.extra, out)
		}
	}
	// Columns: one per byte class that occurs in a pattern (the others
	// always lead to the root: no term has them).
	var colOf [classes]uint8
	cols := 1
	for cl := range used {
		if used[cl] {
			colOf[cl] = uint8(cols)
			cols++
		}
	}
	a.shift = 5 // 32 columns
	if cols > 32 {
		a.shift = 6
	}
	for c := range a.col {
		a.col[c] = colOf[byteClass[c]]
	}
	if n <= 1<<16 {
		a.delta16 = aligned[uint16](a.nd << a.shift)
	} else {
		a.delta32 = aligned[uint32](a.nd << a.shift)
	}
	a.sparse = make([]sparseState, n-a.nd)
	for st := 0; st < n; st++ {
		if ns := int(num[st]); ns >= a.nd {
			sp := sparseState{col: 255, fail: uint32(num[fail[st]])}
			for cl, nx := range nodes[st].next {
				sp.col, sp.next = colOf[cl], uint32(num[nx])
			}
			a.sparse[ns-a.nd] = sp
			continue
		}
		for cl := 0; cl < classes; cl++ {
			if !used[cl] {
				continue
			}
			i, t := int(num[st])<<a.shift+int(colOf[cl]), num[full[st*classes+cl]]
			if a.delta16 != nil {
				a.delta16[i] = uint16(t)
			} else {
				a.delta32[i] = uint32(t)
			}
		}
	}
	a.start = int(num[full[spaceClass]])
	return a
}

// finalIndex returns the index among the states with outputs of state
// s, which has some.
func (a *Automaton) finalIndex(s int) int {
	if s < a.nd {
		return s - a.dfinal
	}
	return a.nd - a.dfinal + s - a.sfinal
}

// States returns the number of states, for memory reports.
func (a *Automaton) States() int { return a.nstates }

// Scan appends to dst every verified hit in norm (whose letter runs are
// runs; nil means all 1) and returns it. Hits come in order of their end
// offset, longest first among hits ending at the same offset.
func (a *Automaton) Scan(norm []byte, runs []uint8, dst []Hit) []Hit {
	if a == nil || len(a.terms) == 0 {
		return dst
	}
	if a.delta16 != nil {
		return scan(a, a.delta16, norm, runs, dst)
	}
	return scan(a, a.delta32, norm, runs, dst)
}

// scan is Scan over a transition table of either width.
func scan[T uint16 | uint32](a *Automaton, delta []T, norm []byte, runs []uint8, dst []Hit) []Hit {
	s, nd, dfinal, sfinal, shift := a.start, a.nd, a.dfinal, a.sfinal, a.shift
	for i, c := range norm {
		if col := a.col[c]; s < nd {
			s = int(delta[s<<shift+int(col)]) // most bytes: a dense state, inline
		} else {
			s = step(a, delta, s, col)
		}
		if s >= dfinal && (s < nd || s >= sfinal) {
			dst = a.emit(a.finalIndex(s), i, norm, runs, dst)
		}
	}
	// The trailing space.
	if s = step(a, delta, s, a.col[' ']); s >= a.dfinal && (s < a.nd || s >= a.sfinal) {
		dst = a.emit(a.finalIndex(s), len(norm), norm, runs, dst)
	}
	return dst
}

// step returns the state after state s on a byte of column col.
func step[T uint16 | uint32](a *Automaton, delta []T, s int, col uint8) int {
	for s >= a.nd {
		sp := &a.sparse[s-a.nd]
		if sp.col == col {
			return int(sp.next)
		}
		s = int(sp.fail)
	}
	return int(delta[s<<a.shift+int(col)])
}

// emit appends the verified hits of the terms ending at byte i in the
// state of final index f.
func (a *Automaton) emit(f, i int, norm []byte, runs []uint8, dst []Hit) []Hit {
	o := &a.first[f]
	dst = a.hit(o, i, norm, runs, dst)
	for k := range int32(o.more) {
		dst = a.hit(&a.extra[o.xoff+k], i, norm, runs, dst)
	}
	return dst
}

// hit appends the hit of o's term ending at byte i if it is verified.
func (a *Automaton) hit(o *output, i int, norm []byte, runs []uint8, dst []Hit) []Hit {
	start := i - int(o.back)
	end := start + int(o.n)
	if !a.verify(o, norm, runs, start, end) {
		return dst
	}
	h := Hit{Term: o.term, Start: int32(start), End: int32(end)}
	// A whole-word term is found at the space after it: put it before
	// the shorter prefix and substring hits found at its last letter.
	// (The outputs of one state are longest first: a hit never passes
	// one of its own state.)
	j := len(dst)
	dst = append(dst, h)
	for j > 0 && dst[j-1].End == h.End && dst[j-1].End-dst[j-1].Start < h.End-h.Start {
		dst[j] = dst[j-1]
		j--
	}
	dst[j] = h
	return dst
}

// verify checks a hit of o's term at [start, end) against the term's
// bytes (when it has bytes of class "other", which share a column) and
// letter runs.
func (a *Automaton) verify(o *output, norm []byte, runs []uint8, start, end int) bool {
	if o.exact {
		for k, c := range a.terms[o.term].norm {
			if norm[start+k] != c {
				return false
			}
		}
	}
	if runs == nil {
		return o.plain
	}
	text := runs[start:end]
	if o.plain {
		// Every run of the term is 1: a text run of 1 or of 3 and more
		// matches, one of 2 only at an edge that may go on (below).
		for k, r := range text {
			if r == 2 && !edge(o.mode, k, len(text)-1) {
				return false
			}
		}
		return true
	}
	for k, q := range a.runs[o.roff : o.roff+o.n] {
		r := text[k]
		if r == q || r >= 3 || r > q && edge(o.mode, k, len(text)-1) {
			continue
		}
		return false
	}
	return true
}

// edge reports whether the k-th of a term's bytes (last the index of its
// last) may be a run that goes on in the text: where a term may be
// followed (prefix, substring) or preceded (substring) by more letters.
// "enculé" is a prefix of "enculée", "shit" of "shitty", "ass" is in
// "asshole" — but "as" is not "ass".
func edge(mode Mode, k, last int) bool {
	return k == last && mode != Word || k == 0 && mode == Substring
}

// aligned returns a zeroed slice of n elements that starts on a 64-byte
// boundary.
func aligned[T uint16 | uint32](n int) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	pad := 64 / size
	buf := make([]T, n+pad)
	off := int(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))%64) / size
	if off == 0 {
		return buf[:n:n]
	}
	return buf[pad-off : pad-off+n : pad-off+n]
}
