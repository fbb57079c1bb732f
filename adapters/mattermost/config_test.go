package mattermost

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

const secretToken = "s3cr3ttok3nvalue0123456789"

func lookupFrom(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestConfigFromEnv(t *testing.T) {
	files := map[string]string{"/run/secrets/mm": "  " + secretToken + "\n", "/empty": " \n"}
	readFile := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
	tests := []struct {
		name    string
		env     map[string]string
		ok      bool
		want    Config
		wantErr string
	}{
		{name: "not configured", env: map[string]string{}, ok: false},
		{name: "token and url", env: map[string]string{EnvURL: "https://chat.example.org/", EnvToken: secretToken}, ok: true,
			want: Config{URL: "https://chat.example.org", Token: secretToken, CommandListen: DefaultCommandListen}},
		{name: "token file", env: map[string]string{EnvURL: "http://127.0.0.1:8065", EnvTokenFile: "/run/secrets/mm"}, ok: true,
			want: Config{URL: "http://127.0.0.1:8065", Token: secretToken, CommandListen: DefaultCommandListen}},
		{name: "commands off, own URL, no ephemeral", env: map[string]string{EnvURL: "http://mm:8065", EnvToken: secretToken,
			EnvCommandListen: "off", EnvCommandURL: "https://vigie.example.org/mattermost/command", EnvEphemeralNotes: "off"}, ok: true,
			want: Config{URL: "http://mm:8065", Token: secretToken, CommandURL: "https://vigie.example.org/mattermost/command", NoEphemeral: true}},
		{name: "listen address", env: map[string]string{EnvURL: "http://mm:8065", EnvToken: secretToken, EnvCommandListen: "0.0.0.0:9000"}, ok: true,
			want: Config{URL: "http://mm:8065", Token: secretToken, CommandListen: "0.0.0.0:9000"}},
		{name: "both token sources", env: map[string]string{EnvURL: "http://mm", EnvToken: secretToken, EnvTokenFile: "/run/secrets/mm"}, ok: true,
			wantErr: "not both"},
		{name: "missing file", env: map[string]string{EnvURL: "http://mm", EnvTokenFile: "/nope"}, ok: true, wantErr: "reading " + EnvTokenFile},
		{name: "empty file", env: map[string]string{EnvURL: "http://mm", EnvTokenFile: "/empty"}, ok: true, wantErr: "is empty"},
		{name: "url without token", env: map[string]string{EnvURL: "http://mm"}, ok: true, wantErr: "no access token"},
		{name: "token without url", env: map[string]string{EnvToken: secretToken}, ok: true, wantErr: "server URL"},
		{name: "bad scheme", env: map[string]string{EnvURL: "ftp://mm", EnvToken: secretToken}, ok: true, wantErr: "server URL"},
		{name: "bad listen", env: map[string]string{EnvURL: "http://mm", EnvToken: secretToken, EnvCommandListen: "8066"}, ok: true,
			wantErr: "command listen address"},
		{name: "bad ephemeral", env: map[string]string{EnvURL: "http://mm", EnvToken: secretToken, EnvEphemeralNotes: "maybe"}, ok: true,
			wantErr: EnvEphemeralNotes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := configFromLookup(lookupFrom(tt.env), readFile)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), secretToken) {
					t.Fatalf("the error shows the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got != tt.want {
				t.Fatalf("config = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestConfigNeverShowsTheToken(t *testing.T) {
	c := Config{URL: "https://chat.example.org", Token: secretToken, CommandListen: DefaultCommandListen}
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		c.String(), fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s %q", c, c, c, c, c), string(js),
		fmt.Sprint(Config{URL: "x", Token: secretToken}.Validate()),
	} {
		if strings.Contains(s, secretToken) {
			t.Errorf("token shown in %q", s)
		}
	}
	if !strings.Contains(c.String(), redacted) {
		t.Errorf("String does not say a token is set: %s", c)
	}
}

func TestNewValidates(t *testing.T) {
	_, err := New(Config{URL: "not a url", Token: secretToken}, nil)
	if err == nil || strings.Contains(err.Error(), secretToken) {
		t.Fatalf("New = %v", err)
	}
	var target interface{ Unwrap() []error }
	if !errors.As(err, &target) {
		t.Fatalf("validation errors are not joined: %T", err)
	}
}
