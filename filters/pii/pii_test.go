package pii

import (
	"fmt"
	"testing"
)

func TestFind(t *testing.T) {
	tests := []struct {
		text string
		want []string // kind:text
	}{
		{"son num c 06 12 34 56 78 appelez le", []string{"phone:06 12 34 56 78"}},
		{"0612345678", []string{"phone:0612345678"}},
		{"+33 6 12 34 56 78 !!", []string{"phone:+33 6 12 34 56 78"}},
		{"06.12.34.56.78", []string{"phone:06.12.34.56.78"}},
		{"call +44 7911 123456", []string{"phone:+44 7911 123456"}},
		{"écris-lui sur lea.martin@gmail.com", []string{"email:lea.martin@gmail.com"}},
		{"elle habite au 12 rue des Lilas à Lyon", []string{"address:12 rue des Lilas à Lyon"}},
		{"he lives at 221 Baker Street", []string{"address:221 Baker Street"}},
		{"page 12 exercice 3 pour demain", nil},
		{"la réunion est le 12/03/2025 à 14h", nil},
		{"score: 12 - 10, on a gagné", nil},
		{"@everyone le devoir est pour lundi", nil},
		{"j'ai eu 15 au contrôle de maths", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range Find(tt.text, nil) {
			got = append(got, string(m.Kind)+":"+tt.text[m.Start:m.End])
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Find(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func FuzzFind(f *testing.F) {
	f.Add("06 12 34 56 78 lea@x.fr 12 rue de la Paix")
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range Find(s, nil) {
			if m.Start < 0 || m.End > len(s) || m.Start >= m.End {
				t.Fatalf("bad match %+v in %q", m, s)
			}
		}
	})
}

func BenchmarkFind(b *testing.B) {
	text := "salut tout le monde, quelqu'un a fait l'exercice 3 page 42 pour demain ?"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Find(text, nil)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
