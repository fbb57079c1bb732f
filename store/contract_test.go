package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/filters"
)

// TestStoreContract runs the same suite against every backend:
// SQLite in a temporary file, and PostgreSQL when
// VIGIE_TEST_POSTGRES_DSN is set.
func TestStoreContract(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			b.skipUnavailable(t)
			testContract(t, func(t *testing.T, clk *fakeClock) Store {
				t.Helper()
				return openStore(t, b.dsn(t), clk)
			})
		})
	}
}

// testContract is the behaviour every Store must have. open returns a
// new, empty store whose clock is clk.
func testContract(t *testing.T, open func(t *testing.T, clk *fakeClock) Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s Store, clk *fakeClock)
	}{
		{"RecordGet", contractRecordGet},
		{"RecordInvalid", contractRecordInvalid},
		{"Steps", contractSteps},
		{"GetNotFound", contractGetNotFound},
		{"ListAndCount", contractListAndCount},
		{"CountByAuthor", contractCountByAuthor},
		{"FollowUp", contractFollowUp},
		{"Purge", contractPurge},
		{"ClassSettings", contractClassSettings},
		{"Evidence", contractEvidence},
		{"Concurrent", contractConcurrent},
		{"PingClose", contractPingClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			tc.run(t, open(t, clk), clk)
		})
	}
}

func mustRecord(t *testing.T, s Store, in *Incident) string {
	t.Helper()
	id, err := s.Record(context.Background(), in)
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	return id
}

func mustGet(t *testing.T, s Store, id string) *Incident {
	t.Helper()
	in, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return in
}

func contractRecordGet(t *testing.T, s Store, clk *fakeClock) {
	ctx := context.Background()
	in := sampleIncident()
	id, err := s.Record(ctx, in)
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	if id != in.ID {
		t.Errorf("Record returned %q but set in.ID to %q", id, in.ID)
	}
	if !strings.HasPrefix(id, "inc_") || len(id) != len("inc_")+26 {
		t.Errorf("id %q: want inc_ and 26 characters", id)
	}
	wantRecorded := time.Date(2026, 3, 2, 8, 0, 1, 0, time.UTC)
	if !in.Recorded.Equal(wantRecorded) {
		t.Errorf("Recorded = %v, want the store's clock %v", in.Recorded, wantRecorded)
	}

	got := mustGet(t, s, id)
	want := *in
	// The step given without a time gets the recording time.
	want.Steps = []Step{{Name: StepAlert, Target: "999", Status: StatusOK, At: wantRecorded}}
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("Get returned\n%+v\nwant\n%+v", got, &want)
	}
	if got.Time.Location() != time.UTC || got.Recorded.Location() != time.UTC {
		t.Errorf("times are not in UTC: %v, %v", got.Time, got.Recorded)
	}

	// A minimal incident: no time, no attachments, no verdict findings.
	minimal := &Incident{Platform: "http", ClassID: "lycee-1", Kind: KindReport, Text: "on m'a menacé", Action: filters.Alert}
	got2 := mustGet(t, s, mustRecord(t, s, minimal))
	if !got2.Time.IsZero() || got2.Attachments == nil || len(got2.Attachments) != 0 || got2.Steps == nil || len(got2.Steps) != 0 {
		t.Errorf("minimal incident read back as %+v", got2)
	}
	if got2.Kind != KindReport || got2.Action != filters.Alert || got2.Text != minimal.Text || got2.FollowedUpAt != nil {
		t.Errorf("minimal incident read back as %+v", got2)
	}
}

