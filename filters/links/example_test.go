package links_test

import (
	"fmt"
	"strings"

	"github.com/vigie-edu/vigie/filters/links"
)

func ExampleFind() {
	text := "regarde example[.]com, https://Fr.Wikipedia.org/wiki/Essex et xn--bcher-kva.de. C'est la fin.de la phrase, écris à jean@mail.fr"
	for _, l := range links.Find(text, nil) {
		fmt.Printf("[%d:%d] %q → %s (host %s, obfuscated %v)\n", l.Start, l.End, l.Raw, l.URL, l.Host, l.Obfuscated)
	}
	// Output:
	// [8:21] "example[.]com" → http://example.com (host example.com, obfuscated true)
	// [23:58] "https://Fr.Wikipedia.org/wiki/Essex" → https://fr.wikipedia.org/wiki/Essex (host fr.wikipedia.org, obfuscated false)
	// [62:78] "xn--bcher-kva.de" → http://bücher.de (host bücher.de, obfuscated false)
}

func ExampleClassifier_Classify() {
	c, err := links.NewClassifier(links.Config{
		Lists:        []links.List{{Name: "adult", Category: "porn_link", Domains: []string{"pornhub.com"}}},
		Allow:        []string{"wikipedia.org"},
		AdultTLDs:    []string{"xxx"},
		Keywords:     []string{"porn", "sex"},
		KeywordAllow: []string{"essex"},
		Shorteners:   []string{"bit.ly"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, host := range []string{"fr.pornhub.com", "en.wikipedia.org", "example.xxx", "bit.ly", "free-porn.example", "essex.ac.uk", "example.com"} {
		cls := c.Classify(host)
		fmt.Printf("%-18s %q %q\n", host, cls.Category, cls.Reason)
	}
	// Output:
	// fr.pornhub.com     "porn_link" "list:adult"
	// en.wikipedia.org   "" "allow:wikipedia.org"
	// example.xxx        "porn_link" "tld:.xxx"
	// bit.ly             "shortener" "shortener"
	// free-porn.example  "porn_link" "keyword:porn"
	// essex.ac.uk        "" ""
	// example.com        "" ""
}

func ExampleParseList() {
	hosts := `# blocked hosts
127.0.0.1 localhost
0.0.0.0 ads.example.com tracker.example.net
`
	domains, err := links.ParseList(strings.NewReader(hosts), "hosts", "blocked.hosts")
	fmt.Println(domains, err)

	_, err = links.ParseList(strings.NewReader("example.com\nnot a domain\n"), "ut1", "adult/domains")
	fmt.Println(err)
	// Output:
	// [ads.example.com tracker.example.net] <nil>
	// adult/domains:2: unexpected space in "not a domain": one domain per line
}
