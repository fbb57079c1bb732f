package console

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// LinkTTL is how long a sign-in link is valid.
const LinkTTL = 15 * time.Minute

// linkMACContext separates the MAC of sign-in links from any other use
// of the key.
const linkMACContext = "vigie-console-link-v1\x00"

// maxTokenLen bounds the token a sign-in request may carry.
const maxTokenLen = 2048

// Link errors. None of them carries the token.
var (
	ErrLinkInvalid = errors.New("sign-in link is not valid")
	ErrLinkExpired = errors.New("sign-in link has expired")
	ErrLinkUsed    = errors.New("sign-in link was already used")
)

// claims are what a sign-in link says: who, for which class, until
// when, and a nonce that makes it single-use.
type claims struct {
	Platform string `json:"p"`
	Class    string `json:"c"`
	User     string `json:"u"`
	Nonce    string `json:"n"`
	Issued   int64  `json:"i"` // Unix seconds
	Expires  int64  `json:"e"` // Unix seconds
}

// signer signs and verifies sign-in tokens.
type signer struct{ key []byte }

func (s signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(linkMACContext))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// sign returns the token for c: base64url(JSON) "." base64url(MAC).
func (s signer) sign(c claims) (string, error) {
	body, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("console: encode link: %w", err)
	}
	payload := base64.RawURLEncoding.EncodeToString(body)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload)), nil
}

// parse checks a token's MAC and decodes its claims; it does not check
// times or the nonce.
func (s signer) parse(token string) (claims, error) {
	var c claims
	if len(token) > maxTokenLen {
		return c, ErrLinkInvalid
	}
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return c, ErrLinkInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(payload)) {
		return c, ErrLinkInvalid
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return c, ErrLinkInvalid
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || dec.More() {
		return claims{}, ErrLinkInvalid
	}
	if c.Platform == "" || c.Class == "" || c.User == "" || len(c.Nonce) < 16 || c.Expires <= c.Issued {
		return claims{}, ErrLinkInvalid
	}
	return c, nil
}

// check verifies a token for use at now: MAC, validity window (issued
// at or after notBefore, at most LinkTTL long, not expired).
func (s signer) check(token string, now, notBefore time.Time) (claims, error) {
	c, err := s.parse(token)
	if err != nil {
		return c, err
	}
	issued, expires := time.Unix(c.Issued, 0), time.Unix(c.Expires, 0)
	switch {
	case expires.Sub(issued) > LinkTTL:
		return claims{}, ErrLinkInvalid
	case issued.Before(notBefore.Truncate(time.Second)):
		// Issued before this process started: its nonce may have been
		// used in a previous run, whose memory is gone.
		return claims{}, ErrLinkExpired
	case !now.Before(expires):
		return claims{}, ErrLinkExpired
	}
	return c, nil
}

// newNonce returns 16 random bytes in base64url.
func newNonce() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("console: nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// nonceSet remembers the nonces of used links until they expire.
type nonceSet struct {
	mu   sync.Mutex
	used map[string]time.Time // nonce → link expiry
}

// seen reports whether a nonce was used.
func (s *nonceSet) seen(nonce string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.used[nonce]
	return ok && now.Before(exp)
}

// use marks a nonce as used and reports whether it was unused. Expired
// entries are dropped on the way: a link past its expiry is refused
// before its nonce is looked at.
func (s *nonceSet) use(nonce string, expires, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used == nil {
		s.used = make(map[string]time.Time)
	}
	for n, exp := range s.used {
		if !now.Before(exp) {
			delete(s.used, n)
		}
	}
	if _, ok := s.used[nonce]; ok {
		return false
	}
	s.used[nonce] = expires
	return true
}
