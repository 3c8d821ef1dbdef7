package protocol

import (
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
)

// TestStreamingDecodeDoesNotAlias decodes the package's types with
// json.UnmarshalRead, whose decoder reuses its buffer as it reads: values
// must be copies, not views of that buffer.
func TestStreamingDecodeDoesNotAlias(t *testing.T) {
	type holder struct {
		Span     Span        `json:"span"`
		Contexts Contexts    `json:"contexts"`
		Tags     Pairs       `json:"tags"`
		Later    Lazy[[]int] `json:"later"`
		Msg      *LogEntry   `json:"message"`
	}
	var b strings.Builder
	b.WriteString("[")
	for i := range 300 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"span":{"span_id":"` + strings.Repeat("a", 15) + string(rune('0'+i%10)) + `","op":"op` + itoa(int64(i)) + `"},` +
			`"contexts":{"os":{"name":"os` + itoa(int64(i)) + `"}},"tags":{"k":"v` + itoa(int64(i)) + `"},"later":[` + itoa(int64(i)) + `],"message":"m` + itoa(int64(i)) + `"}`)
	}
	b.WriteString("]")
	var hs []holder
	require.NoError(t, json.UnmarshalRead(strings.NewReader(b.String()), &hs))
	require.Len(t, hs, 300)
	for i, h := range hs {
		n := itoa(int64(i))
		assert.Equal(t, "op"+n, h.Span.Op)
		assert.Equal(t, SpanID(strings.Repeat("a", 15)+string(rune('0'+i%10))), h.Span.SpanID)
		assert.Equal(t, `{"name":"os`+n+`"}`, string(h.Contexts["os"]))
		v, _ := h.Tags.Get("k")
		assert.Equal(t, "v"+n, v)
		assert.Equal(t, "["+n+"]", string(h.Later.Raw()))
		assert.Equal(t, "m"+n, h.Msg.Formatted)
	}
}

func TestWarningPointers(t *testing.T) {
	ev, err := DecodeEvent([]byte(`{"exception":{"type":5,"value":"x"},"breadcrumbs":{"values":[{"timestamp":"soon"}]}}`))
	require.NoError(t, err)
	require.Len(t, ev.Warnings, 1)
	assert.Equal(t, "/exception/type", string(ev.Warnings[0].Pointer), "a single exception object")
	_, w, err := ev.Breadcrumbs.Get()
	require.NoError(t, err)
	require.Len(t, w, 1)
	assert.Equal(t, "/breadcrumbs/values/0/timestamp", string(w[0].Pointer), "Lazy.Get points from the top of the payload")
}

func TestStrictNulls(t *testing.T) {
	base := `"started":"2024-01-01T00:00:00Z","attrs":{"release":"r@1"}`
	for _, field := range []string{"sid", "seq", "init", "timestamp", "status", "errors"} {
		_, err := DecodeSession([]byte(`{` + base + `,"` + field + `":null}`))
		var de *DecodeError
		require.ErrorAs(t, err, &de, field)
		assert.Equal(t, "/"+field, string(de.Pointer))
		if field != "timestamp" { // DateTime refuses null itself
			assert.ErrorIs(t, err, ErrNullValue, field)
		}
	}
	_, err := DecodeSession([]byte(`{` + base + `,"did":null,"duration":null}`))
	assert.NoError(t, err, "did and duration are Options in Relay")
	_, err = DecodeCheckIn([]byte(`{"check_in_id":null,"monitor_slug":"m","status":"ok"}`))
	assert.ErrorIs(t, err, ErrNullValue)
}

func TestTimestampRange(t *testing.T) {
	for _, in := range []string{`{"timestamp":-1e15}`, `{"timestamp":1e15}`, `{"timestamp":"10000-01-01T00:00:00Z"}`} {
		ev, err := DecodeEvent([]byte(in))
		require.NoError(t, err, in)
		assert.True(t, ev.Timestamp.IsZero(), in)
		require.Len(t, ev.Warnings, 1, in)
		assert.Equal(t, "/timestamp", string(ev.Warnings[0].Pointer))
	}
}

func TestMarshalKeepsDuplicateKeys(t *testing.T) {
	ev, err := DecodeEvent([]byte(`{"extra":{"a":1,"a":2},"contexts":{"os":{"name":"a","name":"b"}},"zz":{"a":1,"a":2}}`))
	require.NoError(t, err)
	out, err := Marshal(ev)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"extra":{"a":1,"a":2}`)
	assert.True(t, jsontext.Value(out).IsValid(jsontext.AllowDuplicateNames(true)))

	it := envelope.NewItem(envelope.TypeLog, []byte(`{"items":[{"body":"x","attributes":{"k":{"type":"string","value":"v"}},"x":{"a":1,"a":2}}]}`))
	require.NoError(t, it.Set("content_type", envelope.ContentTypeLogContainer))
	require.NoError(t, it.Set("item_count", 1))
	c, err := DecodeLogs(it)
	require.NoError(t, err)
	_, err = c.Item()
	assert.NoError(t, err)
}

func TestNewLazy(t *testing.T) {
	l, err := NewLazy([]Span{{Op: "db", Description: "SELECT 1"}})
	require.NoError(t, err)
	assert.False(t, l.IsZero())
	spans, w, err := l.Get()
	require.NoError(t, err)
	assert.Empty(t, w)
	require.Len(t, spans, 1)
	assert.Equal(t, "SELECT 1", spans[0].Description)
	out, err := Marshal(struct {
		Spans Lazy[[]Span] `json:"spans"`
	}{l})
	require.NoError(t, err)
	assert.JSONEq(t, `{"spans":[{"op":"db","description":"SELECT 1"}]}`, string(out))
}
