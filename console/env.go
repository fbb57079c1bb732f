package console

import (
	"fmt"
	"os"
	"strings"

	"github.com/vigie-edu/vigie/adapters/httpapi"
)

// FromEnv completes o from the environment: the signing key (LoadKey,
// with a generated key kept in StateDir, whose default is stateDir),
// BaseURL from VIGIE_CONSOLE_URL
// (o.BaseURL stays when it is unset), the admin tokens' hashes
// (VIGIE_CONSOLE_ADMIN_TOKEN_HASH and the file
// VIGIE_CONSOLE_ADMIN_TOKEN_HASH_FILE, which add up) and the trusted
// proxies (VIGIE_CONSOLE_TRUSTED_PROXIES). It returns where the key came
// from, for the log. A token in clear in VIGIE_CONSOLE_ADMIN_TOKEN is
// refused. Errors never quote a secret.
func FromEnv(getenv func(string) string, stateDir string, o Options) (Options, string, error) {
	if strings.TrimSpace(getenv(EnvAdminToken)) != "" {
		return o, "", fmt.Errorf("console: %s holds a token in clear: put its SHA-256 hash (`vigie api hash-token`) in %s instead",
			EnvAdminToken, EnvAdminTokenHash)
	}
	key, source, err := LoadKey(getenv, StateDir(getenv, stateDir))
	if err != nil {
		return o, "", err
	}
	o.Key = key
	if u := strings.TrimSpace(getenv(EnvURL)); u != "" {
		o.BaseURL = u
	}
	var hashes []string
	if v := strings.TrimSpace(getenv(EnvAdminTokenHash)); v != "" {
		hashes = append(hashes, v)
	}
	if path := strings.TrimSpace(getenv(EnvAdminTokenHashFile)); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return o, "", fmt.Errorf("console: %s: %w", EnvAdminTokenHashFile, err)
		}
		hashes = append(hashes, string(data))
	}
	if len(hashes) > 0 {
		tokens, err := httpapi.ParseTokenHashes("console admin token hashes", strings.Join(hashes, "\n"))
		if err != nil {
			return o, "", fmt.Errorf("console: %w", err)
		}
		o.AdminTokens = tokens
	}
	if o.TrustedProxies, err = ParsePrefixes(getenv(EnvTrustedProxies)); err != nil {
		return o, "", err
	}
	return o, source, nil
}
