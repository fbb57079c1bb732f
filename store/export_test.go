package store

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// exportFixture returns two incidents as Get would return them.
func exportFixture() []*Incident {
	a := sampleIncident()
	a.ID = "inc_01KJ0000000000000000000001"
	a.Recorded = time.Date(2026, 3, 2, 8, 0, 1, 0, time.UTC)
	a.Steps = []Step{
		{Name: StepDelete, Status: StatusFailed, Detail: "missing permission: Manage Messages", At: a.Recorded},
		{Name: StepNoticeAuthor, Target: "444", Status: StatusOK, At: a.Recorded},
		{Name: StepAlert, Target: "999", Status: StatusOK, At: a.Recorded},
	}
	fu := time.Date(2026, 3, 3, 16, 30, 0, 0, time.UTC)
	a.FollowedUpAt, a.FollowedUpBy, a.Note = &fu, "mme.martin", "Parents reçus; sanction: 1 h de retenue."

	b := &Incident{
		ID: "inc_01KJ0000000000000000000002", Platform: "mattermost", ClassID: "t1", ClassName: "2nde 4",
		ChannelID: "town-square", AuthorID: "u9", AuthorName: "=cmd|' /C calc'!A0", Kind: KindReport,
		Recorded: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Text:     "=HYPERLINK(\"http://evil.example\";\"clic\")\nligne 2",
		Action:   "alert", Steps: []Step{},
		Attachments: []string{"@capture.png", "-a.txt"},
	}
	return []*Incident{a, b}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestWriteCSVGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, exportFixture()); err != nil {
		t.Fatal(err)
	}
	golden(t, "export.golden.csv", buf.Bytes())
}

func TestWriteCSV(t *testing.T) {
	incs := exportFixture()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, incs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the output is not CSV: %v", err)
	}
	if len(rows) != 3 || !reflect.DeepEqual(rows[0], CSVColumns) {
		t.Fatalf("got %d rows, header %v", len(rows), rows[0])
	}
	col := func(row []string, name string) string {
		t.Helper()
		for i, c := range CSVColumns {
			if c == name {
				return row[i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	a, b := rows[1], rows[2]
	checks := []struct{ got, want string }{
		{col(a, "id"), incs[0].ID},
		{col(a, "text"), incs[0].Text},
		{col(a, "categories"), "insult:high porn_link:critical"},
		{col(a, "top_category"), "porn_link"},
		{col(a, "severity"), "critical"},
		{col(a, "rules"), "fr.insult.second_person lex.fr.connard link.domain"},
		{col(a, "spans"), "0-23 16-23 24-51"},
		{col(a, "steps"), "delete: failed (missing permission: Manage Messages)\nnotice_author 444: ok\nalert 999: ok"},
		{col(a, "attachments"), "photo.png\nhttps://example.com/embed"},
		{col(a, "followed_up_at"), "2026-03-03T16:30:00Z"},
		{col(a, "recorded"), "2026-03-02T08:00:01Z"},
		{col(a, "dry_run"), "false"},
		// Spreadsheet formulas are defused.
		{col(b, "text"), "'" + incs[1].Text},
		{col(b, "author_name"), "'" + incs[1].AuthorName},
		{col(b, "attachments"), "'@capture.png\n-a.txt"},
		{col(b, "severity"), ""},
		{col(b, "time"), ""},
		{col(b, "followed_up_at"), ""},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %q, want %q", i, c.got, c.want)
		}
	}
}

func TestWriteCSVOptions(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSVWith(&buf, exportFixture()[:1], CSVOptions{BOM: true, Comma: ';'}); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("\xef\xbb\xbfid;recorded;time;")) {
		t.Errorf("output starts with %q, want a BOM and ';'", out[:min(len(out), 30)])
	}
	r := csv.NewReader(bytes.NewReader(out[3:]))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 2 || len(rows[1]) != len(CSVColumns) {
		t.Errorf("read back %d rows, %v", len(rows), err)
	}
	buf.Reset()
	if err := WriteCSV(&buf, nil); err != nil || buf.String() != strings.Join(CSVColumns, ",")+"\n" {
		t.Errorf("WriteCSV(nil) = %q, %v; want the header only", buf.String(), err)
	}
}

func TestWriteJSON(t *testing.T) {
	incs := exportFixture()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, incs); err != nil {
		t.Fatal(err)
	}
	var back []*Incident
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("the output is not JSON: %v", err)
	}
	if !reflect.DeepEqual(back, incs) {
		t.Errorf("JSON round trip lost detail:\n%+v\nwant\n%+v", back[0], incs[0])
	}
	// The evidence is kept as it is (no formula defusing), and HTML is
	// not escaped.
	if !strings.Contains(buf.String(), `"text": "=HYPERLINK(\"http://evil.example\";\"clic\")\nligne 2"`) {
		t.Errorf("evidence text not kept as it is in:\n%s", buf.String())
	}
	buf.Reset()
	if err := WriteJSON(&buf, nil); err != nil || buf.String() != "[]\n" {
		t.Errorf("WriteJSON(nil) = %q, %v; want []", buf.String(), err)
	}
}

func TestStepSummary(t *testing.T) {
	tests := []struct {
		s    Step
		want string
	}{
		{Step{Name: "delete", Status: "ok"}, "delete: ok"},
		{Step{Name: "notice_author", Target: "42", Status: "failed", Detail: "direct messages closed"}, "notice_author 42: failed (direct messages closed)"},
		{Step{Name: "timeout", Status: "dry_run", Detail: "would time out 10m"}, "timeout: dry_run (would time out 10m)"},
	}
	for _, tc := range tests {
		if got := StepSummary(tc.s); got != tc.want {
			t.Errorf("StepSummary(%+v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

func TestTopCategory(t *testing.T) {
	in := sampleIncident()
	if got := in.TopCategory(); got != "porn_link" {
		t.Errorf("TopCategory = %q, want porn_link", got)
	}
	in.Verdict.Categories = nil
	if got := in.TopCategory(); got != "" {
		t.Errorf("TopCategory of no category = %q", got)
	}
}
