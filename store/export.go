package store

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// CSVColumns are the columns of WriteCSV, in order:
//
//	id              incident id
//	recorded        when it was recorded (RFC 3339, UTC)
//	time            when the message was posted (RFC 3339, UTC; empty if unknown)
//	platform        discord, mattermost, http
//	class_id, class_name, channel_id, channel_name, message_id
//	author_id, author_name
//	kind            message, edit, report
//	action          what the class's policy decided (allow, alert, remove)
//	verdict_action  what the classifier proposed
//	dry_run         true or false
//	categories      "category:severity" of each verdict category, separated by spaces
//	top_category    the category of highest severity
//	severity        low, medium, high, critical (empty when none)
//	lang            the message's language as judged
//	rules           the ids of the rules that matched, separated by spaces
//	spans           "start-end" byte offsets of each finding in text, separated by spaces
//	findings        one line per finding: "category severity rule start-end"
//	text            the evidence: the message's full text
//	attachments     attachment names and embed URLs, one per line
//	link            permalink to the message
//	steps           one line per step: "name target: status (detail)"
//	followed_up_at  when a teacher followed the incident up (RFC 3339, UTC)
//	followed_up_by, note
var CSVColumns = []string{
	"id", "recorded", "time", "platform", "class_id", "class_name", "channel_id", "channel_name",
	"message_id", "author_id", "author_name", "kind", "action", "verdict_action", "dry_run",
	"categories", "top_category", "severity", "lang", "rules", "spans", "findings", "text",
	"attachments", "link", "steps", "followed_up_at", "followed_up_by", "note",
}

// CSVOptions tune WriteCSVWith.
type CSVOptions struct {
	// BOM starts the output with a UTF-8 byte order mark, which
	// spreadsheet programs (Excel) need to read accents right.
	BOM bool
	// Comma separates fields (',' when zero); French spreadsheet
	// programs expect ';'.
	Comma rune
}

// WriteCSV writes incs as CSV, a header row (CSVColumns) then one row per
// incident. Verdict categories, rules, spans and steps are flattened
// into text columns. A cell that a spreadsheet program would take for a
// formula (starting with =, +, -, @, tab or carriage return) is prefixed
// with a single quote, so that a student's message cannot run in a
// teacher's spreadsheet; WriteJSON keeps the text as it is.
func WriteCSV(w io.Writer, incs []*Incident) error {
	return WriteCSVWith(w, incs, CSVOptions{})
}

// WriteCSVWith is WriteCSV with options.
func WriteCSVWith(w io.Writer, incs []*Incident, o CSVOptions) error {
	if o.BOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return fmt.Errorf("store: write CSV: %w", err)
		}
	}
	cw := csv.NewWriter(w)
	if o.Comma != 0 {
		cw.Comma = o.Comma
	}
	if err := cw.Write(CSVColumns); err != nil {
		return fmt.Errorf("store: write CSV: %w", err)
	}
	row := make([]string, len(CSVColumns))
	for _, in := range incs {
		csvRow(row, in)
		for i := range row {
			row[i] = defuseFormula(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("store: write CSV: incident %s: %w", in.ID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("store: write CSV: %w", err)
	}
	return nil
}

// csvRow fills row with the cells of in, in CSVColumns order.
func csvRow(row []string, in *Incident) {
	v := &in.Verdict
	var cats, rules, spans, findings, steps []string
	for _, c := range v.Categories {
		cats = append(cats, string(c.Name)+":"+c.Severity.String())
	}
	seen := map[string]bool{}
	for _, f := range v.Findings {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			rules = append(rules, f.Rule)
		}
		span := strconv.Itoa(f.Span.Start) + "-" + strconv.Itoa(f.Span.End)
		spans = append(spans, span)
		findings = append(findings, fmt.Sprintf("%s %s %s %s", f.Category, f.Severity, f.Rule, span))
	}
	for _, s := range in.Steps {
		steps = append(steps, StepSummary(s))
	}
	sev := ""
	if s := v.Severity(); s > 0 {
		sev = s.String()
	}
	followed := ""
	if in.FollowedUpAt != nil {
		followed = csvTime(*in.FollowedUpAt)
	}
	copy(row, []string{
		in.ID, csvTime(in.Recorded), csvTime(in.Time), in.Platform,
		in.ClassID, in.ClassName, in.ChannelID, in.ChannelName, in.MessageID,
		in.AuthorID, in.AuthorName, string(in.Kind), string(in.Action), string(v.Action),
		strconv.FormatBool(in.DryRun), strings.Join(cats, " "), string(in.TopCategory()), sev, v.Lang,
		strings.Join(rules, " "), strings.Join(spans, " "), strings.Join(findings, "\n"), in.Text,
		strings.Join(in.Attachments, "\n"), in.Link, strings.Join(steps, "\n"),
		followed, in.FollowedUpBy, in.Note,
	})
}

// StepSummary writes a step on one line: "name target: status (detail)",
// without the parts that are empty.
func StepSummary(s Step) string {
	var b strings.Builder
	b.WriteString(s.Name)
	if s.Target != "" {
		b.WriteString(" " + s.Target)
	}
	b.WriteString(": " + s.Status)
	if s.Detail != "" {
		b.WriteString(" (" + s.Detail + ")")
	}
	return b.String()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// defuseFormula prefixes with a single quote a cell that a spreadsheet
// program would evaluate as a formula.
func defuseFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// WriteJSON writes incs as an indented JSON array with every detail: the
// evidence, the full verdict (findings, spans, suppressions, links) and
// the steps. An empty list is written as [].
func WriteJSON(w io.Writer, incs []*Incident) error {
	if incs == nil {
		incs = []*Incident{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(incs); err != nil {
		return fmt.Errorf("store: write JSON: %w", err)
	}
	return nil
}
