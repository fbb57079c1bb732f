package discord

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestConfigFromEnv(t *testing.T) {
	files := map[string]string{"/run/secrets/discord": "  file-token\n", "/empty": "\n"}
	readFile := func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("open %s: %w", name, fs.ErrNotExist)
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		ok      bool
		wantErr string
	}{
		{"nothing", nil, Config{}, false, ""},
		{"token", map[string]string{EnvToken: " env-token "}, Config{Token: "env-token"}, true, ""},
		{"token file", map[string]string{EnvTokenFile: "/run/secrets/discord"}, Config{Token: "file-token"}, true, ""},
		{"everything", map[string]string{EnvToken: "t", EnvAPIURL: "http://127.0.0.1:7000/", EnvShardID: "1",
			EnvShardCount: "4", EnvClientID: "123", EnvCommandGuilds: "1, 2,"},
			Config{Token: "t", APIURL: "http://127.0.0.1:7000", ShardID: 1, ShardCount: 4, ClientID: "123", CommandGuilds: []string{"1", "2"}}, true, ""},
		{"both", map[string]string{EnvToken: "t", EnvTokenFile: "/run/secrets/discord"}, Config{}, false, "not both"},
		{"missing file", map[string]string{EnvTokenFile: "/nope"}, Config{}, false, "does not exist"},
		{"empty file", map[string]string{EnvTokenFile: "/empty"}, Config{}, false, "empty"},
		{"bad shard", map[string]string{EnvToken: "t", EnvShardID: "x", EnvShardCount: "2"}, Config{}, true, "not a number"},
		{"shard out of range", map[string]string{EnvToken: "t", EnvShardID: "2", EnvShardCount: "2"}, Config{}, true, "out of range"},
		{"bad URL", map[string]string{EnvToken: "t", EnvAPIURL: "127.0.0.1:7000"}, Config{}, true, "API URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			got, ok, err := configFromLookup(lookup, readFile)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "file-token") {
					t.Errorf("error shows the token: %v", err)
				}
				if ok != tt.ok {
					t.Errorf("ok = %v, want %v", ok, tt.ok)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.ok || got.String() != tt.want.String() || got.Token != tt.want.Token {
				t.Errorf("got %v %v, want %v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestConfigFromEnvReal(t *testing.T) {
	t.Setenv(EnvToken, "real-env-token")
	t.Setenv(EnvTokenFile, "")
	cfg, ok, err := ConfigFromEnv()
	if err != nil || !ok || cfg.Token != "real-env-token" {
		t.Errorf("ConfigFromEnv = %v %v %v", cfg, ok, err)
	}
}

func TestConfigNeverShowsToken(t *testing.T) {
	const tok = "MTIzNDU2Nzg5.secret.token"
	cfg := Config{Token: tok, APIURL: "http://127.0.0.1:1", ClientID: "42"}
	core, logs := observer.New(zapcore.DebugLevel)
	zap.New(core).Info("config", zap.Any("cfg", cfg), zap.Stringer("s", cfg))
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	outputs := []string{
		cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%v %+v %#v %s %q", cfg, cfg, cfg, cfg, cfg),
		fmt.Sprintf("%v", &cfg), string(b),
	}
	for _, e := range logs.All() {
		outputs = append(outputs, fmt.Sprint(e.ContextMap()))
	}
	for _, o := range outputs {
		if strings.Contains(o, tok) || strings.Contains(o, "secret") {
			t.Errorf("token shown: %s", o)
		}
		if !strings.Contains(o, redacted) {
			t.Errorf("no redaction marker in %s", o)
		}
	}
	if err := (Config{ShardID: 1}).Validate(); err == nil || !strings.Contains(err.Error(), "no bot token") {
		t.Errorf("Validate = %v", err)
	}
}

func TestInviteURL(t *testing.T) {
	// View Channels 1<<10, Send Messages 1<<11, Manage Messages 1<<13,
	// Embed Links 1<<14, Read Message History 1<<16, Moderate Members
	// 1<<40.
	const want = 1099511720960
	if got := PermissionBits(); got != want {
		t.Errorf("PermissionBits = %d, want %d", got, want)
	}
	if got, wantURL := InviteURL("123456789012345678"),
		"https://discord.com/oauth2/authorize?client_id=123456789012345678&scope=bot%20applications.commands&permissions=1099511720960"; got != wantURL {
		t.Errorf("InviteURL =\n%s\nwant\n%s", got, wantURL)
	}
	for _, p := range Permissions {
		if p.ReasonEN == "" || p.ReasonFR == "" || p.Name == "" {
			t.Errorf("permission %+v lacks a name or a reason", p)
		}
	}
}

func ExampleInviteURL() {
	fmt.Println(InviteURL("123456789012345678"))
	// Output: https://discord.com/oauth2/authorize?client_id=123456789012345678&scope=bot%20applications.commands&permissions=1099511720960
}
