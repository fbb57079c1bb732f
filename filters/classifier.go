package filters

import (
	"context"
	"math/bits"
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/filters/langid"
	"github.com/vigie-edu/vigie/filters/links"
	"github.com/vigie-edu/vigie/filters/match"
	"github.com/vigie-edu/vigie/filters/normalize"
	"github.com/vigie-edu/vigie/filters/pattern"
	"github.com/vigie-edu/vigie/filters/pii"
)

// Classifier judges messages. Build one with New; it is immutable and safe
// for concurrent use.
type Classifier struct {
	norm        *normalize.Normalizer
	ac          *match.Automaton
	groups      []gref     // automaton term id → what it stands for
	gids        []int32    // the groups' term sets and lexicon entries (see gref)
	terms       []termInfo // automaton term id → what prepare needs of its group
	lights      []int32    // the groups' lights, end to end
	ncats       int        // categories of the lexicon
	entries     []entryC
	allows      []allowC
	setNames    []string
	nlits       int32 // literals: the gate id of set i is nlits + i
	frames      []frameC
	rids        []int32  // the sets of the patterns' set references (see relem)
	rgroups     []rgroup // the patterns' groups (see relem)
	frameChecks checks   // what a message needs for each frame (gate.go)
	frameIndex  gateIndex
	cueChecks   checks // … and for each cue
	cueIndex    gateIndex
	cueCats     map[Category]uint64 // the categories that cues list, one bit each
	nseen       int                 // gate ids: literals and sets
	cues        []cueC
	links       *links.Classifier
	lang        *langid.Detector
	actions     map[Category]Action
	defaultLang string
	minConf     float64
	pii         bool
	pool        sync.Pool // *scratch
}

// Stats describes a compiled classifier, for reports.
type Stats struct {
	Entries, Allow, Frames, Cues, States int
}

// Stats returns the sizes of the compiled rules.
func (c *Classifier) Stats() Stats {
	return Stats{Entries: len(c.entries), Allow: len(c.allows), Frames: len(c.frames), Cues: len(c.cues), States: c.ac.States()}
}

// Action returns the configured action for a category (Remove when the
// rules do not say).
func (c *Classifier) Action(cat Category) Action {
	if a, ok := c.actions[cat]; ok {
		return a
	}
	return Remove
}

// tokHit is an automaton hit in token terms: tokens [start, end) and
// normalised bytes [nStart, nEnd).
type tokHit struct {
	g            int32 // the term's group
	start, end   int32
	nStart, nEnd int32
	lex          bool // the group's lexicon entries apply (not allowlisted here)
}

// cand is a finding under construction.
type cand struct {
	f          Finding
	a, b       int // tokens [a, b)
	nStart     int32
	nEnd       int32
	lex        int32  // entry index, -1 for other findings
	catBit     uint64 // its category's bit among the cues' (set by applyCues)
	suppressed bool
	reason     string
	by         string
}

// scratch is the per-call working memory, pooled.
type scratch struct {
	text     normalize.Text
	hits     []match.Hit
	allow    []match.Hit
	th       []tokHit
	byStart  []int32
	order    []int32
	fill     []int32
	seen     []bool    // gate ids: literals, then term sets
	seenIDs  []int32   // the seen gate ids, in the order seen
	sig      signature // of the seen gate ids
	marks    []uint64  // the frames whose gate may be open, one bit each
	cueMarks []uint64  // the cues filed under the message's ids, one bit each
	indexed  bool      // th, byStart and order are built (see index)
	catSeen  []bool    // lexicon categories found (not allowlisted)
	cands    []cand
	links    []links.Link
	pii      []pii.Match
	supp     []Suppression
}

