package filters

import (
	"bytes"
	"strings"

	"github.com/vigie-edu/vigie/filters/match"
)

// commonWords are the words most frequent in French and English class
// chat, in normalised form: function words, pronouns, auxiliaries and
// common verbs, school words and chat shorthand. Words of one or two
// letters are common without being listed.
//
// They decide no verdict. They only tell the first look at a message
// (see quickFilter) which pattern words are too frequent to rule a
// message out: a frame is ruled out by its rarer words.
const commonWords = `
les des une est pas que qui quoi pour dans sur par avec mais tout tous toute toutes
plus moins tres trop bien mal fait faire fais font etre avoir ont sont suis sommes etes
avait avais etait etais ete aura sera elle elles ils lui leur leurs nous vous moi toi
mon ton son mes tes ses notre votre nos vos cette ces cet comme quand comment pourquoi
aussi alors donc car sans sous chez entre vers encore deja jamais toujours rien
quelqu quelque chose peu beaucoup oui non merci bonjour salut apres avant demain hier
aujourd hui ici voila voici peut peux veut veux vais vas allez aller dit dire faut sait
sais vois voir vraiment juste meme autre autres fois jour ans gens dont ceux celle
celles celui cela ceci ainsi puis ensuite tant tellement parce quel quelle quels
quelles ouais wesh mdr ptdr lol jsp stp svp bcp pcq prof cours classe devoir devoirs
exercice page heure contre sinon depuis pendant prendre mettre venir vient viens
the and you your are was were for that this with have has had not but they them their
she her his him its our out all any can could would should will what when where who
why how there here then than just like get got about from into one some more most very
really also only been being did does don dont didn isn aren wasn won wouldn yes yeah
omg idk pls thanks thank hey know think want need make made going gonna wanna see say
said tell come coming let now today tomorrow homework class teacher anyone someone
everyone people guys time day good new too much many well way because after before
again still even back over off down put take give these those which every each other
same ever never always doing done lot bro ill ive youre thats whats cant wont
`

// commonSet returns the common words and phrases as a set.
func commonSet() map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(commonWords) {
		set[w] = true
	}
	for _, p := range strings.Split(commonPhrases, "|") {
		set[strings.TrimSpace(p)] = true
	}
	return set
}

// commonPhrases are the phrases of two words most frequent in chat, in
// normalised form (an apostrophe splits a word: "c'est" is "c est").
const commonPhrases = `
c est|c etait|t es|t as|j ai|j suis|j sais|j pense|j vais|l a|l ai|d un|d une|qu il|qu elle|qu on|
qu un|qu une|n est|n a|n ai|n y|il y|y a|il est|elle est|on est|on a|tu es|tu as|tu vas|je suis|
j en|je vais|il a|elle a|de la|de l|de mon|de ma|de mes|de ce|dans le|dans la|sur le|sur la|
pour le|pour la|a la|au fait|en fait|tout le|tous les|est ce|ce que|ce qui|et le|et la|
i m|it s|don t|i ll|i ve|you re|they re|we re|that s|what s|can t|isn t|didn t|doesn t|won t|
he s|she s|there s|let s|of the|in the|on the|to the|at the|for the|is the|it is|is a|to be|
i am|you are|they are|we are|he is|she is|i was|it was|do you|are you|did you|have a|i have|
want to|going to|need to|have to|a lot|you know|i think|i don|this is|that is|for a|in a`

// isCommon reports whether a normalised term is frequent in chat: a
// common word or phrase, a word of one or two letters, or a prefix or
// substring term short enough to be in many words.
func isCommon(norm []byte, mode match.Mode, words map[string]bool) bool {
	if bytes.IndexByte(norm, ' ') >= 0 {
		return words[string(norm)]
	}
	switch mode {
	case match.Prefix:
		return len(norm) <= 3 || words[string(norm)]
	case match.Substring:
		return len(norm) <= 4
	}
	return len(norm) <= 2 || words[string(norm)]
}
