// Package match finds many terms at once in normalised text with an
// Aho–Corasick automaton compiled to a deterministic table, so that the
// cost of a scan depends on the length of the text, not on the number of
// terms (tens of thousands cost the same as ten).
//
// Terms and text are in the form produced by package normalize: bytes
// with letter runs collapsed and their lengths kept aside. A match is
// verified against the term's mode (whole word, word prefix, substring)
// and its letter runs: a text run of 1 or 2 letters must equal the
// term's, a run of 3 or more ("fuuuck") matches any run.
package match

import (
	"errors"
	"fmt"
	"sort"
)

// Mode says where a term may match.
type Mode uint8

// Modes.
const (
	Word      Mode = iota // whole tokens only
	Prefix                // starting at a token start
	Substring             // anywhere
)

// Hit is a verified match of a term: the normalised byte range
// [Start, End) and the payload the term was added with.
type Hit struct {
	Payload    int32
	Start, End int32
}

// number of byte classes: 0 unused, a–z 1–26, 0–9 27–36, space 37, other 38.
const classes = 39

var byteClass = func() (t [256]uint8) {
	for i := range t {
		t[i] = 38
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = uint8(c-'a') + 1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = uint8(c-'0') + 27
	}
	t[' '] = 37
	return t
}()

type term struct {
	norm    []byte
	runs    []uint8
	mode    Mode
	payload int32
	exact   bool // has bytes of class "other": compare bytes on a hit
}

// Builder collects terms. The zero value is ready to use.
type Builder struct {
	terms []term
}

// Add adds a term: its normalised bytes, the run length of each byte (nil
// means all 1), the mode, and a payload returned with each hit.
func (b *Builder) Add(norm []byte, runs []uint8, mode Mode, payload int32) error {
	if len(norm) == 0 {
		return errors.New("match: empty term")
	}
	if runs != nil && len(runs) != len(norm) {
		return fmt.Errorf("match: term %q has %d runs for %d bytes", norm, len(runs), len(norm))
	}
	if norm[0] == ' ' || norm[len(norm)-1] == ' ' {
		return fmt.Errorf("match: term %q starts or ends with a space", norm)
	}
	t := term{norm: append([]byte(nil), norm...), mode: mode, payload: payload}
	t.runs = make([]uint8, len(norm))
	for i := range t.runs {
		t.runs[i] = 1
		if runs != nil && runs[i] > 0 {
			t.runs[i] = runs[i]
		}
	}
	for _, c := range norm {
		if byteClass[c] == 38 {
			t.exact = true
			break
		}
	}
	b.terms = append(b.terms, t)
	return nil
}

// Len returns the number of terms added.
func (b *Builder) Len() int { return len(b.terms) }

// Automaton is a compiled set of terms. It is immutable and safe for
// concurrent use.
type Automaton struct {
	// col maps a byte to its column in the transition table: each byte
	// class that occurs in some term has a column, all the others share
	// column 0 (from any state they lead back to the root), so that a
	// state's row is as short as the terms allow.
	col    [256]uint8
	stride int // columns per state
	// delta16 (at most 65,536 states) or delta32 is the transition
	// table: [s*stride + col] → next state. Two bytes a transition keep
	// the rows of the states that text visits most in the caches.
	delta16 []uint16
	delta32 []uint32
	flags   []uint8  // state → flagWord | flagOther: what kinds of terms end there
	outOff  []int32  // state → start of its outputs in out; outputs of state s are out[outOff[s]:outOff[s+1]]
	out     []output // the terms ending in each state
	terms   []term
	nstates int
}

// Output flags of a state: Scan needs no look at outOff for the bytes
// that end no term (most of them), nor for those that end only
// whole-word terms inside a word.
const (
	flagWord  = 1 // some terms ending here are whole-word terms
	flagOther = 2 // some terms ending here are prefix or substring terms
)

// output is a term ending in a state, with what Scan needs to reject it
// at a word boundary without loading the term (most outputs are short
// terms inside longer words).
type output struct {
	term int32 // index in terms
	n    int32 // length of the term's bytes
	mode Mode
}

