package filters

import (
	"strings"

	"github.com/vigie-edu/vigie/filters/normalize"
)

// frequentWords are words found in nearly every chat message of their
// language: function words, the commonest verbs and chat fillers. They
// are no rule's business; the compiler only uses them to rank a
// pattern's words by how often a message has them (see oftenNorm), so
// that a pattern is looked at for the rare words it needs ("attend",
// "numero") rather than for "on" or "le". The list is ours, written from
// the words of the classroom chat in the benchmarks and the test sets,
// school and family words included ("devoir", "exposé", "parents",
// "everyone"); a word missing from it is only judged by its length.
const frequentWords = `
a à ai as au aux avec avoir bah bien c ça ca car ce ces cest cet cette
chez comme d dans de des dit donc du elle elles en encore es est et été
etre être eu eux fait faire fais il ils j je jsp l la là le les leur
leurs lui m ma mais mdr me même mes moi mon n ne nos notre nous on ont
ou où oui par pas peu peut plus pour pk pq qu quand que quel quelle qui
quoi rien s sa sans se ses si son sont stp suis sur t ta te tes toi ton
tous tout toute toutes tres très trop tu un une va vais vas veux vos
votre vous vrai y
cours classe prof profs devoir devoirs exposé exercice contrôle page
monde parents mère père frère soeur copain copine demain aujourd hui

about after all also am an and any are as at be because been but by can
could did do does don dont done for from get go going got had has have
he her here him his how i if im in is it its just know like lol m me
more my no not now of ok okay on one or our out re s she so some that
the their them then there they this to too u up us ve was we were what
when where which who why will with would yeah yes you your
class teacher homework school test page everyone someone anyone want
need coming today tomorrow mum mom dad parents friend friends
`

// frequentSet returns the normalised forms of frequentWords.
func frequentSet(n *normalize.Normalizer) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(frequentWords) {
		if norm, _ := n.Term(w); len(norm) > 0 {
			set[string(norm)] = true
		}
	}
	return set
}
