package langid

import "testing"

func TestQuick(t *testing.T) {
	d, err := New([]string{"fr", "en", "es", "de", "it", "pt", "ar", "tr"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want string // "" when function words must not decide
	}{
		{"be careful, my dog might bite you if you pull his tail", "en"},
		{"c'est vraiment une bite", "fr"},
		{"Quiero un café con leche, gracias", "es"},
		{"Ich bin nicht müde und du?", "de"},
		{"Non ho capito, perché sono in ritardo", "it"},
		{"Eu não sei, você sabe?", "pt"},
		{"t'es con", ""},                                    // one word is no evidence
		{"the French word for dog is chien et le chat", ""}, // two languages
		{"مرحبا the and", ""},                               // another script: lingua
		{"mdr jsp ptdr", "fr"},                              // chat slang lingua reads as German
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := d.quick(tt.text)
		if !ok {
			got = ""
		}
		if got != tt.want {
			t.Errorf("quick(%q) = %q, want %q", tt.text, got, tt.want)
		}
		if tt.want != "" {
			if lang, conf := d.Detect(tt.text); lang != tt.want || conf != QuickConfidence {
				t.Errorf("Detect(%q) = %s %.2f, want %s %.2f", tt.text, lang, conf, tt.want, QuickConfidence)
			}
		}
	}
	// A language that is not configured is no evidence.
	frEN, err := New([]string{"fr", "en"})
	if err != nil {
		t.Fatal(err)
	}
	if lang, ok := frEN.quick("Ich bin nicht müde und du"); ok {
		t.Errorf("fr/en detector decided %q from German words", lang)
	}
}

func BenchmarkQuick(b *testing.B) {
	d, err := New([]string{"fr", "en", "es", "de", "it", "pt", "ar", "tr"})
	if err != nil {
		b.Fatal(err)
	}
	text := "be careful, my dog might bite you if you pull his tail"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d.quick(text)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
