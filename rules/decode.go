package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/filters/pattern"
)

// layer is one decoded rules file (a school's file or an embedded
// fragment of the defaults), before it is merged over the layers below.
type layer struct {
	languages     []string
	languagesAt   *pos
	defaultLang   string
	defaultLangAt *pos
	langErr       bool // languages or default_lang was given but wrong
	minConf       *float64
	personalInfo  *bool

	categories []filters.Category
	actions    map[filters.Category]filters.Action
	lexicon    []lexEntry
	remove     removeSpec
	allow      []allowEntry
	terms      []filters.TermSet
	frames     []frameEntry
	cues       []cueEntry
	links      linksLayer

	retentionDays int // 0: not set
	texts         bot.Texts
	helplines     []helplineEntry
	locales       []ref // locales the policies use, checked against the texts
	policy        []func(*bot.Policy)
	classes       []classEntry
	hasClasses    bool
	tests         []Test

	files []string // files read from disk for this layer (list and secret files)
}

type lexEntry struct {
	filters.Entry
	key string // lang and termKey: a later entry with the same key replaces this one
	at  pos
}

type allowEntry struct {
	filters.AllowEntry
	key string
}

type frameEntry struct {
	filters.Frame
	at  pos // of the pattern
	pat *pattern.Pattern
}

type cueEntry struct {
	filters.Cue
	at  pos // of the pattern
	pat *pattern.Pattern
}

// ref is a name written in a `remove:` section, with where it was written.
type ref struct {
	lang, value string
	at          pos
}

// removeSpec is a file's `remove:` section: default entries it takes out.
type removeSpec struct {
	lexicon, allow, frames, cues, domains []ref
}

