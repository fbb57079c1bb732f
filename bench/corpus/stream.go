package corpus

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Message is one message of a generated stream.
type Message struct {
	Text string
	Lang string // the class's language: the language of the parts it was made of
	// Harmful is set when the message was built around a harmful
	// labelled case (by construction; context added around it may
	// occasionally change its meaning).
	Harmful bool
	Link    bool // it carries a link added by the generator
}

// StreamConfig says how to generate a stream.
type StreamConfig struct {
	N           int     // number of messages
	Seed        uint64  // the same seed and cases give the same stream
	HarmfulRate float64 // share of messages built around a harmful case (default 0.05)
	LinkRate    float64 // share of messages given a link (default 0.03)
	MinLen      int     // shortest message in characters (default 20)
	MaxLen      int     // longest message in characters (default 300)
	// BenignCaseShare is the share of benign fragments drawn from the
	// labelled sets' benign cases, the rest coming from ordinary
	// classroom chat (default 0.2). The labelled benign cases are hard
	// on purpose (reclaimed words, reports, counter-speech, Scunthorpe
	// words, idioms): real classroom traffic has a few of them, not only
	// them. Negative means none.
	BenignCaseShare float64
}

// Defaults of StreamConfig.
const (
	DefaultHarmfulRate = 0.05
	DefaultLinkRate    = 0.03
	DefaultMinLen      = 20
	DefaultMaxLen      = 300
	// DefaultBenignCaseShare is StreamConfig.BenignCaseShare's default.
	DefaultBenignCaseShare = 0.2
)

func (c *StreamConfig) fill() {
	if c.HarmfulRate == 0 {
		c.HarmfulRate = DefaultHarmfulRate
	}
	if c.LinkRate == 0 {
		c.LinkRate = DefaultLinkRate
	}
	if c.MinLen == 0 {
		c.MinLen = DefaultMinLen
	}
	if c.MaxLen == 0 {
		c.MaxLen = DefaultMaxLen
	}
	switch {
	case c.BenignCaseShare == 0:
		c.BenignCaseShare = DefaultBenignCaseShare
	case c.BenignCaseShare < 0:
		c.BenignCaseShare = 0
	}
}

