package fingerprint

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The expectations below are Python's (3.11): str.lower, str.strip,
// Sentry's unescape_string and normalize_sdk_tag, run on the same inputs.

func TestPyLower(t *testing.T) {
	tests := []struct{ in, want string }{
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
		assert.Equal(t, tt.want, pyLower(tt.in), "%q", tt.in)
	}
}

func TestPyStrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  a  ", "a"},
		{"\x1c\x1fa\x1e", "a"},
		{"\u00a0\u2028a\u3000", "a"},
		{"\u200ba\u200b", "\u200ba\u200b"},
		{"\x0b\x0ca\r\n", "a"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, pyStrip(tt.in), "%q", tt.in)
	}
}

func TestPyUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\\nb", "a\nb"},
		{"\\x41\\u00e9\\U0001F600", "Aé😀"},
		{"\\x4", "\\x4"},
		{"\\xZZ", "\\xZZ"},
		{"\\U00110000", "\\U00110000"},
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
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, pyUnescape(tt.in), "%q", tt.in)
	}
}

func TestNormalizeSDKName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "other"},
		{"sentry.python.django", "sentry.python"},
		{"sentry-javascript-angular", "sentry.javascript.angular"},
		{"sentry_python", "sentry.python"},
		{"sentry.javascript.react.native.expo", "sentry.javascript.react.native"},
		{"sentry.native.android.flutter", "sentry.native.android"},
		{"sentry.unity", "sentry.native.unity"},
		{"sentry.symfony", "sentry.php"},
		{"sentrydotnet", "sentry.dotnet"},
		{"sentry.android", "sentry.native.android"},
		{"sentry.cordova", "other"},
		{"raven", "other"},
		{"sentry", "other"},
		{"sentry-native", "other"},
		{"sentry.javascript.node.experimental", "sentry.javascript.node.experimental"},
		{"sentry.javascript.svelte.kit", "other"},
		{"sentry..python", "sentry.python"},
		{"sentry.élan", "other"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, NormalizeSDKName(tt.in), "%q", tt.in)
	}
}
