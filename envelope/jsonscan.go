package envelope

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// Framing spends most of its time checking that headers are valid JSON.
// jsontext.Decoder does that well, but a header is a couple of hundred
// bytes, and for so little input the decoder's set-up (Reset, its state
// machine, the token stack it keeps for its caller) costs more than the
// checking; and framing then walked each header once more for its fields.
// So headers are checked by scanObject below, a plain loop that gives
// jsontext's verdict and notes the members on the way. FuzzScanValue in
// jsonscan_test.go feeds it and a jsontext.Decoder the same bytes and
// requires the same verdict, the same end and the same members. Only valid
// objects take this path: for anything else (other values, errors, nesting
// deeper than maxScanDepth) the framer asks jsontext, so every error, with
// its offset and text, is still jsontext's.

// A scanVerdict is what scanValue says about its input.
type scanVerdict uint8

const (
	scanValid      scanVerdict = iota // a complete, valid value
	scanInvalid                       // jsontext reports a syntax error
	scanIncomplete                    // the input ends inside the value (io.ErrUnexpectedEOF)
	scanTooDeep                       // nested deeper than scanValue tracks: ask jsontext
)

// maxScanDepth bounds the nesting scanValue tracks: one bit a level in a
// uint64. Real headers nest two or three levels; jsontext allows 10000,
// and decides deeper ones.
const maxScanDepth = 64

// scanValue checks the JSON value at the front of b, which starts with a
// non-whitespace byte, as a jsontext.Decoder with AllowDuplicateNames does
// (UTF-8 is validated, duplicate names are allowed), reading b as all of the
// input. For a valid value it returns the offset just past it.
func scanValue(b []byte) (end int, v scanVerdict) {
	var stack uint64 // one bit per open container: 1 for an array
	depth := 0
	i := 0
value:
	if i >= len(b) {
		return i, scanIncomplete
	}
	switch c := b[i]; c {
	case '{':
		if depth == maxScanDepth {
			return i, scanTooDeep
		}
		stack &^= 1 << depth
		depth++
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == '}' {
			depth--
			i++
			goto next
		}
		goto name
	case '[':
		if depth == maxScanDepth {
			return i, scanTooDeep
		}
		stack |= 1 << depth
		depth++
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == ']' {
			depth--
			i++
			goto next
		}
		goto value
	case '"':
		i, v = scanString(b, i)
		if v != scanValid {
			return i, v
		}
	case 't':
		i, v = scanLiteral(b, i, "true")
		if v != scanValid {
			return i, v
		}
	case 'f':
		i, v = scanLiteral(b, i, "false")
		if v != scanValid {
			return i, v
		}
	case 'n':
		i, v = scanLiteral(b, i, "null")
		if v != scanValid {
			return i, v
		}
	default:
		if c != '-' && (c < '0' || c > '9') {
			return i, scanInvalid
		}
		i, v = scanNumber(b, i)
		if v != scanValid {
			return i, v
		}
	}
next: // a value ended at i
	if depth == 0 {
		return i, scanValid
	}
	i = skipSpace(b, i)
	if i >= len(b) {
		return i, scanIncomplete
	}
	if stack&(1<<(depth-1)) != 0 { // in an array
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
			goto value
		case ']':
			depth--
			i++
			goto next
		}
		return i, scanInvalid
	}
	switch b[i] {
	case ',':
		i = skipSpace(b, i+1)
	case '}':
		depth--
		i++
		goto next
	default:
		return i, scanInvalid
	}
name: // an object member's name is due at i
	if i >= len(b) {
		return i, scanIncomplete
	}
	if b[i] != '"' {
		return i, scanInvalid
	}
	i, v = scanString(b, i)
	if v != scanValid {
		return i, v
	}
	i = skipSpace(b, i)
	if i >= len(b) {
		return i, scanIncomplete
	}
	if b[i] != ':' {
		return i, scanInvalid
	}
	i = skipSpace(b, i+1)
	goto value
}

// plainString marks the bytes a string holds as they are: printable ASCII
// but the quote and the backslash.
var plainString = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipPlain returns the index of the first byte at or after i that is not
// plainString. Eight bytes at a time, it finds the bytes that are a quote,
// a backslash, below ' ' or not ASCII with the bit tricks of "Bit Twiddling
// Hacks" (haszero, hasless): they may also flag a plain byte above a
// flagged one, never below, so the lowest flag is exact.
func skipPlain(b []byte, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ ('"' * ones)
		bs := x ^ ('\\' * ones)
		m := ((x - ' '*ones) & ^x) | ((q - ones) & ^q) | ((bs - ones) & ^bs) | x
		if m &= highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(b) && plainString[b[i]] {
		i++
	}
	return i
}

// scanString checks the string that starts with the quote at b[i], as
// jsonwire.ConsumeStringResumable does with UTF-8 validation.
func scanString(b []byte, i int) (int, scanVerdict) {
	i++
	for {
		i = skipPlain(b, i)
		if i >= len(b) {
			return i, scanIncomplete
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, scanValid
		case c == '\\':
			n, v := scanEscape(b, i)
			if v != scanValid {
				return n, v
			}
			i = n
		case c < ' ':
			return i, scanInvalid
		default: // c >= utf8.RuneSelf
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				if !utf8.FullRune(b[i:]) {
					return i, scanIncomplete
				}
				return i, scanInvalid
			}
			i += n
		}
	}
}

