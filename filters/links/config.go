// Package links finds URLs in chat text, plain or obfuscated, and
// classifies their hosts against domain lists, adult top-level domains,
// a keyword heuristic and a list of URL shorteners. It makes no network
// call.
package links

// List is a set of domains of one category (for example "porn_link"),
// with where it came from for explanations ("default", a file path).
type List struct {
	Name     string
	Category string
	Domains  []string
}

// Config configures host classification.
type Config struct {
	Lists        []List   // domain lists; a host matches a domain exactly or as a subdomain
	Allow        []string // domains never flagged (exact or parent match), checked first
	AdultTLDs    []string // top-level domains that are adult by definition: xxx, porn, adult, sex, sexy
	Keywords     []string // keywords that make an unknown host adult: porn, xxx, hentai …
	KeywordAllow []string // host labels containing a keyword that are benign: essex, sussex, analytics …
	Shorteners   []string // URL shortener domains: reported as category "shortener"
}
