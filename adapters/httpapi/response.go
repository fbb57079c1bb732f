package httpapi

import (
	"time"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/filters"
)

// ModerateResponse is the answer of POST /v1/moderate and one result of
// a batch.
type ModerateResponse struct {
	// Action is what the class's policy decided: "allow", "alert" (keep
	// the message, teachers alerted) or "remove" (remove it: Vigie cannot
	// remove it from the caller's system, the caller does).
	Action string `json:"action"`
	// Categories found, with their highest severity.
	Categories []CategoryScore `json:"categories"`
	// Language of the message (ISO 639-1), where it came from ("hint":
	// the request's lang, "detected", "default": the class's language)
	// and the detector's confidence.
	Language           string  `json:"language"`
	LanguageSource     string  `json:"language_source"`
	LanguageConfidence float64 `json:"language_confidence"`
	// Matches are the findings, with their rule ids and byte spans in
	// the request's text.
	Matches []Match `json:"matches"`
	// IncidentID is the recorded incident, when the action is not allow
	// (empty if the store failed; see Steps).
	IncidentID string `json:"incident_id,omitempty"`
	// DryRun: the class is in dry run.
	DryRun bool `json:"dry_run"`
	// Exempt says why the message was not judged (exempt_user, …).
	Exempt string `json:"exempt,omitempty"`
	// Steps are what Vigie did about the incident (alert by webhook,
	// notices) and how each went.
	Steps []Step `json:"steps,omitempty"`
	// Messages are what Vigie would send by direct message on a chat
	// platform (the calm notice to the author, with the helplines), for
	// the caller to show.
	Messages []DirectMessage `json:"messages,omitempty"`
	// RulesVersion names the rules in force.
	RulesVersion string `json:"rules_version"`
}

// CategoryScore is a category found and its highest severity.
type CategoryScore struct {
	Name     string `json:"name"`
	Severity string `json:"severity"` // low, medium, high, critical
}

// Match is one finding.
type Match struct {
	Rule     string `json:"rule"`
	Category string `json:"category"`
	Severity string `json:"severity"`
	Span     Span   `json:"span"`
	Text     string `json:"text"`
	Lang     string `json:"lang,omitempty"`
	Detail   string `json:"detail,omitempty"`
}

// Span is a half-open range [start, end) of byte offsets in the text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Step is the outcome of one thing Vigie did about an incident.
type Step struct {
	Name   string    `json:"name"`
	Target string    `json:"target,omitempty"`
	Status string    `json:"status"` // ok, failed, skipped, dry_run
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}

// DirectMessage is a message Vigie addressed to a user.
type DirectMessage struct {
	To     string `json:"to"`
	Title  string `json:"title,omitempty"`
	Body   string `json:"body"`
	Footer string `json:"footer,omitempty"`
	Urgent bool   `json:"urgent,omitempty"`
}

// BatchResponse is the answer of POST /v1/moderate/batch: one result per
// item, in order.
type BatchResponse struct {
	Results []ModerateResponse `json:"results"`
}

// response builds the answer from what the bot did.
func response(res *bot.Result, msgs []DirectMessage, version string) ModerateResponse {
	out := ModerateResponse{
		Action: string(res.Action), Categories: []CategoryScore{}, Matches: []Match{},
		IncidentID: res.IncidentID, DryRun: res.DryRun, Exempt: res.Exempt, Messages: msgs, RulesVersion: version,
	}
	if out.Action == "" {
		out.Action = string(filters.Allow)
	}
	if v := res.Verdict; v != nil {
		out.Language, out.LanguageSource, out.LanguageConfidence = v.Lang, string(v.LangSource), v.LangConfidence
		for _, c := range v.Categories {
			out.Categories = append(out.Categories, CategoryScore{Name: string(c.Name), Severity: c.Severity.String()})
		}
		for _, f := range v.Findings {
			out.Matches = append(out.Matches, Match{
				Rule: f.Rule, Category: string(f.Category), Severity: f.Severity.String(),
				Span: Span{Start: f.Span.Start, End: f.Span.End}, Text: f.Text, Lang: f.Lang, Detail: f.Detail,
			})
		}
	}
	for _, s := range res.Steps {
		out.Steps = append(out.Steps, Step{Name: s.Name, Target: s.Target, Status: s.Status, Detail: s.Detail, At: s.At})
	}
	return out
}
