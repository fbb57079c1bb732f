package store_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// The bot records an incident before it asks the platform to delete the
// message, then records the outcome of each step.
func Example() {
	ctx := context.Background()
	s, err := store.Open(ctx, ":memory:") // a file path, "sqlite:PATH" or "postgres://…" in production
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	in := &store.Incident{
		Platform: "discord", ClassID: "111", ClassName: "4e B", ChannelID: "222", MessageID: "333",
		AuthorID: "444", AuthorName: "Élève", Kind: store.KindMessage,
		Text: "t'es qu'un connard",
		Verdict: filters.Verdict{Action: filters.Remove, Lang: "fr",
			Categories: []filters.CategoryScore{{Name: filters.Insult, Severity: filters.High}}},
		Action: filters.Remove,
	}
	id, err := s.Record(ctx, in)
	if err != nil {
		log.Fatal(err)
	}
	s.AddStep(ctx, id, store.Step{Name: store.StepDelete, Status: store.StatusFailed, Detail: "missing permission: Manage Messages"})
	s.AddStep(ctx, id, store.Step{Name: store.StepAlert, Target: "teachers", Status: store.StatusOK})

	got, err := s.Get(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.ClassName, got.Action, got.TopCategory())
	for _, st := range got.Steps {
		fmt.Println(store.StepSummary(st))
	}
	n, _ := s.CountByAuthor(ctx, "discord", "111", "444", filters.Remove, time.Now().Add(-24*time.Hour))
	fmt.Println("removals in 24 h:", n)

	_, err = s.Get(ctx, "inc_unknown")
	fmt.Println(errors.Is(err, store.ErrNotFound))
	// Output:
	// 4e B remove insult
	// delete: failed (missing permission: Manage Messages)
	// alert teachers: ok
	// removals in 24 h: 1
	// true
}

func ExampleParseTime() {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{"7d", "2026-01-31", "2026-01-31 14:00", "2026-01-31T14:00:00+01:00"} {
		t, err := store.ParseTime(s, now, time.UTC)
		fmt.Println(t.Format(time.RFC3339), err)
	}
	_, err := store.ParseTime("31/01/2026", now, time.UTC)
	fmt.Println(err != nil)
	// Output:
	// 2026-02-23T12:00:00Z <nil>
	// 2026-01-31T00:00:00Z <nil>
	// 2026-01-31T14:00:00Z <nil>
	// 2026-01-31T14:00:00+01:00 <nil>
	// true
}

func ExampleRedactDSN() {
	fmt.Println(store.RedactDSN("postgres://vigie:s3cret@db.lycee.example/vigie"))
	fmt.Println(store.RedactDSN("host=db user=vigie password=s3cret"))
	// Output:
	// postgres://vigie:xxxxx@db.lycee.example/vigie
	// host=db user=vigie password=xxxxx
}

// A cell that a spreadsheet would run as a formula gets a leading quote.
func ExampleWriteCSVWith() {
	in := &store.Incident{ID: "inc_1", Platform: "http", Kind: store.KindMessage,
		Recorded: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), Text: "=IMPORTXML(\"http://x\")", Action: filters.Alert}
	// French spreadsheet programs want ';' (and BOM: true, for accents).
	store.WriteCSVWith(os.Stdout, []*store.Incident{in}, store.CSVOptions{Comma: ';'})
	// Output:
	// id;recorded;time;platform;class_id;class_name;channel_id;channel_name;message_id;author_id;author_name;kind;action;verdict_action;dry_run;categories;top_category;severity;lang;rules;spans;findings;text;attachments;link;steps;followed_up_at;followed_up_by;note
	// inc_1;2026-03-02T08:00:00Z;;http;;;;;;;;message;alert;;false;;;;;;;;"'=IMPORTXML(""http://x"")";;;;;;
}
