package store

import (
	"crypto/rand"
	"time"
)

// idPrefix starts every incident id.
const idPrefix = "inc_"

// crockford is Crockford's base-32 alphabet: no I, L, O, U, and in
// ASCII order, so that ids sort as their timestamps do.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newID returns "inc_" followed by 26 characters of Crockford base 32
// encoding 48 bits of milliseconds since the Unix epoch and 80 random
// bits (the layout of a ULID): ids sort by time to the millisecond, and
// two ids made in the same millisecond differ with overwhelming
// probability.
func newID(t time.Time) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	rand.Read(b[6:]) // never fails (crypto/rand.Read panics rather than return an error)
	return idPrefix + encodeBase32(b)
}

// encodeBase32 writes 128 bits as 26 base-32 digits, most significant
// first (the first digit carries 3 bits).
func encodeBase32(b [16]byte) string {
	var out [26]byte
	// Work on the 128-bit value as two 64-bit halves.
	hi := uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
	lo := uint64(b[8])<<56 | uint64(b[9])<<48 | uint64(b[10])<<40 | uint64(b[11])<<32 |
		uint64(b[12])<<24 | uint64(b[13])<<16 | uint64(b[14])<<8 | uint64(b[15])
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}
