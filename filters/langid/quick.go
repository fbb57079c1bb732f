package langid

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// functionWords are, per language, short words that are common in chat
// and belong to that language alone among the languages Vigie ships
// with (fr en es de it pt tr; Arabic is told by its script). Words shared
// by two of them ("la", "de", "que", "con", "il", "tu", "ma", "in", "on",
// "no", "es" …) are left out on purpose: they are no evidence.
var functionWords = map[string]string{
	// French (elided "c'", "j'", "qu'" come apart as "c", "j", "qu").
	"les": "fr", "des": "fr", "et": "fr", "est": "fr", "une": "fr", "je": "fr", "j": "fr",
	"elle": "fr", "nous": "fr", "vous": "fr", "ils": "fr", "elles": "fr", "pas": "fr",
	"c": "fr", "qu": "fr", "dans": "fr", "sur": "fr", "avec": "fr", "au": "fr", "aux": "fr",
	"sont": "fr", "suis": "fr", "mon": "fr", "mes": "fr", "tes": "fr", "ses": "fr",
	"leur": "fr", "très": "fr", "trop": "fr", "ça": "fr", "moi": "fr", "toi": "fr",
	"cette": "fr", "être": "fr", "avoir": "fr", "fait": "fr", "mdr": "fr", "ptdr": "fr",
	"jsp": "fr", "wsh": "fr", "oui": "fr", "ouais": "fr", "aussi": "fr", "alors": "fr",
	"quoi": "fr", "comme": "fr", "pourquoi": "fr", "était": "fr", "etait": "fr",
	// English.
	"the": "en", "and": "en", "is": "en", "are": "en", "you": "en", "your": "en",
	"it": "en", "this": "en", "that": "en", "what": "en", "with": "en", "for": "en",
	"were": "en", "not": "en", "but": "en", "have": "en", "has": "en",
	"my": "en", "he": "en", "she": "en", "they": "en", "we": "en", "don": "en",
	"can": "en", "just": "en", "of": "en", "to": "en", "at": "en",
	"be": "en", "all": "en", "if": "en", "yes": "en", "why": "en", "how": "en",
	"who": "en", "his": "en", "her": "en", "him": "en",
	"u": "en", "ur": "en", "did": "en", "does": "en", "would": "en", "could": "en",
	// Spanish.
	"el": "es", "los": "es", "las": "es",
	"pero": "es", "muy": "es", "más": "es", "yo": "es", "hola": "es",
	"gracias": "es", "también": "es", "quiero": "es", "tengo": "es",
	"eso": "es", "usted": "es",
	// German.
	"der": "de", "das": "de", "und": "de", "ist": "de", "nicht": "de",
	"ich": "de", "sie": "de", "wir": "de", "ein": "de", "eine": "de", "mit": "de",
	"auf": "de", "zu": "de", "den": "de", "dem": "de", "auch": "de", "ja": "de",
	"nein": "de", "aber": "de", "oder": "de", "sehr": "de", "haben": "de", "bist": "de",
	// Italian.
	"che": "it", "di": "it", "per": "it", "sono": "it", "è": "it",
	"gli": "it", "della": "it", "questo": "it", "molto": "it", "anche": "it",
	"ciao": "it", "grazie": "it", "perché": "it", "io": "it",
	// Portuguese.
	"não": "pt", "você": "pt", "eu": "pt", "é": "pt", "muito": "pt", "obrigado": "pt",
	"isso": "pt", "ele": "pt", "ela": "pt", "uma": "pt", "também": "pt", "nós": "pt",
	// Turkish.
	"bir": "tr", "bu": "tr", "için": "tr", "çok": "tr", "ben": "tr",
	"sen": "tr", "var": "tr", "yok": "tr", "değil": "tr", "evet": "tr", "hayır": "tr",
}

// quick decides the language from function words alone when they leave
// no doubt: at least two words of one configured language and none of
// another, and no letter of a script that none of those words is in.
// It saves the cost of lingua (0.1–0.2 ms) on most messages whose
// language matters; ok is false when the words are not decisive.
func (d *Detector) quick(text string) (string, bool) {
	var counts [8]int
	var langs [8]string
	n := 0
	best := -1
	for start := 0; start < len(text); {
		r, size := utf8.DecodeRuneInString(text[start:])
		if !unicode.IsLetter(r) {
			if r > unicode.MaxLatin1 && !unicode.IsPunct(r) && !unicode.IsSpace(r) && !unicode.IsSymbol(r) {
				return "", false // digits of other scripts, marks: leave it to lingua
			}
			start += size
			continue
		}
		end := start
		for end < len(text) {
			r, size := utf8.DecodeRuneInString(text[end:])
			if !unicode.IsLetter(r) {
				break
			}
			if !unicode.In(r, unicode.Latin) {
				return "", false // Arabic, Cyrillic, Greek…: lingua tells scripts apart
			}
			end += size
		}
		w := text[start:end]
		start = end
		if len(w) > 9 {
			continue
		}
		lang, ok := functionWords[lower(w)]
		if !ok || !d.has(lang) {
			continue
		}
		k := 0
		for k < n && langs[k] != lang {
			k++
		}
		if k == n {
			if n == len(langs) {
				return "", false
			}
			langs[n] = lang
			n++
		}
		counts[k]++
		if best < 0 || counts[k] > counts[best] {
			best = k
		}
	}
	if n != 1 || counts[best] < 2 {
		return "", false
	}
	return langs[best], true
}

// lower lower-cases a short word without allocating when it is already
// lower case.
func lower(w string) string {
	for _, r := range w {
		if unicode.IsUpper(r) {
			return strings.ToLower(w)
		}
	}
	return w
}

// has reports whether code is one of the detector's languages.
func (d *Detector) has(code string) bool {
	for _, c := range d.codes {
		if c == code {
			return true
		}
	}
	return false
}
