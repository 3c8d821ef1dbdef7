package pystr

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentry unquotes a quoted rule argument with
//
//	value.encode("ascii", "backslashreplace").decode("unicode-escape")
//
// The two steps matter together: the first turns every non-ASCII character
// into a \xhh, \uhhhh or \Uhhhhhhhh escape, which the second decodes back,
// so such characters survive, except right after a backslash, where the
// backslash escapes the backslash of the generated escape instead (`\é`
// becomes the four characters `\xe9`). The second step decodes \\ \' \"
// \a \b \f \n \r \t \v, octal escapes, \x, \u, \U, and a backslash-newline
// line continuation, and keeps unknown escapes such as `\[` as written.
//
// The two rule grammars differ in what happens to an escape the codec
// cannot decode (a truncated \x, a code point above U+10FFFF, \N{name},
// a lone trailing backslash): the stack trace rule grammar decodes
// strictly and rejects the rule (Unescape), while the fingerprinting one,
// Sentry's unescape_string, passes an error handler that copies the
// offending text through (UnescapeLenient).
//
// \N{name} escapes need the Unicode name table, which Go does not ship:
// Unescape reports them as unsupported and UnescapeLenient keeps them as
// written, the only places where these functions differ from Python.

// ErrBadEscape is matched (with errors.Is) by every error Unescape
// returns; the error's text says which escape was refused.
var ErrBadEscape = errors.New("bad escape")

type escapeError string

func (e escapeError) Error() string        { return string(e) }
func (e escapeError) Is(target error) bool { return target == ErrBadEscape }

// Unescape decodes s as the stack trace rule grammar does, strictly: an
// escape Python's codec refuses is an error. It also refuses escapes that
// decode to a lone surrogate, which Python accepts but which cannot be
// handed on as UTF-8 and fail later in Sentry.
func Unescape(s string) (string, error) {
	return unescape(s, true)
}

// UnescapeLenient decodes s as Sentry's unescape_string does: an escape
// that cannot be decoded is kept as written, and decoding goes on after
// it. It never fails. A lone surrogate becomes U+FFFD.
func UnescapeLenient(s string) string {
	out, _ := unescape(s, false)
	return out
}

func unescape(s string, strict bool) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	in := backslashReplace(s)
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
			if strict {
				return "", escapeError(`\ at end of string`)
			}
			b.WriteByte('\\')
			break
		}
		e := in[i+1]
		j := i + 2
		switch e {
		case '\n':
			// Line continuation: both characters vanish.
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
			switch {
			case k < n || v > unicode.MaxRune:
				if strict {
					if k < n {
						return "", escapeError(`truncated \` + string(e) + ` escape`)
					}
					return "", escapeError("illegal Unicode character")
				}
				// Kept as written; decoding goes on after the digits read.
				b.WriteString(in[i:j])
			case strict && v >= 0xd800 && v <= 0xdfff:
				return "", escapeError("escape produces a lone surrogate")
			default:
				b.WriteRune(rune(v))
			}
		case 'N':
			if strict {
				return "", escapeError(`\N{...} escapes are not supported`)
			}
			// Kept as written, as Python's handler keeps an unknown name:
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
	return b.String(), nil
}

// backslashReplace is s.encode("ascii", "backslashreplace"). Bytes that
// are not UTF-8 (which Python text never holds) are kept as they are.
func backslashReplace(s string) string {
	var a strings.Builder
	a.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r < utf8.RuneSelf:
			a.WriteByte(byte(r))
		case r == utf8.RuneError && size == 1:
			a.WriteByte(s[i])
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
	return a.String()
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
