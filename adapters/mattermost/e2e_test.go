package mattermost

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/store"
)

// Texts the default rules remove, and texts they leave alone.
var (
	insults = []string{"t'es qu'un gros connard", "fils de pute", "you are a fucking idiot"}
	porn    = "regarde https://pornhub.com"
	benign  = []string{
		"bonjour, quelqu'un a fait l'exercice 3 ?",
		"l'analyse du texte est pour jeudi",
		"Can someone share the homework for Monday?",
		"merci pour la correction !",
	}
)

// classPolicy is the default policy with alerts in the channel named
// alertes-vigie (resolved by name by the adapter).
func classPolicy(t *testing.T) bot.Policy {
	p := defaultSnapshot(t).Config.Default
	p.AlertChannel = "alertes-vigie"
	return p
}

// TestMattermostEndToEnd runs Vigie against a real Mattermost server:
// posts, edits, deletions, notices, alerts, slash commands, a server
// restart and a burst of 500 posts, all through the server's API.
func TestMattermostEndToEnd(t *testing.T) {
	e := newE2E(t)
	team := e.team("college", "4e B")
	class := e.channel(team, "classe-4b", "Classe 4e B")
	alerts := e.channel(team, "alertes-vigie", "Alertes Vigie")
	teacher := e.user("prof", "Claire")
	alice, bob := e.user("alice", "Alice"), e.user("bob", "Bob")
	others := []person{e.user("chloe", "Chloé"), e.user("dylan", "Dylan"), e.user("emma", "Emma")}
	students := append([]person{alice, bob}, others...)
	e.join(team, []*model.Channel{class, alerts}, teacher.Id)
	for _, s := range students {
		e.join(team, []*model.Channel{class}, s.Id)
	}
	e.teamAdmin(team, teacher.Id, true)
	botAcc, token := e.botAccount("vigie", team, []*model.Channel{class, alerts}, true, true)

	// The teacher sees the class channel (deletions) and the alerts;
	// Alice and Bob have the web client open (ephemeral posts reach
	// connected users only).
	teacherWS, aliceWS, bobWS := e.watch(teacher.c), e.watch(alice.c), e.watch(bob.c)

	gate := newGate()
	v := e.startVigie(token, []bot.Class{{Name: "4e B", Platform: bot.Mattermost, ID: team.Id, Policy: classPolicy(t)}},
		gate.hook)
	v.ready(t, team.Id)
	if got := v.ad.Self().ID; got != botAcc.UserId {
		t.Fatalf("Self = %q, want the bot account %q", got, botAcc.UserId)
	}

	t.Run("insult removed, author notified privately, teacher alerted, incident stored", func(t *testing.T) {
		p := e.post(alice, class, insults[0])
		teacherWS.waitFor("deletion of the insult", isDeletion(p.Id))
		ev := aliceWS.waitFor("ephemeral notice to the author", postedIn(model.WebsocketEventEphemeralMessage,
			class.Id, botAcc.UserId, "Ton message a été retiré"))
		if n := eventPost(ev); strings.Contains(n.Message, insults[0]) {
			t.Errorf("the author's notice quotes the message: %q", n.Message)
		}
		alert := eventPost(teacherWS.waitFor("alert in the alert channel", postedIn(model.WebsocketEventPosted,
			alerts.Id, botAcc.UserId, "Alice", insults[0], "3018", "✔ message supprimé")))
		if !strings.Contains(alert.Message, "> `"+insults[0]+"`") {
			t.Errorf("evidence not quoted as a code span in a block quote:\n%s", alert.Message)
		}
		// Nobody else saw the ephemeral notice: it is not in the channel.
		for _, q := range channelPosts(t, e, teacher, class) {
			if strings.Contains(q.Message, "Ton message a été retiré") {
				t.Errorf("the author's notice is visible in the channel")
			}
		}
		in := v.waitIncident(t, e.ctx, team.Id, p.Id, func(in *store.Incident) bool {
			return hasStep(in, store.StepDelete, store.StatusOK) && hasStep(in, store.StepNoticeAuthor, store.StatusOK) &&
				hasStep(in, store.StepAlert, store.StatusOK)
		})
		if in.Text != insults[0] || in.AuthorID != alice.Id || in.ChannelID != class.Id || in.ClassName != "4e B" {
			t.Errorf("incident = %+v", in)
		}
		if !strings.Contains(in.Link, "/"+team.Name+"/pl/"+p.Id) {
			t.Errorf("incident link = %q", in.Link)
		}
	})

	t.Run("insult aimed at another student gives them a safety notice", func(t *testing.T) {
		p := e.post(alice, class, "@"+bob.Username+" "+insults[1])
		teacherWS.waitFor("deletion", isDeletion(p.Id))
		ev := bobWS.waitFor("safety notice to Bob", func(ev *model.WebSocketEvent) bool {
			return postedIn(model.WebsocketEventPosted, "", botAcc.UserId, "Tu n'as rien fait de mal")(ev) &&
				ev.GetData()["channel_type"] == string(model.ChannelTypeDirect)
		})
		if strings.Contains(eventPost(ev).Message, insults[1]) {
			t.Error("the safety notice quotes the insult")
		}
		v.waitIncident(t, e.ctx, team.Id, p.Id, func(in *store.Incident) bool {
			return hasStepFor(in, store.StepNoticeTarget, store.StatusOK, bob.Id)
		})
	})

	t.Run("porn link removed, evidence hidden in the alert", func(t *testing.T) {
		p := e.post(bob, class, porn)
		teacherWS.waitFor("deletion of the link", isDeletion(p.Id))
		alert := eventPost(teacherWS.waitFor("alert about Bob", postedIn(model.WebsocketEventPosted,
			alerts.Id, botAcc.UserId, "Bob", "Contenu explicite masqué")))
		if strings.Contains(alert.Message, "pornhub") {
			t.Errorf("the alert shows explicit evidence:\n%s", alert.Message)
		}
		incs := v.incidentsFor(t, e.ctx, team.Id, p.Id)
		if len(incs) != 1 || incs[0].Text != porn || !strings.Contains(alert.Message, incs[0].ID) {
			t.Fatalf("the incident must keep the text and the alert name it: %+v", incs)
		}
	})

	t.Run("benign message untouched, edit into an insult removed", func(t *testing.T) {
		chloe := others[0]
		kept := e.post(chloe, class, benign[0])
		edited := e.post(chloe, class, benign[1])
		// Events of one channel are judged in order: once a later
		// post is removed, the earlier ones have been judged.
		if _, resp, err := chloe.c.PatchPost(e.ctx, edited.Id, &model.PostPatch{Message: model.NewPointer(insults[2])}); err != nil {
			t.Fatalf("edit: %v (%v)", err, resp)
		}
		teacherWS.waitFor("deletion of the edited post", isDeletion(edited.Id))
		if !e.exists(kept.Id) {
			t.Error("the benign post was deleted")
		}
		incs := v.incidentsFor(t, e.ctx, team.Id, edited.Id)
		if len(incs) != 1 || incs[0].Kind != store.KindEdit || incs[0].Text != insults[2] {
			t.Fatalf("incident of the edit = %+v", incs)
		}
		if n := len(v.incidentsFor(t, e.ctx, team.Id, kept.Id)); n != 0 {
			t.Errorf("%d incidents for a benign post", n)
		}
	})

	t.Run("slash commands answer privately", func(t *testing.T) {
		dylan := others[1]
		resp, _, err := dylan.c.ExecuteCommand(e.ctx, class.Id, "/aide")
		if err != nil {
			t.Fatalf("/aide: %v", err)
		}
		if resp.ResponseType != model.CommandResponseTypeEphemeral || !strings.Contains(resp.Text, "3018") {
			t.Fatalf("/aide answered %q (%s)", resp.Text, resp.ResponseType)
		}
		resp, _, err = dylan.c.ExecuteCommand(e.ctx, class.Id, "/aide signaler quelqu'un se moque de moi en récré")
		if err != nil {
			t.Fatalf("/aide signaler: %v", err)
		}
		if !strings.Contains(resp.Text, "transmis en privé") {
			t.Fatalf("/aide signaler answered %q", resp.Text)
		}
		teacherWS.waitFor("the private report in the alert channel", postedIn(model.WebsocketEventPosted,
			alerts.Id, botAcc.UserId, "signalement privé", "se moque de moi"))
		resp, _, err = dylan.c.ExecuteCommand(e.ctx, class.Id, "/vigie status")
		if err != nil || !strings.Contains(resp.Text, "réservée aux professeurs") {
			t.Fatalf("/vigie status by a student: %v %q", err, respText(resp))
		}
		resp, _, err = teacher.c.ExecuteCommand(e.ctx, class.Id, "/vigie status")
		if err != nil || !strings.Contains(resp.Text, "règles version defaults") || !strings.Contains(resp.Text, "#alertes-vigie") {
			t.Fatalf("/vigie status by the teacher: %v %q", err, respText(resp))
		}
		for _, q := range channelPosts(t, e, teacher, class) {
			if strings.Contains(q.Message, "Besoin d'aide") || strings.Contains(q.Message, "se moque de moi") {
				t.Errorf("a command or its answer is visible in the channel: %q", q.Message)
			}
		}
	})

	t.Run("server restart: reconnects and handles posts made meanwhile", func(t *testing.T) {
		gate.close()
		e.restartServer()
		gate.waitEntered(t)
		// The bot is disconnected and waits at the gate: these posts
		// reach the server only.
		for _, w := range []*watcher{teacherWS, aliceWS, bobWS} {
			w.connect()
		}
		emma := others[2]
		var missed []*model.Post
		for _, s := range insults {
			missed = append(missed, e.post(emma, class, s))
		}
		kept := e.post(emma, class, benign[2])
		before := v.ad.caughtUp.Load()
		gate.open()
		for _, p := range missed {
			teacherWS.waitFor("deletion of a post made during the outage", isDeletion(p.Id))
		}
		if n := v.ad.caughtUp.Load() - before; n < int64(len(missed)) {
			t.Errorf("caught up %d posts, want at least %d", n, len(missed))
		}
		if !e.exists(kept.Id) {
			t.Error("a benign post made during the outage was deleted")
		}
		// Live events flow again after the catch-up.
		p := e.post(alice, class, insults[0])
		teacherWS.waitFor("deletion after the reconnection", isDeletion(p.Id))
	})

	t.Run("burst of 500 posts from 5 students", func(t *testing.T) {
		burst(t, e, v, teacherWS, class, team, students)
	})

	markRan(t, "adapter against a real server (posts, edits, notices, alerts, commands, restart, burst)")
}

