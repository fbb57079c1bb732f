package links

// tldKind describes a top-level domain known to Find.
type tldKind uint8

const (
	// tldPlain is a TLD that is rarely a word: "example.com" written bare
	// in a sentence is a link.
	tldPlain tldKind = iota + 1
	// tldAmbiguous is a TLD that is also a common French or English word,
	// a chat abbreviation or a file extension ("de", "la", "et", "it",
	// "me", "py", "md", "tg", "cc"): "fin.de la phrase" and "main.py" are
	// not links. A bare two-label name ending in one needs more evidence
	// (www., a scheme, a path, bracketed dots, a non-French letter or
	// punycode in the name).
	tldAmbiguous
)

// tlds is the compact table of real top-level domains that a bare domain
// name (one written without scheme) must end with: every delegated
// country code, the common generic TLDs, the adult ones and a few
// internationalised ones. It is never written after initialisation.
var tlds = map[string]tldKind{
	// Country-code TLDs (ISO 3166-1 alpha-2 delegated in the root zone, plus eu, su, ac, uk).
	"ac": tldPlain, "ad": tldAmbiguous, "ae": tldPlain, "af": tldPlain, "ag": tldPlain,
	"ai": tldAmbiguous, "al": tldPlain, "am": tldAmbiguous, "ao": tldPlain, "aq": tldPlain,
	"ar": tldPlain, "as": tldAmbiguous, "at": tldAmbiguous, "au": tldAmbiguous, "aw": tldPlain,
	"ax": tldPlain, "az": tldPlain, "ba": tldPlain, "bb": tldPlain, "bd": tldPlain,
	"be": tldAmbiguous, "bf": tldAmbiguous, "bg": tldAmbiguous, "bh": tldPlain, "bi": tldPlain,
	"bj": tldPlain, "bm": tldPlain, "bn": tldPlain, "bo": tldPlain, "br": tldPlain, "bs": tldPlain,
	"bt": tldPlain, "bv": tldPlain, "bw": tldPlain, "by": tldAmbiguous, "bz": tldPlain,
	"ca": tldAmbiguous, "cc": tldAmbiguous, "cd": tldAmbiguous, "cf": tldPlain, "cg": tldPlain,
	"ch": tldPlain, "ci": tldAmbiguous, "ck": tldPlain, "cl": tldPlain, "cm": tldPlain,
	"cn": tldPlain, "co": tldPlain, "cr": tldPlain, "cu": tldPlain, "cv": tldAmbiguous,
	"cw": tldPlain, "cx": tldPlain, "cy": tldPlain, "cz": tldPlain, "de": tldAmbiguous,
	"dj": tldAmbiguous, "dk": tldPlain, "dm": tldAmbiguous, "do": tldAmbiguous, "dz": tldPlain,
	"ec": tldPlain, "ee": tldPlain, "eg": tldPlain, "er": tldPlain, "es": tldAmbiguous,
	"et": tldAmbiguous, "eu": tldAmbiguous, "fi": tldPlain, "fj": tldPlain, "fk": tldPlain,
	"fm": tldPlain, "fo": tldPlain, "fr": tldPlain, "ga": tldPlain, "gb": tldPlain,
	"gd": tldAmbiguous, "ge": tldPlain, "gf": tldAmbiguous, "gg": tldAmbiguous, "gh": tldPlain,
	"gi": tldPlain, "gl": tldPlain, "gm": tldPlain, "gn": tldPlain, "gp": tldPlain, "gq": tldPlain,
	"gr": tldPlain, "gs": tldPlain, "gt": tldPlain, "gu": tldPlain, "gw": tldPlain, "gy": tldPlain,
	"hk": tldPlain, "hm": tldPlain, "hn": tldPlain, "hr": tldPlain, "ht": tldPlain, "hu": tldPlain,
	"id": tldAmbiguous, "ie": tldPlain, "il": tldAmbiguous, "im": tldAmbiguous, "in": tldAmbiguous,
	"io": tldPlain, "iq": tldPlain, "ir": tldPlain, "is": tldAmbiguous, "it": tldAmbiguous,
	"je": tldAmbiguous, "jm": tldPlain, "jo": tldPlain, "jp": tldPlain, "ke": tldPlain,
	"kg": tldPlain, "kh": tldPlain, "ki": tldPlain, "km": tldPlain, "kn": tldPlain, "kp": tldPlain,
	"kr": tldPlain, "kw": tldPlain, "ky": tldPlain, "kz": tldPlain, "la": tldAmbiguous,
	"lb": tldPlain, "lc": tldPlain, "li": tldPlain, "lk": tldPlain, "lr": tldPlain, "ls": tldPlain,
	"lt": tldPlain, "lu": tldAmbiguous, "lv": tldPlain, "ly": tldPlain, "ma": tldAmbiguous,
	"mc": tldAmbiguous, "md": tldAmbiguous, "me": tldAmbiguous, "mg": tldPlain, "mh": tldPlain,
	"mk": tldAmbiguous, "ml": tldAmbiguous, "mm": tldPlain, "mn": tldPlain, "mo": tldPlain,
	"mp": tldAmbiguous, "mq": tldPlain, "mr": tldAmbiguous, "ms": tldAmbiguous, "mt": tldPlain,
	"mu": tldPlain, "mv": tldPlain, "mw": tldPlain, "mx": tldPlain, "my": tldAmbiguous,
	"mz": tldPlain, "na": tldPlain, "nc": tldPlain, "ne": tldAmbiguous, "nf": tldPlain,
	"ng": tldPlain, "ni": tldAmbiguous, "nl": tldPlain, "no": tldAmbiguous, "np": tldAmbiguous,
	"nr": tldPlain, "nu": tldAmbiguous, "nz": tldPlain, "om": tldPlain, "pa": tldAmbiguous,
	"pe": tldPlain, "pf": tldPlain, "pg": tldPlain, "ph": tldPlain, "pk": tldAmbiguous,
	"pl": tldAmbiguous, "pm": tldAmbiguous, "pn": tldPlain, "pr": tldPlain, "ps": tldAmbiguous,
	"pt": tldPlain, "pw": tldPlain, "py": tldAmbiguous, "qa": tldPlain, "re": tldAmbiguous,
	"ro": tldPlain, "rs": tldAmbiguous, "ru": tldPlain, "rw": tldPlain, "sa": tldAmbiguous,
	"sb": tldPlain, "sc": tldAmbiguous, "sd": tldPlain, "se": tldAmbiguous, "sg": tldPlain,
	"sh": tldAmbiguous, "si": tldAmbiguous, "sj": tldPlain, "sk": tldPlain, "sl": tldAmbiguous,
	"sm": tldPlain, "sn": tldPlain, "so": tldAmbiguous, "sr": tldPlain, "ss": tldPlain,
	"st": tldAmbiguous, "su": tldAmbiguous, "sv": tldAmbiguous, "sx": tldPlain, "sy": tldPlain,
	"sz": tldPlain, "tc": tldPlain, "td": tldPlain, "tf": tldPlain, "tg": tldAmbiguous,
	"th": tldPlain, "tj": tldPlain, "tk": tldPlain, "tl": tldAmbiguous, "tm": tldPlain,
	"tn": tldPlain, "to": tldAmbiguous, "tr": tldPlain, "tt": tldAmbiguous, "tv": tldPlain,
	"tw": tldPlain, "tz": tldPlain, "ua": tldPlain, "ug": tldPlain, "uk": tldPlain,
	"us": tldAmbiguous, "uy": tldPlain, "uz": tldPlain, "va": tldAmbiguous, "vc": tldPlain,
	"ve": tldPlain, "vg": tldPlain, "vi": tldPlain, "vn": tldPlain, "vu": tldAmbiguous,
	"wf": tldPlain, "ws": tldPlain, "ye": tldPlain, "yt": tldAmbiguous, "za": tldPlain,
	"zm": tldPlain, "zw": tldPlain,
	// Generic TLDs commonly seen in links, including the adult ones.
	"com": tldPlain, "net": tldPlain, "org": tldPlain, "edu": tldPlain, "gov": tldPlain,
	"mil": tldPlain, "int": tldPlain, "info": tldPlain, "biz": tldPlain, "name": tldPlain,
	"pro": tldPlain, "mobi": tldPlain, "aero": tldPlain, "asia": tldPlain, "coop": tldPlain,
	"jobs": tldPlain, "museum": tldPlain, "travel": tldPlain, "tel": tldPlain, "post": tldPlain,
	"app": tldPlain, "dev": tldPlain, "xyz": tldPlain, "top": tldAmbiguous, "site": tldPlain,
	"online": tldPlain, "website": tldPlain, "store": tldPlain, "shop": tldPlain, "tech": tldPlain,
	"club": tldPlain, "vip": tldPlain, "live": tldAmbiguous, "blog": tldPlain, "cloud": tldPlain,
	"host": tldPlain, "space": tldPlain, "link": tldAmbiguous, "click": tldPlain, "icu": tldPlain,
	"buzz": tldPlain, "email": tldPlain, "digital": tldPlain, "network": tldPlain, "media": tldPlain,
	"agency": tldPlain, "studio": tldPlain, "design": tldPlain, "group": tldPlain, "global": tldPlain,
	"world": tldAmbiguous, "news": tldAmbiguous, "today": tldAmbiguous, "life": tldAmbiguous,
	"love": tldAmbiguous, "fun": tldAmbiguous, "art": tldAmbiguous, "wiki": tldPlain,
	"page": tldAmbiguous, "stream": tldPlain, "games": tldAmbiguous, "game": tldAmbiguous,
	"video": tldAmbiguous, "photo": tldAmbiguous, "photos": tldPlain, "pics": tldPlain,
	"chat": tldAmbiguous, "social": tldPlain, "work": tldAmbiguous, "zone": tldPlain,
	"academy": tldPlain, "school": tldAmbiguous, "education": tldPlain, "university": tldPlain,
	"college": tldPlain, "ltd": tldPlain, "inc": tldPlain, "company": tldPlain, "xxx": tldPlain,
	"porn": tldPlain, "adult": tldPlain, "sex": tldPlain, "sexy": tldPlain, "cam": tldPlain,
	"webcam": tldPlain, "dating": tldPlain, "tube": tldPlain, "desi": tldPlain, "onion": tldPlain,
	"bet": tldPlain, "casino": tldPlain, "poker": tldPlain, "eus": tldPlain, "gal": tldPlain,
	"cat": tldAmbiguous, "bzh": tldPlain, "alsace": tldPlain, "corsica": tldPlain, "paris": tldPlain,
	"quebec": tldPlain, "brussels": tldPlain, "berlin": tldPlain, "london": tldPlain, "nyc": tldPlain,
	"tokyo": tldPlain, "swiss": tldPlain, "ovh": tldPlain, "zip": tldAmbiguous, "mov": tldAmbiguous,
	// Internationalised TLDs, in Unicode and punycode.
	"рф": tldPlain, "xn--p1ai": tldPlain, "укр": tldPlain, "xn--j1amh": tldPlain, "срб": tldPlain,
	"xn--90a3ac": tldPlain, "中国": tldPlain, "xn--fiqs8s": tldPlain, "中國": tldPlain,
	"xn--fiqz9s": tldPlain, "香港": tldPlain, "xn--j6w193g": tldPlain, "台湾": tldPlain,
	"xn--kprw13d": tldPlain, "台灣": tldPlain, "xn--kpry57d": tldPlain, "한국": tldPlain,
	"xn--3e0b707e": tldPlain, "भारत": tldPlain, "xn--h2brj9c": tldPlain, "مصر": tldPlain,
	"xn--wgbh1c": tldPlain,
}

