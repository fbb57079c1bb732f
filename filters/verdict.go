// Package filters decides whether a chat message is harmful. It knows
// nothing of chat platforms: it takes text (and a few hints) and returns a
// Verdict that says what was found, where, by which rule, and what to do.
//
// A Classifier is built once from a Config (usually compiled by package
// rules from the embedded defaults and a school's rules file) and is then
// safe for concurrent use by any number of goroutines.
package filters

import (
	"fmt"
	"strings"
)

// Category names a kind of harm. The set is open (a school may add its
// own), but the engine and the default rules use the constants below.
type Category string

// The categories known to the default rules.
const (
	Insult       Category = "insult"
	Hate         Category = "hate"
	Sexual       Category = "sexual"
	Threat       Category = "threat"
	SelfHarm     Category = "self_harm"
	PersonalInfo Category = "personal_info"
	PornLink     Category = "porn_link"
	Shortener    Category = "shortener"
	Profanity    Category = "profanity"
)

// KnownCategories lists the categories the engine and the default rules
// understand, in the order reports show them.
var KnownCategories = []Category{Insult, Hate, Sexual, Threat, SelfHarm, PersonalInfo, PornLink, Shortener, Profanity}

// Severity grades a finding from 1 (mild) to 4 (severe).
type Severity int

// Severities.
const (
	Low      Severity = 1
	Medium   Severity = 2
	High     Severity = 3
	Critical Severity = 4
)

// String returns the severity's name.
func (s Severity) String() string {
	switch s {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	case Critical:
		return "critical"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads a severity written as a name or a digit 1–4.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "low":
		return Low, nil
	case "2", "medium":
		return Medium, nil
	case "3", "high":
		return High, nil
	case "4", "critical":
		return Critical, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want low, medium, high, critical or 1–4)", s)
}

// Action is what should happen to a message.
type Action string

// Actions, from the mildest to the strongest.
const (
	Allow  Action = "allow"  // nothing to do
	Alert  Action = "alert"  // keep the message, alert a teacher
	Remove Action = "remove" // remove the message, keep the evidence, alert
)

// rank orders actions so that the strongest wins.
func (a Action) rank() int {
	switch a {
	case Remove:
		return 2
	case Alert:
		return 1
	}
	return 0
}

// Stronger reports whether a is a stronger action than b.
func (a Action) Stronger(b Action) bool { return a.rank() > b.rank() }

// ParseAction reads an action name.
func ParseAction(s string) (Action, error) {
	switch Action(s) {
	case Allow, Alert, Remove:
		return Action(s), nil
	}
	return "", fmt.Errorf("unknown action %q (want allow, alert or remove)", s)
}

// Span is a half-open range of byte offsets [Start, End) in the original
// message text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Finding is one thing a filter found in a message.
type Finding struct {
	Rule     string   `json:"rule"`           // rule id, e.g. "lex.fr.connard" or "link.domain"
	Category Category `json:"category"`       // kind of harm
	Severity Severity `json:"severity"`       // 1–4
	Span     Span     `json:"span"`           // where, in the original text
	Text     string   `json:"text"`           // the original text of the span
	Lang     string   `json:"lang,omitempty"` // language of the rule; empty for language-neutral rules
	Detail   string   `json:"detail,omitempty"`
}

// Suppression is a match that a rule would have made but that context
// cancelled: an allowlisted word, a report of an insult, negated or
// condemned hate, an idiom, or a rule of another language than the
// message's. Verdicts keep them so that `vigie check` can explain.
type Suppression struct {
	Finding
	Reason string `json:"reason"` // allowlist, report, negation, counter_speech, idiom, language
	By     string `json:"by"`     // id of the rule or list entry that suppressed it
}

// CategoryScore is a category present in a verdict with its highest
// severity.
type CategoryScore struct {
	Name     Category `json:"name"`
	Severity Severity `json:"severity"`
}

// LangSource says where a verdict's language came from.
type LangSource string

// Language sources.
const (
	LangHint     LangSource = "hint"     // given by the caller (the class, the API request)
	LangDetected LangSource = "detected" // detected with enough confidence
	LangDefault  LangSource = "default"  // detection not needed or not confident: the class's language
)

// Verdict is the classifier's answer for one message.
type Verdict struct {
	Action     Action          `json:"action"`
	Categories []CategoryScore `json:"categories"`
	// Lang is the language the verdict was judged in: the caller's
	// hint; else, when a finding depends on the language, the language
	// detected in the words around such findings (about 24 letters on
	// each side) or the class's when detection is not confident; else
	// the class's (or, with Message.Detect, the whole text's).
	Lang           string        `json:"lang"`
	LangConfidence float64       `json:"lang_confidence"`
	LangSource     LangSource    `json:"lang_source"`
	Findings       []Finding     `json:"matches"`
	Suppressed     []Suppression `json:"suppressed,omitempty"`
	Links          []Link        `json:"links,omitempty"`
}

// Severity returns the highest severity among the verdict's findings.
func (v *Verdict) Severity() Severity {
	var s Severity
	for _, c := range v.Categories {
		if c.Severity > s {
			s = c.Severity
		}
	}
	return s
}

// Has reports whether the verdict found category c.
func (v *Verdict) Has(c Category) bool {
	for _, cs := range v.Categories {
		if cs.Name == c {
			return true
		}
	}
	return false
}

// Link is a URL found in a message and how its host was classified.
type Link struct {
	URL      string   `json:"url"`                // as normalised (scheme, host, path)
	Host     string   `json:"host"`               // lower-case, punycode decoded to Unicode where valid
	Span     Span     `json:"span"`               // where, in the original text
	Category Category `json:"category,omitempty"` // porn_link, shortener, or empty when the host is not listed
	Reason   string   `json:"reason,omitempty"`   // e.g. "list:adult (default)", "tld:.xxx", "keyword:porn", "shortener"
}

// Message is what the classifier judges.
type Message struct {
	Text string
	// Lang, when set, is the message's language as known by the caller
	// (an ISO 639-1 code): detection is skipped.
	Lang string
	// DefaultLang is the class's language, used when the language is
	// needed but detection is not confident. Empty means the
	// classifier's configured default.
	DefaultLang string
	// Detect asks for language detection even when no finding depends on
	// it (for explanations such as `vigie check`).
	Detect bool
}
