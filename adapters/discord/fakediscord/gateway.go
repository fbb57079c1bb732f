package fakediscord

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// session is a gateway session: its dispatches, numbered, kept for
// RESUME, and the connection they currently go to (nil while the client
// is away: they wait in the log).
type session struct {
	id    string
	shard [2]int
	seq   int64
	log   []logged
	conn  *conn
	dead  bool // replaced by a new IDENTIFY of the same shard
}

type logged struct {
	seq   int64
	frame []byte
	what  Dispatched // reported to OnDispatchWritten hooks (At unset)
}

// outFrame is a frame waiting to be written; what is set for
// dispatches.
type outFrame struct {
	b    []byte
	what *Dispatched
}

// conn is one websocket connection. Frames are queued (never written
// under s.mu) and written by the connection's writer goroutine, so that a
// slow client never blocks the fake.
type conn struct {
	ws   *websocket.Conn
	sess *session
	out  []outFrame
	wake chan struct{}
	done chan struct{}
	once sync.Once
}

func (c *conn) stop() { c.once.Do(func() { close(c.done) }) }

// frame encodes a gateway payload.
func frame(op int, d any, seq int64, t string) []byte {
	f := struct {
		Op int     `json:"op"`
		D  any     `json:"d"`
		S  *int64  `json:"s"`
		T  *string `json:"t"`
	}{Op: op, D: d}
	if op == opDispatch {
		f.S, f.T = &seq, &t
	}
	b, err := json.Marshal(f)
	if err != nil {
		panic("fakediscord: encoding a gateway frame: " + err.Error())
	}
	return b
}

// enqueue queues a frame that is not a dispatch on c; s.mu must be
// held.
func (c *conn) enqueue(b []byte) { c.enqueueFrame(outFrame{b: b}) }

// enqueueFrame queues a frame on c; s.mu must be held.
func (c *conn) enqueueFrame(f outFrame) {
	c.out = append(c.out, f)
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveGateway runs one gateway connection until it closes.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws, wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.conns[c] = true
	s.wg.Add(2)
	c.enqueue(frame(opHello, map[string]any{"heartbeat_interval": s.heartbeat.Milliseconds()}, 0, ""))
	s.mu.Unlock()
	go s.writer(c)
	defer s.wg.Done()
	s.reader(c)
}

// writer writes c's queued frames in order.
func (s *Server) writer(c *conn) {
	defer s.wg.Done()
	for {
		select {
		case <-c.wake:
		case <-c.done:
			return
		}
		for {
			s.mu.Lock()
			batch := c.out
			c.out = nil
			written := s.written
			s.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			for _, f := range batch {
				at := time.Now()
				if err := c.ws.WriteMessage(websocket.TextMessage, f.b); err != nil {
					s.detach(c)
					return
				}
				if f.what != nil {
					d := *f.what
					d.At = at
					for _, fn := range written {
						fn(d)
					}
				}
			}
		}
	}
}

// reader handles the client's frames until the connection fails.
func (s *Server) reader(c *conn) {
	defer s.detach(c)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var f struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(data, &f); err != nil {
			s.closeWith(c, 4002, "decode error")
			return
		}
		switch f.Op {
		case opHeartbeat:
			s.mu.Lock()
			c.enqueue(frame(opHeartbeatACK, nil, 0, ""))
			s.mu.Unlock()
		case opIdentify:
			if !s.identify(c, f.D) {
				return
			}
		case opResume:
			s.resume(c, f.D)
		default:
			// Presence updates, member requests, voice: ignored.
		}
	}
}

// closeWith closes a connection with a gateway close code.
func (s *Server) closeWith(c *conn, code int, text string) {
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	s.detach(c)
}

// detach forgets a closed connection.
func (s *Server) detach(c *conn) {
	s.mu.Lock()
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	delete(s.conns, c)
	s.mu.Unlock()
	c.stop()
	c.ws.Close()
}

// DropConnection closes every gateway connection abruptly, as a network
// failure would. Sessions survive: dispatches made until the client
// resumes are kept and replayed after its RESUME.
func (s *Server) DropConnection() {
	s.mu.Lock()
	var cs []*conn
	for c := range s.conns {
		if c.sess != nil && c.sess.conn == c {
			c.sess.conn = nil
		}
		cs = append(cs, c)
	}
	s.mu.Unlock()
	for _, c := range cs {
		c.ws.Close()
	}
}