// fileDecoder decodes one file into a layer.
type fileDecoder struct {
	decoder
	l     *layer
	src   source
	top   bool                      // a school's file, not an embedded fragment
	known map[filters.Category]bool // categories usable in this file
	ids   map[string]int            // rule ids defined in this file → line
	keys  map[string]int            // lexicon keys defined in this file → index in l.lexicon
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML decodes data into a node tree. Syntax errors become an
// *Error with the line the parser gives.
func parseYAML(file string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		// The YAML library is third-party code reading untrusted input:
		// a panic in it must not take the bot down.
		if r := recover(); r != nil {
			root, err = nil, &Error{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("YAML parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // empty file
		}
		return nil, yamlError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, yamlError(file, err)
		}
		return nil, &Error{File: file, Line: max(extra.Line, 1), Col: max(extra.Column, 1), Msg: "a rules file holds one YAML document (remove the second \"---\")"}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

func yamlError(file string, err error) *Error {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil && n > 0 {
			line = n
		}
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return &Error{File: file, Line: line, Col: 1, Msg: "YAML syntax: " + msg}
}

// decodeRoot decodes the root node of one file (nil for an empty file).
// known holds the categories defined by the layers below; top is true
// for a school's file. Errors are appended to errs.
func decodeRoot(file string, root *yaml.Node, src source, known map[filters.Category]bool, top bool, errs *ErrorList) *layer {
	l := &layer{}
	if root == nil || isNull(root) {
		return l
	}
	d := &fileDecoder{
		decoder: decoder{file: file, errs: errs},
		l:       l,
		src:     src,
		top:     top,
		known:   map[filters.Category]bool{},
		ids:     map[string]int{},
		keys:    map[string]int{},
	}
	for c := range known {
		d.known[c] = true
	}
	if !d.want(root, yaml.MappingNode, "rules file", "a mapping of keys (version, lexicon, …)") {
		return l
	}
	// Categories first: the rest of the file may use them.
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "categories" {
			d.categories(root.Content[i+1])
		}
	}
	d.fields(root, "rules file", map[string]func(*yaml.Node){
		"version": func(v *yaml.Node) {
			if n, ok := d.integer(v, "version", math.MinInt, math.MaxInt); ok && n != 1 {
				d.errorf(v, "version: unsupported version %d (want 1)", n)
			}
		},
		"extends": func(v *yaml.Node) {
			// load reads the value before decoding, to know whether to
			// load the defaults; here it is only checked.
			if _, ok := d.oneOf(v, "extends", "defaults", "none"); ok && !top {
				d.errorf(v, "extends: only a school's rules file extends the defaults, not an embedded fragment")
			}
		},
		"languages": func(v *yaml.Node) {
			before, langs := len(*d.errs), []string{}
			d.strs(v, "languages", func(s string, item *yaml.Node) {
				if err := checkLang(s); err != nil {
					d.errorf(item, "languages: %v", err)
					return
				}
				langs = appendUnique(langs, s)
			})
			if len(*d.errs) > before {
				l.langErr = true
			} else if v.Kind == yaml.SequenceNode {
				p := d.at(v)
				l.languages, l.languagesAt = langs, &p
			}
		},
		"default_lang": func(v *yaml.Node) {
			s, ok := d.str(v, "default_lang")
			if ok {
				if err := checkLang(s); err != nil {
					d.errorf(v, "default_lang: %v", err)
					ok = false
				}
			}
			if !ok {
				l.langErr = true
				return
			}
			p := d.at(v)
			l.defaultLang, l.defaultLangAt = s, &p
		},
		"min_lang_confidence": func(v *yaml.Node) {
			if f, ok := d.number(v, "min_lang_confidence", 0, 1); ok {
				l.minConf = &f
			}
		},
		"categories": func(*yaml.Node) {}, // decoded above
		"actions": func(v *yaml.Node) {
			l.actions = d.actions(v, "actions")
		},
		"lexicon": d.lexicon,
		"remove":  d.remove,
		"allow":   d.allow,
		"terms":   d.terms,
		"frames":  d.frames,
		"cues":    d.cues,
		"links":   d.links,
		"personal_info": func(v *yaml.Node) {
			if b, ok := d.boolean(v, "personal_info"); ok {
				l.personalInfo = &b
			}
		},
		"retention_days": func(v *yaml.Node) {
			if n, ok := d.integer(v, "retention_days", 1, 3650); ok {
				l.retentionDays = n
			}
		},
		"texts":     d.texts,
		"helplines": d.helplines,
		"policy": func(v *yaml.Node) {
			l.policy = d.policy(v, "policy", true)
		},
		"classes": d.classes,
		"tests":   d.tests,
	})
	return l
}

func (d *fileDecoder) categories(n *yaml.Node) {
	d.strs(n, "categories", func(s string, item *yaml.Node) {
		if err := checkCategoryName(s); err != nil {
			d.errorf(item, "categories: %v", err)
			return
		}
		c := filters.Category(s)
		if d.known[c] {
			d.errorf(item, "categories: %q is already a category", s)
			return
		}
		d.known[c] = true
		d.l.categories = append(d.l.categories, c)
	})
}

// category reads a category name that must be known.
func (d *fileDecoder) category(n *yaml.Node, what string) (filters.Category, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return "", false
	}
	if !d.known[filters.Category(s)] {
		d.errorf(n, "%s: unknown category %q (want one of %s, or declare it under categories:)", what, s, d.knownList())
		return "", false
	}
	return filters.Category(s), true
}

// checkCategoryKey is category for a mapping key.
func (d *fileDecoder) checkCategoryKey(key string, k *yaml.Node, what string) bool {
	if !d.known[filters.Category(key)] {
		d.errorf(k, "%s: unknown category %q (want one of %s, or declare it under categories:)", what, key, d.knownList())
		return false
	}
	return true
}

func (d *fileDecoder) knownList() string {
	// Built-ins in their report order, then the school's, sorted.
	var names, extra []string
	for _, c := range filters.KnownCategories {
		names = append(names, string(c))
	}
	for c := range d.known {
		if !slices.Contains(filters.KnownCategories, c) {
			extra = append(extra, string(c))
		}
	}
	slices.Sort(extra)
	return strings.Join(append(names, extra...), ", ")
}

func (d *fileDecoder) actions(n *yaml.Node, what string) map[filters.Category]filters.Action {
	m := map[filters.Category]filters.Action{}
	d.entries(n, what, func(key string, k, v *yaml.Node) {
		if !d.checkCategoryKey(key, k, what) {
			return
		}
		s, ok := d.str(v, what+"."+key)
		if !ok {
			return
		}
		a, err := filters.ParseAction(s)
		if err != nil {
			d.errorf(v, "%s.%s: %v", what, key, err)
			return
		}
		m[filters.Category(key)] = a
	})
	return m
}

func (d *fileDecoder) severity(n *yaml.Node, what string) (filters.Severity, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return 0, false
	}
	sev, err := filters.ParseSeverity(s)
	if err != nil {
		d.errorf(n, "%s: %v", what, err)
		return 0, false
	}
	return sev, true
}

