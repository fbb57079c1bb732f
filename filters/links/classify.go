package links

import (
	"errors"
	"fmt"
	"strings"
)

// Categories and reasons that Classify reports besides a list's own
// category.
const (
	// CategoryPorn is the category of adult hosts found by top-level
	// domain or keyword.
	CategoryPorn = "porn_link"
	// CategoryShortener is the category of URL shorteners, whose
	// destination is hidden.
	CategoryShortener = "shortener"
)

// Class is the result of classifying a host.
type Class struct {
	// Category is "" when the host is not flagged (also when it is
	// allowed), "porn_link" for adult hosts, "shortener" for URL
	// shorteners, or the category of the list that matched.
	Category string
	// Reason says why: "list:NAME", "tld:.xxx", "keyword:WORD",
	// "shortener", "allow:DOMAIN", or "" when nothing matched.
	Reason string
}

// Classifier classifies hosts; immutable, safe for concurrent use.
//
// Every domain lookup is a map lookup per parent domain of the host
// ("a.b.example.com", "b.example.com", "example.com", "com"), so its cost
// does not depend on the size of the lists.
type Classifier struct {
	allow      map[string]string // domain → reason "allow:DOMAIN"
	block      map[string]Class  // domain → class of the first list naming it
	allowIP    map[string]string // IP address → reason "allow:ADDRESS"
	blockIP    map[string]Class  // IP address → class of the first list naming it
	adultTLDs  map[string]string // TLD → reason "tld:.TLD"
	shorteners map[string]struct{}
	keywords   []keyword
	kwAllow    []string
}

// keyword is a keyword of the heuristic with its precomputed reason.
type keyword struct {
	word, reason string
}

// ConfigError reports an invalid entry of a Config: List names the field
// or list ("allow", "shorteners", "adult_tlds", "keywords",
// "keyword_allow", or a List's Name) and Entry the value as given.
type ConfigError struct {
	List  string
	Entry string
	Err   error
}

// Error implements error.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("links: %s: entry %q: %v", e.List, e.Entry, e.Err)
}

// Unwrap returns the underlying error.
func (e *ConfigError) Unwrap() error { return e.Err }

