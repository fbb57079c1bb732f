// Package bot joins chat platforms to the detection engine. Adapters
// (package adapters/...) translate a platform's events and calls into the
// small, platform-neutral types of this file; the bot decides what to do
// with each message (classify, record the incident, remove, notify,
// alert, escalate) and asks the adapter to do it.
package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Platform names a chat platform.
type Platform string

// Platforms.
const (
	Discord    Platform = "discord"
	Mattermost Platform = "mattermost"
	HTTP       Platform = "http"
)

// UserRef identifies a user on a platform.
type UserRef struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"` // display name, for alerts
}

// MessageRef identifies a message on a platform.
type MessageRef struct {
	Class   string `json:"class"`   // Discord guild id, Mattermost team id
	Channel string `json:"channel"` // channel id
	ID      string `json:"id"`      // message (post) id
}

// ChannelRef identifies a channel within a class.
type ChannelRef struct {
	Class string `json:"class"`
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
}

// EventKind is the kind of an Event.
type EventKind int

// Event kinds.
const (
	MessageCreated EventKind = iota + 1
	MessageEdited
	MemberJoined
	CommandInvoked
	BotJoinedClass // the bot was added to a class (Discord guild create for a new guild)
)

func (k EventKind) String() string {
	switch k {
	case MessageCreated:
		return "message_created"
	case MessageEdited:
		return "message_edited"
	case MemberJoined:
		return "member_joined"
	case CommandInvoked:
		return "command"
	case BotJoinedClass:
		return "bot_joined"
	}
	return fmt.Sprintf("event(%d)", int(k))
}

// Author is the author of a message or command, as the platform knows
// them.
type Author struct {
	UserRef
	Bot   bool     `json:"bot,omitempty"`   // another bot or webhook
	Roles []string `json:"roles,omitempty"` // role ids and names (Discord roles, Mattermost team/system roles)
	Owner bool     `json:"owner,omitempty"` // owner of the class (Discord server owner)
	Admin bool     `json:"admin,omitempty"` // administrator of the class
}

