package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// incidentsNow is the commands' clock in these tests.
var incidentsNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// testEnv is a fixed environment: the clock above, Central European
// Time, and the given variables.
func testEnv(vars map[string]string) incidentsEnv {
	return incidentsEnv{
		getenv: func(k string) string { return vars[k] },
		now:    func() time.Time { return incidentsNow },
		loc:    time.FixedZone("CET", 3600),
	}
}

// seedStore writes a store with four incidents and returns its path and
// the incidents' ids, oldest first.
func seedStore(t *testing.T) (string, []string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vigie.db")
	times := []time.Time{
		time.Date(2025, 1, 10, 8, 0, 0, 0, time.UTC), // old: purged by the default retention
		time.Date(2026, 2, 10, 14, 30, 0, 0, time.UTC),
		time.Date(2026, 3, 1, 9, 15, 0, 0, time.UTC),
		time.Date(2026, 3, 2, 10, 45, 0, 0, time.UTC),
	}
	i := 0
	s, err := store.OpenWith(ctx, path, store.Options{Now: func() time.Time {
		if i < len(times) {
			i++
			return times[i-1]
		}
		return times[len(times)-1].Add(time.Minute)
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	insult := filters.CategoryScore{Name: filters.Insult, Severity: filters.High}
	incs := []*store.Incident{
		{Platform: "discord", ClassID: "111", ClassName: "4e B", ChannelID: "222", ChannelName: "général",
			MessageID: "m0", AuthorID: "444", AuthorName: "Léa", Kind: store.KindMessage, Text: "ancien message",
			Verdict: filters.Verdict{Action: filters.Remove, Categories: []filters.CategoryScore{insult}}, Action: filters.Remove},
		{Platform: "mattermost", ClassID: "t1", ClassName: "2nde 4", ChannelID: "town-square",
			MessageID: "m1", AuthorID: "u9", Kind: store.KindReport, Text: "il me menace",
			Verdict: filters.Verdict{Action: filters.Alert, Categories: []filters.CategoryScore{{Name: filters.Threat, Severity: filters.Critical}}},
			Action:  filters.Alert},
		{Platform: "discord", ClassID: "111", ClassName: "4e B", ChannelID: "222", ChannelName: "général",
			MessageID: "m2", AuthorID: "555", AuthorName: "Tom\x1b[2J\nBis", Kind: store.KindMessage,
			Time: time.Date(2026, 3, 1, 9, 14, 59, 0, time.UTC),
			Text: "t'es qu'un connard\n\x1b]0;pwned\x07 \u202eetius",
			Link: "https://discord.com/channels/111/222/m2", Attachments: []string{"capture.png"},
			Verdict: filters.Verdict{Action: filters.Remove, Lang: "fr", LangConfidence: 0.9, LangSource: filters.LangDetected,
				Categories: []filters.CategoryScore{insult},
				Findings: []filters.Finding{{Rule: "lex.fr.connard", Category: filters.Insult, Severity: filters.High,
					Span: filters.Span{Start: 11, End: 18}, Text: "connard", Lang: "fr"}}},
			Action: filters.Remove,
			Steps: []store.Step{{Name: store.StepDelete, Status: store.StatusOK},
				{Name: store.StepNoticeAuthor, Target: "555", Status: store.StatusFailed, Detail: "direct messages closed"}}},
		{Platform: "discord", ClassID: "111", ClassName: "4e B", ChannelID: "223",
			MessageID: "m3", AuthorID: "444", AuthorName: "Léa", Kind: store.KindEdit, Text: "sale con",
			Verdict: filters.Verdict{Action: filters.Remove, Categories: []filters.CategoryScore{insult, {Name: filters.Hate, Severity: filters.Medium}}},
			Action:  filters.Remove, DryRun: true,
			Steps: []store.Step{{Name: store.StepDelete, Status: store.StatusDryRun}}},
	}
	ids := make([]string, len(incs))
	for j, in := range incs {
		if ids[j], err = s.Record(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.FollowUp(ctx, ids[2], "mme.martin", "Vu avec l'élève.", time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return path, ids
}

// runIncidents runs `vigie incidents ARGS` in env.
func runIncidents(t *testing.T, env incidentsEnv, args ...string) (string, string, error) {
	t.Helper()
	cmd := newIncidentsCmdEnv(env)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var out, errb bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// withIDs replaces the random incident ids by their index, padded to
// the same length, for golden files.
func withIDs(s string, ids []string) string {
	for i, id := range ids {
		s = strings.ReplaceAll(s, id, fmt.Sprintf("inc_%026d", i))
	}
	return s
}

func TestIncidentsListGolden(t *testing.T) {
	path, ids := seedStore(t)
	tests := []struct {
		golden string
		vars   map[string]string
		args   []string
	}{
		{"incidents/list.en.golden", map[string]string{"VIGIE_STORE": path, "LANG": "en_GB.UTF-8"}, nil},
		{"incidents/list.fr.golden", map[string]string{"VIGIE_STORE": path, "LANG": "fr_FR.UTF-8"}, nil},
		{"incidents/list.utc-limit.golden", map[string]string{"VIGIE_STORE": path}, []string{"--utc", "--limit", "2"}},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			out, _, err := runIncidents(t, testEnv(tc.vars), append([]string{"list"}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out, "connard") || strings.Contains(out, "menace") {
				t.Errorf("list shows message text:\n%s", out)
			}
			golden(t, tc.golden, withIDs(out, ids))
		})
	}
}

func TestIncidentsListFilters(t *testing.T) {
	path, ids := seedStore(t)
	env := testEnv(nil)
	tests := []struct {
		args []string
		want []int // indexes of the incidents listed, newest first
	}{
		{nil, []int{3, 2, 1, 0}},
		{[]string{"--class", "4e B"}, []int{3, 2, 0}},
		{[]string{"--class", "t1"}, []int{1}},
		{[]string{"--platform", "mattermost"}, []int{1}},
		{[]string{"--category", "hate"}, []int{3}},
		{[]string{"--author", "444"}, []int{3, 0}},
		{[]string{"--action", "alert"}, []int{1}},
		{[]string{"--since", "7d"}, []int{3, 2}},
		{[]string{"--since", "2026-02-01", "--until", "2026-03-01 10:15"}, []int{1}}, // 10:15 CET is 09:15 UTC: exclusive
		{[]string{"--since", "2026-02-01", "--until", "2026-03-01 10:16"}, []int{2, 1}},
		{[]string{"--utc", "--until", "2026-03-01 09:16"}, []int{2, 1, 0}},
		{[]string{"--limit", "1", "--offset", "1"}, []int{2}},
		{[]string{"--class", "none"}, nil},
	}
	for _, tc := range tests {
		out, _, err := runIncidents(t, env, append([]string{"--store", path, "list"}, tc.args...)...)
		if err != nil {
			t.Fatalf("list %v: %v", tc.args, err)
		}
		var got []int
		for i, id := range ids {
			if strings.Contains(out, id) {
				got = append(got, i)
			}
		}
		// Order: newest first.
		prev := -1
		for _, i := range tc.want {
			at := strings.Index(out, ids[i])
			if at < prev {
				t.Errorf("list %v: incidents out of order:\n%s", tc.args, out)
			}
			prev = at
		}
		if len(got) != len(tc.want) {
			t.Errorf("list %v: listed %v, want %v:\n%s", tc.args, got, tc.want, out)
		}
		if tc.want == nil && !strings.Contains(out, "No incidents.") {
			t.Errorf("list %v: %q, want No incidents.", tc.args, out)
		}
	}
}

func TestIncidentsShow(t *testing.T) {
	path, ids := seedStore(t)
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			out, _, err := runIncidents(t, testEnv(map[string]string{"VIGIE_STORE": path}), "show", "--lang", lang, ids[2])
			if err != nil {
				t.Fatal(err)
			}
			if strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, '\u202e') || strings.ContainsRune(out, 0x07) {
				t.Errorf("show lets control characters through:\n%q", out)
			}
			golden(t, "incidents/show."+lang+".golden", withIDs(out, ids))
		})
	}

	out, _, err := runIncidents(t, testEnv(nil), "--store", path, "show", "--json", ids[2])
	if err != nil {
		t.Fatal(err)
	}
	var incs []*store.Incident
	if err := json.Unmarshal([]byte(out), &incs); err != nil || len(incs) != 1 {
		t.Fatalf("show --json: %v\n%s", err, out)
	}
	if incs[0].Text != "t'es qu'un connard\n\x1b]0;pwned\x07 \u202eetius" || len(incs[0].Steps) != 2 {
		t.Errorf("show --json: text %q, %d steps", incs[0].Text, len(incs[0].Steps))
	}

	_, _, err = runIncidents(t, testEnv(nil), "--store", path, "show", "inc_missing")
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("show of a missing incident: %v, want ErrNotFound", err)
	}
}

func TestIncidentsExport(t *testing.T) {
	path, ids := seedStore(t)
	env := testEnv(map[string]string{"VIGIE_STORE": path})

	// CSV on the standard output is what store.WriteCSV makes of the list.
	out, _, err := runIncidents(t, env, "export", "--class", "4e B")
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	incs, err := s.List(context.Background(), store.Filter{Class: "4e B"})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := store.WriteCSV(&want, incs); err != nil {
		t.Fatal(err)
	}
	if out != want.String() {
		t.Errorf("export CSV differs from store.WriteCSV:\n%s\nwant\n%s", out, want.String())
	}
	if rows, err := csv.NewReader(strings.NewReader(out)).ReadAll(); err != nil || len(rows) != 4 {
		t.Errorf("export CSV: %d rows, %v; want a header and 3", len(rows), err)
	}

	// JSON to a file, readable by its owner only.
	file := filepath.Join(t.TempDir(), "export.json")
	_, stderr, err := runIncidents(t, env, "export", "--format", "json", "--since", "30d", "--out", file)
	if err != nil {
		t.Fatal(err)
	}
	if stderr != "Exported 3 incidents to "+file+".\n" {
		t.Errorf("stderr = %q", stderr)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(file)
	var back []*store.Incident
	if err := json.Unmarshal(data, &back); err != nil || len(back) != 3 || back[0].ID != ids[3] || back[1].Text != "t'es qu'un connard\n\x1b]0;pwned\x07 \u202eetius" {
		t.Errorf("export JSON: %v, %d incidents", err, len(back))
	}

	// For French spreadsheets.
	out, _, err = runIncidents(t, env, "export", "--bom", "--separator", ";", "--limit", "1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "\ufeffid;recorded;") || strings.Count(out, ids[3]) != 1 {
		t.Errorf("export --bom --separator ';' = %q", out[:min(len(out), 60)])
	}

	for _, args := range [][]string{
		{"export", "--format", "xml"},
		{"export", "--separator", ";;"},
		{"export", "--separator", `"`},
		{"export", "--since", "hier"},
		{"export", "--action", "delete"},
		{"export", "--limit", "-1"},
	} {
		if _, _, err := runIncidents(t, env, args...); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}

func TestIncidentsPurge(t *testing.T) {
	path, ids := seedStore(t)
	env := testEnv(map[string]string{"VIGIE_STORE": path, "LANG": "fr_FR.UTF-8"})
	out, _, err := runIncidents(t, env, "purge", "--dry-run", "--older-than", "30d")
	if err != nil {
		t.Fatal(err)
	}
	if out != "1 incident(s) enregistré(s) avant le 2026-01-31 13:00 seraient supprimé(s) (essai : rien n'est supprimé).\n" {
		t.Errorf("purge --dry-run: %q", out)
	}
	out, _, err = runIncidents(t, env, "purge") // the default: 365 days
	if err != nil {
		t.Fatal(err)
	}
	if out != "1 incident(s) enregistré(s) avant le 2025-03-02 13:00 supprimé(s).\n" {
		t.Errorf("purge: %q", out)
	}
	out, _, err = runIncidents(t, env, "--lang", "en", "purge", "--older-than", "2w")
	if err != nil {
		t.Fatal(err)
	}
	if out != "Purged 1 incidents recorded before 2026-02-16 13:00.\n" {
		t.Errorf("purge --older-than 2w: %q", out)
	}
	out, _, err = runIncidents(t, env, "list")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, ids[0]) || strings.Contains(out, ids[1]) || !strings.Contains(out, ids[2]) || !strings.Contains(out, ids[3]) {
		t.Errorf("after purges:\n%s", out)
	}
	for _, age := range []string{"-1d", "un an", ""} {
		if _, _, err := runIncidents(t, env, "purge", "--older-than", age); err == nil {
			t.Errorf("purge --older-than %q succeeded", age)
		}
	}
}

func TestIncidentsStoreErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.db")
	_, _, err := runIncidents(t, testEnv(map[string]string{"VIGIE_STORE": missing}), "list")
	if err == nil || !strings.Contains(err.Error(), "no incident store at "+missing) {
		t.Errorf("list on a missing store: %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("list created the store file: %v", err)
	}

	// Nothing listens on this port; the password must not show.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dsn := "postgres://vigie:Sup3rS3cret@" + addr + "/vigie?sslmode=disable&connect_timeout=5"
	_, _, err = runIncidents(t, testEnv(nil), "--store", dsn, "purge", "--dry-run")
	if err == nil || strings.Contains(err.Error(), "Sup3rS3cret") || !strings.Contains(err.Error(), "xxxxx") {
		t.Errorf("purge on an unreachable PostgreSQL: %v", err)
	}
}

// TestIncidentsInRoot checks that `vigie incidents` is wired into the
// binary and reads --store.
func TestIncidentsInRoot(t *testing.T) {
	path, ids := seedStore(t)
	out, stderr, code := run(t, nil, "incidents", "--store", path, "--lang", "en", "--utc", "list", "--author", "555")
	if code != 0 || !strings.Contains(out, ids[2]) || !strings.Contains(out, "1 shown of 1 incidents.") {
		t.Errorf("vigie incidents list: code %d\n%s%s", code, out, stderr)
	}
}

func TestPrintable(t *testing.T) {
	tests := []struct {
		in        string
		multiline bool
		want      string
	}{
		{"Léa 😀", false, "Léa 😀"},
		{"a\nb\tc", false, `a\x0ab\x09c`},
		{"a\nb\tc", true, "a\nb\tc"},
		{"\x1b[31mrouge", true, `\x1b[31mrouge`},
		{"con\u200bnard \u202eetius", true, "con<U+200B>nard <U+202E>etius"},
		{"caf\xe9", false, `caf\xe9`},
		{"\u009b2J", false, `\x9b2J`},
		{"\ufffd", false, "\ufffd"},
	}
	for _, tc := range tests {
		if got := printable(tc.in, tc.multiline); got != tc.want {
			t.Errorf("printable(%q, %v) = %q, want %q", tc.in, tc.multiline, got, tc.want)
		}
	}
}
