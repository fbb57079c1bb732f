package fakediscord

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// gw is a raw gateway client, to check the fake's protocol without
// discordgo.
type gw struct {
	t  *testing.T
	ws *websocket.Conn
}

type payload struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

func dial(t *testing.T, s *Server) *gw {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(s.gatewayURL()+"/?v=9&encoding=json", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	return &gw{t: t, ws: ws}
}

func (g *gw) send(op int, d any) {
	g.t.Helper()
	if err := g.ws.WriteJSON(map[string]any{"op": op, "d": d}); err != nil {
		g.t.Fatalf("write: %v", err)
	}
}

func (g *gw) read() payload {
	g.t.Helper()
	g.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var p payload
	if err := g.ws.ReadJSON(&p); err != nil {
		g.t.Fatalf("read: %v", err)
	}
	return p
}

// readDispatch reads until a dispatch of type typ and returns it.
func (g *gw) readDispatch(typ string) payload {
	g.t.Helper()
	for {
		p := g.read()
		if p.Op == opDispatch && p.T != nil && *p.T == typ {
			return p
		}
	}
}

func TestGatewayIdentifyHeartbeatResume(t *testing.T) {
	s := New(WithHeartbeat(5 * time.Second))
	defer s.Close()
	s.AddUser("501", "alice", false)
	s.AddGuild("4194304", "4e B", "501")
	s.AddMember("4194304", "501")

	g := dial(t, s)
	hello := g.read()
	var h struct {
		HeartbeatInterval int64 `json:"heartbeat_interval"`
	}
	json.Unmarshal(hello.D, &h)
	if hello.Op != opHello || h.HeartbeatInterval != 5000 {
		t.Fatalf("hello = %+v", hello)
	}
	g.send(opIdentify, map[string]any{"token": "Bot " + s.Token(), "intents": 1})
	ready := g.readDispatch("READY")
	var r struct {
		SessionID string `json:"session_id"`
		User      struct{ ID string }
		Guilds    []struct {
			ID          string
			Unavailable bool
		}
	}
	json.Unmarshal(ready.D, &r)
	if r.SessionID == "" || r.User.ID != s.BotID() || len(r.Guilds) != 1 || !r.Guilds[0].Unavailable || *ready.S != 1 {
		t.Fatalf("ready = %s (seq %d)", ready.D, *ready.S)
	}
	gc := g.readDispatch("GUILD_CREATE")
	if !strings.Contains(string(gc.D), `"name":"4e B"`) || *gc.S != 2 {
		t.Errorf("guild create = %s", gc.D)
	}
	g.send(opHeartbeat, 2)
	if p := g.read(); p.Op != opHeartbeatACK {
		t.Errorf("heartbeat answered with op %d", p.Op)
	}

	first := s.SendMessage("4194304", "4194304", "501", "un")
	if p := g.readDispatch("MESSAGE_CREATE"); !strings.Contains(string(p.D), first) || *p.S != 3 {
		t.Fatalf("message = %s seq %d", p.D, *p.S)
	}
	s.DropConnection()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitFor(ctx, func() bool { return !s.Connected() }); err != nil {
		t.Fatal(err)
	}
	missed := []string{s.SendMessage("4194304", "4194304", "501", "deux"), s.SendMessage("4194304", "4194304", "501", "trois")}

	g2 := dial(t, s)
	g2.read() // hello
	g2.send(opResume, map[string]any{"token": "Bot " + s.Token(), "session_id": r.SessionID, "seq": 3})
	for i, id := range missed {
		p := g2.readDispatch("MESSAGE_CREATE")
		if !strings.Contains(string(p.D), id) || *p.S != int64(4+i) {
			t.Errorf("replayed %d: %s seq %d", i, p.D, *p.S)
		}
	}
	g2.readDispatch("RESUMED")
	if s.Resumes() != 1 || s.Identifies() != 1 {
		t.Errorf("resumes %d identifies %d", s.Resumes(), s.Identifies())
	}

	// An unknown session cannot resume.
	g3 := dial(t, s)
	g3.read()
	g3.send(opResume, map[string]any{"token": "Bot " + s.Token(), "session_id": "nope", "seq": 1})
	if p := g3.read(); p.Op != opInvalidSession {
		t.Errorf("unknown session: op %d", p.Op)
	}
}

func TestGatewayRefusesBadToken(t *testing.T) {
	s := New()
	defer s.Close()
	g := dial(t, s)
	g.read()
	g.send(opIdentify, map[string]any{"token": "Bot wrong"})
	g.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err := g.ws.ReadMessage()
	if !websocket.IsCloseError(err, 4004) {
		t.Errorf("bad token: %v, want close 4004", err)
	}
}

func do(t *testing.T, s *Server, method, path, token, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bot "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestREST(t *testing.T) {
	s := New()
	defer s.Close()
	defer http.DefaultClient.CloseIdleConnections()
	s.AddUser("501", "alice", false)
	s.AddGuild("4194304", "4e B", "501", Role{ID: "601", Name: "Élève"})
	s.AddMember("4194304", "501", "Élève")
	id := s.SendMessage("4194304", "4194304", "501", "salut")
	tok := s.Token()
	msgPath := "/api/v9/channels/4194304/messages/" + id

	tests := []struct {
		name, method, path, token, body string
		status                          int
		contains                        string
	}{
		{"no token", "GET", "/api/v9/users/@me", "", "", 401, "Unauthorized"},
		{"me", "GET", "/api/v9/users/@me", tok, "", 200, s.BotID()},
		{"gateway", "GET", "/api/v9/gateway", tok, "", 200, "ws://127.0.0.1"},
		{"message", "GET", msgPath, tok, "", 200, "salut"},
		{"guild", "GET", "/api/v9/guilds/4194304", tok, "", 200, "4e B"},
		{"member", "GET", "/api/v9/guilds/4194304/members/501", tok, "", 200, `"roles":["601"]`},
		{"unknown member", "GET", "/api/v9/guilds/4194304/members/999", tok, "", 404, "10007"},
		{"empty message", "POST", "/api/v9/channels/4194304/messages", tok, `{}`, 400, "50006"},
		{"too long", "POST", "/api/v9/channels/4194304/messages", tok, fmt.Sprintf(`{"content":%q}`, strings.Repeat("a", 2001)), 400, "2000"},
		{"post", "POST", "/api/v9/channels/4194304/messages", tok, `{"content":"alerte"}`, 200, "alerte"},
		{"delete", "DELETE", msgPath, tok, "", 204, ""},
		{"delete again", "DELETE", msgPath, tok, "", 404, "10008"},
		{"unknown route", "GET", "/api/v9/nothing", tok, "", 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body, _ := do(t, s, tt.method, tt.path, tt.token, tt.body)
			if st != tt.status || !strings.Contains(body, tt.contains) {
				t.Errorf("%s %s = %d %s, want %d with %q", tt.method, tt.path, st, body, tt.status, tt.contains)
			}
		})
	}
	if d := s.Deletes(); len(d) != 1 || d[0].Message != id {
		t.Errorf("Deletes = %+v", d)
	}
	if p := s.Posts(); len(p) != 1 || p[0].Content != "alerte" || p[0].ID == "" || p[0].Guild != "4194304" {
		t.Errorf("Posts = %+v", p)
	}
}

