package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// incidentsEnv is what the incidents commands take from the process:
// the environment, the clock and the time zone of the times they show.
type incidentsEnv struct {
	getenv func(string) string
	now    func() time.Time
	loc    *time.Location
}

func newIncidentsCmd() *cobra.Command {
	return newIncidentsCmdEnv(incidentsEnv{getenv: os.Getenv, now: time.Now, loc: time.Local})
}

// incidentsOpts are the flags shared by the incidents subcommands.
type incidentsOpts struct {
	env  incidentsEnv
	dsn  string
	lang string
	utc  bool
}

// texts returns the messages in the chosen language.
func (o *incidentsOpts) texts() *incidentTexts {
	lang := o.lang
	if lang == "" {
		lang = o.env.getenv("VIGIE_LANG")
	}
	if lang == "" {
		for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
			if v := o.env.getenv(k); v != "" {
				lang = v
				break
			}
		}
	}
	if strings.HasPrefix(strings.ToLower(lang), "fr") {
		return &textsFR
	}
	return &textsEN
}

// location is where times are read and shown.
func (o *incidentsOpts) location() *time.Location {
	if o.utc || o.env.loc == nil {
		return time.UTC
	}
	return o.env.loc
}

// open opens the store. A SQLite file that does not exist is an error
// rather than a new, empty store.
func (o *incidentsOpts) open(ctx context.Context) (store.Store, error) {
	backend, target, err := store.ParseDSN(o.dsn)
	if err != nil {
		return nil, err
	}
	if backend == store.SQLite && target != ":memory:" && !strings.HasPrefix(target, "file:") {
		path, _, _ := strings.Cut(target, "?")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no incident store at %s (set --store or VIGIE_STORE): %w", path, err)
		}
	}
	return store.Open(ctx, o.dsn)
}

func newIncidentsCmdEnv(env incidentsEnv) *cobra.Command {
	o := &incidentsOpts{env: env}
	cmd := &cobra.Command{
		Use:   "incidents",
		Short: "Read, export and purge the incident log",
		Long: `The incident log keeps every message Vigie acted on: the evidence (the
full text, attachments and embeds), the verdict, the action the class's
policy decided and the outcome of every step (deletion, notices, alerts,
time-outs).

The store is a SQLite file (a path, "sqlite:PATH" or "file:PATH") or a
PostgreSQL database ("postgres://…"), given by --store or VIGIE_STORE,
else "vigie.db". A PostgreSQL password is never printed.

Times are read and shown in the local time zone (--utc: in UTC); --since
and --until take an age (7d, 2w, 36h), a date (2026-01-31), a date and
time (2026-01-31 14:00) or RFC 3339. Messages are in French or English
(--lang, else VIGIE_LANG, LC_ALL, LC_MESSAGES, LANG).`,
	}
	def := env.getenv("VIGIE_STORE")
	if def == "" {
		def = "vigie.db"
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.dsn, "store", def, "incident store `DSN`: a SQLite path or postgres://… (default from VIGIE_STORE)")
	pf.StringVar(&o.lang, "lang", "", "language of the output: fr or en")
	pf.BoolVar(&o.utc, "utc", false, "read and show times in UTC instead of the local time zone")
	cmd.AddCommand(newIncidentsListCmd(o), newIncidentsShowCmd(o), newIncidentsExportCmd(o), newIncidentsPurgeCmd(o))
	return cmd
}

// filterFlags are the flags that select incidents.
type filterFlags struct {
	class, platform, since, until, category, author, action string
	limit, offset                                           int
}

func (ff *filterFlags) register(cmd *cobra.Command, defaultLimit int) {
	f := cmd.Flags()
	f.StringVar(&ff.class, "class", "", "class id or name")
	f.StringVar(&ff.platform, "platform", "", "platform: discord, mattermost or http")
	f.StringVar(&ff.since, "since", "", "recorded at or after `TIME` (7d, 2026-01-31, \"2026-01-31 14:00\", RFC 3339)")
	f.StringVar(&ff.until, "until", "", "recorded before `TIME`")
	f.StringVar(&ff.category, "category", "", "verdict category, e.g. insult, hate, self_harm")
	f.StringVar(&ff.author, "author", "", "author's user id")
	f.StringVar(&ff.action, "action", "", "action decided: remove, alert or allow")
	f.IntVar(&ff.limit, "limit", defaultLimit, "at most `N` incidents, newest first (0: all)")
	f.IntVar(&ff.offset, "offset", 0, "skip the `N` newest incidents")
}