func contractRecordInvalid(t *testing.T, s Store, clk *fakeClock) {
	ctx := context.Background()
	tests := []struct {
		name   string
		modify func(in *Incident)
	}{
		{"no platform", func(in *Incident) { in.Platform = "" }},
		{"no kind", func(in *Incident) { in.Kind = "" }},
		{"step without name", func(in *Incident) { in.Steps = []Step{{Status: StatusOK}} }},
		{"step with unknown status", func(in *Incident) { in.Steps = []Step{{Name: StepDelete, Status: "done"}} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := sampleIncident()
			tc.modify(in)
			id, err := s.Record(ctx, in)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Record = %q, %v; want ErrInvalid", id, err)
			}
			if in.ID != "" {
				t.Errorf("in.ID set to %q on failure", in.ID)
			}
			if strings.Contains(err.Error(), in.Text) {
				t.Errorf("error %q contains the message text", err)
			}
		})
	}
	if _, err := s.Record(ctx, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("Record(nil) = %v, want ErrInvalid", err)
	}
	if n, err := s.Count(ctx, Filter{}); err != nil || n != 0 {
		t.Errorf("Count after failed records = %d, %v; want 0", n, err)
	}
}

func contractSteps(t *testing.T, s Store, clk *fakeClock) {
	ctx := context.Background()
	in := sampleIncident()
	in.Steps = nil
	id := mustRecord(t, s, in)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	steps := []Step{
		{Name: StepDelete, Status: StatusFailed, Detail: "missing permission: Manage Messages", At: at},
		{Name: StepNoticeAuthor, Target: "444", Status: StatusOK, At: at}, // same time: insertion order decides
		{Name: StepAlert, Target: "555", Status: StatusDryRun},            // no time: the store's clock
		{Name: StepTimeout, Target: "444", Status: StatusSkipped, Detail: "dry run", At: at.Add(-time.Hour)},
	}
	for _, st := range steps {
		if err := s.AddStep(ctx, id, st); err != nil {
			t.Fatalf("AddStep(%s): %v", st.Name, err)
		}
	}
	got := mustGet(t, s, id).Steps
	want := slices.Clone(steps)
	want[2].At = time.Date(2026, 3, 2, 8, 0, 2, 0, time.UTC) // clock: record at :01, this step at :02
	if !reflect.DeepEqual(got, want) {
		t.Errorf("steps =\n%+v\nwant\n%+v", got, want)
	}

	if err := s.AddStep(ctx, "inc_00000000000000000000000000", Step{Name: StepDelete, Status: StatusOK}); !errors.Is(err, ErrNotFound) {
		t.Errorf("AddStep to a missing incident = %v, want ErrNotFound", err)
	}
	if err := s.AddStep(ctx, id, Step{Name: StepDelete, Status: "deleted"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddStep with an unknown status = %v, want ErrInvalid", err)
	}
	if err := s.AddStep(ctx, id, Step{Status: StatusOK}); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddStep without a name = %v, want ErrInvalid", err)
	}
	if n := len(mustGet(t, s, id).Steps); n != len(steps) {
		t.Errorf("%d steps after refused AddSteps, want %d", n, len(steps))
	}
}