// chat holds ordinary classroom chat lines per language: the benign
// material the stream is made of, with the benign labelled cases.
var chat = map[string][]string{
	"fr": {
		"salut tout le monde, quelqu'un a fait l'exercice 3 page 42 pour demain ?",
		"le prof a dit que le contrôle de maths est reporté à jeudi",
		"révisez bien le chapitre sur les fractions",
		"jsp mdr, t'as compris la question 2 ? moi j'ai rien capté",
		"on se retrouve au CDI à 13h pour l'exposé ? j'amène l'ordi",
		"l'analyse du texte de Zola c'est pour lundi, n'oubliez pas la bibliographie",
		"regardez la vidéo pour la SVT c'est super bien expliqué",
		"ok merci !!",
		"Bonjour madame, est-ce que le devoir doit être rendu sur l'ENT ou sur papier ?",
		"Merci d'avance",
		"qui a les notes du cours d'histoire de mardi ? j'étais absent",
		"le bus est en retard, je vais arriver à la deuxième heure",
		"vous avez trouvé combien pour l'exercice 5 ? moi 12,5 cm",
		"c'est quoi la différence entre le passé simple et l'imparfait déjà",
		"trop bien la sortie au musée la semaine prochaine",
		"n'oubliez pas l'autorisation signée pour vendredi",
		"je peux t'emprunter ta calculatrice demain ?",
		"le cours de techno est annulé, la prof est malade",
		"quelqu'un veut réviser l'anglais ensemble ce soir en visio ?",
		"j'ai fini la rédaction, elle fait deux pages",
		"on a piscine jeudi ou pas ?",
		"bonne chance pour le brevet blanc tout le monde",
		"le sujet de l'exposé c'est la Révolution française",
		"franchement ce chapitre de physique est dur",
		"tu peux m'envoyer la photo du tableau stp",
		"il faut apprendre la poésie par cœur pour mercredi",
		"la cantine c'est des lasagnes aujourd'hui",
		"on est dans quel groupe pour le TP de chimie ?",
		"je comprends rien aux équations du second degré",
		"c'est à rendre avant minuit sur Pronote",
		"tu as pensé à prendre ton maillot pour la piscine ?",
		"la réunion parents-profs c'est mardi soir à 18h",
		"je suis trop contente, j'ai eu 17 en anglais",
		"qui fait la partie sur les volcans dans l'exposé ?",
		"il reste des places pour l'atelier théâtre le mercredi",
		"vous avez lu le chapitre 4 du livre de français ?",
		"on peut utiliser la calculatrice au contrôle ?",
		"le prof de sport a dit de prendre des baskets propres",
		"je vous envoie le diaporama ce soir",
		"c'est quand la date limite pour le dossier d'orientation ?",
		"la photo de classe c'est vendredi, pensez à bien vous habiller",
		"j'ai oublié mon cahier de texte au collège",
		"est-ce que quelqu'un a un chargeur à me prêter demain",
		"les délégués doivent aller voir la CPE à la récré",
		"bravo à l'équipe de hand pour la victoire",
		"on commence par la page 58 ou par les exercices ?",
		"le voyage en Espagne est confirmé pour avril",
		"j'ai pas compris la consigne de l'exercice de géo",
		"vous révisez quoi pour le DS de demain ?",
		"la salle 112 est fermée, on va en salle info",
	},
	"en": {
		"hey did anyone finish the history essay? I'm stuck on the part about the industrial revolution",
		"can someone explain photosynthesis again, I was absent on Tuesday",
		"the trip is on Friday, bring a packed lunch and a raincoat",
		"what page is the homework on?",
		"thanks a lot!!",
		"does anyone have the notes from chemistry this morning",
		"the maths test got moved to Thursday",
		"I think the answer to question 4 is 3/8 but I'm not sure",
		"who wants to study for the French quiz together after school",
		"good luck on the exam everyone",
		"is the essay due on Monday or Wednesday?",
		"my bus is late, I'll be there for second period",
		"the science fair project is about volcanoes",
		"can you send me a photo of the board please",
		"we need to learn the poem by heart for next week",
		"football practice is cancelled because of the rain",
		"I finished the reading, chapter 7 was really good",
		"which group am I in for the lab?",
		"the library closes at 5 today",
		"don't forget the permission slip for the museum",
		"how many words does the report need to be",
		"I don't get the quadratic equations at all",
		"the teacher said we can use calculators on part B",
		"lunch is pizza today",
		"anyone know where room 204 is",
		"I'll bring the poster board for our presentation",
		"the deadline is midnight on the school portal",
		"my internet is down so I can't join the call",
		"we're doing the play Romeo and Juliet this term",
		"that documentary about whales was amazing",
		"did you remember your swimming kit for Thursday?",
		"parents evening is on Tuesday at six",
		"I got a 7 in the English mock, so happy",
		"who's doing the slides about renewable energy?",
		"there are still places left in the drama club",
		"has everyone read chapter 4 of the novel?",
		"are we allowed calculators in the test?",
		"coach says bring clean trainers tomorrow",
		"I'll share the slides tonight",
		"when is the deadline for the options form?",
		"school photos are on Friday, dress smart",
		"I left my planner in the classroom",
		"can someone lend me a charger tomorrow",
		"class reps have to see the head of year at break",
		"well done to the netball team on the win",
		"do we start with page 58 or the exercises?",
		"the Spain trip is confirmed for April",
		"I didn't understand the geography task",
		"what are you revising for tomorrow's test?",
		"room 112 is locked so we're in the computer room",
	},
}

