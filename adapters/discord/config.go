package discord

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/vigie-edu/vigie/adapters/envsecret"
)

// Environment variables read by ConfigFromEnv.
const (
	EnvToken         = "VIGIE_DISCORD_TOKEN"
	EnvTokenFile     = "VIGIE_DISCORD_TOKEN_FILE"
	EnvAPIURL        = "VIGIE_DISCORD_API_URL"
	EnvShardID       = "VIGIE_DISCORD_SHARD_ID"
	EnvShardCount    = "VIGIE_DISCORD_SHARD_COUNT"
	EnvClientID      = "VIGIE_DISCORD_CLIENT_ID"
	EnvCommandGuilds = "VIGIE_DISCORD_COMMAND_GUILDS"
)

// Config is what the adapter needs to connect to Discord. The token is a
// secret: Config's String, Format and MarshalJSON never show it.
type Config struct {
	// Token is the bot token, with or without its "Bot " prefix.
	Token string
	// APIURL replaces https://discord.com for REST and for the gateway
	// discovery (GET {APIURL}/api/v9/gateway): an in-process fake or a
	// proxy. Empty means Discord itself.
	APIURL string
	// ShardID and ShardCount shard the gateway connection; ShardCount 0
	// or 1 means no sharding.
	ShardID, ShardCount int
	// ClientID is the application (client) id, used to register slash
	// commands and build the invite URL; empty means the one READY
	// reports.
	ClientID string
	// CommandGuilds, when set, registers the slash commands in these
	// guilds only (they appear at once) instead of globally.
	CommandGuilds []string
	// DisableReconnect makes Run return when the gateway connection drops
	// instead of opening it again. Production leaves it false.
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
	return fmt.Sprintf("discord.Config{Token:%s APIURL:%q ShardID:%d ShardCount:%d ClientID:%q CommandGuilds:%q DisableReconnect:%t}",
		tok, c.APIURL, c.ShardID, c.ShardCount, c.ClientID, c.CommandGuilds, c.DisableReconnect)
}

// GoString is String, so that %#v does not show the token either.
func (c Config) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb (%v, %+v, %#v, %s,
// %q) prints the redacted form.
func (c Config) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", c.String())
	default:
		fmt.Fprint(f, c.String())
	}
}

// MarshalJSON encodes the configuration with its token redacted (zap's
// reflection encoder and JSON dumps use it).
func (c Config) MarshalJSON() ([]byte, error) {
	tok := ""
	if c.Token != "" {
		tok = redacted
	}
	return json.Marshal(struct {
		Token         string   `json:"token,omitempty"`
		APIURL        string   `json:"api_url,omitempty"`
		ShardID       int      `json:"shard_id"`
		ShardCount    int      `json:"shard_count"`
		ClientID      string   `json:"client_id,omitempty"`
		CommandGuilds []string `json:"command_guilds,omitempty"`
	}{tok, c.APIURL, c.ShardID, c.ShardCount, c.ClientID, c.CommandGuilds})
}

// Validate checks the configuration; its errors never contain the token.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(strings.TrimPrefix(c.Token, "Bot ")) == "" {
		errs = append(errs, errors.New("no bot token"))
	}
	if c.ShardCount < 0 {
		errs = append(errs, fmt.Errorf("shard count %d is negative", c.ShardCount))
	}
	if c.ShardCount > 1 && (c.ShardID < 0 || c.ShardID >= c.ShardCount) {
		errs = append(errs, fmt.Errorf("shard id %d out of range [0, %d)", c.ShardID, c.ShardCount))
	}
	if c.ShardCount <= 1 && c.ShardID != 0 {
		errs = append(errs, fmt.Errorf("shard id %d without a shard count", c.ShardID))
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("API URL %q: want http(s)://host[:port]", c.APIURL))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("discord config: %w", errors.Join(errs...))
	}
	return nil
}

// ConfigFromEnv reads the configuration from the environment: the token
// from VIGIE_DISCORD_TOKEN or from the file named by
// VIGIE_DISCORD_TOKEN_FILE (surrounding white space trimmed),
// VIGIE_DISCORD_API_URL, VIGIE_DISCORD_SHARD_ID,
// VIGIE_DISCORD_SHARD_COUNT, VIGIE_DISCORD_CLIENT_ID and
// VIGIE_DISCORD_COMMAND_GUILDS (comma-separated guild ids). ok is false
// when no token is configured at all (Discord is not in use).
func ConfigFromEnv() (cfg Config, ok bool, err error) {
	return configFromLookup(os.LookupEnv, os.ReadFile)
}

// configFromLookup is ConfigFromEnv with the environment and the file
// system passed in, for tests.
func configFromLookup(lookup func(string) (string, bool), readFile func(string) ([]byte, error)) (Config, bool, error) {
	var cfg Config
	tok, err := envsecret.Read(lookup, readFile, EnvToken, EnvTokenFile)
	if err != nil {
		return cfg, false, fmt.Errorf("discord config: %w", err)
	}
	if tok == "" {
		return cfg, false, nil
	}
	cfg.Token = tok
	cfg.APIURL = strings.TrimRight(strings.TrimSpace(get(lookup, EnvAPIURL)), "/")
	cfg.ClientID = strings.TrimSpace(get(lookup, EnvClientID))
	for _, g := range strings.Split(get(lookup, EnvCommandGuilds), ",") {
		if g = strings.TrimSpace(g); g != "" {
			cfg.CommandGuilds = append(cfg.CommandGuilds, g)
		}
	}
	var errs []error
	for _, f := range []struct {
		env string
		dst *int
	}{{EnvShardID, &cfg.ShardID}, {EnvShardCount, &cfg.ShardCount}} {
		v := strings.TrimSpace(get(lookup, f.env))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a number", f.env, v))
			continue
		}
		*f.dst = n
	}
	if len(errs) > 0 {
		return cfg, true, fmt.Errorf("discord config: %w", errors.Join(errs...))
	}
	if err := cfg.Validate(); err != nil {
		return cfg, true, err
	}
	return cfg, true, nil
}

func get(lookup func(string) (string, bool), key string) string {
	v, _ := lookup(key)
	return v
}
