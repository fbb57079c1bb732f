package normalize_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/filters/normalize"
)

// FuzzNormalize checks the invariants of the pipeline on arbitrary input:
// no panic, one run per byte, non-empty tokens separated by single
// spaces, spans that are whole characters and never go backwards, one
// Quoted entry per token, the same result from a reused Text, and tokens
// that normalise to themselves when cut out of the original text.
func FuzzNormalize(f *testing.F) {
	for _, s := range roundTrip {
		f.Add(s)
	}
	f.Add("")
	f.Add("\xff\xfe c\xc3")
	n := normalize.New()
	var reused normalize.Text
	f.Fuzz(func(t *testing.T, s string) {
		txt := n.Normalize(s)
		checkInvariants(t, txt)

		n.Into(&reused, s)
		if string(reused.Norm) != string(txt.Norm) {
			t.Fatalf("Into with a reused Text = %q, Normalize = %q", reused.Norm, txt.Norm)
		}

		// A token cut out of the text normalises to itself, unless the
		// message has Cyrillic or Greek letters (a word made only of
		// look-alikes reads differently alone and in a Cyrillic sentence).
		if !utf8.ValidString(s) || strings.IndexFunc(s, isCyrillicOrGreek) >= 0 {
			return
		}
		for i, tok := range txt.Tokens {
			a, b := txt.TokenSpan(i)
			alone := n.Normalize(s[a:b])
			if want := string(txt.Norm[tok.Start:tok.End]); string(alone.Norm) != want {
				t.Errorf("token %d %q: its span %q normalises to %q", i, want, s[a:b], alone.Norm)
			}
		}

		norm, runs := n.Term(s)
		if len(norm) != len(runs) {
			t.Errorf("Term: len(norm) = %d, len(runs) = %d", len(norm), len(runs))
		}
	})
}

func isCyrillicOrGreek(r rune) bool {
	return unicode.In(r, unicode.Cyrillic, unicode.Greek)
}
