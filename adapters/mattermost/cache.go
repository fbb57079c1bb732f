package mattermost

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// Cache bounds: entries live cacheTTL (role changes also evict them, by
// event), and a table that reaches cacheMax entries is emptied.
const (
	cacheTTL = 5 * time.Minute
	cacheMax = 20000
)

// ttlMap is a small map whose entries expire after ttl (cacheTTL when
// zero).
type ttlMap[V any] struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v   V
	exp time.Time
}

func (t *ttlMap[V]) get(k string) (V, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[k]
	if !ok || time.Now().After(e.exp) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (t *ttlMap[V]) put(k string, v V) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil || len(t.m) >= cacheMax {
		t.m = make(map[string]ttlEntry[V])
	}
	ttl := t.ttl
	if ttl == 0 {
		ttl = cacheTTL
	}
	t.m[k] = ttlEntry[V]{v: v, exp: time.Now().Add(ttl)}
}

func (t *ttlMap[V]) drop(k string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, k)
}

// lookups caches what the adapter reads about users, teams, channels and
// memberships, so that a burst of posts costs a handful of requests.
type lookups struct {
	a         *Adapter
	users     ttlMap[*model.User]
	usernames ttlMap[*model.User] // by lower-case username; nil: no such user
	teams     ttlMap[*model.Team]
	channels  ttlMap[*model.Channel]
	members   ttlMap[*model.TeamMember] // by team id + "/" + user id
	online    ttlMap[bool]              // user id → connected, for a short while
}

// statusTTL is how long a user's status is trusted: a burst of notices
// to one student costs one status request.
const statusTTL = 10 * time.Second

func newLookups(a *Adapter) *lookups {
	l := &lookups{a: a}
	l.online.ttl = statusTTL
	return l
}

// user returns a user by id.
func (l *lookups) user(ctx context.Context, id string) (*model.User, error) {
	if u, ok := l.users.get(id); ok {
		return u, nil
	}
	u, resp, err := l.a.client.GetUser(ctx, id, "")
	if err != nil {
		return nil, l.a.red.classify(opMember, resp, err)
	}
	l.users.put(id, u)
	l.usernames.put(strings.ToLower(u.Username), u)
	return u, nil
}

// byUsernames returns the users with these user names (lower case), in
// one request for those not cached; unknown names are left out.
func (l *lookups) byUsernames(ctx context.Context, names []string) ([]*model.User, error) {
	var out []*model.User
	var missing []string
	for _, n := range names {
		if u, ok := l.usernames.get(n); ok {
			if u != nil {
				out = append(out, u)
			}
			continue
		}
		missing = append(missing, n)
	}
	if len(missing) == 0 {
		return out, nil
	}
	users, resp, err := l.a.client.GetUsersByUsernames(ctx, missing)
	if err != nil {
		return out, l.a.red.classify(opMember, resp, err)
	}
	found := map[string]bool{}
	for _, u := range users {
		if u == nil {
			continue
		}
		name := strings.ToLower(u.Username)
		found[name] = true
		l.usernames.put(name, u)
		l.users.put(u.Id, u)
		out = append(out, u)
	}
	for _, n := range missing {
		if !found[n] {
			l.usernames.put(n, nil)
		}
	}
	return out, nil
}

// team returns a team by id.
func (l *lookups) team(ctx context.Context, id string) (*model.Team, error) {
	if t, ok := l.teams.get(id); ok {
		return t, nil
	}
	t, resp, err := l.a.client.GetTeam(ctx, id, "")
	if err != nil {
		return nil, l.a.red.classify(opClass, resp, err)
	}
	l.teams.put(id, t)
	return t, nil
}

func (l *lookups) putTeam(t *model.Team) { l.teams.put(t.Id, t) }

// channel returns a channel by id.
func (l *lookups) channel(ctx context.Context, id string) (*model.Channel, error) {
	if c, ok := l.channels.get(id); ok {
		return c, nil
	}
	c, resp, err := l.a.client.GetChannel(ctx, id)
	if err != nil {
		return nil, l.a.red.classify(opFetch, resp, err)
	}
	l.channels.put(id, c)
	return c, nil
}

func (l *lookups) putChannel(c *model.Channel) { l.channels.put(c.Id, c) }

// teamMember returns a user's membership of a team.
func (l *lookups) teamMember(ctx context.Context, team, user string) (*model.TeamMember, error) {
	key := team + "/" + user
	if m, ok := l.members.get(key); ok {
		return m, nil
	}
	m, resp, err := l.a.client.GetTeamMember(ctx, team, user, "")
	if err != nil {
		return nil, l.a.red.classify(opMember, resp, err)
	}
	l.members.put(key, m)
	return m, nil
}

// forgetUser evicts a user (their roles or name changed).
func (l *lookups) forgetUser(id string) {
	if u, ok := l.users.get(id); ok && u != nil {
		l.usernames.drop(strings.ToLower(u.Username))
	}
	l.users.drop(id)
}

// forgetMember evicts a team membership (its roles changed).
func (l *lookups) forgetMember(team, user string) { l.members.drop(team + "/" + user) }

// forgetChannel evicts a channel (renamed, converted, deleted).
func (l *lookups) forgetChannel(id string) { l.channels.drop(id) }
