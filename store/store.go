package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigie-edu/vigie/filters"
)

// Kind says what an incident is about.
type Kind string

// Incident kinds. Self-harm is a category of a verdict, not a kind.
const (
	KindMessage Kind = "message" // a message posted in a channel
	KindEdit    Kind = "edit"    // a message edited into something harmful
	KindReport  Kind = "report"  // a student's private report (/aide)
)

// Step names: what the bot did after recording an incident.
const (
	StepDelete            = "delete"
	StepNoticeAuthor      = "notice_author"
	StepNoticeTarget      = "notice_target"
	StepAlert             = "alert"
	StepTimeout           = "timeout"
	StepRemoveFromChannel = "remove_from_channel"
	StepChannelNotice     = "channel_notice"
	StepReportForwarded   = "report_forwarded"
)

// Step statuses. AddStep refuses any other status.
const (
	StatusOK      = "ok"      // the step was done
	StatusFailed  = "failed"  // the step was tried and failed; Detail says why
	StatusSkipped = "skipped" // the step was not needed or not possible
	StatusDryRun  = "dry_run" // the class is in dry run: the step was not done
)

// Step is the outcome of one thing the bot did about an incident.
type Step struct {
	Name   string    `json:"name"`             // one of the Step… names, e.g. "delete"
	Target string    `json:"target,omitempty"` // user id or channel id concerned, may be empty
	Status string    `json:"status"`           // one of the Status… values
	Detail string    `json:"detail,omitempty"` // reason, e.g. "missing permission: Manage Messages"
	At     time.Time `json:"at"`               // zero: set by AddStep or Record to the store's clock
}

// Incident is one message the bot acted on, with its evidence, verdict
// and the outcome of every step.
type Incident struct {
	ID          string `json:"id"` // assigned by Record: "inc_" and a time-sortable random id
	Platform    string `json:"platform"`
	ClassID     string `json:"class_id"`
	ClassName   string `json:"class_name,omitempty"`
	ChannelID   string `json:"channel_id"`
	ChannelName string `json:"channel_name,omitempty"`
	MessageID   string `json:"message_id"`
	AuthorID    string `json:"author_id"`
	AuthorName  string `json:"author_name,omitempty"`
	Kind        Kind   `json:"kind"`
	// Time is when the message was posted (zero when the platform did
	// not say).
	Time time.Time `json:"time"`
	// Recorded is when the incident was recorded; set by Record. Lists,
	// filters and retention use it.
	Recorded time.Time `json:"recorded"`
	// Text is the evidence: the message's full text. It is stored as
	// valid UTF-8: NUL bytes and bytes that are not UTF-8 become U+001A
	// SUBSTITUTE, one byte for one, so the verdict's spans stay valid.
	Text string `json:"text"`
	// Attachments are the names of attached files and the URLs of embeds.
	Attachments []string        `json:"attachments"`
	Link        string          `json:"link,omitempty"` // permalink
	Verdict     filters.Verdict `json:"verdict"`
	// Action is what the class's policy decided; it may differ from
	// Verdict.Action.
	Action       filters.Action `json:"action"`
	DryRun       bool           `json:"dry_run"`
	Steps        []Step         `json:"steps"`
	FollowedUpAt *time.Time     `json:"followed_up_at,omitempty"`
	FollowedUpBy string         `json:"followed_up_by,omitempty"`
	Note         string         `json:"note,omitempty"`
}

// TopCategory returns the verdict's category of highest severity (the
// first of them in the verdict's order), or "" when there is none.
func (in *Incident) TopCategory() filters.Category {
	var top filters.CategoryScore
	for _, c := range in.Verdict.Categories {
		if top.Name == "" || c.Severity > top.Severity {
			top = c
		}
	}
	return top.Name
}

