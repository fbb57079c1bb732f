package console

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables of the console (read by LoadKey and ConfigFromEnv).
const (
	// EnvKey holds the signing key of sign-in links (hex or base64 of at
	// least 32 bytes).
	EnvKey = "VIGIE_CONSOLE_KEY"
	// EnvKeyFile names a file holding the signing key.
	EnvKeyFile = "VIGIE_CONSOLE_KEY_FILE"
	// EnvAdminTokenHash holds the SHA-256 hashes (hex, comma-separated)
	// of the admin tokens that sign school IT in.
	EnvAdminTokenHash = "VIGIE_CONSOLE_ADMIN_TOKEN_HASH"
	// EnvAdminTokenHashFile names a file with one admin token hash per
	// line (blank lines and # comments ignored).
	EnvAdminTokenHashFile = "VIGIE_CONSOLE_ADMIN_TOKEN_HASH_FILE"
	// EnvAdminToken is refused: a token in clear must not sit in the
	// environment; its hash goes in EnvAdminTokenHash.
	EnvAdminToken = "VIGIE_CONSOLE_ADMIN_TOKEN"
	// EnvURL is the console's public URL, used in sign-in links, e.g.
	// https://vigie.college.example/console/.
	EnvURL = "VIGIE_CONSOLE_URL"
	// EnvTrustedProxies lists the addresses or CIDR prefixes
	// (comma-separated) of reverse proxies whose X-Forwarded-Proto and
	// X-Forwarded-For are believed.
	EnvTrustedProxies = "VIGIE_CONSOLE_TRUSTED_PROXIES"
	// EnvStateDir is the directory where a generated key is kept
	// (default: systemd's STATE_DIRECTORY, else the caller's default).
	EnvStateDir = "VIGIE_STATE_DIR"
)

// KeyFileName is the name of the generated key file in the state
// directory.
const KeyFileName = "console.key"

// MinKeySize is the smallest signing key accepted, in bytes.
const MinKeySize = 32

// ErrKey reports a signing key that cannot be used. Its messages never
// contain the key.
var ErrKey = errors.New("console: unusable signing key")

// decodeKey reads a key written in hex or base64 (standard or URL, with
// or without padding).
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	decoders := []func(string) ([]byte, error){
		hex.DecodeString,
		base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString,
		base64.URLEncoding.DecodeString, base64.RawURLEncoding.DecodeString,
	}
	short := -1
	for _, decode := range decoders {
		key, err := decode(s)
		switch {
		case err != nil:
		case len(key) >= MinKeySize:
			return key, nil
		default:
			short = max(short, len(key))
		}
	}
	if short >= 0 {
		return nil, fmt.Errorf("%w: %d bytes, want at least %d", ErrKey, short, MinKeySize)
	}
	return nil, fmt.Errorf("%w: want hex or base64", ErrKey)
}

// StateDir returns the directory for Vigie's state: VIGIE_STATE_DIR,
// else systemd's STATE_DIRECTORY (its first entry), else def.
func StateDir(getenv func(string) string, def string) string {
	if d := strings.TrimSpace(getenv(EnvStateDir)); d != "" {
		return d
	}
	if d := strings.TrimSpace(getenv("STATE_DIRECTORY")); d != "" {
		first, _, _ := strings.Cut(d, ":")
		return first
	}
	return def
}

// LoadKey returns the signing key of sign-in links and says where it
// came from: VIGIE_CONSOLE_KEY, else the file VIGIE_CONSOLE_KEY_FILE,
// else stateDir/console.key, which is created with a new random key
// (mode 0600) when it does not exist, so that links stay valid across
// restarts of the same installation.
func LoadKey(getenv func(string) string, stateDir string) (key []byte, source string, err error) {
	if v := getenv(EnvKey); strings.TrimSpace(v) != "" {
		key, err := decodeKey(v)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", EnvKey, err)
		}
		return key, EnvKey, nil
	}
	if path := strings.TrimSpace(getenv(EnvKeyFile)); path != "" {
		key, err := readKeyFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", EnvKeyFile, err)
		}
		return key, path, nil
	}
	path := filepath.Join(stateDir, KeyFileName)
	key, err = readKeyFile(path)
	if err == nil {
		return key, path, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", err
	}
	key, err = createKeyFile(path)
	if err != nil {
		return nil, "", err
	}
	return key, path, nil
}

func readKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("console: read key file: %w", err)
	}
	key, err := decodeKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("console: key file %s: %w", path, err)
	}
	return key, nil
}

// createKeyFile writes a new random key to path, unless another process
// created it first, in which case that key is read.
func createKeyFile(path string) ([]byte, error) {
	key := make([]byte, MinKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("console: generate key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("console: create state directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readKeyFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("console: create key file: %w", err)
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("console: write key file: %w", err)
	}
	return key, nil
}
