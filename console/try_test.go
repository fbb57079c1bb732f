package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/filters/explain"
	"github.com/vigie-edu/vigie/store"
)

func TestTryItExplainsWithTheLiveRules(t *testing.T) {
	e := newEnv(t)
	b := e.teacher(classA, teacherA)
	page := b.get("try")
	mustContain(t, "try page", page.body, `<label for="try-text">`, `<textarea id="try-text" name="text"`)
	token := csrf(t, page.body)

	text := "t'es qu'un idiot\net un connard"
	r := b.post("try", url.Values{"csrf": {token}, "text": {text}, "lang": {"fr"}})
	if r.status != http.StatusOK {
		t.Fatalf("try: %d", r.status)
	}
	v := testJudge().Classify(e.ctx, filters.Message{Text: text, Lang: "fr", Detect: true})
	var want strings.Builder
	explain.Write(&want, text, &v, explain.Plain)
	mustContain(t, "try result", r.body,
		"<pre class=\"explain\" id=\"explanation\" lang=\"en\">"+htmlEscape(want.String())+"</pre>",
		"t&#39;es qu&#39;un <mark>idiot</mark>\net un <mark>connard</mark>", "Supprimé, avec alerte aux professeurs",
		"Règles : version test-1", `<option value="fr" selected>fr</option>`)

	// A rules reload is seen at once.
	e.rules.Store(&bot.Snapshot{Classifier: &bottest.Judge{Words: map[string]filters.Category{"connard": filters.Insult},
		Actions: map[filters.Category]filters.Action{filters.Insult: filters.Alert}}, Version: "test-2"})
	r = b.post("try", url.Values{"csrf": {token}, "text": {text}})
	mustContain(t, "try after reload", r.body, "t&#39;es qu&#39;un idiot\net un <mark>connard</mark>", "Alerte aux professeurs", "version test-2")

	r = b.post("try", url.Values{"csrf": {token}, "text": {strings.Repeat("a", maxTryText+1)}})
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("long text: %d", r.status)
	}
	if n, _ := e.st.Count(e.ctx, store.Filter{}); n != 0 {
		t.Fatalf("try-it recorded %d incidents", n)
	}
	e.rules.Store(nil)
	if r := b.post("try", url.Values{"csrf": {token}, "text": {"x"}}); r.status != http.StatusServiceUnavailable {
		t.Fatalf("try without rules: %d", r.status)
	}
}

// htmlEscape escapes like html/template does for text.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
