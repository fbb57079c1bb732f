package filters

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/vigie-edu/vigie/filters/langid"
	"github.com/vigie-edu/vigie/filters/links"
	"github.com/vigie-edu/vigie/filters/match"
	"github.com/vigie-edu/vigie/filters/normalize"
	"github.com/vigie-edu/vigie/filters/pattern"
)

// What an automaton term stands for.
type termKind uint8

const (
	kindLex   termKind = iota + 1 // a lexicon entry
	kindAllow                     // an allowlist entry
	kindSet                       // a member of a term set
	kindLit                       // a literal word of a frame or cue pattern
)

type termRef struct {
	kind termKind
	idx  int32 // into entries, allows, sets or lits
}

// group is what one automaton term stands for: every lexicon entry,
// allowlist entry, term set and pattern literal written with its bytes
// and mode ("the" is a literal of some patterns and a member of two
// sets). A hit of the term is read once for all of them.
type group struct {
	lex    []int32 // lexicon entries
	allow  int32   // an allowlist entry, or -1
	sets   []int32 // term sets
	lit    int32   // the pattern literal, or -1
	prefix bool    // a prefix term: its lexicon and allowlist hits cover the rest of the word
}

// gref is a group as the classifier keeps it: its lexicon entries and
// term sets are ranges of one array (Classifier.gids), so that the
// groups a message's hits stand for are read from a few cache lines
// (24 bytes a group rather than 64, and no slice of its own).
type gref struct {
	allow int32 // an allowlist entry, or -1
	lit   int32 // the pattern literal, or -1
	sets  int32 // gids[sets:sets+nsets]
	lex   int32 // gids[lex:lex+nlex]
	nsets uint16
	nlex  uint16
}

// compact returns the groups as grefs and the array of their ids.
func compact(groups []group) ([]gref, []int32, error) {
	refs := make([]gref, len(groups))
	var ids []int32
	for i, g := range groups {
		if len(g.sets) > math.MaxUint16 || len(g.lex) > math.MaxUint16 {
			return nil, nil, fmt.Errorf("a term is in %d term sets and %d lexicon entries: more than %d", len(g.sets), len(g.lex), math.MaxUint16)
		}
		r := gref{allow: g.allow, lit: g.lit, sets: int32(len(ids)), nsets: uint16(len(g.sets))}
		ids = append(ids, g.sets...)
		r.lex, r.nlex = int32(len(ids)), uint16(len(g.lex))
		ids = append(ids, g.lex...)
		refs[i] = r
	}
	return refs, ids, nil
}

// gsets returns the term sets of group g.
func (c *Classifier) gsets(g int32) []int32 {
	r := &c.groups[g]
	return c.gids[r.sets : r.sets+int32(r.nsets)]
}

// glex returns the lexicon entries of group g.
func (c *Classifier) glex(g int32) []int32 {
	r := &c.groups[g]
	return c.gids[r.lex : r.lex+int32(r.nlex)]
}

// termInfo is what prepare needs of a group, packed so that the hits of
// a message read a few bytes each from one array.
type termInfo struct {
	// The gate ids a hit sets (see gate.go), lights[lights:lights+nlights]:
	// the group's literal (id lit) and its sets (nlits + set).
	lights  int32
	nlights int32 //
	flags   uint8 // tLex, tAllow, tExtend, tKeep
}

const (
	tLex    = 1 << iota // has lexicon entries
	tAllow              // has an allowlist entry
	tExtend             // a prefix term with lexicon or allowlist entries: its hits cover the rest of the word
	tKeep               // has lexicon entries, sets or a literal: patterns or findings read its hits
)

// markGated sets gated[x] for each gate id x that anchors as name: the
// literals and sets that an index key, a signature or a check program
// reads. The others (words of optional elements, "(@hate_qual)?") are
// read only from the hits when a pattern is searched for.
func markGated(as []anchor, nlits int32, gated []bool) {
	for i := range as {
		a := &as[i]
		switch a.kind {
		case pattern.Word:
			gated[a.lit] = true
		case pattern.Ref:
			for _, s := range a.sets {
				gated[nlits+s] = true
			}
		case pattern.Group:
			for _, alt := range a.alts {
				markGated(alt, nlits, gated)
			}
		}
	}
}

