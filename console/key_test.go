package console

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-edu/vigie/adapters/httpapi"
)

// envMap is an environment for tests.
func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadKey(t *testing.T) {
	raw := []byte("0123456789abcdef0123456789abcdef")
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(raw)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("abcd"), 0o600)
	tests := []struct {
		name    string
		env     map[string]string
		want    []byte
		source  string
		wantErr string
	}{
		{"hex env", map[string]string{EnvKey: hex.EncodeToString(raw)}, raw, EnvKey, ""},
		{"base64 env", map[string]string{EnvKey: base64.StdEncoding.EncodeToString(raw)}, raw, EnvKey, ""},
		{"base64url env", map[string]string{EnvKey: " " + base64.RawURLEncoding.EncodeToString(raw) + "\n"}, raw, EnvKey, ""},
		{"env wins over file", map[string]string{EnvKey: hex.EncodeToString(raw), EnvKeyFile: short}, raw, EnvKey, ""},
		{"file", map[string]string{EnvKeyFile: keyFile}, raw, keyFile, ""},
		{"short env", map[string]string{EnvKey: "c2VjcmV0LXRvby1zaG9ydA=="}, nil, "", "at least 32"},
		{"not a key", map[string]string{EnvKey: "my secret password!"}, nil, "", "hex or base64"},
		{"short file", map[string]string{EnvKeyFile: short}, nil, "", "at least 32"},
		{"missing file", map[string]string{EnvKeyFile: filepath.Join(dir, "nope")}, nil, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, source, err := LoadKey(envMap(tt.env), t.TempDir())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if v := tt.env[EnvKey]; v != "" && strings.Contains(err.Error(), strings.TrimSpace(v)) {
					t.Fatalf("the error quotes the key: %v", err)
				}
				return
			}
			if err != nil || string(key) != string(tt.want) || source != tt.source {
				t.Fatalf("LoadKey = %x, %q, %v; want %x, %q", key, source, err, tt.want, tt.source)
			}
		})
	}
}

func TestLoadKeyGeneratesAndKeepsAKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	key, source, err := LoadKey(envMap(nil), dir)
	if err != nil || len(key) != MinKeySize || source != filepath.Join(dir, KeyFileName) {
		t.Fatalf("LoadKey = %d bytes, %q, %v", len(key), source, err)
	}
	st, err := os.Stat(source)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v (want mode 0600)", st.Mode(), err)
	}
	again, _, err := LoadKey(envMap(nil), dir)
	if err != nil || string(again) != string(key) {
		t.Fatal("the generated key is not reused")
	}
	other, _, _ := LoadKey(envMap(nil), t.TempDir())
	if string(other) == string(key) {
		t.Fatal("two installations got the same key")
	}
}

func TestStateDir(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "/default"},
		{map[string]string{"STATE_DIRECTORY": "/var/lib/vigie:/var/lib/other"}, "/var/lib/vigie"},
		{map[string]string{"STATE_DIRECTORY": "/var/lib/vigie", EnvStateDir: "/srv/vigie"}, "/srv/vigie"},
	} {
		if got := StateDir(envMap(tt.env), "/default"); got != tt.want {
			t.Errorf("StateDir(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	dir := t.TempDir()
	hashFile := filepath.Join(dir, "hashes")
	os.WriteFile(hashFile, []byte("# school IT\n"+httpapi.HashToken("second token")+"\n"), 0o600)
	o, source, err := FromEnv(envMap(map[string]string{
		EnvURL:                "https://vigie.college.example/console/",
		EnvAdminTokenHash:     httpapi.HashToken("first token"),
		EnvAdminTokenHashFile: hashFile,
		EnvTrustedProxies:     "10.0.0.0/8, 127.0.0.1",
	}), dir, Options{BaseURL: "http://127.0.0.1:8080/console/"})
	if err != nil {
		t.Fatal(err)
	}
	if source != filepath.Join(dir, KeyFileName) || len(o.Key) != MinKeySize || o.BaseURL != "https://vigie.college.example/console/" {
		t.Fatalf("options = %+v from %q", o, source)
	}
	if !o.AdminTokens.Check("first token") || !o.AdminTokens.Check("second token") || o.AdminTokens.Check("third") {
		t.Fatal("admin tokens not read from both places")
	}
	if len(o.TrustedProxies) != 2 || o.TrustedProxies[1].String() != "127.0.0.1/32" {
		t.Fatalf("proxies = %v", o.TrustedProxies)
	}
	o, _, err = FromEnv(envMap(map[string]string{EnvStateDir: dir}), t.TempDir(), Options{BaseURL: "http://127.0.0.1:8080/console/"})
	if err != nil || o.BaseURL != "http://127.0.0.1:8080/console/" || o.AdminTokens.Len() != 0 {
		t.Fatalf("defaults: %+v, %v", o, err)
	}

	for name, env := range map[string]map[string]string{
		"token in clear": {EnvStateDir: dir, EnvAdminToken: "s3cret-admin-token"},
		"not a hash":     {EnvStateDir: dir, EnvAdminTokenHash: "s3cret-admin-token"},
		"bad proxy":      {EnvStateDir: dir, EnvTrustedProxies: "proxy.example"},
	} {
		_, _, err := FromEnv(envMap(env), dir, Options{})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the error quotes the secret: %v", name, err)
		}
	}
}

func TestNewChecksOptions(t *testing.T) {
	e := newEnv(t)
	for name, change := range map[string]func(*Options){
		"no store":     func(o *Options) { o.Store = nil },
		"no rules":     func(o *Options) { o.Rules = nil },
		"short key":    func(o *Options) { o.Key = []byte("short") },
		"no base URL":  func(o *Options) { o.BaseURL = "" },
		"relative URL": func(o *Options) { o.BaseURL = "/console/" },
		"ftp URL":      func(o *Options) { o.BaseURL = "ftp://vigie.example/console/" },
	} {
		o := e.opts
		change(&o)
		if _, err := New(o); err == nil {
			t.Errorf("%s: New accepted it", name)
		} else if name == "short key" && !errors.Is(err, ErrKey) {
			t.Errorf("short key: %v", err)
		}
	}
}

// LoadKey takes the key from the environment, else from a file, else
// it generates one in the state directory and keeps it there.
func ExampleLoadKey() {
	dir, _ := os.MkdirTemp("", "vigie-state")
	defer os.RemoveAll(dir)
	env := map[string]string{EnvStateDir: dir}
	getenv := func(k string) string { return env[k] }

	key, source, _ := LoadKey(getenv, StateDir(getenv, "."))
	fmt.Println(len(key), filepath.Base(source))
	again, _, _ := LoadKey(getenv, StateDir(getenv, "."))
	fmt.Println(string(again) == string(key))

	env[EnvKey] = strings.Repeat("ab", 32)
	_, source, _ = LoadKey(getenv, StateDir(getenv, "."))
	fmt.Println(source)
	// Output:
	// 32 console.key
	// true
	// VIGIE_CONSOLE_KEY
}
