package parameterize

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The expectations are what CPython 3 gives for Sentry's _trim_extra_lines:
// "\n".join(islice((x for x in s.splitlines() if x.strip()), 2)), plus
// "..." when that differs from s.
func TestTrim(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"foo", "foo"},
		{"foo\n", "foo..."},
		{"\nfoo", "foo..."},
		{"foo\nbar", "foo\nbar"},
		{"foo\nbar\n", "foo\nbar..."},
		{"foo\nbar\nbaz", "foo\nbar..."},
		{"foo\r\nbar", "foo\nbar..."},
		{"foo\rbar", "foo\nbar..."},
		{"foo\r\n\r\nbar", "foo\nbar..."},
		{"foo\n\n\nbar\nbaz", "foo\nbar..."},
		{"   ", "..."},
		{" \n \t ", "..."},
		{"  foo  \n  bar  ", "  foo  \n  bar  "},
		{"foo\u000bbar", "foo\nbar..."},
		{"foo\fbar", "foo\nbar..."},
		{"foo\u001cbar", "foo\nbar..."},
		{"foo\u001dbar", "foo\nbar..."},
		{"foo\u001ebar", "foo\nbar..."},
		{"foo\u001fbar", "foo\u001fbar"}, // \x1f is whitespace but not a line break
		{"foo\u0085bar", "foo\nbar..."},
		{"foo\u2028bar", "foo\nbar..."},
		{"foo\u2029bar", "foo\nbar..."},
		{"\u001f\nfoo", "foo..."},
		{"\u3000\nfoo\n\u00a0\nbar", "foo\nbar..."},
		{"foo\n\u200bbar", "foo\n\u200bbar"}, // U+200B is not whitespace
		{"a\nb\nc\nd", "a\nb..."},
		{"\n\n", "..."},
		{"\r\n", "..."},
		{"x\r", "x..."},
		{"\u00e9\u2028\u00fc\u2029\u00f6", "\u00e9\n\u00fc..."},
		{"Loading chunk 123 failed.\n(timeout: https://example.com/x.js)\n    at foo", "Loading chunk 123 failed.\n(timeout: https://example.com/x.js)..."},
		// Not valid UTF-8: a lone \x85 byte is not U+0085.
		{"foo\x85bar\n", "foo\x85bar..."},
		{"\xff\n\xfe", "\xff\n\xfe"},
	} {
		assert.Equal(t, tc.want, Trim(tc.in), "Trim(%q)", tc.in)
	}
}

func TestTrimNoAllocation(t *testing.T) {
	for _, s := range []string{"", "one line", "two\nlines", "  indented  \n\tkept"} {
		assert.Zero(t, testing.AllocsPerRun(100, func() { Trim(s) }), "Trim(%q)", s)
	}
}

func TestNormalizeMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Loading chunk 123 failed.\n(timeout: https://example.com/chunk.js)\n    at x (a.js:1:2)", "Loading chunk <int> failed.\n(timeout: <url>"}, // the URL swallows the "..."
		{"error 42\n", "error <int>..."},
		// Trimming first: the third line never reaches the patterns.
		{"a\nb\nuser@example.com", "a\nb..."},
		{"\n\nid=7\n", "id=<int>..."},
	} {
		assert.Equal(t, tc.want, NormalizeMessage(tc.in), "NormalizeMessage(%q)", tc.in)
	}
}
