package filters

import "github.com/vigie-edu/vigie/filters/links"

// MatchMode says how a lexicon or allowlist term matches the normalised
// token stream.
type MatchMode string

// Match modes.
const (
	// Word matches whole tokens only ("con" matches "con" but not "concours").
	Word MatchMode = "word"
	// Prefix matches at the start of a token ("encul" matches "enculé",
	// "enculer", "enculés": all forms of a verb).
	Prefix MatchMode = "prefix"
	// Substring matches anywhere, also inside words ("fuck" in
	// "motherfucker"); allowlists keep benign words safe.
	Substring MatchMode = "substring"
)

// Entry is one lexicon term.
type Entry struct {
	ID       string    // rule id; empty means "lex.<lang>.<term>"
	Term     string    // one or more words, as written (normalised on compile)
	Lang     string    // ISO 639-1 code of the lexicon it belongs to
	Category Category  //
	Severity Severity  //
	Mode     MatchMode // word (default), prefix or substring
	// LangDependent marks a word that is harmful in Lang but harmless or
	// common in another configured language ("bite", "con", "fag"): it
	// counts only when the message is judged to be in Lang. Other entries
	// count whatever the language (they carry no meaning elsewhere).
	LangDependent bool
	Source        string // "file:line", for explanations and errors
}

// AllowEntry is an allowlisted term: a lexicon or frame match lying
// entirely inside an allowlist match is suppressed ("analyse",
// "concours", "Essex", "moby dick", "bite d'amarrage").
type AllowEntry struct {
	Term   string
	Lang   string    // "" applies to every language
	Mode   MatchMode // word (default) or prefix
	Source string
}

// TermSet is a named list of terms (identity groups, predicates,
// second-person openers…) that frame and cue patterns refer to as @name.
// A term is one or more words; a trailing '*' makes its last word a
// prefix ("parasite*"), and a trailing '~' makes it also match its
// one-slip misspellings ("musulmans~" matches "muslmans", "musulamns";
// see typo.go).
type TermSet struct {
	Name   string
	Lang   string // "" for every language
	Terms  []string
	Source string
}

// Frame is a context pattern over tokens: when Pattern matches, the
// message gets a finding of Category with Severity, spanning the matched
// tokens. See rules/FORMAT.md for the pattern syntax.
type Frame struct {
	ID       string
	Lang     string // language of the pattern's words; "" for neutral
	Category Category
	Severity Severity
	Pattern  string
	Source   string
}

// CueKind says what a cue does to the findings in its scope.
type CueKind string

// Cue kinds; each is also the Suppression.Reason it gives.
const (
	CueReport   CueKind = "report"         // "il m'a traité de X": a report, not the insult
	CueNegation CueKind = "negation"       // "je ne pense pas que …": negated statement
	CueCounter  CueKind = "counter_speech" // "… c'est raciste": quoting hate to condemn it
	CueIdiom    CueKind = "idiom"          // "ce prof me tue", "mort de rire"
	CueSelf     CueKind = "self"           // "je suis gay": speaking of one's own identity
)

// Cue is a context pattern that suppresses findings near it. Its scope
// is the findings that start within After tokens after the cue's end, or
// end within Before tokens before its start; Message applies to every finding
// of the message (counter-speech: a condemnation anywhere, of something
// quoted). Categories limits the cue to findings of those categories
// (empty: all but those of severity Critical).
type Cue struct {
	ID         string
	Lang       string
	Kind       CueKind
	Pattern    string
	After      int  // tokens after the cue (e.g. 6 for "traité de …")
	Before     int  // tokens before the cue (e.g. 4 for "… c'est raciste")
	Message    bool // whole message
	Quoted     bool // with Message: only findings inside quotation marks
	Categories []Category
	Source     string
}

// Config is everything a Classifier is built from. Package rules
// compiles it from the embedded defaults and a school's rules file.
type Config struct {
	// Languages the detector chooses among (ISO 639-1 codes). The first
	// configured lexicon languages should be in it.
	Languages []string
	// DefaultLang is used when the language is needed but the message
	// is too short or mixed to detect it with confidence.
	DefaultLang string
	// MinLangConfidence is the detector confidence below which the
	// default language is used (0–1; 0 means 0.5).
	MinLangConfidence float64

	Lexicon []Entry
	Allow   []AllowEntry
	Terms   []TermSet
	Frames  []Frame
	Cues    []Cue

	// Actions maps a category to an action; categories not listed
	// get Remove.
	Actions map[Category]Action

	// Links configures URL finding and host classification.
	Links links.Config

	// PersonalInfo enables detection of phone numbers, e-mail addresses
	// and postal addresses (category personal_info).
	PersonalInfo bool
}
