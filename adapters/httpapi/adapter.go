package httpapi

import (
	"context"
	"sync"
	"time"

	"github.com/vigie-edu/vigie/bot"
)

// The Server is the bot.Adapter of platform "http": the bot judges the
// API's messages through the same pipeline as chat messages (incident
// recorded, notices, teacher alert by the class's webhook), and asks the
// adapter for what a chat platform would do. The API cannot remove a
// message from the caller's system nor time its author out: those calls
// return bot.ErrUnsupported (the answer's action tells the caller to
// remove it). Direct messages are handed back to the caller in the
// answer (ModerateResponse.Messages).

// Platform implements bot.Adapter.
func (s *Server) Platform() bot.Platform { return bot.HTTP }

// Run implements bot.Adapter: it serves the API on Options.Listener
// until ctx is done, then stops taking requests and waits (up to
// Options.ShutdownTimeout) for those being served, so that the bot's Run
// flushes after the last of them. The API sends no event to out.
func (s *Server) Run(ctx context.Context, _ chan<- bot.Event) error {
	return s.Serve(ctx)
}

func unsupported(op string) error {
	return &bot.PlatformError{Op: op, Kind: bot.ErrUnsupported}
}

// Delete implements bot.Adapter: the caller removes the message.
func (s *Server) Delete(context.Context, bot.MessageRef, string) error {
	return unsupported("delete")
}

// SendDirect implements bot.Adapter: within a request, the message is
// added to the answer for the caller to show; outside one, it is
// unsupported.
func (s *Server) SendDirect(ctx context.Context, u bot.UserRef, msg bot.OutMessage) error {
	c, ok := ctx.Value(collectorKey{}).(*collector)
	if !ok {
		return unsupported("dm")
	}
	c.add(DirectMessage{To: u.ID, Title: msg.Title, Body: msg.Body, Footer: msg.Footer, Urgent: msg.Urgent})
	return nil
}

// Post implements bot.Adapter: the API has no channels to post in.
func (s *Server) Post(context.Context, bot.ChannelRef, bot.OutMessage) (bot.MessageRef, error) {
	return bot.MessageRef{}, unsupported("post")
}

// PostEphemeral implements bot.Adapter.
func (s *Server) PostEphemeral(context.Context, bot.ChannelRef, bot.UserRef, bot.OutMessage) error {
	return unsupported("ephemeral")
}

// Timeout implements bot.Adapter: the caller's system applies sanctions.
func (s *Server) Timeout(context.Context, string, bot.UserRef, time.Duration, string) error {
	return unsupported("timeout")
}

// RemoveFromChannel implements bot.Adapter.
func (s *Server) RemoveFromChannel(context.Context, bot.ChannelRef, bot.UserRef) error {
	return unsupported("remove_from_channel")
}

// Member implements bot.Adapter: the API knows no members.
func (s *Server) Member(context.Context, string, bot.UserRef) (bot.Author, error) {
	return bot.Author{}, unsupported("member")
}

// Class implements bot.Adapter: an HTTP class is its id, with no owner
// (its alerts go to its webhook).
func (s *Server) Class(_ context.Context, class string) (bot.ClassInfo, error) {
	return bot.ClassInfo{ID: class, Name: class}, nil
}

// Status implements bot.StatusReporter.
func (s *Server) Status() (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serving == "" {
		return false, "not serving"
	}
	return true, "serving on " + s.serving
}

// collectorKey is the context key of a request's collector.
type collectorKey struct{}

// collector gathers the direct messages of one moderated text.
type collector struct {
	mu   sync.Mutex
	msgs []DirectMessage
}

func (c *collector) add(m DirectMessage) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *collector) messages() []DirectMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]DirectMessage(nil), c.msgs...)
}
