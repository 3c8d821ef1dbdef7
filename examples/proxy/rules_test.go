package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "anything", true},
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"*Invalid HTTP_HOST*", "Invalid HTTP_HOST header: 'x'", true},
		{"*Invalid HTTP_HOST*", "invalid http_host", false},
		{"/healthz*", "/healthz/ready", true},
		{"/api/*/users", "/api/v1/users", true},
		{"/api/*/users", "/api/v1/users/2", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*a*b*c", "xxaxxbxxbxc", true},
		{"*a*b*c", "xxaxxbxxbx", false},
		{"", "", true},
		{"", "x", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, glob(tt.pattern, tt.s), "glob(%q, %q)", tt.pattern, tt.s)
	}
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct {
		name, text, err string
	}{
		{"no operator", "exception.type DisallowedHost", "rules.txt:1: \"exception.type DisallowedHost\": want FIELD = VALUE"},
		{"unknown field", "# c\n\nuser = x", "rules.txt:3: unknown field \"user\""},
		{"empty value", "logger =", "rules.txt:1: \"logger =\": empty value"},
		{"empty tag key", "tag: = x", "rules.txt:1: unknown field \"tag:\""},
		{"bad second condition", "logger = a && sdk", "rules.txt:1: \"sdk\": want"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRules(strings.NewReader(tt.text), "rules.txt")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

func TestRuleMatches(t *testing.T) {
	event := `{"logger":"app.views","transaction":"/checkout/","level":"warning",
		"logentry":{"message":"order %s failed","formatted":"order 42 failed"},
		"exception":{"values":[{"type":"KeyError","module":"builtins","value":"'sku'"},{"type":"ValueError","value":"bad price"}]},
		"tags":{"environment":"staging","region":"eu"},"sdk":{"name":"sentry.python.django"}}`
	ev, err := protocol.DecodeEvent([]byte(event))
	require.NoError(t, err)
	bare, err := protocol.DecodeEvent([]byte(`{"message":"hi"}`))
	require.NoError(t, err)

	tests := []struct {
		rule string
		want bool
	}{
		{"exception.type = KeyError", true},
		{"exception.type = ValueError", true}, // any exception of the chain
		{"exception.type = TypeError", false},
		{"exception.type ~ *Error", true},
		{"exception.module = builtins", true},
		{"message = order 42 failed", true},
		{"message = order %s failed", true},
		{"message ~ *price*", true}, // an exception's value
		{"message ~ *refund*", false},
		{"logger = app.views", true},
		{"logger ~ django.*", false},
		{"transaction = /checkout/", true},
		{"transaction ~ /cart*", false},
		{"level = warning", true},
		{"tag:environment = staging", true},
		{"tag:environment = production", false},
		{"tag:missing ~ *", false},
		{"sdk = sentry.python.django", true},
		{"sdk ~ sentry.javascript.*", false},
		{"logger = app.views && tag:region = eu", true},
		{"logger = app.views && tag:region = us", false},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			ru, err := parseRule(tt.rule)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ru.matches(ev, ""))
			// A field the event lacks never matches, not even with "*".
			if tt.rule != "message ~ *refund*" && !strings.HasPrefix(tt.rule, "message") {
				assert.False(t, ru.matches(bare, ""), "bare event")
			}
		})
	}

	// The envelope header's SDK counts when the event names none.
	ru, err := parseRule("sdk = sentry.go")
	require.NoError(t, err)
	assert.True(t, ru.matches(bare, "sentry.go"))
	assert.False(t, ru.matches(bare, ""))
}
