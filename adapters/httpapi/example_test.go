package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/vigie-edu/vigie/adapters/httpapi"
	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/reload"
	"github.com/vigie-edu/vigie/store"
)

// A school's system posts each message to /v1/moderate and acts on the
// answer: "remove" asks it to remove the message (Vigie has recorded the
// incident); "allow" lets it be.
func Example() {
	snap, _, err := reload.Load("") // the embedded default rules
	if err != nil {
		panic(err)
	}
	rules := bot.NewRulesHolder(snap)
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		panic(err)
	}
	defer st.Close()
	b, err := bot.New(bot.Options{Rules: rules, Store: st})
	if err != nil {
		panic(err)
	}
	srv, err := httpapi.New(httpapi.Options{Bot: b, Rules: rules, Store: st})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	for _, text := range []string{"t'es qu'un gros connard", "on révise ensemble ce soir ?"} {
		body, _ := json.Marshal(httpapi.ModerateRequest{Text: text, Class: "5e-a", Author: "eleve-42"})
		resp, err := http.Post(ts.URL+"/v1/moderate", "application/json", strings.NewReader(string(body)))
		if err != nil {
			panic(err)
		}
		var got httpapi.ModerateResponse
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Printf("%s %v incident=%v\n", got.Action, got.Categories, got.IncidentID != "")
	}
	// Output:
	// remove [{insult high}] incident=true
	// allow [] incident=false
}
