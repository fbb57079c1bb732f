package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigie-edu/vigie/adapters/httpapi"
)

func newHealthcheckCmd() *cobra.Command { return newHealthcheckCmdWith(os.Getenv) }

func newHealthcheckCmdWith(getenv func(string) string) *cobra.Command {
	var (
		url, listen string
		timeout     time.Duration
	)
	listenDefault := strings.TrimSpace(getenv(httpapi.EnvListen))
	if listenDefault == "" {
		listenDefault = httpapi.DefaultListen
	}
	cmd := &cobra.Command{
		Use:   "healthcheck [--url URL]",
		Short: "Exit 0 when the running Vigie answers /healthz, 1 otherwise",
		Long: `healthcheck asks a running ` + "`vigie run`" + ` whether it is alive (GET /healthz)
and exits 0 when it answers 200 OK, 1 otherwise. It is the Docker image's
HEALTHCHECK (the image has no curl). By default it asks the address of
` + httpapi.EnvListen + ` (or --listen), on loopback when that address is every
interface (0.0.0.0:8080 → 127.0.0.1:8080).

healthcheck vérifie que Vigie répond (GET /healthz) : statut 0 si oui,
1 sinon.`,
		Example: `  vigie healthcheck
  vigie healthcheck --url http://127.0.0.1:8080/healthz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" {
				var err error
				if url, err = httpapi.HealthURL(listen); err != nil {
					return &exitError{code: 1, err: err}
				}
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			if err := httpapi.CheckHealth(cmd.Context(), client, url, timeout); err != nil {
				return &exitError{code: 1, err: err}
			}
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "ok")
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "", "the /healthz `URL` to ask (default: from --listen)")
	f.StringVar(&listen, "listen", listenDefault, "the `ADDRESS` vigie run listens on ("+httpapi.EnvListen+")")
	f.DurationVar(&timeout, "timeout", 3*time.Second, "how long to wait for the answer")
	return cmd
}
