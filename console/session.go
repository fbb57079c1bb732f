package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Session lifetimes.
const (
	// DefaultSessionTTL is how long a session lasts at most: a school day.
	DefaultSessionTTL = 10 * time.Hour
	// sessionIdle ends a session unused for this long.
	sessionIdle = 2 * time.Hour
)

// ClassRef names a class on a platform: what a teacher's session is
// scoped to.
type ClassRef struct {
	Platform string
	Class    string // class id (Discord guild id, Mattermost team id, HTTP API class)
}

// session is a signed-in user. Sessions live in memory, keyed by the
// SHA-256 of the random value of their cookie.
type session struct {
	Admin    bool
	Platform string     // teacher: the platform of the links
	User     string     // teacher: the platform user id; admin: "admin"
	Classes  []ClassRef // teacher: the classes the session may see
	CSRF     string     // synchronizer token of the session's forms
	Created  time.Time
	Seen     time.Time
}

// allows reports whether the session may see a class's incidents.
func (s *session) allows(platform, class string) bool {
	return s.Admin || slices.Contains(s.Classes, ClassRef{Platform: platform, Class: class})
}

// who names the session's user for follow-up notes and logs.
func (s *session) who() string {
	if s.Admin {
		return "admin"
	}
	return s.Platform + ":" + s.User
}

// sessions is the in-memory session table.
type sessions struct {
	mu  sync.Mutex
	m   map[[sha256.Size]byte]*session
	ttl time.Duration
}

// randomToken returns n random bytes in base64url.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("console: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// create stores a new session and returns its cookie value.
func (t *sessions) create(s session, now time.Time) (string, error) {
	value, err := randomToken(32)
	if err != nil {
		return "", err
	}
	csrf, err := randomToken(32)
	if err != nil {
		return "", err
	}
	s.CSRF, s.Created, s.Seen = csrf, now, now
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = make(map[[sha256.Size]byte]*session)
	}
	t.sweep(now)
	t.m[sha256.Sum256([]byte(value))] = &s
	return value, nil
}

// get returns a copy of the live session of a cookie value, and marks
// it seen.
func (t *sessions) get(value string, now time.Time) (session, bool) {
	if value == "" {
		return session{}, false
	}
	key := sha256.Sum256([]byte(value))
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.m[key]
	if !ok {
		return session{}, false
	}
	if t.expired(s, now) {
		delete(t.m, key)
		return session{}, false
	}
	s.Seen = now
	c := *s
	c.Classes = slices.Clone(s.Classes)
	return c, true
}

// addClass adds a class to a live teacher session of the same platform
// and user, and reports whether it did.
func (t *sessions) addClass(value, platform, user string, class ClassRef, now time.Time) bool {
	key := sha256.Sum256([]byte(value))
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.m[key]
	if !ok || t.expired(s, now) || s.Admin || s.Platform != platform || s.User != user {
		return false
	}
	if !slices.Contains(s.Classes, class) {
		s.Classes = append(s.Classes, class)
	}
	s.Seen = now
	return true
}

// delete ends a session.
func (t *sessions) delete(value string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, sha256.Sum256([]byte(value)))
}

func (t *sessions) expired(s *session, now time.Time) bool {
	return now.Sub(s.Created) >= t.ttl || now.Sub(s.Seen) >= sessionIdle || now.Before(s.Created)
}

// sweep drops expired sessions; t.mu is held.
func (t *sessions) sweep(now time.Time) {
	for k, s := range t.m {
		if t.expired(s, now) {
			delete(t.m, k)
		}
	}
}

// tokenEqual compares two secret tokens in constant time.
func tokenEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
