// Command mattermost is the free Team Edition of the Mattermost server, built
// from the Go module proxy for Vigie's end-to-end tests. It is the upstream
// server command with the slash-command and GitLab OAuth providers linked in,
// and without the enterprise package.
package main

import (
	"os"

	"github.com/mattermost/mattermost/server/v8/cmd/mattermost/commands"

	// Built-in slash commands (/join, /leave, ...), registered by init.
	_ "github.com/mattermost/mattermost/server/v8/channels/app/slashcommands"
	// The GitLab OAuth provider, registered by init as in the upstream binary.
	_ "github.com/mattermost/mattermost/server/v8/channels/app/oauthproviders/gitlab"
)

func main() {
	if err := commands.Run(os.Args[1:]); err != nil {
		os.Exit(1)
	}
}