// burst posts 500 messages from 5 students at once (one in 5 harmful)
// and checks that every harmful one is deleted exactly once and no
// benign one is touched. It logs the time from post to deletion (server
// clock: create_at to delete_at).
func burst(t *testing.T, e *e2e, v *vigie, observer *watcher, class *model.Channel, team *model.Team, students []person) {
	const total, harmfulEvery = 500, 5
	start := observer.mark()
	type sent struct {
		post    *model.Post
		harmful bool
	}
	per := total / len(students)
	results := make([][]sent, len(students))
	var wg sync.WaitGroup
	began := time.Now()
	for si, s := range students {
		wg.Go(func() {
			for i := range per {
				n := si*per + i
				harmful := n%harmfulEvery == 0
				text := benign[n%len(benign)]
				if harmful {
					text = insults[n%len(insults)]
					if n%(harmfulEvery*4) == 0 {
						text = porn
					}
				}
				p, _, err := s.c.CreatePost(e.ctx, &model.Post{ChannelId: class.Id, Message: text})
				if err != nil {
					t.Errorf("burst post %d: %v", n, err)
					return
				}
				results[si] = append(results[si], sent{p, harmful})
			}
		})
	}
	wg.Wait()
	posting := time.Since(began)
	if t.Failed() {
		t.FailNow()
	}
	var all []sent
	for _, r := range results {
		all = append(all, r...)
	}
	harmful := map[string]*model.Post{}
	for _, s := range all {
		if s.harmful {
			harmful[s.post.Id] = s.post
		}
	}
	// A sentinel after the burst in the same channel: it is judged
	// after every burst post (one channel's events are judged in order).
	sentinel := e.post(students[0], class, insults[1])
	observer.waitFrom(start, "deletion of the sentinel after the burst", isDeletion(sentinel.Id))
	deletedAt := map[string][]int64{}
	for _, ev := range observer.all()[start:] {
		if ev.EventType() != model.WebsocketEventPostDeleted {
			continue
		}
		if p := eventPost(ev); p != nil {
			deletedAt[p.Id] = append(deletedAt[p.Id], p.DeleteAt)
		}
	}
	var latencies []time.Duration
	for _, s := range all {
		d := deletedAt[s.post.Id]
		switch {
		case s.harmful && len(d) != 1:
			t.Errorf("harmful post %s deleted %d times, want once", s.post.Id, len(d))
		case !s.harmful && len(d) != 0:
			t.Errorf("benign post %s deleted", s.post.Id)
		case s.harmful:
			// The server's own deletion time (the event carries the post
			// as it was before).
			gone, _, err := e.admin.GetPostIncludeDeleted(e.ctx, s.post.Id, "")
			if err != nil || gone.DeleteAt == 0 {
				t.Errorf("deleted post %s: %v (delete_at %d)", s.post.Id, err, gone.DeleteAt)
				continue
			}
			latencies = append(latencies, time.Duration(gone.DeleteAt-s.post.CreateAt)*time.Millisecond)
		}
	}
	// The store agrees: one incident per harmful post, none for the others.
	incs, err := v.st.List(e.ctx, store.Filter{Platform: string(bot.Mattermost), Class: team.Id})
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	perMessage := map[string]int{}
	for _, in := range incs {
		perMessage[in.MessageID]++
	}
	for _, s := range all {
		want := 0
		if s.harmful {
			want = 1
		}
		if perMessage[s.post.Id] != want {
			t.Errorf("post %s (harmful %v): %d incidents, want %d", s.post.Id, s.harmful, perMessage[s.post.Id], want)
		}
	}
	for _, s := range all {
		if !s.harmful && !e.exists(s.post.Id) {
			t.Errorf("benign post %s is gone", s.post.Id)
		}
	}
	if len(latencies) == 0 {
		t.Fatal("no deletion measured")
	}
	slices.Sort(latencies)
	q := func(f float64) time.Duration { return latencies[min(len(latencies)-1, int(f*float64(len(latencies))))] }
	t.Logf("MATTERMOST BURST LATENCY: posts=%d (posted in %s by 5 students, one channel) harmful=%d deleted=%d post-to-deletion min=%s median=%s p99=%s max=%s",
		len(all), posting.Round(time.Millisecond), len(harmful), len(latencies), latencies[0], q(0.5), q(0.99), latencies[len(latencies)-1])
}

