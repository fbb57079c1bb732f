package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigie-edu/vigie/filters"
)

// sqlStore implements Store on database/sql for both backends; d holds
// what differs between them.
type sqlStore struct {
	db  *sql.DB
	d   *dialect
	now func() time.Time
	// writes lets one write transaction run at a time (SQLite; nil for
	// PostgreSQL); ckpt checkpoints the WAL (SQLite file; else nil). See
	// write.go.
	writes *writeSlot
	ckpt   *checkpointer
	// ownCheckpoints: automatic checkpoints are off, Open starts ckpt.
	ownCheckpoints bool
}

// notFoundError is a not-found error that names what was missing and
// matches ErrNotFound with errors.Is.
type notFoundError struct{ what string }

func (e *notFoundError) Error() string        { return e.what + " not found" }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// incidentColumns are the columns scanIncident reads, in order.
const incidentColumns = `i.id, i.platform, i.class_id, i.class_name, i.channel_id, i.channel_name,
	i.message_id, i.author_id, i.author_name, i.kind, i.posted_at, i.recorded_at, i.text,
	i.attachments, i.link, i.verdict, i.action, i.dry_run, i.followed_up_at, i.followed_up_by, i.note`

// clock returns the store's time, in UTC, to the microsecond (both
// backends keep microseconds).
func (s *sqlStore) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// categoryScores returns the verdict's categories, one per name with its
// highest severity.
func categoryScores(v *filters.Verdict) []filters.CategoryScore {
	out := make([]filters.CategoryScore, 0, len(v.Categories))
	idx := map[filters.Category]int{}
	for _, c := range v.Categories {
		name := filters.Category(storable(string(c.Name)))
		if i, ok := idx[name]; ok {
			out[i].Severity = max(out[i].Severity, c.Severity)
			continue
		}
		idx[name] = len(out)
		out = append(out, filters.CategoryScore{Name: name, Severity: c.Severity})
	}
	return out
}

func checkStep(st Step) error {
	if st.Name == "" {
		return fmt.Errorf("%w: step without a name", ErrInvalid)
	}
	if !validStatus(st.Status) {
		return fmt.Errorf("%w: step %q: status %q (want ok, failed, skipped or dry_run)", ErrInvalid, st.Name, st.Status)
	}
	return nil
}

// Record implements Store.
func (s *sqlStore) Record(ctx context.Context, in *Incident) (string, error) {
	id, rec, err := s.record(ctx, in)
	if err != nil {
		return "", fmt.Errorf("store: record incident: %w", err)
	}
	in.ID, in.Recorded = id, rec
	return id, nil
}

