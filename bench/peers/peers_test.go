package peers_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/vigie-edu/vigie/bench/peers"
)

func TestFilters(t *testing.T) {
	fs, err := peers.All()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]peers.Filter{}
	for _, f := range fs {
		if f.Describe() == "" {
			t.Errorf("%s has no description", f.Name())
		}
		byName[f.Name()] = f
	}
	for _, name := range []string{"vigie", "go-away", "regex"} {
		if byName[name] == nil {
			t.Fatalf("no filter %q among %v", name, fs)
		}
	}
	tests := []struct {
		filter, text, lang string
		want               bool
	}{
		{"vigie", "t'es qu'un gros c0nnard", "fr", true},
		{"vigie", "l'analyse du texte est pour lundi", "fr", false},
		{"vigie", "il m'a traité de connard, je l'ai dit au prof", "fr", false},
		{"vigie", "you're such a loser", "en", true},
		{"vigie", "I'm from Scunthorpe", "en", false},
		{"go-away", "fuck you", "en", true},
		{"go-away", "see you at the library", "en", false},
		{"regex", "fuck you", "en", true},
		{"regex", "FUCK you", "en", true},
		{"regex", "sale connard", "fr", true},
		{"regex", "see you at the library", "en", false},
		{"regex", "the class is at nine", "en", false}, // \b: no "ass" inside "class"
	}
	ctx := context.Background()
	for _, tt := range tests {
		if got := byName[tt.filter].Flags(ctx, tt.text, tt.lang); got != tt.want {
			t.Errorf("%s.Flags(%q) = %v, want %v", tt.filter, tt.text, got, tt.want)
		}
	}
}

func TestCompileWordList(t *testing.T) {
	re, err := peers.CompileWordList([]string{"a.b", "c(d", "two words"})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]bool{
		"x a.b y": true, "x axb y": false, "c(d": true, "Two Words": true, "twowords": false,
	} {
		if got := re.MatchString(text); got != want {
			t.Errorf("MatchString(%q) = %v, want %v", text, got, want)
		}
	}
	if _, err := peers.CompileWordList(nil); err == nil {
		t.Error("an empty word list compiled")
	}
	if _, err := peers.NewRegex("xx"); err == nil {
		t.Error("an unknown word list loaded")
	}
}

// Example shows how the three filters judge a few classroom messages:
// Vigie reads leetspeak, reports and context; the word lists see words.
func Example() {
	fs, err := peers.All()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range []struct{ text, lang string }{
		{"t'es qu'un gros c0nnard", "fr"},
		{"il m'a traité de connard, je l'ai dit au prof", "fr"},
		{"I'm from Scunthorpe", "en"},
		{"this homework is killing me", "en"},
	} {
		fmt.Printf("%-46s", m.text)
		for _, f := range fs {
			fmt.Printf(" %s=%v", f.Name(), f.Flags(context.Background(), m.text, m.lang))
		}
		fmt.Println()
	}
	// Output:
	// t'es qu'un gros c0nnard                        vigie=true go-away=false regex=false
	// il m'a traité de connard, je l'ai dit au prof  vigie=false go-away=false regex=true
	// I'm from Scunthorpe                            vigie=false go-away=false regex=false
	// this homework is killing me                    vigie=false go-away=false regex=false
}