// pack returns the termInfo of each group, and their lights end to end:
// the gate ids of its literal and sets that some gate reads (gated);
// nlits is the gate id of the first set.
func pack(groups []group, nlits int32, gated []bool) ([]termInfo, []int32) {
	infos := make([]termInfo, len(groups))
	var lights []int32
	for i, g := range groups {
		ti := termInfo{lights: int32(len(lights))}
		if g.lit >= 0 && gated[g.lit] {
			lights = append(lights, g.lit)
		}
		for _, set := range g.sets {
			if gated[nlits+set] {
				lights = append(lights, nlits+set)
			}
		}
		ti.nlights = int32(len(lights)) - ti.lights
		if len(g.lex) > 0 {
			ti.flags |= tLex
		}
		if g.allow >= 0 {
			ti.flags |= tAllow
		}
		if g.prefix && (len(g.lex) > 0 || g.allow >= 0) {
			ti.flags |= tExtend
		}
		if len(g.lex) > 0 || len(g.sets) > 0 || g.lit >= 0 {
			ti.flags |= tKeep
		}
		infos[i] = ti
	}
	return infos, lights
}

// groups turns the references of each automaton term into its group.
func (c *compiler) groups() []group {
	out := make([]group, len(c.refs))
	for id, refs := range c.refs {
		g := group{allow: -1, lit: -1, prefix: c.modes[id] == match.Prefix}
		for _, r := range refs {
			switch r.kind {
			case kindLex:
				g.lex = append(g.lex, r.idx)
			case kindAllow:
				if g.allow < 0 {
					g.allow = r.idx
				}
			case kindSet:
				if !slices.Contains(g.sets, r.idx) {
					g.sets = append(g.sets, r.idx)
				}
			case kindLit:
				g.lit = r.idx
			}
		}
		out[id] = g
	}
	return out
}

type entryC struct {
	Entry
	id  string
	cat int32 // index of Category among the lexicon's categories
}

type allowC struct {
	AllowEntry
	prefix bool // covers the rest of the word it starts
}

// celem is a compiled pattern element.
type celem struct {
	kind pattern.Kind
	lit  int32 // Word, Prefix
	cat  int32 // Lex: index of the category among the lexicon's
	n    int32 // Gap
	opt  bool
	sets []int32   // Ref: term-set ids (the pattern's language and "any")
	alts [][]celem // Group
	// Group: the alternatives by the gate ids they may start with
	// (sorted by id), and those that may start with anything, so that
	// a group of many alternatives tries only those whose first word
	// is at the token (see altsAt).
	byFirst []altFirst
	anyAlts []int32
	_       [0]func() // not comparable
}

type frameC struct {
	Frame
	elems   []celem // compiled; layOut turns them into search
	search  []relem
	anchors []anchor
	first   firstSet
}

type cueC struct {
	Cue
	elems   []celem // compiled; layOut turns them into search
	search  []relem
	anchors []anchor
	first   firstSet
	cats    uint64 // the categories it covers (bits of Classifier.cueCats); 0: all below critical
}

// anchor is an element that must be present for a pattern to be tried:
// a literal, a term set, a lexicon category, or a group of which one
// alternative's anchors must all be present.
type anchor struct {
	kind pattern.Kind // Word (lit), Ref (sets), Lex (cat), Group (alts)
	lit  int32
	sets []int32
	cat  int32 // index of the category among the lexicon's
	alts [][]anchor
}

