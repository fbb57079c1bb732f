package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// substitute replaces what a database cannot store in a text column: NUL
// (PostgreSQL refuses it) and bytes that are not UTF-8. U+001A SUBSTITUTE
// is one byte long, so byte offsets into the text (the verdict's spans)
// stay valid.
const substitute = '\x1a'

// storable returns s with every NUL byte and every byte that is not part
// of valid UTF-8 replaced by U+001A, one byte for one. It returns s
// itself when there is nothing to replace.
func storable(s string) string {
	clean := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == 0 {
				clean = false
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == 0 {
				c = substitute
			}
			b = append(b, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, substitute)
			i++
			continue
		}
		b = append(b, s[i:i+n]...)
		i += n
	}
	return string(b)
}

// storableJSON marshals v as JSON in which no string holds a NUL
// (PostgreSQL's jsonb refuses \u0000). encoding/json already writes
// invalid UTF-8 as U+FFFD.
func storableJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(b, []byte(`\u0000`)) {
		return b, nil
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("re-read JSON: %w", err)
	}
	return json.Marshal(substituteNUL(generic))
}

// substituteNUL replaces NUL in every string (keys included) of a value
// decoded from JSON.
func substituteNUL(v any) any {
	switch x := v.(type) {
	case string:
		return storable(x)
	case []any:
		for i := range x {
			x[i] = substituteNUL(x[i])
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[storable(k)] = substituteNUL(e)
		}
		return out
	}
	return v
}
