package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxAgeDays bounds ages so that they fit a time.Duration with room to
// spare (about 270 years).
const maxAgeDays = 100000

// ParseAge reads an age: a whole number of days ("7d", "365d") or weeks
// ("2w"), or a Go duration ("36h", "90m", "1h30m"). Negative ages are
// refused.
func ParseAge(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("%w: empty age (want e.g. 7d, 2w or 36h)", ErrInvalid)
	}
	if unit := t[len(t)-1]; unit == 'd' || unit == 'w' || unit == 'j' {
		// 'j' for "jours", as French operators write it.
		digits := t[:len(t)-1]
		n, err := strconv.Atoi(digits)
		if err != nil || digits == "" || strings.Trim(digits, "0123456789") != "" {
			return 0, fmt.Errorf("%w: age %q (want a whole number of days or weeks, e.g. 7d or 2w)", ErrInvalid, s)
		}
		if unit == 'w' {
			if n > maxAgeDays/7 {
				return 0, fmt.Errorf("%w: age %q is too long", ErrInvalid, s)
			}
			n *= 7
		}
		if n > maxAgeDays {
			return 0, fmt.Errorf("%w: age %q is too long", ErrInvalid, s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(t)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%w: age %q (want e.g. 7d, 2w or 36h)", ErrInvalid, s)
	}
	return d, nil
}

// localLayouts are the date and time forms ParseTime reads in the given
// location.
var localLayouts = []string{
	"2006-01-02",
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
}

// ParseTime reads a point in time as operators write it: an age before
// now ("7d", "36h": now minus that), a date ("2026-01-31": midnight in
// loc), a date and time in loc ("2026-01-31 14:00", "2026-01-31T14:00:05"),
// or RFC 3339 ("2026-01-31T14:00:00Z", "2026-01-31T14:00:00+01:00").
// A nil loc means UTC.
func ParseTime(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return time.Time{}, fmt.Errorf("%w: empty time", ErrInvalid)
	}
	if t[0] >= '0' && t[0] <= '9' && !strings.Contains(t, "-") {
		age, err := ParseAge(t)
		if err != nil {
			return time.Time{}, err
		}
		return now.Add(-age), nil
	}
	if tm, err := time.Parse(time.RFC3339Nano, t); err == nil {
		return tm, nil
	}
	for _, layout := range localLayouts {
		if tm, err := time.ParseInLocation(layout, t, loc); err == nil {
			return tm, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: time %q (want an age such as 7d, a date such as 2026-01-31, "+
		"a date and time such as \"2026-01-31 14:00\", or RFC 3339)", ErrInvalid, s)
}
