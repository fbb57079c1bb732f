package rules

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/filters"
)

// testDefaults stands in for the embedded defaults, so that merge tests
// do not depend on the words other fragments hold.
var testDefaults = fstest.MapFS{
	"10-base.yaml": {Data: []byte(`
languages: [fr, en]
default_lang: fr
min_lang_confidence: 0.5
personal_info: true
actions: {insult: remove, profanity: alert}
`)},
	"20-lexicon.yaml": {Data: []byte(`
categories: [gossip]
lexicon:
  fr:
    insult: [connard, {term: con, severity: low, lang_dependent: true}]
    gossip: [ragot]
  en:
    insult: [jerk]
allow:
  fr: [analyse, "concours*"]
terms:
  fr:
    fr_you: [t es]
`)},
	"30-override.yaml": {Data: []byte(`
lexicon:
  en:
    insult: [{term: Jerk, severity: high}]
`)},
	"40-links.yaml": {Data: []byte(`
links:
  block: {porn_link: [a.example.com, b.example.com]}
  lists: [{path: domains/adult, format: ut1, category: porn_link}]
  shorteners: [bit.ly]
  adult_tlds: [xxx]
tests:
  - {text: "va sur a.example.com", expect: remove, category: porn_link}
`)},
	"domains/adult": {Data: []byte("c.example.com\nd.example.com\n")},
	"50-context.yaml": {Data: []byte(`
frames:
  - {id: fr.f1, lang: fr, category: insult, pattern: "@fr_you ~2 @lex:insult"}
cues:
  - {id: fr.c1, lang: fr, kind: report, pattern: "m a traite* de?", after: 4}
tests:
  - {text: "t'es qu'un connard", expect: remove}
`)},
	"80-policy.yaml": {Data: []byte(`
policy:
  locale: fr
  notify_author: true
  teacher_roles: [Professeur]
  actions: {insult: remove}
  escalation: {after: 3, window: 10m, duration: 10m, mode: timeout}
texts:
  fr: {notice.author: "retiré", alert.title: "alerte"}
  en: {notice.author: "removed"}
helplines:
  fr:
    - {name: "3018", number: "3018"}
    - {name: "119", number: "119"}
`)},
	"README.md": {Data: []byte("not a fragment")},
}

func loadTest(t *testing.T, school string, dir fstest.MapFS) *Rules {
	t.Helper()
	r, err := load(testDefaults, "school.yaml", []byte(school), fsSource{fsys: dir})
	if err != nil {
		t.Fatalf("load:\n%v", err)
	}
	return r
}

func findEntry(r *Rules, lang, term string) *filters.Entry {
	for i, e := range r.Filters.Lexicon {
		if e.Lang == lang && termKey(e.Term) == termKey(term) {
			return &r.Filters.Lexicon[i]
		}
	}
	return nil
}