// links are the benign links added to messages, per language.
var links = map[string][]string{
	"fr": {
		"https://fr.wikipedia.org/wiki/R%C3%A9volution_fran%C3%A7aise",
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ",
		"https://docs.google.com/document/d/1abcDEF/edit",
		"https://www.education.gouv.fr/reussir-au-college",
		"https://www.lumni.fr/video/les-fractions",
		"https://scratch.mit.edu/projects/104503287",
		"www.larousse.fr/dictionnaires/francais/analyse",
		"https://eduscol.education.fr/",
	},
	"en": {
		"https://en.wikipedia.org/wiki/Photosynthesis",
		"https://www.youtube.com/watch?v=uixA8ZXx0KU",
		"https://docs.google.com/presentation/d/1xyzXYZ/edit",
		"https://www.khanacademy.org/math/algebra",
		"https://www.bbc.co.uk/bitesize/subjects/zrkw2hv",
		"https://scratch.mit.edu/projects/104503287",
		"www.gutenberg.org/ebooks/1513",
		"https://github.com/school-club/robotics",
	},
}

// emoji are what pupils add to their messages.
var emoji = []string{"😅", "😂", "🤣", "👍", "🙏", "❤️", "🔥", "🤔", "✨", "😭", "💀", "🙄", "😎", "🥲"}

// separators join fragments of a recombined message.
var separators = []string{" ", ", ", ". ", " — ", "... ", " ! ", " ? ", " "}

// pools are the fragments a stream is made of, per language.
type pools struct {
	langs      []string
	chat       map[string][]string // ordinary classroom chat
	benignCase map[string][]string // the labelled benign cases
	harmful    map[string][]string // the labelled harmful cases
	caseShare  float64             // share of benign fragments taken from benignCase
}

func newPools(cases []Case, caseShare float64) pools {
	p := pools{chat: chat, benignCase: map[string][]string{}, harmful: map[string][]string{}, caseShare: caseShare}
	for _, c := range cases {
		if c.Harmful() {
			p.harmful[c.Lang] = append(p.harmful[c.Lang], c.Text)
		} else {
			p.benignCase[c.Lang] = append(p.benignCase[c.Lang], c.Text)
		}
	}
	for _, lang := range []string{"fr", "en"} { // the stream's languages, in a fixed order
		if len(p.harmful[lang]) > 0 {
			p.langs = append(p.langs, lang)
		}
	}
	return p
}

// benign draws a benign fragment of a language.
func (p *pools) benign(rng *rand.Rand, lang string) string {
	if cs := p.benignCase[lang]; len(cs) > 0 && rng.Float64() < p.caseShare {
		return pick(rng, cs)
	}
	return pick(rng, p.chat[lang])
}

// Stream generates cfg.N messages from the labelled cases (their benign
// and harmful texts) and built-in classroom chat, in French and
// English (half each), deterministically from cfg.Seed: recombined
// fragments (benign ones drawn from the labelled benign cases with
// probability cfg.BenignCaseShare, else from classroom chat),
// varied casing, emoji and punctuation, lengths within
// [cfg.MinLen, cfg.MaxLen] characters, cfg.HarmfulRate of them built
// around a harmful case and cfg.LinkRate given a benign link. It returns
// nil when cases give no harmful text in French or English.
func Stream(cases []Case, cfg StreamConfig) []Message {
	cfg.fill()
	p := newPools(cases, cfg.BenignCaseShare)
	if len(p.langs) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x766967696521)) // "vigie!"
	out := make([]Message, cfg.N)
	var b strings.Builder
	for i := range out {
		lang := p.langs[rng.IntN(len(p.langs))]
		m := Message{Lang: lang, Harmful: rng.Float64() < cfg.HarmfulRate, Link: rng.Float64() < cfg.LinkRate}
		target := targetLen(rng, cfg.MinLen, cfg.MaxLen)
		var core string
		if m.Harmful {
			core = pick(rng, p.harmful[lang])
		} else {
			core = p.benign(rng, lang)
		}
		var link string
		if m.Link {
			link = pick(rng, links[lang])
		}
		m.Text = compose(&b, rng, &p, lang, core, link, target, cfg.MinLen, cfg.MaxLen)
		out[i] = m
	}
	return out
}

// targetLen draws a message length: most chat lines are short, some
// long (a mixture of two uniform ranges).
func targetLen(rng *rand.Rand, lo, hi int) int {
	mid := lo + (hi-lo)/4
	if rng.IntN(10) < 7 {
		return lo + rng.IntN(mid-lo+1)
	}
	return mid + rng.IntN(hi-mid+1)
}

