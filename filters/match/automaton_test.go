package match

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// collapse mimics the normaliser's run collapsing for tests.
func collapse(s string) ([]byte, []uint8) {
	var norm []byte
	var runs []uint8
	for i := 0; i < len(s); i++ {
		c := s[i]
		if len(norm) > 0 && c >= 'a' && c <= 'z' && norm[len(norm)-1] == c && runs[len(runs)-1] < 255 {
			runs[len(runs)-1]++
			continue
		}
		norm = append(norm, c)
		runs = append(runs, 1)
	}
	return norm, runs
}

func build(t testing.TB, terms map[string]Mode) (*Automaton, []string) {
	t.Helper()
	var b Builder
	var names []string
	for term, mode := range terms {
		n, r := collapse(term)
		id, err := b.Add(n, r, mode)
		if err != nil {
			t.Fatal(err)
		}
		if int(id) != len(names) {
			t.Fatalf("term %q: id %d, want %d", term, id, len(names))
		}
		names = append(names, term)
	}
	return b.Build(), names
}

func TestScan(t *testing.T) {
	a, names := build(t, map[string]Mode{
		"con":          Word,
		"connard":      Word,
		"encule":       Prefix,
		"fuck":         Substring,
		"sale":         Word,
		"ass":          Word,
		"fils de pute": Word,
		"pute":         Word,
		"привет":       Word,
		"shit":         Substring,
	})
	tests := []struct {
		text string
		want []string
	}{
		{"t es qu un connard", []string{"connard"}},
		{"le concours de maths", nil},
		{"espece de con", []string{"con"}},
		{"les encules", []string{"encule"}},
		{"tu m encule", []string{"encule"}},
		{"motherfucker", []string{"fuck"}},
		{"la salle de classe", nil},
		{"t es sale", []string{"sale"}},
		{"t es saaaale", []string{"sale"}},
		{"conard", nil},
		{"connnnnard", []string{"connard"}},
		{"as you like", nil},
		{"kick his ass", []string{"ass"}},
		{"kick his asssss", []string{"ass"}},
		{"fils de pute", []string{"fils de pute", "pute"}},
		{"le depute", nil},
		{"привет друг", []string{"привет"}},
		{"прибет", nil},
		{"les enculees", []string{"encule"}},
		{"so shitty", []string{"shit"}},
		{"bullshit", []string{"shit"}},
	}
	for _, tt := range tests {
		norm, runs := collapse(tt.text)
		var got []string
		for _, h := range a.Scan(norm, runs, nil) {
			got = append(got, names[h.Term])
			if string(norm[h.Start:h.End]) == "" {
				t.Errorf("%q: empty hit", tt.text)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Scan(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestScanOffsets(t *testing.T) {
	a, _ := build(t, map[string]Mode{"de pute": Word})
	norm, runs := collapse("fils de pute ok")
	hits := a.Scan(norm, runs, nil)
	if len(hits) != 1 || string(norm[hits[0].Start:hits[0].End]) != "de pute" {
		t.Fatalf("hits = %+v", hits)
	}
}

func TestAddErrors(t *testing.T) {
	var b Builder
	for _, tt := range []struct {
		name string
		norm []byte
		runs []uint8
		mode Mode
	}{
		{"empty term", nil, nil, Word},
		{"leading space", []byte(" x"), nil, Word},
		{"trailing space", []byte("x "), nil, Prefix},
		{"runs length mismatch", []byte("ab"), []uint8{1}, Word},
		{"unknown mode", []byte("ab"), nil, Substring + 1},
		{"too long", []byte(strings.Repeat("a", MaxTermLen+1)), nil, Word},
	} {
		if _, err := b.Add(tt.norm, tt.runs, tt.mode); err == nil {
			t.Errorf("%s accepted", tt.name)
		}
	}
	if b.Len() != 0 {
		t.Errorf("Len = %d after rejected terms", b.Len())
	}
}

// TestBruteForce compares the automaton with a naive search on random terms and texts.
func TestBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alpha := "abc "
	word := func(n int) string {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.WriteByte(alpha[rng.Intn(3)])
		}
		return sb.String()
	}
	var b Builder
	var terms []string
	var modes []Mode
	var ids []int32
	for len(terms) < 60 {
		w := strings.TrimSpace(word(1 + rng.Intn(4)))
		if w == "" || strings.Contains(w, "  ") {
			continue
		}
		m := Mode(rng.Intn(3))
		id, err := b.Add([]byte(w), nil, m)
		if err != nil {
			t.Fatal(err)
		}
		terms = append(terms, w)
		modes = append(modes, m)
		ids = append(ids, id)
	}
	a := b.Build()
	for k := 0; k < 300; k++ {
		var parts []string
		for j := 0; j < 1+rng.Intn(6); j++ {
			parts = append(parts, word(1+rng.Intn(5)))
		}
		text := []byte(strings.Join(parts, " "))
		got := map[[3]int]bool{}
		for _, h := range a.Scan(text, nil, nil) {
			got[[3]int{int(h.Term), int(h.Start), int(h.End)}] = true
		}
		want := map[[3]int]bool{}
		for i, w := range terms {
			for s := 0; s+len(w) <= len(text); s++ {
				if string(text[s:s+len(w)]) != w {
					continue
				}
				e := s + len(w)
				left := s == 0 || text[s-1] == ' '
				right := e == len(text) || text[e] == ' '
				if modes[i] == Word && !(left && right) || modes[i] == Prefix && !left {
					continue
				}
				want[[3]int{int(ids[i]), s, e}] = true
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("text %q: got %v want %v", text, got, want)
		}
	}
}

func BenchmarkScan(b *testing.B) {
	// 20,000 synthetic terms: the cost per message must not depend on the count.
	for _, n := range []int{100, 20000} {
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewSource(2))
			var bl Builder
			for i := 0; i < n; i++ {
				var sb strings.Builder
				for j := 0; j < 4+rng.Intn(6); j++ {
					sb.WriteByte(byte('a' + rng.Intn(26)))
				}
				n, r := collapse(sb.String())
				if _, err := bl.Add(n, r, Mode(rng.Intn(3))); err != nil {
					b.Fatal(err)
				}
			}
			a := bl.Build()
			norm, runs := collapse("salut tout le monde est ce que quelqu un a fait l exercice de maths pour demain j ai pas compris la question trois")
			var hits []Hit
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				hits = a.Scan(norm, runs, hits[:0])
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// TestBruteForceLarge compares an automaton of more than 65,536 states
// (the wide transition table) and one of its digit-free columns with a
// naive search.
func TestBruteForceLarge(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	word := func(lo, hi int) string {
		var sb strings.Builder
		for j := 0; j < lo+rng.Intn(hi-lo+1); j++ {
			sb.WriteByte(byte('a' + rng.Intn(26)))
		}
		return sb.String()
	}
	var b Builder
	byTerm := map[string][]int{} // term → indexes
	var terms []string
	var modes []Mode
	var ids []int32
	for i := 0; i < 20000; i++ {
		w := word(5, 9)
		m := Mode(rng.Intn(3))
		id, err := b.Add([]byte(w), nil, m)
		if err != nil {
			t.Fatal(err)
		}
		terms = append(terms, w)
		modes = append(modes, m)
		ids = append(ids, id)
		byTerm[w] = append(byTerm[w], i)
	}
	a := b.Build()
	if a.States() <= 1<<16 || a.delta32 == nil {
		t.Fatalf("%d states: want more than 65,536 and the wide table", a.States())
	}
	if a.col['7'] != 0 || a.col['-'] != 0 || a.col['a'] == 0 || a.col[' '] == 0 {
		t.Errorf("columns: digits and punctuation occur in no pattern and should share column 0; letters and the space have their own")
	}
	for k := 0; k < 200; k++ {
		var parts []string
		for j := 0; j < 1+rng.Intn(8); j++ {
			switch rng.Intn(3) {
			case 0:
				parts = append(parts, terms[rng.Intn(len(terms))])
			case 1:
				parts = append(parts, terms[rng.Intn(len(terms))]+word(1, 3))
			default:
				parts = append(parts, word(1, 4)+terms[rng.Intn(len(terms))]+" 42")
			}
		}
		text := []byte(strings.Join(parts, " "))
		got := map[[3]int]bool{}
		for _, h := range a.Scan(text, nil, nil) {
			got[[3]int{int(h.Term), int(h.Start), int(h.End)}] = true
		}
		want := map[[3]int]bool{}
		for s := range text {
			for e := s + 5; e <= s+9 && e <= len(text); e++ {
				for _, i := range byTerm[string(text[s:e])] {
					left := s == 0 || text[s-1] == ' '
					right := e == len(text) || text[e] == ' '
					if modes[i] == Word && !(left && right) || modes[i] == Prefix && !left {
						continue
					}
					want[[3]int{int(ids[i]), s, e}] = true
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("text %q: %d hits, want %d", text, len(got), len(want))
		}
		for h := range want {
			if !got[h] {
				t.Fatalf("text %q: missing hit %v", text, h)
			}
		}
	}
}

func TestAddSameTermOnce(t *testing.T) {
	var b Builder
	add := func(term string, mode Mode) int32 {
		t.Helper()
		n, r := collapse(term)
		id, err := b.Add(n, r, mode)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	the := add("the", Word)
	if add("the", Word) != the {
		t.Error("the same whole-word term got a second id")
	}
	if add("the", Prefix) == the || add("thee", Word) == the {
		t.Error("another mode or other runs share the term's id")
	}
	if b.Len() != 3 {
		t.Errorf("Len = %d, want 3", b.Len())
	}
	a := b.Build()
	norm, runs := collapse("the cat")
	hits := a.Scan(norm, runs, nil)
	ids := map[int32]int{}
	for _, h := range hits {
		ids[h.Term]++
	}
	if len(hits) != 2 || ids[the] != 1 || ids[add("the", Prefix)] != 1 {
		t.Errorf("hits %v: want the whole-word term once and the prefix term once", hits)
	}
}

// TestScanOrder checks the documented order: by end offset, longest first
// among hits that end at the same offset, whatever their modes.
func TestScanOrder(t *testing.T) {
	a, names := build(t, map[string]Mode{
		"de pute": Word,
		"pute":    Word,
		"ute":     Substring,
		"fils de": Prefix,
		"de":      Word,
		"fils":    Prefix,
	})
	norm, runs := collapse("fils de pute")
	var got []string
	for _, h := range a.Scan(norm, runs, nil) {
		got = append(got, names[h.Term])
	}
	want := []string{"fils", "fils de", "de", "de pute", "pute", "ute"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

// TestSparseChain checks that the one-child states of a term's chain are
// numbered one after another (depth first), so that reading the term
// reads consecutive entries of the sparse table.
func TestSparseChain(t *testing.T) {
	var b Builder
	for _, term := range []string{"musulmans", "mosquees", "moustache", "immigres", "mus"} {
		if _, err := b.Add([]byte(term), nil, Word); err != nil {
			t.Fatal(err)
		}
	}
	a := b.Build()
	for _, term := range []string{"musulmans", "mosquees", "immigres"} {
		s, prev := a.start, -1
		chain := 0
		for _, c := range []byte(term) {
			s = step(a, a.delta16, s, a.col[c])
			if s < a.nd || s >= a.sfinal {
				prev = -1
				continue
			}
			if prev >= 0 {
				chain++
				if s != prev+1 {
					t.Errorf("%s: sparse state %d follows %d", term, s, prev)
				}
			}
			prev = s
		}
		if chain < 3 {
			t.Errorf("%s: a chain of %d sparse states: the test checks little", term, chain)
		}
	}
}