// lang reads a language key or value; "any" is accepted when anyOK and
// returned as "".
func (d *fileDecoder) langName(s string, n *yaml.Node, what string, anyOK bool) (string, bool) {
	if anyOK && s == "any" {
		return "", true
	}
	if err := checkLang(s); err != nil {
		if anyOK {
			d.errorf(n, "%s: %v, or any", what, err)
		} else {
			d.errorf(n, "%s: %v", what, err)
		}
		return "", false
	}
	return s, true
}

// defineID records a rule id of this file and reports duplicates.
func (d *fileDecoder) defineID(id string, n *yaml.Node, what string) bool {
	if line, dup := d.ids[id]; dup {
		d.errorf(n, "%s: duplicate id %q (first at line %d)", what, id, line)
		return false
	}
	d.ids[id] = n.Line
	return true
}

func (d *fileDecoder) source(n *yaml.Node) string {
	return fmt.Sprintf("%s:%d", d.file, max(n.Line, 1))
}

func (d *fileDecoder) lexicon(n *yaml.Node) {
	d.entries(n, "lexicon", func(lang string, k, v *yaml.Node) {
		if _, ok := d.langName(lang, k, "lexicon", false); !ok {
			return
		}
		d.entries(v, "lexicon."+lang, func(cat string, k, v *yaml.Node) {
			if !d.checkCategoryKey(cat, k, "lexicon."+lang) {
				return
			}
			what := "lexicon." + lang + "." + cat
			d.items(v, what, func(i int, item *yaml.Node) {
				d.lexEntry(item, fmt.Sprintf("%s[%d]", what, i), lang, filters.Category(cat))
			})
		})
	})
}

func (d *fileDecoder) lexEntry(n *yaml.Node, what, lang string, cat filters.Category) {
	e := filters.Entry{Lang: lang, Category: cat, Severity: filters.Medium, Mode: filters.Word, Source: d.source(n)}
	ok := true
	if n.Kind == yaml.MappingNode {
		seen := d.fields(n, what, map[string]func(*yaml.Node){
			"term": func(v *yaml.Node) {
				var good bool
				e.Term, good = d.str(v, what+".term")
				ok = ok && good
			},
			"mode": func(v *yaml.Node) {
				s, good := d.oneOf(v, what+".mode", "word", "prefix", "substring")
				e.Mode = filters.MatchMode(s)
				ok = ok && good
			},
			"severity": func(v *yaml.Node) {
				var good bool
				e.Severity, good = d.severity(v, what+".severity")
				ok = ok && good
			},
			"lang_dependent": func(v *yaml.Node) {
				var good bool
				e.LangDependent, good = d.boolean(v, what+".lang_dependent")
				ok = ok && good
			},
			"id": func(v *yaml.Node) {
				var good bool
				e.ID, good = d.str(v, what+".id")
				good = good && d.checkID(e.ID, v, what+".id") && d.defineID(e.ID, v, what)
				ok = ok && good
			},
		})
		if _, has := seen["term"]; !has {
			d.require(n, seen, what, "term")
			return
		}
	} else {
		var good bool
		if e.Term, good = d.str(n, what); !good {
			return
		}
	}
	if !ok {
		return
	}
	if strings.Contains(e.Term, "*") {
		d.errorf(n, "%s: %q: a lexicon term has no '*' (use mode: prefix or mode: substring)", what, e.Term)
		return
	}
	key := termKey(e.Term)
	if key == "" {
		d.errorf(n, "%s: term %q has no letters or digits", what, e.Term)
		return
	}
	lk := lang + ":" + key
	if i, dup := d.keys[lk]; dup {
		// The same entry twice is harmless; two different ones for one
		// term are a conflict.
		prev := d.l.lexicon[i].Entry
		if prev.Category != e.Category || prev.Severity != e.Severity || prev.Mode != e.Mode || prev.LangDependent != e.LangDependent || prev.ID != e.ID {
			d.errorf(n, "%s: term %q is already in the %s lexicon, differently, at line %d", what, e.Term, lang, d.l.lexicon[i].at.line)
		}
		return
	}
	d.keys[lk] = len(d.l.lexicon)
	d.l.lexicon = append(d.l.lexicon, lexEntry{Entry: e, key: lk, at: d.at(n)})
}

