package filters

// Typing slips in term-set terms.
//
// A term of a term set written with a trailing '~' ("musulmans~") also
// matches the forms a hurried or evasive writer produces from it with one
// slip in one of its words: a letter left out ("muslmans", "imigrés" for
// "immigrés") or two neighbouring letters swapped ("musulamns",
// "gitnas"). The first letter of a word is kept (slips there are rare and
// their variants collide with unrelated words), letters are left out only
// in words of at least typoMinDelete letters and swapped only in words of
// at least typoMinSwap letters. The variants are ordinary automaton terms
// with the same payload as the term, so matching costs nothing more per
// message; a term of n letters adds about 2n of them.
//
// It also matches the word cut by one or two spaces into pieces of at
// least two letters ("handi capé", "mu sul mans"), the evasion that the
// normaliser's joining of spaced single letters does not undo.
//
// The marker is opt-in because a variant may be a real word ("noirs"
// minus a letter is "nors", harmless, but "filles" minus one is "files"):
// rules writers mark the terms whose variants they checked.

import "github.com/vigie-edu/vigie/filters/match"

const (
	typoMinDelete = 5 // letters a word needs before one may be left out
	typoMinSwap   = 4 // letters a word needs before two may be swapped
	typoMinPiece  = 2 // letters of each piece of a word cut by spaces
	typoMark      = "~"
)

// typoVariant is one slip of a normalised term.
type typoVariant struct {
	norm []byte
	runs []uint8
}

// typoVariants returns the distinct one-slip variants of a normalised
// term (bytes and letter runs as produced by normalize.Normalizer.Term),
// in a stable order. Words that contain anything but ASCII letters are
// left alone.
func typoVariants(norm []byte, runs []uint8) []typoVariant {
	var out []typoVariant
	seen := map[string]bool{string(norm) + "\x00" + string(runs): true}
	for s := 0; s < len(norm); {
		e := s
		for e < len(norm) && norm[e] != ' ' {
			e++
		}
		word, wruns := norm[s:e], runs[s:e]
		if letters, ok := expandRuns(word, wruns); ok {
			n := len(letters)
			var edits [][]byte
			if n >= typoMinDelete {
				for i := 1; i < n; i++ {
					if i > 1 && letters[i] == letters[i-1] {
						continue // same result as leaving out the previous letter
					}
					edits = append(edits, append(append([]byte(nil), letters[:i]...), letters[i+1:]...))
				}
			}
			if n >= typoMinSwap {
				for i := 1; i+1 < n; i++ {
					if letters[i] == letters[i+1] {
						continue
					}
					sw := append([]byte(nil), letters...)
					sw[i], sw[i+1] = sw[i+1], sw[i]
					edits = append(edits, sw)
				}
			}
			// Cut by one or two spaces: pieces of typoMinPiece letters
			// or more.
			for i := typoMinPiece; i+typoMinPiece <= n; i++ {
				edits = append(edits, cut(letters, i))
				for j := i + typoMinPiece; j+typoMinPiece <= n; j++ {
					edits = append(edits, cut(letters, i, j))
				}
			}
			for _, ed := range edits {
				cn, cr := collapseRuns(ed)
				v := typoVariant{
					norm: append(append(append([]byte(nil), norm[:s]...), cn...), norm[e:]...),
					runs: append(append(append([]uint8(nil), runs[:s]...), cr...), runs[e:]...),
				}
				key := string(v.norm) + "\x00" + string(v.runs)
				if !seen[key] {
					seen[key] = true
					out = append(out, v)
				}
			}
		}
		s = e + 1
	}
	return out
}

// cut returns letters with a space inserted before each of the given
// increasing positions.
func cut(letters []byte, at ...int) []byte {
	out := make([]byte, 0, len(letters)+len(at))
	prev := 0
	for _, p := range at {
		out = append(append(out, letters[prev:p]...), ' ')
		prev = p
	}
	return append(out, letters[prev:]...)
}

// expandRuns spells a normalised word out letter by letter ("femes" with
// a run of 2 on the m is "femmes"). It reports false for a word with
// anything but ASCII letters.
func expandRuns(word []byte, runs []uint8) ([]byte, bool) {
	var out []byte
	for i, c := range word {
		if c < 'a' || c > 'z' {
			return nil, false
		}
		for k := uint8(0); k < max(runs[i], 1); k++ {
			out = append(out, c)
		}
	}
	return out, true
}

// collapseRuns is the inverse of expandRuns: runs of one letter become
// one byte and its run length, as the normaliser writes them (a space
// has a run of 1 and ends a run).
func collapseRuns(letters []byte) ([]byte, []uint8) {
	var norm []byte
	var runs []uint8
	for _, c := range letters {
		if k := len(norm) - 1; k >= 0 && c != ' ' && norm[k] == c && runs[k] < 255 {
			runs[k]++
			continue
		}
		norm = append(norm, c)
		runs = append(runs, 1)
	}
	return norm, runs
}

// addTypos adds a term and its one-slip variants to the automaton, all
// standing for ref.
func (c *compiler) addTypos(term string, mode match.Mode, ref termRef, source string) {
	if !c.add(term, mode, ref, source) {
		return
	}
	norm, runs := c.norm.Term(term)
	c.variant = true
	defer func() { c.variant = false }()
	for _, v := range typoVariants(norm, runs) {
		if err := c.addNorm(v.norm, v.runs, mode, ref); err != nil {
			c.errorf(source, "term %q: variant %q: %v", term, v.norm, err)
		}
	}
}
