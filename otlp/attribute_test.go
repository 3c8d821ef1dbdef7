package otlp

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// TestAttribute covers Relay's otel_value_to_attribute (relay-otel, the
// generation with array attributes) and its tests.
func TestAttribute(t *testing.T) {
	tests := []struct {
		name     string
		value    Value
		wantType protocol.AttributeType // "" for no attribute
		want     string
	}{
		{"test_string_value", StringValue("test"), protocol.AttributeString, `"test"`},
		{"string with escapes", StringValue("a\"b\\c\n\u2028"), protocol.AttributeString, `"a\"b\\c\n` + "\u2028" + `"`},
		{"empty string", StringValue(""), protocol.AttributeString, `""`},
		{"test_bool_value", BoolValue(true), protocol.AttributeBoolean, `true`},
		{"false", BoolValue(false), protocol.AttributeBoolean, `false`},
		{"test_int_value", IntValue(42), protocol.AttributeInteger, `42`},
		{"min int", IntValue(math.MinInt64), protocol.AttributeInteger, `-9223372036854775808`},
		{"test_double_value", DoubleValue(3.5), protocol.AttributeDouble, `3.5`},
		{"integral double keeps a fraction", DoubleValue(1000), protocol.AttributeDouble, `1000.0`},
		// Doubles are written as serde_json (ryu) writes them.
		{"large double", DoubleValue(1e300), protocol.AttributeDouble, `1e300`},
		{"a million", DoubleValue(1e6), protocol.AttributeDouble, `1000000.0`},
		{"seven digits and a fraction", DoubleValue(1234567.5), protocol.AttributeDouble, `1234567.5`},
		{"sixteen digits", DoubleValue(1e15), protocol.AttributeDouble, `1000000000000000.0`},
		{"seventeen digits", DoubleValue(1e16), protocol.AttributeDouble, `1e16`},
		{"seventeen digits with a fraction", DoubleValue(1.5e16), protocol.AttributeDouble, `1.5e16`},
		{"many digits", DoubleValue(123456789012345678), protocol.AttributeDouble, `1.2345678901234568e17`},
		{"small", DoubleValue(0.00001), protocol.AttributeDouble, `0.00001`},
		{"smaller", DoubleValue(0.000001), protocol.AttributeDouble, `1e-6`},
		{"smaller with digits", DoubleValue(-0.00000125), protocol.AttributeDouble, `-1.25e-6`},
		{"zero", DoubleValue(0), protocol.AttributeDouble, `0.0`},
		{"negative zero", DoubleValue(math.Copysign(0, -1)), protocol.AttributeDouble, `-0.0`},
		{"smallest", DoubleValue(5e-324), protocol.AttributeDouble, `5e-324`},
		{"kvlist with doubles", KVListValue(KeyValue{Key: "a", Value: DoubleValue(2.5e6)}, KeyValue{Key: "b", Value: DoubleValue(1e-7)}),
			protocol.AttributeString, `"{\"a\":2500000.0,\"b\":1e-7}"`},
		{"NaN", DoubleValue(math.NaN()), "", ""},
		{"infinity", DoubleValue(math.Inf(-1)), "", ""},
		{"test_bytes_value", BytesValue([]byte("hello")), protocol.AttributeString, `"hello"`},
		{"bytes not UTF-8", BytesValue([]byte{0xff, 0xfe}), "", ""},
		{"test_array_value", ArrayValue(StringValue("item1"), IntValue(42)), protocol.AttributeArray, `["item1",42]`},
		{"nested array left out", ArrayValue(IntValue(41), ArrayValue(IntValue(42))), protocol.AttributeArray, `[41]`},
		{"array of lists", ArrayValue(KVListValue(kvs("a", 1)...)), protocol.AttributeArray, `[]`},
		{"empty array", ArrayValue(), protocol.AttributeArray, `[]`},
		{"array scalars", ArrayValue(BoolValue(false), DoubleValue(2), DoubleValue(math.NaN()),
			BytesValue([]byte("b")), BytesValue([]byte{0xff}), Value{}, StringValue(`"`)),
			protocol.AttributeArray, `[false,2.0,"b","\""]`},
		{"test_kvlist_value", KVListValue(kvs("key1", "value1")...), protocol.AttributeString, `"{\"key1\":\"value1\"}"`},
		{"kvlist keys sorted", KVListValue(kvs("b", 1, "a", true, "c", 1.5)...), protocol.AttributeString,
			`"{\"a\":true,\"b\":1,\"c\":1.5}"`},
		{"kvlist later duplicate wins", KVListValue(kvs("k", 1, "j", 0, "k", 2)...), protocol.AttributeString,
			`"{\"j\":0,\"k\":2}"`},
		{"kvlist later complex duplicate does not", KVListValue(kvs("k", 1, "k", ArrayValue(IntValue(2)))...),
			protocol.AttributeString, `"{\"k\":1}"`},
		{"kvlist nested and empty left out", KVListValue(append(kvs("n", KVListValue(kvs("x", 1)...), "s", "v"),
			KeyValue{Key: "e"})...), protocol.AttributeString, `"{\"s\":\"v\"}"`},
		{"empty kvlist", KVListValue(), protocol.AttributeString, `"{}"`},
		{"kvlist plain text needs no escaping", KVListValue(kvs("k", 1)...), protocol.AttributeString, `"{\"k\":1}"`},
		{"empty value", Value{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a arena
			got, ok := a.attribute(tt.value)
			if tt.wantType == "" {
				assert.False(t, ok, "got %s %s", got.Type, got.Value)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.wantType, got.Type)
			assert.Equal(t, tt.want, string(got.Value))
			assert.True(t, got.Value.IsValid(), "not valid JSON")
		})
	}
}

