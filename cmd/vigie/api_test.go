package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/vigie-edu/vigie/adapters/httpapi"
)

func TestHashToken(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"line", "s3cret-token\n", httpapi.HashToken("s3cret-token"), ""},
		{"crlf", "s3cret-token\r\n", httpapi.HashToken("s3cret-token"), ""},
		{"empty", "\n", "", "no token"},
		{"two tokens", "a b\n", "", "one token"},
		{"two lines", "a\nb\n", "", "one token"},
		{"too long", strings.Repeat("x", maxTokenInput+1), "", "longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := newAPICmd()
			var out bytes.Buffer
			cmd.SetIn(strings.NewReader(tt.in))
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			cmd.SetArgs([]string{"hash-token"})
			err := cmd.Execute()
			if tt.err != "" {
				var ee *exitError
				if !errors.As(err, &ee) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one with %q", err, tt.err)
				}
				if strings.Contains(err.Error(), strings.TrimSpace(tt.in)) && strings.TrimSpace(tt.in) != "" {
					t.Errorf("the error quotes the input: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(out.String()); got != tt.want {
				t.Errorf("printed %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHealthcheckCommand(t *testing.T) {
	// Nothing listens there: exit status 1.
	cmd := newHealthcheckCmdWith(func(k string) string {
		if k == httpapi.EnvListen {
			return "127.0.0.1:1"
		}
		return ""
	})
	cmd.SetArgs([]string{"--timeout", "2s"})
	cmd.SetOut(&bytes.Buffer{})
	err := cmd.Execute()
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(err.Error(), "127.0.0.1:1/healthz") {
		t.Errorf("err %v, want exit status 1 naming 127.0.0.1:1", err)
	}
}
