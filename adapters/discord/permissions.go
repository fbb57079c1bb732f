package discord

import (
	"net/url"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// Permission is one Discord permission Vigie asks for when it is invited,
// with the reason shown to the school's administrator.
type Permission struct {
	Bit      int64  // discordgo permission constant
	Name     string // name as Discord's settings show it
	ReasonEN string
	ReasonFR string
}

// Names of the permissions whose absence PlatformError.Missing reports.
const (
	PermViewChannels       = "View Channels"
	PermSendMessages       = "Send Messages"
	PermEmbedLinks         = "Embed Links"
	PermReadMessageHistory = "Read Message History"
	PermManageMessages     = "Manage Messages"
	PermModerateMembers    = "Moderate Members"
)

// Permissions lists exactly the permissions Vigie needs, in the order the
// invite command prints them. It is never modified.
var Permissions = []Permission{
	{discordgo.PermissionViewChannel, PermViewChannels,
		"see the channels it watches and receive their messages",
		"voir les salons surveillés et recevoir leurs messages"},
	{discordgo.PermissionSendMessages, PermSendMessages,
		"post teacher alerts and, when direct messages are closed, short notices",
		"publier les alertes aux enseignants et, si les messages privés sont fermés, de courts avis"},
	{discordgo.PermissionEmbedLinks, PermEmbedLinks,
		"include links (helplines, the console) in its messages",
		"inclure des liens (numéros d'aide, console) dans ses messages"},
	{discordgo.PermissionReadMessageHistory, PermReadMessageHistory,
		"read a message again when an edit arrives without its text, and follow replies",
		"relire un message modifié dont la modification arrive sans texte, et suivre les réponses"},
	{discordgo.PermissionManageMessages, PermManageMessages,
		"remove harmful messages (the evidence is kept in the incident log)",
		"retirer les messages nuisibles (la preuve est conservée dans le journal des incidents)"},
	{discordgo.PermissionModerateMembers, PermModerateMembers,
		"put a student on time-out after repeated removals, if the policy says so",
		"exclure temporairement un élève après des retraits répétés, si la politique le prévoit"},
}

// PermissionBits returns the sum of the bits in Permissions: the
// permissions integer of the invite URL.
func PermissionBits() int64 {
	var n int64
	for _, p := range Permissions {
		n |= p.Bit
	}
	return n
}

// InviteURL returns the OAuth2 URL that adds the bot, with its slash
// commands and exactly the permissions it needs, to a server.
func InviteURL(clientID string) string {
	// Built by hand: url.Values would encode the scope's space as '+',
	// Discord documents %20.
	return "https://discord.com/oauth2/authorize?client_id=" + url.QueryEscape(clientID) +
		"&scope=bot%20applications.commands&permissions=" + strconv.FormatInt(PermissionBits(), 10)
}
