// Package bench compares Vigie's classifier with what a Go developer
// would otherwise reach for — github.com/TwiN/go-away and a public word
// list compiled into one regular expression — on the same messages, for
// speed and accuracy. Its subpackages hold the corpus, the filters
// compared, the measurements and the end-to-end run; cmd/compare prints
// the results as Markdown.
//
// This package holds the public word lists of the regular-expression
// baseline (see testdata/wordlists/SOURCES.md).
package bench

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
)

//go:embed testdata/wordlists/en.json testdata/wordlists/fr.json
var wordlists embed.FS

// WordListLanguages are the languages of the embedded word lists.
var WordListLanguages = []string{"en", "fr"}

// WordList returns the LDNOOBW word list of a language (en or fr), as
// published in the npm package naughty-words 1.2.0 (CC BY 4.0).
func WordList(lang string) ([]string, error) {
	data, err := wordlists.ReadFile("testdata/wordlists/" + lang + ".json")
	if err != nil {
		return nil, fmt.Errorf("word list %q: %w", lang, err)
	}
	var words []string
	if err := json.Unmarshal(data, &words); err != nil {
		return nil, fmt.Errorf("word list %q: %w", lang, err)
	}
	return words, nil
}

// WordLists returns the union of the word lists of langs, without
// duplicates, sorted.
func WordLists(langs ...string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, lang := range langs {
		words, err := WordList(lang)
		if err != nil {
			return nil, err
		}
		for _, w := range words {
			if w != "" && !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
