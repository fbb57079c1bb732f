package bottest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/vigie-edu/vigie/bot"
)

// Operations the fake Adapter records; also the keys of Fail and
// FailAlways.
const (
	OpDelete            = "delete"
	OpSendDirect        = "dm"
	OpPost              = "post"
	OpPostEphemeral     = "ephemeral"
	OpTimeout           = "timeout"
	OpRemoveFromChannel = "remove_from_channel"
	OpMember            = "member"
	OpClass             = "class"
	OpRoleMembers       = "role_members"
)

// Call is one call the bot made to the fake Adapter.
type Call struct {
	Op       string
	Message  bot.MessageRef // Delete; Post: the new message
	Channel  bot.ChannelRef // Post, PostEphemeral, RemoveFromChannel
	User     bot.UserRef    // SendDirect, PostEphemeral, Timeout, RemoveFromChannel, Member
	Class    string         // Timeout, Member, Class, RoleMembers
	Role     string         // RoleMembers
	Out      bot.OutMessage // SendDirect, Post, PostEphemeral
	Duration time.Duration  // Timeout
	Reason   string         // Delete, Timeout
	Err      error          // what the call returned
}

// Adapter is an in-memory bot.Adapter (and bot.SelfIdentifier and
// bot.RoleMemberLister) that records every call. Set its exported
// fields before use; they are not guarded. It is safe for concurrent
// use by the bot.
type Adapter struct {
	// Name is the platform (default bot.Discord).
	Name bot.Platform
	// SelfUser is the bot's own user (default id "vigie-bot").
	SelfUser bot.UserRef
	// Classes answers Class; a missing class is ErrNotFound.
	Classes map[string]bot.ClassInfo
	// Members answers Member by user id; a missing member is
	// ErrNotFound.
	Members map[string]bot.Author
	// Roles answers RoleMembers by role.
	Roles map[string][]bot.UserRef
	// Hook, when set, runs at every call before it returns, outside the
	// adapter's lock; a non-nil error is what the call returns. Tests use
	// it to look at the world (the store) at the moment of a call.
	Hook func(ctx context.Context, c Call) error

	mu     sync.Mutex
	out    chan<- bot.Event // the running bot's channel, while Run runs
	ready  chan struct{}    // closed while Run runs
	calls  []Call
	queued map[string][]error // errors for the next calls, per op
	always map[string]error   // errors for every call, per op
	nextID int
}

// NewAdapter returns a fake adapter for platform p with no classes.
func NewAdapter(p bot.Platform) *Adapter {
	return &Adapter{Name: p, SelfUser: bot.UserRef{ID: "vigie-bot", Name: "Vigie"}}
}

// readyChan returns the channel closed while Run runs. a.mu is held.
func (a *Adapter) readyChan() chan struct{} {
	if a.ready == nil {
		a.ready = make(chan struct{})
	}
	return a.ready
}

// Fail makes the next calls of op return errs, one each, in order.
func (a *Adapter) Fail(op string, errs ...error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.queued == nil {
		a.queued = map[string][]error{}
	}
	a.queued[op] = append(a.queued[op], errs...)
}

// FailAlways makes every call of op return err (nil: succeed again).
func (a *Adapter) FailAlways(op string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.always == nil {
		a.always = map[string]error{}
	}
	if err == nil {
		delete(a.always, op)
		return
	}
	a.always[op] = err
}

// do records a call and returns its error.
func (a *Adapter) do(ctx context.Context, c Call) (Call, error) {
	a.mu.Lock()
	var err error
	if q := a.queued[c.Op]; len(q) > 0 {
		err, a.queued[c.Op] = q[0], q[1:]
	} else if e, ok := a.always[c.Op]; ok {
		err = e
	}
	if c.Op == OpPost && err == nil {
		a.nextID++
		c.Message = bot.MessageRef{Class: c.Channel.Class, Channel: c.Channel.ID, ID: "posted-" + strconv.Itoa(a.nextID)}
	}
	a.mu.Unlock()
	if err == nil && a.Hook != nil {
		err = a.Hook(ctx, c)
	}
	if err == nil {
		err = ctx.Err()
	}
	c.Err = err
	a.mu.Lock()
	a.calls = append(a.calls, c)
	a.mu.Unlock()
	return c, err
}

// Calls returns the calls of the given ops (all calls when none), in
// order.
func (a *Adapter) Calls(ops ...string) []Call {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(ops) == 0 {
		return slices.Clone(a.calls)
	}
	var out []Call
	for _, c := range a.calls {
		if slices.Contains(ops, c.Op) {
			out = append(out, c)
		}
	}
	return out
}

// Succeeded returns the calls of op that returned no error.
func (a *Adapter) Succeeded(op string) []Call {
	var out []Call
	for _, c := range a.Calls(op) {
		if c.Err == nil {
			out = append(out, c)
		}
	}
	return out
}

// DirectsTo returns the direct messages successfully sent to a user.
func (a *Adapter) DirectsTo(userID string) []bot.OutMessage {
	var out []bot.OutMessage
	for _, c := range a.Succeeded(OpSendDirect) {
		if c.User.ID == userID {
			out = append(out, c.Out)
		}
	}
	return out
}

// PostsIn returns the messages successfully posted in a channel (by id,
// or by name when the bot gave no id).
func (a *Adapter) PostsIn(channel string) []bot.OutMessage {
	var out []bot.OutMessage
	for _, c := range a.Succeeded(OpPost) {
		if c.Channel.ID == channel || c.Channel.ID == "" && c.Channel.Name == channel {
			out = append(out, c.Out)
		}
	}
	return out
}

// Reset forgets the recorded calls.
func (a *Adapter) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = nil
}

