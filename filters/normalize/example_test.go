package normalize_test

import (
	"fmt"

	"github.com/vigie-edu/vigie/filters/normalize"
)

func Example() {
	n := normalize.New()
	t := n.Normalize("T'es qu'un GROS c0nnnnard !!")
	fmt.Printf("%q\n", t.Norm)

	// The last token, and where it came from.
	last := len(t.Tokens) - 1
	tok := t.Tokens[last]
	a, b := t.TokenSpan(last)
	fmt.Printf("%q <- %q, runs %v\n", t.Norm[tok.Start:tok.End], t.Original[a:b], t.Runs[tok.Start:tok.End])
	// Output:
	// "t es qu un gros conard"
	// "conard" <- "c0nnnnard", runs [1 1 4 1 1 1]
}

func ExampleNormalizer_Normalize() {
	n := normalize.New()
	for _, s := range []string{
		"c.o.n.n.a.r.d",
		"ｃｏｎ 𝐜𝐨𝐧 ⓒⓞⓝ 🅲🅾🅽",
		"соnnаrd", // Cyrillic с, о, а
		"Привет как дела",
		"h4ck3r, f*ck, n!que",
		"J'ai 4 ans, le 1er",
		"peut-être, y a-t-il",
	} {
		fmt.Printf("%q\n", n.Normalize(s).Norm)
	}
	// Output:
	// "conard"
	// "con con con con"
	// "conard"
	// "привет как дела"
	// "hacker fck nique"
	// "j ai 4 ans le 1er"
	// "peut etre y a t il"
}

func ExampleNormalizer_Into() {
	n := normalize.New()
	var t normalize.Text // reused: no allocation once it has grown
	for _, s := range []string{"Salut !", "t.g"} {
		n.Into(&t, s)
		fmt.Printf("%q\n", t.Norm)
	}
	// Output:
	// "salut"
	// "tg"
}

func ExampleNormalizer_Term() {
	n := normalize.New()
	norm, runs := n.Term("Fils de p*te")
	fmt.Printf("%q %v\n", norm, runs)
	norm, runs = n.Term("connard")
	fmt.Printf("%q %v\n", norm, runs)
	// Output:
	// "fils de pte" [1 1 1 1 1 1 1 1 1 1 1]
	// "conard" [1 1 2 1 1 1]
}

func Example_quoted() {
	t := normalize.New().Normalize(`il m'a dit « gros nul »`)
	for i, tok := range t.Tokens {
		fmt.Println(string(t.Norm[tok.Start:tok.End]), t.Quoted[i])
	}
	// Output:
	// il false
	// m false
	// a false
	// dit false
	// gros true
	// nul true
}