// spokenStopwords are words that cannot be the first label of a domain
// written with spelled-out or spaced dots: "le point de vue", "un point
// net", "the dot com bubble" are not links.
var spokenStopwords = map[string]bool{
	"le": true, "la": true, "les": true, "un": true, "une": true, "des": true, "du": true, "de": true,
	"au": true, "aux": true, "ce": true, "cet": true, "cette": true, "ces": true, "mon": true,
	"ton": true, "son": true, "ma": true, "ta": true, "sa": true, "mes": true, "tes": true,
	"ses": true, "nos": true, "vos": true, "leur": true, "leurs": true, "et": true, "ou": true,
	"est": true, "sur": true, "en": true, "par": true, "pour": true, "avec": true, "dans": true,
	"tres": true, "très": true, "bon": true, "mais": true, "que": true, "qui": true, "point": true,
	"the": true, "an": true, "this": true, "that": true, "these": true, "those": true, "my": true,
	"your": true, "his": true, "her": true, "its": true, "our": true, "their": true, "is": true,
	"was": true, "are": true, "were": true, "be": true, "and": true, "or": true, "of": true,
	"to": true, "in": true, "on": true, "at": true, "by": true, "for": true, "with": true,
	"very": true, "so": true, "dot": true, "polka": true,
}

// frenchLetter reports whether r is a lower-case letter of written French
// beyond ASCII. A domain label containing another non-ASCII letter
// ("bücher") is evidence of a real IDN name rather than a French word.
func frenchLetter(r rune) bool {
	switch r {
	case 'à', 'â', 'é', 'è', 'ê', 'ë', 'î', 'ï', 'ô', 'ù', 'û', 'ÿ', 'ç', 'œ', 'æ':
		return true
	}
	return false
}
