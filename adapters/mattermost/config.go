package mattermost

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/vigie-edu/vigie/adapters/envsecret"
)

// Environment variables read by ConfigFromEnv.
const (
	EnvURL            = "VIGIE_MATTERMOST_URL"
	EnvToken          = "VIGIE_MATTERMOST_TOKEN"
	EnvTokenFile      = "VIGIE_MATTERMOST_TOKEN_FILE"
	EnvCommandListen  = "VIGIE_MATTERMOST_COMMAND_LISTEN"
	EnvCommandURL     = "VIGIE_MATTERMOST_COMMAND_URL"
	EnvEphemeralNotes = "VIGIE_MATTERMOST_EPHEMERAL"
)

// DefaultCommandListen is where the slash-command endpoint listens when
// VIGIE_MATTERMOST_COMMAND_LISTEN is not set.
const DefaultCommandListen = "127.0.0.1:8066"

// CommandPath is the path of the slash-command endpoint.
const CommandPath = "/mattermost/command"

// Config is what the adapter needs to connect to a Mattermost server.
// The token is a secret: Config's String, Format and MarshalJSON never
// show it.
type Config struct {
	// URL is the server's address, e.g. https://chat.example.org (a
	// sub-path is kept: https://example.org/chat).
	URL string
	// Token is the bot account's personal access token.
	Token string
	// CommandListen is the address the slash-command endpoint listens on
	// ("127.0.0.1:8066"; port 0 picks a free one). Empty disables the
	// endpoint and the registration of /vigie and /aide.
	CommandListen string
	// CommandURL is the URL the Mattermost server calls for /vigie and
	// /aide. Empty means http://<the address CommandListen bound><CommandPath>,
	// which suits a server on the same machine; behind a proxy, set it.
	CommandURL string
	// NoEphemeral sends the author's notice by direct message only. By
	// default it is an ephemeral post in the channel (which needs the bot
	// to be a system admin) when the author is online, with a direct
	// message as fallback.
	NoEphemeral bool
	// DisableReconnect makes Run return when the WebSocket connection
	// drops instead of connecting again. Production leaves it false.
	DisableReconnect bool
}

// redacted stands for the token wherever a Config is printed.
const redacted = "[redacted]"

// String describes the configuration without its token.
func (c Config) String() string {
	tok := ""
	if c.Token != "" {
		tok = redacted
	}
	return fmt.Sprintf("mattermost.Config{URL:%q Token:%s CommandListen:%q CommandURL:%q NoEphemeral:%t DisableReconnect:%t}",
		c.URL, tok, c.CommandListen, c.CommandURL, c.NoEphemeral, c.DisableReconnect)
}

// GoString is String, so that %#v does not show the token either.
func (c Config) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb prints the redacted
// form.
func (c Config) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", c.String())
	default:
		fmt.Fprint(f, c.String())
	}
}

// MarshalJSON encodes the configuration with its token redacted.
func (c Config) MarshalJSON() ([]byte, error) {
	tok := ""
	if c.Token != "" {
		tok = redacted
	}
	return json.Marshal(struct {
		URL           string `json:"url"`
		Token         string `json:"token,omitempty"`
		CommandListen string `json:"command_listen,omitempty"`
		CommandURL    string `json:"command_url,omitempty"`
		NoEphemeral   bool   `json:"no_ephemeral,omitempty"`
	}{c.URL, tok, c.CommandListen, c.CommandURL, c.NoEphemeral})
}

// Validate checks the configuration; its errors never contain the token.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Token) == "" {
		errs = append(errs, errors.New("no access token"))
	} else if strings.ContainsAny(c.Token, " \t\r\n") {
		errs = append(errs, errors.New("the access token contains white space"))
	}
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		errs = append(errs, fmt.Errorf("server URL %q: want http(s)://host[:port][/path]", c.URL))
	}
	if c.CommandListen != "" {
		if _, _, err := net.SplitHostPort(c.CommandListen); err != nil {
			errs = append(errs, fmt.Errorf("command listen address %q: want host:port", c.CommandListen))
		}
	}
	if c.CommandURL != "" {
		u, err := url.Parse(c.CommandURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("command URL %q: want http(s)://host[:port]/path", c.CommandURL))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("mattermost config: %w", errors.Join(errs...))
	}
	return nil
}

// ConfigFromEnv reads the configuration from the environment:
// VIGIE_MATTERMOST_URL, the token from VIGIE_MATTERMOST_TOKEN or from the
// file named by VIGIE_MATTERMOST_TOKEN_FILE (surrounding white space
// trimmed), VIGIE_MATTERMOST_COMMAND_LISTEN (default 127.0.0.1:8066;
// "off" disables the slash commands), VIGIE_MATTERMOST_COMMAND_URL and
// VIGIE_MATTERMOST_EPHEMERAL ("off": author notices by direct message
// only). ok is false when neither a URL nor a token is configured
// (Mattermost is not in use).
func ConfigFromEnv() (cfg Config, ok bool, err error) {
	return configFromLookup(os.LookupEnv, os.ReadFile)
}

// configFromLookup is ConfigFromEnv with the environment and the file
// system passed in, for tests.
func configFromLookup(lookup func(string) (string, bool), readFile func(string) ([]byte, error)) (Config, bool, error) {
	var cfg Config
	get := func(key string) string {
		v, _ := lookup(key)
		return strings.TrimSpace(v)
	}
	u := get(EnvURL)
	tok, err := envsecret.Read(lookup, readFile, EnvToken, EnvTokenFile)
	if err != nil {
		return cfg, true, fmt.Errorf("mattermost config: %w", err)
	}
	if tok == "" && u == "" {
		return cfg, false, nil
	}
	cfg.Token = tok
	cfg.URL = strings.TrimRight(u, "/")
	cfg.CommandListen = DefaultCommandListen
	if v, set := lookup(EnvCommandListen); set {
		switch v = strings.TrimSpace(v); strings.ToLower(v) {
		case "off", "none", "false", "0":
			cfg.CommandListen = ""
		case "":
		default:
			cfg.CommandListen = v
		}
	}
	cfg.CommandURL = get(EnvCommandURL)
	switch strings.ToLower(get(EnvEphemeralNotes)) {
	case "", "on", "true", "1", "yes":
	case "off", "false", "0", "no":
		cfg.NoEphemeral = true
	default:
		return cfg, true, fmt.Errorf("mattermost config: %s=%q: want on or off", EnvEphemeralNotes, get(EnvEphemeralNotes))
	}
	if err := cfg.Validate(); err != nil {
		return cfg, true, err
	}
	return cfg, true, nil
}
