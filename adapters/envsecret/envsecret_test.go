package envsecret

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	files := map[string]string{"/run/tok": "  s3cr3t\n", "/run/empty": " \n"}
	readFile := func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
	tests := []struct {
		env     map[string]string
		want    string
		wantErr string
	}{
		{env: nil, want: ""},
		{env: map[string]string{"TOK": " abc "}, want: "abc"},
		{env: map[string]string{"TOK_FILE": "/run/tok"}, want: "s3cr3t"},
		{env: map[string]string{"TOK": "abc", "TOK_FILE": "/run/tok"}, wantErr: "set TOK or TOK_FILE, not both"},
		{env: map[string]string{"TOK_FILE": "/run/missing"}, wantErr: "reading TOK_FILE"},
		{env: map[string]string{"TOK_FILE": "/run/empty"}, wantErr: "is empty"},
	}
	for _, tt := range tests {
		lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
		got, err := Read(lookup, readFile, "TOK", "TOK_FILE")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want %q", tt.env, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("%v: the error holds the secret: %v", tt.env, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%v: Read = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
	_, err := Read(func(k string) (string, bool) { return map[string]string{"TOK_FILE": "/run/missing"}[k], true }, readFile, "TOK", "TOK_FILE")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read error not wrapped: %v", err)
	}
}