func TestFailuresAndHooks(t *testing.T) {
	s := New()
	defer s.Close()
	defer http.DefaultClient.CloseIdleConnections()
	s.AddGuild("4194304", "4e B", "501")
	tok := s.Token()
	var seen []string
	s.BeforeRequest("GET", `/guilds/\d+$`, func(c Call) { seen = append(seen, c.Path) })

	s.FailNext("GET", `/guilds/\d+$`, 503, `{"message":"down","code":0}`)
	if st, _, _ := do(t, s, "GET", "/api/v9/guilds/4194304", tok, ""); st != 503 {
		t.Errorf("injected failure: %d", st)
	}
	if st, _, _ := do(t, s, "GET", "/api/v9/guilds/4194304", tok, ""); st != 200 {
		t.Errorf("failure not consumed: %d", st)
	}
	if len(seen) != 2 {
		t.Errorf("hook saw %d requests", len(seen))
	}

	s.RateLimitNext("GET", `/guilds/\d+$`, 300*time.Millisecond)
	st, body, hdr := do(t, s, "GET", "/api/v9/guilds/4194304", tok, "")
	if st != 429 || !strings.Contains(body, "retry_after") || hdr.Get("X-RateLimit-Remaining") != "0" || hdr.Get("Retry-After") != "1" {
		t.Fatalf("rate limit = %d %s %v", st, body, hdr)
	}
	// Too early: still limited.
	if st, _, _ := do(t, s, "GET", "/api/v9/guilds/4194304", tok, ""); st != 429 {
		t.Errorf("request during the limit = %d, want 429", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := WaitFor(ctx, func() bool {
		st, _, _ := do(t, s, "GET", "/api/v9/guilds/4194304", tok, "")
		return st == 200
	})
	if err != nil {
		t.Fatal(err)
	}
	var first429, ok200 time.Time
	for _, c := range s.Calls() {
		if c.Status == 429 && first429.IsZero() {
			first429 = c.Time
		}
		if c.Status == 200 && !first429.IsZero() {
			ok200 = c.Time
		}
	}
	if ok200.Sub(first429) < 300*time.Millisecond {
		t.Errorf("accepted %v after the 429, before retry_after", ok200.Sub(first429))
	}
}

func TestMembersPagination(t *testing.T) {
	s := New()
	defer s.Close()
	defer http.DefaultClient.CloseIdleConnections()
	s.AddGuild("4194304", "4e B", "")
	for i := range 25 {
		s.AddMember("4194304", fmt.Sprint(1000+i))
	}
	var all []string
	after := ""
	for {
		st, body, _ := do(t, s, "GET", "/api/v9/guilds/4194304/members?limit=10&after="+after, s.Token(), "")
		if st != 200 {
			t.Fatalf("list: %d %s", st, body)
		}
		var page []struct{ User struct{ ID string } }
		json.Unmarshal([]byte(body), &page)
		for _, m := range page {
			all = append(all, m.User.ID)
		}
		if len(page) < 10 {
			break
		}
		after = page[len(page)-1].User.ID
	}
	if len(all) != 25 || all[0] != "1000" || all[24] != "1024" {
		t.Errorf("members = %v", all)
	}
}

// TestDispatchWritten checks that OnDispatchWritten reports each
// dispatch written to a client, with its message id, sequence number and
// a time after the message was sent, replays after a RESUME included.
func TestDispatchWritten(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddUser("501", "alice", false)
	s.AddGuild("4194304", "4e B", "501")
	s.AddMember("4194304", "501")
	got := make(chan Dispatched, 16)
	s.OnDispatchWritten(func(d Dispatched) {
		if d.Type == "MESSAGE_CREATE" {
			got <- d
		}
	})
	next := func() Dispatched {
		t.Helper()
		select {
		case d := <-got:
			return d
		case <-time.After(10 * time.Second):
			t.Fatal("no MESSAGE_CREATE reported")
		}
		return Dispatched{}
	}

	g := dial(t, s)
	g.read() // hello
	g.send(opIdentify, map[string]any{"token": "Bot " + s.Token(), "intents": 1})
	ready := g.readDispatch("READY")
	var r struct {
		SessionID string `json:"session_id"`
	}
	json.Unmarshal(ready.D, &r)
	before := time.Now()
	id := s.SendMessage("4194304", "4194304", "501", "un")
	p := g.readDispatch("MESSAGE_CREATE")
	d := next()
	if d.MessageID != id || d.Seq != *p.S || d.At.Before(before) {
		t.Errorf("reported %+v for message %s (seq %d) sent after %v", d, id, *p.S, before)
	}

	// A dispatch made while the client is away is reported when it is
	// replayed.
	s.DropConnection()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitFor(ctx, func() bool { return !s.Connected() }); err != nil {
		t.Fatal(err)
	}
	missed := s.SendMessage("4194304", "4194304", "501", "deux")
	select {
	case d := <-got:
		t.Fatalf("reported %+v while no client was connected", d)
	default:
	}
	g2 := dial(t, s)
	g2.read()
	g2.send(opResume, map[string]any{"token": "Bot " + s.Token(), "session_id": r.SessionID, "seq": *p.S})
	g2.readDispatch("MESSAGE_CREATE")
	if d := next(); d.MessageID != missed || d.Seq != *p.S+1 {
		t.Errorf("replay reported as %+v, want message %s seq %d", d, missed, *p.S+1)
	}
}
