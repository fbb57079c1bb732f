package bench

import (
	"slices"
	"testing"
)

func TestWordList(t *testing.T) {
	for lang, n := range map[string]int{"en": 403, "fr": 91} {
		words, err := WordList(lang)
		if err != nil {
			t.Fatal(err)
		}
		if len(words) != n {
			t.Errorf("%s: %d words, want %d (naughty-words 1.2.0)", lang, len(words), n)
		}
	}
	if _, err := WordList("xx"); err == nil {
		t.Error("an unknown language loaded")
	}
	all, err := WordLists(WordListLanguages...)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Error("the union is not sorted and without duplicates")
	}
	if !slices.Contains(all, "bite") || !slices.Contains(all, "asshole") {
		t.Error("the union lacks a French or an English word")
	}
}
