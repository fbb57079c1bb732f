package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runDiscordCmd runs `vigie discord ARGS…` from the root command.
func runDiscordCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetArgs(append([]string{"discord"}, args...))
	root.SetOut(&out)
	root.SetErr(&out)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestDiscordInvite(t *testing.T) {
	t.Setenv("VIGIE_DISCORD_CLIENT_ID", "")
	const wantURL = "https://discord.com/oauth2/authorize?client_id=123456789012345678&scope=bot%20applications.commands&permissions=1099511720960\n"
	tests := []struct {
		name  string
		args  []string
		env   string
		lines []string // expected lines, in order
	}{
		{"english", []string{"invite", "--client-id", "123456789012345678", "--lang", "en"}, "", []string{
			wantURL,
			"Permissions requested (1099511720960):",
			"  View Channels         see the channels it watches and receive their messages",
			"  Send Messages         post teacher alerts",
			"  Embed Links ",
			"  Read Message History ",
			"  Manage Messages       remove harmful messages",
			"  Moderate Members      put a student on time-out",
			`"Message Content Intent"`,
		}},
		{"french from the environment", []string{"invite", "--lang", "fr"}, "123456789012345678", []string{
			wantURL,
			"Permissions demandées (1099511720960) :",
			"  Manage Messages       retirer les messages nuisibles",
			"« Server Members Intent »",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("VIGIE_DISCORD_CLIENT_ID", tt.env)
			out, err := runDiscordCmd(t, tt.args...)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if !strings.HasPrefix(out, wantURL) {
				t.Errorf("first line = %q, want the invite URL", strings.SplitN(out, "\n", 2)[0])
			}
			rest := out
			for _, l := range tt.lines {
				i := strings.Index(rest, strings.TrimSuffix(l, "\n"))
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", l, out)
				}
				rest = rest[i+len(l)-1:]
			}
		})
	}
}

func TestDiscordInviteErrors(t *testing.T) {
	t.Setenv("VIGIE_DISCORD_CLIENT_ID", "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no client id", []string{"invite"}, "no client id"},
		{"not numeric", []string{"invite", "--client-id", "abc"}, "numeric"},
		{"bad lang", []string{"invite", "--client-id", "1", "--lang", "de"}, "fr or en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runDiscordCmd(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || exitCode(err) != 2 {
				t.Errorf("error = %v (exit %d), want %q with exit 2", err, exitCode(err), tt.want)
			}
		})
	}
}
