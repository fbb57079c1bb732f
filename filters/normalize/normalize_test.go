package normalize_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/filters/normalize"
)

// nz is shared by the tests: a Normalizer is immutable and safe for
// concurrent use.
var nz = normalize.New()

type normCase struct {
	name, in, want string
}

func runNormCases(t *testing.T, cases []normCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Helper()
			got := nz.Normalize(tc.in)
			if string(got.Norm) != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got.Norm, tc.want)
			}
			checkInvariants(t, got)
		})
	}
}

func TestUnicode(t *testing.T) {
	runNormCases(t, []normCase{
		{"fullwidth", "ｃｏｎｎａｒｄ", "conard"},
		{"math bold", "𝐜𝐨𝐧𝐧𝐚𝐫𝐝", "conard"},
		{"math script", "𝓬𝓸𝓷𝓷𝓪𝓻𝓭", "conard"},
		{"math double-struck", "𝕔𝕠𝕟𝕟𝕒𝕣𝕕", "conard"},
		{"math capitals", "𝐂𝐎𝐍", "con"},
		{"circled small", "ⓒⓞⓝⓝⓐⓡⓓ", "conard"},
		{"circled capital", "ⒸⓄⓃ", "con"},
		{"parenthesised", "⒞⒪⒩", "con"},
		{"squared", "🄲🄾🄽", "con"},
		{"negative circled", "🅒🅞🅝", "con"},
		{"negative squared", "🅲🅾🅽", "con"},
		{"regional indicators", "🇨🇴🇳", "con"},
		{"small capitals", "ᴄᴏɴɴᴀʀᴅ", "conard"},
		{"ligature", "ﬁn", "fin"},
		{"roman numeral", "Ⅻ", "xi"},
		{"dingbat digits", "❶ ➁ ➓", "1 2 10"},
		{"enclosed digits", "① ⑽ ⒛ ⓿", "1 10 20 0"},
		{"modifier symbols", "aˆb", "a b"},
		{"superscripts are not leet", "x² m³ 𝐡𝟒𝐜𝐤 ｈ４ｃｋ", "x2 m3 hack hack"},
		{"superscript", "xᵃ", "xa"},
		{"upper case", "CONNARD", "conard"},
		{"accents", "ÉCOLE enculé ça où", "ecole encule ca ou"},
		{"oe ae", "Œuvre æther", "oeuvre aether"},
		{"sharp s", "Straße", "strase"},
		{"stroke letters", "Øystein łódź", "oystein lodz"},
		{"decomposed accent", "e\u0301te\u0301", "ete"},
		{"zero width space", "con\u200bnard", "conard"},
		{"zero width joiners", "c\u200do\u200cn\u2060n\ufeffard", "conard"},
		{"soft hyphen", "con\u00adnard", "conard"},
		{"bidi controls", "con\u202enard\u202c \u2066x\u2069", "conard x"},
		{"hangul filler", "con\u3164nard", "conard"},
		{"no-break space", "sale\u00a0con", "sale con"},
		{"ideographic space", "sale\u3000con", "sale con"},
		{"arabic kept", "مرحبا صديقي", "مرحبا صديقي"},
		{"arabic diacritics removed", "مَرْحَبًا", "مرحبا"},
		{"cjk kept", "你好 ok", "你好 ok"},
		{"invalid utf-8 breaks words", "con\xffnard", "con nard"},
		{"empty", "", ""},
		{"only punctuation", "!!! ... ???", ""},
	})
}

func TestConfusables(t *testing.T) {
	runNormCases(t, []normCase{
		{"cyrillic in latin word", "соnnаrd", "conard"},
		{"cyrillic and latin", "fuсk yоu", "fuck you"},
		{"greek in latin word", "ρutε", "pute"},
		{"greek capitals", "ΡΟΝ", "pon"},
		{"whole look-alike word alone", "аѕ", "as"},
		{"cyrillic sentence kept", "Привет как дела", "привет как дела"},
		{"cyrillic sentence with latin word", "Привет как дела ok", "привет как дела ok"},
		{"greek sentence kept", "Καλημέρα κόσμε", "καλημερα κοσμε"},
		{"cyrillic with leet", "с0с", "coc"},
		{"cyrillic e with diaeresis", "Ёр", "ep"},
	})
}

