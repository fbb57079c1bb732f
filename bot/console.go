package bot

import (
	"context"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/store"
)

// ConsoleLinker gives teachers a one-time sign-in link to the web
// console; package console implements it.
type ConsoleLinker interface {
	// Link returns a sign-in link for user on platform, scoped to class.
	// teacher says that the bot recognised the user as one of the
	// class's teachers. The link is a credential: it is answered
	// privately and never logged.
	Link(ctx context.Context, platform, class, user string, teacher bool) (string, error)
}

// consoleLink answers /vigie console (teachers only, checked by the
// caller) with a private sign-in link.
func (b *Bot) consoleLink(ctx context.Context, c *compiled, p Platform, cp classPolicy, cmd *Command) string {
	t, loc := c.texts, cp.Locale
	if b.console == nil {
		return t.render(loc, "console.off", TextData{})
	}
	link, err := b.console.Link(ctx, string(p), cp.ID, cmd.User.ID, true)
	if err != nil {
		b.log.Error("could not make a console link", zap.String("platform", string(p)), zap.String("class", cp.ID),
			zap.String("user", cmd.User.ID), zap.Error(err))
		return t.render(loc, "console.off", TextData{})
	}
	b.log.Info("console link sent", zap.String("platform", string(p)), zap.String("class", cp.ID), zap.String("user", cmd.User.ID))
	return t.render(loc, "console.link", TextData{Link: link})
}

// StepTexts say the steps of an incident in words, as the alerts do
// ("✔ message removed", "✘ could not delete: the bot lacks Manage
// Messages"), for the web console.
type StepTexts struct{ t *texts }

// NewStepTexts compiles the texts of cfg (the defaults stand in for
// missing or broken ones).
func NewStepTexts(cfg Config) *StepTexts {
	t, _ := compileTexts(cfg.Texts, cfg.Helplines) // a broken text falls back to the default, as in alerts
	return &StepTexts{t: t}
}

// Line says one step in the locale.
func (s *StepTexts) Line(loc string, st store.Step) string {
	return stepLine(s.t, loc, st, nil)
}