// filter builds the store filter; times are read in loc.
func (ff *filterFlags) filter(now time.Time, loc *time.Location) (store.Filter, error) {
	f := store.Filter{
		Platform: ff.platform, Class: ff.class, Author: ff.author, Category: ff.category,
		Limit: ff.limit, Offset: ff.offset,
	}
	if ff.limit < 0 || ff.offset < 0 {
		return f, errors.New("--limit and --offset must not be negative")
	}
	if ff.action != "" {
		a, err := filters.ParseAction(ff.action)
		if err != nil {
			return f, fmt.Errorf("--action: %w", err)
		}
		f.Action = a
	}
	var err error
	if ff.since != "" {
		if f.Since, err = store.ParseTime(ff.since, now, loc); err != nil {
			return f, fmt.Errorf("--since: %w", err)
		}
	}
	if ff.until != "" {
		if f.Until, err = store.ParseTime(ff.until, now, loc); err != nil {
			return f, fmt.Errorf("--until: %w", err)
		}
	}
	return f, nil
}

func newIncidentsListCmd(o *incidentsOpts) *cobra.Command {
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "list [--class C] [--platform P] [--since 7d] [--until TIME] [--category c] [--author ID] [--limit N]",
		Short: "List incidents, newest first, without their text",
		Example: `  vigie incidents list --since 7d
  vigie incidents list --class "4e B" --category insult --limit 20`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loc := o.location()
			f, err := ff.filter(o.env.now(), loc)
			if err != nil {
				return err
			}
			s, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			incs, err := s.List(cmd.Context(), f)
			if err != nil {
				return err
			}
			total, err := s.Count(cmd.Context(), f)
			if err != nil {
				return err
			}
			return writeIncidentTable(cmd.OutOrStdout(), incs, total, o.texts(), loc)
		},
	}
	ff.register(cmd, 50)
	return cmd
}

// writeIncidentTable prints one line per incident (never the text) and
// how many there are in all.
func writeIncidentTable(w io.Writer, incs []*store.Incident, total int, tx *incidentTexts, loc *time.Location) error {
	ew := &errWriter{w: w}
	if len(incs) == 0 {
		ew.printf("%s\n", tx.none)
		return ew.err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	tew := &errWriter{w: tw}
	tew.printf("%s\n", strings.Join(tx.columns, "\t"))
	for _, in := range incs {
		cats := make([]string, len(in.Verdict.Categories))
		for i, c := range in.Verdict.Categories {
			cats[i] = string(c.Name)
		}
		steps := make([]string, len(in.Steps))
		for i, s := range in.Steps {
			steps[i] = s.Name + ":" + s.Status
		}
		action := string(in.Action)
		if in.DryRun {
			action += " (" + tx.dryRun + ")"
		}
		tew.printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			in.ID, in.Recorded.In(loc).Format("2006-01-02 15:04"),
			cell(orID(in.ClassName, in.ClassID)), cell(orID(in.ChannelName, in.ChannelID)),
			cell(author(in)), action, cell(orDash(strings.Join(cats, ","))), cell(orDash(strings.Join(steps, " "))))
	}
	if tew.err != nil {
		return tew.err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	ew.printf(tx.count+"\n", len(incs), total)
	return ew.err
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return orDash(id)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func author(in *store.Incident) string {
	switch {
	case in.AuthorName != "" && in.AuthorID != "":
		return in.AuthorName + " (" + in.AuthorID + ")"
	case in.AuthorName != "":
		return in.AuthorName
	}
	return orDash(in.AuthorID)
}

// cell makes untrusted text fit one table cell: control characters,
// tabs and line breaks become visible escapes, so that a name cannot
// break the table or drive the terminal.
func cell(s string) string { return printable(s, false) }

// printable returns s with every control or invisible formatting
// character (zero-width, bidi) shown as an escape such as \x1b or
// <U+202E>, so that the evidence cannot drive the operator's terminal
// and hidden characters can be seen. With multiline, line breaks and
// tabs are kept.
func printable(s string, multiline bool) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				fmt.Fprintf(&b, "\\x%02x", s[i])
			} else {
				b.WriteRune(r)
			}
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, "\\x%02x", r)
		case unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func newIncidentsShowCmd(o *incidentsOpts) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show [--json] ID",
		Short: "Show one incident with everything, the evidence text included",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			in, err := s.Get(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return store.WriteJSON(cmd.OutOrStdout(), []*store.Incident{in})
			}
			return writeIncident(cmd.OutOrStdout(), in, o.texts(), o.location())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the incident as JSON (an array of one)")
	return cmd
}

