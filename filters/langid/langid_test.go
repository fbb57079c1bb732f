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
