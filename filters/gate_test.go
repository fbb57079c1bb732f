package filters

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"unsafe"

	"github.com/vigie-edu/vigie/filters/normalize"
	"github.com/vigie-edu/vigie/filters/pattern"
)

// gateConfig is testConfig with patterns of every shape a gate must
// handle: literals, sets, groups of literals and of sets, nested and
// optional groups, a set defined both for a language and for "any",
// lexicon categories, and patterns made only of groups.
func gateConfig() Config {
	cfg := testConfig()
	cfg.Terms = append(cfg.Terms,
		TermSet{Name: "modal", Lang: "fr", Terms: []string{"faut", "il faut", "on devrait"}},
		TermSet{Name: "modal", Terms: []string{"must"}}, // "any": @modal in fr is either
		TermSet{Name: "out", Lang: "fr", Terms: []string{"expulser", "virer~"}},
	)
	cfg.Frames = append(cfg.Frames,
		Frame{ID: "g.groups_only", Lang: "fr", Category: Hate, Severity: High, Pattern: "(tu vas | vous allez) (le regretter | payer)"},
		Frame{ID: "g.nested", Lang: "fr", Category: Threat, Severity: High, Pattern: "(on | ils) ((t attend | t attendent) (a la sortie | dehors) | te cherche)"},
		Frame{ID: "g.call", Lang: "fr", Category: Hate, Severity: Critical, Pattern: "@modal ~3 @out (tous)? (les | ces) @group"},
		Frame{ID: "g.optional_first", Lang: "fr", Category: Hate, Severity: High, Pattern: "(les | ces)? @group (sont | c est) (des)? @vermin"},
		Frame{ID: "g.single_alt", Lang: "fr", Category: Hate, Severity: High, Pattern: "(sale @group) dehors"},
		Frame{ID: "g.lex", Lang: "fr", Category: Insult, Severity: High, Pattern: "(grosse | gros) @lex:insult"},
		Frame{ID: "g.any_gap", Lang: "fr", Category: Insult, Severity: Low, Pattern: ". ~2 (minable | nul)"},
	)
	cfg.Cues = append(cfg.Cues,
		Cue{ID: "g.cue_groups", Lang: "fr", Kind: CueNegation, Pattern: "(je ne pense pas | je pense pas | c est faux) (que | qu)", After: 8, Categories: []Category{Hate}},
		Cue{ID: "g.cue_word", Lang: "fr", Kind: CueIdiom, Pattern: "pas", Before: 1, Categories: []Category{Hate}},
	)
	return cfg
}

var gateMessages = []string{
	"", "bonjour", "t'es qu'un gros c0nnard", "tu vas le regretter", "vous allez payer la cantine",
	"on t'attend à la sortie", "ils te cherche", "ils t'attendent dehors ce soir",
	"il faut expulser tous les arabes", "we must virer les juifs", "on devrait vierr les noirs",
	"les arabes sont des parasites", "arabes c'est des rats", "ces juifs sont des cafards pas",
	"sale noirs dehors", "sale dehors", "grosse pute", "gros sale", "c'est minable", "nul",
	"je ne pense pas que les arabes sont des parasites", "c'est faux qu'ils sont des rats",
	"dire \"les juifs sont des rats\" c'est raciste", "va sur pornhub.com", "son numéro c'est 06 12 34 56 78",
}

// TestGateNecessary checks that a pattern is looked at whenever its
// anchors all occur (a gate never hides a match), and that its checks
// pass exactly when they do.
func TestGateNecessary(t *testing.T) {
	c, err := New(gateConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := new(scratch)
	failed, skipped := 0, 0
	marked := func(ix *gateIndex, n, i int) bool {
		marks := resizeMarks(nil, n)
		ix.candidates(s.seenIDs, marks)
		return marks[i>>6]&(1<<(i&63)) != 0
	}
	for _, m := range gateMessages {
		c.prepare(s, m)
		c.index(s) // lexicon categories, read by checks of "@lex:…"
		for i := range c.frames {
			want := c.present(s, c.frames[i].anchors)
			if want && !marked(&c.frameIndex, len(c.frames), i) {
				t.Errorf("%q: frame %s has its anchors but is not filed under the message's ids", m, c.frames[i].ID)
			}
			if got := c.frameChecks.pass(s, i); got != want {
				t.Errorf("%q: frame %s: its checks say %v, its anchors %v", m, c.frames[i].ID, got, want)
			}
			if !want {
				failed++
			}
			if !marked(&c.frameIndex, len(c.frames), i) {
				skipped++
			}
		}
		for i := range c.cues {
			want := c.present(s, c.cues[i].anchors)
			if want && !marked(&c.cueIndex, len(c.cues), i) {
				t.Errorf("%q: cue %s has its anchors but is not filed under the message's ids", m, c.cues[i].ID)
			}
			if got := c.cueChecks.pass(s, i); got != want {
				t.Errorf("%q: cue %s: its checks say %v, its anchors %v", m, c.cues[i].ID, got, want)
			}
		}
	}
	if failed == 0 || skipped == 0 {
		t.Errorf("checks failed %d times, patterns were skipped %d times: the gates filter nothing", failed, skipped)
	}
}

// TestGateVerdicts checks that gates change no verdict: the same
// classifier looking at every pattern, with signatures that always pass,
// judges every message alike.
func TestGateVerdicts(t *testing.T) {
	gated, err := New(gateConfig())
	if err != nil {
		t.Fatal(err)
	}
	open, err := New(gateConfig())
	if err != nil {
		t.Fatal(err)
	}
	all := func(n int) gateIndex {
		ix := gateIndex{off: make([]int32, open.nseen+1)}
		for i := range n {
			ix.always = append(ix.always, int32(i))
		}
		return ix
	}
	open.frameIndex, open.cueIndex = all(len(open.frames)), all(len(open.cues))
	clear(open.frameChecks.sig)
	clear(open.cueChecks.sig)
	ctx := context.Background()
	for _, m := range gateMessages {
		a := gated.Classify(ctx, Message{Text: m, Lang: "fr"})
		b := open.Classify(ctx, Message{Text: m, Lang: "fr"})
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%q: with gates %+v\nwithout %+v", m, a, b)
		}
	}
}

