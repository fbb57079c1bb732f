// Package envsecret reads a secret, such as a bot's token, from an
// environment variable or from a file named by another one (a Docker or
// systemd credential). It never puts the secret in an error.
package envsecret

import (
	"errors"
	"fmt"
	"strings"
)

// Read returns the secret held by the variable valueVar, or read from the
// file named by fileVar, with surrounding white space trimmed; "" when
// neither is set. Setting both is an error, and so is an empty file.
// lookup and readFile are os.LookupEnv and os.ReadFile outside tests.
func Read(lookup func(string) (string, bool), readFile func(string) ([]byte, error), valueVar, fileVar string) (string, error) {
	v, _ := lookup(valueVar)
	file, _ := lookup(fileVar)
	v, file = strings.TrimSpace(v), strings.TrimSpace(file)
	switch {
	case v != "" && file != "":
		return "", fmt.Errorf("set %s or %s, not both", valueVar, fileVar)
	case file == "":
		return v, nil
	}
	b, err := readFile(file)
	if err != nil {
		// The path is not secret; the file's content is, and the error
		// of a read never holds it.
		return "", fmt.Errorf("reading %s: %w", fileVar, err)
	}
	v = strings.TrimSpace(string(b))
	if v == "" {
		return "", errors.New("the file named by " + fileVar + " (" + file + ") is empty")
	}
	return v, nil
}