func contractGetNotFound(t *testing.T, s Store, clk *fakeClock) {
	for _, id := range []string{"inc_00000000000000000000000000", "", "x\x00y", "inc_' OR 1=1 --"} {
		if _, err := s.Get(context.Background(), id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

// listFixture records six incidents, one per second from 08:00:01, and
// returns their ids in recording order.
func listFixture(t *testing.T, s Store) []string {
	t.Helper()
	mk := func(platform, classID, className, author string, action filters.Action, cats ...filters.CategoryScore) *Incident {
		return &Incident{
			Platform: platform, ClassID: classID, ClassName: className, ChannelID: "c", AuthorID: author,
			Kind: KindMessage, Text: "…", Action: action,
			Verdict: filters.Verdict{Action: action, Categories: cats, Lang: "fr"},
		}
	}
	insult := filters.CategoryScore{Name: filters.Insult, Severity: filters.Medium}
	hate := filters.CategoryScore{Name: filters.Hate, Severity: filters.High}
	selfHarm := filters.CategoryScore{Name: filters.SelfHarm, Severity: filters.Critical}
	fixtures := []*Incident{
		mk("discord", "g1", "4e B", "alice", filters.Remove, insult),       // 0
		mk("discord", "g1", "4e B", "bob", filters.Remove, hate, insult),   // 1: insult is not the top category
		mk("discord", "g2", "3e A", "alice", filters.Alert, selfHarm),      // 2
		mk("mattermost", "t1", "2nde 4", "carol", filters.Remove, insult),  // 3
		mk("discord", "g1", "4e B", "alice", filters.Remove, hate),         // 4
		mk("mattermost", "t1", "2nde 4", "alice", filters.Alert, selfHarm), // 5
	}
	ids := make([]string, len(fixtures))
	for i, in := range fixtures {
		ids[i] = mustRecord(t, s, in)
	}
	return ids
}

func contractListAndCount(t *testing.T, s Store, clk *fakeClock) {
	ctx := context.Background()
	ids := listFixture(t, s)
	if err := s.FollowUp(ctx, ids[2], "prof", "parents called", time.Time{}); err != nil {
		t.Fatal(err)
	}
	at := func(sec int) time.Time { return time.Date(2026, 3, 2, 8, 0, sec, 0, time.UTC) }
	yes, no := true, false
	pick := func(idx ...int) []string {
		out := make([]string, len(idx))
		for i, j := range idx {
			out[i] = ids[j]
		}
		return out
	}
	tests := []struct {
		name  string
		f     Filter
		want  []string // newest first
		count int      // -1: len(want)
	}{
		{"all", Filter{}, pick(5, 4, 3, 2, 1, 0), -1},
		{"platform", Filter{Platform: "mattermost"}, pick(5, 3), -1},
		{"class id", Filter{Class: "g1"}, pick(4, 1, 0), -1},
		{"class name", Filter{Class: "2nde 4"}, pick(5, 3), -1},
		{"author", Filter{Author: "alice"}, pick(5, 4, 2, 0), -1},
		{"category, also when not on top", Filter{Category: "insult"}, pick(3, 1, 0), -1},
		{"category none", Filter{Category: "porn_link"}, nil, -1},
		{"action", Filter{Action: filters.Alert}, pick(5, 2), -1},
		{"since inclusive", Filter{Since: at(4)}, pick(5, 4, 3), -1},
		{"until exclusive", Filter{Until: at(3)}, pick(1, 0), -1},
		{"since and until", Filter{Since: at(2), Until: at(5)}, pick(3, 2, 1), -1},
		{"followed up", Filter{FollowedUp: &yes}, pick(2), -1},
		{"not followed up", Filter{FollowedUp: &no}, pick(5, 4, 3, 1, 0), -1},
		{"combined", Filter{Platform: "discord", Author: "alice", Action: filters.Remove}, pick(4, 0), -1},
		{"limit", Filter{Limit: 2}, pick(5, 4), 6},
		{"limit and offset", Filter{Limit: 2, Offset: 2}, pick(3, 2), 6},
		{"offset only", Filter{Offset: 4}, pick(1, 0), 6},
		{"offset past the end", Filter{Offset: 10}, nil, 6},
		{"no match", Filter{Class: "nope"}, nil, -1},
		{"injection is a value", Filter{Class: "' OR 1=1 --"}, nil, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, err := s.List(ctx, tc.f)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			var got []string
			for _, in := range list {
				got = append(got, in.ID)
				if in.Steps == nil {
					t.Errorf("incident %s listed with nil steps", in.ID)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("List = %v, want %v", got, tc.want)
			}
			n, err := s.Count(ctx, tc.f)
			if err != nil {
				t.Fatalf("Count: %v", err)
			}
			want := tc.count
			if want < 0 {
				want = len(tc.want)
			}
			if n != want {
				t.Errorf("Count = %d, want %d", n, want)
			}
		})
	}
	if _, err := s.List(ctx, Filter{Limit: -1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("List with a negative limit = %v, want ErrInvalid", err)
	}
}

func contractCountByAuthor(t *testing.T, s Store, clk *fakeClock) {
	ctx := context.Background()
	listFixture(t, s) // 08:00:01 … 08:00:06
	at := func(sec int) time.Time { return time.Date(2026, 3, 2, 8, 0, sec, 0, time.UTC) }
	tests := []struct {
		platform, class, author string
		action                  filters.Action
		since                   time.Time
		want                    int
	}{
		{"discord", "g1", "alice", filters.Remove, at(0), 2},
		{"discord", "g1", "alice", filters.Remove, at(2), 1},
		{"discord", "g1", "alice", filters.Remove, at(5), 1}, // since is inclusive
		{"discord", "g1", "alice", filters.Remove, at(6), 0},
		{"discord", "g1", "alice", "", at(0), 2},
		{"discord", "g2", "alice", filters.Remove, at(0), 0},
		{"discord", "g2", "alice", filters.Alert, at(0), 1},
		{"mattermost", "t1", "alice", "", at(0), 1},
		{"discord", "4e B", "alice", "", at(0), 0}, // the class id, not its name
		{"discord", "g1", "nobody", "", at(0), 0},
	}
	for _, tc := range tests {
		n, err := s.CountByAuthor(ctx, tc.platform, tc.class, tc.author, tc.action, tc.since)
		if err != nil {
			t.Fatalf("CountByAuthor: %v", err)
		}
		if n != tc.want {
			t.Errorf("CountByAuthor(%s, %s, %s, %q, %v) = %d, want %d", tc.platform, tc.class, tc.author, tc.action, tc.since, n, tc.want)
		}
	}
}

func contractFollowUp(t *testing.T, s Store, clk *fakeClock) {
	ctx := context.Background()
	id := mustRecord(t, s, sampleIncident())
	at := time.Date(2026, 3, 3, 17, 30, 0, 0, time.FixedZone("CET", 3600))
	if err := s.FollowUp(ctx, id, "mme.martin", "Vu avec l'élève et ses parents.", at); err != nil {
		t.Fatalf("FollowUp: %v", err)
	}
	got := mustGet(t, s, id)
	if got.FollowedUpAt == nil || !got.FollowedUpAt.Equal(at) || got.FollowedUpBy != "mme.martin" || got.Note != "Vu avec l'élève et ses parents." {
		t.Errorf("after FollowUp: at %v by %q note %q", got.FollowedUpAt, got.FollowedUpBy, got.Note)
	}
	// A second follow-up replaces the first; a zero time is the store's clock.
	if err := s.FollowUp(ctx, id, "m.durand", "Sanction décidée.", time.Time{}); err != nil {
		t.Fatalf("FollowUp: %v", err)
	}
	got = mustGet(t, s, id)
	if want := time.Date(2026, 3, 2, 8, 0, 2, 0, time.UTC); got.FollowedUpAt == nil || !got.FollowedUpAt.Equal(want) || got.FollowedUpBy != "m.durand" {
		t.Errorf("after second FollowUp: at %v by %q, want %v m.durand", got.FollowedUpAt, got.FollowedUpBy, want)
	}
	if err := s.FollowUp(ctx, "inc_missing", "x", "y", at); !errors.Is(err, ErrNotFound) {
		t.Errorf("FollowUp of a missing incident = %v, want ErrNotFound", err)
	}
}

func contractPurge(t *testing.T, s Store, clk *fakeClock) {
	ctx := context.Background()
	old := time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)
	clk.set(old)
	oldIDs := []string{mustRecord(t, s, sampleIncident()), mustRecord(t, s, sampleIncident())}
	if err := s.AddStep(ctx, oldIDs[0], Step{Name: StepDelete, Status: StatusOK}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	clk.set(now)
	keep := mustRecord(t, s, sampleIncident())

	// Nothing is old enough for a 500-day retention.
	if n, err := PurgeExpired(ctx, s, 500*24*time.Hour, now); err != nil || n != 0 {
		t.Fatalf("PurgeExpired(500d) = %d, %v; want 0", n, err)
	}
	n, err := PurgeExpired(ctx, s, 0, now) // the default, 365 days
	if err != nil || n != 2 {
		t.Fatalf("PurgeExpired(default) = %d, %v; want 2", n, err)
	}
	for _, id := range oldIDs {
		if _, err := s.Get(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("purged incident %s: Get = %v, want ErrNotFound", id, err)
		}
	}
	if got := mustGet(t, s, keep); len(got.Steps) != 1 {
		t.Errorf("kept incident has %d steps, want 1", len(got.Steps))
	}
	if n, err := s.Count(ctx, Filter{}); err != nil || n != 1 {
		t.Errorf("Count after purge = %d, %v; want 1", n, err)
	}
	// The steps and categories of purged incidents went with them.
	if ss, ok := s.(*sqlStore); ok {
		for _, table := range []string{"incident_steps", "incident_categories"} {
			var orphans int
			q := "SELECT COUNT(*) FROM " + table + " WHERE incident_id <> " + "'" + keep + "'"
			if err := ss.db.QueryRowContext(ctx, q).Scan(&orphans); err != nil {
				t.Fatal(err)
			}
			if orphans != 0 {
				t.Errorf("%d rows of purged incidents left in %s", orphans, table)
			}
		}
	}
	// The boundary: an incident recorded exactly at the cut-off stays.
	if n, err := s.Purge(ctx, now); err != nil || n != 0 {
		t.Errorf("Purge(recording time) = %d, %v; want 0", n, err)
	}
	if n, err := s.Purge(ctx, now.Add(time.Microsecond)); err != nil || n != 1 {
		t.Errorf("Purge(just after) = %d, %v; want 1", n, err)
	}
}

func contractClassSettings(t *testing.T, s Store, clk *fakeClock) {
	ctx := context.Background()
	_, err := s.GetClassSettings(ctx, "discord", "g1")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetClassSettings before any = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "class settings not found") {
		t.Errorf("error %q does not say what was not found", err)
	}
	on, off := true, false
	steps := []ClassSettings{
		{Platform: "discord", Class: "g1", AlertChannel: "alerts", TeacherRole: "Prof", Locale: "fr", UpdatedBy: "u1"},
		{Platform: "discord", Class: "g1", AlertChannel: "alertes", TeacherRole: "Prof", Locale: "fr", DryRun: &on, UpdatedBy: "u2",
			UpdatedAt: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)},
		{Platform: "discord", Class: "g1", AlertChannel: "alertes", TeacherRole: "Prof", Locale: "en", DryRun: &off, UpdatedBy: "u3"},
	}
	for i, cs := range steps {
		if err := s.PutClassSettings(ctx, cs); err != nil {
			t.Fatalf("PutClassSettings #%d: %v", i, err)
		}
		got, err := s.GetClassSettings(ctx, "discord", "g1")
		if err != nil {
			t.Fatalf("GetClassSettings #%d: %v", i, err)
		}
		want := cs
		if want.UpdatedAt.IsZero() {
			want.UpdatedAt = got.UpdatedAt // checked below
			if got.UpdatedAt.IsZero() {
				t.Errorf("#%d: UpdatedAt not set", i)
			}
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("#%d: got %+v, want %+v", i, *got, want)
		}
	}
	// Another class on another platform is separate.
	if err := s.PutClassSettings(ctx, ClassSettings{Platform: "mattermost", Class: "g1", Locale: "fr"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetClassSettings(ctx, "discord", "g1"); err != nil || got.Locale != "en" {
		t.Errorf("discord/g1 after writing mattermost/g1: %+v, %v", got, err)
	}
	if got, err := s.GetClassSettings(ctx, "mattermost", "g1"); err != nil || got.DryRun != nil || got.Locale != "fr" {
		t.Errorf("mattermost/g1: %+v, %v", got, err)
	}
	if err := s.PutClassSettings(ctx, ClassSettings{Platform: "discord"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("PutClassSettings without class = %v, want ErrInvalid", err)
	}
}

// contractEvidence checks that the evidence survives as it was, as far
// as a database can store it.
func contractEvidence(t *testing.T, s Store, clk *fakeClock) {
	texts := []struct {
		name, text, want string
	}{
		{"accents and emoji", "Ça va 😡 «sale» ＣＯＮＮＡＲＤ", ""},
		{"zero-width and bidi", "con\u200bnard \u202eetius", ""},
		{"quotes and SQL", `'); DROP TABLE incidents; -- "x" \ %`, ""},
		{"newlines", "ligne 1\r\nligne 2\n\tfin", ""},
		{"NUL byte", "a\x00b", "a\x1ab"},
		{"invalid UTF-8", "caf\xe9 \xff!", "caf\x1a \x1a!"},
		{"long", strings.Repeat("sale con ", 4000), ""},
	}
	for _, tc := range texts {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == "" {
				want = tc.text
			}
			in := sampleIncident()
			in.Text = tc.text
			in.AuthorName = tc.text
			in.Attachments = []string{tc.text}
			in.Verdict.Findings[0].Text = tc.text
			in.Steps = []Step{{Name: StepDelete, Status: StatusFailed, Detail: tc.text}}
			got := mustGet(t, s, mustRecord(t, s, in))
			if got.Text != want || got.AuthorName != want || got.Attachments[0] != want || got.Steps[0].Detail != want {
				t.Errorf("text stored as %q (author %q, attachment %q, detail %q), want %q", got.Text, got.AuthorName, got.Attachments[0], got.Steps[0].Detail, want)
			}
			if len(got.Text) != len(tc.text) {
				t.Errorf("stored text is %d bytes, want %d (spans must stay valid)", len(got.Text), len(tc.text))
			}
			if !utf8.ValidString(got.Verdict.Findings[0].Text) || strings.ContainsRune(got.Verdict.Findings[0].Text, 0) {
				t.Errorf("finding text stored as %q", got.Verdict.Findings[0].Text)
			}
		})
	}
}

// contractConcurrent records, reads and adds steps from many goroutines
// at once; with SQLite in WAL mode none may fail with SQLITE_BUSY.
func contractConcurrent(t *testing.T, s Store, clk *fakeClock) {
	ctx := context.Background()
	const workers, each = 16, 25
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ids  = map[string]bool{}
		errs []error
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				in := sampleIncident()
				in.AuthorID = fmt.Sprintf("author-%d", w)
				id, err := s.Record(ctx, in)
				if err == nil {
					err = s.AddStep(ctx, id, Step{Name: StepDelete, Status: StatusOK})
				}
				if err == nil && i%5 == 0 {
					_, err = s.List(ctx, Filter{Author: in.AuthorID, Limit: 3})
				}
				if err == nil && i%5 == 1 {
					_, err = s.CountByAuthor(ctx, "discord", "111", in.AuthorID, filters.Remove, time.Time{})
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					ids[id] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs[:min(len(errs), 5)] {
		t.Errorf("concurrent use: %v", err)
	}
	if len(ids) != workers*each {
		t.Errorf("%d distinct ids, want %d", len(ids), workers*each)
	}
	if n, err := s.Count(ctx, Filter{}); err != nil || n != workers*each {
		t.Errorf("Count = %d, %v; want %d", n, err, workers*each)
	}
	if n, err := s.CountByAuthor(ctx, "discord", "111", "author-3", filters.Remove, time.Time{}); err != nil || n != each {
		t.Errorf("CountByAuthor(author-3) = %d, %v; want %d", n, err, each)
	}
	list, err := s.List(ctx, Filter{Author: "author-7"})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range list {
		if len(in.Steps) != 2 {
			t.Errorf("incident %s has %d steps, want 2", in.ID, len(in.Steps))
		}
	}
}

func contractPingClose(t *testing.T, s Store, clk *fakeClock) {
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Errorf("Ping after Close succeeded")
	}
	if _, err := s.Record(ctx, sampleIncident()); err == nil {
		t.Errorf("Record after Close succeeded")
	}
}