// TestKVListManyKeys sorts lists longer than the stack buffer.
func TestKVListManyKeys(t *testing.T) {
	var list []KeyValue
	for i := 30; i > 0; i-- {
		list = append(list, KeyValue{Key: string(rune('A' + i)), Value: IntValue(int64(i))})
	}
	var a arena
	got, ok := a.attribute(KVListValue(list...))
	require.True(t, ok)
	s, ok := jsonString(got.Value)
	require.True(t, ok)
	assert.Regexp(t, `^\{"B":1,"C":2,.*"_":30\}$`, s)
}

// TestKVListLong sorts a list as long as a request may hold (the default
// Limits.MaxAttributes is 10,000 members, and a host may allow more), in
// the order that is worst for an insertion sort, and keeps the last of
// repeated keys.
func TestKVListLong(t *testing.T) {
	const n = 50_000
	list := make([]KeyValue, 0, n+1)
	for i := n; i > 0; i-- {
		list = append(list, KeyValue{Key: fmt.Sprintf("k%06d", i), Value: IntValue(int64(i))})
	}
	list = append(list, KeyValue{Key: "k000001", Value: StringValue("last")})
	var a arena
	start := time.Now()
	got, ok := a.attribute(KVListValue(list...))
	elapsed := time.Since(start)
	require.True(t, ok)
	s, ok := jsonString(got.Value)
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(s, `{"k000001":"last","k000002":2,`), s[:40])
	assert.True(t, strings.HasSuffix(s, `,"k050000":50000}`))
	// Quadratic work takes seconds here; n log n a few milliseconds.
	assert.Less(t, elapsed, 2*time.Second)
}

// TestScopeAttributes is relay-otel's test_scope_attributes.
func TestScopeAttributes(t *testing.T) {
	res := &Resource{Attributes: kvs("service.name", "test-service", "the.answer", "foobar")}
	scope := &Scope{
		Name:       "Eins Name",
		Version:    "123.42",
		Attributes: kvs("the.answer", 42, "name", "oops"), // name clashes and is overwritten
	}
	var a arena
	got := protocol.Attributes{}
	a.putScope(got, res, scope)
	assert.JSONEq(t, `{
		"instrumentation.name":{"type":"string","value":"Eins Name"},
		"instrumentation.the.answer":{"type":"integer","value":42},
		"instrumentation.version":{"type":"string","value":"123.42"},
		"resource.service.name":{"type":"string","value":"test-service"},
		"resource.the.answer":{"type":"string","value":"foobar"}}`, marshal(t, got))
}

// TestPlatform is relay-otel's otel_resource_to_platform tests.
func TestPlatform(t *testing.T) {
	tests := []struct {
		lang Value
		want string
		ok   bool
	}{
		{StringValue("nodejs"), "node", true},
		{StringValue("dotnet"), "csharp", true},
		{StringValue("webjs"), "javascript", true},
		{StringValue("foo"), "foo", true},
		{IntValue(1), "", false},
	}
	for _, tt := range tests {
		got, ok := platform(&Resource{Attributes: []KeyValue{{Key: "telemetry.sdk.language", Value: tt.lang}}})
		assert.Equal(t, tt.ok, ok)
		assert.Equal(t, tt.want, got)
	}
	_, ok := platform(&Resource{})
	assert.False(t, ok, "without a language")
}

func BenchmarkAttribute(b *testing.B) {
	values := []Value{
		StringValue("GET"), IntValue(200), DoubleValue(0.25), BoolValue(true),
		ArrayValue(StringValue("node"), StringValue("--require"), StringValue("preflight.cjs")),
		KVListValue(kvs("b", 1, "a", "x", "c", true)...),
	}
	b.ReportAllocs()
	var a arena
	for b.Loop() {
		if len(a.b) > 1<<20 {
			a.b = a.b[:0] // no values are kept in the benchmark
		}
		for _, v := range values {
			a.attribute(v)
		}
	}
}
