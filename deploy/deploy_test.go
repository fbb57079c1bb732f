// Package deploy_test checks the deployment examples: the sample rules
// file loads and passes its tests, and the systemd unit is sandboxed
// and valid.
package deploy_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/rules"
)

func TestSampleRulesLoad(t *testing.T) {
	r, err := rules.Load("vigie.yaml")
	if err != nil {
		t.Fatalf("deploy/vigie.yaml: %v", err)
	}
	platforms := map[bot.Platform]int{}
	for _, c := range r.Bot.Classes {
		platforms[c.Platform]++
		if c.Name == "" || c.ID == "" || c.Policy.AlertChannel == "" {
			t.Errorf("class %+v: want a name, an id and an alert channel", c)
		}
	}
	if len(r.Bot.Classes) != 2 || platforms[bot.Discord] != 1 || platforms[bot.Mattermost] != 1 {
		t.Errorf("classes per platform %v, want one Discord and one Mattermost class", platforms)
	}
	c, err := r.Classifier()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Tests) == 0 {
		t.Fatal("the sample has no tests")
	}
	for _, res := range rules.RunTests(context.Background(), c, r.Tests) {
		if !res.Pass {
			t.Errorf("sample test failed: %+v", res)
		}
	}
}

// unit reads a systemd unit's [Service] directives (a directive may
// repeat).
func unit(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Errorf("%s: not a directive: %q", path, line)
				continue
			}
			out[section+"."+k] = append(out[section+"."+k], v)
		}
	}
	return out
}

func TestSystemdUnitIsSandboxed(t *testing.T) {
	u := unit(t, "vigie.service")
	want := map[string]string{
		"DynamicUser": "yes", "StateDirectory": "vigie", "ProtectSystem": "strict", "ProtectHome": "yes",
		"NoNewPrivileges": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "SystemCallFilter": "@system-service",
		"ExecReload": "/bin/kill -HUP $MAINPID",
	}
	for k, v := range want {
		if vals := u["Service."+k]; len(vals) == 0 || vals[0] != v {
			t.Errorf("Service %s=%q, want %q", k, vals, v)
		}
	}
	creds := strings.Join(u["Service.LoadCredential"], " ")
	for _, c := range []string{"api-tokens:", "discord-token:", "mattermost-token:"} {
		if !strings.Contains(creds, c) {
			t.Errorf("no LoadCredential=%s…", c)
		}
	}
	env := strings.Join(u["Service.Environment"], " ")
	for _, e := range []string{"VIGIE_API_TOKENS_FILE=%d/api-tokens", "VIGIE_DISCORD_TOKEN_FILE=%d/discord-token", "VIGIE_LISTEN=127.0.0.1:8080"} {
		if !strings.Contains(env, e) {
			t.Errorf("no Environment=%s", e)
		}
	}
	if start := u["Service.ExecStart"]; len(start) != 1 || !strings.HasPrefix(start[0], "/usr/local/bin/vigie run ") {
		t.Errorf("ExecStart %q", start)
	}
}

// TestSystemdVerify runs systemd-analyze on the unit, when it is
// installed: the unit must parse, and its exposure score must stay low.
func TestSystemdVerify(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: the unit's syntax is not verified")
	}
	data, err := os.ReadFile("vigie.service")
	if err != nil {
		t.Fatal(err)
	}
	// verify checks that ExecStart exists: point it at a binary that
	// does.
	tmp := filepath.Join(t.TempDir(), "vigie.service")
	if err := os.WriteFile(tmp, []byte(strings.ReplaceAll(string(data), "/usr/local/bin/vigie", "/bin/true")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(sa, "verify", tmp).CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// Exposure 0 (locked down) to 10 (unprotected); --threshold is ×10.
	out, err := exec.Command(sa, "security", "--offline=yes", "--threshold=20", tmp).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security: exposure above 2.0 (%v)\n%s", err, out)
	}
}
