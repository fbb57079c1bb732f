package store

import (
	"errors"
	"testing"
	"time"
)

func TestParseAge(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7d", 7 * day, true},
		{"365d", 365 * day, true},
		{" 30d ", 30 * day, true},
		{"0d", 0, true},
		{"2w", 14 * day, true},
		{"10j", 10 * day, true},
		{"36h", 36 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"100000d", 100000 * day, true},
		{"100001d", 0, false},
		{"99999999999999999999d", 0, false},
		{"-7d", 0, false},
		{"+7d", 0, false},
		{"-1h", 0, false},
		{"d", 0, false},
		{"7", 0, false},
		{"7 d", 0, false},
		{"1.5d", 0, false},
		{"", 0, false},
		{"sept jours", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseAge(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !tc.ok && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseAge(%q) = %v, %v; want ErrInvalid", tc.in, got, err)
		}
	}
}

func TestParseTime(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600) // no tz database: winter time is enough here
	}
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		loc  *time.Location
		want time.Time
		ok   bool
	}{
		{"7d", nil, now.Add(-7 * 24 * time.Hour), true},
		{"36h", nil, now.Add(-36 * time.Hour), true},
		{"2026-01-31", nil, time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), true},
		{"2026-01-31", paris, time.Date(2026, 1, 31, 0, 0, 0, 0, paris), true},
		{"2026-01-31 14:00", paris, time.Date(2026, 1, 31, 14, 0, 0, 0, paris), true},
		{"2026-01-31T14:00:05", paris, time.Date(2026, 1, 31, 14, 0, 5, 0, paris), true},
		{"2026-01-31T14:00:00Z", paris, time.Date(2026, 1, 31, 14, 0, 0, 0, time.UTC), true},
		{"2026-01-31T14:00:00+01:00", nil, time.Date(2026, 1, 31, 13, 0, 0, 0, time.UTC), true},
		{"2026-02-30", nil, time.Time{}, false},
		{"31/01/2026", nil, time.Time{}, false},
		{"-7d", nil, time.Time{}, false},
		{"yesterday", nil, time.Time{}, false},
		{"", nil, time.Time{}, false},
	}
	for _, tc := range tests {
		got, err := ParseTime(tc.in, now, tc.loc)
		if tc.ok && (err != nil || !got.Equal(tc.want)) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !tc.ok && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseTime(%q) = %v, %v; want ErrInvalid", tc.in, got, err)
		}
	}
}
