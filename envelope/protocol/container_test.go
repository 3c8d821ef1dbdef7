package protocol

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/internal/captures"
)

// containerItem parses a one-item envelope with the given item header and
// payload.
func containerItem(t *testing.T, header, payload string) *envelope.Item {
	t.Helper()
	env, err := envelope.Parse([]byte("{}\n" + header + "\n" + payload + "\n"))
	require.NoError(t, err)
	require.Len(t, env.Items, 1)
	return env.Items[0]
}

const logHeader = `{"type":"log","content_type":"application/vnd.sentry.items.log+json","item_count":2}`
const twoLogs = `{"version":42,"items":[{"level":"info","message":"foobar"},{"level":"error","message":"ohno"}]}`

// The container tests of Relay (envelope.md 4.3), in Relay's order.
func TestContainerRelay(t *testing.T) {
	tests := []struct {
		name, header, payload string
		err                   error
		pointer               string
	}{
		{"invalid item count", logHeader, `{"items":[{"level":"info","message":"foobar"}]}`, ErrMismatchedLength, ""},
		{"missing item count", `{"type":"log","content_type":"application/vnd.sentry.items.log+json"}`, twoLogs, ErrMismatchedLength, ""},
		{"invalid content type", `{"type":"log","content_type":"application/json","item_count":2}`, twoLogs, ErrMismatchedContentType, ""},
		{"invalid item type", `{"type":"span","content_type":"application/vnd.sentry.items.log+json","item_count":2}`, twoLogs, ErrMismatchedItemType, ""},
		{"missing content type", `{"type":"log","item_count":2}`, twoLogs, ErrMismatchedContentType, ""},
		{"content type checked before item type", `{"type":"span","item_count":2}`, twoLogs, ErrMismatchedContentType, ""},
		{"item type checked before JSON", `{"type":"span","content_type":"application/vnd.sentry.items.log+json"}`, `{`, ErrMismatchedItemType, ""},
		{"JSON checked before count", `{"type":"log","content_type":"application/vnd.sentry.items.log+json"}`, `{"items":[],}`, nil, ""},
		{"missing items", logHeader, `{"items2":[{"level":"info","message":"foobar"},{"level":"error","message":"ohno"}]}`, ErrMissingField, "/items"},
		{"items null", logHeader, `{"items":null}`, ErrMissingField, "/items"},
		{"items an object", logHeader, `{"items":{}}`, nil, "/items"},
		{"unexpected type", logHeader, `{"items":[{"level":"info","message":"foobar"},{"level":"error","message":"ohno"},]}`, nil, "/items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeLogs(containerItem(t, tt.header, tt.payload))
			require.Error(t, err)
			requireDecodeError(t, err, tt.err, tt.pointer)
		})
	}

	t.Run("content type in any case", func(t *testing.T) {
		c, err := DecodeLogs(containerItem(t, `{"type":"log","content_type":"Application/VND.sentry.items.log+json","item_count":2}`, twoLogs))
		require.NoError(t, err)
		assert.Len(t, c.Items, 2)
	})
	t.Run("successful", func(t *testing.T) {
		c, err := DecodeLogs(containerItem(t, logHeader, strings.Replace(twoLogs, "42", "123", 1)))
		require.NoError(t, err)
		v, ok := c.Version()
		assert.True(t, ok)
		assert.EqualValues(t, 123, v)
		require.Len(t, c.Items, 2)
		assert.Equal(t, LogInfo, c.Items[0].Level)
		assert.Equal(t, LogError, c.Items[1].Level)
		assert.Equal(t, `"foobar"`, string(c.Items[0].Other["message"]))
		assert.Empty(t, c.Warnings)
	})
	t.Run("invalid meta is tolerated", func(t *testing.T) {
		c, err := DecodeLogs(containerItem(t, logHeader, strings.Replace(twoLogs, "42", `"not_a_number"`, 1)))
		require.NoError(t, err)
		_, ok := c.Version()
		assert.False(t, ok)
		assert.Len(t, c.Items, 2)
	})
	t.Run("roundtrip and serialize", func(t *testing.T) {
		c, err := DecodeLogs(containerItem(t, logHeader, twoLogs))
		require.NoError(t, err)
		it, err := c.Item()
		require.NoError(t, err)
		assert.Equal(t, envelope.TypeLog, it.Type())
		assert.Equal(t, envelope.ContentTypeLogContainer, it.ContentType())
		n, ok := it.ItemCount()
		assert.True(t, ok)
		assert.EqualValues(t, 2, n)
		assert.JSONEq(t, twoLogs, string(it.Payload()))
		again, err := DecodeLogs(it)
		require.NoError(t, err)
		assert.Equal(t, c.Items, again.Items)
	})
	t.Run("with headers", func(t *testing.T) {
		const payload = `{"items":[{"__header":{"byte_size":3,"z":[1,2],"a":"\u00e9"},"level":"info","body":"a"},{"__header":{},"level":"error","body":"b"}]}`
		c, err := DecodeLogs(containerItem(t, logHeader, payload))
		require.NoError(t, err)
		assert.Equal(t, `{"byte_size":3,"z":[1,2],"a":"\u00e9"}`, string(c.Items[0].Header), "kept byte for byte")
		assert.Equal(t, `{}`, string(c.Items[1].Header))
		it, err := c.Item()
		require.NoError(t, err)
		assert.Contains(t, string(it.Payload()), `"__header":{"byte_size":3,"z":[1,2],"a":"\u00e9"}`, "written byte for byte")
		assert.JSONEq(t, payload, string(it.Payload()))

		// Whitespace inside a header is kept on decoding; marshaling
		// writes compact JSON.
		c, err = DecodeLogs(containerItem(t, logHeader, `{"items":[{"__header":{ "k" : 1 }},{}]}`))
		require.NoError(t, err)
		assert.Equal(t, `{ "k" : 1 }`, string(c.Items[0].Header))
	})
}

