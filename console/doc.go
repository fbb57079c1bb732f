// Package console is Vigie's web console for teachers, the school's
// safety lead and school IT, served by `vigie run` under /console/.
//
// Teachers sign in without a password: `/vigie console` in a class chat
// answers privately with a one-time link, valid 15 minutes and signed
// with HMAC-SHA256, that opens a session scoped to that class (more
// classes join the session as the teacher opens their links). School IT
// signs in with an admin token, whose SHA-256 hash only is configured,
// and sees every class. The console shows each class's incidents with
// filters, the evidence of each incident (explicit content blurred until
// clicked, the matched spans highlighted), what Vigie did and whether
// each step worked; it exports an incident as printable HTML and JSON
// and records the follow-up note (store.FollowUp); it draws the trends
// per day and category as server-rendered SVG and lists the students
// with repeated incidents; its try-it page explains the live rules'
// verdict on a pasted message exactly as `vigie check` does.
//
// Everything is rendered on the server with html/template (message text
// is written by students and is escaped everywhere), the stylesheet is
// embedded with go:embed, and there is no JavaScript. Every page checks
// the session and its scope on the server, every form carries a
// synchronizer token tied to the session, cookies are HttpOnly,
// SameSite=Strict and Secure over HTTPS, and pages are sent with a
// strict Content-Security-Policy and Cache-Control: no-store.
//
// The console is a package of its own rather than part of the HTTP API
// (adapters/httpapi): it has its own sign-in, sessions, CSRF protection,
// templates, translations and charts, it serves people rather than
// programs, and it reads the store and the rules without going through
// the bot. The API mounts it; the bot only asks it for sign-in links
// through the small bot.ConsoleLinker interface.
//
// Used link nonces and sessions are kept in memory, with their expiry:
// a restart signs everybody out and refuses every link issued before it
// (Options.Now at New), so that a link can never be used twice even
// across restarts, without a table in the store.
package console
