// Package pystr reproduces the Python string behaviours that Sentry's
// grouping code relies on and that Go's standard library gets slightly
// differently.
//
// Sentry runs on Python, and a few of its string operations are
// Unicode-aware in ways Go's are not quite: str.isspace knows four
// separators unicode.IsSpace does not, str.lower has special cases that
// unicode.ToLower lacks, and the "unicode-escape" codec Sentry uses to
// unquote rule arguments has its own rules. A rule that matches in Sentry
// must match here, so both rule packages (stack trace rules and
// fingerprinting rules) take these behaviours from this one place.
//
// Go strings may hold bytes that are not UTF-8, which Python strings never
// do. Where that matters the functions keep such bytes as they are rather
// than replacing them, so that no two distinct inputs collapse into one.
package pystr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsSpace reports whether Python's str.isspace holds for r, which is also
// what \s means in a str pattern of Python's re module: the characters of
// bidirectional class WS, B or S and of category Zs. Unlike
// unicode.IsSpace it includes the information separators U+001C..U+001F.
// It is spelled out, not built on unicode.IsSpace, so that the common
// ASCII case costs few comparisons: Strip calls it on every value.
func IsSpace(r rune) bool {
	switch {
	case r >= '\t' && r <= '\r', r >= 0x1c && r <= ' ', r == 0x85, r == 0xa0:
		return true
	case r < 0x1680:
		return false
	}
	switch r {
	case 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// IsWhiteSpace reports whether r has Unicode's White_Space property, which
// is what \s means in the third-party regex module (as opposed to re):
// IsSpace without the separators U+001C..U+001F. Sentry's parser
// generator, parsimonious, compiles grammar expressions with regex, so a
// grammar's \s is this one; code that calls str.isspace or str.split, or
// uses re, needs IsSpace instead. The set equals unicode.IsSpace.
func IsWhiteSpace(r rune) bool {
	return IsSpace(r) && (r < 0x1c || r > 0x1f)
}

// IsWord reports whether Python's re module counts r as \w in a str
// pattern: letters, numbers of every kind, and the underscore.
func IsWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// Strip is Python's str.strip() without arguments.
func Strip(s string) string {
	return strings.TrimFunc(s, IsSpace)
}

// RStrip is Python's str.rstrip() without arguments.
func RStrip(s string) string {
	return strings.TrimRightFunc(s, IsSpace)
}

// Lower is Python's str.lower(). It differs from strings.ToLower in three
// ways that can change whether a pattern matches: U+0130 (capital I with
// dot) becomes "i" plus a combining dot above, a capital sigma at the end
// of a word becomes the final form ς, and bytes that are not UTF-8 are
// kept rather than replaced.
func Lower(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s // nothing to lower
	}
	if isASCII(s[i:]) {
		b := []byte(s)
		for j := i; j < len(b); j++ {
			if 'A' <= b[j] && b[j] <= 'Z' {
				b[j] += 'a' - 'A'
			}
		}
		return string(b)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteByte(s[i])
		case r == 0x130:
			b.WriteString("i\u0307")
		case r == 0x3a3:
			if finalSigma(s, i, size) {
				b.WriteRune(0x3c2)
			} else {
				b.WriteRune(0x3c3)
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
		i += size
	}
	return b.String()
}

// ASCIILower lowercases ASCII letters only and leaves every other byte as
// it is, as Python's bytes.lower does. Sentry's stack trace rules lowercase
// paths this way before matching them.
func ASCIILower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// finalSigma reports whether the capital sigma at s[i:i+size] stands in
// Unicode's Final_Sigma context: preceded by a cased letter and not
// followed by one, case-ignorable characters skipped on both sides.
func finalSigma(s string, i, size int) bool {
	before := false
	for j := i; j > 0; {
		r, n := utf8.DecodeLastRuneInString(s[:j])
		j -= n
		if !isCaseIgnorable(r) {
			before = isCased(r)
			break
		}
	}
	if !before {
		return false
	}
	for j := i + size; j < len(s); {
		r, n := utf8.DecodeRuneInString(s[j:])
		j += n
		if !isCaseIgnorable(r) {
			return !isCased(r)
		}
	}
	return true
}

func isCased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

func isCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', 0xb7, 0x387, 0x55f, 0x5f4, 0x2018, 0x2019, 0x2024, 0x2027,
		0xfe13, 0xfe52, 0xfe55, 0xff07, 0xff0e, 0xff1a:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

// Int parses s like Python's int(s), for the characters a rule value may
// hold ([A-Za-z0-9_.-], so no sign other than '-' and no surrounding
// space): an optional minus sign, then decimal digits with single
// underscores between them. ok is false where Python raises ValueError.
// inRange is false when the number is negative (other than -0) or does not
// fit in 64 bits, the range Sentry's rule compiler accepts.
func Int(s string) (n uint64, ok, inRange bool) {
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false, false
	}
	inRange = true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			continue
		}
		if c < '0' || c > '9' {
			return 0, false, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			inRange = false
		}
		n = n*10 + d
	}
	if neg && n != 0 {
		inRange = false
	}
	return n, true, inRange
}
