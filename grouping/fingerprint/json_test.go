package fingerprint

import (
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // rule.to_json() of each rule
	}{
		{"bare list", `[{"matchers":[["type","SoftTimeLimitExceeded"]],"fingerprint":["soft-timelimit-exceeded"]}]`,
			[]string{`{"attributes":{},"fingerprint":["soft-timelimit-exceeded"],"matchers":[["type","SoftTimeLimitExceeded"]],"text":"type:\"SoftTimeLimitExceeded\" -> \"soft-timelimit-exceeded\""}`}},
		{"config object", `{"version":1,"rules":[{"matchers":[["error.type","A"],["!stack.abs_path","**/x/**"]],"fingerprint":["a","{{default}}"],"attributes":{"title":"T","zz":"z"},"text":"ignored"}]}`,
			[]string{`{"attributes":{"title":"T","zz":"z"},"fingerprint":["a","{{default}}"],"matchers":[["type","A"],["!path","**/x/**"]],"text":"type:\"A\" !path:\"**/x/**\" -> \"a{{default}}\" title=\"T\" zz=\"z\""}`}},
		{"no version", `{"rules":[]}`, nil},
		{"built-in flag", `[{"matchers":[["family","javascript"]],"fingerprint":["x"],"is_builtin":true,"attributes":null}]`,
			[]string{`{"attributes":{},"fingerprint":["x"],"is_builtin":true,"matchers":[["family","javascript"]],"text":"family:\"javascript\" -> \"x\""}`}},
		{"no matchers", `[{"matchers":[],"fingerprint":["x"]}]`,
			[]string{`{"attributes":{},"fingerprint":["x"],"matchers":[],"text":" -> \"x\""}`}},
		{"many bangs", `[{"matchers":[["!!tags.a","b"]],"fingerprint":[]}]`,
			[]string{`{"attributes":{},"fingerprint":[],"matchers":[["!tags.a","b"]],"text":"!tags.a:\"b\" -> \"\""}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := ParseJSON([]byte(tt.in))
			require.NoError(t, err)
			var got []string
			for _, r := range rs.Rules() {
				got = append(got, string(r.JSON()))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		in, pointer string
		kind        error
	}{
		{`{`, "", ErrMalformed},
		{`"rules"`, "", ErrMalformed},
		{`{"version":2,"rules":[]}`, "/version", ErrUnknownVersion},
		{`{"version":"1","rules":[]}`, "/version", ErrUnknownVersion},
		{`{"version":1}`, "", ErrMalformed},
		{`{"rules":{}}`, "/rules", ErrMalformed},
		{`[1]`, "/0", ErrMalformed},
		{`[{"fingerprint":["x"]}]`, "/0/matchers", ErrMalformed},
		{`[{"matchers":null,"fingerprint":["x"]}]`, "/0/matchers", ErrMalformed},
		{`[{"matchers":[["type"]],"fingerprint":["x"]}]`, "/0/matchers/0", ErrMalformed},
		{`[{"matchers":[["type","a","b"]],"fingerprint":["x"]}]`, "/0/matchers/0", ErrMalformed},
		{`[{"matchers":[["type",1]],"fingerprint":["x"]}]`, "/0/matchers/0", ErrMalformed},
		{`[{"matchers":[["transaction","x"]],"fingerprint":["x"]}]`, "/0/matchers/0", ErrUnknownMatcher},
		{`{"rules":[{"matchers":[],"fingerprint":["x"]},{"matchers":[],"fingerprint":"x"}]}`, "/rules/1/fingerprint", ErrMalformed},
		{`[{"matchers":[],"fingerprint":[["filename","x"]]}]`, "/0/fingerprint", ErrMalformed},
		{`[{"matchers":[],"fingerprint":["x"],"attributes":[]}]`, "/0/attributes", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rs, err := ParseJSON([]byte(tt.in))
			assert.Nil(t, rs)
			var je *JSONError
			require.ErrorAs(t, err, &je)
			assert.Equal(t, tt.pointer, je.Pointer)
			assert.ErrorIs(t, err, tt.kind)
		})
	}
	_, err := ParseJSON([]byte(`[{"matchers":[["foo","x"]],"fingerprint":[]}]`))
	assert.EqualError(t, err, "invalid fingerprinting config at /0/matchers/0: Unknown matcher 'foo'")
}

// TestRuleJSON checks the marshalers against the bytes of Sentry's
// snapshots (fingerprint_info.matched_rule).
func TestRuleJSON(t *testing.T) {
	rs, err := ParseJSON([]byte(`[{"matchers":[["type","SoftTimeLimitExceeded"]],"fingerprint":["soft-timelimit-exceeded"]}]`))
	require.NoError(t, err)
	r := rs.Rules()[0]
	const want = `{"attributes":{},"fingerprint":["soft-timelimit-exceeded"],"matchers":[["type","SoftTimeLimitExceeded"]],"text":"type:\"SoftTimeLimitExceeded\" -> \"soft-timelimit-exceeded\""}`
	assert.Equal(t, want, string(r.JSON()))

	b, err := json.Marshal(struct {
		Rule *Rule `json:"matched_rule"`
	}{r})
	require.NoError(t, err)
	assert.Equal(t, `{"matched_rule":`+want+`}`, string(b))

	b, err = r.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, want, string(b))

	// Escaping as Python's json (and orjson) write it: no HTML escaping,
	// control characters as \uXXXX, non-ASCII as is.
	rs, err = Parse(`message:"<a&b>\x01\u2028é" -> x`)
	require.NoError(t, err)
	assert.Equal(t,
		`{"attributes":{},"fingerprint":["x"],"matchers":[["message","<a&b>\u0001`+"\u2028"+`é"]],"text":"message:\"<a&b>\u0001`+"\u2028"+`é\" -> \"x\""}`,
		string(rs.Rules()[0].JSON()))
}