func TestLeet(t *testing.T) {
	runNormCases(t, []normCase{
		{"digits", "h4ck3r", "hacker"},
		{"many digits", "c0nn4rd", "conard"},
		{"all digit letters", "5a10p3 8it3 9ros 7ar3", "saiope bite gros tare"},
		{"dollar", "$alope", "salope"},
		{"at", "@ss", "as"},
		{"at run", "a$$hole", "ashole"},
		{"exclamation inside", "n!que", "nique"},
		{"pipe", "|ol", "lol"},
		{"euro", "€nculé", "encule"},
		{"trailing exclamation", "connard !!", "conard"},
		{"glued trailing exclamation", "super!!", "super"},
		{"pure number", "2024", "2024"},
		{"pure numbers", "J'ai 4 ans et 06 12 34", "j ai 4 ans et 06 12 34"},
		{"spaced digits", "1 2 3", "1 2 3"},
		{"symbol before number", "@123 $5 5$", "123 5 5"},
		{"ordinal", "le 1er et la 3ème", "le 1er et la 3eme"},
		{"hour", "à 10h30", "a 10h30"},
		{"units", "5km 4ans 2nde", "5km 4ans 2nde"},
		{"leading leet digit", "1diot", "idiot"},
		{"leet with star", "s4l*pe", "salpe"},
		{"mention", "@jean", "ajean"},
		{"discord mention", "<@123456789> salut", "123456789 salut"},
		{"spoiler markup", "||connard||", "conard"},
		{"exclamations at start", "!!!non", "non"},
		{"exclamations inside", "wow!!!cool", "wowicol"},
	})
}

func TestWordBreaks(t *testing.T) {
	runNormCases(t, []normCase{
		{"apostrophes", "l'analyse du texte", "l analyse du texte"},
		{"typographic apostrophe", "t’es qu’un", "t es qu un"},
		{"modifier apostrophe", "tʼes", "t es"},
		{"backtick", "aujourd`hui", "aujourd hui"},
		{"acute as apostrophe", "l´analyse", "l analyse"},
		{"example", "T'es qu'un GROS c0nnnnard !!", "t es qu un gros conard"},
		{"star inside", "f*ck", "fck"},
		{"star inside 2", "sal*pe", "salpe"},
		{"stars inside", "f**k", "fk"},
		{"stars around", "*connard* **gras**", "conard gras"},
		{"hyphen", "peut-être", "peut etre"},
		{"unicode hyphen", "peut\u2010être", "peut etre"},
		{"dots", "www.exemple.fr", "w exemple fr"},
		{"punctuation", "salut,toi;et(lui)", "salut toi et lui"},
		{"emoji", "bonjour🙂toi 👍🏽", "bonjour toi"},
		{"whitespace", "  a \t\n  bc   ", "a bc"},
		{"keycap", "1️⃣ x", "1 x"},
	})
}

func TestSpacedJoin(t *testing.T) {
	runNormCases(t, []normCase{
		{"spaces", "c o n n a r d", "conard"},
		{"dots", "c.o.n.n.a.r.d", "conard"},
		{"dots short", "p.u.t.e", "pute"},
		{"dashes", "n-t-m", "ntm"},
		{"english", "f u c k you", "fuck you"},
		{"dots three", "n.t.m", "ntm"},
		{"underscores", "c_o_n", "con"},
		{"slashes", "c/o/n", "con"},
		{"two with dot", "t.g", "tg"},
		{"two with dot in sentence", "ferme la t.g.", "ferme la tg"},
		{"two with space", "y a", "y a"},
		{"two with underscore", "t_g", "t g"},
		{"leet before join", "c 0 n n 4 r d", "conard"},
		{"elision ends the run", "les g a y s c'est", "les gays c est"},
		{"elision right after", "f e m m e s l'ont dit", "femes l ont dit"},
		{"digits at run ends", "4 c o n 5", "4 con 5"},
		{"accented spaced", "e n c u l é", "encule"},
		{"fullwidth spaced", "ｃ ｏ ｎ", "con"},
		{"chat words", "il y a à faire", "il y a a faire"},
		{"chat words english", "u r a loser", "u r a loser"},
		{"chat letters four", "c a c a", "caca"},
		{"chat phrase", "il n y a pas", "il n y a pas"},
		{"chat phrase 2", "y a t il", "y a t il"},
		{"not a chat phrase", "n y m", "nym"},
		{"spaced con", "c o n", "con"},
		{"euphonic t", "y a-t-il un cours", "y a t il un cours"},
		{"inclusive writing", "étudiant.e.s", "etudiant e s"},
		{"double space", "c  o  n", "c o n"},
		{"mixed separators", "c.o.n n.a.r.d", "con nard"},
		{"newline", "c\no\nn", "con"},
	})
}

