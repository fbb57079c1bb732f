// Command vigie is Vigie's single binary: it runs the moderation bot and
// offers the commands that school IT uses to check messages, scan logs,
// lint and test rules files and read the incident log.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "vigie:", err)
		os.Exit(exitCode(err))
	}
}

// newRootCmd builds the command tree. Each subcommand lives in its own
// file and is added here.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "vigie",
		Short:         "Vigie: a moderation bot for online classrooms",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		// One line per subcommand; each constructor lives in its own file.
		newCheckCmd(),
		newScanCmd(),
		newRulesCmd(),
		newIncidentsCmd(),
		newDiscordCmd(),
		newRunCmd(),
		newAPICmd(),
		newHealthcheckCmd(),
	)
	return root
}

// exitError carries an exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if e, ok := err.(*exitError); ok {
		return e.code
	}
	return 1
}
