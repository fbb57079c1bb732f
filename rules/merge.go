package rules

import (
	"fmt"
	"maps"
	"slices"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/filters/links"
	"github.com/vigie-edu/vigie/filters/pattern"
)

// state is the rules merged so far, layer over layer.
type state struct {
	languages     []string
	defaultLang   string
	defaultLangAt *pos
	languagesAt   *pos
	langErr       bool
	minConf       float64
	personalInfo  bool

	known   map[filters.Category]bool
	actions map[filters.Category]filters.Action

	lexicon       []lexEntry
	allow         []allowEntry
	terms         []filters.TermSet
	frames        []frameEntry
	cues          []cueEntry
	links         linksLayer
	locales       []ref
	retentionDays int
	texts         bot.Texts
	helplist      []helplineEntry
	policy        []func(*bot.Policy)
	classes       []classEntry
	tests         []Test
	files         []string
}

func newState() *state {
	s := &state{known: map[filters.Category]bool{}, actions: map[filters.Category]filters.Action{}, texts: bot.Texts{}}
	for _, c := range filters.KnownCategories {
		s.known[c] = true
	}
	return s
}

// keyed merges src over dst: an element of src whose key is already in
// dst replaces it in place, others are appended.
func keyed[T any](dst, src []T, key func(T) string) []T {
	index := make(map[string]int, len(dst))
	for i, e := range dst {
		index[key(e)] = i
	}
	for _, e := range src {
		k := key(e)
		if i, ok := index[k]; ok {
			dst[i] = e
			continue
		}
		index[k] = len(dst)
		dst = append(dst, e)
	}
	return dst
}

// drop removes the elements of s whose key is in the refs, and reports
// refs that matched nothing.
func drop[T any](s []T, refs []ref, key func(T) string, refKey func(ref) string, what string, errs *ErrorList) []T {
	if len(refs) == 0 {
		return s
	}
	have := make(map[string]bool, len(s))
	for _, e := range s {
		have[key(e)] = true
	}
	gone := map[string]bool{}
	for _, r := range refs {
		k := refKey(r)
		if !have[k] {
			addError(errs, r.at, "remove.%s: %q is not in the rules this file extends", what, r.value)
			continue
		}
		gone[k] = true
	}
	return slices.DeleteFunc(s, func(e T) bool { return gone[key(e)] })
}

func frameID(f frameEntry) string         { return f.ID }
func cueID(c cueEntry) string             { return c.ID }
func lexKeyOf(e lexEntry) string          { return e.key }
func allowKeyOf(e allowEntry) string      { return e.key }
func termSetKey(t filters.TermSet) string { return t.Lang + "\x00" + t.Name }
func helplineKey(h helplineEntry) string  { return h.locale + "\x00" + h.Name }

// apply merges a layer over the state: first its removals, then its
// additions.
func (s *state) apply(l *layer, top bool, errs *ErrorList) {
	s.remove(&l.remove, errs)

	if l.languagesAt != nil {
		s.languages, s.languagesAt = slices.Clone(l.languages), l.languagesAt
	}
	if l.defaultLangAt != nil {
		s.defaultLang, s.defaultLangAt = l.defaultLang, l.defaultLangAt
	}
	s.langErr = s.langErr || l.langErr
	if l.minConf != nil {
		s.minConf = *l.minConf
	}
	if l.personalInfo != nil {
		s.personalInfo = *l.personalInfo
	}
	for _, c := range l.categories {
		s.known[c] = true
	}
	maps.Copy(s.actions, l.actions)

	s.lexicon = keyed(s.lexicon, l.lexicon, lexKeyOf)
	s.allow = keyed(s.allow, l.allow, allowKeyOf)
	s.mergeTerms(l.terms)
	s.frames = keyed(s.frames, l.frames, frameID)
	s.cues = keyed(s.cues, l.cues, cueID)
	s.mergeLinks(&l.links)

	if l.retentionDays > 0 {
		s.retentionDays = l.retentionDays
	}
	s.locales = append(s.locales, l.locales...)
	for loc, m := range l.texts {
		if s.texts[loc] == nil {
			s.texts[loc] = map[string]string{}
		}
		maps.Copy(s.texts[loc], m)
	}
	s.helplist = keyed(s.helplist, l.helplines, helplineKey)
	s.policy = append(s.policy, l.policy...)
	if l.hasClasses {
		s.classes = l.classes // classes are the school's
	}
	if top {
		s.tests = l.tests // a file's tests are its own: the defaults' may not hold for it
	} else {
		s.tests = append(s.tests, l.tests...)
	}
	s.files = append(s.files, l.files...)
}

