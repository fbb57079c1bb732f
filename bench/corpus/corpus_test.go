package corpus

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// testdata is the project's labelled data, two levels up.
const testdata = "../../testdata"

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Case
		wantErr string
	}{
		{"empty", "", nil, ""},
		{"blank lines", "\n  \n", nil, ""},
		{"two cases", `{"id": "fr-1", "text": "connard", "lang": "fr", "expect": "remove", "category": "insult", "kind": "plain"}
{"id": "fr-2", "text": "salut", "lang": "fr", "expect": "allow"}`, []Case{
			{ID: "fr-1", Set: "devset", Text: "connard", Lang: "fr", Expect: "remove", Category: "insult"},
			{ID: "fr-2", Set: "devset", Text: "salut", Lang: "fr", Expect: "allow"},
		}, ""},
		{"trailing bar", `{"id": "en-1", "text": "this app is trash", "lang": "en", "expect": "allow |"}`,
			[]Case{{ID: "en-1", Set: "devset", Text: "this app is trash", Lang: "en", Expect: "allow"}}, ""},
		{"alert", `{"id": "en-2", "text": "I want to die", "lang": "en", "expect": "alert", "category": "self_harm"}`,
			[]Case{{ID: "en-2", Set: "devset", Text: "I want to die", Lang: "en", Expect: "alert", Category: "self_harm"}}, ""},
		{"bad json", `{"id": `, nil, "line 1"},
		{"unknown action", `{"id": "x", "text": "a", "lang": "fr", "expect": "delete"}`, nil, "unknown expected action"},
		{"no action", `{"id": "x", "text": "a", "lang": "fr"}`, nil, "no expected action"},
		{"no id", `{"text": "a", "lang": "fr", "expect": "allow"}`, nil, "no id"},
		{"empty text", "\n" + `{"id": "x", "text": " ", "lang": "fr", "expect": "allow"}`, nil, "line 2 (x): empty text"},
		{"no lang", `{"id": "x", "text": "a", "expect": "allow"}`, nil, "no lang"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.in), "devset")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestHarmful(t *testing.T) {
	for expect, want := range map[string]bool{"allow": false, "alert": true, "remove": true} {
		if got := (Case{Expect: expect}).Harmful(); got != want {
			t.Errorf("Case{Expect: %s}.Harmful() = %v", expect, got)
		}
	}
}

