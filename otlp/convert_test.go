package otlp

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
)

func hexID(t *testing.T, s string) []byte {
	t.Helper()
	b := make([]byte, len(s)/2)
	for i := range b {
		var v byte
		for _, c := range []byte(s[2*i : 2*i+2]) {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= c - '0'
			case c >= 'a' && c <= 'f':
				v |= c - 'a' + 10
			default:
				t.Fatalf("bad hex %q", s)
			}
		}
		b[i] = v
	}
	return b
}

// treeTraces is one request with a root, a child, a grandchild, an orphan
// whose parent is elsewhere, a span of another trace reusing the root's
// span id, and a span with a broken span id.
func treeTraces(t *testing.T) *Traces {
	const (
		trace  = "5b8efff798038103d269b633813fc60c"
		other  = "0af7651916cd43dd8448eb211c80319c"
		root   = "eee19b7ec3c1b174"
		child  = "eee19b7ec3c1b175"
		grand  = "eee19b7ec3c1b176"
		orphan = "eee19b7ec3c1b177"
		absent = "eee19b7ec3c1b178"
	)
	span := func(tr, id, parent, name string) Span {
		s := Span{TraceID: hexID(t, tr), SpanID: hexID(t, id), Name: name,
			StartTimeUnixNano: 1700000000000000000, EndTimeUnixNano: 1700000001000000000}
		if parent != "" {
			s.ParentSpanID = hexID(t, parent)
		}
		return s
	}
	return &Traces{ResourceSpans: []ResourceSpans{{
		Resource: Resource{Attributes: []KeyValue{{Key: "service.name", Value: StringValue("orders")}}},
		ScopeSpans: []ScopeSpans{{
			Scope: &Scope{Name: "manual"},
			Spans: []Span{
				span(trace, grand, child, "SELECT"), // before its parents: order must not matter
				span(trace, child, root, "load"),
				span(trace, root, "", "GET /orders"),
				span(trace, orphan, absent, "late child"),
				span(other, root, child, "same id, other trace"),
				{TraceID: hexID(t, trace), SpanID: []byte{1, 2, 3}, Name: "broken"},
			},
		}},
	}}}
}

func spanAttr(t *testing.T, s *protocol.SpanV2, key string) (string, bool) {
	t.Helper()
	a, ok := s.Attributes[key]
	if !ok {
		return "", false
	}
	v, ok := a.String()
	require.True(t, ok, "%s is not a string: %s", key, a.Value)
	return v, true
}

func TestConvertTracesSegments(t *testing.T) {
	r := ConvertTraces(treeTraces(t))
	require.Len(t, r.Spans, 5)
	require.Len(t, r.Rejected, 1)
	assert.Equal(t, "/resourceSpans/0/scopeSpans/0/spans/5", r.Rejected[0].Path)
	assert.True(t, errors.Is(r.Rejected[0], ErrInvalidSpanID), "%v", r.Rejected[0])

	byName := map[string]*protocol.SpanV2{}
	for i := range r.Spans {
		byName[r.Spans[i].Name] = &r.Spans[i]
	}
	rootSpan := byName["GET /orders"]
	require.NotNil(t, rootSpan.IsSegment)
	assert.True(t, *rootSpan.IsSegment)
	for _, name := range []string{"load", "SELECT"} {
		id, ok := spanAttr(t, byName[name], "sentry.segment.id")
		assert.True(t, ok, name)
		assert.Equal(t, "eee19b7ec3c1b174", id, name)
		seg, _ := spanAttr(t, byName[name], "sentry.segment.name")
		assert.Equal(t, "GET /orders", seg, name)
	}
	for _, name := range []string{"late child", "same id, other trace"} {
		_, ok := spanAttr(t, byName[name], "sentry.segment.id")
		assert.False(t, ok, "%s has no segment root in the request", name)
	}
}

func TestConvertTracesCycle(t *testing.T) {
	a, b := hexID(t, "00000000000000aa"), hexID(t, "00000000000000bb")
	tr := hexID(t, "5b8efff798038103d269b633813fc60c")
	r := ConvertTraces(&Traces{ResourceSpans: []ResourceSpans{{ScopeSpans: []ScopeSpans{{Spans: []Span{
		{TraceID: tr, SpanID: a, ParentSpanID: b, Name: "a"},
		{TraceID: tr, SpanID: b, ParentSpanID: a, Name: "b"},
	}}}}}}, WithTransactions(true))
	require.Len(t, r.Spans, 2, "spans of a parent cycle stay spans")
	assert.Empty(t, r.Transactions)
	for i := range r.Spans {
		_, ok := r.Spans[i].Attributes["sentry.segment.id"]
		assert.False(t, ok)
	}
}

func TestConvertTracesTransactions(t *testing.T) {
	r := ConvertTraces(treeTraces(t), WithTransactions(true))
	require.Len(t, r.Transactions, 1)
	tx := r.Transactions[0]
	assert.Equal(t, "GET /orders", tx.Transaction)
	spans, _, err := tx.Spans.Get()
	require.NoError(t, err)
	assert.Len(t, spans, 2, "the child and the grandchild")
	names := []string{}
	for i := range r.Spans {
		names = append(names, r.Spans[i].Name)
	}
	assert.ElementsMatch(t, []string{"late child", "same id, other trace"}, names)
}

func TestResultEnvelopes(t *testing.T) {
	r := ConvertTraces(treeTraces(t), WithTransactions(true))
	r.Logs = ConvertLogs(&Logs{ResourceLogs: []ResourceLogs{{ScopeLogs: []ScopeLogs{{LogRecords: []LogRecord{
		{TimeUnixNano: 1700000000000000000, SeverityNumber: 17, Body: StringValue("boom"),
			TraceID: hexID(t, "5b8efff798038103d269b633813fc60c")},
	}}}}}}).Logs
	envs, err := r.Envelopes()
	require.NoError(t, err)
	require.Len(t, envs, 3, "spans, logs, one transaction")

	// Each must be an envelope Relay takes: written, parsed back with its
	// limits, and its items decoded.
	back := make([]*envelope.Envelope, len(envs))
	for i, env := range envs {
		var buf bytes.Buffer
		_, err = env.WriteTo(&buf)
		require.NoError(t, err)
		back[i], err = envelope.Parse(buf.Bytes())
		require.NoError(t, err)
		require.Len(t, back[i].Items, 1)
	}
	spans, err := protocol.DecodeSpans(back[0].Items[0])
	require.NoError(t, err)
	assert.Len(t, spans.Items, 2)
	assert.Empty(t, spans.Warnings)
	logs, err := protocol.DecodeLogs(back[1].Items[0])
	require.NoError(t, err)
	require.Len(t, logs.Items, 1)
	assert.Equal(t, protocol.LogError, logs.Items[0].Level)
	assert.Equal(t, "boom", logs.Items[0].Body)
	assert.Equal(t, envelope.TypeTransaction, back[2].Items[0].Type())
	tx, err := protocol.DecodeTransaction(back[2].Items[0].Payload())
	require.NoError(t, err)
	assert.Empty(t, tx.Warnings)
	id, ok := back[2].EventID()
	require.True(t, ok)
	assert.Equal(t, tx.EventID, id)
}