// writeIncident prints every detail of an incident, the evidence last.
func writeIncident(w io.Writer, in *store.Incident, tx *incidentTexts, loc *time.Location) error {
	ew := &errWriter{w: w}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	line := func(label, value string) { ew.printf("%-16s %s\n", label+":", value) }
	idName := func(name, id string) string {
		if name == "" {
			return cell(orDash(id))
		}
		return cell(name) + " (" + cell(id) + ")"
	}
	v := &in.Verdict
	line(tx.incident, in.ID)
	line(tx.recorded, ts(in.Recorded))
	line(tx.posted, ts(in.Time))
	line(tx.platform, cell(in.Platform))
	line(tx.class, idName(in.ClassName, in.ClassID))
	line(tx.channel, idName(in.ChannelName, in.ChannelID))
	line(tx.message, cell(orDash(in.MessageID)))
	line(tx.author, idName(in.AuthorName, in.AuthorID))
	line(tx.kind, cell(string(in.Kind)))
	action := string(in.Action)
	if in.DryRun {
		action += " (" + tx.dryRun + ")"
	}
	line(tx.action, action)
	line(tx.verdict, string(v.Action))
	cats := make([]string, len(v.Categories))
	for i, c := range v.Categories {
		cats[i] = fmt.Sprintf("%s (%s)", cell(string(c.Name)), c.Severity)
	}
	line(tx.categories, orDash(strings.Join(cats, ", ")))
	lang := "-"
	if v.Lang != "" {
		lang = fmt.Sprintf("%s (%.2f, %s)", cell(v.Lang), v.LangConfidence, v.LangSource)
	}
	line(tx.language, lang)
	if in.Link != "" {
		line(tx.link, cell(in.Link))
	}
	if len(in.Attachments) > 0 {
		ew.printf("%s:\n", tx.attachments)
		for _, a := range in.Attachments {
			ew.printf("  %s\n", cell(a))
		}
	}
	if len(v.Findings) > 0 {
		ew.printf("%s:\n", tx.findings)
		for _, f := range v.Findings {
			ew.printf("  %s  %s %s  %d-%d  %q\n", cell(f.Rule), cell(string(f.Category)), f.Severity, f.Span.Start, f.Span.End, f.Text)
		}
	}
	if len(v.Suppressed) > 0 {
		ew.printf("%s:\n", tx.suppressed)
		for _, s := range v.Suppressed {
			ew.printf("  %s  %s %s  %d-%d  %q  %s %s\n", cell(s.Rule), cell(string(s.Category)), s.Severity, s.Span.Start, s.Span.End, s.Text, cell(s.Reason), cell(s.By))
		}
	}
	if len(v.Links) > 0 {
		ew.printf("%s:\n", tx.links)
		for _, l := range v.Links {
			ew.printf("  %s  %s  %s\n", cell(l.URL), cell(orDash(string(l.Category))), cell(l.Reason))
		}
	}
	ew.printf("%s:\n", tx.steps)
	if len(in.Steps) == 0 {
		ew.printf("  -\n")
	}
	for _, s := range in.Steps {
		ew.printf("  %s  %s\n", ts(s.At), cell(store.StepSummary(s)))
	}
	if in.FollowedUpAt != nil {
		line(tx.followedUp, ts(*in.FollowedUpAt)+" "+tx.by+" "+cell(in.FollowedUpBy))
		if in.Note != "" {
			line(tx.note, printable(in.Note, true))
		}
	} else {
		line(tx.followedUp, tx.no)
	}
	ew.printf("%s:\n%s\n", tx.text, printable(in.Text, true))
	return ew.err
}

