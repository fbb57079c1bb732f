package httpapi

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Environment variables that configure the API's bearer tokens. Tokens
// are never configured in clear: each entry is the SHA-256 of a token,
// in hex (what `vigie api hash-token` prints).
const (
	// EnvTokenHashes holds hashes separated by commas or white space.
	EnvTokenHashes = "VIGIE_API_TOKEN_HASHES"
	// EnvTokensFile names a file with one hash per line ('#' starts a
	// comment); with systemd, LoadCredential= and "%d/api-tokens".
	EnvTokensFile = "VIGIE_API_TOKENS_FILE"
)

// Tokens is the set of accepted bearer tokens, held as SHA-256 hashes.
// The zero value (or nil) accepts none and means "no authentication".
type Tokens struct {
	hashes [][sha256.Size]byte
}

// HashToken returns the SHA-256 of a token in hex, as Tokens expect it.
// Surrounding white space (a newline from `echo`) is not part of the
// token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return hex.EncodeToString(sum[:])
}

// ParseTokenHashes reads hashes separated by commas, spaces or newlines;
// '#' starts a comment that runs to the end of the line. Errors name the
// entry's position (source, line, entry) but never its content, in case
// a token was pasted instead of its hash.
func ParseTokenHashes(source, text string) (*Tokens, error) {
	t := &Tokens{}
	if err := t.add(source, strings.NewReader(text)); err != nil {
		return nil, err
	}
	return t, nil
}

// add parses hashes from r into t.
func (t *Tokens) add(source string, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' })
		for i, f := range fields {
			var h [sha256.Size]byte
			if len(f) != 2*sha256.Size {
				return fmt.Errorf("%s: line %d, entry %d: not a SHA-256 hash (want 64 hex digits; hash a token with `vigie api hash-token`)", source, line, i+1)
			}
			if _, err := hex.Decode(h[:], []byte(f)); err != nil {
				return fmt.Errorf("%s: line %d, entry %d: not a SHA-256 hash (want 64 hex digits; hash a token with `vigie api hash-token`)", source, line, i+1)
			}
			t.hashes = append(t.hashes, h)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	return nil
}

// TokensFromEnv reads the hashes of EnvTokenHashes and of the file named
// by EnvTokensFile (both may be set; their hashes add up). With neither
// set it returns an empty set.
func TokensFromEnv(getenv func(string) string) (*Tokens, error) {
	t := &Tokens{}
	if v := getenv(EnvTokenHashes); strings.TrimSpace(v) != "" {
		if err := t.add(EnvTokenHashes, strings.NewReader(v)); err != nil {
			return nil, err
		}
	}
	if path := strings.TrimSpace(getenv(EnvTokensFile)); path != "" {
		f, err := os.Open(path)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("%s %s: %w", EnvTokensFile, path, err)
		}
		defer f.Close()
		if err := t.add(EnvTokensFile+" "+path, f); err != nil {
			return nil, err
		}
		if t.Len() == 0 {
			return nil, fmt.Errorf("%s %s: no token hash in the file", EnvTokensFile, path)
		}
	}
	return t, nil
}

// Len returns the number of accepted tokens.
func (t *Tokens) Len() int {
	if t == nil {
		return 0
	}
	return len(t.hashes)
}

// Check reports whether token is one of the accepted tokens. It hashes
// the token and compares the hash with every accepted hash in constant
// time, without stopping at the first match.
func (t *Tokens) Check(token string) bool {
	if t.Len() == 0 || token == "" {
		return false
	}
	sum := sha256.Sum256([]byte(token))
	ok := 0
	for i := range t.hashes {
		ok |= subtle.ConstantTimeCompare(sum[:], t.hashes[i][:])
	}
	return ok == 1
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header
// value, or "" when it has another form.
func bearer(header string) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
