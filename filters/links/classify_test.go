package links

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// testConfig is a small configuration exercising every rule.
func testConfig() Config {
	return Config{
		Lists: []List{
			{Name: "adult", Category: "porn_link", Domains: []string{"pornhub.com", "*.xvideos.com", "xn--bcher-kva.de", "onlyfans.com", "1.2.3.4"}},
			{Name: "gambling", Category: "gambling", Domains: []string{"casino.example", "pornhub.com"}},
		},
		Allow:        []string{"wikipedia.org", "safe.pornhub.com", "Sussex.AC.UK."},
		AdultTLDs:    []string{"xxx", ".porn", "SEX"},
		Keywords:     []string{"porn", "sex", "xxx", "hentai"},
		KeywordAllow: []string{"essex", "sussex", "pornic", "sextant"},
		Shorteners:   []string{"bit.ly", "t.co"},
	}
}

func TestClassify(t *testing.T) {
	c, err := NewClassifier(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host string
		want Class
	}{
		// Lists: exact and parent match, first list wins.
		{"pornhub.com", Class{"porn_link", "list:adult"}},
		{"fr.pornhub.com", Class{"porn_link", "list:adult"}},
		{"a.b.c.pornhub.com", Class{"porn_link", "list:adult"}},
		{"PornHub.COM.", Class{"porn_link", "list:adult"}},
		{"www.xvideos.com", Class{"porn_link", "list:adult"}},
		{"xvideos.com", Class{"porn_link", "list:adult"}},
		{"casino.example", Class{"gambling", "list:gambling"}},
		{"notpornhub.org", Class{"porn_link", "keyword:porn"}},
		{"1.2.3.4", Class{"porn_link", "list:adult"}},
		{"5.1.2.3.4", Class{}}, // not an IP, and 1.2.3.4 is not its parent domain by IP rules
		// IDN: Unicode and punycode forms match each other.
		{"bücher.de", Class{"porn_link", "list:adult"}},
		{"xn--bcher-kva.de", Class{"porn_link", "list:adult"}},
		{"BÜCHER.de", Class{"porn_link", "list:adult"}},
		// Allow wins, exact and parent, over lists, TLDs and keywords.
		{"safe.pornhub.com", Class{"", "allow:safe.pornhub.com"}},
		{"x.safe.pornhub.com", Class{"", "allow:safe.pornhub.com"}},
		{"fr.wikipedia.org", Class{"", "allow:wikipedia.org"}},
		{"sex.sussex.ac.uk", Class{"", "allow:sussex.ac.uk"}},
		// Adult TLDs.
		{"example.xxx", Class{"porn_link", "tld:.xxx"}},
		{"a.b.porn", Class{"porn_link", "tld:.porn"}},
		{"hello.sex", Class{"porn_link", "tld:.sex"}},
		// Shorteners, exact and parent.
		{"bit.ly", Class{"shortener", "shortener"}},
		{"www.bit.ly", Class{"shortener", "shortener"}},
		{"t.co", Class{"shortener", "shortener"}},
		{"at.co", Class{}},
		// Keywords, and benign words containing them.
		{"freeporn.example.net", Class{"porn_link", "keyword:porn"}},
		{"my-sex-site.fr", Class{"porn_link", "keyword:sex"}},
		{"HENTAI-world.net", Class{"porn_link", "keyword:hentai"}},
		{"essex.gov.uk", Class{}},
		{"essexporn.com", Class{"porn_link", "keyword:porn"}},
		{"sexessex.com", Class{"porn_link", "keyword:sex"}},
		{"mairie-pornic.fr", Class{}},
		{"sextant.example.org", Class{}},
		{"sussexcams.co.uk", Class{}},
		{"example.sexy", Class{}}, // the TLD label is left to adult_tlds
		// Nothing.
		{"example.com", Class{}},
		{"", Class{}},
		{"localhost", Class{}},
	}
	for _, tt := range tests {
		if got := c.Classify(tt.host); got != tt.want {
			t.Errorf("Classify(%q) = %+v, want %+v", tt.host, got, tt.want)
		}
	}
}

func TestClassifyEmptyConfig(t *testing.T) {
	c, err := NewClassifier(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"pornhub.com", "example.xxx", "bit.ly", "porn.example"} {
		if got := c.Classify(h); got != (Class{}) {
			t.Errorf("Classify(%q) = %+v with an empty config", h, got)
		}
	}
}

