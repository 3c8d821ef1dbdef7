package fingerprint

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The expectations below are Sentry's normalize_sdk_tag (Python 3.11), run
// on the same inputs.

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