// checkID checks a rule id: no spaces, printable.
func (d *fileDecoder) checkID(id string, n *yaml.Node, what string) bool {
	if id == "" || strings.IndexFunc(id, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		d.errorf(n, "%s: bad id %q (want a non-empty name without spaces, like fr.insult.second_person)", what, id)
		return false
	}
	return true
}

func (d *fileDecoder) remove(n *yaml.Node) {
	r := &d.l.remove
	langTerms := func(what string, dst *[]ref) func(*yaml.Node) {
		return func(v *yaml.Node) {
			d.entries(v, what, func(lang string, k, v *yaml.Node) {
				l, ok := d.langName(lang, k, what, what == "remove.allow")
				if !ok {
					return
				}
				d.strs(v, what+"."+lang, func(s string, item *yaml.Node) {
					*dst = append(*dst, ref{lang: l, value: s, at: d.at(item)})
				})
			})
		}
	}
	names := func(what string, dst *[]ref) func(*yaml.Node) {
		return func(v *yaml.Node) {
			d.strs(v, what, func(s string, item *yaml.Node) {
				*dst = append(*dst, ref{value: s, at: d.at(item)})
			})
		}
	}
	d.fields(n, "remove", map[string]func(*yaml.Node){
		"lexicon": langTerms("remove.lexicon", &r.lexicon),
		"allow":   langTerms("remove.allow", &r.allow),
		"frames":  names("remove.frames", &r.frames),
		"cues":    names("remove.cues", &r.cues),
		"domains": func(v *yaml.Node) {
			d.strs(v, "remove.domains", func(s string, item *yaml.Node) {
				dom, err := normDomain(s)
				if err != nil {
					d.errorf(item, "remove.domains: %v", err)
					return
				}
				r.domains = append(r.domains, ref{value: dom, at: d.at(item)})
			})
		},
	})
}

// allowTerm turns an allowlist term into an entry: a trailing '*'
// makes the last word a prefix.
func allowTerm(lang, term, source string) (allowEntry, error) {
	e := filters.AllowEntry{Lang: lang, Term: term, Mode: filters.Word, Source: source}
	t := strings.TrimSpace(term)
	if base, ok := strings.CutSuffix(t, "*"); ok {
		e.Mode, t = filters.Prefix, base
	}
	if strings.Contains(t, "*") {
		return allowEntry{}, fmt.Errorf("%q: '*' is only allowed at the end of a term", term)
	}
	key := termKey(t)
	if key == "" {
		return allowEntry{}, fmt.Errorf("term %q has no letters or digits", term)
	}
	if e.Mode == filters.Prefix && strings.HasSuffix(t, " ") {
		return allowEntry{}, fmt.Errorf("%q: '*' must follow a word", term)
	}
	e.Term = t
	return allowEntry{AllowEntry: e, key: lang + ":" + string(e.Mode) + ":" + key}, nil
}

func (d *fileDecoder) allow(n *yaml.Node) {
	d.entries(n, "allow", func(lang string, k, v *yaml.Node) {
		l, ok := d.langName(lang, k, "allow", true)
		if !ok {
			return
		}
		seen := map[string]bool{}
		d.strs(v, "allow."+lang, func(s string, item *yaml.Node) {
			e, err := allowTerm(l, s, d.source(item))
			if err != nil {
				d.errorf(item, "allow.%s: %v", lang, err)
				return
			}
			if !seen[e.key] { // "branle bas" and "branle-bas" are one term
				seen[e.key] = true
				d.l.allow = append(d.l.allow, e)
			}
		})
	})
}

// checkSetName checks a term-set name as patterns refer to it (@name).
func checkSetName(s string) error {
	if s == "" || strings.HasPrefix(s, "lex") && (s == "lex" || strings.HasPrefix(s, "lex:")) {
		return fmt.Errorf("bad term-set name %q", s)
	}
	p, err := pattern.Parse("@" + s)
	if err != nil || len(p.Elements) != 1 || p.Elements[0].Kind != pattern.Ref || p.Elements[0].Text != s {
		return fmt.Errorf("bad term-set name %q (want letters, digits, '.', '-' and '_')", s)
	}
	return nil
}