func TestDefaultsOnly(t *testing.T) {
	r, err := load(testDefaults, "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(r.Filters.Lexicon); got != 4 {
		t.Errorf("lexicon has %d entries, want 4", got)
	}
	// A later fragment replaces an earlier entry with the same (lang, term).
	if e := findEntry(r, "en", "jerk"); e == nil || e.Severity != filters.High || e.Source != "defaults/30-override.yaml:4" {
		t.Errorf("en jerk = %+v, want the high entry of 30-override.yaml", e)
	}
	// The defaults' tests are those of every fragment.
	if len(r.Tests) != 2 || r.Tests[0].File != "defaults/40-links.yaml" || r.Tests[1].Line != 7 {
		t.Errorf("tests = %+v", r.Tests)
	}
	if len(r.Files) != 0 {
		t.Errorf("Files = %v, want none (embedded files are not on disk)", r.Files)
	}
	var names []string
	for _, l := range r.Filters.Links.Lists {
		names = append(names, l.Name+"="+strings.Join(l.Domains, ","))
	}
	if got, want := strings.Join(names, " "), "block:porn_link=a.example.com,b.example.com domains/adult=c.example.com,d.example.com"; got != want {
		t.Errorf("links lists = %s, want %s", got, want)
	}
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name   string
		school string
		check  func(t *testing.T, r *Rules)
	}{
		{
			name:   "a school changes a default word's severity",
			school: "lexicon: {fr: {insult: [{term: Connard, severity: critical}]}}",
			check: func(t *testing.T, r *Rules) {
				e := findEntry(r, "fr", "connard")
				if e == nil || e.Severity != filters.Critical || !strings.HasPrefix(e.Source, "school.yaml:") {
					t.Errorf("fr connard = %+v, want the school's critical entry", e)
				}
				if n := len(r.Filters.Lexicon); n != 4 {
					t.Errorf("lexicon has %d entries, want 4 (replaced, not added)", n)
				}
			},
		},
		{
			name:   "lists append",
			school: "lexicon: {fr: {insult: [bouffon]}}\nallow: {any: [scunthorpe]}\nterms: {fr: {fr_you: [tu es, t es]}}",
			check: func(t *testing.T, r *Rules) {
				if findEntry(r, "fr", "bouffon") == nil || findEntry(r, "fr", "connard") == nil {
					t.Error("school words should add to the defaults")
				}
				if len(r.Filters.Allow) != 3 || r.Filters.Allow[2].Lang != "" || r.Filters.Allow[1].Mode != filters.Prefix {
					t.Errorf("allow = %+v", r.Filters.Allow)
				}
				if len(r.Filters.Terms) != 1 || !slices.Equal(r.Filters.Terms[0].Terms, []string{"t es", "tu es"}) {
					t.Errorf("terms = %+v, want fr_you [t es, tu es]", r.Filters.Terms)
				}
			},
		},
		{
			name:   "maps merge key by key",
			school: "actions: {profanity: remove}\ntexts: {fr: {notice.author: \"enlevé\"}}\nretention_days: 180",
			check: func(t *testing.T, r *Rules) {
				want := map[filters.Category]filters.Action{filters.Insult: filters.Remove, filters.Profanity: filters.Remove}
				if !mapsEqual(r.Filters.Actions, want) {
					t.Errorf("actions = %v, want %v", r.Filters.Actions, want)
				}
				if r.Bot.RetentionDays != 180 {
					t.Errorf("retention days = %d, want 180", r.Bot.RetentionDays)
				}
				if fr := r.Bot.Texts["fr"]; fr["notice.author"] != "enlevé" || fr["alert.title"] != "alerte" || r.Bot.Texts["en"]["notice.author"] != "removed" {
					t.Errorf("texts = %v", r.Bot.Texts)
				}
			},
		},
		{
			name: "remove takes default entries out",
			school: `remove:
  lexicon: {fr: [Connard]}
  allow: {fr: ["concours*"]}
  frames: [fr.f1]
  cues: [fr.c1]
  domains: [b.example.com, d.example.com, bit.ly]`,
			check: func(t *testing.T, r *Rules) {
				if findEntry(r, "fr", "connard") != nil || findEntry(r, "fr", "con") == nil {
					t.Error("remove.lexicon should remove connard only")
				}
				if len(r.Filters.Allow) != 1 || r.Filters.Allow[0].Term != "analyse" {
					t.Errorf("allow = %+v", r.Filters.Allow)
				}
				if len(r.Filters.Frames) != 0 || len(r.Filters.Cues) != 0 {
					t.Errorf("frames %v, cues %v: want none", r.Filters.Frames, r.Filters.Cues)
				}
				L := r.Filters.Links
				if len(L.Lists) != 2 || !slices.Equal(L.Lists[0].Domains, []string{"a.example.com"}) || !slices.Equal(L.Lists[1].Domains, []string{"c.example.com"}) || len(L.Shorteners) != 0 {
					t.Errorf("links = %+v", L)
				}
			},
		},
		{
			name:   "a frame with a default's id replaces it; school frames use default term sets and categories",
			school: "frames:\n  - {id: fr.f1, lang: fr, category: gossip, pattern: \"@fr_you @lex:gossip\"}\n  - {id: s.f2, category: insult, pattern: \"sale @lex:insult\"}",
			check: func(t *testing.T, r *Rules) {
				if len(r.Filters.Frames) != 2 || r.Filters.Frames[0].Category != "gossip" || r.Filters.Frames[0].Severity != filters.Medium {
					t.Errorf("frames = %+v", r.Filters.Frames)
				}
			},
		},
		{
			name:   "languages replace; the file's tests are its own",
			school: "languages: [en]\ndefault_lang: en\ntests: [{text: hello, expect: allow}]",
			check: func(t *testing.T, r *Rules) {
				if !slices.Equal(r.Filters.Languages, []string{"en"}) || r.Filters.DefaultLang != "en" || r.Filters.MinLangConfidence != 0.5 {
					t.Errorf("languages %v default %s conf %v", r.Filters.Languages, r.Filters.DefaultLang, r.Filters.MinLangConfidence)
				}
				if len(r.Tests) != 1 || r.Tests[0].File != "school.yaml" || r.Tests[0].Line != 3 || r.Tests[0].Expect != filters.Allow {
					t.Errorf("tests = %+v", r.Tests)
				}
			},
		},
		{
			name: "policy: the file's lists append to the defaults', a class's replace; classes are the school's",
			school: `policy: {teacher_roles: [Prof], alert_channel: alertes, escalation: {after: 5}}
classes:
  - {name: "4e B", platform: discord, id: "1", policy: {teacher_roles: [Enseignant], actions: {profanity: remove}, escalation: {mode: alert_only}}}
  - {name: "Seconde", platform: mattermost, id: team, channels: [a, b]}
helplines:
  fr: [{name: "119", number: "119", url: "https://allo119.gouv.fr"}]`,
			check: func(t *testing.T, r *Rules) {
				d := r.Bot.Default
				if d.Locale != "fr" || !d.NotifyAuthor || d.AlertChannel != "alertes" || !slices.Equal(d.TeacherRoles, []string{"Professeur", "Prof"}) {
					t.Errorf("default policy = %+v", d)
				}
				if d.Escalation != (bot.Escalation{After: 5, Window: 10 * time.Minute, Duration: 10 * time.Minute, Mode: "timeout"}) {
					t.Errorf("default escalation = %+v", d.Escalation)
				}
				if len(r.Bot.Classes) != 2 {
					t.Fatalf("classes = %+v", r.Bot.Classes)
				}
				c := r.Bot.Classes[0].Policy
				if !slices.Equal(c.TeacherRoles, []string{"Enseignant"}) || c.AlertChannel != "alertes" || c.Escalation.Mode != "alert_only" || c.Escalation.After != 5 {
					t.Errorf("class policy = %+v", c)
				}
				if c.Actions[filters.Profanity] != filters.Remove || c.Actions[filters.Insult] != filters.Remove || d.Actions[filters.Profanity] != "" {
					t.Errorf("class actions %v, default actions %v", c.Actions, d.Actions)
				}
				if s := r.Bot.Classes[1]; s.Platform != bot.Mattermost || !slices.Equal(s.Channels, []string{"a", "b"}) || !slices.Equal(s.Policy.TeacherRoles, d.TeacherRoles) {
					t.Errorf("class 2 = %+v", s)
				}
				h := r.Bot.Helplines["fr"]
				if len(h) != 2 || h[1].URL != "https://allo119.gouv.fr" {
					t.Errorf("helplines = %+v, want 119 replaced in place", h)
				}
			},
		},
		{
			name:   "extends none starts from nothing",
			school: "extends: none\nlanguages: [de]\ndefault_lang: de\nlexicon: {de: {insult: [idiot]}}",
			check: func(t *testing.T, r *Rules) {
				if len(r.Filters.Lexicon) != 1 || len(r.Filters.Links.Lists) != 0 || len(r.Filters.Actions) != 0 || r.Filters.PersonalInfo || r.Bot.Default.Locale != "" {
					t.Errorf("rules = %+v", r.Filters)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, loadTest(t, tt.school, nil))
		})
	}
}

