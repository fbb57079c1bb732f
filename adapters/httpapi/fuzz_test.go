package httpapi

import (
	"bytes"
	"net/http"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeModerate feeds arbitrary bodies to the request decoder and
// validator: they never panic, and a request they accept is one the bot
// may be given (a text within bounds, a two-letter lang, short fields).
func FuzzDecodeModerate(f *testing.F) {
	for _, seed := range []string{
		`{"text":"t'es qu'un gros connard","class":"5e-a","author":"eleve-42","channel":"devoirs","message_id":"m-1","lang":"fr"}`,
		`{"text":""}`, `{"text":null}`, `[]`, `{"text":"a"}{"text":"b"}`, `{"text":"a","x":1}`,
		`{"text":"\u0000\ud800"}`, `{"text":"a","lang":"FR"}`, `{"text":"a"} `, ``, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req ModerateRequest
		if e := decodeBody(bytes.NewReader(body), MaxBody, &req); e != nil {
			if e.status != http.StatusBadRequest && e.status != http.StatusRequestEntityTooLarge || e.code == "" || e.message == "" {
				t.Fatalf("decode error %+v", e)
			}
			return
		}
		if e := req.validate(""); e != nil {
			if e.status != http.StatusUnprocessableEntity {
				t.Fatalf("validation error %+v", e)
			}
			return
		}
		if req.Text == "" || len(req.Text) > MaxText || !utf8.ValidString(req.Text) {
			t.Fatalf("accepted text of %d bytes", len(req.Text))
		}
		if req.Lang != "" && !isLangCode(req.Lang) {
			t.Fatalf("accepted lang %q", req.Lang)
		}
		for _, s := range []string{req.Class, req.Author, req.Channel, req.MessageID} {
			if len(s) > MaxField || !utf8.ValidString(s) {
				t.Fatalf("accepted field %q", s)
			}
		}
	})
}

// FuzzParseTokenHashes: the token configuration parser never panics,
// and the error never quotes what it read.
func FuzzParseTokenHashes(f *testing.F) {
	for _, seed := range []string{
		"", "# none\n", HashToken("a") + "," + HashToken("b"), "not-a-hash", HashToken("a")[:63] + "g",
		"  " + HashToken("a") + " # comment\r\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tok, err := ParseTokenHashes("fuzz", text)
		if err != nil {
			if tok != nil {
				t.Fatal("tokens and an error")
			}
			return
		}
		for _, h := range tok.hashes {
			if len(h) != 32 {
				t.Fatal("bad hash length")
			}
		}
	})
}

// FuzzBearer: the Authorization header parser never panics and only
// returns a token for the Bearer scheme.
func FuzzBearer(f *testing.F) {
	for _, seed := range []string{"Bearer abc", "bearer abc", "Basic abc", "Bearer", "Bearer  abc  ", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		if tok := bearer(header); tok != "" && !bytes.HasPrefix(bytes.ToLower(bytes.TrimSpace([]byte(header))), []byte("bearer ")) {
			t.Fatalf("token %q from %q", tok, header)
		}
	})
}