func newIncidentsExportCmd(o *incidentsOpts) *cobra.Command {
	var (
		ff               filterFlags
		format, out, sep string
		bom              bool
	)
	cmd := &cobra.Command{
		Use:   "export --format csv|json [--class C] [--since 7d] [--out FILE]",
		Short: "Export incidents with their evidence as CSV or JSON",
		Long: `Export writes the incidents the filters select, newest first, with all
their detail and the evidence text, as CSV (one row per incident; see the
columns in package store) or JSON (an array). The file is created
readable by its owner only: it holds personal data of minors.

In CSV, a cell that a spreadsheet would run as a formula starts with a
single quote. --bom and --separator ";" suit French spreadsheet programs.`,
		Example: `  vigie incidents export --format csv --since 30d --out incidents.csv
  vigie incidents export --format json --class "4e B" > 4eB.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "csv" && format != "json" {
				return fmt.Errorf("--format: %q (want csv or json)", format)
			}
			comma, size := utf8.DecodeRuneInString(sep)
			if format == "csv" && (size != len(sep) || sep == "" || comma == '"' || comma == '\n' || comma == '\r' || comma == utf8.RuneError) {
				return fmt.Errorf("--separator: %q (want one character such as , or ;)", sep)
			}
			f, err := ff.filter(o.env.now(), o.location())
			if err != nil {
				return err
			}
			s, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			incs, err := s.List(cmd.Context(), f)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			var file *os.File
			if out != "" && out != "-" {
				file, err = os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
				if err != nil {
					return fmt.Errorf("export: %w", err)
				}
				defer file.Close()
				w = file
			}
			if format == "json" {
				err = store.WriteJSON(w, incs)
			} else {
				err = store.WriteCSVWith(w, incs, store.CSVOptions{BOM: bom, Comma: comma})
			}
			if err != nil {
				return err
			}
			if file != nil {
				if err := file.Close(); err != nil {
					return fmt.Errorf("export: %w", err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), o.texts().exported+"\n", len(incs), out)
			}
			return nil
		},
	}
	ff.register(cmd, 0)
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "csv", "csv or json")
	fl.StringVarP(&out, "out", "o", "", "write to `FILE` (created with mode 0600) instead of the standard output")
	fl.StringVar(&sep, "separator", ",", "CSV field separator")
	fl.BoolVar(&bom, "bom", false, "start the CSV with a UTF-8 byte order mark (for Excel)")
	return cmd
}

func newIncidentsPurgeCmd(o *incidentsOpts) *cobra.Command {
	var (
		olderThan string
		dryRun    bool
	)
	cmd := &cobra.Command{
		Use:   "purge [--older-than 365d] [--dry-run]",
		Short: "Delete incidents recorded more than some days ago (retention)",
		Long: `Purge deletes the incidents recorded before now minus --older-than
(365 days by default), with their steps. --dry-run only counts them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			age, err := store.ParseAge(olderThan)
			if err != nil {
				return fmt.Errorf("--older-than: %w", err)
			}
			before := o.env.now().Add(-age)
			s, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			tx := o.texts()
			when := before.In(o.location()).Format("2006-01-02 15:04")
			if dryRun {
				n, err := s.Count(cmd.Context(), store.Filter{Until: before})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), tx.wouldPurge+"\n", n, when)
				return nil
			}
			n, err := s.Purge(cmd.Context(), before)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), tx.purged+"\n", n, when)
			return nil
		},
	}
	cmd.Flags().StringVar(&olderThan, "older-than", "365d", "retention: an age such as 365d, 52w or 720h")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "count the incidents that would be purged, delete nothing")
	return cmd
}

// incidentTexts are the user-facing texts of the incidents commands.
type incidentTexts struct {
	columns                                                  []string
	none, count, dryRun, exported, purged, wouldPurge        string
	incident, recorded, posted, platform, class, channel     string
	message, author, kind, action, verdict, categories       string
	language, link, attachments, findings, suppressed, links string
	steps, followedUp, by, no, note, text                    string
}

var textsEN = incidentTexts{
	columns:  []string{"ID", "RECORDED", "CLASS", "CHANNEL", "AUTHOR", "ACTION", "CATEGORIES", "STEPS"},
	none:     "No incidents.",
	count:    "%d shown of %d incidents.",
	dryRun:   "dry run",
	exported: "Exported %d incidents to %s.",
	purged:   "Purged %d incidents recorded before %s.",
	wouldPurge: "Would purge %d incidents recorded before %s " +
		"(dry run: nothing deleted).",
	incident: "Incident", recorded: "Recorded", posted: "Posted", platform: "Platform",
	class: "Class", channel: "Channel", message: "Message", author: "Author", kind: "Kind",
	action: "Action", verdict: "Verdict", categories: "Categories", language: "Language",
	link: "Link", attachments: "Attachments", findings: "Findings", suppressed: "Suppressed",
	links: "Links", steps: "Steps", followedUp: "Followed up", by: "by", no: "no",
	note: "Note", text: "Text (evidence)",
}

var textsFR = incidentTexts{
	columns:  []string{"ID", "ENREGISTRÉ", "CLASSE", "SALON", "AUTEUR", "ACTION", "CATÉGORIES", "ÉTAPES"},
	none:     "Aucun incident.",
	count:    "%d incident(s) affiché(s) sur %d.",
	dryRun:   "essai",
	exported: "%d incident(s) exporté(s) dans %s.",
	purged:   "%d incident(s) enregistré(s) avant le %s supprimé(s).",
	wouldPurge: "%d incident(s) enregistré(s) avant le %s seraient supprimé(s) " +
		"(essai : rien n'est supprimé).",
	incident: "Incident", recorded: "Enregistré", posted: "Publié", platform: "Plateforme",
	class: "Classe", channel: "Salon", message: "Message", author: "Auteur", kind: "Type",
	action: "Action", verdict: "Verdict", categories: "Catégories", language: "Langue",
	link: "Lien", attachments: "Pièces jointes", findings: "Détections", suppressed: "Écartées",
	links: "Liens", steps: "Étapes", followedUp: "Suivi", by: "par", no: "non",
	note: "Note", text: "Texte (preuve)",
}