func (d *fileDecoder) terms(n *yaml.Node) {
	d.entries(n, "terms", func(lang string, k, v *yaml.Node) {
		l, ok := d.langName(lang, k, "terms", true)
		if !ok {
			return
		}
		d.entries(v, "terms."+lang, func(name string, k, v *yaml.Node) {
			if err := checkSetName(name); err != nil {
				d.errorf(k, "terms.%s: %v", lang, err)
				return
			}
			ts := filters.TermSet{Name: name, Lang: l, Terms: []string{}, Source: d.source(k)}
			what := "terms." + lang + "." + name
			seen := map[string]bool{}
			d.strs(v, what, func(s string, item *yaml.Node) {
				base, _ := strings.CutSuffix(strings.TrimSpace(s), "*")
				if strings.Contains(base, "*") {
					d.errorf(item, "%s: %q: '*' is only allowed at the end of a term", what, s)
					return
				}
				if termKey(base) == "" {
					d.errorf(item, "%s: term %q has no letters or digits", what, s)
					return
				}
				if key := setTermKey(s); !seen[key] {
					seen[key] = true
					ts.Terms = append(ts.Terms, s)
				}
			})
			d.l.terms = append(d.l.terms, ts)
		})
	})
}

// pattern parses a frame's or cue's pattern; reference checks come after
// merging, when every term set is known.
func (d *fileDecoder) pattern(n *yaml.Node, what string) (string, *pattern.Pattern) {
	s, ok := d.str(n, what)
	if !ok {
		return "", nil
	}
	p, err := pattern.Parse(s)
	if err != nil {
		var pe *pattern.Error
		if errors.As(err, &pe) {
			d.errorf(n, "%s: column %d of the pattern: %s", what, pe.Offset+1, pe.Msg)
		} else {
			d.errorf(n, "%s: %v", what, err)
		}
		return s, nil
	}
	for _, e := range lexRefs(p) {
		if !d.known[filters.Category(e)] {
			d.errorf(n, "%s: @lex:%s: unknown category %q (want one of %s)", what, e, e, d.knownList())
			p = nil
			break
		}
	}
	return s, p
}

// lexRefs returns the categories a pattern refers to with @lex:.
func lexRefs(p *pattern.Pattern) []string {
	var cats []string
	p.Walk(func(e *pattern.Element) {
		if e.Kind == pattern.Lex {
			cats = append(cats, e.Text)
		}
	})
	return cats
}

// patternRule returns the handlers of the keys that frames and cues
// share (id, lang, pattern); each clears *ok when its value is wrong.
func (d *fileDecoder) patternRule(what string, id, lang, src *string, pat **pattern.Pattern, at *pos, ok *bool) map[string]func(*yaml.Node) {
	return map[string]func(*yaml.Node){
		"id": func(v *yaml.Node) {
			var good bool
			*id, good = d.str(v, what+".id")
			good = good && d.checkID(*id, v, what+".id") && d.defineID(*id, v, what)
			*ok = *ok && good
		},
		"lang": func(v *yaml.Node) {
			s, good := d.str(v, what+".lang")
			if good {
				*lang, good = d.langName(s, v, what+".lang", true)
			}
			*ok = *ok && good
		},
		"pattern": func(v *yaml.Node) {
			*src, *pat = d.pattern(v, what+".pattern")
			*at = d.at(v)
			*ok = *ok && *pat != nil
		},
	}
}

func (d *fileDecoder) frames(n *yaml.Node) {
	d.items(n, "frames", func(i int, item *yaml.Node) {
		what := fmt.Sprintf("frames[%d]", i)
		f := frameEntry{Frame: filters.Frame{Severity: filters.Medium, Source: d.source(item)}, at: d.at(item)}
		ok := true
		handlers := d.patternRule(what, &f.ID, &f.Lang, &f.Pattern, &f.pat, &f.at, &ok)
		handlers["category"] = func(v *yaml.Node) {
			var good bool
			f.Category, good = d.category(v, what+".category")
			ok = ok && good
		}
		handlers["severity"] = func(v *yaml.Node) {
			var good bool
			f.Severity, good = d.severity(v, what+".severity")
			ok = ok && good
		}
		seen := d.fields(item, what, handlers)
		d.require(item, seen, what, "id", "category", "pattern")
		if ok && seen["id"] != nil && seen["category"] != nil && seen["pattern"] != nil {
			d.l.frames = append(d.l.frames, f)
		}
	})
}