// NewClassifier compiles cfg. It reports every invalid domain, TLD or
// keyword, each as a *ConfigError naming the list and the entry (joined
// with errors.Join when there are several).
func NewClassifier(cfg Config) (*Classifier, error) {
	c := &Classifier{
		allow:      make(map[string]string, len(cfg.Allow)),
		allowIP:    make(map[string]string),
		blockIP:    make(map[string]Class),
		adultTLDs:  make(map[string]string, len(cfg.AdultTLDs)),
		shorteners: make(map[string]struct{}, len(cfg.Shorteners)),
	}
	var errs []error
	bad := func(list, entry string, err error) {
		errs = append(errs, &ConfigError{List: list, Entry: entry, Err: err})
	}
	for _, d := range cfg.Allow {
		h, err := cleanDomain(d)
		if err != nil {
			bad("allow", d, err)
			continue
		}
		if isIP(h) {
			c.allowIP[h] = "allow:" + h
		} else {
			c.allow[h] = "allow:" + h
		}
	}
	size := 0
	for _, l := range cfg.Lists {
		size += len(l.Domains)
	}
	c.block = make(map[string]Class, size)
	for _, l := range cfg.Lists {
		if l.Category == "" {
			bad(l.Name, "", errors.New("list has no category"))
			continue
		}
		cls := Class{Category: l.Category, Reason: "list:" + l.Name}
		for _, d := range l.Domains {
			h, err := cleanDomain(d)
			if err != nil {
				bad(l.Name, d, err)
				continue
			}
			m := c.block
			if isIP(h) {
				m = c.blockIP
			}
			if _, dup := m[h]; !dup {
				m[h] = cls
			}
		}
	}
	for _, t := range cfg.AdultTLDs {
		h, err := cleanLabel(strings.TrimPrefix(strings.TrimSpace(t), "."))
		if err != nil {
			bad("adult_tlds", t, err)
			continue
		}
		c.adultTLDs[h] = "tld:." + h
	}
	for _, d := range cfg.Shorteners {
		h, err := cleanDomain(d)
		if err != nil {
			bad("shorteners", d, err)
			continue
		}
		c.shorteners[h] = struct{}{}
	}
	for _, k := range cfg.Keywords {
		w, err := cleanKeyword(k)
		if err != nil {
			bad("keywords", k, err)
			continue
		}
		c.keywords = append(c.keywords, keyword{word: w, reason: "keyword:" + w})
	}
	for _, k := range cfg.KeywordAllow {
		w, err := cleanKeyword(k)
		if err != nil {
			bad("keyword_allow", k, err)
			continue
		}
		c.kwAllow = append(c.kwAllow, w)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// cleanLabel normalises a single label (a top-level domain).
func cleanLabel(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty label", errDomain)
	}
	if err := checkName(s); err != nil {
		return "", err
	}
	h := normHost(s)
	if strings.Contains(h, ".") {
		return "", fmt.Errorf("%w: %q is not a single label", errDomain, s)
	}
	return h, nil
}

// cleanKeyword normalises a keyword of the heuristic or its allowlist.
func cleanKeyword(s string) (string, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	if w == "" {
		return "", errors.New("empty keyword")
	}
	for _, r := range w {
		if !labelRune(r) || invisible(r) {
			return "", fmt.Errorf("character %q cannot appear in a host name", r)
		}
	}
	return w, nil
}

// Classify classifies a host (as in Link.Host; any case, punycode or
// Unicode, with or without a final dot). In order:
//
//  1. the allow list, exact or parent domain: Category "", Reason
//     "allow:DOMAIN";
//  2. the lists, exact or parent domain, most specific first: the
//     list's category, Reason "list:NAME";
//  3. adult top-level domains: "porn_link", Reason "tld:.xxx";
//  4. shorteners, exact or parent domain: "shortener", Reason
//     "shortener";
//  5. the keyword heuristic: a label (other than the top-level domain)
//     containing a keyword that is not inside an occurrence of a
//     keyword_allow entry ("essex" covers the "sex" of "essex", not
//     the "porn" of "essexporn"): "porn_link", Reason "keyword:WORD".
//
// IP addresses are only compared exactly with the lists.
func (c *Classifier) Classify(host string) Class {
	h := normHost(strings.TrimSuffix(strings.TrimSpace(host), "."))
	if h == "" {
		return Class{}
	}
	if isIP(h) {
		if r, ok := c.allowIP[h]; ok {
			return Class{Reason: r}
		}
		return c.blockIP[h]
	}
	if len(c.allow) > 0 {
		for s := h; ; {
			if r, ok := c.allow[s]; ok {
				return Class{Reason: r}
			}
			i := strings.IndexByte(s, '.')
			if i < 0 {
				break
			}
			s = s[i+1:]
		}
	}
	if len(c.block) > 0 {
		for s := h; ; {
			if cls, ok := c.block[s]; ok {
				return cls
			}
			i := strings.IndexByte(s, '.')
			if i < 0 {
				break
			}
			s = s[i+1:]
		}
	}
	dot := strings.LastIndexByte(h, '.')
	if r, ok := c.adultTLDs[h[dot+1:]]; ok {
		return Class{Category: CategoryPorn, Reason: r}
	}
	if len(c.shorteners) > 0 {
		for s := h; ; {
			if _, ok := c.shorteners[s]; ok {
				return Class{Category: CategoryShortener, Reason: "shortener"}
			}
			i := strings.IndexByte(s, '.')
			if i < 0 {
				break
			}
			s = s[i+1:]
		}
	}
	if dot < 0 || len(c.keywords) == 0 {
		return Class{}
	}
	for label := range strings.SplitSeq(h[:dot], ".") {
		if r := c.keywordIn(label); r != "" {
			return Class{Category: CategoryPorn, Reason: r}
		}
	}
	return Class{}
}

// keywordIn returns the reason of the first keyword found in label
// outside every occurrence of a keyword_allow entry, or "".
func (c *Classifier) keywordIn(label string) string {
	for _, k := range c.keywords {
		for from := 0; from+len(k.word) <= len(label); {
			i := strings.Index(label[from:], k.word)
			if i < 0 {
				break
			}
			i += from
			if !c.allowCovers(label, i, i+len(k.word)) {
				return k.reason
			}
			from = i + 1
		}
	}
	return ""
}

// allowCovers reports whether some occurrence of a keyword_allow entry in
// label contains the byte range [start, end).
func (c *Classifier) allowCovers(label string, start, end int) bool {
	for _, a := range c.kwAllow {
		// An occurrence covering [start, end) begins in
		// [end-len(a), start].
		lo := max(0, end-len(a))
		for from := lo; from <= start && from+len(a) <= len(label); {
			i := strings.Index(label[from:min(len(label), start+len(a))], a)
			if i < 0 {
				break
			}
			i += from
			if i > start {
				break
			}
			if i+len(a) >= end {
				return true
			}
			from = i + 1
		}
	}
	return false
}
