// Package pii finds personal information posted in chat: phone numbers,
// e-mail addresses and postal addresses, the material of doxxing and of
// "fisha" accounts. It uses RE2 regular expressions behind cheap
// pre-checks, so that ordinary messages cost almost nothing.
package pii

import (
	"regexp"
	"strings"
)

// Kind is the kind of personal information.
type Kind string

// Kinds.
const (
	Phone   Kind = "phone"
	Email   Kind = "email"
	Address Kind = "address"
)

// Match is a piece of personal information at the byte range [Start, End).
type Match struct {
	Kind       Kind
	Start, End int
}

var (
	// French numbers (06 12 34 56 78, +33 6 12 34 56 78, 0612345678,
	// 06.12.34.56.78) and international ones (+44 7911 123456).
	phoneRE = regexp.MustCompile(`(?:\+|00)\d{1,3}[\s.\-]?(?:\(0\)[\s.\-]?)?\d(?:[\s.\-]?\d){6,11}|\b0[1-9](?:[\s.\-]?\d{2}){4}\b`)
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}`)
	// A street number followed by a street word, then a name.
	addressRE = regexp.MustCompile(`(?i)^(?:\d{1,4}\s?(?:bis|ter)?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|all[ée]e|impasse|place|route|quai|cours|r[ée]sidence|lotissement)\s+(?:de\s+|du\s+|des\s+|de\s+la\s+|d['’])?[\p{L}][\p{L}'’\- ]{1,40}|\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Crescent|Way|Boulevard|Blvd|Court|Ct)\b)`)
)

// Find appends the personal information found in text to dst.
func Find(text string, dst []Match) []Match {
	digits := 0
	for i := 0; i < len(text); i++ {
		if c := text[i]; c >= '0' && c <= '9' {
			digits++
		}
	}
	if digits >= 8 {
		for _, m := range phoneRE.FindAllStringIndex(text, -1) {
			if countDigits(text[m[0]:m[1]]) >= 9 {
				dst = append(dst, Match{Kind: Phone, Start: m[0], End: m[1]})
			}
		}
	}
	if strings.IndexByte(text, '@') >= 0 {
		for _, m := range emailRE.FindAllStringIndex(text, -1) {
			dst = append(dst, Match{Kind: Email, Start: m[0], End: m[1]})
		}
	}
	// Addresses start with a street number: try the anchored expression
	// on a short window after each number that starts a word.
	for i := 0; digits > 0 && i < len(text); i++ {
		c := text[i]
		if c < '0' || c > '9' || i > 0 && isWordByte(text[i-1]) {
			continue
		}
		end := min(len(text), i+96)
		if !streetAhead(text[i:end]) {
			continue
		}
		if m := addressRE.FindStringIndex(text[i:end]); m != nil {
			dst = append(dst, Match{Kind: Address, Start: i, End: trimRight(text, i, i+m[1])})
			i += m[1]
			continue
		}
		for i+1 < len(text) && text[i+1] >= '0' && text[i+1] <= '9' {
			i++
		}
	}
	return dst
}

var streetWords = map[string]bool{
	"rue": true, "avenue": true, "av": true, "boulevard": true, "bd": true, "chemin": true,
	"allee": true, "allée": true, "impasse": true, "place": true, "route": true, "quai": true,
	"cours": true, "residence": true, "résidence": true, "lotissement": true, "bis": true, "ter": true,
}

// streetAhead reports whether the word after the number at the start of
// s could begin an address: a French street word, or a capitalised word.
func streetAhead(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	for i < len(s) && (s[i] == ' ' || s[i] == ',') {
		i++
	}
	j := i
	for j < len(s) && isWordByte(s[j]) {
		j++
	}
	if j == i {
		return false
	}
	if s[i] >= 'A' && s[i] <= 'Z' {
		return true
	}
	w := s[i:j]
	if len(w) > 12 {
		return false
	}
	var buf [12]byte
	for k := 0; k < len(w); k++ {
		c := w[k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[k] = c
	}
	return streetWords[string(buf[:len(w)])]
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

func trimRight(s string, start, end int) int {
	for end > start && (s[end-1] == ' ' || s[end-1] == '-' || s[end-1] == '\'') {
		end--
	}
	return end
}
