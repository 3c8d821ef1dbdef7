package protocol

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeBothWays decodes payload with the fast paths (unmarshalFrame, the
// list unmarshalers) on and off.
func decodeBothWays(t testing.TB, payload []byte) (fast, slow *Event, fastErr, slowErr error) {
	t.Helper()
	fast, fastErr = DecodeEvent(payload)
	fastPaths = false
	defer func() { fastPaths = true }()
	slow, slowErr = DecodeEvent(payload)
	return fast, slow, fastErr, slowErr
}

// TestFastPaths checks that the fast paths decode exactly what json's own
// struct and slice decoding does: every event real SDKs sent, and frames
// and lists with every kind of oddity the fast paths hand back to json or
// to the lenient pass.
func TestFastPaths(t *testing.T) {
	for _, p := range eventPayloads(t) {
		fast, slow, fastErr, slowErr := decodeBothWays(t, p.payload)
		require.NoError(t, slowErr, p.name)
		require.NoError(t, fastErr, p.name)
		require.Equal(t, slow, fast, p.name)
	}

	frames := []struct {
		name  string
		frame string
	}{
		{"empty", `{}`},
		{"every field", `{"function":"f","raw_function":"rf","symbol":"s","module":"m","package":"p",
			"filename":"a.go","abs_path":"/a.go","lineno":12,"colno":3,"platform":"go",
			"pre_context":["a","b"],"context_line":"c","post_context":["d"],"in_app":true,
			"vars":{"x":1},"data":{"y":2},"image_addr":"0x10","instruction_addr":"0x1f",
			"addr_mode":"abs","function_id":"0x2","symbol_addr":7,"trust":"cfi","lang":"go",
			"stack_start":false,"lock":{"type":1}}`},
		{"unknown members", `{"function":"f","colno":1,"x":[1,{"y":null}],"":"empty name"}`},
		{"escaped names", `{"func\u0074ion":"f","line\u006eo":3,"o\u0074her":true}`},
		{"escaped strings", `{"function":"a\"b","context_line":"\tx\u00e9"}`},
		{"duplicates", `{"function":"a","function":"b","lineno":1,"lineno":2,"in_app":true,"in_app":false,"data":{"a":1},"data":{"b":2},"x":1,"x":2}`},
		{"nulls", `{"function":null,"lineno":null,"in_app":null,"vars":null,"pre_context":null,"image_addr":null}`},
		{"vars list", `{"vars":["a",{"b":1}]}`},
		{"lineno fraction", `{"lineno":1.5,"function":"f"}`},
		{"lineno exponent", `{"lineno":1e2,"function":"f"}`},
		{"lineno negative", `{"lineno":-1,"function":"f"}`},
		{"lineno too big", `{"lineno":18446744073709551616,"function":"f"}`},
		{"lineno max", `{"lineno":18446744073709551615}`},
		{"lineno string", `{"lineno":"12","function":"f"}`},
		{"function number", `{"function":12,"module":"m"}`},
		{"in_app string", `{"in_app":"yes","function":"f"}`},
		{"addr bad", `{"instruction_addr":"zz","function":"f"}`},
		{"pre_context mixed", `{"pre_context":["a",1,null]}`},
		{"frame not object", `1`},
		{"frame null", `null`},
	}
	for _, tt := range frames {
		t.Run("frame/"+tt.name, func(t *testing.T) {
			payload := []byte(`{"exception":{"values":[{"type":"E","stacktrace":{"frames":[{"function":"first"},` + tt.frame + `]}}]}}`)
			fast, slow, fastErr, slowErr := decodeBothWays(t, payload)
			assert.Equal(t, slowErr, fastErr)
			assert.Equal(t, slow, fast)
		})
	}

	events := []struct {
		name  string
		event string
	}{
		{"fingerprint", `{"fingerprint":["{{ default }}","x"]}`},
		{"fingerprint empty", `{"fingerprint":[]}`},
		{"fingerprint null", `{"fingerprint":null}`},
		{"fingerprint mixed", `{"fingerprint":["a",1,null,true,{"b":2},["c"],"d"]}`},
		{"fingerprint escaped", `{"fingerprint":["a\"b","\u00e9"]}`},
		{"fingerprint not a list", `{"fingerprint":"a"}`},
		{"exceptions bare list", `{"exception":[{"type":"A"},null,{"type":"B","value":"v"}]}`},
		{"exceptions mixed", `{"exception":{"values":[{"type":"A"},1,"x",{"type":"B"}]}}`},
		{"frames not a list", `{"exception":{"values":[{"type":"A","stacktrace":{"frames":{"function":"f"}}}]}}`},
		{"frames mixed", `{"exception":{"values":[{"type":"A","stacktrace":{"frames":[1,{"function":"f","lineno":-2},null]}}]}}`},
		{"sdk packages", `{"sdk":{"name":"s","integrations":["a",2],"packages":[{"name":"p"},3,null]}}`},
		{"nested", `{"exception":{"values":[{"type":"A","stacktrace":{"frames":[{"pre_context":["a","b"],"post_context":["c"]},{"pre_context":["d"]}]}},{"type":"B","stacktrace":{"frames":[{"function":"g"}]}}]},"fingerprint":["e"]}`},
	}
	for _, tt := range events {
		t.Run("event/"+tt.name, func(t *testing.T) {
			fast, slow, fastErr, slowErr := decodeBothWays(t, []byte(tt.event))
			assert.Equal(t, slowErr, fastErr)
			assert.Equal(t, slow, fast)
			if strings.Contains(tt.name, "mixed") {
				// The lenient pass ran, through the fast paths too.
				require.NoError(t, fastErr)
				assert.NotEmpty(t, fast.Warnings)
			}
		})
	}
}

// FuzzFastPaths checks the fast paths against json's own decoding on any
// input: the same Event, the same warnings, the same error.
func FuzzFastPaths(f *testing.F) {
	for _, p := range eventPayloads(f) {
		f.Add(p.payload)
	}
	f.Add([]byte(`{"exception":{"values":[{"stacktrace":{"frames":[{"function":"f","lineno":1,"pre_context":["a"],"vars":{"x":1},"data":{"y":2}}]}}]}}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		fast, slow, fastErr, slowErr := decodeBothWays(t, payload)
		require.Equal(t, slowErr, fastErr)
		require.Equal(t, slow, fast)
	})
}