// Build compiles the automaton.
func (b *Builder) Build() *Automaton {
	// Trie with sparse children during construction.
	type node struct {
		next map[uint8]int32
		own  []int32
	}
	nodes := []node{{next: map[uint8]int32{}}}
	for ti, t := range b.terms {
		s := int32(0)
		for _, c := range t.norm {
			cl := byteClass[c]
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
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
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
	a.outOff = make([]int32, n+1)
	for s := 0; s < n; s++ {
		// Longest terms first at each end position: callers see the most
		// specific match first.
		o := outs[s]
		sort.SliceStable(o, func(i, j int) bool { return len(b.terms[o[i]].norm) > len(b.terms[o[j]].norm) })
		a.outOff[s] = int32(len(a.out))
		for _, ti := range o {
			t := &b.terms[ti]
			a.out = append(a.out, output{term: ti, n: int32(len(t.norm)), mode: t.mode})
		}
	}
	a.outOff[n] = int32(len(a.out))
	a.flags = make([]uint8, n)
	for st := range a.flags {
		for _, o := range a.out[a.outOff[st]:a.outOff[st+1]] {
			if o.mode == Word {
				a.flags[st] |= flagWord
			} else {
				a.flags[st] |= flagOther
			}
		}
	}
	// Columns: one per byte class that occurs in a term (the others
	// always lead to the root: no term has them).
	var used [classes]bool
	for _, t := range b.terms {
		for _, c := range t.norm {
			used[byteClass[c]] = true
		}
	}
	var colOf [classes]uint8
	a.stride = 1
	for cl := range used {
		if used[cl] {
			colOf[cl] = uint8(a.stride)
			a.stride++
		}
	}
	for c := range a.col {
		a.col[c] = colOf[byteClass[c]]
	}
	if n <= 1<<16 {
		a.delta16 = make([]uint16, n*a.stride)
	} else {
		a.delta32 = make([]uint32, n*a.stride)
	}
	for st := 0; st < n; st++ {
		for cl := 0; cl < classes; cl++ {
			if !used[cl] {
				continue
			}
			i, t := st*a.stride+int(colOf[cl]), full[st*classes+cl]
			if a.delta16 != nil {
				a.delta16[i] = uint16(t)
			} else {
				a.delta32[i] = uint32(t)
			}
		}
	}
	return a
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
	row := 0 // the current state's row in delta
	for i, c := range norm {
		s := int(delta[row+int(a.col[c])])
		row = s * a.stride
		switch a.flags[s] {
		case 0:
			continue
		case flagWord:
			if i+1 < len(norm) && norm[i+1] != ' ' {
				continue // only whole-word terms end here, inside a word
			}
		}
		lo, hi := a.outOff[s], a.outOff[s+1]
		for _, o := range a.out[lo:hi] {
			end := i + 1
			start := end - int(o.n)
			switch o.mode {
			case Word:
				if end < len(norm) && norm[end] != ' ' {
					continue
				}
				fallthrough
			case Prefix:
				if start > 0 && norm[start-1] != ' ' {
					continue
				}
			}
			t := &a.terms[o.term]
			if a.verify(t, norm, runs, start, end) {
				dst = append(dst, Hit{Payload: t.payload, Start: int32(start), End: int32(end)})
			}
		}
	}
	return dst
}

func (a *Automaton) verify(t *term, norm []byte, runs []uint8, start, end int) bool {
	switch t.mode {
	case Word:
		if end < len(norm) && norm[end] != ' ' {
			return false
		}
		fallthrough
	case Prefix:
		if start > 0 && norm[start-1] != ' ' {
			return false
		}
	}
	if t.exact {
		for k, c := range t.norm {
			if norm[start+k] != c {
				return false
			}
		}
	}
	if runs != nil {
		last := len(t.runs) - 1
		for k, q := range t.runs {
			r := runs[start+k]
			if r == q || r >= 3 {
				continue
			}
			// Where a term may be followed (prefix, substring) or preceded
			// (substring) by more letters, the run at its edge may go on in
			// the text: "enculé" is a prefix of "enculée", "shit" of
			// "shitty", "ass" is in "asshole" — but "as" is not "ass".
			edge := k == last && t.mode != Word || k == 0 && t.mode == Substring
			if edge && r > q {
				continue
			}
			return false
		}
	} else {
		for _, q := range t.runs {
			if q != 1 {
				return false
			}
		}
	}
	return true
}
