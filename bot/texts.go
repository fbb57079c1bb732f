package bot

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/vigie-edu/vigie/filters"
)

// TextData is what every text template receives. Each text uses the
// fields that make sense for it; the others are empty.
type TextData struct {
	Recipient     string // name of the person the text is for
	Author        string // the student's display name (or id)
	AuthorID      string // the student's user id
	Class         string // class name (or id)
	Channel       string // channel name (or id)
	Time          string // when it happened, formatted for the locale
	Category      string // main category, in plain words
	Categories    string // every category, in plain words, comma-separated
	Rule          string // the rule broken, in plain words
	Where         string // "in an attachment", "in a link preview", or empty
	Removed       bool   // the message was (or, in dry run, would have been) removed
	DryRun        bool   // the class is in dry run
	Steps         string // what Vigie did, one localised line per step
	IncidentID    string // incident id in the store
	Count         int    // summaries, escalation and status: a number of messages or incidents
	Kept          int    // summaries: grouped messages that were not removed
	Window        string // summaries and escalation: the time window
	Breakdown     string // summaries: "insult ×9, porn_link ×3"
	Summary       string // channel notices: the short notice
	Version       string // status: rules version
	Route         string // status and setup: where alerts go
	Lang          string // setup: the class's locale
	RetentionDays int    // introduction: how long evidence is kept
	Link          string // console: the one-time sign-in link
	// Step lines (keys step.*).
	Name, Status, Target, Detail, Permission, Duration string
}

// DefaultTexts returns a copy of the compiled-in texts (French and
// English): every key the bot uses, with its default template.
func DefaultTexts() Texts {
	out := make(Texts, len(defaultTexts))
	for loc, m := range defaultTexts {
		out[loc] = maps.Clone(m)
	}
	return out
}

// DefaultHelplines returns a copy of the compiled-in helplines (France),
// per locale.
func DefaultHelplines() map[string][]Helpline {
	out := make(map[string][]Helpline, len(defaultHelplines))
	for loc, hs := range defaultHelplines {
		out[loc] = slices.Clone(hs)
	}
	return out
}

// sampleData fills every field so that Validate runs every branch a
// template may take on data.
var sampleData = TextData{
	Recipient: "Alex", Author: "Alex", AuthorID: "1", Class: "4e B", Channel: "général",
	Time: "2025-01-02 10:00 UTC", Category: "insult", Categories: "insult", Rule: "rule",
	Where: "in an attachment", Removed: true, DryRun: true, Steps: "✔ message removed", IncidentID: "1",
	Count: 2, Kept: 1, Window: "2 minutes", Breakdown: "insult ×2", Summary: "summary", Version: "1", Route: "#alerts",
	Lang: "fr", RetentionDays: 365, Link: "https://vigie.example/console/login?t=x", Name: "delete", Status: "ok", Target: "Sam", Detail: "detail",
	Permission: "Manage Messages", Duration: "10m0s",
}

// Validate parses every template and runs it on sample data; it reports
// every failure at once (for `vigie rules lint`). Keys the bot does not
// know are allowed: a school may keep texts for later versions.
func (t Texts) Validate() error {
	var errs []error
	for _, loc := range slices.Sorted(maps.Keys(t)) {
		for _, key := range slices.Sorted(maps.Keys(t[loc])) {
			tmpl, err := parseText(loc, key, t[loc][key])
			if err == nil {
				err = tmpl.Execute(new(strings.Builder), sampleData)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("texts.%s.%s: %w", loc, key, err))
			}
		}
	}
	return errors.Join(errs...)
}

func parseText(loc, key, src string) (*template.Template, error) {
	return template.New(loc + "." + key).Option("missingkey=error").Parse(src)
}

// texts are the compiled texts and helplines of one rules snapshot.
type texts struct {
	cfg       map[string]map[string]*template.Template
	builtin   map[string]map[string]*template.Template
	helplines map[string][]Helpline
}

// compileTexts compiles the configured texts over the compiled-in ones.
// A configured template that does not parse is left out (the default
// is used) and reported in the returned error, which is only a warning.
func compileTexts(cfg Texts, helplines map[string][]Helpline) (*texts, error) {
	var errs []error
	compile := func(src Texts, keepErrs bool) map[string]map[string]*template.Template {
		out := make(map[string]map[string]*template.Template, len(src))
		for loc, m := range src {
			out[loc] = make(map[string]*template.Template, len(m))
			for key, s := range m {
				tmpl, err := parseText(loc, key, s)
				if err != nil {
					if keepErrs {
						errs = append(errs, fmt.Errorf("texts.%s.%s: %w", loc, key, err))
					}
					continue
				}
				out[loc][key] = tmpl
			}
		}
		return out
	}
	t := &texts{
		cfg:       compile(cfg, true),
		builtin:   compile(defaultTexts, false),
		helplines: helplines,
	}
	return t, errors.Join(errs...)
}

