package console

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vigie-edu/vigie/store"
)

// classInfo is a class as the console lists it.
type classInfo struct {
	ClassRef
	Name string
}

// Label names a class for people: its name, else its id, with the
// platform.
func (ci classInfo) Label() string {
	name := ci.Name
	if name == "" {
		name = ci.Class
	}
	return name + " (" + ci.Platform + ")"
}

// classScanWindow is how far back the admin's class list looks for
// classes that are not in the rules.
const classScanWindow = 365 * 24 * time.Hour

// classes returns the classes a session may see, sorted by label: a
// teacher's classes, or for an admin every class of the rules and every
// class with incidents in the last year.
func (c *Console) classes(ctx context.Context, s *session) ([]classInfo, error) {
	names := map[ClassRef]string{}
	var refs []ClassRef
	add := func(r ClassRef, name string) {
		if old, ok := names[r]; !ok {
			refs = append(refs, r)
			names[r] = name
		} else if old == "" {
			names[r] = name
		}
	}
	if snap := c.rules.Current(); snap != nil {
		for _, cl := range snap.Config.Classes {
			r := ClassRef{Platform: string(cl.Platform), Class: cl.ID}
			if cl.Platform != "" && cl.ID != "" && s.allows(r.Platform, r.Class) {
				add(r, cl.Name)
			}
		}
	}
	if s.Admin {
		incs, err := c.store.List(ctx, store.Filter{Since: c.now().Add(-classScanWindow), Limit: c.maxIncidents})
		if err != nil {
			return nil, fmt.Errorf("list classes: %w", err)
		}
		for _, in := range incs {
			add(ClassRef{Platform: in.Platform, Class: in.ClassID}, in.ClassName)
		}
	} else {
		for _, r := range s.Classes {
			add(r, "")
			if names[r] != "" {
				continue
			}
			incs, err := c.store.List(ctx, store.Filter{Platform: r.Platform, Class: r.Class, Limit: 20})
			if err != nil {
				return nil, fmt.Errorf("name class: %w", err)
			}
			for _, in := range incs {
				if in.ClassID == r.Class && in.ClassName != "" {
					names[r] = in.ClassName
					break
				}
			}
		}
	}
	out := make([]classInfo, len(refs))
	for i, r := range refs {
		out[i] = classInfo{ClassRef: r, Name: names[r]}
	}
	slices.SortFunc(out, func(a, b classInfo) int { return cmp.Compare(a.Label(), b.Label()) })
	return out, nil
}

// scope returns the classes to read: the one asked for (if the session
// may see it), else every class of a teacher; nil with ok for an admin
// who asked for none (every class at once).
func scope(s *session, key string) (refs []ClassRef, ok bool) {
	if key != "" {
		r, valid := parseClassKey(key)
		if !valid || !s.allows(r.Platform, r.Class) {
			return nil, false
		}
		return []ClassRef{r}, true
	}
	if s.Admin {
		return nil, true
	}
	return slices.Clone(s.Classes), true
}

// fetch reads the incidents of the classes (every class when refs is
// nil) recorded in [since, until), newest first, at most maxIncidents
// per class; truncated says that the cap was reached. Incidents are
// kept only when the session may see their exact class (the store's
// class filter also matches class names).
func (c *Console) fetch(ctx context.Context, s *session, refs []ClassRef, since, until time.Time) (incs []*store.Incident, truncated bool, err error) {
	queries := []store.Filter{{Since: since, Until: until, Limit: c.maxIncidents}}
	if refs != nil {
		queries = queries[:0]
		for _, r := range refs {
			queries = append(queries, store.Filter{Platform: r.Platform, Class: r.Class, Since: since, Until: until, Limit: c.maxIncidents})
		}
	}
	for _, f := range queries {
		got, err := c.store.List(ctx, f)
		if err != nil {
			return nil, false, fmt.Errorf("list incidents: %w", err)
		}
		truncated = truncated || len(got) >= c.maxIncidents
		for _, in := range got {
			if s.allows(in.Platform, in.ClassID) && (f.Class == "" || in.ClassID == f.Class) {
				incs = append(incs, in)
			}
		}
	}
	if len(queries) > 1 {
		slices.SortStableFunc(incs, func(a, b *store.Incident) int {
			if d := b.Recorded.Compare(a.Recorded); d != 0 {
				return d
			}
			return cmp.Compare(b.ID, a.ID)
		})
	}
	return incs, truncated, nil
}
