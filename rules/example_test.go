package rules_test

import (
	"fmt"

	"github.com/vigie-edu/vigie/rules"
)

// Every error of a file is reported at once, each with its position.
func ExampleParse() {
	school := []byte(`lexicon:
  fr:
    insult:
      - {term: bouffon, severity: hight}
actions: {insults: alert}
`)
	_, err := rules.Parse("school.yaml", school, nil)
	fmt.Println(err)
	// Output:
	// school.yaml:4:35: lexicon.fr.insult[0].severity: unknown severity "hight" (want low, medium, high, critical or 1–4)
	// school.yaml:5:11: actions: unknown category "insults" (want one of insult, hate, sexual, threat, self_harm, personal_info, porn_link, shortener, profanity, or declare it under categories:)
}

// A file with `extends: none` does not start from the embedded defaults.
func ExampleParse_extendsNone() {
	r, err := rules.Parse("school.yaml", []byte(`extends: none
languages: [fr, en]
default_lang: fr
lexicon:
  fr:
    insult: [bouffon, {term: "enculé", mode: prefix, severity: high}]
`), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range r.Filters.Lexicon {
		fmt.Println(e.Lang, e.Category, e.Term, e.Mode, e.Severity, e.Source)
	}
	// Output:
	// fr insult bouffon word medium school.yaml:6
	// fr insult enculé prefix high school.yaml:6
}
