package normalize_test

import (
	"testing"

	"github.com/vigie-edu/vigie/filters/normalize"
)

// chatLines are realistic classroom chat messages, 20 to 300 bytes,
// French and English, some with accents, emoji, leetspeak and evasions.
var chatLines = []string{
	"Bonjour madame, est-ce que le devoir de maths est pour jeudi ?",
	"t'es qu'un gros c0nnard toi mdr",
	"Quelqu'un a compris l'exercice 4 page 112 ? j'y arrive pas 😭",
	"ok merci bcp !! à demain 🙏🙏",
	"Hey guys, did anyone finish the history essay? I'm stuck on the intro",
	"ferme ta gueule sale b4tard",
	"On se retrouve au CDI à 13h30 pour le projet d'SVT ?",
	"c o n n a r d, tu vas voir demain",
	"lol ur so dumb bro 🤣🤣🤣",
	"Rappel : le contrôle de français porte sur les chapitres 3 à 5, révisez bien les figures de style (métaphore, comparaison, personnification) et la conjugaison du passé simple. Bon courage à tous !",
	"Merci pour ton aide hier, c'était vraiment sympa 😊",
	"ptn j'ai oublié mon cahier, qqn peut m'envoyer une photo des notes d'anglais stp",
	"« Je pense donc je suis » c'est de Descartes non ?",
	"wesh t.g frère, arrête",
	"I'll send you the slides after class, they're on the drive",
	"Tu viens au match samedi ? L'équipe de 4e B joue contre les 3e A 💪⚽",
	"ｔｕ ｅｓ ｎｕｌ ｅｎ ｍａｔｈｓ !!",
	"va te faire f*utre connard",
	"The deadline is Friday 11:59pm, don't forget to cite your sources!!!",
	"j'suis trop content, j'ai eu 18/20 au contrôle de physique-chimie 🎉🎉",
	"nique ta mère sale ch1en de m3rde",
	"Can someone explain photosynthesis in simple words? The textbook is confusing",
	"Привет, как дела? Всё хорошо?",
	"Hi everyone! Quick reminder from the student council: the bake sale is on Thursday during lunch in the main hall, all proceeds go to the animal shelter. Please bring labelled containers, list any allergens (nuts, gluten, dairy) and don't forget your reusable cups. Thanks!! 🍪🧁",
	"est-ce qu'on doit apprendre toute la leçon ou seulement la partie II.2 ?",
}

// BenchmarkNormalize measures Into over the chat corpus with one reused
// Text, as a worker goroutine of the classifier does.
func BenchmarkNormalize(b *testing.B) {
	n := normalize.New()
	var t normalize.Text
	bytes := 0
	for _, s := range chatLines {
		bytes += len(s)
	}
	b.SetBytes(int64(bytes / len(chatLines)))
	b.ReportAllocs()
	b.ResetTimer()
	msgs := 0
	for b.Loop() {
		n.Into(&t, chatLines[msgs%len(chatLines)])
		msgs++
	}
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkNormalizeNew measures Normalize, which allocates a new Text
// for each message.
func BenchmarkNormalizeNew(b *testing.B) {
	n := normalize.New()
	b.ReportAllocs()
	msgs := 0
	for b.Loop() {
		n.Normalize(chatLines[msgs%len(chatLines)])
		msgs++
	}
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkNew measures building the tables (done once per process).
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		normalize.New()
	}
}