// Classify judges one message. It never fails: a message that cannot be
// judged (empty text) is allowed.
func (c *Classifier) Classify(ctx context.Context, m Message) Verdict {
	s := c.pool.Get().(*scratch)
	defer c.pool.Put(s)
	c.prepare(s, m.Text)
	t := &s.text

	// Frames: context patterns that make findings.
	s.marks = resizeMarks(s.marks, len(c.frames))
	c.frameIndex.candidates(s.seenIDs, s.marks)
	for w, word := range s.marks {
		for ; word != 0; word &= word - 1 {
			fi := w<<6 | bits.TrailingZeros64(word)
			if c.frameChecks.pass(s, fi) {
				c.tryFrame(s, m, fi)
			}
		}
	}
	nFrames := len(s.cands)

	// Lexicon findings, minus those inside a longer lexicon match or inside
	// a frame finding of the same category (the frame explains them).
	for i := range s.th {
		h := &s.th[i]
		if !h.lex {
			continue
		}
		longer := false
		for j := range s.th {
			o := &s.th[j]
			if j == i || !o.lex {
				continue
			}
			if o.nStart <= h.nStart && h.nEnd <= o.nEnd && (o.nEnd-o.nStart > h.nEnd-h.nStart) {
				longer = true
				break
			}
		}
		if longer {
			continue
		}
		for _, ei := range c.glex(h.g) {
			e := &c.entries[ei]
			inside := false
			for k := 0; k < nFrames && !inside; k++ {
				fc := &s.cands[k]
				if fc.f.Category == e.Category && fc.nStart <= h.nStart && h.nEnd <= fc.nEnd {
					if e.Severity > fc.f.Severity {
						fc.f.Severity = e.Severity
					}
					inside = true
				}
			}
			if inside {
				continue
			}
			start, end := t.Span(int(h.nStart), int(h.nEnd))
			s.cands = append(s.cands, cand{
				f: Finding{Rule: e.id, Category: e.Category, Severity: e.Severity, Span: Span{start, end}, Text: m.Text[start:end], Lang: e.Lang},
				a: int(h.start), b: int(h.end), lex: ei,
				nStart: h.nStart, nEnd: h.nEnd,
			})
		}
	}

	// Language: detected only when a finding depends on it, on the words
	// around the findings that do (see langWindow).
	v := Verdict{Action: Allow}
	needLang, lo, hi := m.Detect, len(m.Text), 0
	for i := range s.cands {
		if cd := &s.cands[i]; cd.lex >= 0 && c.entries[cd.lex].LangDependent {
			needLang = true
			lo, hi = min(lo, cd.f.Span.Start), max(hi, cd.f.Span.End)
		}
	}
	around := m.Text
	if lo < hi {
		around = langWindow(m.Text, lo, hi)
	}
	c.decideLang(&v, m, needLang, around)
	for i := range s.cands {
		cd := &s.cands[i]
		if cd.lex >= 0 && c.entries[cd.lex].LangDependent && c.entries[cd.lex].Lang != v.Lang {
			cd.suppressed, cd.reason, cd.by = true, "language", "lang:"+v.Lang
		}
	}

	// Cues: reports, negation, counter-speech, idioms, self-description.
	if len(s.cands) > 0 {
		c.applyCues(s)
	}

	// Links.
	s.links = links.Find(m.Text, s.links[:0])
	for _, l := range s.links {
		cls := c.links.Classify(l.Host)
		vl := Link{URL: l.URL, Host: l.Host, Span: Span{l.Start, l.End}, Category: Category(cls.Category), Reason: cls.Reason}
		v.Links = append(v.Links, vl)
		if cls.Category == "" {
			continue
		}
		sev := High
		if vl.Category == Shortener {
			sev = Low
		}
		s.cands = append(s.cands, cand{f: Finding{Rule: "link." + string(vl.Category), Category: vl.Category, Severity: sev,
			Span: vl.Span, Text: m.Text[l.Start:l.End], Detail: cls.Reason}, lex: -1})
	}

	// Personal information.
	if c.pii {
		s.pii = pii.Find(m.Text, s.pii[:0])
		for _, p := range s.pii {
			s.cands = append(s.cands, cand{f: Finding{Rule: "pii." + string(p.Kind), Category: PersonalInfo, Severity: Medium,
				Span: Span{p.Start, p.End}, Text: m.Text[p.Start:p.End], Detail: string(p.Kind)}, lex: -1})
		}
	}

	// Verdict: its slices allocated once, at their size.
	nsupp := len(s.supp)
	for i := range s.cands {
		if s.cands[i].suppressed {
			nsupp++
		}
	}
	if n := len(s.cands) + len(s.supp) - nsupp; n > 0 {
		v.Findings = make([]Finding, 0, n)
	}
	if nsupp > 0 {
		v.Suppressed = make([]Suppression, 0, nsupp)
	}
	for i := range s.cands {
		cd := &s.cands[i]
		if cd.suppressed {
			v.Suppressed = append(v.Suppressed, Suppression{Finding: cd.f, Reason: cd.reason, By: cd.by})
			continue
		}
		v.Findings = append(v.Findings, cd.f)
	}
	v.Suppressed = append(v.Suppressed, s.supp...)
	slices.SortStableFunc(v.Findings, func(a, b Finding) int { return a.Span.Start - b.Span.Start })
	for _, f := range v.Findings {
		found := false
		for k := range v.Categories {
			if v.Categories[k].Name == f.Category {
				found = true
				v.Categories[k].Severity = max(v.Categories[k].Severity, f.Severity)
			}
		}
		if !found {
			v.Categories = append(v.Categories, CategoryScore{Name: f.Category, Severity: f.Severity})
		}
		if a := c.Action(f.Category); a.Stronger(v.Action) {
			v.Action = a
		}
	}
	return v
}