// TestMattermostEndToEndWithoutRights runs a bot that is a plain team
// member (it cannot delete: the alert says so), then a team admin that
// is not a system admin (it deletes; notices go by direct message, as
// ephemeral posts need a system admin), with escalation by removal from
// the channel.
func TestMattermostEndToEndWithoutRights(t *testing.T) {
	e := newE2E(t)
	team := e.team("lycee", "2nde A")
	class := e.channel(team, "classe-2a", "Classe 2nde A")
	teacher := e.user("prof2", "Paul")
	fred := e.user("fred", "Fred")
	e.join(team, []*model.Channel{class}, teacher.Id, fred.Id)
	botAcc, token := e.botAccount("vigieb", team, []*model.Channel{class}, false, false)
	teacherWS, fredWS := e.watch(teacher.c), e.watch(fred.c)

	p := classPolicy(t)
	p.AlertChannel = ""
	p.AlertUsers = []string{teacher.Id}
	p.GroupWindow = time.Nanosecond // one alert per incident
	p.Escalation = bot.Escalation{After: 2, Window: time.Hour, Mode: bot.ModeRemoveFromChannel}
	v := e.startVigie(token, []bot.Class{{Name: "2nde A", Platform: bot.Mattermost, ID: team.Id, Policy: p}}, nil)
	v.connectedOnce(t)

	// At start-up the adapter said the bot cannot delete in this team.
	waitLog(t, v, "the bot cannot delete other users' posts in this team")

	// Added to another team while running, the bot introduces itself in
	// its default channel and tells its team admin; as a plain member it
	// cannot register its commands there, and says why.
	other := e.team("annexe", "Annexe")
	e.join(other, nil, teacher.Id)
	e.teamAdmin(other, teacher.Id, true)
	e.join(other, nil, botAcc.UserId)
	teacherWS.waitFor("introduction in the new team's town square", func(ev *model.WebSocketEvent) bool {
		return postedIn(model.WebsocketEventPosted, "", botAcc.UserId, "Bonjour, je suis Vigie")(ev) &&
			ev.GetData()["channel_name"] == model.DefaultChannelName && ev.GetData()["team_id"] == other.Id
	})
	teacherWS.waitFor("introduction to the team admin", func(ev *model.WebSocketEvent) bool {
		return postedIn(model.WebsocketEventPosted, "", botAcc.UserId, "Vigie a rejoint")(ev) &&
			ev.GetData()["channel_type"] == string(model.ChannelTypeDirect)
	})
	waitLog(t, v, "slash commands /vigie and /aide not registered")
	if n := v.logs.FilterMessageSnippet("slash commands /vigie and /aide not registered").
		FilterField(zap.String("team", other.Id)).Len(); n != 1 {
		t.Errorf("%d logs about the commands in the new team, want 1", n)
	}
	for _, en := range v.logs.FilterMessageSnippet("slash commands /vigie and /aide not registered").All() {
		if !strings.Contains(fmt.Sprint(en.ContextMap()["error"]), MissingCommands) {
			t.Errorf("the log does not name the missing right: %v", en.ContextMap())
		}
	}

	first := e.post(fred, class, insults[0])
	alert := eventPost(teacherWS.waitFor("alert by direct message", func(ev *model.WebSocketEvent) bool {
		return postedIn(model.WebsocketEventPosted, "", botAcc.UserId, insults[0])(ev) &&
			ev.GetData()["channel_type"] == string(model.ChannelTypeDirect)
	}))
	if !strings.Contains(alert.Message, "impossible de supprimer") || !strings.Contains(alert.Message, MissingDelete) {
		t.Errorf("the alert does not say the post could not be deleted:\n%s", alert.Message)
	}
	if !e.exists(first.Id) {
		t.Error("a bot without rights deleted the post")
	}

	// Made team admin, the bot deletes; its notices go by direct message.
	e.teamAdmin(team, botAcc.UserId, true)
	second := e.post(fred, class, insults[1])
	teacherWS.waitFor("deletion by the team admin bot", isDeletion(second.Id))
	fredWS.waitFor("notice to Fred by direct message", func(ev *model.WebSocketEvent) bool {
		return postedIn(model.WebsocketEventPosted, "", botAcc.UserId, "Ton message a été retiré")(ev) &&
			ev.GetData()["channel_type"] == string(model.ChannelTypeDirect)
	})
	waitLog(t, v, "ephemeral posts refused (the bot is not a system admin): notices go by direct message")

	// Two removals within the window: Fred is taken out of the channel.
	fredWS.waitFor("Fred removed from the class channel", func(ev *model.WebSocketEvent) bool {
		return ev.EventType() == model.WebsocketEventUserRemoved && ev.GetData()["channel_id"] == class.Id
	})
	if _, _, err := e.admin.GetChannelMember(e.ctx, class.Id, fred.Id, ""); err == nil {
		t.Error("Fred is still a member of the class channel")
	}
	v.waitIncident(t, e.ctx, team.Id, second.Id, func(in *store.Incident) bool {
		return hasStep(in, store.StepRemoveFromChannel, store.StatusOK)
	})
	markRan(t, "bot without rights, then team admin without system admin")
}

