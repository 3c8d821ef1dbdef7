package pystr

import (
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expectations below are Python's (3.11): str.isspace, str.lower,
// str.strip, bytes.lower, int() and the unicode-escape codec, run on the
// same inputs.

func TestSpace(t *testing.T) {
	// Python's str.isspace is unicode.IsSpace plus the four information
	// separators; the regex module's \s is unicode.IsSpace exactly.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		sep := r >= 0x1c && r <= 0x1f
		if got, want := IsSpace(r), unicode.IsSpace(r) || sep; got != want {
			t.Fatalf("IsSpace(%U) = %v, want %v", r, got, want)
		}
		if got, want := IsWhiteSpace(r), unicode.IsSpace(r); got != want {
			t.Fatalf("IsWhiteSpace(%U) = %v, want %v", r, got, want)
		}
	}
}

func TestIsWord(t *testing.T) {
	tests := []struct {
		r    rune
		want bool
	}{
		{'a', true}, {'_', true}, {'7', true}, {'é', true}, {'²', true}, {'Ⅻ', true},
		{'-', false}, {'.', false}, {' ', false}, {'\u0301', false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsWord(tt.r), "%q", tt.r)
	}
}

func TestLower(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"ABC", "abc"},
		{"Straße", "straße"},
		{"İstanbul", "i\u0307stanbul"},
		{"ΟΔΟΣ", "οδος"},
		{"ΟΔΟΣ.", "οδος."},
		{"Σ", "σ"},
		{"ΑΣ ", "ας "},
		{"ΑΣ'Α", "ασ'α"},
		{"K", "k"},
		{"ǅ", "ǆ"},
		{"Ⅻ", "ⅻ"},
		{"Éé", "éé"},
		{"a\xffB", "a\xffb"}, // not UTF-8: kept, never replaced
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Lower(tt.in), "%q", tt.in)
	}
}

func TestASCIILower(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc/def", "abc/def"},
		{`C:\Windows\X.DLL`, `c:\windows\x.dll`},
		{"ÉCOLE", "École"}, // only ASCII letters
		{"A\xff", "a\xff"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ASCIILower(tt.in), "%q", tt.in)
	}
}

func TestStrip(t *testing.T) {
	tests := []struct{ in, strip, rstrip string }{
		{"  a  ", "a", "  a"},
		{"\x1c\x1fa\x1e", "a", "\x1c\x1fa"},
		{"\u00a0\u2028a\u3000", "a", "\u00a0\u2028a"},
		{"\u200ba\u200b", "\u200ba\u200b", "\u200ba\u200b"},
		{"\x0b\x0ca\r\n", "a", "\x0b\x0ca"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.strip, Strip(tt.in), "%q", tt.in)
		assert.Equal(t, tt.rstrip, RStrip(tt.in), "%q", tt.in)
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct {
		in, out string
		err     string
	}{
		{`plain`, `plain`, ""},
		{`a\\b`, `a\b`, ""},
		{`\"q\'`, `"q'`, ""},
		{`\n\t\r\a\b\f\v`, "\n\t\r\a\b\f\v", ""},
		{`\[unknown\{`, `\[unknown\{`, ""},
		{`\x41\u00e9\U0001F600`, "Aé😀", ""},
		{`\101\0`, "A\x00", ""},
		{`\777`, "\u01ff", ""},
		{"é", "é", ""},
		{`\é`, `\xe9`, ""}, // backslashreplace runs first
		{"a\\\nb", "ab", ""},
		{`\*::\{dtor\}`, `\*::\{dtor\}`, ""},
		{`\x4`, "", `truncated \x escape`},
		{`\xZZ`, "", `truncated \x escape`},
		{`\u12`, "", `truncated \u escape`},
		{`\ud800`, "", "escape produces a lone surrogate"},
		{`\U00110000`, "", "illegal Unicode character"},
		{`\UFFFFFFFF`, "", "illegal Unicode character"},
		{`\N{EM DASH}`, "", `\N{...} escapes are not supported`},
		{`a\`, "", `\ at end of string`},
	}
	for _, tt := range tests {
		got, err := Unescape(tt.in)
		if tt.err != "" {
			require.Error(t, err, tt.in)
			assert.ErrorIs(t, err, ErrBadEscape, tt.in)
			assert.Equal(t, tt.err, err.Error(), tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.out, got, tt.in)
	}
}

func TestUnescapeLenient(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\\nb", "a\nb"},
		{"\\x41\\u00e9\\U0001F600", "Aé😀"},
		{"\\x4", "\\x4"},
		{"\\xZZ", "\\xZZ"},
		{"\\U00110000", "\\U00110000"},
		{"\\ud800", "\ufffd"},
		{"\\777", "ǿ"},
		{"\\0", "\x00"},
		{"\\8", "\\8"},
		{"\\q", "\\q"},
		{"é\\é", "é\\xe9"},
		{"\\N{DASH}", "\\N{DASH}"},
		{"\\N", "\\N"},
		{"\\N{", "\\N{"},
		{"\\\\", "\\"},
		{"\\\"", "\""},
		{"\\'", "'"},
		{" \\", " \\"},
		{"\\*::\\{dtor\\}", "\\*::\\{dtor\\}"},
		{"\xff\\n", "\xff\n"}, // not UTF-8: kept
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, UnescapeLenient(tt.in), "%q", tt.in)
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		in          string
		n           uint64
		ok, inRange bool
	}{
		{"0", 0, true, true},
		{"12", 12, true, true},
		{"1_000", 1000, true, true},
		{"007", 7, true, true},
		{"-0", 0, true, true},
		{"-1", 1, true, false},
		{"18446744073709551615", 1<<64 - 1, true, true},
		{"18446744073709551616", 0, true, false},
		{"_1", 0, false, false},
		{"1_", 0, false, false},
		{"1__0", 0, false, false},
		{"1.5", 0, false, false},
		{"", 0, false, false},
		{"-", 0, false, false},
		{"x", 0, false, false},
	}
	for _, tt := range tests {
		n, ok, inRange := Int(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.inRange, inRange, tt.in)
		if tt.ok && tt.inRange {
			assert.Equal(t, tt.n, n, tt.in)
		}
	}
}
