package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"

	"github.com/spf13/cobra"

	"github.com/vigie-edu/vigie/filters"
)

// maxScanLine is the longest input line scan classifies; longer lines
// get an error line.
const maxScanLine = 1 << 20

// scanWindow is how many lines per worker may be in flight (read, not
// yet written): it bounds the reorder buffer and the memory used.
const scanWindow = 32

func newScanCmd() *cobra.Command {
	var opts scanOptions
	cmd := &cobra.Command{
		Use:   "scan [--rules FILE] [--input text|jsonl] [--workers N] [--echo]",
		Short: "Classify a stream of messages, one JSON verdict per line",
		Long: `Scan reads messages from standard input, one per line, and writes one JSON
verdict per line to standard output, in the same order, in constant
memory: it suits logs of millions of messages.

--input text: each line is a message; its id is its line number (from 1).
--input jsonl: each line is {"text": "...", "id": ..., "lang": "fr"}; the
id (any JSON scalar) is kept as is, lang is optional.

Each output line is {"id", "action", "categories": [{"name", "severity"}],
"lang", "matches"}, with "suppressed" and "links" when there are any. A
line that cannot be read (malformed JSON, longer than 1 MiB) gives
{"id": LINE, "error": "..."} and the scan goes on. Message text is not
written unless --echo is given (matches then carry the matched text).

Scan exits 0 unless standard input or output fails, and 2 when the
rules do not load.`,
		Example: `  vigie scan < messages.txt > verdicts.jsonl
  vigie scan --input jsonl --rules ecole.yaml < export.jsonl | jq 'select(.action != "allow")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.input != "text" && opts.input != "jsonl" {
				return fmt.Errorf("--input: unknown format %q (want text or jsonl)", opts.input)
			}
			if opts.workers < 1 {
				return fmt.Errorf("--workers: want at least 1, got %d", opts.workers)
			}
			_, c, err := loadClassifier(opts.rules)
			if err != nil {
				return err
			}
			return scan(cmd.Context(), c, cmd.InOrStdin(), cmd.OutOrStdout(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.rules, "rules", "", "rules `FILE` merged over the embedded defaults")
	f.StringVar(&opts.input, "input", "text", "input format: text (one message per line) or jsonl")
	f.IntVar(&opts.workers, "workers", runtime.GOMAXPROCS(0), "messages classified in parallel")
	f.StringVar(&opts.lang, "lang", "", "the messages' language when a line gives none (ISO 639-1); default: detected")
	f.BoolVar(&opts.echo, "echo", false, "include the message text and matched text in the output")
	return cmd
}

type scanOptions struct {
	rules, input, lang string
	workers            int
	echo               bool
}

// classifier is what scan needs of a *filters.Classifier.
type classifier interface {
	Classify(ctx context.Context, m filters.Message) filters.Verdict
}

// scanJob is a line read, numbered in reading order.
type scanJob struct {
	seq  int // 0-based, for ordering
	line int // 1-based line number
	data []byte
	err  string // set when the line could not be read whole
}

// scanResult is the encoded output line of a job.
type scanResult struct {
	seq int
	out []byte
}

// scan runs the pipeline: one reader, opts.workers classifiers, and the
// writer (the calling goroutine) that puts results back in input order.
// At most window lines are in flight, so memory stays bounded whatever
// the input's length and however uneven the classification times.
func scan(ctx context.Context, c classifier, in io.Reader, out io.Writer, opts scanOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	window := opts.workers * scanWindow
	slots := make(chan struct{}, window) // one per line in flight
	jobs := make(chan scanJob, opts.workers)
	results := make(chan scanResult, opts.workers)

	var readErr error
	go func() {
		defer close(jobs)
		readErr = readLines(ctx, in, func(j scanJob) bool {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			jobs <- j
			return true
		})
	}()
	var workers sync.WaitGroup
	for range opts.workers {
		workers.Go(func() {
			for j := range jobs {
				results <- scanResult{seq: j.seq, out: scanLine(ctx, c, j, opts)}
			}
		})
	}
	go func() {
		workers.Wait()
		close(results)
	}()

	bw := bufio.NewWriterSize(out, 64<<10)
	pending := make([][]byte, window) // reorder buffer, indexed by seq % window
	next := 0
	var writeErr error
	for r := range results {
		pending[r.seq%window] = r.out
		for pending[next%window] != nil {
			if writeErr == nil {
				_, writeErr = bw.Write(pending[next%window])
				if writeErr != nil {
					cancel() // stop reading; drain what is in flight
				}
			}
			pending[next%window] = nil
			next++
			<-slots
		}
		if len(results) == 0 && writeErr == nil {
			writeErr = bw.Flush() // nothing ready: let a slow stream see its verdicts
			if writeErr != nil {
				cancel()
			}
		}
	}
	if writeErr == nil {
		writeErr = bw.Flush()
	}
	switch {
	case writeErr != nil:
		return fmt.Errorf("writing verdicts: %w", writeErr)
	case readErr != nil:
		return fmt.Errorf("reading messages: %w", readErr)
	}
	return ctx.Err()
}

// readLines reads lines of up to maxScanLine bytes and hands them to
// emit until the input ends, ctx is done or emit returns false. A longer
// line is skipped and handed on as an error job.
func readLines(ctx context.Context, in io.Reader, emit func(scanJob) bool) error {
	br := bufio.NewReaderSize(in, maxScanLine+2) // the line, "\r\n"
	for seq := 0; ; seq++ {
		if ctx.Err() != nil {
			return nil
		}
		data, err := br.ReadSlice('\n')
		j := scanJob{seq: seq, line: seq + 1}
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			j.err = fmt.Sprintf("line longer than %d bytes", maxScanLine)
			data = nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if len(data) == 0 && j.err == "" && errors.Is(err, io.EOF) {
			return nil // end of input
		}
		data = bytes.TrimSuffix(bytes.TrimSuffix(data, []byte{'\n'}), []byte{'\r'})
		if len(data) > maxScanLine {
			j.err = fmt.Sprintf("line longer than %d bytes", maxScanLine)
			data = nil
		}
		j.data = bytes.Clone(data)
		if j.data == nil {
			j.data = []byte{}
		}
		if !emit(j) {
			return nil
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// scanInput is a line of jsonl input.
type scanInput struct {
	Text *string         `json:"text"`
	ID   json.RawMessage `json:"id"`
	Lang string          `json:"lang"`
}

// scanVerdict is an output line.
type scanVerdict struct {
	ID         json.RawMessage   `json:"id"`
	Action     filters.Action    `json:"action"`
	Categories []scanCategory    `json:"categories"`
	Lang       string            `json:"lang"`
	Matches    []scanFinding     `json:"matches"`
	Suppressed []scanSuppression `json:"suppressed,omitempty"`
	Links      []scanLink        `json:"links,omitempty"`
	Text       *string           `json:"text,omitempty"`
}

type scanCategory struct {
	Name     filters.Category `json:"name"`
	Severity string           `json:"severity"`
}

type scanFinding struct {
	Rule     string           `json:"rule"`
	Category filters.Category `json:"category"`
	Severity string           `json:"severity"`
	Span     filters.Span     `json:"span"`
	Lang     string           `json:"lang,omitempty"`
	Detail   string           `json:"detail,omitempty"`
	Text     string           `json:"text,omitempty"` // with --echo only
}

type scanSuppression struct {
	scanFinding
	Reason string `json:"reason"`
	By     string `json:"by,omitempty"`
}

type scanLink struct {
	Host     string           `json:"host"`
	Span     filters.Span     `json:"span"`
	Category filters.Category `json:"category,omitempty"`
	Reason   string           `json:"reason,omitempty"`
	URL      string           `json:"url,omitempty"` // with --echo only
}

// scanError is the output line of a line that could not be classified.
type scanError struct {
	ID    int    `json:"id"`
	Error string `json:"error"`
}

// scanLine classifies one line and returns its encoded output line.
func scanLine(ctx context.Context, c classifier, j scanJob, opts scanOptions) []byte {
	if j.err != "" {
		return encodeLine(scanError{ID: j.line, Error: j.err})
	}
	m := filters.Message{Lang: opts.lang}
	id := json.RawMessage(strconv.Itoa(j.line))
	if opts.input == "jsonl" {
		var in scanInput
		if err := json.Unmarshal(j.data, &in); err != nil {
			return encodeLine(scanError{ID: j.line, Error: "malformed JSON: " + jsonProblem(err)})
		}
		if in.Text == nil {
			return encodeLine(scanError{ID: j.line, Error: `missing "text"`})
		}
		if len(in.ID) > 0 {
			if k := in.ID[0]; k == '{' || k == '[' {
				return encodeLine(scanError{ID: j.line, Error: `"id" must be a string, a number, a boolean or null`})
			}
			id = in.ID
		}
		m.Text = *in.Text
		if in.Lang != "" {
			m.Lang = in.Lang
		}
	} else {
		m.Text = string(j.data)
	}
	v := c.Classify(ctx, m)
	return encodeLine(toScanVerdict(id, m.Text, &v, opts.echo))
}

// jsonProblem describes a JSON error without quoting the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Sprintf("want an object, got %s", typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("%q has the wrong type (%s)", typ.Field, typ.Value)
	}
	return "cannot decode the line"
}

func toScanVerdict(id json.RawMessage, text string, v *filters.Verdict, echo bool) scanVerdict {
	out := scanVerdict{ID: id, Action: v.Action, Lang: v.Lang, Categories: []scanCategory{}, Matches: []scanFinding{}}
	for _, c := range v.Categories {
		out.Categories = append(out.Categories, scanCategory{Name: c.Name, Severity: c.Severity.String()})
	}
	finding := func(f filters.Finding) scanFinding {
		sf := scanFinding{Rule: f.Rule, Category: f.Category, Severity: f.Severity.String(), Span: f.Span, Lang: f.Lang, Detail: f.Detail}
		if echo {
			sf.Text = f.Text
		}
		return sf
	}
	for _, f := range v.Findings {
		out.Matches = append(out.Matches, finding(f))
	}
	for _, s := range v.Suppressed {
		out.Suppressed = append(out.Suppressed, scanSuppression{scanFinding: finding(s.Finding), Reason: s.Reason, By: s.By})
	}
	for _, l := range v.Links {
		sl := scanLink{Host: l.Host, Span: l.Span, Category: l.Category, Reason: l.Reason}
		if echo {
			sl.URL = l.URL
		}
		out.Links = append(out.Links, sl)
	}
	if echo {
		out.Text = &text
	}
	return out
}

// encodeLine encodes v as one line of JSON.
func encodeLine(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// The output types hold only strings, numbers and valid raw ids.
		b.Reset()
		fmt.Fprintf(&b, "{\"error\":%q}\n", "encoding the verdict: "+err.Error())
	}
	return b.Bytes()
}