func TestNewClassifierErrors(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		list, want string // ConfigError.List and a substring of the message
	}{
		{"space", Config{Lists: []List{{Name: "adult.txt", Category: "porn_link", Domains: []string{"ok.com", "bad domain.com"}}}}, "adult.txt", `"bad domain.com"`},
		{"empty label", Config{Lists: []List{{Name: "l", Category: "c", Domains: []string{"a..com"}}}}, "l", "empty label"},
		{"no dot", Config{Allow: []string{"localhost"}}, "allow", "no dot"},
		{"empty", Config{Shorteners: []string{""}}, "shorteners", "empty"},
		{"long label", Config{Allow: []string{strings.Repeat("a", 64) + ".com"}}, "allow", "longer than 63"},
		{"tld with dot", Config{AdultTLDs: []string{"co.uk"}}, "adult_tlds", "single label"},
		{"keyword", Config{Keywords: []string{"two words"}}, "keywords", "cannot appear"},
		{"keyword allow", Config{KeywordAllow: []string{""}}, "keyword_allow", "empty keyword"},
		{"no category", Config{Lists: []List{{Name: "nocat", Domains: []string{"a.com"}}}}, "nocat", "no category"},
		{"bad scheme", Config{Allow: []string{"a b://x.com"}}, "allow", "scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClassifier(tt.cfg)
			if err == nil {
				t.Fatalf("NewClassifier succeeded: %+v", c)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *ConfigError", err, err)
			}
			if ce.List != tt.list || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q (list %q), want list %q and %q", err, ce.List, tt.list, tt.want)
			}
		})
	}
}

func TestNewClassifierReportsAllErrors(t *testing.T) {
	_, err := NewClassifier(Config{
		Allow:      []string{"bad one.com"},
		Shorteners: []string{"x..y"},
		Lists:      []List{{Name: "l", Category: "c", Domains: []string{"ok.com", "-"}}},
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, part := range []string{"allow", "shorteners", "links: l:"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not mention %q", err, part)
		}
	}
}

func TestCleanDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Example.COM", "example.com"},
		{"*.example.com", "example.com"},
		{".example.com", "example.com"},
		{"example.com.", "example.com"},
		{"https://user@www.example.com:8080/path?q#f", "www.example.com"},
		{"example.com:443", "example.com"},
		{"xn--bcher-kva.de", "bücher.de"},
		{"BÜCHER.DE", "bücher.de"},
		{"_dmarc.example.com", "_dmarc.example.com"},
		{"xn--zz.com", "xn--zz.com"},
	}
	for _, tt := range tests {
		got, err := cleanDomain(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("cleanDomain(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "*.", "com", "a b.com", "a..b", "exa$mple.com", "http://", strings.Repeat("abcdefghi.", 26) + "com"} {
		if got, err := cleanDomain(bad); err == nil {
			t.Errorf("cleanDomain(%q) = %q, want an error", bad, got)
		}
	}
}

// TestClassifyLargeList checks that a 100,000-entry list is matched
// exactly and by parent domain, and that a lookup does not allocate:
// Classify walks the host's parent domains in maps, it does not scan.
func TestClassifyLargeList(t *testing.T) {
	const n = 100_000
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "site%d.example%d.com\n", i, i%97)
	}
	domains, err := ParseList(strings.NewReader(b.String()), "ut1", "big")
	if err != nil {
		t.Fatal(err)
	}
	if len(domains) != n {
		t.Fatalf("ParseList returned %d domains, want %d", len(domains), n)
	}
	c, err := NewClassifier(Config{Lists: []List{{Name: "big", Category: "porn_link", Domains: domains}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 4242, n / 2, n - 1} {
		host := fmt.Sprintf("site%d.example%d.com", i, i%97)
		if got := c.Classify(host); got.Reason != "list:big" {
			t.Errorf("Classify(%q) = %+v", host, got)
		}
		if got := c.Classify("www.cdn." + host); got.Reason != "list:big" {
			t.Errorf("Classify(www.cdn.%s) = %+v", host, got)
		}
	}
	for _, host := range []string{"site100000.example0.com", "example1.com", "site1.example2.com"} {
		if got := c.Classify(host); got != (Class{}) {
			t.Errorf("Classify(%q) = %+v, want nothing", host, got)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		c.Classify("a.b.c.site77.example77.com")
		c.Classify("not.listed.example.org")
	})
	if allocs != 0 {
		t.Errorf("Classify allocates %v times per call", allocs)
	}
}
