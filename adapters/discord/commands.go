package discord

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/bwmarrin/discordgo"

	"github.com/vigie-edu/vigie/bot"
)

// Command and option names. The option names are also the keys of
// bot.Command.Args, except for the help commands' text (see
// commandFromInteraction).
const (
	cmdVigie = "vigie"
	cmdAide  = "aide"
	cmdHelp  = "help"

	optMode     = "mode"
	optChannel  = "channel"
	optRole     = "role"
	optLang     = "lang"
	optSignaler = "signaler"
	optReport   = "report"
)

// Discord locales the commands are described in.
const (
	fr   = discordgo.French
	enUS = discordgo.EnglishUS
	enGB = discordgo.EnglishGB
)

func loc(frText, enText string) map[discordgo.Locale]string {
	return map[discordgo.Locale]string{fr: frText, enUS: enText, enGB: enText}
}

func locp(frText, enText string) *map[discordgo.Locale]string {
	m := loc(frText, enText)
	return &m
}

// Commands returns Vigie's slash commands: /vigie (status, dryrun, setup,
// console) for teachers, /aide and /help for everyone. Each call builds a
// new slice.
func Commands() []*discordgo.ApplicationCommand {
	manage := int64(discordgo.PermissionManageMessages)
	noDM := false
	return []*discordgo.ApplicationCommand{
		{
			Name:                     cmdVigie,
			Type:                     discordgo.ChatApplicationCommand,
			Description:              "Vigie moderation settings (teachers)",
			DescriptionLocalizations: locp("Réglages de la modération Vigie (enseignants)", "Vigie moderation settings (teachers)"),
			// A hint only: the bot checks the policy's teacher roles.
			DefaultMemberPermissions: &manage,
			DMPermission:             &noDM,
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type:                     discordgo.ApplicationCommandOptionSubCommand,
					Name:                     "status",
					Description:              "Show Vigie's state in this server",
					DescriptionLocalizations: loc("Afficher l'état de Vigie sur ce serveur", "Show Vigie's state in this server"),
				},
				{
					Type:                     discordgo.ApplicationCommandOptionSubCommand,
					Name:                     "dryrun",
					Description:              "Dry run: detect and alert, remove nothing",
					DescriptionLocalizations: loc("Mode test : détecter et alerter sans rien supprimer", "Dry run: detect and alert, remove nothing"),
					Options: []*discordgo.ApplicationCommandOption{{
						Type:                     discordgo.ApplicationCommandOptionString,
						Name:                     optMode,
						Description:              "on or off",
						DescriptionLocalizations: loc("activé ou désactivé", "on or off"),
						Required:                 true,
						Choices: []*discordgo.ApplicationCommandOptionChoice{
							{Name: "on", NameLocalizations: loc("activé", "on"), Value: "on"},
							{Name: "off", NameLocalizations: loc("désactivé", "off"), Value: "off"},
						},
					}},
				},
				{
					Type:                     discordgo.ApplicationCommandOptionSubCommand,
					Name:                     "setup",
					Description:              "Choose the alert channel, the teacher role and the language",
					DescriptionLocalizations: loc("Choisir le salon des alertes, le rôle enseignant et la langue", "Choose the alert channel, the teacher role and the language"),
					Options: []*discordgo.ApplicationCommandOption{
						{
							Type:                     discordgo.ApplicationCommandOptionChannel,
							Name:                     optChannel,
							Description:              "Channel where teachers get alerts",
							DescriptionLocalizations: loc("Salon où les enseignants reçoivent les alertes", "Channel where teachers get alerts"),
							ChannelTypes:             []discordgo.ChannelType{discordgo.ChannelTypeGuildText},
							Required:                 true,
						},
						{
							Type:                     discordgo.ApplicationCommandOptionRole,
							Name:                     optRole,
							Description:              "Teachers' role",
							DescriptionLocalizations: loc("Rôle des enseignants", "Teachers' role"),
							Required:                 true,
						},
						{
							Type:                     discordgo.ApplicationCommandOptionString,
							Name:                     optLang,
							Description:              "Language of notices and alerts",
							DescriptionLocalizations: loc("Langue des avis et des alertes", "Language of notices and alerts"),
							Choices: []*discordgo.ApplicationCommandOptionChoice{
								{Name: "français", Value: "fr"},
								{Name: "English", Value: "en"},
							},
						},
					},
				},
				{
					Type:                     discordgo.ApplicationCommandOptionSubCommand,
					Name:                     "console",
					Description:              "Get a private link to the Vigie console",
					DescriptionLocalizations: loc("Recevoir un lien privé vers la console Vigie", "Get a private link to the Vigie console"),
				},
			},
		},
		{
			Name:                     cmdAide,
			Type:                     discordgo.ChatApplicationCommand,
			Description:              "Obtenir de l'aide, ou signaler en privé un problème à un adulte",
			DescriptionLocalizations: locp("Obtenir de l'aide, ou signaler en privé un problème à un adulte", "Get help, or privately tell an adult about a problem"),
			Options: []*discordgo.ApplicationCommandOption{{
				Type:                     discordgo.ApplicationCommandOptionString,
				Name:                     optSignaler,
				Description:              "Ce qui se passe (seuls les adultes responsables le liront)",
				DescriptionLocalizations: loc("Ce qui se passe (seuls les adultes responsables le liront)", "What is happening (only the adults in charge will read it)"),
				MaxLength:                1500,
			}},
		},
		{
			Name:                     cmdHelp,
			Type:                     discordgo.ChatApplicationCommand,
			Description:              "Get help, or privately tell an adult about a problem",
			DescriptionLocalizations: locp("Obtenir de l'aide, ou signaler en privé un problème à un adulte", "Get help, or privately tell an adult about a problem"),
			Options: []*discordgo.ApplicationCommandOption{{
				Type:                     discordgo.ApplicationCommandOptionString,
				Name:                     optReport,
				Description:              "What is happening (only the adults in charge will read it)",
				DescriptionLocalizations: loc("Ce qui se passe (seuls les adultes responsables le liront)", "What is happening (only the adults in charge will read it)"),
				MaxLength:                1500,
			}},
		},
	}
}

