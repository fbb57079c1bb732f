package bot_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// langJudge records the filters.Message it is given and finds nothing.
type langJudge struct {
	mu   sync.Mutex
	seen []filters.Message
}

func (j *langJudge) Classify(_ context.Context, m filters.Message) filters.Verdict {
	j.mu.Lock()
	j.seen = append(j.seen, m)
	j.mu.Unlock()
	return filters.Verdict{Action: filters.Allow, Lang: m.Lang}
}

func TestMessageLangReachesTheClassifier(t *testing.T) {
	tests := []struct {
		name, lang string
	}{
		{"hint", "en"},
		{"no hint", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, ":memory:")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			j := &langJudge{}
			b, err := bot.New(bot.Options{
				Rules: bot.NewRulesHolder(&bot.Snapshot{Classifier: j, Config: bot.Config{Default: bot.Policy{Lang: "fr"}}}),
				Store: st,
			})
			if err != nil {
				t.Fatal(err)
			}
			a := bottest.NewAdapter(bot.HTTP)
			msg := &bot.Message{
				Ref:    bot.MessageRef{Class: "c", Channel: "ch", ID: "m1"},
				Author: bot.Author{UserRef: bot.UserRef{ID: "u"}},
				Text:   "hello there", Time: time.Now(), Lang: tt.lang,
			}
			if _, err := b.Handle(ctx, a, bot.Event{Kind: bot.MessageCreated, Platform: bot.HTTP, Message: msg}); err != nil {
				t.Fatal(err)
			}
			if len(j.seen) != 1 {
				t.Fatalf("classified %d times, want 1", len(j.seen))
			}
			if got := j.seen[0]; got.Lang != tt.lang || got.DefaultLang != "fr" {
				t.Errorf("classifier got Lang %q DefaultLang %q, want %q and %q", got.Lang, got.DefaultLang, tt.lang, "fr")
			}
		})
	}
}
