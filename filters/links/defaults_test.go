package links

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// defaultsDir is where the embedded default rules live.
const defaultsDir = "../../rules/defaults"

// linksFragment is the part of rules/FORMAT.md that 40-links.yaml may
// use; decoding is strict so that a key outside the format fails here.
type linksFragment struct {
	Version int `yaml:"version"`
	Links   struct {
		AllowDomains []string            `yaml:"allow_domains"`
		Block        map[string][]string `yaml:"block"`
		Lists        []struct {
			Path     string `yaml:"path"`
			Format   string `yaml:"format"`
			Category string `yaml:"category"`
		} `yaml:"lists"`
		AdultTLDs    []string `yaml:"adult_tlds"`
		Keywords     []string `yaml:"keywords"`
		KeywordAllow []string `yaml:"keyword_allow"`
		Shorteners   []string `yaml:"shorteners"`
	} `yaml:"links"`
	Tests []struct {
		Text     string `yaml:"text"`
		Expect   string `yaml:"expect"`
		Category string `yaml:"category"`
		Lang     string `yaml:"lang"`
	} `yaml:"tests"`
}

// loadDefaults reads 40-links.yaml and its list files into a Config, as
// package rules does.
func loadDefaults(t *testing.T) (Config, linksFragment) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(defaultsDir, "40-links.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f linksFragment
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("40-links.yaml: %v", err)
	}
	if f.Version != 1 {
		t.Fatalf("40-links.yaml: version %d", f.Version)
	}
	cfg := Config{
		Allow:        f.Links.AllowDomains,
		AdultTLDs:    f.Links.AdultTLDs,
		Keywords:     f.Links.Keywords,
		KeywordAllow: f.Links.KeywordAllow,
		Shorteners:   f.Links.Shorteners,
	}
	for cat, doms := range f.Links.Block {
		cfg.Lists = append(cfg.Lists, List{Name: "block:" + cat, Category: cat, Domains: doms})
	}
	for _, l := range f.Links.Lists {
		r, err := os.Open(filepath.Join(defaultsDir, l.Path))
		if err != nil {
			t.Fatal(err)
		}
		doms, err := ParseList(r, l.Format, l.Path)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		cfg.Lists = append(cfg.Lists, List{Name: l.Path, Category: l.Category, Domains: doms})
	}
	return cfg, f
}

func TestDefaults(t *testing.T) {
	cfg, _ := loadDefaults(t)
	c, err := NewClassifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var adult []string
	for _, l := range cfg.Lists {
		if l.Name == "domains/adult.txt" {
			adult = l.Domains
		}
	}
	if len(adult) < 200 {
		t.Fatalf("domains/adult.txt has %d domains, want a few hundred", len(adult))
	}
	seen := map[string]bool{}
	for _, d := range adult {
		if seen[d] {
			t.Errorf("adult.txt: duplicate %s", d)
		}
		seen[d] = true
		if got := c.Classify("www." + d); got.Category != "porn_link" {
			t.Errorf("Classify(www.%s) = %+v, want porn_link", d, got)
		}
	}
	tests := []struct {
		host string
		want Class
	}{
		{"fr.pornhub.com", Class{"porn_link", "list:domains/adult.txt"}},
		{"onlyfans.com", Class{"porn_link", "list:domains/adult.txt"}},
		{"anything.xxx", Class{"porn_link", "tld:.xxx"}},
		{"free-hentai-videos.net", Class{"porn_link", "keyword:hentai"}},
		{"bit.ly", Class{"shortener", "shortener"}},
		{"fr.wikipedia.org", Class{"", "allow:wikipedia.org"}},
		{"eduscol.education.fr", Class{"", "allow:eduscol.education.fr"}},
		{"onsexprime.fr", Class{"", "allow:onsexprime.fr"}},
		{"3018.fr", Class{"", "allow:3018.fr"}},
		{"www.youtube.com", Class{}},
		{"essex.ac.uk", Class{}},
		{"www.middlesex.ac.uk", Class{}},
		{"education-sexualite.fr", Class{}},
		{"stop-sexisme.fr", Class{}},
		{"ville-pornic.fr", Class{}},
		{"www.google.analytics.com", Class{}},
		{"sexualporn.example", Class{"porn_link", "keyword:porn"}},
	}
	for _, tt := range tests {
		if got := c.Classify(tt.host); got != tt.want {
			t.Errorf("Classify(%q) = %+v, want %+v", tt.host, got, tt.want)
		}
	}
}

// TestDefaultShortenersInSync checks that the inline shorteners of
// 40-links.yaml are exactly domains/shorteners.txt.
func TestDefaultShortenersInSync(t *testing.T) {
	_, f := loadDefaults(t)
	r, err := os.Open(filepath.Join(defaultsDir, "domains/shorteners.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	file, err := ParseList(r, "ut1", "domains/shorteners.txt")
	if err != nil {
		t.Fatal(err)
	}
	inline := slices.Clone(f.Links.Shorteners)
	slices.Sort(inline)
	slices.Sort(file)
	if !slices.Equal(inline, file) {
		t.Errorf("40-links.yaml shorteners and domains/shorteners.txt differ:\n yaml %q\n file %q", inline, file)
	}
	for _, must := range []string{"bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "cutt.ly", "rebrand.ly", "shorturl.at", "tiny.cc", "rb.gy"} {
		if !slices.Contains(file, must) {
			t.Errorf("shorteners.txt lacks %s", must)
		}
	}
}

// TestDefaultsOnMessages runs Find and the default classifier on chat
// messages, as the engine does, including the fragment's own tests.
func TestDefaultsOnMessages(t *testing.T) {
	cfg, f := loadDefaults(t)
	c, err := NewClassifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	type msg struct {
		text string
		cats []string // categories of the links found, in order ("" for unflagged)
	}
	msgs := []msg{
		{"mdr va voir xvideos[.]com", []string{"porn_link"}},
		{"hxxps://www.pornhub.com/view_video.php?viewkey=x", []string{"porn_link"}},
		{"c'est sur onlyfans point com", []string{"porn_link"}},
		{"regarde WWW.YOUPORN.COM !!", []string{"porn_link"}},
		{"le lien: tinyurl.com/y2k3abc", []string{"shortener"}},
		{"la page https://fr.wikipedia.org/wiki/Sexualité_humaine", []string{""}},
		{"exposé sur https://www.lumni.fr/video/x et youtube.com/watch?v=1", []string{"", ""}},
		{"C'est la fin.de la phrase, j'ai fini.Et voilà", nil},
	}
	for _, tt := range f.Tests {
		if tt.Expect == "remove" && (tt.Category == "porn_link" || tt.Category == "shortener") {
			msgs = append(msgs, msg{tt.Text, []string{tt.Category}})
		}
	}
	for _, m := range msgs {
		var cats []string
		for _, l := range Find(m.text, nil) {
			cats = append(cats, c.Classify(l.Host).Category)
		}
		if !slices.Equal(cats, m.cats) {
			t.Errorf("%q: link categories %q, want %q", m.text, cats, m.cats)
		}
	}
}