// Send delivers an event to the bot through Run: it blocks until the
// bot's reader takes it (so a bot whose queue is full holds Send back),
// or until ctx is done.
func (a *Adapter) Send(ctx context.Context, ev bot.Event) error {
	for {
		a.mu.Lock()
		ready, out := a.readyChan(), a.out
		a.mu.Unlock()
		if out == nil {
			select {
			case <-ready:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		select {
		case out <- ev:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Platform returns Name (bot.Discord by default).
func (a *Adapter) Platform() bot.Platform {
	if a.Name == "" {
		return bot.Discord
	}
	return a.Name
}

// Self returns SelfUser.
func (a *Adapter) Self() bot.UserRef { return a.SelfUser }

// Run lets Send deliver events to out until ctx is done.
func (a *Adapter) Run(ctx context.Context, out chan<- bot.Event) error {
	a.mu.Lock()
	if a.out != nil {
		a.mu.Unlock()
		return errors.New("bottest: Run is already running")
	}
	a.out = out
	close(a.readyChan())
	a.mu.Unlock()
	<-ctx.Done()
	a.mu.Lock()
	a.out, a.ready = nil, nil
	a.mu.Unlock()
	return nil
}

// Delete records the deletion.
func (a *Adapter) Delete(ctx context.Context, m bot.MessageRef, reason string) error {
	_, err := a.do(ctx, Call{Op: OpDelete, Message: m, Reason: reason})
	return err
}

// SendDirect records the direct message.
func (a *Adapter) SendDirect(ctx context.Context, u bot.UserRef, msg bot.OutMessage) error {
	_, err := a.do(ctx, Call{Op: OpSendDirect, User: u, Out: msg})
	return err
}

// Post records the post and returns a new message reference.
func (a *Adapter) Post(ctx context.Context, ch bot.ChannelRef, msg bot.OutMessage) (bot.MessageRef, error) {
	c, err := a.do(ctx, Call{Op: OpPost, Channel: ch, Out: msg})
	if err != nil {
		return bot.MessageRef{}, err
	}
	return c.Message, nil
}

// PostEphemeral records the ephemeral post.
func (a *Adapter) PostEphemeral(ctx context.Context, ch bot.ChannelRef, u bot.UserRef, msg bot.OutMessage) error {
	_, err := a.do(ctx, Call{Op: OpPostEphemeral, Channel: ch, User: u, Out: msg})
	return err
}

// Timeout records the time-out.
func (a *Adapter) Timeout(ctx context.Context, class string, u bot.UserRef, d time.Duration, reason string) error {
	_, err := a.do(ctx, Call{Op: OpTimeout, Class: class, User: u, Duration: d, Reason: reason})
	return err
}

// RemoveFromChannel records the removal.
func (a *Adapter) RemoveFromChannel(ctx context.Context, ch bot.ChannelRef, u bot.UserRef) error {
	_, err := a.do(ctx, Call{Op: OpRemoveFromChannel, Channel: ch, User: u})
	return err
}

// Member answers from Members.
func (a *Adapter) Member(ctx context.Context, class string, u bot.UserRef) (bot.Author, error) {
	if _, err := a.do(ctx, Call{Op: OpMember, Class: class, User: u}); err != nil {
		return bot.Author{}, err
	}
	m, ok := a.Members[u.ID]
	if !ok {
		return bot.Author{}, &bot.PlatformError{Op: OpMember, Kind: bot.ErrNotFound, Status: 404}
	}
	return m, nil
}

// Class answers from Classes.
func (a *Adapter) Class(ctx context.Context, class string) (bot.ClassInfo, error) {
	if _, err := a.do(ctx, Call{Op: OpClass, Class: class}); err != nil {
		return bot.ClassInfo{}, err
	}
	ci, ok := a.Classes[class]
	if !ok {
		return bot.ClassInfo{}, &bot.PlatformError{Op: OpClass, Kind: bot.ErrNotFound, Status: 404, Err: fmt.Errorf("class %s", class)}
	}
	return ci, nil
}

// RoleMembers answers from Roles.
func (a *Adapter) RoleMembers(ctx context.Context, class, role string) ([]bot.UserRef, error) {
	if _, err := a.do(ctx, Call{Op: OpRoleMembers, Class: class, Role: role}); err != nil {
		return nil, err
	}
	return slices.Clone(a.Roles[role]), nil
}

// Forbidden returns the error of a platform refusing op because the bot
// lacks permission (HTTP 403).
func Forbidden(op, permission string) error {
	return &bot.PlatformError{Op: op, Kind: bot.ErrForbidden, Missing: permission, Status: 403}
}

// RateLimited returns the error of a platform asking to retry op after d
// (HTTP 429).
func RateLimited(op string, d time.Duration) error {
	return &bot.PlatformError{Op: op, Kind: bot.ErrRateLimited, RetryAfter: d, Status: 429}
}

// DirectClosed returns the error of a user who does not accept direct
// messages.
func DirectClosed() error {
	return &bot.PlatformError{Op: OpSendDirect, Kind: bot.ErrDirectClosed, Status: 403}
}

// Unsupported returns the error of a platform that does not offer op.
func Unsupported(op string) error {
	return &bot.PlatformError{Op: op, Kind: bot.ErrUnsupported}
}

// Unavailable returns the error of a platform that answered 5xx.
func Unavailable(op string) error {
	return &bot.PlatformError{Op: op, Kind: bot.ErrUnavailable, Status: 503}
}

var (
	_ bot.Adapter          = (*Adapter)(nil)
	_ bot.SelfIdentifier   = (*Adapter)(nil)
	_ bot.RoleMemberLister = (*Adapter)(nil)
	_ bot.Clock            = (*Clock)(nil)
)
