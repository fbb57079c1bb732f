package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/rules"
)

// fakeClassifier finds the word "bad" and yields the processor a number
// of times that depends on the text, so that workers finish out of order.
type fakeClassifier struct{}

func (fakeClassifier) Classify(_ context.Context, m filters.Message) filters.Verdict {
	for range len(m.Text) % 7 {
		runtime.Gosched()
	}
	i := strings.Index(m.Text, "bad")
	if i < 0 {
		return filters.Verdict{Action: filters.Allow, Lang: m.Lang}
	}
	return filters.Verdict{
		Action:     filters.Remove,
		Lang:       m.Lang,
		Categories: []filters.CategoryScore{{Name: filters.Insult, Severity: filters.High}},
		Findings:   []filters.Finding{{Rule: "lex.en.bad", Category: filters.Insult, Severity: filters.High, Span: filters.Span{Start: i, End: i + 3}, Text: "bad"}},
	}
}

// scanString runs scan over input and returns the output lines.
func scanString(t *testing.T, input string, opts scanOptions) []string {
	t.Helper()
	var out strings.Builder
	if err := scan(context.Background(), fakeClassifier{}, strings.NewReader(input), &out, opts); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return strings.SplitAfter(strings.TrimSuffix(out.String(), "\n"), "\n")
}

