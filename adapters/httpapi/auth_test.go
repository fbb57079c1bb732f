package httpapi_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-edu/vigie/adapters/httpapi"
)

func TestParseTokenHashes(t *testing.T) {
	a, b := httpapi.HashToken("alpha"), httpapi.HashToken("beta")
	tests := []struct {
		name, text string
		n          int
		err        bool
	}{
		{"empty", "", 0, false},
		{"one", a, 1, false},
		{"commas", a + "," + b, 2, false},
		{"spaces and newlines", " " + a + "\n\n\t" + b + " \r\n", 2, false},
		{"comments", "# school tokens\n" + a + " # the LMS\n#" + b + "\n", 1, false},
		{"upper-case hex", strings.ToUpper(a), 1, false},
		{"a raw token", "my-secret-token", 0, true},
		{"short", a[:63], 0, true},
		{"not hex", "z" + a[1:], 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := httpapi.ParseTokenHashes("test", tt.text)
			if (err != nil) != tt.err {
				t.Fatalf("error %v, want error %v", err, tt.err)
			}
			if err != nil {
				// The entry may be a token pasted by mistake: never quoted.
				if strings.Contains(err.Error(), "my-secret-token") || strings.Contains(err.Error(), a[1:]) {
					t.Errorf("the error quotes the entry: %v", err)
				}
				return
			}
			if tok.Len() != tt.n {
				t.Errorf("%d tokens, want %d", tok.Len(), tt.n)
			}
		})
	}
}

func TestTokensCheck(t *testing.T) {
	tok, err := httpapi.ParseTokenHashes("test", httpapi.HashToken("alpha")+","+httpapi.HashToken("beta"))
	if err != nil {
		t.Fatal(err)
	}
	for token, want := range map[string]bool{"alpha": true, "beta": true, "gamma": false, "": false, "alpha ": false, "Alpha": false} {
		if got := tok.Check(token); got != want {
			t.Errorf("Check(%q) = %v, want %v", token, got, want)
		}
	}
	var none *httpapi.Tokens
	if none.Check("alpha") || none.Len() != 0 {
		t.Error("a nil Tokens accepts a token")
	}
}

func TestTokensFromEnv(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "api-tokens")
	if err := os.WriteFile(file, []byte("# tokens\n"+httpapi.HashToken("from-file")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, []byte("# nothing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		env    map[string]string
		accept []string
		err    string
	}{
		{"nothing", nil, nil, ""},
		{"env", map[string]string{httpapi.EnvTokenHashes: httpapi.HashToken("from-env")}, []string{"from-env"}, ""},
		{"file", map[string]string{httpapi.EnvTokensFile: file}, []string{"from-file"}, ""},
		{"both", map[string]string{httpapi.EnvTokenHashes: httpapi.HashToken("from-env"), httpapi.EnvTokensFile: file}, []string{"from-env", "from-file"}, ""},
		{"missing file", map[string]string{httpapi.EnvTokensFile: filepath.Join(dir, "nope")}, nil, "no such file"},
		{"empty file", map[string]string{httpapi.EnvTokensFile: emptyFile}, nil, "no token hash"},
		{"bad env", map[string]string{httpapi.EnvTokenHashes: "oops"}, nil, httpapi.EnvTokenHashes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := httpapi.TokensFromEnv(func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.Len() != len(tt.accept) {
				t.Errorf("%d tokens, want %d", tok.Len(), len(tt.accept))
			}
			for _, a := range tt.accept {
				if !tok.Check(a) {
					t.Errorf("%q refused", a)
				}
			}
		})
	}
}

func TestHashTokenIgnoresSurroundingSpace(t *testing.T) {
	if httpapi.HashToken("s3cret\n") != httpapi.HashToken("s3cret") {
		t.Error("a trailing newline changes the hash")
	}
}

// The hash to configure for a token: SHA-256 in hex, what `vigie api
// hash-token` prints.
func ExampleHashToken() {
	fmt.Println(httpapi.HashToken("correct-horse-battery-staple"))
	// Output: 87cbebfeebc05f7c54ac9336c4b4bbec831227a641951a4bde7edd56020f8590
}