type compiler struct {
	norm   *normalize.Normalizer
	b      match.Builder
	refs   [][]termRef      // automaton term id → what it stands for
	modes  []match.Mode     // automaton term id → its mode
	lits   map[string]int32 // mode+norm → literal id
	nlits  int32
	setIDs map[string]int32 // lang+"\x00"+name → set id
	// often[id] estimates how often automaton term id occurs in chat
	// (see oftenNorm); typing-slip variants, rare by nature, count nothing.
	often    []float64
	variant  bool            // addNorm is adding typing-slip variants
	frequent map[string]bool // normalised frequentWords
	errs     []error
	catsLex  map[Category]int32 // the lexicon's categories, numbered
}

func (c *compiler) errorf(source, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if source != "" {
		msg = source + ": " + msg
	}
	c.errs = append(c.errs, errors.New(msg))
}

func (c *compiler) add(term string, mode match.Mode, ref termRef, source string) bool {
	norm, runs := c.norm.Term(term)
	if len(norm) == 0 {
		c.errorf(source, "term %q has no letters or digits", term)
		return false
	}
	if err := c.addNorm(norm, runs, mode, ref); err != nil {
		c.errorf(source, "term %q: %v", term, err)
		return false
	}
	return true
}

// addNorm adds a normalised term standing for ref to the automaton.
func (c *compiler) addNorm(norm []byte, runs []uint8, mode match.Mode, ref termRef) error {
	id, err := c.b.Add(norm, runs, mode)
	if err != nil {
		return err
	}
	if int(id) == len(c.refs) {
		c.refs = append(c.refs, nil)
		c.modes = append(c.modes, mode)
		c.often = append(c.often, 0)
	}
	c.refs[id] = append(c.refs[id], ref)
	if !c.variant {
		c.often[id] = max(c.often[id], c.oftenNorm(norm))
	}
	return nil
}

// oftenNorm estimates how often a normalised term occurs in chat, in
// arbitrary units: a word of the frequent list (frequent.go) is in
// nearly every message of its language, another word is rarer the longer
// it is, and a phrase is rarer than its rarest word. It only needs to
// rank a pattern's anchors (see gates.firsts and gate.index).
func (c *compiler) oftenNorm(norm []byte) float64 {
	f, first := 0.0, true
	for w := range bytes.SplitSeq(norm, []byte{' '}) {
		if len(w) == 0 {
			continue
		}
		p := wordOften(len(w))
		if c.frequent[string(w)] {
			p = oftenUnit
		}
		if first {
			f, first = p, false
			continue
		}
		f *= p / oftenUnit / 2 // two words next to each other: rarer than both
	}
	return f
}

// oftenUnit is how often a word of the frequent list occurs.
const oftenUnit = 10000

// wordOften is how often a word of n letters that is not on the
// frequent list occurs (see oftenNorm).
func wordOften(n int) float64 {
	switch n {
	case 1, 2:
		return 3000
	case 3:
		return 100
	case 4:
		return 20
	case 5:
		return 5
	}
	return 1
}

// gateOften estimates how often each gate id is seen (see oftenNorm): a
// literal as often as its word, a set as often as its words together.
func (c *compiler) gateOften(nseen int) []float64 {
	w := make([]float64, nseen)
	for id, refs := range c.refs {
		for _, r := range refs {
			switch r.kind {
			case kindLit:
				w[r.idx] = max(w[r.idx], c.often[id])
			case kindSet:
				w[c.nlits+r.idx] += c.often[id]
			}
		}
	}
	return w
}

func matchMode(m MatchMode) (match.Mode, error) {
	switch m {
	case Word, "":
		return match.Word, nil
	case Prefix:
		return match.Prefix, nil
	case Substring:
		return match.Substring, nil
	}
	return 0, fmt.Errorf("unknown match mode %q", m)
}

