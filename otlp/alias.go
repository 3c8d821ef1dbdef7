package otlp

import "unsafe"

// aliasString returns b's bytes as a string without copying them. The
// decoders use it so that a decoded request costs no copies of its
// strings; the price, documented on DecodeTraces, is that the input must
// not change while the result is in use.
func aliasString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// aliasBytes is the inverse of aliasString. The bytes must not be
// modified.
func aliasBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