func TestContainerRecordsAreLenient(t *testing.T) {
	c, err := DecodeLogs(containerItem(t, `{"type":"log","content_type":"application/vnd.sentry.items.log+json","item_count":3}`,
		`{"items":[{"level":"info","body":"ok"},{"level":5,"body":"kept","timestamp":"yesterday"},7]}`))
	require.NoError(t, err)
	require.Len(t, c.Items, 3)
	assert.Equal(t, "kept", c.Items[1].Body)
	var ptrs []string
	for _, w := range c.Warnings {
		ptrs = append(ptrs, string(w.Pointer))
	}
	assert.Equal(t, []string{"/items/1/level", "/items/1/timestamp", "/items/2"}, ptrs)
}

func TestSpanAndMetricContainers(t *testing.T) {
	s, err := DecodeSpans(containerItem(t, `{"type":"span","content_type":"application/vnd.sentry.items.span.v2+json","item_count":1}`,
		`{"items":[{"trace_id":"af675a2735c845d5beb5a9e9ac5170c5","span_id":"b219428cb1b2071c","name":"q","status":"error","is_segment":false,"kind":"client","start_timestamp":1,"end_timestamp":2.5,"links":[{"trace_id":"t","span_id":"s","sampled":true,"attributes":{"k":{"type":"string","value":"v"}}}]}]}`))
	require.NoError(t, err)
	sp := s.Items[0]
	assert.Equal(t, SpanV2Error, sp.Status)
	require.NotNil(t, sp.IsSegment)
	assert.False(t, *sp.IsSegment)
	assert.Equal(t, "client", sp.Kind)
	assert.Equal(t, 1500*time.Millisecond, sp.EndTimestamp.Sub(sp.StartTimestamp.Time))
	require.Len(t, sp.Links, 1)
	v, _ := sp.Links[0].Attributes["k"].String()
	assert.Equal(t, "v", v)

	_, err = DecodeSpans(containerItem(t, `{"type":"span"}`, `{"trace_id":"x"}`))
	requireDecodeError(t, err, ErrMismatchedContentType, "")

	m, err := DecodeTraceMetrics(containerItem(t, `{"type":"trace_metric","content_type":"application/vnd.sentry.items.trace-metric+json","item_count":1}`,
		`{"items":[{"name":"g","type":"gauge","value":0,"unit":"byte"}]}`))
	require.NoError(t, err)
	assert.Equal(t, MetricGauge, m.Items[0].Type)
	it, err := m.Item()
	require.NoError(t, err)
	assert.Contains(t, string(it.Payload()), `"value":0`, "0 is a value")
	assert.Equal(t, envelope.ContentTypeMetricContainer, it.ContentType())
}

func TestAttribute(t *testing.T) {
	var a Attributes
	require.NoError(t, json.Unmarshal([]byte(`{
		"s":{"type":"string","value":"x"},
		"i":{"type":"integer","value":7},
		"is":{"type":"integer","value":"9007199254740993"},
		"d":{"type":"double","value":9.99},
		"b":{"type":"boolean","value":false},
		"arr":{"type":"array","value":["x64"]},
		"u":{"type":"integer","value":3,"unit":"byte","extra":1}}`), &a))
	s, ok := a["s"].String()
	assert.True(t, ok)
	assert.Equal(t, "x", s)
	_, ok = a["i"].String()
	assert.False(t, ok)
	n, ok := a["i"].Int()
	assert.True(t, ok)
	assert.EqualValues(t, 7, n)
	n, ok = a["is"].Int()
	assert.True(t, ok)
	assert.EqualValues(t, 9007199254740993, n)
	_, ok = a["d"].Int()
	assert.False(t, ok)
	f, ok := a["d"].Float()
	assert.True(t, ok)
	assert.InDelta(t, 9.99, f, 1e-12)
	_, ok = a["s"].Float()
	assert.False(t, ok)
	b, ok := a["b"].Bool()
	assert.True(t, ok)
	assert.False(t, b)
	_, ok = a["s"].Bool()
	assert.False(t, ok)
	assert.Equal(t, AttributeArray, a["arr"].Type)
	assert.Equal(t, "byte", a["u"].Unit)
	assert.Equal(t, "1", string(a["u"].Other["extra"]))
}

