package normalize

// The tables below are read-only data from which New builds a
// Normalizer's lookup tables. They are never written.

// confusables maps Cyrillic and Greek letters that look like a Latin
// letter to that letter. Keys are case-preserved base letters (diacritics
// already removed): the shape, not the sound, decides ("Н" and "н" look
// like H; Greek "Η" looks like H but "η" like n).
var confusables = map[rune]byte{
	// Cyrillic capitals.
	'А': 'a', 'В': 'b', 'Е': 'e', 'Ѕ': 's', 'І': 'i', 'Ј': 'j', 'К': 'k',
	'М': 'm', 'Н': 'h', 'О': 'o', 'Р': 'p', 'С': 'c', 'Т': 't', 'У': 'y',
	'Х': 'x', 'Ү': 'y', 'Һ': 'h', 'Ӏ': 'l', 'Ԁ': 'd', 'Ԛ': 'q', 'Ԝ': 'w',
	'Ь': 'b', 'Ꙅ': 's',
	// Cyrillic small letters.
	'а': 'a', 'в': 'b', 'е': 'e', 'ѕ': 's', 'і': 'i', 'ј': 'j', 'к': 'k',
	'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't', 'у': 'y',
	'х': 'x', 'ү': 'y', 'һ': 'h', 'ӏ': 'l', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w',
	'ь': 'b', 'п': 'n', 'г': 'r', 'ꙅ': 's',
	// Greek capitals.
	'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k',
	'Μ': 'm', 'Ν': 'n', 'Ο': 'o', 'Ρ': 'p', 'Τ': 't', 'Υ': 'y', 'Χ': 'x',
	'Ϲ': 'c', 'Ϳ': 'j',
	// Greek small letters.
	'α': 'a', 'β': 'b', 'γ': 'y', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k',
	'μ': 'u', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x',
	'ω': 'w', 'ϲ': 'c', 'ϳ': 'j',
}

// latinExtra maps Latin letters that have no Unicode decomposition
// (letters with a stroke, ligatures, small capitals used by "fancy text"
// generators, a few IPA look-alikes) to plain letters. Keys are lower
// case: they are applied after case folding.
var latinExtra = map[rune]string{
	'ø': "o", 'đ': "d", 'ð': "d", 'ħ': "h", 'ı': "i", 'ł': "l", 'ŧ': "t",
	'ƀ': "b", 'ɓ': "b", 'ƈ': "c", 'ȼ': "c", 'ɗ': "d", 'ƒ': "f", 'ɠ': "g",
	'ǥ': "g", 'ɦ': "h", 'ɨ': "i", 'ƙ': "k", 'ƚ': "l", 'ɱ': "m", 'ɲ': "n",
	'ƞ': "n", 'ŋ': "n", 'ɵ': "o", 'ƥ': "p", 'ʠ': "q", 'ɍ': "r", 'ʂ': "s",
	'ƭ': "t", 'ʈ': "t", 'ʉ': "u", 'ʋ': "v", 'ƴ': "y", 'ƶ': "z", 'ȥ': "z",
	'þ': "th", 'æ': "ae", 'œ': "oe", 'ĸ': "k", 'ɑ': "a", 'ɡ': "g", 'ɩ': "i",
	'ʝ': "j", 'ɛ': "e", 'ȶ': "t", 'ȴ': "l", 'ȵ': "n", 'ɫ': "l", 'ɬ': "l",
	'ɭ': "l", 'ɽ': "r", 'ɾ': "r", 'ʐ': "z", 'ʑ': "z", 'ɕ': "c",
	// Small capitals.
	'ᴀ': "a", 'ʙ': "b", 'ᴄ': "c", 'ᴅ': "d", 'ᴇ': "e", 'ꜰ': "f", 'ɢ': "g",
	'ʜ': "h", 'ɪ': "i", 'ᴊ': "j", 'ᴋ': "k", 'ʟ': "l", 'ᴍ': "m", 'ɴ': "n",
	'ᴏ': "o", 'ᴘ': "p", 'ǫ': "q", 'ʀ': "r", 'ꜱ': "s", 'ᴛ': "t", 'ᴜ': "u",
	'ᴠ': "v", 'ᴡ': "w", 'ʏ': "y", 'ᴢ': "z", 'ꞯ': "q", 'ᴆ': "d", 'ᴌ': "l",
	'ᴁ': "ae", 'ɶ': "oe",
}

