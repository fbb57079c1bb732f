package rules

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vigie-edu/vigie/filters"
)

func TestDefaults(t *testing.T) {
	r, err := Defaults()
	if err != nil {
		t.Fatalf("Defaults:\n%v", err)
	}
	f := r.Filters
	if want := []string{"fr", "en", "es", "de", "it", "pt", "ar", "tr"}; !slices.Equal(f.Languages, want) {
		t.Errorf("languages = %v, want %v", f.Languages, want)
	}
	if f.DefaultLang != "fr" || f.MinLangConfidence != 0.5 || !f.PersonalInfo {
		t.Errorf("default_lang %q, min_lang_confidence %v, personal_info %v", f.DefaultLang, f.MinLangConfidence, f.PersonalInfo)
	}
	for _, c := range filters.KnownCategories {
		want := filters.Remove
		if c == filters.SelfHarm || c == filters.PersonalInfo || c == filters.Profanity || c == filters.Shortener {
			want = filters.Alert
		}
		if got := f.Actions[c]; got != want {
			t.Errorf("action for %s = %q, want %q", c, got, want)
		}
	}
	if len(r.Files) != 0 {
		t.Errorf("Files = %v, want none", r.Files)
	}
	names, err := DefaultFragments()
	if err != nil || len(names) == 0 || names[0] != "10-base.yaml" || !slices.IsSorted(names) {
		t.Errorf("DefaultFragments = %v, %v", names, err)
	}
	// Load("") and Parse of an empty file are the defaults.
	for name, load := range map[string]func() (*Rules, error){
		"Load":  func() (*Rules, error) { return Load("") },
		"Parse": func() (*Rules, error) { return Parse("empty.yaml", nil, nil) },
	} {
		r2, err := load()
		if err != nil || len(r2.Filters.Lexicon) != len(f.Lexicon) || !slices.Equal(r2.Filters.Languages, f.Languages) {
			t.Errorf("%s: %d lexicon entries, %v; want the defaults", name, len(r2.Filters.Lexicon), err)
		}
	}
}

// TestListFiles reads domain lists from an in-memory directory.
func TestListFiles(t *testing.T) {
	dir := fstest.MapFS{
		"lists/adult":      {Data: []byte("# comment\nAdult-One.example\nadult-two.example\n")},
		"lists/block.host": {Data: []byte("0.0.0.0 hosted.example\n")},
		"lists/bad":        {Data: []byte("fine.example\n0.0.0.0 hosts-line.example\n")},
	}
	src := `extends: none
languages: [fr]
default_lang: fr
links:
  lists:
    - {path: lists/adult, format: ut1, category: porn_link}
    - {path: ./lists/block.host, format: hosts, category: porn_link}
`
	r, err := Parse("school.yaml", []byte(src), dir)
	if err != nil {
		t.Fatal(err)
	}
	L := r.Filters.Links.Lists
	if len(L) != 2 || L[0].Name != "lists/adult" || L[0].Category != "porn_link" || len(L[0].Domains) != 2 || L[1].Name != "./lists/block.host" || !slices.Contains(L[1].Domains, "hosted.example") {
		t.Errorf("lists = %+v", L)
	}
	tests := []struct{ path, want string }{
		{"lists/missing", "school.yaml:3:24: links.lists[0].path: cannot read lists/missing: file does not exist"},
		{"/etc/hosts", "school.yaml:3:24: links.lists[0].path: cannot read /etc/hosts: absolute paths are only read when loading from disk"},
		{"../secret", "school.yaml:3:24: links.lists[0].path: cannot read ../secret: the path leaves the rules directory"},
		{"lists", "school.yaml:3:24: links.lists[0].path: cannot read lists: it is a directory"},
		{"lists/bad", "school.yaml:3:24: links.lists[0]: list file lists/bad:2: hosts-file line in a ut1 list (use format hosts)"},
	}
	for _, tt := range tests {
		src := "extends: none\nlanguages: [fr]\nlinks: {lists: [{path: " + tt.path + ", format: ut1, category: porn_link}]}\ndefault_lang: fr\n"
		_, err := Parse("school.yaml", []byte(src), dir)
		if err == nil || err.Error() != tt.want {
			t.Errorf("path %s: error %v, want %s", tt.path, err, tt.want)
		}
	}
}

