package httpbody

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRepairPythonJSON(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string // "" means unchanged (and not copied)
	}{
		{"nan", `{"a":NaN}`, `{"a":0  }`},
		{"infinity", `{"a":Infinity}`, `{"a":0       }`},
		{"negative-infinity", `{"a":-Infinity}`, `{"a":-0       }`},
		{"all-three-in-array", `[NaN,Infinity,-Infinity,1.5]`, `[0  ,0       ,-0       ,1.5]`},
		{"python-spacing", `{"x": NaN, "y": [Infinity, -Infinity]}`, `{"x": 0  , "y": [0       , -0       ]}`},
		{"at-end-of-input", `NaN`, `0  `},
		{"infinity-at-end", `-Infinity`, `-0       `},
		{"tokens-in-strings-untouched", `{"NaN":"NaN","Infinity":"-Infinity"}`, ""},
		{"string-then-token", `{"nan":"nan","Infinity":"-Infinity","other":NaN}`, `{"nan":"nan","Infinity":"-Infinity","other":0  }`},
		{"escaped-quote-in-string", `["NaN\"NaN\"NaN",NaN]`, `["NaN\"NaN\"NaN",0  ]`},
		{"escaped-backslash-ends-string", `["\\",NaN]`, `["\\",0  ]`},
		{"incomplete-token", `Inferior`, ""},
		{"lowercase-nan", `[nan, infinity]`, ""},
		{"valid-json", `{"a":[1,2.5,-3e10,true,false,null],"b":{"c":"d"}}`, ""},
		{"max-uint64", `18446744073709551615`, ""},
		{"max-uint64-plus-one", `18446744073709551616`, `0                   `},
		{"huge-int-in-object", `{"n":123456789012345678901234567890}`, `{"n":0                             }`},
		{"huge-negative-int", `[-99999999999999999999]`, `[-0                   ]`},
		{"leading-zeros-do-not-overflow", `000000000000000000000000001`, ""},
		{"huge-int-part-of-float-kept", `9999999999999999999999999999.5`, ""},
		{"huge-fraction-digits-replaced", `1.999999999999999999999999`, `1.0                       `},
		{"huge-exponent-digits-replaced", `1e999999999999999999999`, "1e0" + strings.Repeat(" ", 20)},
		{"small-exponent-kept", `999999999E-10`, ""},
		{"huge-int-in-string-kept", `"123456789012345678901234567890"`, ""},
		{"empty", ``, ""},
		// Quirks of Relay's scanner, reproduced on purpose.
		{"sticky-n", `[Nope]`, ""},
		{"sticky-n-completes", `Nxx aN`, `Nxx0  `},
		{"sticky-n-crosses-strings", `[Nope,"a",N]`, `[Nope,"a0  ]`},
		{"number-swallows-next-byte", `1"NaN"`, `1"0  "`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			orig := bytes.Clone(in)
			got := RepairPythonJSON(in)
			assert.Equal(t, orig, in, "the input is never modified")
			require.Len(t, got, len(in), "the output keeps every byte offset")
			if tc.want == "" {
				assert.Equal(t, tc.in, string(got))
				if len(in) > 0 {
					assert.Same(t, &in[0], &got[0], "nothing to repair: no copy")
				}
				return
			}
			assert.Equal(t, tc.want, string(got))
			if len(in) > 0 {
				assert.NotSame(t, &in[0], &got[0])
			}
		})
	}
}

// TestRepairPythonJSONMakesValidJSON checks the point of the repair: what
// Python's json.dumps writes for non-finite floats becomes parseable.
func TestRepairPythonJSONMakesValidJSON(t *testing.T) {
	inputs := []string{
		`{"extra":{"ratio":NaN,"max":Infinity,"min":-Infinity},"values":[NaN, 1.0, -Infinity]}`,
		`{"contexts":{"trace":{"op":"NaN"}},"measurements":{"lcp":{"value":Infinity}}}`,
		`{"big":123456789012345678901234567890,"tags":[["k","Infinity"]],"v":-Infinity}`,
	}
	for _, in := range inputs {
		require.False(t, jsontext.Value(in).IsValid(), "precondition: %s is invalid JSON", in)
		out := RepairPythonJSON([]byte(in))
		assert.True(t, jsontext.Value(out).IsValid(), "repaired: %s", out)
	}
}

func TestRepairPythonJSONLarge(t *testing.T) {
	// Valid event JSON passes untouched and uncopied, whatever its size.
	event := eventJSON(256 << 10)
	got := RepairPythonJSON(event)
	assert.Same(t, &event[0], &got[0])

	// A token at the very end of a large body is still found.
	body := append(bytes.Clone(event[:len(event)-1]), `,"x":NaN}`...)
	got = RepairPythonJSON(body)
	assert.True(t, strings.HasSuffix(string(got), `,"x":0  }`))
	assert.True(t, jsontext.Value(got).IsValid())
}

func TestNeedsPythonJSONRepair(t *testing.T) {
	cases := map[string]bool{
		"raven-python/6.10.0":     true,
		"sentry-python/0.19.5":    true,
		"sentry-python/":          true,
		"sentry.python/2.0.0":     false,
		"Sentry-Python/1.0":       false,
		"raven-python":            false,
		"sentry-python":           false,
		"raven-js/3.27.0":         false,
		"sentry.javascript/7.0":   false,
		"":                        false,
		" sentry-python/1.0":      false,
		"python-raven-python/1.0": false,
	}
	for client, want := range cases {
		assert.Equal(t, want, NeedsPythonJSONRepair(client), client)
	}
}

func TestOverflowsUint64(t *testing.T) {
	cases := map[string]bool{
		"0":                     false,
		"9":                     false,
		"18446744073709551615":  false,
		"18446744073709551616":  true,
		"99999999999999999999":  true,
		"100000000000000000000": true,
		"018446744073709551615": false,
		"0000":                  false,
	}
	for digits, want := range cases {
		assert.Equal(t, want, overflowsUint64([]byte(digits)), digits)
	}
}