// New compiles a classifier from cfg. It reports every problem of the
// configuration at once.
func New(cfg Config) (*Classifier, error) {
	c := &compiler{
		norm:    normalize.New(),
		lits:    map[string]int32{},
		setIDs:  map[string]int32{},
		catsLex: map[Category]int32{},
	}
	c.frequent = frequentSet(c.norm)
	cl := &Classifier{
		norm:        c.norm,
		actions:     map[Category]Action{},
		cueCats:     map[Category]uint64{},
		defaultLang: cfg.DefaultLang,
		minConf:     cfg.MinLangConfidence,
		pii:         cfg.PersonalInfo,
	}
	if cl.minConf <= 0 {
		cl.minConf = 0.5
	}
	for cat, a := range cfg.Actions {
		if _, err := ParseAction(string(a)); err != nil {
			c.errorf("", "action for %s: %v", cat, err)
		}
		cl.actions[cat] = a
	}

	// Lexicon.
	for _, e := range cfg.Lexicon {
		mode, err := matchMode(e.Mode)
		if err != nil {
			c.errorf(e.Source, "%v", err)
			continue
		}
		if e.Severity < Low || e.Severity > Critical {
			c.errorf(e.Source, "term %q: severity %d out of range 1–4", e.Term, e.Severity)
			continue
		}
		id := e.ID
		if id == "" {
			id = "lex." + e.Lang + "." + strings.Join(strings.Fields(e.Term), "_")
		}
		if c.add(e.Term, mode, termRef{kindLex, int32(len(cl.entries))}, e.Source) {
			cat, ok := c.catsLex[e.Category]
			if !ok {
				cat = int32(len(c.catsLex))
				c.catsLex[e.Category] = cat
			}
			cl.entries = append(cl.entries, entryC{Entry: e, id: id, cat: cat})
		}
	}
	// Allowlist.
	for _, a := range cfg.Allow {
		term, mode := a.Term, a.Mode
		if t, ok := strings.CutSuffix(term, "*"); ok {
			term, mode = t, Prefix
		}
		m, err := matchMode(mode)
		if err != nil || m == match.Substring {
			c.errorf(a.Source, "allow %q: mode must be word or prefix", a.Term)
			continue
		}
		if c.add(term, m, termRef{kindAllow, int32(len(cl.allows))}, a.Source) {
			cl.allows = append(cl.allows, allowC{AllowEntry: a, prefix: m == match.Prefix})
		}
	}
	// Term sets.
	for _, s := range cfg.Terms {
		key := s.Lang + "\x00" + s.Name
		id, ok := c.setIDs[key]
		if !ok {
			id = int32(len(cl.setNames))
			c.setIDs[key] = id
			cl.setNames = append(cl.setNames, s.Name)
		}
		for _, t := range s.Terms {
			mode := match.Word
			t, typos := strings.CutSuffix(t, typoMark)
			if tt, ok := strings.CutSuffix(t, "*"); ok {
				t, mode = tt, match.Prefix
			}
			if typos {
				c.addTypos(t, mode, termRef{kindSet, id}, s.Source)
				continue
			}
			c.add(t, mode, termRef{kindSet, id}, s.Source)
		}
	}
	// Frames and cues.
	ids := map[string]string{}
	for _, f := range cfg.Frames {
		if prev, dup := ids[f.ID]; dup {
			c.errorf(f.Source, "duplicate rule id %q (also at %s)", f.ID, prev)
			continue
		}
		ids[f.ID] = f.Source
		if f.Severity < Low || f.Severity > Critical {
			c.errorf(f.Source, "frame %s: severity %d out of range 1–4", f.ID, f.Severity)
			continue
		}
		elems, anc, ok := c.compilePattern(f.ID, f.Lang, f.Pattern, f.Source)
		if ok {
			cl.frames = append(cl.frames, frameC{Frame: f, elems: elems, anchors: anc})
		}
	}
	for _, q := range cfg.Cues {
		if prev, dup := ids[q.ID]; dup {
			c.errorf(q.Source, "duplicate rule id %q (also at %s)", q.ID, prev)
			continue
		}
		ids[q.ID] = q.Source
		switch q.Kind {
		case CueReport, CueNegation, CueCounter, CueIdiom, CueSelf:
		default:
			c.errorf(q.Source, "cue %s: unknown kind %q", q.ID, q.Kind)
			continue
		}
		if q.After < 0 || q.Before < 0 || q.After > 32 || q.Before > 32 {
			c.errorf(q.Source, "cue %s: before/after must be within 0–32 tokens", q.ID)
			continue
		}
		elems, anc, ok := c.compilePattern(q.ID, q.Lang, q.Pattern, q.Source)
		if !ok {
			continue
		}
		cc := cueC{Cue: q, elems: elems, anchors: anc}
		for _, cat := range q.Categories {
			bit, ok := cl.cueCats[cat]
			if !ok {
				if len(cl.cueCats) == 64 {
					c.errorf(q.Source, "cue %s: the cues name more than 64 categories", q.ID)
					break
				}
				bit = 1 << len(cl.cueCats)
				cl.cueCats[cat] = bit
			}
			cc.cats |= bit
		}
		cl.cues = append(cl.cues, cc)
	}
	cl.nlits = c.nlits
	cl.nseen = int(c.nlits) + len(cl.setNames)
	seenOften := c.gateOften(cl.nseen)
	gb := newGates(c.nlits, seenOften)
	var frameGate, cueGate gate
	for i := range cl.frames {
		gb.add(&frameGate, &cl.frameChecks, cl.frames[i].anchors)
		cl.frames[i].first = firstOf(cl.frames[i].elems, c.nlits).indexed()
		indexAlts(cl.frames[i].elems, c.nlits)
	}
	for i := range cl.cues {
		gb.add(&cueGate, &cl.cueChecks, cl.cues[i].anchors)
		cl.cues[i].first = firstOf(cl.cues[i].elems, c.nlits).indexed()
		indexAlts(cl.cues[i].elems, c.nlits)
	}
	cl.frameIndex = frameGate.index(seenOften)
	cl.cueIndex = cueGate.index(seenOften)
	groups := c.groups()
	gated := make([]bool, cl.nseen)
	for i := range cl.frames {
		markGated(cl.frames[i].anchors, c.nlits, gated)
	}
	for i := range cl.cues {
		markGated(cl.cues[i].anchors, c.nlits, gated)
	}
	cl.terms, cl.lights = pack(groups, c.nlits, gated)
	var err error
	if cl.groups, cl.gids, err = compact(groups); err != nil {
		c.errs = append(c.errs, err)
	}
	cl.layOut()
	cl.ncats = len(c.catsLex)

	// Links.
	lc, err := links.NewClassifier(cfg.Links)
	if err != nil {
		c.errs = append(c.errs, fmt.Errorf("links: %w", err))
	}
	cl.links = lc

	// Languages.
	if len(cfg.Languages) > 0 {
		det, err := langid.New(cfg.Languages)
		if err != nil {
			c.errs = append(c.errs, err)
		}
		cl.lang = det
		if cl.defaultLang == "" {
			cl.defaultLang = cfg.Languages[0]
		}
	}

	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	cl.ac = c.b.Build()
	cl.pool = sync.Pool{New: func() any { return new(scratch) }}
	return cl, nil
}

