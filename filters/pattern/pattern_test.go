package pattern

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // a compact rendering of the parse
	}{
		{"@you qu un ~2 @lex:insult", "ref(you) word(qu) word(un) gap(2) lex(insult)"},
		{"espece de ~2 @lex:insult", "word(espece) word(de) gap(2) lex(insult)"},
		{"(m a | il m a) traite* de?", "group[word(m) word(a) | word(il) word(m) word(a)] prefix(traite) word(de)?"},
		{"@you (qu un | (vraiment | trop) qu une)? .", "ref(you) group[word(qu) word(un) | group[word(vraiment) | word(trop)] word(qu) word(une)]? any"},
		{"t'es nul*", "word(t'es) prefix(nul)"},
		{"@fr.identity", "ref(fr.identity)"},
	}
	for _, tt := range tests {
		p, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := render(p.Elements); got != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty pattern"},
		{"(a | b", "unclosed '('"},
		{"a )", "unexpected \")\""},
		{"~9 a", "out of range"},
		{"~ a", "followed by a number"},
		{"~2? a", "already optional"},
		{"a? ~3", "no anchor"},
		{". ~2", "no anchor"},
		{"(a | ) b", "empty alternative"},
		{"@ x", "must be followed"},
		{"@lex: x", "needs a category"},
		{"@foo:bar", "unknown reference"},
		{"a | b", "unexpected \"|\""},
		{"*a", "unexpected \"*\""},
		{"((((((((((a))))))))))", "nested too deeply"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestWalk(t *testing.T) {
	p, err := Parse("@a (b | @c (d | @lex:insult))")
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	p.Walk(func(e *Element) {
		if e.Kind == Ref || e.Kind == Lex {
			refs = append(refs, e.Text)
		}
	})
	if got := strings.Join(refs, ","); got != "a,c,insult" {
		t.Errorf("Walk refs = %s", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"@you qu un ~2 @lex:insult", "(a | b c)? d*", "~8 . x", "((a))", "@lex:hate"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			var pe *Error
			if e, ok := err.(*Error); ok {
				pe = e
			}
			if pe == nil || pe.Offset < 0 || pe.Offset > len(s) {
				t.Fatalf("Parse(%q): bad error %v", s, err)
			}
			return
		}
		if len(p.Elements) == 0 || !hasAnchor(p.Elements) {
			t.Fatalf("Parse(%q) accepted a pattern without anchor", s)
		}
	})
}

func render(seq []Element) string {
	var parts []string
	for _, e := range seq {
		var s string
		switch e.Kind {
		case Word:
			s = "word(" + e.Text + ")"
		case Prefix:
			s = "prefix(" + e.Text + ")"
		case Ref:
			s = "ref(" + e.Text + ")"
		case Lex:
			s = "lex(" + e.Text + ")"
		case Gap:
			s = "gap(" + string(rune('0'+e.N)) + ")"
		case Any:
			s = "any"
		case Group:
			var alts []string
			for _, a := range e.Alts {
				alts = append(alts, render(a))
			}
			s = "group[" + strings.Join(alts, " | ") + "]"
		}
		if e.Optional {
			s += "?"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}
