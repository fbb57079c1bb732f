package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigie-edu/vigie/filters"
)

// Test is a case of a rules file's `tests:` section.
type Test struct {
	Text     string
	Lang     string // language hint; empty: detected
	Expect   filters.Action
	Category filters.Category // when set, must be among the verdict's categories
	File     string
	Line     int
}

// TestResult is the outcome of one test.
type TestResult struct {
	Test    Test
	Verdict filters.Verdict
	Pass    bool
	Why     string // for a failure: what differs and what the classifier found
}

// RunTests classifies every test's text with c and compares the verdict
// with the expectation. It stops early when ctx is done: the tests not
// run fail with the context's error as their reason.
func RunTests(ctx context.Context, c *filters.Classifier, tests []Test) []TestResult {
	results := make([]TestResult, len(tests))
	for i, t := range tests {
		results[i].Test = t
		if err := ctx.Err(); err != nil {
			results[i].Why = "not run: " + err.Error()
			continue
		}
		v := c.Classify(ctx, filters.Message{Text: t.Text, Lang: t.Lang})
		results[i].Verdict = v
		results[i].Pass, results[i].Why = judge(t, &v)
	}
	return results
}

// judge compares a verdict with a test's expectation.
func judge(t Test, v *filters.Verdict) (bool, string) {
	var problems []string
	if v.Action != t.Expect {
		problems = append(problems, fmt.Sprintf("expected %s, got %s", t.Expect, v.Action))
	}
	if t.Category != "" && !v.Has(t.Category) {
		problems = append(problems, fmt.Sprintf("expected category %s", t.Category))
	}
	if len(problems) == 0 {
		return true, ""
	}
	return false, strings.Join(problems, "; ") + " (" + Explain(v) + ")"
}

// Explain sums up a verdict on one line: its categories and the rules
// that matched or were suppressed, without quoting the message.
func Explain(v *filters.Verdict) string {
	var parts []string
	if len(v.Categories) == 0 {
		parts = append(parts, "no finding")
	} else {
		var cats []string
		for _, c := range v.Categories {
			cats = append(cats, fmt.Sprintf("%s %s", c.Name, c.Severity))
		}
		parts = append(parts, "categories: "+strings.Join(cats, ", "))
	}
	if len(v.Findings) > 0 {
		var rules []string
		for _, f := range v.Findings {
			rules = append(rules, f.Rule)
		}
		parts = append(parts, "matched: "+strings.Join(rules, ", "))
	}
	if len(v.Suppressed) > 0 {
		var sup []string
		for _, s := range v.Suppressed {
			sup = append(sup, fmt.Sprintf("%s (%s by %s)", s.Rule, s.Reason, s.By))
		}
		parts = append(parts, "suppressed: "+strings.Join(sup, ", "))
	}
	if v.Lang != "" {
		parts = append(parts, fmt.Sprintf("lang %s %.2f %s", v.Lang, v.LangConfidence, v.LangSource))
	}
	return strings.Join(parts, "; ")
}