func TestSignature(t *testing.T) {
	var seen, need signature
	for _, id := range []int32{3, 64, 300, 1000} {
		seen.set(id)
	}
	need.set(300)
	need.set(3)
	if !seen.covers(&need) {
		t.Error("seen {3, 64, 300, 1000} does not cover {3, 300}")
	}
	need.set(65)
	if seen.covers(&need) {
		t.Error("seen {3, 64, 300, 1000} covers {3, 65, 300}")
	}
	var empty signature
	if !empty.covers(&signature{}) {
		t.Error("an empty signature does not cover an empty one")
	}
}

// present reports whether all of a pattern's anchors occur in the
// message, walking the anchors' tree: the reference for the programs that
// Classify runs instead.
func (c *Classifier) present(s *scratch, as []anchor) bool {
	if len(s.text.Tokens) == 0 {
		return false
	}
	for i := range as {
		if !c.presentOne(s, &as[i]) {
			return false
		}
	}
	return true
}

func (c *Classifier) presentOne(s *scratch, a *anchor) bool {
	switch a.kind {
	case pattern.Word:
		return s.seen[a.lit]
	case pattern.Ref:
		for _, id := range a.sets {
			if s.seen[c.nlits+id] {
				return true
			}
		}
		return false
	case pattern.Lex:
		return s.catSeen[a.cat]
	case pattern.Group:
		for _, alt := range a.alts {
			if c.present(s, alt) {
				return true
			}
		}
		return false
	}
	return true
}

