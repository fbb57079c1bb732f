package rules

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// source opens the files a rules file refers to (domain lists, webhook
// secrets), relative to where the rules file lives.
type source interface {
	// open opens p as written in the rules file. disk is the file's
	// path on disk, for Rules.Files, or "" for a file that is not on
	// disk (embedded, in-memory).
	open(p string) (rc io.ReadCloser, disk string, err error)
}

// fsSource resolves paths within a file system: the embedded defaults,
// or the fs.FS given to Parse.
type fsSource struct{ fsys fs.FS }

func (s fsSource) open(p string) (io.ReadCloser, string, error) {
	if s.fsys == nil {
		return nil, "", fmt.Errorf("cannot read %s: no directory to resolve files in", p)
	}
	if path.IsAbs(p) || filepath.IsAbs(p) {
		return nil, "", fmt.Errorf("cannot read %s: absolute paths are only read when loading from disk", p)
	}
	clean := path.Clean(filepath.ToSlash(p))
	if !fs.ValidPath(clean) {
		return nil, "", fmt.Errorf("cannot read %s: the path leaves the rules directory", p)
	}
	f, err := s.fsys.Open(clean)
	if err != nil {
		return nil, "", fmt.Errorf("cannot read %s: %w", p, unwrapPath(err))
	}
	if err := notDir(f, p); err != nil {
		return nil, "", err
	}
	return f, "", nil
}

// diskSource resolves relative paths against the rules file's directory
// and opens absolute paths as they are.
type diskSource struct{ dir string }

func (s diskSource) open(p string) (io.ReadCloser, string, error) {
	full := p
	if !filepath.IsAbs(p) {
		full = filepath.Join(s.dir, p)
	}
	if abs, err := filepath.Abs(full); err == nil {
		full = abs
	}
	f, err := os.Open(full)
	if err != nil {
		return nil, "", fmt.Errorf("cannot read %s: %w", full, unwrapPath(err))
	}
	if err := notDir(f, full); err != nil {
		return nil, "", err
	}
	return f, full, nil
}

// unwrapPath drops the *fs.PathError wrapper, whose message repeats the
// path the caller already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// notDir closes f and fails when it is a directory.
func notDir(f interface {
	Stat() (fs.FileInfo, error)
	Close() error
}, name string) error {
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return fmt.Errorf("cannot read %s: it is a directory", name)
	}
	return nil
}
