package console

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestLinkTokens(t *testing.T) {
	s := signer{key: testKey}
	now := testStart
	good := claims{Platform: platform, Class: classA, User: teacherA, Nonce: "0123456789abcdef0123",
		Issued: now.Unix(), Expires: now.Add(LinkTTL).Unix()}
	sign := func(c claims) string {
		tok, err := s.sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tok := sign(good)
	if got, err := s.check(tok, now.Add(LinkTTL-time.Second), now); err != nil || got != good {
		t.Fatalf("check(good) = %+v, %v", got, err)
	}
	long, noNonce, noUser := good, good, good
	long.Expires = now.Add(time.Hour).Unix()
	noNonce.Nonce = ""
	noUser.User = ""
	payload, sig, _ := strings.Cut(tok, ".")
	tests := []struct {
		name  string
		token string
		now   time.Time
		want  error
	}{
		{"expired", tok, now.Add(LinkTTL), ErrLinkExpired},
		{"before the process started", tok, now, ErrLinkExpired},
		{"longer than LinkTTL", sign(long), now, ErrLinkInvalid},
		{"no nonce", sign(noNonce), now, ErrLinkInvalid},
		{"no user", sign(noUser), now, ErrLinkInvalid},
		{"no signature", payload, now, ErrLinkInvalid},
		{"signature of another payload", sign(noUser)[:strings.Index(sign(noUser), ".")] + "." + sig, now, ErrLinkInvalid},
		{"truncated signature", payload + "." + sig[:10], now, ErrLinkInvalid},
		{"two dots", tok + ".x", now, ErrLinkInvalid},
		{"huge", strings.Repeat("a", maxTokenLen+1), now, ErrLinkInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			notBefore := now
			if tt.name == "before the process started" {
				notBefore = now.Add(time.Second)
			}
			if _, err := s.check(tt.token, tt.now, notBefore); !errors.Is(err, tt.want) {
				t.Fatalf("check = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNonceSet(t *testing.T) {
	var s nonceSet
	exp := testStart.Add(LinkTTL)
	if !s.use("a", exp, testStart) || s.use("a", exp, testStart.Add(time.Minute)) {
		t.Fatal("a nonce was usable twice")
	}
	if !s.seen("a", testStart) || s.seen("b", testStart) {
		t.Fatal("seen is wrong")
	}
	s.use("b", exp, testStart.Add(LinkTTL)) // sweeps "a", whose link has expired
	if len(s.used) != 1 {
		t.Fatalf("expired nonces kept: %v", s.used)
	}
}

// FuzzCheckLink checks that no token but the signer's own passes, and
// that checking never panics, whatever the token.
func FuzzCheckLink(f *testing.F) {
	s := signer{key: testKey}
	good, _ := s.sign(claims{Platform: platform, Class: classA, User: teacherA, Nonce: "0123456789abcdef0123",
		Issued: testStart.Unix(), Expires: testStart.Add(LinkTTL).Unix()})
	f.Add(good)
	f.Add("eyJwIjoiZGlzY29yZCJ9.AAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := s.check(token, testStart.Add(time.Minute), testStart)
		if err != nil {
			if c != (claims{}) {
				t.Fatalf("claims returned with an error: %+v", c)
			}
			return
		}
		if token != good {
			resigned, _ := s.sign(c)
			payload, _, _ := strings.Cut(token, ".")
			if !strings.HasPrefix(resigned, payload+".") {
				t.Fatalf("a token the signer did not make passed: %q", token)
			}
		}
	})
}

// FuzzListQuery checks that any query string gives filters that mean
// something.
func FuzzListQuery(f *testing.F) {
	f.Add("class=discord:guild-a&category=insult&from=2025-03-01&to=2025-03-31&action=remove&outcome=failed&page=2")
	f.Add("from=31/02/2025&page=-4&action=%00")
	f.Add("page=99999999999999999999999")
	e := &Console{loc: time.UTC}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		lq, since, until, _ := e.parseListQuery(q)
		switch {
		case lq.Page < 1:
			t.Fatalf("page %d", lq.Page)
		case lq.Action != "" && lq.Action != "allow" && lq.Action != "alert" && lq.Action != "remove":
			t.Fatalf("action %q", lq.Action)
		case lq.Outcome != "" && lq.Outcome != outcomeOpen && lq.Outcome != outcomeFollowed && lq.Outcome != outcomeFailed:
			t.Fatalf("outcome %q", lq.Outcome)
		case lq.From == "" && !since.IsZero(), lq.To == "" && !until.IsZero():
			t.Fatalf("a dropped date still filters: %q %v %q %v", lq.From, since, lq.To, until)
		}
	})
}