func (s *sqlStore) record(ctx context.Context, in *Incident) (string, time.Time, error) {
	if in == nil {
		return "", time.Time{}, fmt.Errorf("%w: nil incident", ErrInvalid)
	}
	if in.Platform == "" {
		return "", time.Time{}, fmt.Errorf("%w: no platform", ErrInvalid)
	}
	if in.Kind == "" {
		return "", time.Time{}, fmt.Errorf("%w: no kind", ErrInvalid)
	}
	for _, st := range in.Steps {
		if err := checkStep(st); err != nil {
			return "", time.Time{}, err
		}
	}
	verdict, err := storableJSON(in.Verdict)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("encode verdict: %w", err)
	}
	att := make([]string, len(in.Attachments))
	for i, a := range in.Attachments {
		att[i] = storable(a)
	}
	attachments, err := json.Marshal(att)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("encode attachments: %w", err)
	}
	now := s.clock()
	id := newID(now)
	cats := categoryScores(&in.Verdict)
	top := in.TopCategory()

	tx, done, err := s.beginWrite(ctx, true)
	if err != nil {
		return "", time.Time{}, err
	}
	defer done()
	_, err = tx.ExecContext(ctx, s.d.q(`INSERT INTO incidents (
		id, platform, class_id, class_name, channel_id, channel_name, message_id,
		author_id, author_name, kind, posted_at, recorded_at, text, attachments, link,
		verdict, action, verdict_action, top_category, severity, lang, dry_run)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		id, storable(in.Platform), storable(in.ClassID), storable(in.ClassName),
		storable(in.ChannelID), storable(in.ChannelName), storable(in.MessageID),
		storable(in.AuthorID), storable(in.AuthorName), storable(string(in.Kind)),
		s.d.nullTime(in.Time), s.d.time(now), storable(in.Text), string(attachments),
		storable(in.Link), string(verdict), storable(string(in.Action)),
		storable(string(in.Verdict.Action)), storable(string(top)),
		int64(in.Verdict.Severity()), storable(in.Verdict.Lang), in.DryRun)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("insert: %w", err)
	}
	for _, c := range cats {
		if _, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO incident_categories (incident_id, category, severity) VALUES (?, ?, ?)`),
			id, string(c.Name), int64(c.Severity)); err != nil {
			return "", time.Time{}, fmt.Errorf("insert category: %w", err)
		}
	}
	for _, st := range in.Steps {
		if err := s.insertStep(ctx, tx, id, st, now); err != nil {
			return "", time.Time{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		return "", time.Time{}, fmt.Errorf("commit: %w", err)
	}
	return id, now, nil
}

func (s *sqlStore) insertStep(ctx context.Context, tx *sql.Tx, id string, st Step, now time.Time) error {
	at := st.At
	if at.IsZero() {
		at = now
	}
	_, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO incident_steps (incident_id, name, target, status, detail, at)
		VALUES (?, ?, ?, ?, ?, ?)`),
		id, storable(st.Name), storable(st.Target), st.Status, storable(st.Detail), s.d.time(at))
	if err != nil {
		return fmt.Errorf("insert step %s: %w", st.Name, err)
	}
	return nil
}

// AddStep implements Store.
func (s *sqlStore) AddStep(ctx context.Context, id string, st Step) error {
	if err := s.addStep(ctx, id, st); err != nil {
		return fmt.Errorf("store: add step to incident %s: %w", storable(id), err)
	}
	return nil
}

func (s *sqlStore) addStep(ctx context.Context, id string, st Step) error {
	id = storable(id)
	if err := checkStep(st); err != nil {
		return err
	}
	tx, done, err := s.beginWrite(ctx, false)
	if err != nil {
		return err
	}
	defer done()
	var one int
	err = tx.QueryRowContext(ctx, s.d.q("SELECT 1 FROM incidents WHERE id = ?"+s.d.keyShare), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("look up: %w", err)
	}
	if st.At.IsZero() {
		st.At = s.clock()
	}
	if err := s.insertStep(ctx, tx, id, st, st.At); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

func scanIncident(r scanner) (*Incident, error) {
	var (
		in                    Incident
		kind, action          string
		posted, recorded, fup dbTime
		attachments, verdict  []byte
	)
	err := r.Scan(&in.ID, &in.Platform, &in.ClassID, &in.ClassName, &in.ChannelID, &in.ChannelName,
		&in.MessageID, &in.AuthorID, &in.AuthorName, &kind, &posted, &recorded, &in.Text,
		&attachments, &in.Link, &verdict, &action, &in.DryRun, &fup, &in.FollowedUpBy, &in.Note)
	if err != nil {
		return nil, err
	}
	in.Kind, in.Action = Kind(kind), filters.Action(action)
	in.Time, in.Recorded, in.FollowedUpAt = posted.t, recorded.t, fup.ptr()
	if err := json.Unmarshal(attachments, &in.Attachments); err != nil {
		return nil, fmt.Errorf("incident %s: decode attachments: %w", in.ID, err)
	}
	if err := json.Unmarshal(verdict, &in.Verdict); err != nil {
		return nil, fmt.Errorf("incident %s: decode verdict: %w", in.ID, err)
	}
	return &in, nil
}

// Get implements Store.
func (s *sqlStore) Get(ctx context.Context, id string) (*Incident, error) {
	row := s.db.QueryRowContext(ctx, s.d.q("SELECT "+incidentColumns+" FROM incidents i WHERE i.id = ?"), storable(id))
	in, err := scanIncident(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: get incident %s: %w", storable(id), ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get incident %s: %w", storable(id), err)
	}
	if err := s.loadSteps(ctx, []*Incident{in}); err != nil {
		return nil, fmt.Errorf("store: get incident %s: %w", storable(id), err)
	}
	return in, nil
}

// stepBatch bounds the number of ids in one "IN (…)" list.
const stepBatch = 500

// loadSteps fills the steps of incs, in the order they were added.
func (s *sqlStore) loadSteps(ctx context.Context, incs []*Incident) error {
	byID := make(map[string]*Incident, len(incs))
	for _, in := range incs {
		byID[in.ID] = in
		in.Steps = []Step{}
	}
	for start := 0; start < len(incs); start += stepBatch {
		batch := incs[start:min(start+stepBatch, len(incs))]
		args := make([]any, len(batch))
		for i, in := range batch {
			args[i] = in.ID
		}
		query := "SELECT incident_id, name, target, status, detail, at FROM incident_steps WHERE incident_id IN (" +
			strings.TrimSuffix(strings.Repeat("?, ", len(batch)), ", ") + ") ORDER BY seq"
		rows, err := s.db.QueryContext(ctx, s.d.q(query), args...)
		if err != nil {
			return fmt.Errorf("read steps: %w", err)
		}
		for rows.Next() {
			var (
				id string
				st Step
				at dbTime
			)
			if err := rows.Scan(&id, &st.Name, &st.Target, &st.Status, &st.Detail, &at); err != nil {
				rows.Close()
				return fmt.Errorf("read steps: %w", err)
			}
			st.At = at.t
			if in := byID[id]; in != nil {
				in.Steps = append(in.Steps, st)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read steps: %w", err)
		}
	}
	return nil
}

// where returns the WHERE clause (possibly empty) selecting f, with its
// arguments.
func (s *sqlStore) where(f Filter) (string, []any) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if f.Platform != "" {
		add("i.platform = ?", storable(f.Platform))
	}
	if f.Class != "" {
		add("(i.class_id = ? OR i.class_name = ?)", storable(f.Class), storable(f.Class))
	}
	if f.Author != "" {
		add("i.author_id = ?", storable(f.Author))
	}
	if f.Action != "" {
		add("i.action = ?", storable(string(f.Action)))
	}
	if !f.Since.IsZero() {
		add("i.recorded_at >= ?", s.d.time(f.Since))
	}
	if !f.Until.IsZero() {
		add("i.recorded_at < ?", s.d.time(f.Until))
	}
	if f.Category != "" {
		add("EXISTS (SELECT 1 FROM incident_categories c WHERE c.incident_id = i.id AND c.category = ?)", storable(f.Category))
	}
	if f.FollowedUp != nil {
		if *f.FollowedUp {
			add("i.followed_up_at IS NOT NULL")
		} else {
			add("i.followed_up_at IS NULL")
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// List implements Store.
func (s *sqlStore) List(ctx context.Context, f Filter) ([]*Incident, error) {
	if f.Limit < 0 || f.Offset < 0 {
		return nil, fmt.Errorf("store: list incidents: %w: negative limit or offset", ErrInvalid)
	}
	where, args := s.where(f)
	query := "SELECT " + incidentColumns + " FROM incidents i" + where + " ORDER BY i.recorded_at DESC, i.id DESC"
	switch {
	case f.Limit > 0:
		query += " LIMIT ?"
		args = append(args, int64(f.Limit))
	case f.Offset > 0:
		query += " LIMIT " + s.d.noLimit
	}
	if f.Offset > 0 {
		query += " OFFSET ?"
		args = append(args, int64(f.Offset))
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list incidents: %w", err)
	}
	var out []*Incident
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: list incidents: %w", err)
		}
		out = append(out, in)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list incidents: %w", err)
	}
	// Steps are read once the incident rows are closed: an in-memory
	// SQLite database has a single connection.
	if err := s.loadSteps(ctx, out); err != nil {
		return nil, fmt.Errorf("store: list incidents: %w", err)
	}
	return out, nil
}

// Count implements Store.
func (s *sqlStore) Count(ctx context.Context, f Filter) (int, error) {
	where, args := s.where(f)
	var n int
	if err := s.db.QueryRowContext(ctx, s.d.q("SELECT COUNT(*) FROM incidents i"+where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count incidents: %w", err)
	}
	return n, nil
}

// CountByAuthor implements Store.
func (s *sqlStore) CountByAuthor(ctx context.Context, platform, class, author string, action filters.Action, since time.Time) (int, error) {
	query := "SELECT COUNT(*) FROM incidents WHERE platform = ? AND class_id = ? AND author_id = ? AND recorded_at >= ?"
	args := []any{storable(platform), storable(class), storable(author), s.d.time(since)}
	if action != "" {
		query += " AND action = ?"
		args = append(args, storable(string(action)))
	}
	var n int
	if err := s.db.QueryRowContext(ctx, s.d.q(query), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count incidents by author: %w", err)
	}
	return n, nil
}

// FollowUp implements Store.
func (s *sqlStore) FollowUp(ctx context.Context, id, by, note string, at time.Time) error {
	if at.IsZero() {
		at = s.clock()
	}
	res, err := s.execWrite(ctx, s.d.q("UPDATE incidents SET followed_up_at = ?, followed_up_by = ?, note = ? WHERE id = ?"),
		s.d.time(at), storable(by), storable(note), storable(id))
	if err != nil {
		return fmt.Errorf("store: follow up incident %s: %w", storable(id), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: follow up incident %s: %w", storable(id), err)
	}
	if n == 0 {
		return fmt.Errorf("store: follow up incident %s: %w", storable(id), ErrNotFound)
	}
	return nil
}

// Purge implements Store. Steps and categories go with their incidents
// (ON DELETE CASCADE).
func (s *sqlStore) Purge(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.execWrite(ctx, s.d.q("DELETE FROM incidents WHERE recorded_at < ?"), s.d.time(before))
	if err != nil {
		return 0, fmt.Errorf("store: purge incidents: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: purge incidents: %w", err)
	}
	return n, nil
}

// GetClassSettings implements Store.
func (s *sqlStore) GetClassSettings(ctx context.Context, platform, class string) (*ClassSettings, error) {
	var (
		cs      = ClassSettings{Platform: platform, Class: class}
		dryRun  sql.NullBool
		updated dbTime
	)
	err := s.db.QueryRowContext(ctx, s.d.q(`SELECT alert_channel, teacher_role, locale, dry_run, updated_by, updated_at
		FROM class_settings WHERE platform = ? AND class = ?`), storable(platform), storable(class)).
		Scan(&cs.AlertChannel, &cs.TeacherRole, &cs.Locale, &dryRun, &cs.UpdatedBy, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: get settings of class %s/%s: %w", storable(platform), storable(class), &notFoundError{what: "class settings"})
	}
	if err != nil {
		return nil, fmt.Errorf("store: get settings of class %s/%s: %w", storable(platform), storable(class), err)
	}
	if dryRun.Valid {
		cs.DryRun = &dryRun.Bool
	}
	cs.UpdatedAt = updated.t
	return &cs, nil
}

// PutClassSettings implements Store.
func (s *sqlStore) PutClassSettings(ctx context.Context, cs ClassSettings) error {
	if cs.Platform == "" || cs.Class == "" {
		return fmt.Errorf("store: put class settings: %w: platform and class are required", ErrInvalid)
	}
	if cs.UpdatedAt.IsZero() {
		cs.UpdatedAt = s.clock()
	}
	var dryRun any
	if cs.DryRun != nil {
		dryRun = *cs.DryRun
	}
	_, err := s.execWrite(ctx, s.d.q(`INSERT INTO class_settings
		(platform, class, alert_channel, teacher_role, locale, dry_run, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, class) DO UPDATE SET
			alert_channel = excluded.alert_channel,
			teacher_role = excluded.teacher_role,
			locale = excluded.locale,
			dry_run = excluded.dry_run,
			updated_by = excluded.updated_by,
			updated_at = excluded.updated_at`),
		storable(cs.Platform), storable(cs.Class), storable(cs.AlertChannel), storable(cs.TeacherRole),
		storable(cs.Locale), dryRun, storable(cs.UpdatedBy), s.d.time(cs.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: put settings of class %s/%s: %w", storable(cs.Platform), storable(cs.Class), err)
	}
	return nil
}

// Ping implements Store.
// A SQLite store whose last WAL checkpoint failed reports that error
// (the next checkpoint retries; nothing is lost meanwhile).
func (s *sqlStore) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if err := s.ckpt.lastErr(); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close implements Store.
func (s *sqlStore) Close() error {
	s.ckpt.close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}
