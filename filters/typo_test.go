package filters

import (
	"context"
	"slices"
	"testing"

	"github.com/vigie-edu/vigie/filters/normalize"
)

func TestTypoVariants(t *testing.T) {
	n := normalize.New()
	spell := func(v typoVariant) string { // letters written out, spaces kept
		var b []byte
		for i, c := range v.norm {
			for k := uint8(0); k < max(v.runs[i], 1); k++ {
				b = append(b, c)
			}
		}
		return string(b)
	}
	tests := []struct {
		term       string
		has, lacks []string
		count      int // -1: not checked
	}{
		// 6 letters: 5 deletions (not the first letter), 4 swaps, 3 cuts
		// by one space and 1 by two (pieces of 2 letters or more).
		{term: "gitans", has: []string{"gtans", "gians", "gitns", "gitas", "gitan", "gtians", "giatns", "gitnas", "gitasn", "gi tans", "git ans", "gita ns", "gi ta ns"},
			lacks: []string{"itans", "igtans", "gitans", "g itans", "gitan s"}, count: 13},
		// Doubled letters: leaving out either m gives one variant.
		{term: "femmes", has: []string{"femes", "fmmes", "femms", "femme", "femems", "fem mes", "fe mm es"}, count: 11},
		{term: "immigrés", has: []string{"imigres", "immigrse"}, lacks: []string{"mmigres"}, count: -1},
		// 4 letters: swaps and one cut; 3 letters: nothing.
		{term: "juif", has: []string{"jiuf", "jufi", "ju if"}, lacks: []string{"jif", "juf"}, count: 3},
		{term: "gay", count: 0},
		// Each word of a phrase on its own; digits are left alone.
		{term: "black people", has: []string{"blakc people", "black poeple", "blck people"}, lacks: []string{"blakc poeple"}, count: -1},
		{term: "k9unit", count: 0},
	}
	for _, tt := range tests {
		norm, runs := n.Term(tt.term)
		vs := typoVariants(norm, runs)
		var got []string
		for _, v := range vs {
			if len(v.norm) != len(v.runs) {
				t.Fatalf("%q: variant %q has %d runs", tt.term, v.norm, len(v.runs))
			}
			got = append(got, spell(v))
		}
		for _, w := range tt.has {
			if !slices.Contains(got, w) {
				t.Errorf("%q: variants %q lack %q", tt.term, got, w)
			}
		}
		for _, w := range tt.lacks {
			if slices.Contains(got, w) {
				t.Errorf("%q: variants %q contain %q", tt.term, got, w)
			}
		}
		if tt.count >= 0 && len(got) != tt.count {
			t.Errorf("%q: %d variants %q, want %d", tt.term, len(got), got, tt.count)
		}
		seen := map[string]bool{}
		for _, g := range got {
			if seen[g] {
				t.Errorf("%q: duplicate variant %q", tt.term, g)
			}
			seen[g] = true
		}
	}
}

func TestTypoTermsClassify(t *testing.T) {
	cfg := Config{
		Terms: []TermSet{
			{Name: "group", Lang: "fr", Terms: []string{"musulmans~", "gitans~", "juifs"}},
			{Name: "vermin", Lang: "fr", Terms: []string{"rats", "parasite*"}},
		},
		Frames: []Frame{{ID: "fr.hate.dehumanise", Lang: "fr", Category: Hate, Severity: Critical, Pattern: "les @group sont des @vermin"}},
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want Action
	}{
		{"les musulmans sont des rats", Remove},
		{"les muslmans sont des rats", Remove},    // a letter left out
		{"les musulamns sont des rats", Remove},   // two letters swapped
		{"les MUSULAMNS sont des rats", Remove},   // after normalisation
		{"les gitnas sont des parasites", Remove}, // swapped, with a prefix predicate
		{"les musul mans sont des rats", Remove},  // cut by a space
		{"les mu sul mans sont des rats", Remove}, // cut by two spaces
		{"les m usulmans sont des rats", Allow},   // a piece of one letter
		{"les muslamns sont des rats", Allow},     // two slips
		{"les usulmans sont des rats", Allow},     // the first letter is kept
		{"les jiufs sont des rats", Allow},        // "juifs" is not marked
		{"les gitans sont des voisins", Allow},
	}
	for _, tt := range tests {
		if got := c.Classify(context.Background(), Message{Text: tt.text}).Action; got != tt.want {
			t.Errorf("Classify(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
}