func pick(rng *rand.Rand, from []string) string { return from[rng.IntN(len(from))] }

// compose builds a message around core (kept whole): benign fragments
// before and after it until it reaches about target characters, a link,
// varied casing, emoji and punctuation, then fits it within [lo, hi]
// characters without cutting core or the link.
func compose(b *strings.Builder, rng *rand.Rand, p *pools, lang, core, link string, target, lo, hi int) string {
	core = vary(rng, core)
	if link != "" {
		switch rng.IntN(3) {
		case 0:
			core = link + " " + core
		case 1:
			core = core + " " + link
		default:
			core = core + " : " + link
		}
	}
	var before, after []string
	n := utf8.RuneCountInString(core)
	for n < target || n < lo {
		frag := vary(rng, p.benign(rng, lang))
		sep := pick(rng, separators)
		if rng.IntN(2) == 0 {
			before = append(before, frag+sep)
		} else {
			after = append(after, sep+frag)
		}
		n += utf8.RuneCountInString(frag) + utf8.RuneCountInString(sep)
	}
	b.Reset()
	for _, f := range before {
		b.WriteString(f)
	}
	start := b.Len()
	b.WriteString(core)
	end := b.Len()
	for _, f := range after {
		b.WriteString(f)
	}
	if rng.IntN(4) == 0 {
		b.WriteString(" " + pick(rng, emoji))
	}
	return fit(b.String(), start, end, hi)
}

// vary changes a fragment the way pupils type: casing, repeated
// punctuation, an emoji.
func vary(rng *rand.Rand, s string) string {
	switch r := rng.IntN(20); {
	case r < 2:
		s = strings.ToUpper(s)
	case r < 5:
		s = capitalise(s)
	case r < 7:
		s = strings.ToLower(s)
	}
	switch rng.IntN(12) {
	case 0:
		s += "!!!"
	case 1:
		s += " ??"
	case 2:
		s += " " + pick(rng, emoji)
	case 3:
		s = pick(rng, emoji) + " " + s
	}
	return s
}

func capitalise(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// fit cuts s to at most hi characters, at a space outside [keepStart,
// keepEnd) when it can, keeping that range whole (it is never longer
// than hi: labelled cases and links are short).
func fit(s string, keepStart, keepEnd, hi int) string {
	if utf8.RuneCountInString(s) <= hi {
		return s
	}
	// Drop characters from the front (before keepStart) and the back
	// (after keepEnd) until it fits, cutting at spaces.
	head, core, tail := s[:keepStart], s[keepStart:keepEnd], s[keepEnd:]
	for utf8.RuneCountInString(head)+utf8.RuneCountInString(core)+utf8.RuneCountInString(tail) > hi {
		excess := utf8.RuneCountInString(head) + utf8.RuneCountInString(core) + utf8.RuneCountInString(tail) - hi
		switch {
		case tail != "":
			tail = cutEnd(tail, excess)
		case head != "":
			head = cutStart(head, excess)
		default:
			return truncateRunes(core, hi)
		}
	}
	return strings.TrimSpace(head + core + tail)
}

// cutEnd drops at least n characters from the end of s, and the rest of
// a word it cuts into.
func cutEnd(s string, n int) string {
	rs := []rune(s)
	if n >= len(rs) {
		return ""
	}
	keep := string(rs[:len(rs)-n])
	if rs[len(rs)-n] == ' ' {
		return keep
	}
	if i := strings.LastIndexByte(keep, ' '); i >= 0 {
		return keep[:i]
	}
	return ""
}

// cutStart drops at least n (> 0) characters from the start of s, and
// the rest of a word it cuts into.
func cutStart(s string, n int) string {
	rs := []rune(s)
	if n >= len(rs) {
		return ""
	}
	keep := string(rs[n:])
	if rs[n-1] == ' ' {
		return keep
	}
	if i := strings.IndexByte(keep, ' '); i >= 0 {
		return keep[i+1:]
	}
	return ""
}

func truncateRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n])
}
