package mattermost

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestExtractMentions(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"@bob t'es nul", []string{"bob"}},
		{"salut @Bob et @alice.", []string{"bob", "alice.", "alice"}},
		{"(@chloe) @chloe @CHLOE", []string{"chloe"}},
		{"écris à prof@ecole.fr", nil},
		{"@all @here @channel @bob", []string{"bob"}},
		{"@1abc @_x", nil},
		{"@dylan_ hé", []string{"dylan_", "dylan"}},
		{"@ émile @ Émile", nil},
		{"@zoéé", nil},
		{"@@bob", nil},
		{"", nil},
	}
	for _, tt := range tests {
		got := ExtractMentions(tt.text)
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("ExtractMentions(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestExtractMentionsBound(t *testing.T) {
	var b strings.Builder
	for i := range 50 {
		fmt.Fprintf(&b, "@user%d ", i)
	}
	if n := len(ExtractMentions(b.String())); n != maxMentions {
		t.Fatalf("%d names, want %d", n, maxMentions)
	}
}

// FuzzExtractMentions checks the names are well formed, distinct, never
// channel-wide and at most maxMentions, and each appears in the text.
func FuzzExtractMentions(f *testing.F) {
	for _, s := range []string{"@bob salut", "mail a@b.c", "@all @Alice.", "@@x @-y @z_", "\xff@a", "@émile"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		names := ExtractMentions(text)
		if len(names) > maxMentions {
			t.Fatalf("%d names", len(names))
		}
		low := strings.ToLower(text)
		for i, n := range names {
			if n == "" || n[0] < 'a' || n[0] > 'z' || len(n) > maxUsernameLen {
				t.Fatalf("bad name %q", n)
			}
			for j := 0; j < len(n); j++ {
				if !isUsernameByte(n[j]) {
					t.Fatalf("bad byte in %q", n)
				}
			}
			if slices.Contains(channelWide, n) || slices.Contains(names[:i], n) {
				t.Fatalf("name %q repeated or channel-wide", n)
			}
			if !strings.Contains(low, "@"+n) {
				t.Fatalf("name %q is not in the text", n)
			}
		}
	})
}

func ExampleExtractMentions() {
	fmt.Println(ExtractMentions("@Bob arrête, @all regardez, écrivez à prof@ecole.fr ou @chloe."))
	// Output: [bob chloe. chloe]
}
