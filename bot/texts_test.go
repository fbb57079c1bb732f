package bot_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/vigie-edu/vigie/bot"
)

func TestDefaultTextsAreCompleteInBothLocales(t *testing.T) {
	texts := bot.DefaultTexts()
	if err := texts.Validate(); err != nil {
		t.Fatal(err)
	}
	fr, en := slices.Sorted(maps.Keys(texts["fr"])), slices.Sorted(maps.Keys(texts["en"]))
	if !slices.Equal(fr, en) {
		t.Fatalf("fr and en texts have different keys:\nfr %q\nen %q", fr, en)
	}
	for _, key := range fr {
		if texts["fr"][key] == texts["en"][key] && key != "step.generic" {
			t.Errorf("text %s is the same in French and English: %q", key, texts["fr"][key])
		}
	}
}

func TestTextsValidate(t *testing.T) {
	tests := []struct {
		name  string
		texts bot.Texts
		ok    bool
	}{
		{"good", bot.Texts{"fr": {"notice.author": "Salut {{.Recipient}}"}}, true},
		{"syntax", bot.Texts{"fr": {"notice.author": "Salut {{.Recipient"}}, false},
		{"unknown field", bot.Texts{"en": {"alert.body": "{{.Nope}}"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.texts.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestSchoolTextsOverrideAndBrokenOnesFallBack(t *testing.T) {
	cfg := bot.Config{
		Default: testPolicy("en"),
		Texts: bot.Texts{"en": {
			"notice.author":       "Removed: {{.Category}}. See you in class, {{.Recipient}}.",
			"notice.target.title": "{{.Nope}}",    // fails at run time
			"alert.title":         "{{if .Class}", // does not parse
		}},
	}
	e := newEnv(t, withConfig(cfg))
	m := e.message("idiot")
	m.Mentions = []bot.UserRef{{ID: target, Name: "Sam"}}
	e.handle(m)
	if got := e.ad.DirectsTo(student)[0].Body; got != "Removed: insult. See you in class, Alex." {
		t.Fatalf("author notice = %q", got)
	}
	if got := e.ad.DirectsTo(target)[0].Title; got != "A message about you was reported" {
		t.Fatalf("target notice title = %q, want the default", got)
	}
	if got := e.alerts()[0].Title; got != "Vigie — insult in 4e B" {
		t.Fatalf("alert title = %q, want the default", got)
	}
}

func TestUnknownLocaleFallsBackToEnglish(t *testing.T) {
	e := newEnv(t, withPolicy(testPolicy("de")))
	e.handle(e.message("idiot"))
	mustContain(t, "author notice", e.ad.DirectsTo(student)[0].Body, "Your message")
}

func TestRegionalLocaleUsesItsLanguage(t *testing.T) {
	e := newEnv(t, withPolicy(testPolicy("fr-CA")))
	e.handle(e.message("idiot"))
	mustContain(t, "author notice", e.ad.DirectsTo(student)[0].Body, "Ton message")
}
