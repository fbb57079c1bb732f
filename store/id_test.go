package store

import (
	"strings"
	"testing"
	"time"
)

func TestEncodeBase32(t *testing.T) {
	var zero, ones [16]byte
	for i := range ones {
		ones[i] = 0xff
	}
	one := [16]byte{15: 1}
	top := [16]byte{0: 0x80}
	tests := []struct {
		in   [16]byte
		want string
	}{
		{zero, strings.Repeat("0", 26)},
		{ones, "7" + strings.Repeat("Z", 25)},
		{one, strings.Repeat("0", 25) + "1"},
		{top, "4" + strings.Repeat("0", 25)},
	}
	for _, tc := range tests {
		if got := encodeBase32(tc.in); got != tc.want {
			t.Errorf("encodeBase32(%x) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestNewIDSortsByTime: ids of later milliseconds sort after, whatever
// their random part; ids of one millisecond differ.
func TestNewIDSortsByTime(t *testing.T) {
	base := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	prev := newID(base)
	seen := map[string]bool{prev: true}
	for i := 1; i < 2000; i++ {
		at := base.Add(time.Duration(i/2) * time.Millisecond) // two ids per millisecond
		id := newID(at)
		if seen[id] {
			t.Fatalf("id %s made twice", id)
		}
		seen[id] = true
		if i%2 == 0 && id <= prev {
			t.Fatalf("id %s of %v sorts before %s of the millisecond before", id, at, prev)
		}
		prev = id
		if len(id) != 30 || !strings.HasPrefix(id, "inc_") || strings.ContainsAny(id[4:], "ILOU") {
			t.Fatalf("id %q: want inc_ and 26 Crockford base-32 digits", id)
		}
	}
}