// cueKinds are the kinds a cue may have.
var cueKinds = []string{string(filters.CueReport), string(filters.CueNegation), string(filters.CueCounter), string(filters.CueIdiom), string(filters.CueSelf)}

func (d *fileDecoder) cues(n *yaml.Node) {
	d.items(n, "cues", func(i int, item *yaml.Node) {
		what := fmt.Sprintf("cues[%d]", i)
		c := cueEntry{Cue: filters.Cue{Source: d.source(item)}, at: d.at(item)}
		ok := true
		var quotedAt *yaml.Node
		handlers := d.patternRule(what, &c.ID, &c.Lang, &c.Pattern, &c.pat, &c.at, &ok)
		handlers["kind"] = func(v *yaml.Node) {
			s, good := d.oneOf(v, what+".kind", cueKinds...)
			c.Kind = filters.CueKind(s)
			ok = ok && good
		}
		handlers["after"] = func(v *yaml.Node) {
			var good bool
			c.After, good = d.integer(v, what+".after", 0, 64)
			ok = ok && good
		}
		handlers["before"] = func(v *yaml.Node) {
			var good bool
			c.Before, good = d.integer(v, what+".before", 0, 64)
			ok = ok && good
		}
		handlers["message"] = func(v *yaml.Node) {
			var good bool
			c.Message, good = d.boolean(v, what+".message")
			ok = ok && good
		}
		handlers["quoted"] = func(v *yaml.Node) {
			var good bool
			c.Quoted, good = d.boolean(v, what+".quoted")
			quotedAt = v
			ok = ok && good
		}
		handlers["categories"] = func(v *yaml.Node) {
			c.Categories = []filters.Category{}
			d.items(v, what+".categories", func(j int, item *yaml.Node) {
				cat, good := d.category(item, fmt.Sprintf("%s.categories[%d]", what, j))
				ok = ok && good
				c.Categories = append(c.Categories, cat)
			})
		}
		seen := d.fields(item, what, handlers)
		d.require(item, seen, what, "id", "kind", "pattern")
		if c.Quoted && !c.Message {
			d.errorf(quotedAt, "%s.quoted: quoted only applies with message: true", what)
			ok = false
		}
		if ok && seen["id"] != nil && seen["kind"] != nil && seen["pattern"] != nil {
			d.l.cues = append(d.l.cues, c)
		}
	})
}

// testActions are the values of a test's expect.
var testActions = []string{string(filters.Allow), string(filters.Alert), string(filters.Remove)}

func (d *fileDecoder) tests(n *yaml.Node) {
	d.items(n, "tests", func(i int, item *yaml.Node) {
		what := fmt.Sprintf("tests[%d]", i)
		t := Test{File: d.file, Line: max(item.Line, 1)}
		ok := true
		seen := d.fields(item, what, map[string]func(*yaml.Node){
			"text": func(v *yaml.Node) {
				var good bool
				t.Text, good = d.str(v, what+".text")
				if good && strings.TrimSpace(t.Text) == "" {
					d.errorf(v, "%s.text: empty text", what)
					good = false
				}
				ok = ok && good
			},
			"lang": func(v *yaml.Node) {
				s, good := d.str(v, what+".lang")
				if good {
					t.Lang, good = d.langName(s, v, what+".lang", false)
				}
				ok = ok && good
			},
			"expect": func(v *yaml.Node) {
				s, good := d.oneOf(v, what+".expect", testActions...)
				t.Expect = filters.Action(s)
				ok = ok && good
			},
			"category": func(v *yaml.Node) {
				var good bool
				t.Category, good = d.category(v, what+".category")
				ok = ok && good
			},
		})
		d.require(item, seen, what, "text", "expect")
		if ok && seen["text"] != nil && seen["expect"] != nil {
			d.l.tests = append(d.l.tests, t)
		}
	})
}

// appendUnique appends the elements of v that are not yet in s.
func appendUnique[T comparable](s []T, v ...T) []T {
	seen := make(map[T]bool, len(s)+len(v))
	for _, x := range s {
		seen[x] = true
	}
	for _, x := range v {
		if !seen[x] {
			seen[x] = true
			s = append(s, x)
		}
	}
	return s
}
