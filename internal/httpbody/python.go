package httpbody

import "strings"

// NeedsPythonJSONRepair reports whether Relay would run [RepairPythonJSON]
// on a /store/ event sent by client, the SDK identifier of the request (the
// sentry_client value of its authentication, for example
// "raven-python/6.10.0"). Relay does this for exactly the identifiers that
// start with "raven-python/" or "sentry-python/", case-sensitively, because
// those SDKs serialised floats with Python's json module, which writes NaN
// and Infinity as bare tokens.
func NeedsPythonJSONRepair(client string) bool {
	return strings.HasPrefix(client, "raven-python/") || strings.HasPrefix(client, "sentry-python/")
}

// repairState is the state of the scanner in RepairPythonJSON. The
// nan and inf states count the letters of "NaN" and "Infinity" matched so
// far.
type repairState uint8

const (
	stOutside repairState  = iota // between tokens, or inside a literal
	stString                      // inside a string
	stEscape                      // after a backslash inside a string
	stNumber                      // inside a run of digits
	stNaN1                        // "N" seen
	stNaN2                        // "Na" seen
	stInf1                        // "I" seen; stInf1+k means k+1 letters of "Infinity" seen
	stInf7    = stInf1 + 6        // "Infinit" seen
)

// RepairPythonJSON returns b with the invalid JSON that old Python SDKs
// produce made parseable, byte-for-byte as Relay's json_forensics does it
// for clients selected by [NeedsPythonJSONRepair]. Outside strings:
//
//   - NaN and Infinity become a "0" followed by as many spaces as it takes
//     to keep the token's length: two for NaN, seven for Infinity, so that
//     -Infinity becomes "-0" and seven spaces;
//   - a run of digits whose value does not fit in an unsigned 64-bit
//     integer becomes "0" padded with spaces (Relay's JSON parser cannot
//     hold it). Only the digits are replaced: in "-1e400" the exponent
//     digits "400" fit and are kept, while the integer and fraction parts of
//     a number are checked as separate runs.
//
// Strings, including escaped quotes in them, are left alone. The output
// always has the length of the input, so byte offsets in later error
// messages still point at the client's data.
//
// The scanner is deliberately Relay's simple state machine rather than a
// JSON tokenizer, and it is reproduced exactly, quirks included: once an
// 'N' or 'I' starts a token, unrelated bytes are skipped until the token's
// next letter appears (so "Nope ... aN" is rewritten), and the byte that
// ends a run of digits is not itself examined (so in the invalid input
// `1"NaN"` the NaN is rewritten). On valid JSON with NaN and Infinity
// tokens the result is valid JSON.
//
// When nothing needs rewriting, b itself is returned; otherwise the result
// is a new slice and b is not modified.
func RepairPythonJSON(b []byte) []byte {
	var out []byte // copy of b, made at the first rewrite
	st := stOutside
	numStart := 0
	for i := 0; i <= len(b); i++ {
		// Relay runs one extra step on a NUL byte after the end so that a
		// number at the very end of the input is checked too.
		var c byte
		if i < len(b) {
			c = b[i]
		}
		switch st {
		case stOutside:
			switch {
			case c == 'N':
				st = stNaN1
			case c == 'I':
				st = stInf1
			case c == '"':
				st = stString
			case c >= '0' && c <= '9':
				st, numStart = stNumber, i
			}
		case stString:
			switch c {
			case '\\':
				st = stEscape
			case '"':
				st = stOutside
			}
		case stEscape:
			st = stString
		case stNumber:
			switch {
			case c >= '0' && c <= '9':
			case c == '.' || c == 'e' || c == 'E':
				st = stOutside
			default:
				if overflowsUint64(b[numStart:i]) {
					if out == nil {
						out = append([]byte(nil), b...)
					}
					blank(out[numStart:i])
				}
				st = stOutside
			}
		case stNaN1:
			if c == 'a' {
				st = stNaN2
			}
		case stNaN2:
			if c == 'N' {
				if out == nil {
					out = append([]byte(nil), b...)
				}
				blank(out[i-2 : i+1])
				st = stOutside
			}
		default: // stInf1 through stInf7
			k := int(st - stInf1) // letters of "Infinity" matched, minus one
			if c != "Infinity"[k+1] {
				continue
			}
			if st < stInf7 {
				st++
				continue
			}
			if out == nil {
				out = append([]byte(nil), b...)
			}
			blank(out[i-7 : i+1])
			st = stOutside
		}
	}
	if out == nil {
		return b
	}
	return out
}

// blank overwrites a token with "0" followed by spaces.
func blank(tok []byte) {
	tok[0] = '0'
	for j := 1; j < len(tok); j++ {
		tok[j] = ' '
	}
}

// overflowsUint64 reports whether a non-empty run of ASCII digits denotes a
// value above 18446744073709551615. Leading zeros do not count.
func overflowsUint64(digits []byte) bool {
	const maxUint64 = "18446744073709551615"
	for len(digits) > 1 && digits[0] == '0' {
		digits = digits[1:]
	}
	if len(digits) != len(maxUint64) {
		return len(digits) > len(maxUint64)
	}
	return string(digits) > maxUint64
}
