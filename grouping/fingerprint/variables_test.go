package fingerprint

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVariable(t *testing.T) {
	tests := []struct {
		entry, name string
		ok          bool
	}{
		{"{{ default }}", "default", true},
		{"{{default}}", "default", true},
		{"{{  default\t}}", "default", true},
		{"{{ a b }}", "", false},
		{"{{a}}}}", "a}}", true},
		{"{{ a }}x", "", false},
		{"x{{ a }}", "", false},
		{"{{}}", "", false},
		{"{{ }}", "", false},
		{"{{\x1c a \x1c}}", "a", true},
		{"{{ tags.transaction }}", "tags.transaction", true},
		{"", "", false},
	}
	for _, tt := range tests {
		name, ok := Variable(tt.entry)
		assert.Equal(t, tt.ok, ok, "%q", tt.entry)
		assert.Equal(t, tt.name, name, "%q", tt.entry)
		assert.Equal(t, tt.ok && tt.name == "default", IsDefaultVariable(tt.entry), "%q", tt.entry)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		fp   []string
		want Kind
	}{
		{nil, KindNone},
		{[]string{"{{ default }}"}, KindDefault},
		{[]string{"{{default}}"}, KindDefault},
		{[]string{"{{ default }}", "{{ default }}"}, KindHybrid},
		{[]string{"a", "{{default }}"}, KindHybrid},
		{[]string{"a"}, KindCustom},
		{[]string{"{{ message }}"}, KindCustom},
		{[]string{"x{{ default }}"}, KindCustom},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, KindOf(tt.fp), "%q", tt.fp)
	}
	assert.Equal(t, "hybrid", KindHybrid.String())
	assert.Equal(t, "", KindNone.String())
}

func TestExpandTemplate(t *testing.T) {
	resolve := func(name string) (string, bool) {
		switch name {
		case "logger":
			return "sentry.errors", true
		case "tags.x":
			return "X", true
		}
		return "", false
	}
	tests := []struct{ in, want string }{
		{"Message from {{ logger }}", "Message from sentry.errors"},
		{"{{logger}}/{{ tags.x }}: {{ dog }}", "sentry.errors/X: {{ dog }}"},
		{"no variables", "no variables"},
		{"{{a}}{{logger}}", "{{a}}{{logger}}"}, // one match, named "a}}{{logger", as in Python
		{"{{ logger }}}", "sentry.errors}"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ExpandTemplate(tt.in, resolve), "%q", tt.in)
	}
	unknown := func(name string) (string, bool) { return "<unrecognized-variable-" + name + ">", true }
	assert.Equal(t, "<unrecognized-variable-dog>!", ExpandTemplate("{{dog}}!", unknown))
	assert.True(t, strings.HasPrefix(ExpandTemplate("{{ a b }}", unknown), "{{ a b }}"))
}