func TestRuns(t *testing.T) {
	tests := []struct {
		in   string
		norm string
		runs []uint8
	}{
		{"coonnnnard", "conard", []uint8{1, 2, 4, 1, 1, 1}},
		{"c.o.n.n.a.r.d", "conard", []uint8{1, 1, 2, 1, 1, 1}},
		{"c o n n a r d", "conard", []uint8{1, 1, 2, 1, 1, 1}},
		{"ｃｏｎｎａｒｄ", "conard", []uint8{1, 1, 2, 1, 1, 1}},
		{"T'es qu'un GROS c0nnnnard !!", "t es qu un gros conard",
			[]uint8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 1, 1, 1}},
		{"Straße", "strase", []uint8{1, 1, 1, 1, 2, 1}},
		{"2000 aa", "2000 a", []uint8{1, 1, 1, 1, 1, 2}},
		{"fuuUUuck", "fuck", []uint8{1, 5, 1, 1}},
		{"a a", "a a", []uint8{1, 1, 1}},
		{strings.Repeat("a", 300), "a", []uint8{255}},
		{"ыыы", "ыыы", []uint8{1, 1, 1, 1, 1, 1}},
	}
	for _, tc := range tests {
		got := nz.Normalize(tc.in)
		if string(got.Norm) != tc.norm || !slices.Equal(got.Runs, tc.runs) {
			t.Errorf("Normalize(%q) = %q %v, want %q %v", tc.in, got.Norm, got.Runs, tc.norm, tc.runs)
		}
	}
}

func TestQuoted(t *testing.T) {
	tests := []struct {
		in   string
		want []bool
	}{
		{`il a dit "connard" hier`, []bool{false, false, false, true, false}},
		{`il a dit « gros con » hier`, []bool{false, false, false, true, true, false}},
		{`il a dit «gros con» hier`, []bool{false, false, false, true, true, false}},
		{"“gros con” non", []bool{true, true, false}},
		{"„gros con“ non", []bool{true, true, false}},
		{"»gros con« non", []bool{true, true, false}},
		{"‘gros con’ non", []bool{true, true, false}},
		{"'gros con' non", []bool{true, true, false}},
		{"`gros con` non", []bool{true, true, false}},
		{"```gros con``` non", []bool{true, true, false}},
		{"「gros con」 non", []bool{true, true, false}},
		{`«il m'a dit "con"» ok`, []bool{true, true, true, true, true, false}},
		{`il a dit "connard et lui`, []bool{false, false, false, false, false, false}},
		{`« pas fermé "mais" là`, []bool{false, false, true, false}},
		{"l'analyse d'un texte", []bool{false, false, false, false, false}},
		{"les élèves' notes", []bool{false, false, false}},
		{"c'est 'super' non", []bool{false, false, true, false}},
		{`"a" b "c"`, []bool{true, false, true}},
		{"", []bool{}},
	}
	for _, tc := range tests {
		got := nz.Normalize(tc.in)
		if !slices.Equal(got.Quoted, tc.want) {
			t.Errorf("Normalize(%q).Quoted = %v, want %v (norm %q)", tc.in, got.Quoted, tc.want, got.Norm)
		}
	}
}

