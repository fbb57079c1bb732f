package discord

import (
	"encoding/json"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestCommandFromInteraction(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		wantName string
		wantSub  string
		wantArgs map[string]string
	}{
		{"sub-command with options",
			`{"name":"vigie","options":[{"name":"setup","type":1,"options":[{"name":"channel","type":7,"value":"300"},{"name":"role","type":8,"value":"400"},{"name":"lang","type":3,"value":"fr"}]}]}`,
			"vigie", "setup", map[string]string{"channel": "300", "role": "400", "lang": "fr"}},
		{"dryrun", `{"name":"vigie","options":[{"name":"dryrun","type":1,"options":[{"name":"mode","type":3,"value":"off"}]}]}`,
			"vigie", "dryrun", map[string]string{"mode": "off"}},
		{"group", `{"name":"vigie","options":[{"name":"admin","type":2,"options":[{"name":"purge","type":1,"options":[{"name":"days","type":4,"value":30}]}]}]}`,
			"vigie", "admin purge", map[string]string{"days": "30"}},
		{"aide signaler", `{"name":"aide","options":[{"name":"signaler","type":3,"value":"on m'insulte"}]}`,
			"aide", "report", map[string]string{"text": "on m'insulte"}},
		{"help report", `{"name":"help","options":[{"name":"report","type":3,"value":"they insult me"}]}`,
			"help", "report", map[string]string{"text": "they insult me"}},
		{"aide alone", `{"name":"aide"}`, "aide", "", map[string]string{}},
		{"typed values", `{"name":"x","options":[{"name":"b","type":5,"value":true},{"name":"n","type":10,"value":1.5},{"name":"nil","type":3}]}`,
			"x", "", map[string]string{"b": "true", "n": "1.5", "nil": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d discordgo.ApplicationCommandInteractionData
			if err := json.Unmarshal([]byte(tt.data), &d); err != nil {
				t.Fatal(err)
			}
			name, sub, args := commandFromInteraction(d)
			if name != tt.wantName || sub != tt.wantSub || !mapsEqual(args, tt.wantArgs) {
				t.Errorf("got %q %q %v, want %q %q %v", name, sub, args, tt.wantName, tt.wantSub, tt.wantArgs)
			}
		})
	}
}

func TestParseUpdate(t *testing.T) {
	tests := []struct {
		raw  string
		want updateFields
	}{
		{`{"id":"1","content":"x","author":{"id":"2"},"embeds":[],"edited_timestamp":"2024-01-01T00:00:00Z"}`,
			updateFields{HasContent: true, HasAuthor: true, HasEmbeds: true, Edited: true}},
		{`{"id":"1","channel_id":"2","embeds":[{"url":"https://x"}]}`, updateFields{HasEmbeds: true}},
		{`{"id":"1","content":"","edited_timestamp":null}`, updateFields{HasContent: true}},
		{`{"content":null,"author":null}`, updateFields{}},
		{`{"content":5,"edited_timestamp":7}`, updateFields{}},
		{`not json`, updateFields{}},
	}
	for _, tt := range tests {
		if got := parseUpdate([]byte(tt.raw)); got != tt.want {
			t.Errorf("parseUpdate(%s) = %+v, want %+v", tt.raw, got, tt.want)
		}
	}
}

func FuzzParseUpdate(f *testing.F) {
	f.Add([]byte(`{"id":"1","content":"x","author":{"id":"2"},"embeds":[]}`))
	f.Add([]byte(`{"id":"1","embeds":[{"url":"https://x"}]}`))
	f.Add([]byte(`{"content":null}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := parseUpdate(raw)
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			if got != (updateFields{}) {
				t.Fatalf("unreadable payload gave %+v", got)
			}
			return
		}
		_, isString := m["content"].(string)
		if got.HasContent != isString {
			t.Fatalf("HasContent = %v, content is %T", got.HasContent, m["content"])
		}
		_, isObj := m["author"].(map[string]any)
		if got.HasAuthor != isObj {
			t.Fatalf("HasAuthor = %v, author is %T", got.HasAuthor, m["author"])
		}
	})
}

func TestSeenMessagesForgetsOldest(t *testing.T) {
	s := newSeenMessages(3)
	for _, id := range []string{"1", "2", "3", "4"} {
		if _, known := s.swap(id, fingerprint{content: 1}); known {
			t.Errorf("%s known before being seen", id)
		}
	}
	if _, known := s.swap("1", fingerprint{}); known {
		t.Error("oldest message not forgotten")
	}
	if old, known := s.swap("4", fingerprint{content: 2}); !known || old.content != 1 {
		t.Errorf("recent message: %v %v", old, known)
	}
}