// prepare normalises the text and collects the automaton's hits in token
// terms, applying the allowlist to lexicon hits.
func (c *Classifier) prepare(s *scratch, text string) {
	c.norm.Into(&s.text, text)
	t := &s.text
	s.hits = s.hits[:0]
	s.allow = s.allow[:0]
	s.th = s.th[:0]
	s.cands = s.cands[:0]
	s.supp = s.supp[:0]
	s.catSeen = resize(s.catSeen, c.ncats)
	if len(s.seen) != c.nseen {
		s.seen = make([]bool, c.nseen)
	} else {
		// Clear only what the previous message set: the ids are many
		// (every literal and set of the rules), a message sees a few.
		for _, x := range s.seenIDs {
			s.seen[x] = false
		}
	}
	s.seenIDs = s.seenIDs[:0]
	s.sig = signature{}
	s.byStart = s.byStart[:0]
	s.indexed = true // nothing to index until there are hits
	if len(t.Norm) == 0 {
		return
	}
	s.hits = c.ac.Scan(t.Norm, t.Runs, s.hits)
	s.indexed = false
	lex := false
	for _, h := range s.hits {
		ti := c.terms[h.Term]
		for _, x := range c.lights[ti.lights : ti.lights+ti.nlights] {
			if !s.seen[x] {
				s.seen[x] = true
				s.seenIDs = append(s.seenIDs, x)
				s.sig.set(x)
			}
		}
		lex = lex || ti.flags&tLex != 0
	}
	if lex {
		c.index(s)
	}
}