// optionValue renders an interaction option's value as a string: text as
// is, numbers in decimal, booleans as true/false, users, channels and
// roles as their ids.
func optionValue(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch v := o.Value.(type) {
	case string:
		return v
	case float64:
		if v == float64(int64(v)) {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// commandFromInteraction maps an application command interaction to the
// bot's Command (without User and Respond, which need the session). A
// sub-command becomes Sub and its options Args; /aide signaler:… and
// /help report:… become Sub "report" with Args["text"].
func commandFromInteraction(d discordgo.ApplicationCommandInteractionData) (name, sub string, args map[string]string) {
	args = map[string]string{}
	opts := d.Options
	if len(opts) == 1 && opts[0] != nil &&
		(opts[0].Type == discordgo.ApplicationCommandOptionSubCommand || opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
		sub = opts[0].Name
		opts = opts[0].Options
		if len(opts) == 1 && opts[0] != nil && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
			// A group: "group sub".
			sub += " " + opts[0].Name
			opts = opts[0].Options
		}
	}
	for _, o := range opts {
		if o == nil || o.Name == "" {
			continue
		}
		args[o.Name] = optionValue(o)
	}
	if d.Name == cmdAide || d.Name == cmdHelp {
		key := optSignaler
		if d.Name == cmdHelp {
			key = optReport
		}
		if t, ok := args[key]; ok {
			delete(args, key)
			args["text"] = t
			if sub == "" {
				sub = "report"
			}
		}
	}
	return d.Name, sub, args
}

// errResponded is returned by a Command's Respond after the first call.
var errResponded = errors.New("discord: interaction already answered")

// responder returns the Respond function of an interaction: one
// ephemeral answer (flag 64), without mentions or link previews.
func (a *Adapter) responder(i *discordgo.Interaction) func(ctx context.Context, r bot.Reply) error {
	var used atomic.Bool
	return func(ctx context.Context, r bot.Reply) error {
		if !used.CompareAndSwap(false, true) {
			return errResponded
		}
		ctx, rec := withRecorder(ctx)
		err := a.s.InteractionRespond(i, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content:         cutTo(r.Text, MaxContent),
				Flags:           discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsSuppressEmbeds,
				AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
			},
		}, discordgo.WithContext(ctx))
		return a.classify(opRespond, rec, err)
	}
}