// TestItemsFromCaptures decodes every item of this file's types that real
// SDKs sent, and checks that marshaling keeps every field.
func TestItemLeaves(t *testing.T) {
	got := itemLeaves(t, []byte(`{"a":{"b":[1,{"c":"x"},[]],"d":{}},"e":null}`))
	assert.Equal(t, map[string]string{"/a/b/0": "1", "/a/b/1/c": `"x"`, "/a/b/2": "[]", "/a/d": "{}", "/e": "null"}, got)
}

func TestItemsFromCaptures(t *testing.T) {
	reqs, err := captures.Load("../testdata/sdk")
	require.NoError(t, err)
	seen := map[envelope.ItemType]int{}
	for _, r := range reqs {
		if r.IsStore() {
			continue
		}
		env, err := envelope.Parse(r.Body)
		require.NoError(t, err, r.Name)
		for i, it := range env.Items {
			name := fmt.Sprintf("%s/%d-%s", r.Name, i, it.Type())
			var v any
			var warnings []Warning
			switch it.Type() {
			case envelope.TypeSession:
				s, err := DecodeSession(it.Payload())
				require.NoError(t, err, name)
				v, warnings = s, s.Warnings
			case envelope.TypeSessions:
				s, err := DecodeSessionAggregates(it.Payload())
				require.NoError(t, err, name)
				v, warnings = s, s.Warnings
			case envelope.TypeCheckIn:
				c, err := DecodeCheckIn(it.Payload())
				require.NoError(t, err, name)
				v, warnings = c, c.Warnings
			case envelope.TypeClientReport:
				c, err := DecodeClientReport(it.Payload())
				require.NoError(t, err, name)
				v = c
			case envelope.TypeUserReport:
				u, err := DecodeUserReport(it.Payload())
				require.NoError(t, err, name)
				v = u
			case envelope.TypeLog:
				c, err := DecodeLogs(it)
				require.NoError(t, err, name)
				v, warnings = c, c.Warnings
			case envelope.TypeSpan:
				c, err := DecodeSpans(it)
				require.NoError(t, err, name)
				v, warnings = c, c.Warnings
			case envelope.TypeTraceMetric:
				c, err := DecodeTraceMetrics(it)
				require.NoError(t, err, name)
				v, warnings = c, c.Warnings
			default:
				continue
			}
			seen[it.Type()]++
			assert.Empty(t, warnings, name)
			out, err := json.Marshal(v)
			require.NoError(t, err, name)
			assertKeepsLeaves(t, name, it.Payload(), out)
		}
	}
	for _, typ := range []envelope.ItemType{envelope.TypeSession, envelope.TypeSessions, envelope.TypeCheckIn,
		envelope.TypeClientReport, envelope.TypeLog, envelope.TypeSpan, envelope.TypeTraceMetric} {
		assert.NotZero(t, seen[typ], "no capture has a %s item", typ)
	}
}

// assertKeepsLeaves checks that every leaf value of in is in out at the
// same JSON Pointer, modulo the documented normalizations: numbers are
// compared as numbers, and timestamps (RFC 3339 strings, or seconds under
// a timestamp key) as instants to the microsecond.
func assertKeepsLeaves(t *testing.T, name string, in, out []byte) {
	t.Helper()
	want, got := itemLeaves(t, in), itemLeaves(t, out)
	for p, v := range want {
		g, ok := got[p]
		if !assert.True(t, ok, "%s: %s lost", name, p) {
			continue
		}
		assert.Equal(t, normalLeaf(p, v), normalLeaf(p, g), "%s: %s", name, p)
	}
}

// itemLeaves maps the JSON Pointer of every leaf of a JSON document (a
// scalar, or an empty object or array) to its JSON text.
func itemLeaves(t *testing.T, b []byte) map[string]string {
	t.Helper()
	leaves := map[string]string{}
	dec := jsontext.NewDecoder(bytes.NewReader(b))
	for {
		k := dec.PeekKind()
		if k == 0 {
			break
		}
		p := string(pointerOfNext(dec))
		switch k {
		case '{', '[':
			_, err := dec.ReadToken()
			require.NoError(t, err)
			if end := dec.PeekKind(); end == '}' || end == ']' {
				leaves[p] = string(k) + string(end)
			}
		case '}', ']':
			_, err := dec.ReadToken()
			require.NoError(t, err)
		default:
			if kind, n := dec.StackIndex(dec.StackDepth()); kind == '{' && n%2 == 0 {
				_, err := dec.ReadToken() // a member name
				require.NoError(t, err)
				continue
			}
			v, err := dec.ReadValue()
			require.NoError(t, err)
			leaves[p] = string(v)
		}
	}
	return leaves
}

func normalLeaf(p, v string) string {
	var s string
	if json.Unmarshal([]byte(v), &s) == nil {
		if tm, ok := parseDateTime(s); ok {
			return strconv.FormatInt(tm.Round(time.Microsecond).UnixMicro(), 10) // Relay rounds
		}
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	if strings.HasSuffix(p, "timestamp") || strings.HasSuffix(p, "started") {
		sec, frac := math.Modf(f)
		return strconv.FormatInt(time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UnixMicro(), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
