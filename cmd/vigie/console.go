package main

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/console"
	"github.com/vigie-edu/vigie/store"
)

// newConsole builds the web console that `vigie run` serves under
// /console/, configured by the environment (console.FromEnv): the key
// that signs sign-in links (VIGIE_CONSOLE_KEY, VIGIE_CONSOLE_KEY_FILE,
// or console.key generated in the state directory), the public URL of
// the links (VIGIE_CONSOLE_URL, else the address the server listens
// on), the admin token hashes and the trusted proxies.
func newConsole(getenv func(string) string, log *zap.Logger, rules bot.RulesSource, st store.Store, dsn, addr string) (*console.Console, error) {
	o, source, err := console.FromEnv(getenv, stateDir(dsn), console.Options{
		Store: st, Rules: rules, Logger: log, BaseURL: "http://" + addr + console.Prefix,
	})
	if err != nil {
		return nil, err
	}
	c, err := console.New(o)
	if err != nil {
		return nil, err
	}
	log.Info("web console", zap.String("url", o.BaseURL), zap.String("key", source),
		zap.Bool("admin_sign_in", o.AdminTokens.Len() > 0), zap.Int("trusted_proxies", len(o.TrustedProxies)))
	if strings.TrimSpace(getenv(console.EnvURL)) == "" && !loopback(addr) {
		log.Warn(fmt.Sprintf("the console's sign-in links point to %s: set %s to its public HTTPS address", o.BaseURL, console.EnvURL))
	}
	return c, nil
}

// stateDir is where the console keeps the key it generates when neither
// VIGIE_STATE_DIR nor systemd's STATE_DIRECTORY says: beside the SQLite
// incident store, else the current directory.
func stateDir(dsn string) string {
	backend, target, err := store.ParseDSN(dsn)
	if err != nil || backend != store.SQLite {
		return "."
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(target, "file:"), "?")
	if path == "" || strings.Contains(path, ":memory:") {
		return "."
	}
	return filepath.Dir(path)
}

// loopback reports whether a listen address is on loopback.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
}
