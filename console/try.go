package console

import (
	"net/http"
	"slices"
	"strings"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/filters/explain"
)

// maxTryText bounds the text try-it judges, in bytes.
const maxTryText = 16 << 10

// tryData is the data of the try-it page.
type tryData struct {
	Text, Lang  string
	Langs       []string
	Judged      bool
	Verdict     *filters.Verdict
	Segments    []explain.Segment
	Explanation string // as `vigie check` prints it
	Version     string // the rules version judged with
	TooLong     bool
}

// tryLangs are the languages try-it offers ("" detects).
var tryLangs = []string{"", "fr", "en"}

// tryPage shows the try-it form.
func (c *Console) tryPage(w http.ResponseWriter, r *http.Request, s *session) {
	p := c.newPage(r, s, "try")
	p.Title = p.T("try.title")
	p.Data = &tryData{Langs: tryLangs}
	c.render(w, http.StatusOK, "try", p)
}

// try judges a message with the live rules and explains the verdict as
// `vigie check` does. Nothing is recorded and the text is not logged.
func (c *Console) try(w http.ResponseWriter, r *http.Request, s *session) {
	p := c.newPage(r, s, "try")
	p.Title = p.T("try.title")
	d := &tryData{Text: r.PostFormValue("text"), Lang: r.PostFormValue("lang"), Langs: tryLangs}
	if !slices.Contains(tryLangs, d.Lang) {
		d.Lang = ""
	}
	p.Data = d
	if len(d.Text) > maxTryText {
		d.TooLong = true
		c.render(w, http.StatusRequestEntityTooLarge, "try", p)
		return
	}
	snap := c.rules.Current()
	if snap == nil || snap.Classifier == nil {
		c.fail(w, r, s, http.StatusServiceUnavailable, "error.no_rules")
		return
	}
	if strings.TrimSpace(d.Text) != "" {
		v := snap.Classifier.Classify(r.Context(), filters.Message{Text: d.Text, Lang: d.Lang, Detect: true})
		var sb strings.Builder
		if err := explain.Write(&sb, d.Text, &v, explain.Plain); err != nil {
			c.serverError(w, r, s, "explain verdict", err)
			return
		}
		d.Judged, d.Verdict, d.Explanation, d.Version = true, &v, sb.String(), snap.Version
		d.Segments = explain.Segments(d.Text, explain.FindingSpans(&v))
		c.log.Info("console: try-it", zap.String("user", s.who()), zap.String("action", string(v.Action)))
	}
	c.render(w, http.StatusOK, "try", p)
}
