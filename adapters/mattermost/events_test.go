package mattermost

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/vigie-edu/vigie/bot"
)

func TestSeenPostsForgetsOldestFirst(t *testing.T) {
	s := newSeenPosts(3)
	for _, id := range []string{"a", "b", "c"} {
		if _, known := s.swap(id, seenPost{fp: 1}); known {
			t.Fatalf("%s known too early", id)
		}
	}
	if old, known := s.swap("a", seenPost{fp: 2}); !known || old.fp != 1 {
		t.Fatalf("swap a = %+v %v", old, known)
	}
	s.swap("d", seenPost{fp: 1}) // evicts a, the oldest
	if _, ok := s.get("a"); ok {
		t.Fatal("a should be forgotten")
	}
	for _, id := range []string{"b", "c", "d"} {
		if _, ok := s.get(id); !ok {
			t.Fatalf("%s forgotten", id)
		}
	}
}

func TestFingerprintSeesWhatIsJudged(t *testing.T) {
	p := &model.Post{Message: "bonjour"}
	base := fingerprint(p, nil, nil)
	if fingerprint(&model.Post{Message: "bonjour", HasReactions: true, IsPinned: true}, nil, nil) != base {
		t.Error("a reaction or a pin changes the fingerprint")
	}
	for name, fp := range map[string]uint64{
		"text":  fingerprint(&model.Post{Message: "bonjour!"}, nil, nil),
		"file":  fingerprint(p, []string{"photo.png"}, nil),
		"embed": fingerprint(p, nil, []bot.Embed{{URL: "https://x.example", Title: "t"}}),
	} {
		if fp == base {
			t.Errorf("a new %s does not change the fingerprint", name)
		}
	}
}

func TestEmbedsOf(t *testing.T) {
	p := &model.Post{Message: "x", Metadata: &model.PostMetadata{Embeds: []*model.PostEmbed{
		{Type: model.PostEmbedOpengraph, URL: "https://site.example", Data: map[string]any{"title": "Titre", "description": "Desc"}},
		{Type: model.PostEmbedImage},
	}}}
	p.AddProp(model.PostPropsAttachments, []any{map[string]any{"title": "Att", "title_link": "https://a.example", "text": "body", "pretext": "pre"}})
	got := embedsOf(p)
	want := []bot.Embed{
		{URL: "https://site.example", Title: "Titre", Description: "Desc"},
		{URL: "https://a.example", Title: "Att", Description: "pre\nbody"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("embedsOf = %+v, want %+v", got, want)
	}
}

func TestPostFromData(t *testing.T) {
	raw, _ := json.Marshal(&model.Post{Id: "p1", ChannelId: "c1", UserId: "u1", Message: "salut"})
	p, err := postFromData(map[string]any{"post": string(raw)})
	if err != nil || p.Id != "p1" || p.Message != "salut" {
		t.Fatalf("postFromData = %+v, %v", p, err)
	}
	for _, data := range []map[string]any{{}, {"post": 3}, {"post": "{"}, {"post": `{"id":"p"}`}} {
		if _, err := postFromData(data); err == nil {
			t.Errorf("postFromData(%v) accepted", data)
		}
	}
}

func TestAppendRoles(t *testing.T) {
	tm := &model.TeamMember{Roles: "team_user custom", SchemeAdmin: true, SchemeUser: true}
	got := appendRoles([]string{"system_user"}, tm)
	want := []string{"system_user", "team_user", "custom", "team_admin"}
	if !slices.Equal(got, want) {
		t.Fatalf("roles = %q, want %q", got, want)
	}
	if !isTeamAdmin(tm) || isTeamAdmin(&model.TeamMember{Roles: "team_user"}) || !isTeamAdmin(&model.TeamMember{Roles: "team_admin"}) {
		t.Fatal("isTeamAdmin")
	}
}

func TestChannelHandles(t *testing.T) {
	if got := channelHandles("Alertes  Vigie"); !slices.Equal(got, []string{"alertes  vigie", "alertes-vigie"}) {
		t.Fatalf("channelHandles = %q", got)
	}
	if got := channelHandles("alertes-vigie"); !slices.Equal(got, []string{"alertes-vigie"}) {
		t.Fatalf("channelHandles = %q", got)
	}
}