// compilePattern parses and resolves a frame or cue pattern.
func (c *compiler) compilePattern(id, lang, src, source string) ([]celem, []anchor, bool) {
	p, err := pattern.Parse(src)
	if err != nil {
		c.errorf(source, "rule %s: %v", id, err)
		return nil, nil, false
	}
	n := len(c.errs)
	elems := c.resolve(id, lang, p.Elements, source)
	if len(c.errs) > n {
		return nil, nil, false
	}
	return elems, anchorsOf(elems), true
}

func (c *compiler) resolve(id, lang string, seq []pattern.Element, source string) []celem {
	out := make([]celem, 0, len(seq))
	for _, e := range seq {
		ce := celem{kind: e.Kind, opt: e.Optional, n: int32(e.N)}
		switch e.Kind {
		case pattern.Word, pattern.Prefix:
			mode := match.Word
			if e.Kind == pattern.Prefix {
				mode = match.Prefix
			}
			norm, runs := c.norm.Term(e.Text)
			if len(norm) == 0 {
				c.errorf(source, "rule %s: word %q has no letters", id, e.Text)
				continue
			}
			// The key keeps the letter runs: "to" and "too", "as" and
			// "ass" are different words.
			key := fmt.Sprintf("%d:%s:%v", mode, norm, runs)
			lit, ok := c.lits[key]
			if !ok {
				lit = c.nlits
				c.nlits++
				c.lits[key] = lit
				c.add(e.Text, mode, termRef{kindLit, lit}, source)
			}
			ce.lit = lit
		case pattern.Ref:
			for _, l := range []string{lang, ""} {
				if sid, ok := c.setIDs[l+"\x00"+e.Text]; ok {
					ce.sets = append(ce.sets, sid)
				}
				if l == "" {
					break
				}
			}
			if len(ce.sets) == 0 {
				where := "any"
				if lang != "" {
					where = lang + " or any"
				}
				c.errorf(source, "rule %s: unknown term set @%s (not defined for %s)", id, e.Text, where)
			}
		case pattern.Lex:
			cat, ok := c.catsLex[Category(e.Text)]
			ce.cat = cat
			if !ok {
				c.errorf(source, "rule %s: @lex:%s: no lexicon entry has category %s", id, e.Text, e.Text)
			}
		case pattern.Group:
			for _, alt := range e.Alts {
				ce.alts = append(ce.alts, c.resolve(id, lang, alt, source))
			}
		}
		out = append(out, ce)
	}
	return out
}

