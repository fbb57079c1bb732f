package bot

import (
	"time"

	"github.com/vigie-edu/vigie/filters"
)

// Policy is what the bot does in one class. Package rules builds it from
// the rules file's `policy` (the default) and `classes` (overrides).
type Policy struct {
	// Locale of notices and alerts ("fr", "en", or any locale the texts
	// define); also the class's language for detection fallback unless
	// Lang is set.
	Locale string
	// Lang is the class's language for the detector's fallback.
	Lang string
	// DryRun: everything happens except deletion and time-outs; alerts
	// say "dry run — would have removed".
	DryRun bool
	// Actions overrides the rules' action per category in this class.
	Actions map[filters.Category]filters.Action

	NotifyAuthor  bool // send the author a short, calm notice
	NotifyTargets bool // send mentioned / replied-to students a safety notice

	AlertChannel string   // channel id (or name) for teacher alerts; empty: none
	AlertUsers   []string // teacher user ids who get alerts by direct message
	AlertRoles   []string // members with these roles get alerts by direct message
	TeacherRoles []string // roles that are teachers: exempt, may use /vigie
	ExemptRoles  []string // other exempt roles (moderators)
	ExemptUsers  []string // exempt user ids
	ExemptBots   bool     // other bots and webhooks are exempt (the bot itself always is)

	Escalation Escalation
	// GroupWindow groups alerts about the same student: within it, later
	// incidents are summed up in one follow-up alert instead of one each.
	GroupWindow time.Duration
	// NoticeTTL is how long a channel notice (the fallback when direct
	// messages are closed) stays before Vigie deletes it.
	NoticeTTL time.Duration

	// Webhook receives alerts for classes with no chat alert route (HTTP
	// API classes): a JSON body signed with HMAC-SHA256.
	Webhook Webhook
}

// Escalation says what happens to a student with repeated removals.
type Escalation struct {
	After    int           // removals within Window that trigger it; 0 disables
	Window   time.Duration //
	Duration time.Duration // time-out length
	// Mode: "timeout" (Discord), "remove_from_channel" (Mattermost, which
	// has no time-out), or "alert_only".
	Mode string
}

// Webhook is an HTTP alert route.
type Webhook struct {
	URL    string
	Secret string // HMAC-SHA256 key; from the environment or a file, never logged
}

// Class binds a policy to a place: a Discord server, a Mattermost team,
// or a set of channels within one, or an HTTP API class name.
type Class struct {
	Name     string   // human name, e.g. "4e B"
	Platform Platform // discord, mattermost, http
	ID       string   // guild id, team id, or HTTP class name
	Channels []string // when set, only these channels belong to this class
	Policy   Policy
}

// Helpline is a support line shown in notices and alerts.
type Helpline struct {
	Name        string // "3018"
	Number      string // "3018"
	URL         string // "https://3018.fr"
	Description string // "free, anonymous, confidential"
	// When lists the situations it is shown for: "always", "self_harm",
	// "danger", "illegal_content". Empty means always.
	When []string
}

// Texts are the user-facing templates, per locale then key. Templates use
// Go's text/template syntax; the keys and their fields are those of the
// embedded defaults (rules/defaults/texts.yaml).
type Texts map[string]map[string]string

// Config is the bot's part of the rules: the default policy, the classes,
// texts and helplines.
type Config struct {
	Default   Policy
	Classes   []Class
	Texts     Texts
	Helplines map[string][]Helpline // per locale
	// RetentionDays is how long incidents are kept (the introduction
	// tells the class; `vigie run` purges older ones). 0 means 365.
	RetentionDays int
}
