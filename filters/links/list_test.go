package links

import (
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseList(t *testing.T) {
	tests := []struct {
		name, format, in string
		want             []string
	}{
		{"ut1", "ut1", "example.com\nWWW.Example.ORG\n", []string{"example.com", "www.example.org"}},
		{"ut1 comments and blanks", "ut1", "# adult\n\n  example.com  \n\t\n# end\nexample.net # inline\n", []string{"example.com", "example.net"}},
		{"ut1 url lines", "ut1", "http://example.com/path/page.html\nhttps://user@sub.example.org:8443/x?y#z\n", []string{"example.com", "sub.example.org"}},
		{"ut1 wildcard and leading dot", "ut1", "*.example.com\n.example.net\nexample.org.\n", []string{"example.com", "example.net", "example.org"}},
		{"ut1 crlf and bom", "ut1", "\ufeffexample.com\r\nexample.net\r\n", []string{"example.com", "example.net"}},
		{"ut1 idn", "ut1", "xn--bcher-kva.de\nBÜCHER.ch\n", []string{"bücher.de", "bücher.ch"}},
		{"ut1 ip", "ut1", "1.2.3.4\n", []string{"1.2.3.4"}},
		{"ut1 empty", "ut1", "", nil},
		{"hosts", "hosts", "0.0.0.0 example.com\n127.0.0.1 a.example.net b.example.net\n", []string{"example.com", "a.example.net", "b.example.net"}},
		{"hosts localhost entries", "hosts", "127.0.0.1 localhost\n127.0.0.1 localhost.localdomain\n127.0.0.1 local\n255.255.255.255 broadcasthost\n::1 localhost ip6-localhost ip6-loopback\nfe80::1%lo0 localhost\nff00::0 ip6-localnet\nff02::1 ip6-allnodes\n0.0.0.0 0.0.0.0\n0.0.0.0 ads.example.com\n", []string{"ads.example.com"}},
		{"hosts comments and tabs", "hosts", "# StevenBlack style\n0.0.0.0\tex.com\t# tracker\n\n   \n0.0.0.0 Other.COM\n", []string{"ex.com", "other.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseList(strings.NewReader(tt.in), tt.format, "test")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseListErrors(t *testing.T) {
	tests := []struct {
		name, format, in string
		line             int
		msg              string // substring of the message
	}{
		{"ut1 space", "ut1", "ok.com\n\n# c\nbad domain.com\nok.net\n", 4, "unexpected space"},
		{"ut1 hosts line", "ut1", "0.0.0.0 example.com\n", 1, "use format hosts"},
		{"ut1 bad char", "ut1", "ok.com\nexa$mple.com\n", 2, `character '$'`},
		{"ut1 no dot", "ut1", "ok.com\nlocalhost\n", 2, "no dot"},
		{"ut1 empty label", "ut1", "a..b.com\n", 1, "empty label"},
		{"ut1 long label", "ut1", strings.Repeat("x", 64) + ".com\n", 1, "longer than 63"},
		{"hosts no address", "hosts", "0.0.0.0 ok.com\nexample.com\n", 2, "not an IP address"},
		{"hosts no name", "hosts", "0.0.0.0\n", 1, "no host name"},
		{"hosts bad name", "hosts", "0.0.0.0 ok.com\n0.0.0.0 ok.net b@d!.com\n", 2, `character '!'`},
		{"line too long", "ut1", "ok.com\n" + strings.Repeat("a", maxLineBytes+10) + "\n", 2, "line longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseList(strings.NewReader(tt.in), tt.format, "lists/test.txt")
			if err == nil {
				t.Fatalf("no error, got %q", got)
			}
			le, ok := err.(*ListError)
			if !ok {
				t.Fatalf("error %v is a %T, want *ListError", err, err)
			}
			if le.Name != "lists/test.txt" || le.Line != tt.line || !strings.Contains(le.Msg, tt.msg) {
				t.Errorf("error %+v, want line %d and message containing %q", le, tt.line, tt.msg)
			}
			prefix := "lists/test.txt:" + strconv.Itoa(tt.line) + ": "
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("Error() = %q, want prefix %q", err.Error(), prefix)
			}
		})
	}
}

func TestParseListUnknownFormat(t *testing.T) {
	_, err := ParseList(strings.NewReader("example.com\n"), "csv", "x.csv")
	var le *ListError
	if !errors.As(err, &le) || le.Line != 0 || err.Error() != `x.csv: unknown list format "csv" (want ut1 or hosts)` {
		t.Fatalf("got %v", err)
	}
}

func TestParseListReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("a.com\nb.com\n"), iotest.ErrReader(boom))
	_, err := ParseList(r, "ut1", "l")
	var le *ListError
	if !errors.As(err, &le) || le.Line != 3 || !errors.Is(err, boom) {
		t.Fatalf("got %v, want a *ListError at line 3 wrapping %v", err, boom)
	}
}