func TestTerm(t *testing.T) {
	tests := []struct {
		in, want string
		runs     []uint8
	}{
		{"enculé", "encule", []uint8{1, 1, 1, 1, 1, 1}},
		{"t'es", "t es", []uint8{1, 1, 1, 1}},
		{"fils de pute", "fils de pute", []uint8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{"connard", "conard", []uint8{1, 1, 2, 1, 1, 1}},
		{"Bite d'amarrage", "bite d amarage", []uint8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1}},
		{"h4ck3r", "h4ck3r", []uint8{1, 1, 1, 1, 1, 1}},      // no leetspeak
		{"c o n", "c o n", []uint8{1, 1, 1, 1, 1}},           // no join
		{"p.u.t.e", "p u t e", []uint8{1, 1, 1, 1, 1, 1, 1}}, // no join
		{"$alope", "alope", []uint8{1, 1, 1, 1, 1}},
		{"ＦＵＣＫ", "fuck", []uint8{1, 1, 1, 1}},
		{"!!!", "", nil},
	}
	for _, tc := range tests {
		norm, runs := nz.Term(tc.in)
		if string(norm) != tc.want || !slices.Equal(runs, tc.runs) {
			t.Errorf("Term(%q) = %q %v, want %q %v", tc.in, norm, runs, tc.want, tc.runs)
		}
	}
}

// TestTermMatchesText checks that a term written plainly and the same
// words in a message normalise alike.
func TestTermMatchesText(t *testing.T) {
	for _, s := range []string{"enculé", "t'es", "fils de pute", "connard", "ta gueule", "Sale Arabe", "nique ta mère", "bâtard"} {
		term, _ := nz.Term(s)
		text := nz.Normalize(s)
		if string(term) != string(text.Norm) {
			t.Errorf("Term(%q) = %q, Normalize = %q", s, term, text.Norm)
		}
	}
}

func TestSpans(t *testing.T) {
	tests := []struct {
		in    string
		spans []string // original text of each token
	}{
		{"T'es qu'un GROS c0nnnnard !!", []string{"T", "es", "qu", "un", "GROS", "c0nnnnard"}},
		{"ah c o n n a r d !", []string{"ah", "c o n n a r d"}},
		{"con\u200bnard", []string{"con\u200bnard"}},
		{"été", []string{"été"}},
		{"e\u0301te\u0301!", []string{"e\u0301te\u0301"}},
		{"Œuvre", []string{"Œuvre"}},
		{"« ｃｏｎ »", []string{"ｃｏｎ"}},
		{"f*ck!!", []string{"f*ck"}},
		{"1️⃣", []string{"1️⃣"}},
	}
	for _, tc := range tests {
		txt := nz.Normalize(tc.in)
		var got []string
		for i := range txt.Tokens {
			a, b := txt.TokenSpan(i)
			got = append(got, tc.in[a:b])
		}
		if !slices.Equal(got, tc.spans) {
			t.Errorf("spans of %q = %q, want %q", tc.in, got, tc.spans)
		}
	}
}

func TestSpanBytes(t *testing.T) {
	txt := nz.Normalize("Œ coonnard")
	// "oe con ard": 'o' and 'e' both map to "Œ"; the collapsed 'o' and
	// 'n' map to their whole runs.
	want := []string{"Œ", "Œ", " ", "c", "oo", "nn", "a", "r", "d"}
	if string(txt.Norm) != "oe conard" {
		t.Fatalf("Norm = %q", txt.Norm)
	}
	for i := range txt.Norm {
		a, b := txt.Span(i, i+1)
		if got := txt.Original[a:b]; got != want[i] {
			t.Errorf("Span(%d, %d) = %q, want %q", i, i+1, got, want[i])
		}
	}
	if a, b := txt.Span(3, 9); txt.Original[a:b] != "coonnard" {
		t.Errorf("Span(3, 9) = %q", txt.Original[a:b])
	}
	if a, b := txt.Span(0, 9); txt.Original[a:b] != "Œ coonnard" {
		t.Errorf("Span(0, 9) = %q", txt.Original[a:b])
	}
	// Out of range and empty ranges are clamped, never panic.
	for _, r := range [][2]int{{-5, 2}, {7, 100}, {4, 4}, {9, 9}, {50, 60}, {6, 2}} {
		a, b := txt.Span(r[0], r[1])
		if a < 0 || b > len(txt.Original) || a > b {
			t.Errorf("Span(%d, %d) = %d, %d", r[0], r[1], a, b)
		}
	}
	empty := nz.Normalize("!!")
	if a, b := empty.Span(0, 1); a != 0 || b != 0 {
		t.Errorf("Span on empty Norm = %d, %d", a, b)
	}
}