func loadCases(t testing.TB) []Case {
	t.Helper()
	cases, err := LoadLabelled(testdata)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestLoadLabelled(t *testing.T) {
	cases := loadCases(t)
	if got := Languages(cases); !reflect.DeepEqual(got, []string{"en", "fr"}) {
		t.Errorf("languages %v, want [en fr]", got)
	}
	per := map[string]map[bool]int{}
	for _, c := range cases {
		if per[c.Set] == nil {
			per[c.Set] = map[bool]int{}
		}
		per[c.Set][c.Harmful()]++
	}
	if per["devset"][true] == 0 || per["devset"][false] == 0 {
		t.Errorf("the dev set needs harmful and benign cases: %v", per["devset"])
	}
	if _, err := LoadLabelled(t.TempDir()); err == nil {
		t.Error("a directory without labelled sets gave no error")
	}
}

func TestStreamShape(t *testing.T) {
	cases := loadCases(t)
	const n = 20000
	s := Stream(cases, StreamConfig{N: n, Seed: 1})
	if len(s) != n {
		t.Fatalf("%d messages, want %d", len(s), n)
	}
	harmful, links, langs := 0, 0, map[string]int{}
	for i, m := range s {
		if l := utf8.RuneCountInString(m.Text); l < DefaultMinLen || l > DefaultMaxLen {
			t.Errorf("message %d has %d characters, want %d–%d: %q", i, l, DefaultMinLen, DefaultMaxLen, m.Text)
		}
		if !utf8.ValidString(m.Text) {
			t.Errorf("message %d is not valid UTF-8", i)
		}
		if m.Harmful {
			harmful++
		}
		if m.Link {
			links++
			if !strings.Contains(m.Text, "http") && !strings.Contains(m.Text, "www.") {
				t.Errorf("message %d should carry a link: %q", i, m.Text)
			}
		}
		langs[m.Lang]++
	}
	within := func(what string, got int, share float64) {
		t.Helper()
		if f := float64(got) / n; f < share*0.8 || f > share*1.2 {
			t.Errorf("%s: %.3f of the stream, want about %.3f", what, f, share)
		}
	}
	within("harmful", harmful, DefaultHarmfulRate)
	within("links", links, DefaultLinkRate)
	within("French", langs["fr"], 0.5)
	within("English", langs["en"], 0.5)
}

func TestStreamHarmfulKeepsCase(t *testing.T) {
	cases := loadCases(t)
	harmful := map[string]bool{}
	for _, c := range cases {
		if c.Harmful() {
			harmful[strings.ToLower(c.Text)] = true
		}
	}
	for i, m := range Stream(cases, StreamConfig{N: 2000, Seed: 3, HarmfulRate: 0.5}) {
		if !m.Harmful {
			continue
		}
		found := false
		for h := range harmful {
			if strings.Contains(strings.ToLower(m.Text), h) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("harmful message %d holds no harmful case whole: %q", i, m.Text)
		}
	}
}

func TestStreamDeterministic(t *testing.T) {
	cases := loadCases(t)
	a := Stream(cases, StreamConfig{N: 3000, Seed: 42})
	b := Stream(cases, StreamConfig{N: 3000, Seed: 42})
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave two streams")
	}
	c := Stream(cases, StreamConfig{N: 3000, Seed: 43})
	if reflect.DeepEqual(a, c) {
		t.Error("two seeds gave the same stream")
	}
	if got := Stream(nil, StreamConfig{N: 10, Seed: 1}); got != nil {
		t.Errorf("no cases gave %d messages", len(got))
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		s          string
		start, end int
		hi         int
		want       string
	}{
		{"short", 0, 5, 10, "short"},
		{"aaa bbb CORE ccc ddd", 8, 12, 12, "aaa bbb CORE"},
		{"aaa bbb CORE ccc ddd", 8, 12, 10, "bbb CORE"},
		{"aaa bbb CORE", 8, 12, 8, "bbb CORE"},
		{"aaa bbb CORE", 8, 12, 6, "CORE"},
		{"CORE ccc ddd", 0, 4, 8, "CORE ccc"},
		{"CORECORE", 0, 8, 4, "CORE"},
		{"éé CORE éé", 5, 9, 7, "éé CORE"},
	}
	for _, tt := range tests {
		if got := fit(tt.s, tt.start, tt.end, tt.hi); got != tt.want {
			t.Errorf("fit(%q, %d, %d, %d) = %q, want %q", tt.s, tt.start, tt.end, tt.hi, got, tt.want)
		}
	}
}

// FuzzParse checks that Parse never panics and that what it accepts is
// well formed.
func FuzzParse(f *testing.F) {
	f.Add(`{"id": "fr-1", "text": "connard", "lang": "fr", "expect": "remove", "category": "insult"}`)
	f.Add(`{"id": "en-1", "text": "this app is trash", "lang": "en", "expect": "allow |"}` + "\n\n")
	f.Add(`{"id": 1}`)
	f.Fuzz(func(t *testing.T, in string) {
		cases, err := Parse(strings.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		for _, c := range cases {
			if c.ID == "" || strings.TrimSpace(c.Text) == "" || c.Lang == "" || c.Set != "fuzz" {
				t.Fatalf("accepted an ill-formed case %+v", c)
			}
			if c.Expect != "allow" && c.Expect != "alert" && c.Expect != "remove" {
				t.Fatalf("accepted expect %q", c.Expect)
			}
		}
	})
}