// anchorsOf lists what must be present in a message for seq to match:
// every mandatory literal, term set and lexicon category, and every
// mandatory group whose alternatives all have anchors. A pattern is tried
// only when all its anchors occur, so that rules cost nothing on
// messages without their words.
func anchorsOf(seq []celem) []anchor {
	var out []anchor
	for _, e := range seq {
		if e.opt {
			continue
		}
		switch e.kind {
		case pattern.Word, pattern.Prefix:
			out = append(out, anchor{kind: pattern.Word, lit: e.lit})
		case pattern.Ref:
			out = append(out, anchor{kind: pattern.Ref, sets: e.sets})
		case pattern.Lex:
			out = append(out, anchor{kind: pattern.Lex, cat: e.cat})
		case pattern.Group:
			g := anchor{kind: pattern.Group}
			for _, alt := range e.alts {
				a := anchorsOf(alt)
				if len(a) == 0 {
					g.alts = nil
					break
				}
				g.alts = append(g.alts, a)
			}
			switch {
			case len(g.alts) == 1:
				out = append(out, g.alts[0]...) // "(a b)" needs a and b
			case len(g.alts) > 1:
				out = append(out, g)
			}
		}
	}
	// All must occur, in any order: check the cheap ones first, so that a
	// pattern whose term set is absent fails before its groups are looked
	// at.
	slices.SortStableFunc(out, func(a, b anchor) int { return cmp.Compare(a.cost(), b.cost()) })
	return out
}

// altFirst says that alternative alt of a group may start with gate id id.
type altFirst struct{ id, alt int32 }

// indexAlts fills byFirst and anyAlts of the groups in seq, at any depth.
func indexAlts(seq []celem, nlits int32) {
	for i := range seq {
		e := &seq[i]
		if e.kind != pattern.Group {
			continue
		}
		e.byFirst, e.anyAlts = nil, nil
		for ai, alt := range e.alts {
			indexAlts(alt, nlits)
			f := firstOf(alt, nlits)
			if f.any {
				e.anyAlts = append(e.anyAlts, int32(ai))
				continue
			}
			for _, id := range f.ids {
				e.byFirst = append(e.byFirst, altFirst{id: id, alt: int32(ai)})
			}
		}
		slices.SortFunc(e.byFirst, func(a, b altFirst) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.alt, b.alt)) })
	}
}