func TestTokenAt(t *testing.T) {
	txt := nz.Normalize("ab cd  efg")
	// Norm "ab cd efg"
	want := []int{0, 0, 1, 1, 1, 2, 2, 2, 2}
	for off, w := range want {
		if got := txt.TokenAt(off); got != w {
			t.Errorf("TokenAt(%d) = %d, want %d", off, got, w)
		}
	}
	for _, off := range []int{-1, len(txt.Norm), 100} {
		if got := txt.TokenAt(off); got != -1 {
			t.Errorf("TokenAt(%d) = %d, want -1", off, got)
		}
	}
}

// roundTrip lists messages whose tokens, cut out of the original by
// their span and normalised alone, give the same token back. (A word made
// only of Cyrillic look-alikes is the exception: alone it reads as Latin,
// in a Cyrillic sentence as Cyrillic.)
var roundTrip = []string{
	"T'es qu'un GROS c0nnnnard !!",
	"c.o.n.n.a.r.d et c o n n a r d, p.u.t.e",
	"ｃｏｎｎａｒｄ 𝐜𝐨𝐧𝐧𝐚𝐫𝐝 ⓒⓞⓝⓝⓐⓡⓓ 🅲🅾🅽",
	"соnnаrd fuсk",
	"l'analyse du texte, J'ai 4 ans, h4ck3r, f*ck, sal*pe",
	"con\u200bnard peut-être n.t.m y a t.g",
	"il y a à faire, y a-t-il, étudiant.e.s",
	"« il m'a dit \"connard\" » puis 'rien'",
	"le 1er, la 3ème, 10h30, @123, a$$hole, n!que, wow!!",
	"Straße Œuvre e\u0301te\u0301 ᴄᴏɴ 1️⃣",
	"4 c o n 5 c 0 n n 4 r d",
	"Привет как дела",
}

func TestRoundTrip(t *testing.T) {
	for _, s := range roundTrip {
		txt := nz.Normalize(s)
		for i, tok := range txt.Tokens {
			a, b := txt.TokenSpan(i)
			alone := nz.Normalize(s[a:b])
			want := string(txt.Norm[tok.Start:tok.End])
			if s == "Привет как дела" && want == "как" {
				// Alone, a word made only of look-alikes is read as Latin.
				if string(alone.Norm) != "kak" {
					t.Errorf("%q alone = %q, want %q", s[a:b], alone.Norm, "kak")
				}
				continue
			}
			if string(alone.Norm) != want {
				t.Errorf("in %q token %d %q: span %q normalises to %q", s, i, want, s[a:b], alone.Norm)
			}
			if !slices.Equal(alone.Runs, txt.Runs[tok.Start:tok.End]) {
				t.Errorf("in %q token %q: runs %v alone, %v in context", s, want, alone.Runs, txt.Runs[tok.Start:tok.End])
			}
		}
	}
}

// TestIntoReuse checks that a reused Text gives the same result as a new
// one, whatever it held before.
func TestIntoReuse(t *testing.T) {
	msgs := append(slices.Clone(roundTrip), "", "x", strings.Repeat("c o n ", 50), "a")
	backward := slices.Clone(msgs)
	slices.Reverse(backward)
	var reused normalize.Text
	for _, order := range [][]string{msgs, backward} {
		for _, s := range order {
			nz.Into(&reused, s)
			fresh := nz.Normalize(s)
			if string(reused.Norm) != string(fresh.Norm) || !slices.Equal(reused.Runs, fresh.Runs) ||
				!slices.Equal(reused.Tokens, fresh.Tokens) || !slices.Equal(reused.Quoted, fresh.Quoted) {
				t.Errorf("Into(%q) reused = %q, fresh = %q", s, reused.Norm, fresh.Norm)
			}
			for i := range fresh.Tokens {
				a1, b1 := fresh.TokenSpan(i)
				a2, b2 := reused.TokenSpan(i)
				if a1 != a2 || b1 != b2 {
					t.Errorf("Into(%q) token %d span %d-%d, fresh %d-%d", s, i, a2, b2, a1, b1)
				}
			}
		}
	}
}

