package parameterize

import (
	"unicode"
	"unicode/utf8"
)

// Sentry runs its patterns with Python's re on str, so \d, \w, \s and \b
// are the Unicode classes of CPython, not the ASCII ones of Go's regexp:
//
//	\d  a decimal digit, general category Nd (str.isdecimal)
//	\w  str.isalnum() or "_": every letter (L*) and number (N*) category
//	\s  str.isspace(): Unicode White_Space plus the separators \x1c-\x1f
//	\b  a change between \w and not-\w (the ends of the text count as not-\w)
//
// Everything else in the patterns ([0-9a-f], [A-IK-Z], literals) is ASCII.
// Text that is not valid UTF-8 is read one byte at a time, each bad byte
// standing for U+FFFD, which belongs to none of the classes.

// asciiClass holds the class bits of each ASCII byte.
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := range utf8.RuneSelf {
		r := rune(c)
		if r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			t[c] |= clsWord
		}
		if '0' <= r && r <= '9' {
			t[c] |= clsDigit
		}
		if '0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F' {
			t[c] |= clsHex
		}
		if r == ' ' || '\t' <= r && r <= '\r' || 0x1c <= r && r <= 0x1f {
			t[c] |= clsSpace
		}
	}
	return t
}()

const (
	clsWord uint8 = 1 << iota
	clsDigit
	clsHex
	clsSpace
)

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 0 && asciiClass[r]&clsWord != 0
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

func isDigitRune(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9'
	}
	return unicode.IsDigit(r)
}

func isSpaceRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 0 && asciiClass[r]&clsSpace != 0
	}
	return unicode.IsSpace(r)
}

// runeAt decodes the character at byte offset i, returning width 0 at the
// end of s.
func runeAt(s string, i int) (rune, int) {
	if i >= len(s) {
		return -1, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// runeBefore decodes the character that ends at byte offset i, or -1 at
// the start of s.
func runeBefore(s string, i int) rune {
	if i <= 0 {
		return -1
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return rune(c)
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

func wordAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if c := s[i]; c < utf8.RuneSelf {
		return asciiClass[c]&clsWord != 0
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isWordRune(r)
}

func wordBefore(s string, i int) bool {
	if i <= 0 {
		return false
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return asciiClass[c]&clsWord != 0
	}
	return isWordRune(runeBefore(s, i))
}

func digitBefore(s string, i int) bool {
	if i <= 0 {
		return false
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return '0' <= c && c <= '9'
	}
	return isDigitRune(runeBefore(s, i))
}

// boundary is \b at offset i.
func boundary(s string, i int) bool {
	return wordBefore(s, i) != wordAt(s, i)
}

// The helpers below match one element at offset i and return the offset
// after it, or -1; a -1 passed in stays -1, so sequences read as chains.

// digit matches \d.
func digit(s string, i int) int {
	if i < 0 || i >= len(s) {
		return -1
	}
	if c := s[i]; c < utf8.RuneSelf {
		if '0' <= c && c <= '9' {
			return i + 1
		}
		return -1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	if unicode.IsDigit(r) {
		return i + w
	}
	return -1
}

// digits matches \d{n}.
func digits(s string, i, n int) int {
	for ; n > 0 && i >= 0; n-- {
		i = digit(s, i)
	}
	return i
}

// digitRun returns the end of the longest \d run at i and its length in
// characters.
func digitRun(s string, i int) (end, n int) {
	for {
		j := digit(s, i)
		if j < 0 {
			return i, n
		}
		i, n = j, n+1
	}
}

// digitsUpTo matches \d{min,max} where what follows can never be a digit,
// so backtracking cannot help: the whole run must fit.
func digitsUpTo(s string, i, min, max int) int {
	if i < 0 {
		return -1
	}
	end, n := digitRun(s, i)
	if n < min || n > max {
		return -1
	}
	return end
}

// space matches \s.
func space(s string, i int) int {
	if i < 0 {
		return -1
	}
	r, w := runeAt(s, i)
	if w > 0 && isSpaceRune(r) {
		return i + w
	}
	return -1
}

// spaces matches \s+, all of the run (every caller needs a non-space next).
func spaces(s string, i int) int {
	j := space(s, i)
	if j < 0 {
		return -1
	}
	for {
		k := space(s, j)
		if k < 0 {
			return j
		}
		j = k
	}
}

// byteIn matches one ASCII byte in [lo, hi].
func byteIn(s string, i int, lo, hi byte) int {
	if i >= 0 && i < len(s) && lo <= s[i] && s[i] <= hi {
		return i + 1
	}
	return -1
}

// lit matches the literal t.
func lit(s string, i int, t string) int {
	if i >= 0 && len(s)-i >= len(t) && s[i:i+len(t)] == t {
		return i + len(t)
	}
	return -1
}

// char matches the single byte c.
func char(s string, i int, c byte) int {
	if i >= 0 && i < len(s) && s[i] == c {
		return i + 1
	}
	return -1
}

// opt matches an optional single byte c (c? followed by something that
// cannot start with c).
func opt(s string, i int, c byte) int {
	if i >= 0 && i < len(s) && s[i] == c {
		return i + 1
	}
	return i
}

func isHexByte(c byte) bool { return c < utf8.RuneSelf && asciiClass[c]&clsHex != 0 }

// alnumASCII reports whether c is in [0-9a-zA-Z].
func alnumASCII(c byte) bool { return c != '_' && c < utf8.RuneSelf && asciiClass[c]&clsWord != 0 }
