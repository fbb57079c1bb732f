package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vigie-edu/vigie/adapters/discord"
)

// exitDiscordUsage is the exit status for a command used wrongly.
const exitDiscordUsage = 2

// newDiscordCmd builds `vigie discord`, the Discord helpers.
func newDiscordCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "discord",
		Short: "Discord helpers (invite link)",
	}
	cmd.AddCommand(newDiscordInviteCmd())
	return cmd
}

func newDiscordInviteCmd() *cobra.Command {
	var clientID, lang string
	cmd := &cobra.Command{
		Use:   "invite [--client-id ID] [--lang fr|en]",
		Short: "Print the link that adds Vigie to a Discord server",
		Long: `Invite prints the OAuth2 link that adds the bot and its slash commands to a
Discord server, with exactly the permissions Vigie needs, and says why it
needs each. The client id is the application id from the Discord
Developer Portal (--client-id, or VIGIE_DISCORD_CLIENT_ID).

Invite affiche le lien OAuth2 qui ajoute le bot et ses commandes à un
serveur Discord, avec exactement les permissions dont Vigie a besoin, et
la raison de chacune.`,
		Example: `  vigie discord invite --client-id 123456789012345678
  VIGIE_DISCORD_CLIENT_ID=123456789012345678 vigie discord invite --lang en`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if clientID == "" {
				clientID = strings.TrimSpace(os.Getenv(discord.EnvClientID))
			}
			if clientID == "" {
				return &exitError{code: exitDiscordUsage, err: errors.New("no client id: use --client-id or set " + discord.EnvClientID +
					" (Developer Portal → your application → Application ID)")}
			}
			if !isDigits(clientID) {
				return &exitError{code: exitDiscordUsage, err: fmt.Errorf("client id %q: want the numeric application id", clientID)}
			}
			if lang == "" {
				lang = envLang()
			}
			if lang != "fr" && lang != "en" {
				return &exitError{code: exitDiscordUsage, err: fmt.Errorf("--lang %q: want fr or en", lang)}
			}
			if err := writeInvite(cmd.OutOrStdout(), clientID, lang); err != nil {
				return fmt.Errorf("writing the invite: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&clientID, "client-id", "", "application (client) id; default $"+discord.EnvClientID)
	cmd.Flags().StringVar(&lang, "lang", "", "language of the explanations, fr or en; default from $LANG")
	return cmd
}

// envLang picks fr or en from the locale environment.
func envLang() string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "fr") {
				return "fr"
			}
			return "en"
		}
	}
	return "en"
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// writeInvite prints the invite link, the permissions with their reasons
// and the privileged intents to enable.
func writeInvite(w io.Writer, clientID, lang string) error {
	fmt.Fprintln(w, discord.InviteURL(clientID))
	fmt.Fprintln(w)
	if lang == "fr" {
		fmt.Fprintf(w, "Permissions demandées (%d) :\n", discord.PermissionBits())
	} else {
		fmt.Fprintf(w, "Permissions requested (%d):\n", discord.PermissionBits())
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range discord.Permissions {
		reason := p.ReasonEN
		if lang == "fr" {
			reason = p.ReasonFR
		}
		fmt.Fprintf(tw, "  %s\t%s\n", p.Name, reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	var err error
	if lang == "fr" {
		_, err = fmt.Fprintln(w, "Dans le portail des développeurs (page Bot), activez aussi « Message Content Intent »\n"+
			"(lire le texte des messages) et « Server Members Intent » (accueillir les nouveaux membres).")
	} else {
		_, err = fmt.Fprintln(w, "In the Developer Portal (Bot page), also enable \"Message Content Intent\"\n"+
			"(to read message text) and \"Server Members Intent\" (to welcome new members).")
	}
	return err
}