func TestIntoAllocations(t *testing.T) {
	for _, s := range []string{
		"T'es qu'un GROS c0nnnnard !! c o n n a r d",
		"Bonjour à tous, l'exercice 3 est pour jeudi ? Merci beaucoup 🙂",
		"« ｃｏｎｎａｒｄ » dit-il, p.u.t.e, h4ck3r",
		"你好 한국어 🙂 ｶﾀｶﾅ 𐐷 Привет как дела",
	} {
		var txt normalize.Text
		nz.Into(&txt, s)
		if allocs := testing.AllocsPerRun(100, func() { nz.Into(&txt, s) }); allocs != 0 {
			t.Errorf("Into(%q) allocates %v times per call in steady state", s, allocs)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	want := string(nz.Normalize(roundTrip[0]).Norm)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var txt normalize.Text
			for i := 0; i < 200; i++ {
				nz.Into(&txt, roundTrip[i%len(roundTrip)])
				if i%len(roundTrip) == 0 && string(txt.Norm) != want {
					errs <- string(txt.Norm)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent Normalize = %q, want %q", e, want)
	}
}

// checkInvariants verifies the structural properties every Text has.
func checkInvariants(t *testing.T, txt *normalize.Text) {
	t.Helper()
	n := txt.Norm
	if len(txt.Runs) != len(n) {
		t.Fatalf("len(Runs) = %d, len(Norm) = %d", len(txt.Runs), len(n))
	}
	if len(txt.Quoted) != len(txt.Tokens) {
		t.Fatalf("len(Quoted) = %d, len(Tokens) = %d", len(txt.Quoted), len(txt.Tokens))
	}
	if len(n) > 0 && (n[0] == ' ' || n[len(n)-1] == ' ') {
		t.Errorf("Norm %q has a leading or trailing space", n)
	}
	if strings.Contains(string(n), "  ") {
		t.Errorf("Norm %q has a double space", n)
	}
	if !utf8.Valid(n) {
		t.Errorf("Norm %q is not valid UTF-8", n)
	}
	end := 0
	for i, tok := range txt.Tokens {
		if tok.Start >= tok.End {
			t.Errorf("token %d is empty: %+v", i, tok)
		}
		if i > 0 && (tok.Start != end+1 || n[end] != ' ') {
			t.Errorf("token %d at %d does not follow token %d (end %d) after one space", i, tok.Start, i-1, end)
		}
		if strings.Contains(string(n[tok.Start:tok.End]), " ") {
			t.Errorf("token %d %q contains a space", i, n[tok.Start:tok.End])
		}
		end = tok.End
	}
	if len(txt.Tokens) == 0 && len(n) != 0 || len(txt.Tokens) > 0 && (txt.Tokens[0].Start != 0 || end != len(n)) {
		t.Errorf("tokens %v do not cover Norm %q", txt.Tokens, n)
	}
	valid := utf8.ValidString(txt.Original)
	prevA, prevB := 0, 0
	for i := range n {
		if txt.Runs[i] == 0 {
			t.Errorf("Runs[%d] = 0", i)
		}
		a, b := txt.Span(i, i+1)
		if a < 0 || b > len(txt.Original) || a > b {
			t.Fatalf("Span(%d, %d) = %d, %d out of %d bytes", i, i+1, a, b, len(txt.Original))
		}
		if a < prevA || b < prevB {
			t.Errorf("Span(%d, %d) = %d, %d goes back from %d, %d", i, i+1, a, b, prevA, prevB)
		}
		prevA, prevB = a, b
		if valid && !utf8.ValidString(txt.Original[a:b]) {
			t.Errorf("Span(%d, %d) = %q is not whole characters", i, i+1, txt.Original[a:b])
		}
		if n[i] != ' ' && a == b {
			t.Errorf("Span(%d, %d) of %q is empty", i, i+1, n[i])
		}
	}
	for i := range txt.Tokens {
		a, b := txt.TokenSpan(i)
		if a >= b || (valid && !utf8.ValidString(txt.Original[a:b])) {
			t.Errorf("TokenSpan(%d) = %d, %d", i, a, b)
		}
	}
}
