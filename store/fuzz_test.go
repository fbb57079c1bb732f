package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseTime: operators and the web console pass any text; ParseTime
// must never panic, and an age is never in the future.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"7d", "365d", "2w", "36h", "2026-01-31", "2026-01-31 14:00", "2026-01-31T14:00:00+01:00", "-7d", "", "9999999999999999999d"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s, now, time.UTC)
		if err != nil {
			if tm != (time.Time{}) {
				t.Errorf("ParseTime(%q) returned %v with an error", s, tm)
			}
			return
		}
		if age, err := ParseAge(s); err == nil && tm.After(now) {
			t.Errorf("ParseTime(%q) = %v is after now (age %v)", s, tm, age)
		}
	})
}

// FuzzParseAge: never negative, never an overflow.
func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"7d", "0d", "2w", "10j", "1h30m", "-1h", "100001d", "2562047h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseAge(s)
		if err == nil && d < 0 {
			t.Errorf("ParseAge(%q) = %v < 0", s, d)
		}
	})
}

// FuzzRedactDSN: the password of a URL DSN never survives redaction.
func FuzzRedactDSN(f *testing.F) {
	for _, s := range []string{"s3cret", "p@ss:word/?#", "élève", "%41", " "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pw string) {
		// A password made of x, or that redaction's own "xxxxx" could
		// spell, cannot be told from the mask.
		if pw == "" || strings.ContainsRune(pw, 'x') {
			return
		}
		for _, dsn := range []string{
			"postgres://vigie:" + url.PathEscape(pw) + "@127.0.0.1:5432/vigie",
			"postgres://vigie@127.0.0.1/vigie?password=" + url.QueryEscape(pw),
		} {
			got := RedactDSN(dsn)
			if strings.Contains(got, url.PathEscape(pw)) || strings.Contains(got, url.QueryEscape(pw)) {
				t.Errorf("RedactDSN(%q) = %q still shows the password", dsn, got)
			}
		}
	})
}

// FuzzStorable: the stored text is valid UTF-8 without NUL, as long as
// the original, and the original when it already was storable.
func FuzzStorable(f *testing.F) {
	for _, s := range []string{"", "connard", "a\x00b", "caf\xe9", "😡\xf0\x9f", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := storable(s)
		if !utf8.ValidString(got) || strings.ContainsRune(got, 0) || len(got) != len(s) {
			t.Fatalf("storable(%q) = %q", s, got)
		}
		if utf8.ValidString(s) && !strings.ContainsRune(s, 0) && got != s {
			t.Errorf("storable(%q) changed a storable text to %q", s, got)
		}
		if storable(got) != got {
			t.Errorf("storable is not idempotent on %q", s)
		}
		js, err := storableJSON(map[string]string{s: s})
		if err != nil || bytes.Contains(js, []byte(`\u0000`)) || !json.Valid(js) {
			t.Errorf("storableJSON(%q) = %s, %v", s, js, err)
		}
	})
}

// FuzzWriteCSV: a student's message, whatever it holds, stays one cell
// that reads back as written (a formula defused by a leading quote).
func FuzzWriteCSV(f *testing.F) {
	for _, s := range []string{"salut", "=1+1", "a,b;c\"d", "ligne\r\nligne", "\r", "", "@x", "\ufeffbom", "caf\xe9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		in := sampleIncident()
		in.ID = "inc_x"
		in.Text = text
		in.AuthorName = text
		var buf bytes.Buffer
		if err := WriteCSV(&buf, []*Incident{in}); err != nil {
			t.Fatalf("WriteCSV: %v", err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("the output is not CSV: %v", err)
		}
		if len(rows) != 2 || len(rows[1]) != len(CSVColumns) {
			t.Fatalf("got %d rows", len(rows))
		}
		// encoding/csv reads \r\n inside a quoted cell as \n.
		want := strings.ReplaceAll(defuseFormula(text), "\r\n", "\n")
		if got := rows[1][22]; got != want {
			t.Errorf("text cell = %q, want %q", got, want)
		}
		if got := rows[1][10]; got != want {
			t.Errorf("author_name cell = %q, want %q", got, want)
		}
		for i, cell := range rows[1] {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("column %s starts with a formula: %q", CSVColumns[i], cell)
			}
		}
	})
}

// FuzzRecordText: any evidence text is stored (never refused) and read
// back as its storable form, on SQLite.
func FuzzRecordText(f *testing.F) {
	for _, s := range []string{"t'es qu'un connard", "a\x00b", "caf\xe9", "'); DROP TABLE incidents; --", ""} {
		f.Add(s, "photo.png")
	}
	s := openStore(f, ":memory:", nil)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, text, attachment string) {
		in := sampleIncident()
		in.Text, in.Attachments = text, []string{attachment}
		in.Verdict.Findings[0].Text = text
		id, err := s.Record(ctx, in)
		if err != nil {
			t.Fatalf("Record: %v", err)
		}
		got, err := s.Get(ctx, id)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if got.Text != storable(text) || got.Attachments[0] != storable(attachment) {
			t.Errorf("stored %q / %q, want %q / %q", got.Text, got.Attachments[0], storable(text), storable(attachment))
		}
	})
}
