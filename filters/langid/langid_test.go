package langid

import "testing"

func TestDetect(t *testing.T) {
	d, err := New([]string{"fr", "en", "es", "de", "it", "pt", "ar", "tr"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ text, want string }{
		{"Je suis allé au marché avec ma mère ce matin pour acheter des légumes", "fr"},
		{"I went to the market with my mother this morning to buy vegetables", "en"},
		{"Quiero un café con leche por favor, gracias amigo", "es"},
		{"Ich habe heute keine Hausaufgaben gemacht", "de"},
		{"مرحبا كيف حالك اليوم", "ar"},
	}
	for _, tt := range tests {
		got, conf := d.Detect(tt.text)
		if got != tt.want {
			t.Errorf("Detect(%q) = %s (%.2f), want %s", tt.text, got, conf, tt.want)
		}
		if conf <= 0 || conf > 1 {
			t.Errorf("Detect(%q) confidence %v out of range", tt.text, conf)
		}
	}
	if got, conf := d.Detect("!!! ..."); got != "" || conf != 0 {
		t.Errorf("Detect(punctuation) = %q, %v; want nothing", got, conf)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(nil); err == nil {
		t.Error("no languages accepted")
	}
	if _, err := New([]string{"fr", "xx"}); err == nil {
		t.Error("unknown code accepted")
	}
	d, err := New([]string{"fr"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Detect("hello"); got != "fr" {
		t.Errorf("single-language detector = %q", got)
	}
}

func BenchmarkDetect(b *testing.B) {
	d, err := New([]string{"fr", "en", "es", "de", "it", "pt", "ar", "tr"})
	if err != nil {
		b.Fatal(err)
	}
	text := "t'es vraiment qu'une bite toi"
	d.Detect(text)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Detect(text)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func TestClip(t *testing.T) {
	tests := []struct {
		text string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"ab cd", 3, "ab cd"},
		{"abc def", 3, "abc"},
		{"ab cdef ghi", 3, "ab cdef"},
		{"a, b, c, d", 3, "a, b, c"},
		{"élève été", 5, "élève"},
		{"12 34 ab", 1, "12 34 ab"},
	}
	for _, tt := range tests {
		if got := clip(tt.text, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
		}
	}
}

func TestDetectLongText(t *testing.T) {
	d, err := New([]string{"fr", "en", "es", "de", "it", "pt", "ar", "tr"})
	if err != nil {
		t.Fatal(err)
	}
	fr := "salut tout le monde, quelqu'un a fait l'exercice trois pour demain ? le prof a dit que le contrôle de maths est reporté à jeudi, révisez bien le chapitre sur les fractions et les équations, on se retrouve au CDI"
	if len(clip(fr, maxLetters)) == len(fr) {
		t.Fatalf("test text too short to be clipped")
	}
	if got, conf := d.Detect(fr); got != "fr" || conf < 0.5 {
		t.Errorf("Detect(long French text) = %s (%.2f), want fr", got, conf)
	}
	en := "hey did anyone finish the history essay? I'm stuck on the part about the industrial revolution, can someone explain photosynthesis again, I was absent on Tuesday because I was sick"
	if got, conf := d.Detect(en); got != "en" || conf < 0.5 {
		t.Errorf("Detect(long English text) = %s (%.2f), want en", got, conf)
	}
}