// gate holds the adapter before it reconnects, so that a test can post
// while it is disconnected.
type gate struct {
	mu      sync.Mutex
	closed  bool
	release chan struct{}
	entered chan struct{}
}

func newGate() *gate { return &gate{entered: make(chan struct{}, 1)} }

// hook is the adapter's beforeReconnect.
func (g *gate) hook(ctx context.Context) {
	g.mu.Lock()
	closed, release := g.closed, g.release
	g.mu.Unlock()
	if !closed {
		return
	}
	select {
	case g.entered <- struct{}{}:
	default:
	}
	select {
	case <-release:
	case <-ctx.Done():
	}
}

func (g *gate) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed, g.release = true, make(chan struct{})
}

func (g *gate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		g.closed = false
		close(g.release)
	}
}

// waitEntered waits until the adapter has lost its connection and waits
// at the gate.
func (g *gate) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-g.entered:
	case <-time.After(waitLong):
		t.Fatalf("the adapter did not notice the server going away within %s", waitLong)
	}
}

// waitLog waits until the adapter or the bot logged a message.
func waitLog(t *testing.T, v *vigie, msg string) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		if v.logs.FilterMessageSnippet(msg).Len() > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no log %q within %s", msg, waitLong)
}

func hasStep(in *store.Incident, name, status string) bool {
	return slices.ContainsFunc(in.Steps, func(s store.Step) bool { return s.Name == name && s.Status == status })
}

func hasStepFor(in *store.Incident, name, status, target string) bool {
	return slices.ContainsFunc(in.Steps, func(s store.Step) bool {
		return s.Name == name && s.Status == status && s.Target == target
	})
}

// channelPosts returns the last posts of a channel as a member sees
// them.
func channelPosts(t *testing.T, e *e2e, p person, ch *model.Channel) []*model.Post {
	t.Helper()
	list, _, err := p.c.GetPostsForChannel(e.ctx, ch.Id, 0, 200, "", false, false)
	if err != nil {
		t.Fatalf("channel posts: %v", err)
	}
	out := make([]*model.Post, 0, len(list.Posts))
	for _, q := range list.Posts {
		out = append(out, q)
	}
	return out
}

func respText(r *model.CommandResponse) string {
	if r == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s (%s)", r.Text, r.ResponseType)
}
