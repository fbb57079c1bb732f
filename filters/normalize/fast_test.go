package normalize

import (
	"reflect"
	"slices"
	"testing"
)

// sameText reports how a and b differ in what a normalised text holds,
// or "" when they do not.
func sameText(a, b *Text) string {
	switch {
	case string(a.Norm) != string(b.Norm):
		return "Norm " + string(a.Norm) + " ≠ " + string(b.Norm)
	case !reflect.DeepEqual(a.Runs, b.Runs):
		return "Runs"
	case !reflect.DeepEqual(a.Tokens, b.Tokens):
		return "Tokens"
	case !reflect.DeepEqual(a.orig, b.orig):
		return "spans"
	case !reflect.DeepEqual(a.Quoted, b.Quoted):
		return "Quoted"
	}
	return ""
}

// checkFast compares the fast path with the pipeline on s, and reports
// whether the fast path took it.
func checkFast(t *testing.T, n *Normalizer, s string) bool {
	t.Helper()
	var fast, slow Text
	fast.reset(s)
	if !n.fast(&fast, s) {
		return false
	}
	n.pipeline(&slow, s, true)
	if d := sameText(&fast, &slow); d != "" {
		t.Errorf("%q: the fast path and the pipeline differ: %s", s, d)
	}
	return true
}

// fastLines take the fast path; slowLines need the pipeline.
var (
	fastLines = []string{
		"Bonjour madame, est-ce que le devoir de maths est pour jeudi ?",
		"Quelqu'un a compris l'exercice 4 page 112 ? j'y arrive pas 😭",
		"ok merci bcp !! à demain 🙏🙏",
		"Hey guys, did anyone finish the history essay? I'm stuck on the intro",
		"« Je pense donc je suis » c'est de Descartes non ?",
		"dire \"les juifs sont des rats\" c'est raciste",
		"Coooool, trop bieeeen!!!",
		"L'ŒUVRE de Zola, très «naturaliste»…",
		"il a dit 'non' puis est parti",
		"❤️ merci à toi",
		"ｔｕ ｅｓ ｎｕｌ",
		"Straße, æther, ﬁn",
		"",
		"!!!",
		"On se retrouve à 13h30, au 1er étage, 5km plus loin",
		"I got a 7 in the test, 3/8 of the class did",
		"7 a 3", "à l'école, j'y vais", "il y a un souci",
	}
	slowLines = []string{
		"t'es qu'un gros c0nnard toi mdr", // letters and digits
		"c o n n a r d",                   // spaced letters
		"il y a t il un souci",            // three one-letter words in a row
		"a-t-il dit",                      // two linked by '-' (the pipeline decides)
		"t.g", "c-a-d",                    // two joined by '.' or '-'
		"a 7 b c",            // … linked through a digit
		"mp3 et 2day",        // leetspeak
		"3eeme",              // not a unit
		"va te faire f*utre", // '*'
		"sale b@tard",        // a leet symbol before a letter
		"Привет, как дела?",  // another script
		"соnnаrd",            // look-alikes
		"cafe\u0301",         // a combining mark
		"你好",                 // outside the tables
		"\xff invalid",
		"email: prof@college.fr", // a leet symbol before a letter
	}
)

func TestFastPath(t *testing.T) {
	n := New()
	for _, s := range fastLines {
		if !checkFast(t, n, s) {
			t.Errorf("%q: the fast path declined it", s)
		}
	}
	for _, s := range slowLines {
		if checkFast(t, n, s) {
			t.Errorf("%q: the fast path took it", s)
		}
	}
	// Lines either path may take: the same result either way.
	for _, s := range edgeLines {
		checkFast(t, n, s)
	}
}

// edgeLines are quotation marks, joiners, invisible and blank characters
// and one-letter words that either path may meet.
var edgeLines = []string{
	"T'es qu'un GROS c0nnnnard !!", "l'école d'aujourd'hui", "“quoted” and ‘single’ and `code`",
	"„German“ »Swiss« ”Swedish”", "e-mail, week-end, C.D.I, 3e B", "((ok)) [[x]] {y}",
	"ab\u200dcd", "a\u00a0b", "'' `` '' \"\"", "don't 'you' dare", "rock'n'roll", "a b c d", "a", "b", "c", "d",
}

// FuzzFast checks that whenever the fast path takes a text, it writes
// what the pipeline writes.
func FuzzFast(f *testing.F) {
	for _, s := range slices.Concat(fastLines, slowLines, edgeLines) {
		f.Add(s)
	}
	n := New()
	f.Fuzz(func(t *testing.T, s string) {
		checkFast(t, n, s)
	})
}
