package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// pos is a place in a rules file.
type pos struct {
	file      string
	line, col int
}

// decoder walks the yaml.Node tree of one file and collects errors with
// their positions instead of stopping at the first.
type decoder struct {
	file string
	errs *ErrorList
}

func (d *decoder) at(n *yaml.Node) pos {
	p := pos{file: d.file, line: 1, col: 1}
	if n != nil && n.Line > 0 {
		p.line, p.col = n.Line, max(n.Column, 1)
	}
	return p
}

func addError(errs *ErrorList, p pos, format string, args ...any) {
	*errs = append(*errs, &Error{File: p.file, Line: max(p.line, 1), Col: max(p.col, 1), Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	addError(d.errs, d.at(n), format, args...)
}

// kindName names a node's type for error messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	switch n.ShortTag() {
	case "!!null":
		return "nothing"
	case "!!bool":
		return "a boolean"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	case "!!str":
		return "a string"
	}
	return "a " + n.ShortTag() + " value"
}

// isNull reports whether n is an empty value ("key:" with nothing after).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// want checks that n has the given kind; aliases are refused (they
// would let a small file expand to a huge one).
func (d *decoder) want(n *yaml.Node, kind yaml.Kind, what, desc string) bool {
	if n.Kind == yaml.AliasNode {
		d.errorf(n, "%s: YAML aliases (*name) are not supported in rules files", what)
		return false
	}
	if n.Kind != kind {
		d.errorf(n, "%s: want %s, got %s", what, desc, kindName(n))
		return false
	}
	return true
}

// fields walks a mapping whose keys are fixed: each key must have a
// handler. It reports unknown and duplicate keys, and returns the key
// nodes seen, for checks of required keys.
func (d *decoder) fields(n *yaml.Node, what string, handlers map[string]func(v *yaml.Node)) map[string]*yaml.Node {
	seen := map[string]*yaml.Node{}
	if isNull(n) || !d.want(n, yaml.MappingNode, what, "a mapping") {
		return seen
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !d.want(k, yaml.ScalarNode, what, "a key") {
			continue
		}
		h, ok := handlers[k.Value]
		if !ok {
			keys := make([]string, 0, len(handlers))
			for key := range handlers {
				keys = append(keys, key)
			}
			slices.Sort(keys)
			d.errorf(k, "%s: unknown key %q (want %s)", what, k.Value, strings.Join(keys, ", "))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k, "%s: duplicate key %q (first at line %d)", what, k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		h(v)
	}
	return seen
}

// require reports the keys of a mapping that must be present.
func (d *decoder) require(n *yaml.Node, seen map[string]*yaml.Node, what string, keys ...string) {
	if n.Kind != yaml.MappingNode {
		return // already reported
	}
	for _, k := range keys {
		if _, ok := seen[k]; !ok {
			d.errorf(n, "%s: missing %q", what, k)
		}
	}
}

// entries walks a mapping whose keys are data (languages, categories,
// names): f gets the key's text and the key and value nodes. Duplicate
// keys are reported.
func (d *decoder) entries(n *yaml.Node, what string, f func(key string, k, v *yaml.Node)) {
	if isNull(n) || !d.want(n, yaml.MappingNode, what, "a mapping") {
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !d.want(k, yaml.ScalarNode, what, "a key") {
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.errorf(k, "%s: duplicate key %q (first at line %d)", what, k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		f(k.Value, k, v)
	}
}

// items walks a list; f gets each item with its index.
func (d *decoder) items(n *yaml.Node, what string, f func(i int, item *yaml.Node)) {
	if isNull(n) || !d.want(n, yaml.SequenceNode, what, "a list") {
		return
	}
	for i, item := range n.Content {
		f(i, item)
	}
}

// str reads a string. Numbers are accepted as their text (an unquoted
// Discord id or phone number is a string to Vigie); booleans and null
// are not.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	if !d.want(n, yaml.ScalarNode, what, "a string") {
		return "", false
	}
	switch n.ShortTag() {
	case "!!str", "!!int", "!!float":
		return n.Value, true
	}
	d.errorf(n, "%s: want a string, got %s", what, kindName(n))
	return "", false
}

// strs reads a list of strings, calling f for each one that is a string.
func (d *decoder) strs(n *yaml.Node, what string, f func(s string, item *yaml.Node)) {
	d.items(n, what, func(i int, item *yaml.Node) {
		if s, ok := d.str(item, fmt.Sprintf("%s[%d]", what, i)); ok {
			f(s, item)
		}
	})
}

func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	if !d.want(n, yaml.ScalarNode, what, "true or false") {
		return false, false
	}
	var b bool
	if n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		d.errorf(n, "%s: want true or false, got %s %q", what, kindName(n), n.Value)
		return false, false
	}
	return b, true
}

func (d *decoder) integer(n *yaml.Node, what string, lo, hi int) (int, bool) {
	if !d.want(n, yaml.ScalarNode, what, "an integer") {
		return 0, false
	}
	var i int
	if n.ShortTag() != "!!int" || n.Decode(&i) != nil {
		d.errorf(n, "%s: want an integer, got %s %q", what, kindName(n), n.Value)
		return 0, false
	}
	if i < lo || i > hi {
		d.errorf(n, "%s: %d is out of range %d–%d", what, i, lo, hi)
		return 0, false
	}
	return i, true
}

func (d *decoder) number(n *yaml.Node, what string, lo, hi float64) (float64, bool) {
	if !d.want(n, yaml.ScalarNode, what, "a number") {
		return 0, false
	}
	var f float64
	if tag := n.ShortTag(); (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil {
		d.errorf(n, "%s: want a number, got %s %q", what, kindName(n), n.Value)
		return 0, false
	}
	if !(f >= lo && f <= hi) { // also refuses NaN
		d.errorf(n, "%s: %v is out of range %v–%v", what, n.Value, lo, hi)
		return 0, false
	}
	return f, true
}

// duration reads a Go duration ("90s", "10m", "24h"); it must not be
// negative.
func (d *decoder) duration(n *yaml.Node, what string) (time.Duration, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return 0, false
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		d.errorf(n, "%s: bad duration %q (write it like 90s, 10m or 24h)", what, s)
		return 0, false
	}
	if v < 0 {
		d.errorf(n, "%s: negative duration %q", what, s)
		return 0, false
	}
	return v, true
}

// oneOf reads a string that must be one of the choices.
func (d *decoder) oneOf(n *yaml.Node, what string, choices ...string) (string, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return "", false
	}
	if !slices.Contains(choices, s) {
		d.errorf(n, "%s: unknown value %q (want %s)", what, s, orList(choices))
		return "", false
	}
	return s, true
}

// orList writes "a, b or c".
func orList(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
