package console

import (
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestMessagesExistInBothLanguages(t *testing.T) {
	fr, en := slices.Sorted(maps.Keys(messages["fr"])), slices.Sorted(maps.Keys(messages["en"]))
	if !slices.Equal(fr, en) {
		t.Fatalf("fr and en have different keys:\nfr %q\nen %q", fr, en)
	}
	for _, k := range fr {
		if messages["fr"][k] == messages["en"][k] && !sameInBoth[k] {
			t.Errorf("%s is the same in French and English: %q", k, messages["fr"][k])
		}
	}
}

// sameInBoth are the texts that are the same words in French and
// English.
var sameInBoth = map[string]bool{
	"layout.console": true, "layout.nav": true, "nav.incidents": true, "incidents.title": true, "incidents.count": true,
	"incidents.when": true, "incidents.pages": true, "incident.title": true, "incident.class": true, "home.class": true,
	"incidents.class": true, "home.see_incidents": true, "trends.incidents": true, "try.text": true, "kind.message": true,
	"verdict.links": true, "verdict.host": true, "incident.link": true, "print.by_admin": true,
}

// keyUse finds the literal keys pages and code ask for.
var keyUse = regexp.MustCompile(`\.Tf? "([a-z_.]+)"|p\.Tf?\("([a-z_.]+)"|fail\([^)]*"([a-z_.]+)"\)|"(error\.[a-z_]+|signin\.[a-z_.]+)"`)

// keyPrefixes are the keys built with print in the templates, with the
// values each takes.
var keyPrefixes = map[string][]string{
	"action.":     {"allow", "alert", "remove"},
	"kind.":       {"message", "edit", "report"},
	"outcome.":    {outcomeOpen, outcomeFollowed, outcomeFailed},
	"severity.":   {"low", "medium", "high", "critical"},
	"try.action.": {"allow", "alert", "remove"},
}

func TestEveryKeyUsedHasAText(t *testing.T) {
	var used []string
	err := fs.WalkDir(os.DirFS("."), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".html")) {
			return err
		}
		data, err := os.ReadFile(filepath.FromSlash(path))
		if err != nil {
			return err
		}
		for _, m := range keyUse.FindAllStringSubmatch(string(data), -1) {
			for _, k := range m[1:] {
				if k != "" && !strings.HasSuffix(k, ".") {
					used = append(used, k)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for prefix, values := range keyPrefixes {
		for _, v := range values {
			used = append(used, prefix+v)
		}
	}
	for _, k := range used {
		if strings.HasPrefix(k, "error.") && k != "error.home" {
			used = append(used, k+".title", k+".text")
			continue
		}
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys: the pattern is broken", len(used))
	}
	for _, k := range used {
		if strings.HasPrefix(k, "error.") && k != "error.home" && !strings.HasSuffix(k, ".title") && !strings.HasSuffix(k, ".text") {
			continue
		}
		for _, lang := range languages {
			if _, ok := messages[lang][k]; !ok {
				t.Errorf("no %s text for %q", lang, k)
			}
		}
	}
}

func TestAcceptLanguage(t *testing.T) {
	for _, tt := range []struct{ header, want string }{
		{"", "fr"},
		{"en", "en"},
		{"en-GB,en;q=0.9", "en"},
		{"de-DE,de;q=0.9,en;q=0.5,fr;q=0.4", "en"},
		{"de, fr-CA;q=0.2", "fr"},
		{"es", "fr"},
		{"en;q=0, fr;q=0.1", "fr"},
		{"en;q=bogus, fr;q=0.3", "fr"},
		{"EN-us", "en"},
	} {
		if got := acceptLanguage(tt.header); got != tt.want {
			t.Errorf("acceptLanguage(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func FuzzAcceptLanguage(f *testing.F) {
	f.Add("de-DE,de;q=0.9,en;q=0.5")
	f.Add("fr;q=")
	f.Fuzz(func(t *testing.T, h string) {
		if got := acceptLanguage(h); !slices.Contains(languages, got) {
			t.Fatalf("acceptLanguage(%q) = %q", h, got)
		}
	})
}

func TestLanguageSwitch(t *testing.T) {
	e := newEnv(t)
	b := e.teacher(classA, teacherA)
	if r := b.get("incidents"); !strings.Contains(r.body, `<html lang="fr">`) || !strings.Contains(r.body, `href="/console/incidents?lang=en" hreflang="en" lang="en">English</a>`) {
		t.Fatalf("default page is not French with a switch:\n%s", r.body)
	}
	r := b.get("incidents?category=insult&lang=en")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/console/incidents?category=insult" {
		t.Fatalf("switch: %d %q", r.status, r.header.Get("Location"))
	}
	page := b.get("incidents?category=insult")
	mustContain(t, "English page", page.body, `<html lang="en">`, "Filter the incidents", `hreflang="fr" lang="fr">Français</a>`)

	// Without the cookie, the browser's languages choose.
	req, _ := http.NewRequestWithContext(e.ctx, http.MethodGet, e.srv.URL+Prefix, nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.8")
	mustContain(t, "sign-in page", e.browser().do(req).body, `<html lang="en">`, "Sign in to the Vigie console")
	// An unknown language changes nothing.
	if r := b.get("?lang=xx"); r.status != http.StatusSeeOther {
		t.Fatalf("unknown language: %d", r.status)
	}
	mustContain(t, "page after an unknown language", b.get("").body, `<html lang="en">`)
}