func TestScanContract(t *testing.T) {
	long := strings.Repeat("x", maxScanLine+1)
	tests := []struct {
		name  string
		opts  scanOptions
		input string
		want  []string
	}{
		{
			name:  "text: ids are line numbers, empty lines and CRLF count",
			opts:  scanOptions{input: "text", workers: 3},
			input: "hello\r\nyou bad boy\n\nlast line without newline",
			want: []string{
				`{"id":1,"action":"allow","categories":[],"lang":"","matches":[]}`,
				`{"id":2,"action":"remove","categories":[{"name":"insult","severity":"high"}],"lang":"","matches":[{"rule":"lex.en.bad","category":"insult","severity":"high","span":{"start":4,"end":7}}]}`,
				`{"id":3,"action":"allow","categories":[],"lang":"","matches":[]}`,
				`{"id":4,"action":"allow","categories":[],"lang":"","matches":[]}`,
			},
		},
		{
			name:  "text: --echo and --lang",
			opts:  scanOptions{input: "text", workers: 1, echo: true, lang: "en"},
			input: "so bad\n",
			want: []string{
				`{"id":1,"action":"remove","categories":[{"name":"insult","severity":"high"}],"lang":"en","matches":[{"rule":"lex.en.bad","category":"insult","severity":"high","span":{"start":3,"end":6},"text":"bad"}],"text":"so bad"}`,
			},
		},
		{
			name: "jsonl: ids kept as written, lang per line, malformed lines reported",
			opts: scanOptions{input: "jsonl", workers: 2, lang: "fr"},
			input: `{"text": "bad", "id": "msg-1", "lang": "en"}
{"id": 12345678901234567890, "text": "fine"}
{"text": "fine", "id": null, "extra": {"ignored": true}}
{"text": "fine"}
{"text": "no end
{"id": 7}
{"text": "x", "id": {"nested": 1}}
{"text": 42}

["text"]
{"text": "fine", "id": true}
`,
			want: []string{
				`{"id":"msg-1","action":"remove","categories":[{"name":"insult","severity":"high"}],"lang":"en","matches":[{"rule":"lex.en.bad","category":"insult","severity":"high","span":{"start":0,"end":3}}]}`,
				`{"id":12345678901234567890,"action":"allow","categories":[],"lang":"fr","matches":[]}`,
				`{"id":null,"action":"allow","categories":[],"lang":"fr","matches":[]}`,
				`{"id":4,"action":"allow","categories":[],"lang":"fr","matches":[]}`,
				`{"id":5,"error":"malformed JSON: syntax error at byte 16"}`,
				`{"id":6,"error":"missing \"text\""}`,
				`{"id":7,"error":"\"id\" must be a string, a number, a boolean or null"}`,
				`{"id":8,"error":"malformed JSON: \"text\" has the wrong type (number)"}`,
				`{"id":9,"error":"malformed JSON: syntax error at byte 0"}`,
				`{"id":10,"error":"malformed JSON: want an object, got array"}`,
				`{"id":true,"action":"allow","categories":[],"lang":"fr","matches":[]}`,
			},
		},
		{
			name:  "a line longer than 1 MiB gives an error line and the scan goes on",
			opts:  scanOptions{input: "text", workers: 2},
			input: "a\n" + long + "\n" + long + "bad\nb",
			want: []string{
				`{"id":1,"action":"allow","categories":[],"lang":"","matches":[]}`,
				`{"id":2,"error":"line longer than 1048576 bytes"}`,
				`{"id":3,"error":"line longer than 1048576 bytes"}`,
				`{"id":4,"action":"allow","categories":[],"lang":"","matches":[]}`,
			},
		},
		{
			name:  "empty input, empty output",
			opts:  scanOptions{input: "jsonl", workers: 4},
			input: "",
			want:  []string{""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scanString(t, tt.input, tt.opts)
			if len(got) != len(tt.want) {
				t.Fatalf("%d output lines, want %d:\n%s", len(got), len(tt.want), strings.Join(got, ""))
			}
			for i := range got {
				if strings.TrimSuffix(got[i], "\n") != tt.want[i] {
					t.Errorf("line %d:\ngot  %s\nwant %s", i+1, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestScanNoEcho checks that without --echo no message text is written.
func TestScanNoEcho(t *testing.T) {
	const secret = "Camille habite 12 rue des Lilas, so bad"
	for _, input := range []string{"text", "jsonl"} {
		line := secret
		if input == "jsonl" {
			b, _ := json.Marshal(map[string]string{"text": secret})
			line = string(b)
		}
		out := strings.Join(scanString(t, line+"\n", scanOptions{input: input, workers: 1}), "")
		if strings.Contains(out, "Camille") || strings.Contains(out, `"bad"`) {
			t.Errorf("%s: output shows the message: %s", input, out)
		}
	}
}

// TestScanLongStream pushes 100,000 lines through an io.Pipe and checks
// that every line comes back once, in order, with its verdict.
func TestScanLongStream(t *testing.T) {
	const n = 100_000
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriter(pw)
		for i := 1; i <= n; i++ {
			word := "fine"
			if i%3 == 0 {
				word = "bad"
			}
			fmt.Fprintf(w, "message %d is %s\n", i, word)
		}
		pw.CloseWithError(w.Flush())
	}()
	outR, outW := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		err := scan(context.Background(), fakeClassifier{}, pr, outW, scanOptions{input: "text", workers: 4})
		outW.CloseWithError(err)
		errc <- err
	}()
	sc := bufio.NewScanner(outR)
	seen := 0
	for sc.Scan() {
		seen++
		var v struct {
			ID     int            `json:"id"`
			Action filters.Action `json:"action"`
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("line %d: %v: %s", seen, err, sc.Text())
		}
		want := filters.Allow
		if seen%3 == 0 {
			want = filters.Remove
		}
		if v.ID != seen || v.Action != want {
			t.Fatalf("output line %d = id %d action %s, want id %d action %s", seen, v.ID, v.Action, seen, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if seen != n {
		t.Errorf("%d lines out, want %d", seen, n)
	}
}

// failingWriter fails after some bytes, like a closed pipe.
type failingWriter struct{ left int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		return 0, io.ErrClosedPipe
	}
	w.left -= len(p)
	return len(p), nil
}

func TestScanIOErrors(t *testing.T) {
	input := strings.Repeat("a bad line\n", 200_000)
	err := scan(context.Background(), fakeClassifier{}, strings.NewReader(input), &failingWriter{left: 1000}, scanOptions{input: "text", workers: 2})
	if err == nil || !strings.Contains(err.Error(), "writing verdicts") {
		t.Errorf("scan to a failing writer = %v, want a write error", err)
	}
	r := io.MultiReader(strings.NewReader("one\ntwo\n"), &errReader{})
	var out strings.Builder
	err = scan(context.Background(), fakeClassifier{}, r, &out, scanOptions{input: "text", workers: 2})
	if err == nil || !strings.Contains(err.Error(), "reading messages") || strings.Count(out.String(), "\n") != 2 {
		t.Errorf("scan of a failing reader = %v, output %q; want a read error after the lines read", err, out.String())
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestScanCommand runs `vigie scan` with the real engine and rules.
func TestScanCommand(t *testing.T) {
	in := "t'es qu'un gros c0nnard\nl'analyse du texte\n"
	out, errOut, code := run(t, strings.NewReader(in), "scan", "--rules", "testdata/school.yaml", "--lang", "fr")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []filters.Action{filters.Remove, filters.Allow}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d: %s", len(lines), len(want), out)
	}
	for i, l := range lines {
		var v scanVerdict
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		if string(v.ID) != strconv.Itoa(i+1) || v.Action != want[i] {
			t.Errorf("line %d: %s, want id %d action %s", i+1, l, i+1, want[i])
		}
	}
	for _, args := range [][]string{{"scan", "--input", "csv"}, {"scan", "--workers", "0"}} {
		if _, _, code := run(t, nil, args...); code != 1 {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
	}
	if _, _, code := run(t, nil, "scan", "--rules", "testdata/bad.yaml"); code != 2 {
		t.Errorf("bad rules: exit %d, want 2", code)
	}
}

// BenchmarkScan measures scan's throughput with the embedded defaults.
func BenchmarkScan(b *testing.B) {
	r, err := rules.Defaults()
	if err != nil {
		b.Fatal(err)
	}
	c, err := r.Classifier()
	if err != nil {
		b.Fatal(err)
	}
	msgs := []string{
		"bonjour à tous, on se retrouve à 14h pour le devoir de maths",
		"t'es qu'un gros c0nnard",
		"l'analyse du texte est pour demain",
		"regarde https://bit.ly/abc c'est trop drôle",
		"you are such an idiot lol",
		"quelqu'un a compris l'exercice 3 ?",
	}
	var input strings.Builder
	const lines = 10_000
	for i := range lines {
		input.WriteString(msgs[i%len(msgs)])
		input.WriteByte('\n')
	}
	data := input.String()
	b.ResetTimer()
	for b.Loop() {
		if err := scan(context.Background(), c, strings.NewReader(data), io.Discard, scanOptions{input: "text", workers: runtime.GOMAXPROCS(0)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// FuzzScan feeds arbitrary input to scan in both modes: every input line
// must give exactly one valid JSON output line, a verdict or an error,
// with the line's id.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"hello\nbad\n",
		`{"text": "bad", "id": "x"}` + "\n" + `{"text": 1}` + "\n",
		`{"id": [1], "text": "a"}` + "\r\n\n" + `{"text": "\u00e9", "id": -1.5e3, "lang": "fr"}`,
		"\xff\xfe\n{\n}",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, input string, jsonl bool) {
		opts := scanOptions{input: "text", workers: 2}
		if jsonl {
			opts.input = "jsonl"
		}
		var out strings.Builder
		if err := scan(context.Background(), fakeClassifier{}, strings.NewReader(input), &out, opts); err != nil {
			t.Fatal(err)
		}
		want := strings.Count(input, "\n")
		if input != "" && !strings.HasSuffix(input, "\n") {
			want++
		}
		lines := strings.Split(out.String(), "\n")
		if lines[len(lines)-1] != "" {
			t.Fatalf("output does not end with a newline: %q", out.String())
		}
		lines = lines[:len(lines)-1]
		if len(lines) != want {
			t.Fatalf("%d output lines for %d input lines", len(lines), want)
		}
		for i, l := range lines {
			var v struct {
				ID     json.RawMessage `json:"id"`
				Action string          `json:"action"`
				Error  string          `json:"error"`
			}
			if err := json.Unmarshal([]byte(l), &v); err != nil || (v.Action == "") == (v.Error == "") || len(v.ID) == 0 {
				t.Fatalf("output line %d is not a verdict or an error: %q (%v)", i+1, l, err)
			}
			if (!jsonl || v.Error != "") && string(v.ID) != strconv.Itoa(i+1) {
				t.Fatalf("output line %d has id %s", i+1, v.ID)
			}
		}
	})
}
