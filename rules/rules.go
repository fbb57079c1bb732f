// Package rules loads Vigie's rules: the embedded defaults (the YAML
// fragments of rules/defaults, merged in name order) and a school's rules
// file over them. The format is described in rules/FORMAT.md.
//
// Decoding is strict: unknown keys, wrong types, unknown categories,
// severities or actions, bad patterns, bad domains, unreadable list files
// and missing secrets are errors, each with its FILE:LINE:COL, and all
// the errors of a file are reported at once as an ErrorList. One loader
// serves the bot, `vigie rules lint` and `vigie rules test`.
package rules

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/filters"
)

// Rules is the result of loading: the engine's configuration, the
// bot's, the file's tests and the files read.
type Rules struct {
	// Filters is ready for filters.New.
	Filters filters.Config
	// Bot holds the default policy, the classes, texts and helplines.
	Bot bot.Config
	// Tests are the cases of the file's `tests:` section (for Defaults,
	// those of every fragment).
	Tests []Test
	// Files lists every file read from disk (the rules file, domain
	// lists, secret files), for the hot-reload watcher.
	Files []string
}

//go:embed defaults
var embedded embed.FS

// DefaultsFS returns the embedded defaults: the YAML fragments, merged
// in name order, and the files they refer to (domain lists).
func DefaultsFS() fs.FS {
	sub, err := fs.Sub(embedded, "defaults")
	if err != nil {
		panic(err) // "defaults" is a valid path: cannot happen
	}
	return sub
}

// DefaultFragments returns the names of the embedded fragments in the
// order they are merged.
func DefaultFragments() ([]string, error) { return fragments(DefaultsFS()) }

// fragments lists the YAML files at the top of fsys, sorted by name.
func fragments(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading embedded defaults: %w", err)
	}
	var names []string
	for _, e := range entries { // sorted by name
		if !e.IsDir() && path.Ext(e.Name()) == ".yaml" {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// Defaults loads the embedded defaults only.
func Defaults() (*Rules, error) {
	return load(DefaultsFS(), "", nil, nil)
}

// Load loads the embedded defaults and the rules file at path over them
// (or in place of them when the file says `extends: none`). An empty
// path loads the defaults only. The error, for a rules problem, is an
// ErrorList.
func Load(path string) (*Rules, error) {
	if path == "" {
		return Defaults()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading rules: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("reading rules: %w", err)
	}
	r, err := load(DefaultsFS(), path, data, diskSource{dir: filepath.Dir(abs)})
	if err != nil {
		return nil, err
	}
	r.Files = append([]string{abs}, r.Files...)
	return r, nil
}

// Parse is Load for a rules file held in memory, named name in errors.
// List and secret files are read from dir (which may be nil when the
// file refers to none).
func Parse(name string, data []byte, dir fs.FS) (*Rules, error) {
	if data == nil {
		data = []byte{}
	}
	return load(DefaultsFS(), name, data, fsSource{fsys: dir})
}

// load merges the fragments of defaults (unless the file says `extends:
// none`) and the file. data == nil means no file.
func load(defaults fs.FS, name string, data []byte, src source) (*Rules, error) {
	var errs ErrorList
	s := newState()
	var root *yaml.Node
	if data != nil {
		var err error
		if root, err = parseYAML(name, data); err != nil {
			return nil, ErrorList{err.(*Error)}
		}
	}
	if !extendsNone(root) {
		if err := s.loadDefaults(defaults); err != nil {
			return nil, err
		}
	}
	file := "defaults"
	if data != nil {
		file = name
		l := decodeRoot(name, root, src, s.known, true, &errs)
		s.apply(l, true, &errs)
	}
	r := s.finish(file, &errs)
	if err := errs.err(); err != nil {
		return nil, err
	}
	return r, nil
}

// extendsNone reports whether a file's root says `extends: none`.
func extendsNone(root *yaml.Node) bool {
	if root == nil || root.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k, v := root.Content[i], root.Content[i+1]; k.Value == "extends" && v.Kind == yaml.ScalarNode && v.Value == "none" {
			return true
		}
	}
	return false
}

// loadDefaults merges the fragments of fsys in name order. Their list
// files resolve within fsys.
func (s *state) loadDefaults(fsys fs.FS) error {
	names, err := fragments(fsys)
	if err != nil {
		return err
	}
	var errs ErrorList
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return fmt.Errorf("reading embedded defaults: %w", err)
		}
		file := "defaults/" + n
		root, perr := parseYAML(file, data)
		if perr != nil {
			errs = append(errs, perr.(*Error))
			continue
		}
		l := decodeRoot(file, root, fsSource{fsys: fsys}, s.known, false, &errs)
		s.apply(l, false, &errs)
	}
	return errs.err()
}

// Classifier compiles the rules' engine configuration.
func (r *Rules) Classifier() (*filters.Classifier, error) {
	c, err := filters.New(r.Filters)
	if err != nil {
		return nil, fmt.Errorf("compiling rules: %w", err)
	}
	return c, nil
}
