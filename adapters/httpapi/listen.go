package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// EnvListen is the environment variable that sets the API's address.
const EnvListen = "VIGIE_LISTEN"

// DefaultListen is the API's default address: loopback only.
const DefaultListen = "127.0.0.1:8080"

// ErrNotLoopback is returned by Listen for an address other than
// loopback when no token is configured.
var ErrNotLoopback = errors.New("refusing to serve the API beyond loopback without API tokens")

// Listen opens the API's listener on addr. Without authentication
// (authenticated false) it accepts only loopback addresses (127.0.0.0/8,
// ::1, localhost), both as written and as bound: anyone who can reach an
// open API could use it.
func Listen(ctx context.Context, addr string, authenticated bool) (net.Listener, error) {
	if !authenticated {
		if err := checkLoopback(addr); err != nil {
			return nil, err
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !authenticated && (!ok || !tcp.IP.IsLoopback()) {
		ln.Close()
		return nil, fmt.Errorf("%w: %s is bound to %s; %s", ErrNotLoopback, addr, ln.Addr(), howToAuth)
	}
	return ln, nil
}

// howToAuth tells how to configure tokens.
const howToAuth = "configure tokens (" + EnvTokenHashes + " or " + EnvTokensFile +
	", hashes printed by `vigie api hash-token`) or listen on 127.0.0.1"

// checkLoopback fails unless addr's host is a loopback address or
// "localhost".
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	shown := addr
	if host == "" {
		shown = addr + " (every interface)"
	}
	return fmt.Errorf("%w: %s; %s", ErrNotLoopback, shown, howToAuth)
}

// HealthURL returns the /healthz URL of an API listening on addr, as a
// client on the same host reaches it: an unspecified host (":8080",
// "0.0.0.0:8080", "[::]:8080") becomes loopback.
func HealthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("listen address %q: %w", addr, err)
	}
	switch ip := net.ParseIP(host); {
	case host == "":
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified() && ip.To4() != nil:
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

// CheckHealth GETs url (an API's /healthz) and returns nil when it
// answers 200 OK within timeout.
func CheckHealth(ctx context.Context, client *http.Client, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health check: %s answered %s", url, resp.Status)
	}
	return nil
}