// shardOf returns the shard of a guild for a shard count (direct
// messages go to shard 0).
func shardOf(guildID string, count int) int {
	if count <= 1 || guildID == "" {
		return 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// identify starts a session; false when the token is refused.
func (s *Server) identify(c *conn, d json.RawMessage) bool {
	var id struct {
		Token string  `json:"token"`
		Shard *[2]int `json:"shard"`
	}
	_ = json.Unmarshal(d, &id)
	if id.Token != "Bot "+s.token {
		s.closeWith(c, 4004, "Authentication failed.")
		return false
	}
	shard := [2]int{0, 1}
	if id.Shard != nil {
		shard = *id.Shard
	}
	if shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1] {
		s.closeWith(c, 4010, "Invalid shard.")
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.identifies++
	for _, old := range s.sessions {
		if old.shard == shard && !old.dead {
			old.dead = true
			old.log = nil
		}
	}
	ss := &session{id: randomHex(16), shard: shard, conn: c}
	s.sessions[ss.id] = ss
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	c.sess = ss
	var unavailable []map[string]any
	var mine []*guild
	for _, gid := range s.guildOrder {
		if shardOf(gid, shard[1]) == shard[0] {
			unavailable = append(unavailable, map[string]any{"id": gid, "unavailable": true})
			mine = append(mine, s.guilds[gid])
		}
	}
	s.dispatchTo(ss, "READY", map[string]any{
		"v": 9, "session_id": ss.id, "user": s.bot, "guilds": unavailable,
		"application": map[string]any{"id": s.bot.ID, "flags": 0},
		"shard":       shard, "resume_gateway_url": s.gatewayURL(),
		"private_channels": []any{},
	})
	for _, g := range mine {
		s.dispatchTo(ss, "GUILD_CREATE", s.guildJSON(g, true))
	}
	return true
}

// resume re-attaches a client to its session and replays what it missed.
func (s *Server) resume(c *conn, d json.RawMessage) {
	var rs struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	_ = json.Unmarshal(d, &rs)
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.sessions[rs.SessionID]
	if rs.Token != "Bot "+s.token || ss == nil || ss.dead ||
		(len(ss.log) > 0 && ss.log[0].seq > rs.Seq+1) {
		c.enqueue(frame(opInvalidSession, false, 0, ""))
		return
	}
	s.resumes++
	if ss.conn != nil && ss.conn != c {
		old := ss.conn
		old.sess = nil
		old.ws.Close() // its reader then detaches it
	}
	ss.conn = c
	c.sess = ss
	for _, l := range ss.log {
		if l.seq > rs.Seq {
			c.enqueueFrame(outFrame{b: l.frame, what: &l.what})
		}
	}
	s.dispatchTo(ss, "RESUMED", map[string]any{})
}

// dispatchTo numbers and logs a dispatch for a session and sends it if the
// client is there; s.mu must be held.
func (s *Server) dispatchTo(ss *session, t string, d any) {
	ss.seq++
	b := frame(opDispatch, d, ss.seq, t)
	what := Dispatched{Type: t, Seq: ss.seq}
	if m, ok := d.(*discordgo.Message); ok {
		what.MessageID = m.ID
	}
	ss.log = append(ss.log, logged{seq: ss.seq, frame: b, what: what})
	if len(ss.log) > replayLimit {
		ss.log = append([]logged(nil), ss.log[len(ss.log)-replayLimit/2:]...)
	}
	if ss.conn != nil {
		ss.conn.enqueueFrame(outFrame{b: b, what: &what})
	}
}

// dispatchGuild dispatches an event about a guild ("" for direct
// messages) to every live session of the guild's shard; s.mu must be
// held.
func (s *Server) dispatchGuild(guildID, t string, d any) {
	for _, ss := range s.sessions {
		if ss.dead || shardOf(guildID, ss.shard[1]) != ss.shard[0] {
			continue
		}
		s.dispatchTo(ss, t, d)
	}
}

// gatewayURL is the websocket URL GET /gateway returns.
func (s *Server) gatewayURL() string {
	return "ws" + s.srv.URL[len("http"):] + "/gateway"
}

// guildJSON renders a guild (with channels and members for GUILD_CREATE);
// s.mu must be held.
func (s *Server) guildJSON(g *guild, full bool) *discordgo.Guild {
	out := &discordgo.Guild{
		ID: g.id, Name: g.name, OwnerID: g.owner, SystemChannelID: g.systemChannel,
		Roles: g.roles, MemberCount: len(g.members), PreferredLocale: "fr",
	}
	if full {
		for _, id := range g.channels {
			out.Channels = append(out.Channels, s.channelJSON(s.channels[id]))
		}
		for uid := range g.members {
			mj := s.memberJSON(g, uid, true)
			mj.User = s.user(uid)
			out.Members = append(out.Members, mj)
		}
	}
	return out
}

// channelJSON renders a channel; s.mu must be held.
func (s *Server) channelJSON(c *channel) *discordgo.Channel {
	out := &discordgo.Channel{ID: c.id, GuildID: c.guild, Name: c.name, Type: c.typ}
	if c.recipient != "" {
		out.Recipients = []*discordgo.User{s.user(c.recipient)}
	}
	return out
}

// memberJSON renders a member (without its user, as message events carry
// it); s.mu must be held.
func (s *Server) memberJSON(g *guild, userID string, withGuild bool) *discordgo.Member {
	m := g.members[userID]
	out := &discordgo.Member{Roles: []string{}}
	if withGuild {
		out.GuildID = g.id
	}
	if m != nil {
		out.Roles = append(out.Roles, m.roles...)
		out.Nick = m.nick
		out.JoinedAt = m.joined
		out.CommunicationDisabledUntil = m.timeout
	}
	return out
}