// mergeTerms adds term sets; the terms of a set that exists already are
// appended to it (a school adds words to a default set).
func (s *state) mergeTerms(sets []filters.TermSet) {
	for _, t := range sets {
		i := slices.IndexFunc(s.terms, func(e filters.TermSet) bool { return termSetKey(e) == termSetKey(t) })
		if i < 0 {
			t.Terms = slices.Clone(t.Terms)
			s.terms = append(s.terms, t)
			continue
		}
		have := map[string]bool{}
		for _, w := range s.terms[i].Terms {
			have[setTermKey(w)] = true
		}
		for _, w := range t.Terms {
			if !have[setTermKey(w)] {
				have[setTermKey(w)] = true
				s.terms[i].Terms = append(s.terms[i].Terms, w)
			}
		}
	}
}

// setTermKey is the identity of a term of a term set: its termKey, with
// a '*' kept when it ends in one.
func setTermKey(w string) string {
	k := termKey(w)
	if len(w) > 0 && w[len(w)-1] == '*' {
		k += "*"
	}
	return k
}

// remove applies a layer's removals to the state.
func (s *state) remove(r *removeSpec, errs *ErrorList) {
	s.lexicon = drop(s.lexicon, r.lexicon, lexKeyOf, func(r ref) string { return r.lang + ":" + termKey(r.value) }, "lexicon", errs)
	s.allow = drop(s.allow, r.allow, allowKeyOf, func(r ref) string {
		e, err := allowTerm(r.lang, r.value, "")
		if err != nil {
			return "" // matches nothing: reported as missing
		}
		return e.key
	}, "allow", errs)
	s.frames = drop(s.frames, r.frames, frameID, refValue, "frames", errs)
	s.cues = drop(s.cues, r.cues, cueID, refValue, "cues", errs)
	if len(r.domains) == 0 {
		return
	}
	gone := map[string]bool{}
	for _, d := range r.domains {
		gone[d.value] = true
	}
	found := map[string]bool{}
	del := func(list []string) []string {
		return slices.DeleteFunc(list, func(d string) bool {
			if gone[d] {
				found[d] = true
				return true
			}
			return false
		})
	}
	L := &s.links
	L.allow, L.shorteners = del(L.allow), del(L.shorteners)
	for i := range L.block {
		L.block[i].domains = del(L.block[i].domains)
	}
	for i := range L.lists {
		L.lists[i].Domains = del(L.lists[i].Domains)
	}
	for _, d := range r.domains {
		if !found[d.value] {
			addError(errs, d.at, "remove.domains: %q is not in the rules this file extends", d.value)
		}
	}
}

func refValue(r ref) string { return r.value }

// mergeLinks appends a layer's links section.
func (s *state) mergeLinks(l *linksLayer) {
	L := &s.links
	L.allow = appendUnique(L.allow, l.allow...)
	L.shorteners = appendUnique(L.shorteners, l.shorteners...)
	L.adultTLDs = appendUnique(L.adultTLDs, l.adultTLDs...)
	L.keywords = appendUnique(L.keywords, l.keywords...)
	L.keywordAllow = appendUnique(L.keywordAllow, l.keywordAllow...)
	for _, b := range l.block {
		i := slices.IndexFunc(L.block, func(e blockList) bool { return e.category == b.category })
		if i < 0 {
			L.block = append(L.block, blockList{category: b.category, domains: slices.Clone(b.domains)})
			continue
		}
		L.block[i].domains = appendUnique(L.block[i].domains, b.domains...)
	}
	L.lists = append(L.lists, l.lists...)
}