func mapsEqual[K, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestMergeErrors(t *testing.T) {
	tests := []struct{ school, want string }{
		{"remove: {lexicon: {fr: [bouffon]}}", `school.yaml:1:25: remove.lexicon: "bouffon" is not in the rules this file extends`},
		{"remove: {allow: {fr: [concours]}}", `school.yaml:1:23: remove.allow: "concours" is not in the rules this file extends`},
		{"remove: {domains: [e.example.com]}", `school.yaml:1:20: remove.domains: "e.example.com" is not in the rules this file extends`},
		{"frames: [{id: x, lang: en, category: insult, pattern: \"@fr_you x\"}]", `school.yaml:1:55: frame "x": pattern: @fr_you: no term set "fr_you" under terms.en or any`},
		{"languages: [en]", `school.yaml:1:12: default_lang: "fr" is not among the languages [en]`},
		{"extends: none\nlexicon: {fr: {gossip: [x]}}", `school.yaml:2:16: lexicon.fr: unknown category "gossip"`},
		{"policy: {locale: de}", `school.yaml:1:18: locale: no texts for locale "de" (texts has [en fr])`},
	}
	for _, tt := range tests {
		_, err := load(testDefaults, "school.yaml", []byte(tt.school), fsSource{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("load(%q) = %v, want an error containing %q", tt.school, err, tt.want)
		}
	}
}

func TestBrokenDefaults(t *testing.T) {
	broken := fstest.MapFS{
		"10-base.yaml": {Data: []byte("languages: [fr]\ndefault_lang: fr\n")},
		"20-bad.yaml":  {Data: []byte("extends: none\nlexicon: {fr: {insult: [{term: x, mode: nope}]}}\n")},
	}
	_, err := load(broken, "school.yaml", []byte("lexicon: {fr: {insult: [y]}}"), fsSource{})
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 || list[0].File != "defaults/20-bad.yaml" {
		t.Fatalf("err = %v, want the two errors of defaults/20-bad.yaml", err)
	}
}