// scanEscape checks the escape sequence at b[i] == '\\'. A \u escape of a
// UTF-16 surrogate must be followed by a \u escape that completes the pair.
func scanEscape(b []byte, i int) (int, scanVerdict) {
	if len(b) < i+2 {
		return i, scanIncomplete
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2, scanValid
	case 'u':
	default:
		return i, scanInvalid
	}
	if len(b) < i+6 {
		if escapedUTF16Prefix(b[i:], false) {
			return i, scanIncomplete
		}
		return i, scanInvalid
	}
	v1, ok := hex16(b[i+2 : i+6])
	if !ok {
		return i, scanInvalid
	}
	i += 6
	if v1 < 0xd800 || v1 > 0xdfff {
		return i, scanValid
	}
	// A surrogate: jsontext wants the other half, and decides a truncated
	// one by whether what is there could begin a low half.
	if len(b) < i+6 {
		if escapedUTF16Prefix(b[i:], true) {
			return i, scanIncomplete
		}
		return i, scanInvalid
	}
	v2, ok := hex16(b[i+2 : i+6])
	if b[i] != '\\' || b[i+1] != 'u' || !ok || v1 > 0xdbff || v2 < 0xdc00 || v2 > 0xdfff {
		return i, scanInvalid
	}
	return i + 6, scanValid
}

// escapedUTF16Prefix reports whether b, shorter than six bytes, could begin
// a \uXXXX escape (of a low surrogate if low), as jsonwire decides it.
func escapedUTF16Prefix(b []byte, low bool) bool {
	for i, c := range b {
		switch {
		case i == 0 && c != '\\', i == 1 && c != 'u':
			return false
		case i == 2 && low && c != 'd' && c != 'D':
			return false
		case i == 3 && low && !('c' <= c && c <= 'f') && !('C' <= c && c <= 'F'):
			return false
		case i >= 2 && !isHex(c):
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hex16(b []byte) (uint16, bool) {
	var v uint16
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(c)
	}
	return v, true
}

// scanLiteral checks the literal lit at b[i].
func scanLiteral(b []byte, i int, lit string) (int, scanVerdict) {
	for j := 0; j < len(lit); j++ {
		if i+j >= len(b) {
			return i + j, scanIncomplete
		}
		if b[i+j] != lit[j] {
			return i + j, scanInvalid
		}
	}
	return i + len(lit), scanValid
}

// scanNumber checks the number at b[i]: RFC 8259's grammar, any magnitude.
// Where it ends is for the caller to judge, as it is for jsontext.
func scanNumber(b []byte, i int) (int, scanVerdict) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return i, scanIncomplete
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		i = skipDigits(b, i+1)
	default:
		return i, scanInvalid
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) {
			return i, scanIncomplete
		}
		if b[i] < '0' || b[i] > '9' {
			return i, scanInvalid
		}
		i = skipDigits(b, i+1)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) {
			return i, scanIncomplete
		}
		if b[i] < '0' || b[i] > '9' {
			return i, scanInvalid
		}
		i = skipDigits(b, i+1)
	}
	return i, scanValid
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// scanObject is scanValue for an object, b[0] == '{', that also appends
// the object's members to ms: framing reads the fields it needs from them
// without walking the header a second time.
func scanObject(b []byte, ms []memberSpan) (end int, _ []memberSpan, v scanVerdict) {
	i := skipSpace(b, 1)
	if i < len(b) && b[i] == '}' {
		return i + 1, ms, scanValid
	}
	for {
		if i >= len(b) {
			return i, ms, scanIncomplete
		}
		if b[i] != '"' {
			return i, ms, scanInvalid
		}
		ks := i
		if i, v = scanString(b, i); v != scanValid {
			return i, ms, v
		}
		ke := i
		if i = skipSpace(b, i); i >= len(b) {
			return i, ms, scanIncomplete
		}
		if b[i] != ':' {
			return i, ms, scanInvalid
		}
		vs := skipSpace(b, i+1)
		if vs >= len(b) {
			return vs, ms, scanIncomplete
		}
		// Most values are scalars: scan them here, the rest with scanValue.
		switch c := b[vs]; {
		case c == '"':
			i, v = scanString(b, vs)
		case c == '-' || '0' <= c && c <= '9':
			i, v = scanNumber(b, vs)
		case c == 't':
			i, v = scanLiteral(b, vs, "true")
		case c == 'f':
			i, v = scanLiteral(b, vs, "false")
		case c == 'n':
			i, v = scanLiteral(b, vs, "null")
		default:
			var n int
			n, v = scanValue(b[vs:])
			i = vs + n
		}
		if v != scanValid {
			return i, ms, v
		}
		ms = append(ms, memberSpan{keyOff: ks, keyEnd: ke, off: vs, end: i})
		if i = skipSpace(b, i); i >= len(b) {
			return i, ms, scanIncomplete
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1, ms, scanValid
		default:
			return i, ms, scanInvalid
		}
	}
}