// firstSet is what a pattern's match may start with: one of the gate ids
// ids (sorted: literals, and nlits + set), or anything (a lexicon
// category, a wildcard, a pattern whose elements may all be skipped).
// find tries only the tokens where one of ids starts.
type firstSet struct {
	ids  []int32  // sorted; a group's alternatives are indexed by them (indexAlts)
	bits []uint64 // the ids as a bit set, for a pattern's search (opens; see indexed)
	any  bool
}

// has reports whether gate id x is one of the ids of f, once indexed.
func (f *firstSet) has(x int32) bool {
	w := int(x >> 6)
	return w < len(f.bits) && f.bits[w]&(1<<(x&63)) != 0
}

// firstOf returns the firstSet of seq.
func firstOf(seq []celem, nlits int32) firstSet {
	var f firstSet
	if firsts(seq, nlits, &f) {
		f.any = true // seq may match nothing: anything may follow
	}
	slices.Sort(f.ids)
	f.ids = slices.Compact(f.ids)
	return f
}

// indexed returns f with its ids as a bit set instead of a list: a
// pattern's first words, which opens tests for every hit (the
// alternatives of groups keep the list).
func (f firstSet) indexed() firstSet {
	if n := len(f.ids); n > 0 {
		f.bits = make([]uint64, f.ids[n-1]/64+1)
		for _, x := range f.ids {
			f.bits[x>>6] |= 1 << (x & 63)
		}
	}
	f.ids = nil
	return f
}

// firsts adds to f what seq may start with, and reports whether seq may
// match no token.
func firsts(seq []celem, nlits int32, f *firstSet) bool {
	for i := range seq {
		e := &seq[i]
		empty := e.opt
		switch e.kind {
		case pattern.Word, pattern.Prefix:
			f.ids = append(f.ids, e.lit)
		case pattern.Ref:
			for _, id := range e.sets {
				f.ids = append(f.ids, nlits+id)
			}
		case pattern.Group:
			for _, alt := range e.alts {
				if firsts(alt, nlits, f) {
					empty = true
				}
			}
		case pattern.Gap:
			f.any = true
			empty = true
		default: // Lex, Any
			f.any = true
		}
		if !empty {
			return false
		}
	}
	return true
}

// Operations of an anchor program. A pattern's anchors are a tree (groups
// of alternatives of anchors); checking them for every open pattern, in
// memory all over the heap, cost more than the rest of the frames. A
// program is the same tree laid out in one []int32:
//
//	opID x               gate id x (a literal, or nlits + a set) was seen
//	opAny n x1 … xn      one of the n gate ids was seen (a set per language)
//	opLex cat            a lexicon entry of category cat was found
//	opGroup n (l p)…     one of n alternatives holds, each a program p of l words
const (
	opID int32 = iota
	opAny
	opLex
	opGroup
)

// program appends the program of as to p; nlits is the gate id of the
// first set.
func program(p []int32, as []anchor, nlits int32) []int32 {
	for _, a := range as {
		switch a.kind {
		case pattern.Word:
			p = append(p, opID, a.lit)
		case pattern.Ref:
			if len(a.sets) == 1 {
				p = append(p, opID, nlits+a.sets[0])
				break
			}
			p = append(p, opAny, int32(len(a.sets)))
			for _, id := range a.sets {
				p = append(p, nlits+id)
			}
		case pattern.Lex:
			p = append(p, opLex, a.cat)
		case pattern.Group:
			p = append(p, opGroup, int32(len(a.alts)))
			for _, alt := range a.alts {
				at := len(p)
				p = append(p, 0)
				p = program(p, alt, nlits)
				p[at] = int32(len(p) - at - 1)
			}
		}
	}
	return p
}

// cost is the number of lookups presentOne makes for a in the worst case.
func (a anchor) cost() int {
	if a.kind != pattern.Group {
		return 1
	}
	n := 0
	for _, alt := range a.alts {
		for _, b := range alt {
			n += b.cost()
		}
	}
	return n
}
