package enhancement

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reproduces the few Python string behaviours that decide what
// Sentry's rule parser accepts and how it writes rules back out. They
// differ from Go's in small ways that change results on odd input.

// pyIsSpace reports whether Python's str.isspace (and the \s of a str
// regex) holds for r. Python also counts the ASCII information separators
// U+001C..U+001F, which Go's unicode.IsSpace does not.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

// pyNeedsQuotes reports whether Python's `pattern.split() != [pattern]`
// holds, which is when Sentry quotes a pattern in a rule's canonical text:
// the pattern is empty or contains whitespace.
func pyNeedsQuotes(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if pyIsSpace(r) {
			return true
		}
	}
	return false
}

// pyUnescape decodes a quoted rule argument the way Sentry does:
// s.encode("ascii", "backslashreplace").decode("unicode-escape").
//
// The two steps matter together: non-ASCII characters are first turned into
// \xNN, \uNNNN or \UNNNNNNNN escapes and then decoded back, so they survive,
// except right after a backslash (`\é` becomes the four characters `\xe9`).
// Known escapes (\\ \' \" \a \b \f \n \r \t \v, octal, \x, \u, \U, and a
// backslash-newline line continuation) are decoded; unknown ones such as
// `\[` stay as written. \N{NAME} needs the Unicode name database and is
// reported as unsupported.
func pyUnescape(s string) (string, error) {
	if !strings.ContainsRune(s, '\\') {
		return s, nil
	}
	// Step 1: ASCII with backslashreplace.
	var a strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			a.WriteByte(byte(r))
		case r <= 0xff:
			fmt.Fprintf(&a, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&a, `\u%04x`, r)
		default:
			fmt.Fprintf(&a, `\U%08x`, r)
		}
	}
	in := a.String()
	// Step 2: unicode-escape decoding; every byte is ASCII now.
	var out strings.Builder
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			out.WriteByte(c)
			continue
		}
		i++
		if i >= len(in) {
			return "", errors.New(`\ at end of string`)
		}
		c = in[i]
		switch c {
		case '\n':
			// line continuation: both characters vanish
		case '\\', '\'', '"':
			out.WriteByte(c)
		case 'a':
			out.WriteByte(7)
		case 'b':
			out.WriteByte(8)
		case 'f':
			out.WriteByte(12)
		case 'n':
			out.WriteByte('\n')
		case 'r':
			out.WriteByte('\r')
		case 't':
			out.WriteByte('\t')
		case 'v':
			out.WriteByte(11)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := rune(c - '0')
			for n := 1; n < 3 && i+1 < len(in) && in[i+1] >= '0' && in[i+1] <= '7'; n++ {
				i++
				v = v*8 + rune(in[i]-'0')
			}
			out.WriteRune(v)
		case 'x', 'u', 'U':
			width := 2
			if c == 'u' {
				width = 4
			} else if c == 'U' {
				width = 8
			}
			if i+width >= len(in) {
				return "", fmt.Errorf(`truncated \%c escape`, c)
			}
			var v rune
			for k := 1; k <= width; k++ {
				h := hexVal(in[i+k])
				if h < 0 {
					return "", fmt.Errorf(`truncated \%c escape`, c)
				}
				v = v*16 + rune(h)
			}
			i += width
			if v > unicode.MaxRune {
				return "", errors.New("illegal Unicode character")
			}
			if v >= 0xd800 && v <= 0xdfff {
				// Python builds a string with a lone surrogate, which
				// cannot be handed on as UTF-8 and fails later.
				return "", errors.New("escape produces a lone surrogate")
			}
			out.WriteRune(v)
		case 'N':
			return "", errors.New(`\N{...} escapes are not supported`)
		default:
			out.WriteByte('\\')
			out.WriteByte(c)
		}
	}
	return out.String(), nil
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// pyInt parses s like Python's int(s) for the characters a rule value may
// hold ([A-Za-z0-9_.-]): an optional minus sign, then digits with single
// underscores between them. It reports ok=false for anything else, and
// inRange=false when the number is negative (other than -0) or does not
// fit in 64 bits, which Sentry's rule compiler then rejects.
func pyInt(s string) (n uint64, ok, inRange bool) {
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

// asciiLower lowercases ASCII letters only, as Python's bytes.lower does
// for the path-like values Sentry matches; other bytes stay as they are.
func asciiLower(s string) string {
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

// firstInvalidUTF8 returns the offset of the first invalid UTF-8 byte in s,
// or -1.
func firstInvalidUTF8(s string) int {
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			return i
		}
		i += w
	}
	return -1
}
