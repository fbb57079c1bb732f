package links

import (
	"fmt"
	"strings"
	"testing"
)

// chatNoLinks are realistic class-chat lines without links (some with
// dots, abbreviations, e-mail addresses and numbers that Find must reject).
var chatNoLinks = []string{
	"Salut tout le monde, on se retrouve à 14h pour le TP de SVT ?",
	"quelqu'un a fait l'exo 3 p.125 ? j'ai pas compris la question 2.b",
	"C'est la fin.de la phrase, j'ai fini.Et toi ?",
	"mdr t'es sérieux là 😂😂 ok bon je vais manger",
	"Le prof a dit que le contrôle est reporté à jeudi, M.Dupont est malade.",
	"did you finish the homework? I'm stuck on exercise 4, e.g. the second part",
	"envoie moi ton mail: prenom.nom@exemple.fr stp",
	"la moyenne c'est 12.5 et la médiane 13, cf. le cours",
}

// chatWithLinks are realistic lines with one or two links, plain and
// obfuscated.
var chatWithLinks = []string{
	"regarde cette vidéo https://www.youtube.com/watch?v=dQw4w9WgXcQ trop drôle",
	"le cours est sur lumni.fr/video/les-fractions si t'as pas noté",
	"mdr va voir pornhub[.]com",
	"c'est sur onlyfans point com jsp",
	"source: https://fr.wikipedia.org/wiki/Révolution_française et www.herodote.net",
	"clique bit.ly/3xYzAbc vite",
}

func benchFind(b *testing.B, lines []string) {
	b.Helper()
	dst := make([]Link, 0, 8)
	var found int
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		dst = Find(lines[i%len(lines)], dst[:0])
		found += len(dst)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if found == 0 && lines[0] == chatWithLinks[0] {
		b.Fatal("no link found")
	}
}

func BenchmarkFind(b *testing.B) {
	b.Run("no-links", func(b *testing.B) { benchFind(b, chatNoLinks) })
	b.Run("with-links", func(b *testing.B) { benchFind(b, chatWithLinks) })
}

func BenchmarkClassify(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("list-%d", n), func(b *testing.B) {
			domains := make([]string, n)
			for i := range domains {
				domains[i] = fmt.Sprintf("site%d.example%d.com", i, i%97)
			}
			c, err := NewClassifier(Config{
				Lists:        []List{{Name: "big", Category: "porn_link", Domains: domains}},
				Allow:        []string{"wikipedia.org"},
				AdultTLDs:    []string{"xxx", "porn", "adult", "sex", "sexy"},
				Keywords:     strings.Fields("porn xxx sex hentai nude nsfw camgirl escort milf fuck"),
				KeywordAllow: strings.Fields("essex sussex middlesex wessex analytics documentation puteaux pornic"),
				Shorteners:   []string{"bit.ly", "t.co"},
			})
			if err != nil {
				b.Fatal(err)
			}
			hosts := []string{"www.site42.example42.com", "fr.wikipedia.org", "cdn.static.example.org", "bit.ly", "free-porn.example.net", "www.essex.ac.uk"}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				c.Classify(hosts[i%len(hosts)])
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hosts/s")
		})
	}
}