// Filter selects incidents. Zero fields select everything.
type Filter struct {
	Platform string
	// Class matches the class id or the class name.
	Class string
	// Author matches the author's id.
	Author string
	// Category matches incidents whose verdict has this category (not
	// only as its top category).
	Category string
	// Action matches the action the policy decided.
	Action filters.Action
	// Since (inclusive) and Until (exclusive) bound the recording time.
	Since, Until time.Time
	// FollowedUp, when set, selects incidents that were (true) or were
	// not (false) followed up.
	FollowedUp *bool
	// Limit caps the number of incidents List returns (0: no cap);
	// Offset skips the first ones. Count ignores both.
	Limit, Offset int
}

// ClassSettings are what teachers set with `/vigie setup` and
// `/vigie dryrun on|off`; they override the rules file's policy for one
// class.
type ClassSettings struct {
	Platform, Class string
	AlertChannel    string
	TeacherRole     string
	Locale          string
	DryRun          *bool // nil: as the rules file says
	UpdatedBy       string
	UpdatedAt       time.Time // zero: set by PutClassSettings to the store's clock
}

// Store is the incident log. Implementations are safe for concurrent use.
type Store interface {
	// Record stores a new incident with its initial steps, if any, and
	// sets in.ID and in.Recorded. Call it before any platform call.
	Record(ctx context.Context, in *Incident) (string, error)
	// AddStep appends the outcome of a step to incident id
	// (ErrNotFound when there is none).
	AddStep(ctx context.Context, id string, s Step) error
	// Get returns one incident with its steps, or ErrNotFound.
	Get(ctx context.Context, id string) (*Incident, error)
	// List returns the incidents f selects, newest first.
	List(ctx context.Context, f Filter) ([]*Incident, error)
	// Count returns how many incidents f selects, ignoring Limit and
	// Offset.
	Count(ctx context.Context, f Filter) (int, error)
	// CountByAuthor counts an author's incidents in a class recorded at
	// or after since with the given action (any action when empty), for
	// escalation.
	CountByAuthor(ctx context.Context, platform, class, author string, action filters.Action, since time.Time) (int, error)
	// FollowUp marks an incident as followed up by someone, with a note
	// (ErrNotFound when there is none). A zero at means now.
	FollowUp(ctx context.Context, id, by, note string, at time.Time) error
	// Purge deletes the incidents recorded before before, with their
	// steps, and returns how many it deleted.
	Purge(ctx context.Context, before time.Time) (int64, error)
	// GetClassSettings returns a class's settings, or ErrNotFound.
	GetClassSettings(ctx context.Context, platform, class string) (*ClassSettings, error)
	// PutClassSettings inserts or replaces a class's settings.
	PutClassSettings(ctx context.Context, s ClassSettings) error
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// Errors.
var (
	// ErrNotFound: no incident (or class settings) with that id.
	ErrNotFound = errors.New("incident not found")
	// ErrSchemaTooNew: the database was migrated by a newer Vigie; this
	// binary refuses to read or write it.
	ErrSchemaTooNew = errors.New("database schema is newer than this binary knows")
	// ErrInvalid: the caller passed an incident, step or setting that
	// cannot be stored (a missing platform, an unknown step status…).
	ErrInvalid = errors.New("invalid value")
)

// DefaultRetention is how long incidents are kept when the operator does
// not say: 365 days.
const DefaultRetention = 365 * 24 * time.Hour

// PurgeExpired deletes the incidents recorded more than keep before now
// (DefaultRetention when keep is 0 or less) and returns how many it
// deleted.
func PurgeExpired(ctx context.Context, s Store, keep time.Duration, now time.Time) (int64, error) {
	if keep <= 0 {
		keep = DefaultRetention
	}
	n, err := s.Purge(ctx, now.Add(-keep))
	if err != nil {
		return n, fmt.Errorf("store: retention: %w", err)
	}
	return n, nil
}

func validStatus(s string) bool {
	switch s {
	case StatusOK, StatusFailed, StatusSkipped, StatusDryRun:
		return true
	}
	return false
}
