package bot_test

import (
	"fmt"

	"github.com/vigie-edu/vigie/bot"
)

// A webhook receiver checks the X-Vigie-Signature header by signing the
// body it received with the shared secret (the same value as
// `openssl dgst -sha256 -hmac s3cret`).
func ExampleSign() {
	body := []byte(`{"type":"incident","incident_id":"inc_1"}`)
	fmt.Println(bot.Sign([]byte("s3cret"), body))
	// Output: sha256=2a052c0a8eaff008f411d1c6c60d4dd5f9519a7b7e237b46d988fe70ed05cf21
}

// A school's texts are checked before the bot uses them; a template
// that refers to a field the bot does not give is an error.
func ExampleTexts_Validate() {
	texts := bot.Texts{"fr": {
		"notice.author": "Ton message dans {{.Channel}} a été retiré : {{.Rule}}.",
		"alert.title":   "Alerte {{.Classe}}",
	}}
	fmt.Println(texts.Validate())
	// Output: texts.fr.alert.title: template: fr.alert.title:1:9: executing "fr.alert.title" at <.Classe>: can't evaluate field Classe in type bot.TextData
}