// baseLocale returns the language of a locale ("fr-CA" → "fr").
func baseLocale(loc string) string {
	if i := strings.IndexAny(loc, "-_"); i > 0 {
		return strings.ToLower(loc[:i])
	}
	return strings.ToLower(loc)
}

// render executes the text key for locale loc: the configured text of
// the locale, then the default one, then those of the locale's language,
// then the English default. A template that fails to execute gives way
// to the next one, so that a mistake in a school's texts never silences
// a notice or an alert.
func (t *texts) render(loc, key string, d TextData) string {
	base := baseLocale(loc)
	candidates := [...]*template.Template{
		t.cfg[loc][key], t.builtin[loc][key], t.cfg[base][key], t.builtin[base][key], t.builtin["en"][key],
	}
	for _, tmpl := range candidates {
		if tmpl == nil {
			continue
		}
		var sb strings.Builder
		if err := tmpl.Execute(&sb, d); err == nil {
			return sb.String()
		}
	}
	return key
}

// has reports whether key has a text for loc (configured or default).
func (t *texts) has(loc, key string) bool {
	base := baseLocale(loc)
	return t.cfg[loc][key] != nil || t.builtin[loc][key] != nil || t.cfg[base][key] != nil ||
		t.builtin[base][key] != nil || t.builtin["en"][key] != nil
}

// category returns a category in plain words.
func (t *texts) category(loc string, c filters.Category) string {
	key := "category." + string(c)
	if !t.has(loc, key) {
		return strings.ReplaceAll(string(c), "_", " ")
	}
	return t.render(loc, key, TextData{})
}

// rule returns the rule a category breaks, in plain words.
func (t *texts) rule(loc string, c filters.Category) string {
	key := "rule." + string(c)
	if !t.has(loc, key) {
		key = "rule.other"
	}
	return t.render(loc, key, TextData{})
}

// formatTime formats a time for a locale, in UTC with the zone shown.
func formatTime(loc string, tm time.Time) string {
	tm = tm.UTC()
	if baseLocale(loc) == "fr" {
		return tm.Format("02/01/2006 à 15:04 MST")
	}
	return tm.Format("2006-01-02 15:04 MST")
}

// Situations for which helplines are shown (Helpline.When).
const (
	whenAlways  = "always"
	whenSelf    = "self_harm"
	whenDanger  = "danger"
	whenIllegal = "illegal_content"
)

// helplinesFor returns the helplines of a locale shown in any of the
// situations (a helpline with no When is shown always).
func (t *texts) helplinesFor(loc string, situations ...string) []Helpline {
	hs := t.helplines[loc]
	if len(hs) == 0 {
		hs = t.helplines[baseLocale(loc)]
	}
	if len(hs) == 0 {
		hs = defaultHelplines[baseLocale(loc)]
	}
	if len(hs) == 0 {
		hs = defaultHelplines["en"]
	}
	var out []Helpline
	for _, h := range hs {
		if len(h.When) == 0 || slices.Contains(h.When, whenAlways) {
			out = append(out, h)
			continue
		}
		for _, s := range situations {
			if slices.Contains(h.When, s) {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// helplineBlock renders the helplines as a footer: a title and one line
// per helpline ("**3018** (3018) — free, anonymous, confidential —
// https://3018.fr").
func (t *texts) helplineBlock(loc string, situations ...string) string {
	hs := t.helplinesFor(loc, situations...)
	if len(hs) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString("**" + t.render(loc, "helplines.title", TextData{}) + "**")
	for _, h := range hs {
		sb.WriteString("\n• **" + h.Name + "**")
		if h.Number != "" && h.Number != h.Name && !strings.HasPrefix(h.Name, h.Number) {
			sb.WriteString(" (" + h.Number + ")")
		}
		if h.Description != "" {
			sb.WriteString(" — " + h.Description)
		}
		if h.URL != "" {
			sb.WriteString(" — " + h.URL)
		}
	}
	return sb.String()
}