// TestFirstsNecessary checks that trying a pattern only where one of its
// first words starts finds what trying it everywhere finds.
func TestFirstsNecessary(t *testing.T) {
	c, err := New(gateConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := new(scratch)
	everywhere := &firstSet{any: true}
	found := 0
	for _, m := range gateMessages {
		c.prepare(s, m)
		c.index(s)
		for i := range c.frames {
			f := &c.frames[i]
			a, b, ok := c.find(s, f.search, &f.first, f.Lang, 0)
			a2, b2, ok2 := c.find(s, f.search, everywhere, f.Lang, 0)
			if a != a2 || b != b2 || ok != ok2 {
				t.Errorf("%q: frame %s: found (%d, %d, %v) from its first words, (%d, %d, %v) everywhere", m, f.ID, a, b, ok, a2, b2, ok2)
			}
			if ok {
				found++
			}
		}
		for i := range c.cues {
			q := &c.cues[i]
			a, b, ok := c.find(s, q.search, &q.first, q.Lang, 0)
			a2, b2, ok2 := c.find(s, q.search, everywhere, q.Lang, 0)
			if a != a2 || b != b2 || ok != ok2 {
				t.Errorf("%q: cue %s: found (%d, %d, %v) from its first words, (%d, %d, %v) everywhere", m, q.ID, a, b, ok, a2, b2, ok2)
			}
		}
	}
	if found == 0 {
		t.Error("no frame found in the messages: the test checks nothing")
	}
}

// TestAltsAtNecessary checks that the alternatives of a group that altsAt
// leaves out at a token cannot match there.
func TestAltsAtNecessary(t *testing.T) {
	c, err := New(gateConfig())
	if err != nil {
		t.Fatal(err)
	}
	var groups []*rgroup
	var walk func(seq []relem)
	walk = func(seq []relem) {
		for i := range seq {
			if pattern.Kind(seq[i].kind) == pattern.Group {
				g := &c.rgroups[seq[i].v]
				groups = append(groups, g)
				for _, alt := range g.alts {
					walk(alt)
				}
			}
		}
	}
	for i := range c.frames {
		walk(c.frames[i].search)
	}
	for i := range c.cues {
		walk(c.cues[i].search)
	}
	s := new(scratch)
	kept, left := 0, 0
	for _, m := range gateMessages {
		c.prepare(s, m)
		c.index(s)
		for _, g := range groups {
			for pos := range s.text.Tokens {
				in := c.altsAt(s, g, pos, nil)
				for ai, alt := range g.alts {
					if slices.Contains(in, int32(ai)) {
						kept++
						continue
					}
					left++
					for _, lang := range []string{"", "fr", "en"} {
						if c.seq(s, alt, 0, pos, lang, func(int) bool { return true }) {
							t.Errorf("%q: token %d: altsAt left out alternative %d of a group, which matches", m, pos, ai)
						}
					}
				}
			}
		}
	}
	if kept == 0 || left == 0 {
		t.Errorf("altsAt kept %d and left out %d alternatives: the test checks nothing", kept, left)
	}
}

// TestOftenRanks checks the estimate the gates rank words by: frequent
// chat words first, then shorter words, and a phrase below its words.
func TestOftenRanks(t *testing.T) {
	c := &compiler{norm: normalize.New()}
	c.frequent = frequentSet(c.norm)
	often := func(term string) float64 {
		norm, _ := c.norm.Term(term)
		return c.oftenNorm(norm)
	}
	for _, tc := range []struct{ more, less string }{
		{"pour", "tel"},            // a frequent word of four letters before a rare one of three
		{"que", "num"},             //
		{"the", "ugly"},            //
		{"tel", "numero"},          // shorter first
		{"attend", "t attend"},     // a phrase is rarer than its words
		{"on", "mes potes"},        //
		{"c est", "c est un porc"}, //
	} {
		if m, l := often(tc.more), often(tc.less); !(m > l) {
			t.Errorf("often(%q) = %v, not above often(%q) = %v", tc.more, m, tc.less, l)
		}
	}
	for _, w := range []string{"les", "être", "très", "you", "don"} {
		norm, _ := c.norm.Term(w)
		if !c.frequent[string(norm)] {
			t.Errorf("%q (%q) is not in the normalised frequent list", w, norm)
		}
	}
}

// TestGateRareKeys checks that a pattern is filed under, and its groups
// checked by, the words a message rarely has: a message with only the
// frequent words of g.nested ("on", "ils", "t", "a la") does not look
// at it.
func TestGateRareKeys(t *testing.T) {
	c, err := New(gateConfig())
	if err != nil {
		t.Fatal(err)
	}
	fi := slices.IndexFunc(c.frames, func(f frameC) bool { return f.ID == "g.nested" })
	s := new(scratch)
	for _, m := range []string{"on se voit ce soir, ils t'ont dit ?", "ils sont à la maison"} {
		c.prepare(s, m)
		marks := resizeMarks(nil, len(c.frames))
		c.frameIndex.candidates(s.seenIDs, marks)
		if marks[fi>>6]&(1<<(fi&63)) != 0 {
			t.Errorf("%q: frame g.nested is looked at for the message's frequent words", m)
		}
	}
	c.prepare(s, "ils t'attendent dehors")
	marks := resizeMarks(nil, len(c.frames))
	c.frameIndex.candidates(s.seenIDs, marks)
	if marks[fi>>6]&(1<<(fi&63)) == 0 {
		t.Error("frame g.nested is not looked at for a message it matches")
	}
}

// TestLightsGated checks that a hit lights only the gate ids some gate
// reads: "tous", a word of an optional element only, lights nothing;
// "dehors", an anchor, lights its literal.
func TestLightsGated(t *testing.T) {
	c, err := New(gateConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := new(scratch)
	for _, tc := range []struct {
		word   string
		lights bool
	}{{"tous", false}, {"dehors", true}} {
		c.prepare(s, tc.word)
		if len(s.hits) != 1 {
			t.Fatalf("%q: %d hits, want 1", tc.word, len(s.hits))
		}
		g := &c.groups[s.hits[0].Term]
		if g.lit < 0 {
			t.Fatalf("%q is not a pattern literal", tc.word)
		}
		if got := len(s.seenIDs) > 0; got != tc.lights {
			t.Errorf("%q lights %v (gate ids %v), want %v", tc.word, got, s.seenIDs, tc.lights)
		}
	}
}

// TestLayOut checks that the elements of every frame and cue lie in one
// array, pattern after pattern, in the search's 8-byte form, and that
// the compiled ones are dropped.
func TestLayOut(t *testing.T) {
	c, err := New(gateConfig())
	if err != nil {
		t.Fatal(err)
	}
	if size := unsafe.Sizeof(relem{}); size != 8 {
		t.Errorf("an element takes %d bytes, want 8", size)
	}
	var seqs [][]relem
	for i := range c.frames {
		seqs = append(seqs, c.frames[i].search)
		if c.frames[i].elems != nil {
			t.Errorf("frame %s keeps its compiled elements", c.frames[i].ID)
		}
	}
	for i := range c.cues {
		seqs = append(seqs, c.cues[i].search)
	}
	base := unsafe.Pointer(unsafe.SliceData(seqs[0]))
	size := unsafe.Sizeof(relem{})
	prev := -1
	for k, seq := range seqs {
		off := int((uintptr(unsafe.Pointer(unsafe.SliceData(seq))) - uintptr(base)) / size)
		if off <= prev || off > prev+64 {
			t.Fatalf("pattern %d's elements are at %d, after the previous pattern's at %d: not laid out together", k, off, prev)
		}
		prev = off
	}
}