// index reads the automaton's hits in token terms for the patterns and
// the lexicon: s.th, indexed by start token, with the allowlist applied
// to lexicon hits. Most messages need none of it (no lexicon hit, no
// pattern whose anchors all occur): prepare leaves it to the first that
// does.
func (c *Classifier) index(s *scratch) {
	if s.indexed {
		return
	}
	s.indexed = true
	t := &s.text
	lexHits := 0
	k := 0 // the token of the hit's last byte: hits come in order of their end
	for i := range s.hits {
		h := &s.hits[i]
		ti := c.terms[h.Term]
		if int(h.End) <= t.Tokens[k].Start {
			k = t.TokenAt(int(h.End - 1)) // not in order after all
		}
		for t.Tokens[k].End < int(h.End) {
			k++
		}
		first := k // the token of its first byte
		for t.Tokens[first].Start > int(h.Start) {
			first--
		}
		if ti.flags&tExtend != 0 {
			// A prefix match (an allowlisted "analys*", a lexicon stem
			// "encul") covers the rest of its word.
			h.End = int32(t.Tokens[k].End)
		}
		if ti.flags&tAllow != 0 {
			s.allow = append(s.allow, *h)
		}
		if ti.flags&tKeep == 0 {
			continue
		}
		lex := ti.flags&tLex != 0
		if lex {
			lexHits++
		}
		s.th = append(s.th, tokHit{g: h.Term, start: int32(first), end: int32(k) + 1, nStart: h.Start, nEnd: h.End, lex: lex})
	}
	// Lexicon hits inside an allowlisted match (found before or after
	// them) are suppressed; the others count for their category.
	for i := 0; lexHits > 0 && i < len(s.th); i++ {
		th := &s.th[i]
		if !th.lex {
			continue
		}
		lexHits--
		glex := c.glex(th.g)
		h := match.Hit{Term: th.g, Start: th.nStart, End: th.nEnd}
		if a := allowedBy(s.allow, h); a >= 0 {
			start, end := t.Span(int(h.Start), int(h.End))
			by := "allow:" + c.allows[c.groups[s.allow[a].Term].allow].Term
			for _, ei := range glex {
				e := &c.entries[ei]
				s.supp = append(s.supp, Suppression{
					Finding: Finding{Rule: e.id, Category: e.Category, Severity: e.Severity, Span: Span{start, end}, Text: t.Original[start:end], Lang: e.Lang},
					Reason:  "allowlist", By: by,
				})
			}
			th.lex = false
			continue
		}
		for _, ei := range glex {
			s.catSeen[c.entries[ei].cat] = true
		}
	}
	// Index hits by start token (counting sort).
	n := len(t.Tokens)
	s.byStart = resizeInt(s.byStart, n+1)
	clear(s.byStart)
	for _, h := range s.th {
		s.byStart[h.start+1]++
	}
	for i := 1; i <= n; i++ {
		s.byStart[i] += s.byStart[i-1]
	}
	s.order = resizeInt(s.order, len(s.th))
	s.fill = resizeInt(s.fill, n)
	copy(s.fill, s.byStart[:n])
	for i, h := range s.th {
		s.order[s.fill[h.start]] = int32(i)
		s.fill[h.start]++
	}
}

// allowedBy returns the index in allow of a match containing h, or -1.
func allowedBy(allow []match.Hit, h match.Hit) int {
	for i, a := range allow {
		if a.Start <= h.Start && h.End <= a.End {
			return i
		}
	}
	return -1
}

func resize(b []bool, n int) []bool {
	if cap(b) < n {
		return make([]bool, n)
	}
	b = b[:n]
	clear(b)
	return b
}

func resizeInt(b []int32, n int) []int32 {
	if cap(b) < n {
		return make([]int32, n, n*2)
	}
	return b[:n]
}

// tokSpan maps tokens [a, b) to the original byte range.
func (c *Classifier) tokSpan(s *scratch, a, b int) (int, int) {
	t := &s.text
	return t.Span(t.Tokens[a].Start, t.Tokens[b-1].End)
}

// holds reports whether a message has what a pattern's program (see
// program) needs: it is false for a message without tokens.
func (s *scratch) holds(p []int32) bool {
	return len(s.text.Tokens) > 0 && s.run(p)
}

