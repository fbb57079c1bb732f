package filters

import (
	"context"
	"reflect"
	"testing"
)

// quickStops reports whether the quick filter rules message m out: its
// quick hits have no lexicon term and open no frame's quick keys.
func (c *Classifier) quickStops(m string) bool {
	if c.quick == nil {
		return false
	}
	s := &scratch{seen: make([]bool, c.nseen)}
	c.norm.Into(&s.text, m)
	s.hits = c.quick.ac.Scan(s.text.Norm, s.text.Runs, nil)
	return !c.light(s) && !c.quick.possible(s.seenIDs, s.seen)
}

// quickConfig is gateConfig with frames whose quick keys are phrases of
// common words, sets, and groups whose alternatives start with either.
func quickConfig() Config {
	cfg := gateConfig()
	cfg.Terms = append(cfg.Terms, TermSet{Name: "place", Terms: []string{"here", "there", "in the school"}})
	cfg.Frames = append(cfg.Frames,
		Frame{ID: "q.phrase", Lang: "fr", Category: Hate, Severity: High, Pattern: "too many @group @place"},
		Frame{ID: "q.common_only", Lang: "en", Category: Insult, Severity: Low, Pattern: "you are (so | very) (the | a)"},
		Frame{ID: "q.prefix_run", Lang: "fr", Category: Insult, Severity: Low, Pattern: "tu harcel* les @group"},
		Frame{ID: "q.lex_group", Lang: "fr", Category: Insult, Severity: Low, Pattern: "((espece de) @lex:insult | @lex:insult (de merde))"},
	)
	return cfg
}

var quickMessages = append([]string{
	"too many cooks", "there are too many arabes here", "too many noirs in the school", "too many noirs",
	"you are so a", "you are very the", "you are", "tu harcèles les juifs", "tu harcel les noirs", "tu harcelles",
	"espèce de connard", "connard de merde", "de merde", "bonjour à tous", "hello everyone",
}, gateMessages...)

// TestQuickVerdicts checks that the quick filter changes no verdict, and
// that it rules some messages out (else it would check nothing).
func TestQuickVerdicts(t *testing.T) {
	quick, err := New(quickConfig())
	if err != nil {
		t.Fatal(err)
	}
	if quick.quick == nil {
		t.Fatal("no quick filter for quickConfig")
	}
	full, err := New(quickConfig())
	if err != nil {
		t.Fatal(err)
	}
	full.quick = nil
	ctx := context.Background()
	stopped := 0
	for _, m := range quickMessages {
		for _, lang := range []string{"fr", "en"} {
			a := quick.Classify(ctx, Message{Text: m, Lang: lang})
			b := full.Classify(ctx, Message{Text: m, Lang: lang})
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%q (%s): with the quick filter %+v\nwithout %+v", m, lang, a, b)
			}
		}
		if quick.quickStops(m) {
			stopped++
		}
	}
	if stopped == 0 {
		t.Error("the quick filter ruled no message out")
	}
}

// TestQuickNecessary checks that the quick filter never rules out a
// message in which a frame matches.
func TestQuickNecessary(t *testing.T) {
	c, err := New(quickConfig())
	if err != nil {
		t.Fatal(err)
	}
	q := c.quick
	s := new(scratch)
	matched := 0
	for _, m := range quickMessages {
		c.quick = nil
		c.prepare(s, m)
		var ids []string
		for i := range c.frames {
			f := &c.frames[i]
			if !s.holds(f.need) {
				continue
			}
			c.index(s)
			if _, _, ok := c.find(s, f.elems, &f.first, f.Lang, 0); ok {
				ids = append(ids, f.ID)
			}
		}
		c.quick = q
		matched += len(ids)
		if len(ids) > 0 && c.quickStops(m) {
			t.Errorf("%q: frames %v match but the quick filter rules the message out", m, ids)
		}
	}
	if matched == 0 {
		t.Error("no frame matched: the test checks nothing")
	}
}

// TestQuickStops checks what the quick filter rules out: messages
// without a frame's rare words, and those with only some of its keys.
func TestQuickStops(t *testing.T) {
	c, err := New(quickConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		msg  string
		stop bool
	}{
		{"hello everyone, see you there", true},
		{"too many cooks", true},                 // the phrase without the set
		{"many noirs, too", true},                // the set without the phrase
		{"there are too many noirs here", false}, // both
		{"you are so a friend", false},           // a frame of common words only: all its keys
		{"you are so kind", true},                // … not all of them
		{"espèce de connard", false},             // a lexicon hit
		{"tu harcèles les arabes", false},        // a prefix ends a run
	} {
		if got := c.quickStops(tc.msg); got != tc.stop {
			t.Errorf("%q: quick filter rules it out: %v, want %v", tc.msg, got, tc.stop)
		}
	}
}