// Embed is a link preview or rich embed attached to a message.
type Embed struct {
	URL         string `json:"url,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// Message is a chat message as the bot sees it.
type Message struct {
	Ref         MessageRef `json:"ref"`
	ChannelName string     `json:"channel_name,omitempty"`
	ClassName   string     `json:"class_name,omitempty"`
	Author      Author     `json:"author"`
	Text        string     `json:"text"`
	Attachments []string   `json:"attachments,omitempty"` // file names
	Embeds      []Embed    `json:"embeds,omitempty"`
	Mentions    []UserRef  `json:"mentions,omitempty"` // users mentioned in the message
	ReplyTo     *UserRef   `json:"reply_to,omitempty"` // author of the message replied to
	Time        time.Time  `json:"time"`
	Link        string     `json:"link,omitempty"` // permalink to the message or conversation
	Direct      bool       `json:"direct,omitempty"`
	// Lang, when set, is the message's language as the platform or the
	// caller knows it (an ISO 639-1 code, e.g. the "lang" of an HTTP API
	// request): the classifier skips detection.
	Lang string `json:"lang,omitempty"`
}

// Command is a slash command (or interaction) invoked by a user.
type Command struct {
	Name string // "vigie", "aide", "help"
	Sub  string // "status", "dryrun", "setup", "console", "report" …
	// Args are the named options: "text" (/aide signaler), "channel",
	// "role", "lang" (/vigie setup), "state" = on|off (/vigie dryrun;
	// "on", "value" and "mode" are accepted too).
	Args    map[string]string
	User    Author
	Channel ChannelRef
	// Respond answers the user privately (Discord ephemeral interaction
	// response, Mattermost ephemeral post or slash-command response). It
	// may be called once; later calls return an error.
	Respond func(ctx context.Context, r Reply) error
}

// Reply is the bot's private answer to a command.
type Reply struct {
	Text string
}

// Event is something that happened on a platform.
type Event struct {
	Kind     EventKind
	Platform Platform
	Message  *Message   // MessageCreated, MessageEdited
	Member   *Author    // MemberJoined
	Channel  ChannelRef // where it happened (for MemberJoined: the class's default channel if known)
	Command  *Command   // CommandInvoked
	// Received is when the adapter received the event (for latency metrics).
	Received time.Time
}

// OutMessage is a message the bot sends: a notice, an alert, an
// introduction. Adapters render it in their platform's markup.
type OutMessage struct {
	Title string // short heading, rendered bold
	Body  string // text with **bold** and [links](url) only
	// Evidence is the quoted message text. Hidden asks the adapter to
	// hide it until clicked (Discord spoiler) because it is explicit.
	Evidence string
	Hidden   bool
	Footer   string // helpline block
	Link     string // link to the conversation
	Urgent   bool   // self-harm and threats: the adapter may mention the teacher role or mark it urgent
	// Mentions are users the adapter mentions (pings) at the start of a
	// channel post, e.g. the student a channel notice is for.
	Mentions []UserRef
}

// Adapter is what the bot asks of a chat platform. Implementations must
// be safe for concurrent use, honour ctx, retry nothing themselves except
// what their SDK does (the bot retries with backoff), and return errors
// that wrap the sentinel errors below so that the bot can tell a missing
// permission from a rate limit.
type Adapter interface {
	// Platform names the adapter's platform.
	Platform() Platform
	// Run connects and sends events to out until ctx is done or the
	// connection fails for good; it reconnects by itself on transient
	// failures. It must not close out.
	Run(ctx context.Context, out chan<- Event) error
	// Delete removes a message.
	Delete(ctx context.Context, m MessageRef, reason string) error
	// SendDirect sends a direct (private) message to a user; it returns
	// an error wrapping ErrDirectClosed when the user does not accept
	// them.
	SendDirect(ctx context.Context, u UserRef, msg OutMessage) error
	// Post posts to a channel and returns the new message's reference.
	Post(ctx context.Context, c ChannelRef, msg OutMessage) (MessageRef, error)
	// PostEphemeral posts a message in a channel that only u sees;
	// ErrUnsupported where the platform has none outside interactions.
	PostEphemeral(ctx context.Context, c ChannelRef, u UserRef, msg OutMessage) error
	// Timeout stops u from posting in the class for d; ErrUnsupported
	// where the platform has no time-out.
	Timeout(ctx context.Context, class string, u UserRef, d time.Duration, reason string) error
	// RemoveFromChannel takes u out of a channel (escalation where there
	// is no time-out); ErrUnsupported where not offered.
	RemoveFromChannel(ctx context.Context, c ChannelRef, u UserRef) error
	// Member looks up a member's roles and flags in a class.
	Member(ctx context.Context, class string, u UserRef) (Author, error)
	// Class returns the class's name and owner.
	Class(ctx context.Context, class string) (ClassInfo, error)
}

// ClassInfo describes a class (a Discord server, a Mattermost team).
type ClassInfo struct {
	ID    string
	Name  string
	Owner UserRef
}

// Sentinel errors that adapters wrap.
var (
	// ErrForbidden: the bot lacks a permission. Wrap it in a
	// *PlatformError with Missing naming the permission.
	ErrForbidden = errors.New("missing permission")
	// ErrNotFound: the message, user or channel no longer exists.
	ErrNotFound = errors.New("not found")
	// ErrRateLimited: the platform asked to slow down; see
	// PlatformError.RetryAfter.
	ErrRateLimited = errors.New("rate limited")
	// ErrDirectClosed: the user does not accept direct messages.
	ErrDirectClosed = errors.New("direct messages closed")
	// ErrUnsupported: the platform does not offer this call.
	ErrUnsupported = errors.New("not supported by this platform")
	// ErrUnavailable: the platform could not be reached or answered 5xx;
	// worth retrying.
	ErrUnavailable = errors.New("platform unavailable")
)

// PlatformError is an error from a platform call with what the bot needs
// to decide: retry, report a missing permission, or give up.
type PlatformError struct {
	Op         string        // "delete", "dm", "post", "timeout", …
	Kind       error         // one of the sentinel errors above
	Missing    string        // permission the bot lacks, e.g. "Manage Messages"
	RetryAfter time.Duration // for ErrRateLimited
	Status     int           // HTTP status, when there was one
	Err        error         // the SDK's error
}

func (e *PlatformError) Error() string {
	msg := e.Op + ": " + e.Kind.Error()
	if e.Missing != "" {
		msg += " (" + e.Missing + ")"
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap lets errors.Is match both the kind and the SDK's error.
func (e *PlatformError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}