func (s *scratch) run(p []int32) bool {
	for i := 0; i < len(p); {
		switch p[i] {
		case opID:
			if !s.seen[p[i+1]] {
				return false
			}
			i += 2
		case opAny:
			n := int(p[i+1])
			if !anySeen(s.seen, p[i+2:i+2+n]) {
				return false
			}
			i += 2 + n
		case opLex:
			if !s.catSeen[p[i+1]] {
				return false
			}
			i += 2
		case opGroup:
			n := int(p[i+1])
			i += 2
			ok := false
			for k := 0; k < n; k++ {
				l := int(p[i])
				if !ok && s.run(p[i+1:i+1+l]) {
					ok = true
				}
				i += 1 + l
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

// hitsAt returns the indexes into s.th of the hits starting at token pos.
func (s *scratch) hitsAt(pos int) []int32 {
	if pos >= len(s.byStart)-1 {
		return nil
	}
	return s.order[s.byStart[pos]:s.byStart[pos+1]]
}

// find returns the first match of seq, whose first words are first,
// starting at or after token from. It tries the tokens where a hit of
// one of first's ids starts, in order (most tokens start none: a long
// message has a few dozen tokens and a few hits), or every token when
// seq may start with anything.
func (c *Classifier) find(s *scratch, seq []relem, first *firstSet, lang string, from int) (int, int, bool) {
	n := len(s.text.Tokens)
	start, end := 0, -1
	done := func(e int) bool { end = e; return e > start }
	if first.any {
		for start = from; start < n; start++ {
			if c.seq(s, seq, 0, start, lang, done) {
				return start, end, true
			}
		}
		return 0, 0, false
	}
	if from >= n {
		return 0, 0, false
	}
	tried := -1
	for _, i := range s.order[s.byStart[from]:] {
		h := &s.th[i]
		if int(h.start) == tried || !c.opens(h, first) {
			continue
		}
		start, tried = int(h.start), int(h.start)
		if c.seq(s, seq, 0, start, lang, done) {
			return start, end, true
		}
	}
	return 0, 0, false
}

// opens reports whether hit h is one of first's ids (literals, and
// nlits + set).
func (c *Classifier) opens(h *tokHit, first *firstSet) bool {
	if lit := c.groups[h.g].lit; lit >= 0 && first.has(lit) {
		return true
	}
	for _, set := range c.gsets(h.g) {
		if first.has(c.nlits + set) {
			return true
		}
	}
	return false
}

// seq matches seq[k:] at token pos and calls next with each possible end
// until it returns true.
func (c *Classifier) seq(s *scratch, seq []relem, k, pos int, lang string, next func(int) bool) bool {
	if k == len(seq) {
		return next(pos)
	}
	e := &seq[k]
	rest := func(end int) bool { return c.seq(s, seq, k+1, end, lang, next) }
	if c.elem(s, e, pos, lang, rest) {
		return true
	}
	return e.opt && rest(pos)
}

func (c *Classifier) elem(s *scratch, e *relem, pos int, lang string, next func(int) bool) bool {
	n := len(s.text.Tokens)
	switch pattern.Kind(e.kind) {
	case pattern.Word, pattern.Prefix:
		for _, i := range s.hitsAt(pos) {
			h := &s.th[i]
			if c.groups[h.g].lit == e.v && next(int(h.end)) {
				return true
			}
		}
	case pattern.Ref:
		sets := c.rids[e.v : e.v+int32(e.n)]
		for _, i := range s.hitsAt(pos) {
			h := &s.th[i]
			if c.inSets(h.g, sets) && next(int(h.end)) {
				return true
			}
		}
	case pattern.Lex:
		for _, i := range s.hitsAt(pos) {
			h := &s.th[i]
			if h.lex && c.lexOf(h.g, e.v, lang, false) && next(int(h.end)) {
				return true
			}
		}
	case pattern.Any:
		return pos < n && next(pos+1)
	case pattern.Gap:
		for j := 0; j <= int(e.n) && pos+j <= n; j++ {
			if next(pos + j) {
				return true
			}
		}
	case pattern.Group:
		g := &c.rgroups[e.v]
		if len(g.alts) <= smallGroup {
			for _, alt := range g.alts {
				if c.seq(s, alt, 0, pos, lang, next) {
					return true
				}
			}
			break
		}
		var buf [16]int32
		for _, ai := range c.altsAt(s, g, pos, buf[:0]) {
			if c.seq(s, g.alts[ai], 0, pos, lang, next) {
				return true
			}
		}
	}
	return false
}

// smallGroup is the number of alternatives up to which a group tries
// them all rather than looking up those that may start at the token.
const smallGroup = 4

// altsAt appends to dst, in order, the alternatives of group e that may
// match at token pos: those that may start with anything, and those that
// may start with a word found there.
func (c *Classifier) altsAt(s *scratch, e *rgroup, pos int, dst []int32) []int32 {
	dst = append(dst, e.anyAlts...)
	if len(e.byFirst) > 0 {
		for _, i := range s.hitsAt(pos) {
			g := s.th[i].g
			if lit := c.groups[g].lit; lit >= 0 {
				dst = e.altsStarting(lit, dst)
			}
			for _, set := range c.gsets(g) {
				dst = e.altsStarting(c.nlits+set, dst)
			}
		}
	}
	if len(dst) > 1 {
		slices.Sort(dst)
		dst = slices.Compact(dst)
	}
	return dst
}

// altsStarting appends to dst the alternatives of group e that may start
// with gate id id.
func (e *rgroup) altsStarting(id int32, dst []int32) []int32 {
	lo, hi := 0, len(e.byFirst)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e.byFirst[m].id < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for k := lo; k < len(e.byFirst) && e.byFirst[k].id == id; k++ {
		dst = append(dst, e.byFirst[k].alt)
	}
	return dst
}

// applyCues finds every cue and suppresses the findings in its scope.
func (c *Classifier) applyCues(s *scratch) {
	for i := range s.cands {
		s.cands[i].catBit = c.cueCats[s.cands[i].f.Category]
	}
	// The cues filed under the message's ids, in order.
	s.cueMarks = resizeMarks(s.cueMarks, len(c.cues))
	c.cueIndex.candidates(s.seenIDs, s.cueMarks)
	for w, word := range s.cueMarks {
		for ; word != 0; word &= word - 1 {
			c.tryCue(s, w<<6|bits.TrailingZeros64(word))
		}
	}
}

// tryCue looks for cue qi and suppresses the findings in the scope of
// each of its matches.
func (c *Classifier) tryCue(s *scratch, qi int) {
	q := &c.cues[qi]
	k := &c.cueChecks
	if !s.sig.covers(&k.sig[qi]) || !c.cueMayApply(s, q) || !s.holds(k.program(qi)) {
		return
	}
	c.index(s)
	for from := 0; from < len(s.text.Tokens); {
		a, b, ok := c.find(s, q.search, &q.first, q.Lang, from)
		if !ok {
			break
		}
		for i := range s.cands {
			cd := &s.cands[i]
			if q.mayApply(cd) && inScope(&q.Cue, cd, a, b, s.text.Quoted) {
				cd.suppressed, cd.reason, cd.by = true, string(q.Kind), q.ID
			}
		}
		from = a + 1
	}
}

// cueMayApply reports whether cue q could suppress one of the findings
// (see mayApply). When none qualifies, finding q is wasted work.
func (c *Classifier) cueMayApply(s *scratch, q *cueC) bool {
	for i := range s.cands {
		if q.mayApply(&s.cands[i]) {
			return true
		}
	}
	return false
}

// mayApply reports whether cue q may suppress finding cd, wherever the
// two are: cd is not suppressed yet, not empty, and of a category q
// covers (below critical when q lists none).
func (q *cueC) mayApply(cd *cand) bool {
	return !cd.suppressed && cd.b > cd.a && q.covers(cd)
}

// covers reports whether cue q applies to finding cd's category: one it
// lists, or any below critical when it lists none.
func (q *cueC) covers(cd *cand) bool {
	if q.cats == 0 {
		return cd.f.Severity < Critical
	}
	return q.cats&cd.catBit != 0
}

// inScope reports whether finding cd is in the scope of a cue matched at
// tokens [a, b).
func inScope(q *Cue, cd *cand, a, b int, quoted []bool) bool {
	if cd.a < b && a < cd.b {
		return false // the cue and the finding overlap: the finding is part of the cue
	}
	if q.Message {
		if !q.Quoted {
			return true
		}
		for i := cd.a; i < cd.b; i++ {
			if i >= len(quoted) || !quoted[i] {
				return false
			}
		}
		return true
	}
	if q.After > 0 && cd.a >= b && cd.a-b < q.After {
		return true
	}
	return q.Before > 0 && cd.b <= a && a-cd.b < q.Before
}

// decideLang fills the verdict's language.
func (c *Classifier) decideLang(v *Verdict, m Message, need bool, text string) {
	def := m.DefaultLang
	if def == "" {
		def = c.defaultLang
	}
	switch {
	case m.Lang != "":
		v.Lang, v.LangConfidence, v.LangSource = m.Lang, 1, LangHint
	case need && c.lang != nil:
		code, conf := c.lang.Detect(text)
		if code != "" && conf >= c.minConf {
			v.Lang, v.LangConfidence, v.LangSource = code, conf, LangDetected
		} else {
			v.Lang, v.LangConfidence, v.LangSource = def, conf, LangDefault
		}
	default:
		v.Lang, v.LangSource = def, LangDefault
	}
}

// langLetters is how many letters, at least, langWindow keeps on each
// side of the findings whose meaning depends on the language. On the
// benchmark's stream of 200,000 messages several chat lines long (half
// French, half English, with lines in other languages), 24 letters
// flag 130 fewer harmless messages than the whole message did (211 false
// positives instead of 341) and miss one more harmful one (9,743 of
// 10,009 instead of 9,744); 32 and 40 letters do less well (282 and 320
// false positives); the dev set and hate suite are the same with all
// four.
const langLetters = 24

// langWindow returns the part of text that decides the language of its
// bytes [lo, hi): those bytes and at least langLetters letters on each
// side, cut at word boundaries. The language that matters is that of
// the words around "con" or "bite", not of the whole message: a line of
// English chat ending in "Der Elefant ist sehr dick" is German where
// "dick" is (and lingua's cost grows with the length of what it reads).
func langWindow(text string, lo, hi int) string {
	letters := 0
	for lo > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:lo])
		if unicode.IsLetter(r) {
			letters++
		} else if letters >= langLetters {
			break
		}
		lo -= size
	}
	letters = 0
	for hi < len(text) {
		r, size := utf8.DecodeRuneInString(text[hi:])
		if unicode.IsLetter(r) {
			letters++
		} else if letters >= langLetters {
			break
		}
		hi += size
	}
	return text[lo:hi]
}

// inSets reports whether group g is a member of one of sets.
func (c *Classifier) inSets(g int32, sets []int32) bool {
	for _, id := range c.gsets(g) {
		if slices.Contains(sets, id) {
			return true
		}
	}
	return false
}

// lexOf reports whether group g has a lexicon entry of category cat that
// applies in language lang (a language-dependent entry applies in its
// own language only), or in any language if anyLang.
func (c *Classifier) lexOf(g, cat int32, lang string, anyLang bool) bool {
	for _, ei := range c.glex(g) {
		e := &c.entries[ei]
		if e.cat == cat && (anyLang || !e.LangDependent || e.Lang == lang) {
			return true
		}
	}
	return false
}

// tryFrame looks for frame fi, whose checks pass, and adds its first
// match to the candidates.
func (c *Classifier) tryFrame(s *scratch, m Message, fi int) {
	f := &c.frames[fi]
	c.index(s)
	a, b, ok := c.find(s, f.search, &f.first, f.Lang, 0)
	if !ok {
		return
	}
	t := &s.text
	start, end := c.tokSpan(s, a, b)
	s.cands = append(s.cands, cand{
		f: Finding{Rule: f.ID, Category: f.Category, Severity: f.Severity, Span: Span{start, end}, Text: m.Text[start:end], Lang: f.Lang},
		a: a, b: b, lex: -1,
		nStart: int32(t.Tokens[a].Start), nEnd: int32(t.Tokens[b-1].End),
	})
}

// resizeMarks returns b with one cleared bit for each of n patterns.
func resizeMarks(b []uint64, n int) []uint64 {
	w := (n + 63) / 64
	if cap(b) < w {
		return make([]uint64, w)
	}
	b = b[:w]
	clear(b)
	return b
}