// finish checks what only the merged rules can tell (references between
// layers, the language settings) and builds the Rules.
func (s *state) finish(file string, errs *ErrorList) *Rules {
	if !s.langErr { // else already reported where the file sets them
		s.checkLanguages(file, errs)
	}
	sets := map[string]bool{}
	for _, t := range s.terms {
		sets[termSetKey(t)] = true
	}
	checkRefs := func(id, lang string, p *pattern.Pattern, at pos) {
		if p == nil {
			return
		}
		p.Walk(func(e *pattern.Element) {
			switch e.Kind {
			case pattern.Ref:
				if !sets[lang+"\x00"+e.Text] && !sets["\x00"+e.Text] {
					where := "any"
					if lang != "" {
						where = lang + " or any"
					}
					addError(errs, at, "%s: pattern: @%s: no term set %q under terms.%s", id, e.Text, e.Text, where)
				}
			case pattern.Lex:
				if !s.known[filters.Category(e.Text)] {
					addError(errs, at, "%s: pattern: @lex:%s: unknown category", id, e.Text)
				}
			}
		})
	}
	for _, f := range s.frames {
		checkRefs(fmt.Sprintf("frame %q", f.ID), f.Lang, f.pat, f.at)
	}
	for _, c := range s.cues {
		checkRefs(fmt.Sprintf("cue %q", c.ID), c.Lang, c.pat, c.at)
	}
	if len(s.texts) > 0 {
		for _, r := range s.locales {
			if s.texts[r.value] == nil {
				addError(errs, r.at, "locale: no texts for locale %q (texts has %v)", r.value, sortedKeys(s.texts))
			}
		}
	}
	return s.build()
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// build turns the merged state into Rules.
func (s *state) build() *Rules {
	r := &Rules{
		Filters: filters.Config{
			Languages:         slices.Clone(s.languages),
			DefaultLang:       s.defaultLang,
			MinLangConfidence: s.minConf,
			Actions:           maps.Clone(s.actions),
			PersonalInfo:      s.personalInfo,
		},
		Tests: s.tests,
		Files: s.files,
	}
	f := &r.Filters
	for _, e := range s.lexicon {
		f.Lexicon = append(f.Lexicon, e.Entry)
	}
	for _, e := range s.allow {
		f.Allow = append(f.Allow, e.AllowEntry)
	}
	f.Terms = s.terms
	for _, e := range s.frames {
		f.Frames = append(f.Frames, e.Frame)
	}
	for _, e := range s.cues {
		f.Cues = append(f.Cues, e.Cue)
	}
	L := &s.links
	f.Links = links.Config{
		Allow:        L.allow,
		AdultTLDs:    L.adultTLDs,
		Keywords:     L.keywords,
		KeywordAllow: L.keywordAllow,
		Shorteners:   L.shorteners,
	}
	for _, b := range L.block {
		f.Links.Lists = append(f.Links.Lists, links.List{Name: "block:" + string(b.category), Category: string(b.category), Domains: b.domains})
	}
	f.Links.Lists = append(f.Links.Lists, L.lists...)

	b := &r.Bot
	for _, p := range s.policy {
		p(&b.Default)
	}
	for _, c := range s.classes {
		cl := c.Class
		cl.Policy = clonePolicy(b.Default)
		for _, p := range c.patches {
			p(&cl.Policy)
		}
		b.Classes = append(b.Classes, cl)
	}
	b.Texts = s.texts
	b.RetentionDays = s.retentionDays
	if len(s.helplist) > 0 {
		b.Helplines = map[string][]bot.Helpline{}
		for _, h := range s.helplist {
			b.Helplines[h.locale] = append(b.Helplines[h.locale], h.Helpline)
		}
	}
	return r
}

// clonePolicy copies a policy so that a class's overrides do not write
// through to the default's slices and map.
func clonePolicy(p bot.Policy) bot.Policy {
	p.Actions = maps.Clone(p.Actions)
	p.AlertUsers = slices.Clone(p.AlertUsers)
	p.AlertRoles = slices.Clone(p.AlertRoles)
	p.TeacherRoles = slices.Clone(p.TeacherRoles)
	p.ExemptRoles = slices.Clone(p.ExemptRoles)
	p.ExemptUsers = slices.Clone(p.ExemptUsers)
	return p
}

// checkLanguages checks that languages and default_lang are set and
// agree.
func (s *state) checkLanguages(file string, errs *ErrorList) {
	at := pos{file: file, line: 1, col: 1}
	if len(s.languages) == 0 {
		if s.languagesAt != nil {
			at = *s.languagesAt
		}
		addError(errs, at, "languages: no language configured (a file with extends: none must set languages)")
	}
	switch {
	case s.defaultLang == "":
		addError(errs, at, "default_lang: no default language configured (a file with extends: none must set default_lang)")
	case len(s.languages) > 0 && !slices.Contains(s.languages, s.defaultLang):
		// Point at the setting the file being loaded wrote, if it wrote one.
		at := *s.defaultLangAt
		if at.file != file && s.languagesAt != nil && s.languagesAt.file == file {
			at = *s.languagesAt
		}
		addError(errs, at, "default_lang: %q is not among the languages %v", s.defaultLang, s.languages)
	}
}
