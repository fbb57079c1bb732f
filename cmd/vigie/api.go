package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigie-edu/vigie/adapters/httpapi"
)

// maxTokenInput bounds what `vigie api hash-token` reads.
const maxTokenInput = 4096

func newAPICmd() *cobra.Command {
	api := &cobra.Command{
		Use:   "api",
		Short: "Tools for the HTTP moderation API",
		Args:  cobra.NoArgs,
	}
	api.AddCommand(newHashTokenCmd())
	return api
}

func newHashTokenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "hash-token",
		Short: "Print the SHA-256 hash of an API token read on stdin",
		Long: `hash-token reads one API token on standard input and prints its SHA-256
hash in hex. Vigie is configured with hashes, never with tokens: put the
hash in ` + httpapi.EnvTokenHashes + ` (several separated by commas) or in the file
named by ` + httpapi.EnvTokensFile + ` (one per line), and give the token itself to
the API's clients (Authorization: Bearer TOKEN).

hash-token lit un jeton sur l'entrée standard et affiche son empreinte
SHA-256 : c'est elle, et non le jeton, que Vigie attend dans
` + httpapi.EnvTokenHashes + ` ou dans le fichier ` + httpapi.EnvTokensFile + `.`,
		Example: `  openssl rand -hex 32 > api-token.txt
  vigie api hash-token < api-token.txt >> /etc/vigie/credentials/api-tokens`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), maxTokenInput+1))
			if err != nil {
				return fmt.Errorf("reading the token: %w", err)
			}
			if len(data) > maxTokenInput {
				return &exitError{code: exitRunUsage, err: fmt.Errorf("the token is longer than %d bytes", maxTokenInput)}
			}
			token := strings.TrimSpace(string(data))
			switch {
			case token == "":
				return &exitError{code: exitRunUsage, err: errors.New("no token on standard input (e.g. vigie api hash-token < api-token.txt)")}
			case strings.ContainsAny(token, " \t\r\n"):
				return &exitError{code: exitRunUsage, err: errors.New("the input holds white space inside the token: give one token, on one line")}
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), httpapi.HashToken(token))
			return err
		},
	}
}
