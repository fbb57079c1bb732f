package discord

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestReadableText(t *testing.T) {
	gi := &guildInfo{
		Roles:    map[string]roleInfo{"400": {Name: "Professeur"}},
		Channels: map[string]string{"300": "maths"},
	}
	mentions := []*discordgo.User{{ID: "501", Username: "bob"}, {ID: "502", Username: "alice2", GlobalName: "Alice"}}
	tests := []struct{ in, want string }{
		{"<@501> tu viens ?", "@bob tu viens ?"},
		{"<@!502> et <@501>", "@Alice et @bob"},
		{"<@999> salut", "@user salut"},
		{"demande à <@&400> dans <#300>", "demande à @Professeur dans #maths"},
		{"<@&401> <#301>", "@role #channel"},
		{"<:pepe:123456789012345678> <a:dance:123456789012345679>", ":pepe: :dance:"},
		{"rdv <t:1732700000:R> ou <t:0>", "rdv 2024-11-27 09:33 UTC ou 1970-01-01 00:00 UTC"},
		{"tape </vigie status:123456789012345678>", "tape /vigie status"},
		{"pas de balise < @501 > ni <@abc>", "pas de balise < @501 > ni <@abc>"},
		{"sans chevron", "sans chevron"},
	}
	for _, tt := range tests {
		if got := ReadableText(tt.in, mentions, gi); got != tt.want {
			t.Errorf("ReadableText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzReadableText(f *testing.F) {
	f.Add("<@501> tu viens ? <#300> <@&400> <:e:1> <t:1732700000:F> </aide:2>")
	f.Add("<@!<@1>>")
	f.Add("<t:-99999999999999>")
	f.Fuzz(func(t *testing.T, s string) {
		got := ReadableText(s, nil, nil)
		if !strings.Contains(s, "<") && got != s {
			t.Fatalf("text without markup changed: %q → %q", s, got)
		}
		// With no names known, every mention becomes a placeholder: no id
		// is left for the detectors.
		if m := markup.FindString(got); m != "" && strings.Count(s, "<") <= 1 {
			t.Fatalf("markup %q left in %q", m, got)
		}
	})
}

func ExampleReadableText() {
	mentions := []*discordgo.User{{ID: "500000000000000004", Username: "bob"}}
	fmt.Println(ReadableText("<@500000000000000004> regarde <t:1732700000:R> :) <:pepe:123456789012345678>", mentions, nil))
	// Output: @bob regarde 2024-11-27 09:33 UTC :) :pepe:
}