// leetDigit maps ASCII digits to the letter they stand for inside a word.
var leetDigit = [10]byte{'o', 'i', 0, 'e', 'a', 's', 0, 't', 'b', 'g'}

// leetSymbol maps symbols to the letter they stand for when followed by a
// letter or digit inside a word.
var leetSymbol = map[rune]byte{'@': 'a', '$': 's', '€': 'e', '!': 'i', '|': 'l'}

// joiners are the soft separators: word breaks that the spaced-letter
// join may bridge. The value is the ASCII separator they count as.
var joiners = map[rune]byte{
	'.': '.', '-': '-', '_': '_', '/': '/',
	'\u2010': '-', '\u2011': '-', '\u2212': '-', '\u2027': '.',
	'\u00B7': '.', '\u2022': '.', '\u2219': '.', '\u30FB': '.',
}

// quoteKinds gives the quotation role of apostrophes and quotation marks;
// every rune listed is a hard word separator.
var quoteKinds = map[rune]uint8{
	'\'':     qSingle,
	'\u2018': qSingle, // ‘
	'\u2019': qSingle, // ’
	'\u201A': qSingle, // ‚
	'\u201B': qSingle, // ‛
	'`':      qBacktick,
	'"':      qDouble,
	'\u201C': qDoubleLeft,  // “
	'\u201D': qDoubleRight, // ”
	'\u201E': qDoubleLow,   // „
	'\u201F': qDoubleLeft,  // ‟
	'\u00AB': qGuilLeft,    // «
	'\u00BB': qGuilRight,   // »
	'\u2039': qAngleLeft,   // ‹
	'\u203A': qAngleRight,  // ›
	'\u300C': qCornerLeft,  // 「
	'\u300D': qCornerRight, // 」
	'\u300E': qWCornerLeft, // 『
	'\u300F': qWCornerRight,
	'\uFF62': qCornerLeft, // halfwidth ｢
	'\uFF63': qCornerRight,
	'\u301D': qDoubleLeft, // 〝
	'\u301E': qDoubleRight,
	'\u301F': qDoubleRight,
	// Apostrophe look-alikes that never quote.
	'\u02BC': qNone, // ʼ
	'\u02BB': qNone, // ʻ
	'\u02B9': qNone, // ʹ
	'\u00B4': qNone, // ´
	'\u2032': qNone, // ′
}

// invisibles are letters or symbols that render as nothing and are used
// to split words without a visible break; they are removed like format
// characters.
var invisibles = []rune{
	'\u115F', '\u1160', '\u3164', '\uFFA0', // Hangul fillers
	'\u17B4', '\u17B5', // Khmer inherent vowels
}

// blanks are visible-blank characters that act as spaces.
var blanks = []rune{'\u2800'} // Braille pattern blank

// unitSuffixes are the letters that may follow a number without making
// it leetspeak: French and English ordinals and common units ("1er",
// "3eme", "2nd", "10h30", "5km", "4ans").
var unitSuffixes = []string{
	"e", "er", "ere", "re", "eme", "em", "ieme", "nd", "nde", "d", "de", "st", "rd", "th",
	"h", "min", "mn", "s", "ms", "km", "m", "cm", "mm", "kg", "g", "mg", "l", "ml",
	"an", "ans", "ko", "mo", "go", "k", "am", "pm", "x", "eur", "j",
}

// chatLetters are the letters that are words by themselves in French and
// English chat ("y a à", "u r a", "i c u"): a run of exactly three of
// them separated by spaces is not joined.
const chatLetters = "acioruy"

// chatRuns are other runs of one-letter words, separated by spaces, that
// are chat phrases and not spaced-out words: "il n y a pas", "y a t il".
var chatRuns = []string{"nya", "yat", "nyat", "jya"}
