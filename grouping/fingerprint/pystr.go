package fingerprint

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentry runs on Python, and several of its string operations are
// Unicode-aware in ways Go's standard library is not quite: str.isspace,
// str.strip and str.lower each know a few characters that unicode.IsSpace
// and unicode.ToLower treat differently. The helpers here reproduce
// Python's behaviour so that a value that matches in Sentry matches here.

// isPySpace reports whether Python's str.isspace is true for r: the
// characters of bidirectional class WS, B or S and category Zs. Unlike
// unicode.IsSpace it includes the four information separators
// U+001C..U+001F.
func isPySpace(r rune) bool {
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

// pyStrip is Python's str.strip() without arguments.
func pyStrip(s string) string {
	return strings.TrimFunc(s, isPySpace)
}

// pyRStrip is Python's str.rstrip() without arguments.
func pyRStrip(s string) string {
	return strings.TrimRightFunc(s, isPySpace)
}

// pyLower is Python's str.lower(). It differs from strings.ToLower in
// three ways that can change whether a glob matches: U+0130 (capital I
// with dot) becomes "i" plus a combining dot, a capital sigma at the end
// of a word becomes the final form ς, and bytes that are not UTF-8 are
// kept as they are rather than replaced (Go strings may hold them; Python
// strings never do).
func pyLower(s string) string {
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

// isPyWord reports whether Python's re module counts r as \w in a str
// pattern: letters, numbers of every kind, and the underscore.
func isPyWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// pyUnescape is Sentry's unescape_string, which is Python's
//
//	value.encode("ascii", "backslashreplace").decode("unicode-escape", recovery)
//
// The first step turns every non-ASCII character into a \xhh, \uhhhh or
// \Uhhhhhhhh escape, so a backslash written before such a character
// escapes the backslash of the generated escape instead: `\é` becomes the
// four characters `\xe9`, as in Sentry. Escapes Python cannot decode are
// kept as written, because Sentry's recovery handler copies the offending
// bytes through. \N{name} escapes are kept as written too: resolving
// Unicode character names needs a name table Go does not ship; this is the
// one place this function differs from Sentry.
func pyUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	// Step 1: backslashreplace.
	var a strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r < utf8.RuneSelf:
			a.WriteByte(byte(r))
		case r == utf8.RuneError && size == 1:
			a.WriteByte(s[i]) // not UTF-8: Python text never holds it; keep it
		case r < 0x100:
			a.WriteString(`\x`)
			writeHex(&a, uint32(r), 2)
		case r < 0x10000:
			a.WriteString(`\u`)
			writeHex(&a, uint32(r), 4)
		default:
			a.WriteString(`\U`)
			writeHex(&a, uint32(r), 8)
		}
		i += size
	}
	in := a.String()
	// Step 2: unicode-escape decoding.
	var b strings.Builder
	b.Grow(len(in))
	for i := 0; i < len(in); {
		c := in[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(in) {
			b.WriteByte('\\') // "\ at end of string": kept
			break
		}
		e := in[i+1]
		j := i + 2
		switch e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := rune(e - '0')
			for k := 0; k < 2 && j < len(in) && in[j] >= '0' && in[j] <= '7'; k++ {
				v = v<<3 + rune(in[j]-'0')
				j++
			}
			b.WriteRune(v)
		case 'x', 'u', 'U':
			n := 2
			switch e {
			case 'u':
				n = 4
			case 'U':
				n = 8
			}
			var v uint32
			k := 0
			for ; k < n && j < len(in); k++ {
				d, ok := hexDigit(in[j])
				if !ok {
					break
				}
				v = v<<4 | uint32(d)
				j++
			}
			if k < n || v > unicode.MaxRune {
				// Truncated or out of range: the escape is kept as
				// written, and decoding goes on after the digits read.
				b.WriteString(in[i:j])
			} else {
				b.WriteRune(rune(v))
			}
		case 'N':
			// Kept as written, as Python keeps an unknown name:
			// through the closing brace if there is one.
			if j < len(in) && in[j] == '{' {
				if end := strings.IndexByte(in[j:], '}'); end >= 0 {
					j += end + 1
				} else {
					j = len(in)
				}
			}
			b.WriteString(in[i:j])
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
		i = j
	}
	return b.String()
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func writeHex(b *strings.Builder, v uint32, width int) {
	h := strconv.FormatUint(uint64(v), 16)
	for i := len(h); i < width; i++ {
		b.WriteByte('0')
	}
	b.WriteString(h)
}
