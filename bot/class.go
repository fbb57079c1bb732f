package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/store"
)

// classPolicy is the effective policy of one class: the rules' class (or
// the default) with the settings teachers saved with /vigie setup.
type classPolicy struct {
	Policy
	ID   string // class id
	Name string // class name from the rules ("" when the class is not configured)
	// SetupDone: teachers ran /vigie setup (the store has settings).
	SetupDone bool
	// TeacherRole is the role saved with /vigie setup ("" when none).
	TeacherRole string
}

// findClass returns the rules' class for a place: a class listing the
// channel takes precedence over one for the whole guild or team.
func findClass(cfg *Config, p Platform, classID, channelID, channelName string) *Class {
	var whole *Class
	for i := range cfg.Classes {
		c := &cfg.Classes[i]
		if c.Platform != "" && c.Platform != p || c.ID != classID {
			continue
		}
		if len(c.Channels) == 0 {
			if whole == nil {
				whole = c
			}
			continue
		}
		for _, ch := range c.Channels {
			if ch == channelID || channelName != "" && strings.EqualFold(strings.TrimPrefix(ch, "#"), channelName) {
				return c
			}
		}
	}
	return whole
}

// policyFor returns the effective policy of a place, with defaults for
// the durations and the locale, and the persisted class settings
// overlaid. A store failure is logged and the rules' policy used.
func (b *Bot) policyFor(ctx context.Context, c *compiled, p Platform, classID, channelID, channelName string) classPolicy {
	cp := classPolicy{Policy: c.snap.Config.Default, ID: classID}
	if cl := findClass(&c.snap.Config, p, classID, channelID, channelName); cl != nil {
		cp.Policy = cl.Policy
		cp.Name = cl.Name
	}
	if classID != "" {
		s, err := b.classSettings(ctx, p, classID)
		switch {
		case err == nil && s != nil:
			cp.SetupDone = true
			if s.AlertChannel != "" {
				cp.AlertChannel = s.AlertChannel
			}
			if s.TeacherRole != "" {
				cp.TeacherRole = s.TeacherRole
				cp.TeacherRoles = append(slices.Clip(cp.TeacherRoles), s.TeacherRole)
			}
			if s.Locale != "" {
				cp.Locale = s.Locale
			}
			if s.DryRun != nil {
				cp.DryRun = *s.DryRun
			}
		case err == nil:
		default:
			b.log.Error("could not read class settings; using the rules' policy",
				zap.String("platform", string(p)), zap.String("class", classID), zap.Error(err))
		}
	}
	if cp.Locale == "" {
		cp.Locale = DefaultLocale
	}
	if cp.GroupWindow == 0 {
		cp.GroupWindow = DefaultGroupWindow
	}
	if cp.NoticeTTL <= 0 {
		cp.NoticeTTL = DefaultNoticeTTL
	}
	return cp
}

// settingsTTL is how long the bot trusts the class settings it read: the
// settings are read on every message, and they change rarely (through
// this bot's own /vigie commands, which refresh them at once, or through
// another process such as the console, seen within this delay).
const settingsTTL = 30 * time.Second

// settingsEntry is a class's settings as last read (s is nil when the
// class has none).
type settingsEntry struct {
	s  *store.ClassSettings
	at time.Time
}

// classKey identifies a class.
type classKey struct {
	Platform Platform
	Class    string
}

// classSettings returns a class's persisted settings, or nil when it has
// none, from a cache refreshed after settingsTTL. Errors are not cached.
func (b *Bot) classSettings(ctx context.Context, p Platform, class string) (*store.ClassSettings, error) {
	key := classKey{p, class}
	now := b.clock.Now()
	b.mu.Lock()
	e, ok := b.settings[key]
	b.mu.Unlock()
	if ok && now.Sub(e.at) < settingsTTL && !now.Before(e.at) {
		return e.s, nil
	}
	s, err := b.store.GetClassSettings(ctx, string(p), class)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s, err = nil, nil
	case err != nil:
		return nil, err
	}
	b.mu.Lock()
	b.settings[key] = settingsEntry{s: s, at: now}
	b.mu.Unlock()
	return s, nil
}

// forgetSettings drops a class's cached settings after this bot changed
// them.
func (b *Bot) forgetSettings(p Platform, class string) {
	b.mu.Lock()
	delete(b.settings, classKey{p, class})
	b.mu.Unlock()
}

// hasRole reports whether any of the author's roles (ids or names) is in
// roles, ignoring case and a leading '@'.
func hasRole(a Author, roles []string) bool {
	for _, r := range roles {
		r = strings.TrimPrefix(r, "@")
		for _, ar := range a.Roles {
			if strings.EqualFold(strings.TrimPrefix(ar, "@"), r) {
				return true
			}
		}
	}
	return false
}

// isTeacher reports whether a user may use /vigie in the class: the
// owner, an administrator or a member of a teacher role.
func isTeacher(p Policy, a Author) bool {
	return a.Owner || a.Admin || hasRole(a, p.TeacherRoles)
}

// exemptReason returns why a message's author is exempt from moderation,
// or "" when they are not.
func exemptReason(p Policy, a Author, self UserRef) string {
	switch {
	case self.ID != "" && a.ID == self.ID:
		return "self"
	case a.Bot && p.ExemptBots:
		return "bot"
	case a.Owner:
		return "owner"
	case a.Admin:
		return "admin"
	case hasRole(a, p.TeacherRoles):
		return "teacher"
	case hasRole(a, p.ExemptRoles):
		return "exempt_role"
	case slices.Contains(p.ExemptUsers, a.ID):
		return "exempt_user"
	}
	return ""
}

// selfOf returns the bot's own user on an adapter's platform, if the
// adapter says.
func selfOf(a Adapter) UserRef {
	if s, ok := a.(SelfIdentifier); ok {
		return s.Self()
	}
	return UserRef{}
}

// className returns the name to show for a class.
func className(cp classPolicy, fromPlatform string) string {
	switch {
	case cp.Name != "":
		return cp.Name
	case fromPlatform != "":
		return fromPlatform
	}
	return cp.ID
}

// orID returns name, or id when name is empty.
func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}