// TestLoadFromDisk checks relative and absolute paths, Files and
// secrets read from files.
func TestLoadFromDisk(t *testing.T) {
	dir := t.TempDir()
	lists := t.TempDir()
	write := func(path, data string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	rel := write(filepath.Join(dir, "lists", "local.ut1"), "local.example\n")
	abs := write(filepath.Join(lists, "adult", "domains"), "ut1.example\n")
	secret := write(filepath.Join(dir, "webhook.secret"), "s3cret-value\n")
	rules := write(filepath.Join(dir, "school.yaml"), `links:
  lists:
    - {path: lists/local.ut1, format: ut1, category: porn_link}
    - {path: `+abs+`, format: ut1, category: porn_link}
policy:
  webhook: {url: "https://alerts.example.org/hook", secret_file: webhook.secret}
`)
	// Load resolves relative paths against the file's directory, not the
	// working directory.
	t.Chdir(t.TempDir())
	r, err := Load(rules)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{rules, rel, abs, secret}; !slices.Equal(r.Files, want) {
		t.Errorf("Files = %v, want %v", r.Files, want)
	}
	if w := r.Bot.Default.Webhook; w.Secret != "s3cret-value" || w.URL != "https://alerts.example.org/hook" {
		t.Errorf("webhook = %+v", w)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "reading rules") {
		t.Errorf("Load(missing) = %v", err)
	}
}

// TestSecrets checks that secrets come from the environment or a file
// and never appear in errors.
func TestSecrets(t *testing.T) {
	const secret = "hunter2-do-not-print"
	dir := fstest.MapFS{"empty.secret": {Data: []byte("\n")}, "ok.secret": {Data: []byte(secret)}}
	t.Setenv("VIGIE_TEST_WEBHOOK", secret)
	t.Setenv("VIGIE_TEST_EMPTY", "")
	tests := []struct {
		webhook string
		want    string // error; empty for success
	}{
		{`{url: "https://x.example/h", secret_env: VIGIE_TEST_WEBHOOK}`, ""},
		{`{url: "https://x.example/h", secret_file: ok.secret}`, ""},
		{`{url: "https://x.example/h", secret_env: VIGIE_TEST_EMPTY}`, "environment variable VIGIE_TEST_EMPTY is not set or empty"},
		{`{url: "https://x.example/h", secret_file: empty.secret}`, "empty.secret is empty"},
		{`{url: "https://x.example/h"}`, "alerts are signed: give secret_env or secret_file with the url"},
		{`{url: "https://x.example/h", secret_env: VIGIE_TEST_WEBHOOK, secret_file: ok.secret}`, "give secret_env or secret_file, not both"},
		{`{url: "https://x.example/h", secret: "` + secret + `"}`, "secrets are never written in the rules file"},
	}
	for _, tt := range tests {
		r, err := Parse("school.yaml", []byte("policy: {webhook: "+tt.webhook+"}"), dir)
		if tt.want == "" {
			if err != nil || r.Bot.Default.Webhook.Secret != secret {
				t.Errorf("%s: err %v", tt.webhook, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.webhook, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the secret: %v", tt.webhook, err)
		}
	}
}

func TestErrorList(t *testing.T) {
	_, err := Parse("a.yaml", []byte("extends: none\nlanguages: [fr, xx]\ndefault_lang: fr\nactions: {rudeness: alert}\nfoo: 1\n"), nil)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 3 {
		t.Fatalf("err = %v, want 3 errors", err)
	}
	var first *Error
	if !errors.As(err, &first) || first.Line != 2 || first.Col != 17 || first.File != "a.yaml" {
		t.Errorf("errors.As(*Error) = %+v, want the first error, at a.yaml:2:17", first)
	}
	if got := strings.Count(err.Error(), "\n"); got != 2 {
		t.Errorf("Error() has %d newlines, want one error per line:\n%v", got, err)
	}
}

func TestJudge(t *testing.T) {
	insult := filters.Verdict{
		Action:     filters.Remove,
		Categories: []filters.CategoryScore{{Name: filters.Insult, Severity: filters.High}},
		Findings:   []filters.Finding{{Rule: "lex.fr.connard", Category: filters.Insult, Severity: filters.High}},
		Lang:       "fr", LangConfidence: 0.9, LangSource: filters.LangDetected,
	}
	allowed := filters.Verdict{
		Action:     filters.Allow,
		Suppressed: []filters.Suppression{{Finding: filters.Finding{Rule: "lex.fr.anal"}, Reason: "allowlist", By: "allow.fr.analyse"}},
	}
	tests := []struct {
		name    string
		test    Test
		verdict filters.Verdict
		pass    bool
		why     string
	}{
		{"action and category", Test{Expect: filters.Remove, Category: filters.Insult}, insult, true, ""},
		{"action only", Test{Expect: filters.Remove}, insult, true, ""},
		{"wrong category", Test{Expect: filters.Remove, Category: filters.Hate}, insult, false,
			"expected category hate (categories: insult high; matched: lex.fr.connard; lang fr 0.90 detected)"},
		{"wrong action", Test{Expect: filters.Allow}, insult, false,
			"expected allow, got remove (categories: insult high; matched: lex.fr.connard; lang fr 0.90 detected)"},
		{"both", Test{Expect: filters.Remove, Category: filters.Insult}, allowed, false,
			"expected remove, got allow; expected category insult (no finding; suppressed: lex.fr.anal (allowlist by allow.fr.analyse))"},
	}
	for _, tt := range tests {
		pass, why := judge(tt.test, &tt.verdict)
		if pass != tt.pass || why != tt.why {
			t.Errorf("%s: judge = %v, %q; want %v, %q", tt.name, pass, why, tt.pass, tt.why)
		}
	}
}

func TestRunTestsCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := RunTests(ctx, nil, []Test{{Text: "x", Expect: filters.Allow}, {Text: "y", Expect: filters.Allow}})
	if len(res) != 2 || res[0].Pass || res[1].Why != "not run: context canceled" || res[1].Test.Text != "y" {
		t.Errorf("RunTests on a canceled context = %+v", res)
	}
}

// BenchmarkDefaults measures loading the embedded defaults, which every
// Load and reload does.
func BenchmarkDefaults(b *testing.B) {
	for b.Loop() {
		if _, err := Defaults(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDefaultsPassTheirTests runs the tests the default fragments carry
// against the defaults, as `vigie rules test` does for a school's file.
func TestDefaultsPassTheirTests(t *testing.T) {
	r, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Classifier()
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range RunTests(context.Background(), c, r.Tests) {
		if !res.Pass {
			t.Errorf("%s:%d: %q: %s", res.Test.File, res.Test.Line, res.Test.Text, res.Why)
		}
	}
}
