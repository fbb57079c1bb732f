package filters

import (
	"context"
	"math/rand"
	"testing"
)

// benchMessages builds a realistic mix of chat lines: mostly ordinary
// classroom talk of 20–300 characters, some with links, a few harmful.
func benchMessages(n int) []string {
	benign := []string{
		"salut tout le monde, quelqu'un a fait l'exercice 3 page 42 pour demain ?",
		"Le prof a dit que le contrôle de maths est reporté à jeudi, révisez bien le chapitre sur les fractions",
		"jsp mdr, t'as compris la question 2 ? moi j'ai rien capté 😅",
		"hey did anyone finish the history essay? I'm stuck on the part about the industrial revolution",
		"Here is the link to the worksheet https://docs.google.com/document/d/1abcDEF/edit",
		"on se retrouve au CDI à 13h pour l'exposé ? j'amène l'ordi",
		"l'analyse du texte de Zola c'est pour lundi, n'oubliez pas la bibliographie",
		"regardez cette vidéo pour la SVT https://www.youtube.com/watch?v=dQw4w9WgXcQ c'est super bien expliqué",
		"ok merci !!",
		"can someone explain photosynthesis again, I was absent on Tuesday because I was sick",
		"Bonjour madame, est-ce que le devoir doit être rendu sur l'ENT ou sur papier ? Merci d'avance",
		"the Essex trip is on Friday, bring a packed lunch and a raincoat",
	}
	harmful := []string{
		"t'es qu'un gros c0nnard",
		"va sur pornhub.com",
		"espèce de enculé",
		"les arabes sont des parasites",
	}
	rng := rand.New(rand.NewSource(1))
	out := make([]string, n)
	for i := range out {
		if rng.Intn(20) == 0 {
			out[i] = harmful[rng.Intn(len(harmful))]
		} else {
			out[i] = benign[rng.Intn(len(benign))]
		}
	}
	return out
}

func BenchmarkClassify(b *testing.B) {
	c := newTestClassifier(b)
	msgs := benchMessages(1000)
	ctx := context.Background()
	for _, m := range msgs {
		c.Classify(ctx, Message{Text: m})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Classify(ctx, Message{Text: msgs[i%len(msgs)]})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
