package envelope

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// item is an item as a test expects it.
type item struct {
	typ     ItemType
	payload string
}

// TestEdgeCaseMatrix runs every row of the edge-case matrix in the spec
// (envelope.md §1.3) and checks Relay's verdict.
func TestEdgeCaseMatrix(t *testing.T) {
	tests := []struct {
		row   int
		name  string
		in    string
		opts  []Option
		items []item
		err   error
		item  int   // item index of the error
		off   int64 // byte offset of the error
	}{
		{row: 1, name: "empty body", in: "", err: ErrMissingHeader, item: -1, off: 0},
		{row: 2, name: "whitespace only", in: "  \n", err: ErrMissingHeader, item: -1, off: 3},
		{row: 3, name: "header without newline", in: `{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}`},
		{row: 4, name: "header with newline", in: "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n"},
		{row: 5, name: "extra newline after header-only", in: "{}\n\n", err: ErrUnexpectedEOF, item: 0, off: 4},
		{row: 6, name: "extra newline at the end", in: "{}\n{\"type\":\"event\"}\n{}\n\n", err: ErrUnexpectedEOF, item: 1, off: 24},
		{row: 7, name: "blank lines between items", in: "{}\n{\"type\":\"event\"}\n{}\n\n\n{\"type\":\"attachment\",\"length\":2}\nab",
			items: []item{{TypeEvent, "{}"}, {TypeAttachment, "ab"}}},
		{row: 8, name: "leading blank lines", in: "\n\n{}\n{\"type\":\"event\"}\n{}", items: []item{{TypeEvent, "{}"}}},
		{row: 9, name: "space before newline after header", in: "{} \n", err: ErrMissingNewline, item: -1, off: 2},
		{row: 9, name: "space before newline after item header", in: "{}\n{\"type\":\"event\"} \n{}", err: ErrMissingNewline, item: 0, off: 19},
		{row: 10, name: "CRLF", in: "{}\r\n{\"type\":\"event\"}\r\n{\"a\":1}\r\n", err: ErrMissingNewline, item: -1, off: 2},
		{row: 11, name: "pretty-printed headers", in: "{\n  \"event_id\": \"9ec79c33ec9942ab8353589fcb2e04dc\"\n}\n{\n \"type\": \"event\"\n}\n{}",
			items: []item{{TypeEvent, "{}"}}},
		{row: 12, name: "implicit length then newline", in: "{}\n{\"type\":\"attachment\"}\nhelloworld\n", items: []item{{TypeAttachment, "helloworld"}}},
		{row: 13, name: "implicit length then EOF", in: "{}\n{\"type\":\"attachment\"}\nhelloworld", items: []item{{TypeAttachment, "helloworld"}}},
		{row: 14, name: "item header at EOF", in: "{}\n{\"type\":\"attachment\"}", items: []item{{TypeAttachment, ""}}},
		{row: 15, name: "length 0 items", in: "{}\n{\"type\":\"attachment\",\"length\":0}\n\n{\"type\":\"attachment\",\"length\":0}\n\n",
			items: []item{{TypeAttachment, ""}, {TypeAttachment, ""}}},
		{row: 16, name: "length 0 and next header at once", in: "{}\n{\"type\":\"a\",\"length\":0}\n{\"type\":\"b\"}\n", err: ErrMissingNewline, item: 0, off: 27},
		{row: 17, name: "length 0 at EOF", in: "{}\n{\"type\":\"attachment\",\"length\":0}", items: []item{{TypeAttachment, ""}}},
		{row: 18, name: "length past the end", in: "{}\n{\"type\":\"attachment\",\"length\":50}\nabcd", err: ErrUnexpectedEOF, item: 0, off: 41},
		{row: 19, name: "length too small", in: "{}\n{\"type\":\"attachment\",\"length\":2}\nabcd\n", err: ErrMissingNewline, item: 0, off: 38},
		{row: 20, name: "explicit payload then CRLF", in: "{}\n{\"type\":\"attachment\",\"length\":2}\nab\r\n", err: ErrMissingNewline, item: 0, off: 38},
		{row: 21, name: "implicit payload keeps CR", in: "{}\n{\"type\":\"attachment\"}\nab\r\n", items: []item{{TypeAttachment, "ab\r"}}},
		{row: 22, name: "raw newline in implicit payload", in: "{}\n{\"type\":\"event\"}\n{\"a\":\n1}\n", err: ErrInvalidItemHeader, item: 1, off: 26},
		{row: 23, name: "length null", in: "{}\n{\"type\":\"attachment\",\"length\":null}\nabc", items: []item{{TypeAttachment, "abc"}}},
		{row: 24, name: "negative length", in: "{}\n{\"type\":\"attachment\",\"length\":-1}\nabc", err: ErrInvalidItemHeader, item: 0, off: 33},
		{row: 24, name: "negative length, lenient", in: "{}\n{\"type\":\"attachment\",\"length\":-1}\nabc", opts: lenient, items: []item{{TypeAttachment, "abc"}}},
		{row: 25, name: "string length", in: "{}\n{\"type\":\"attachment\",\"length\":\"3\"}\nabc", err: ErrInvalidItemHeader, item: 0, off: 33},
		{row: 25, name: "float length", in: "{}\n{\"type\":\"attachment\",\"length\":10.0}\nabc", err: ErrInvalidItemHeader, item: 0, off: 33},
		{row: 25, name: "exponent length", in: "{}\n{\"type\":\"attachment\",\"length\":1e1}\nabc", err: ErrInvalidItemHeader, item: 0, off: 33},
		{row: 25, name: "string length, lenient", in: "{}\n{\"type\":\"attachment\",\"length\":\"3\"}\nabc", opts: lenient, items: []item{{TypeAttachment, "abc"}}},
		{row: 26, name: "length of 2^32", in: "{}\n{\"type\":\"attachment\",\"length\":4294967296}\n", err: ErrInvalidItemHeader, item: 0, off: 33},
		{row: 26, name: "length of 2^32+3 wraps, lenient", in: "{}\n{\"type\":\"attachment\",\"length\":4294967299}\nabc", opts: lenient, items: []item{{TypeAttachment, "abc"}}},
		{row: 27, name: "empty item header", in: "{}\n{}\nabc", err: ErrInvalidItemHeader, item: 0, off: 3},
		{row: 27, name: "empty item header, lenient", in: "{}\n{}\nabc", opts: lenient, items: []item{{"", "abc"}}},
		{row: 28, name: "item header is an array", in: "{}\n[]\nabc", err: ErrInvalidItemHeader, item: 0, off: 3},
		{row: 28, name: "item header is a string", in: "{}\n\"x\"\nabc", err: ErrInvalidItemHeader, item: 0, off: 3},
		{row: 28, name: "item header is an array, lenient", in: "{}\n[]\nabc", opts: lenient, items: []item{{"", "abc"}}},
		{row: 29, name: "unknown type", in: "{}\n{\"type\":\"invalid_unknown\"}\nhelloworld\n", items: []item{{"invalid_unknown", "helloworld"}}},
		{row: 30, name: "type case", in: "{}\n{\"type\":\"Event\"}\n{}", items: []item{{"Event", "{}"}}},
		{row: 31, name: "key case", in: "{}\n{\"Type\":\"event\"}\n{}", err: ErrInvalidItemHeader, item: 0, off: 3},
		{row: 32, name: "duplicate key in envelope header", in: "{\"sent_at\":\"2020-02-07T14:16:00Z\",\"sent_at\":\"2020-02-07T14:16:00Z\"}\n", err: ErrInvalidHeader, item: -1, off: 34},
		{row: 32, name: "duplicate key in item header", in: "{}\n{\"type\":\"event\",\"type\":\"event\"}\n{}", err: ErrInvalidItemHeader, item: 0, off: 19},
		{row: 32, name: "duplicate key in item header, lenient", in: "{}\n{\"type\":\"event\",\"type\":\"session\"}\n{}", opts: lenient, items: []item{{TypeSession, "{}"}}},
		{row: 33, name: "unknown keys kept", in: "{\"x\":[1,2]}\n{\"type\":\"event\",\"y\":{\"z\":null}}\n{}", items: []item{{TypeEvent, "{}"}}},
		{row: 34, name: "BOM before header", in: "\xef\xbb\xbf{}\n", err: ErrInvalidHeader, item: -1, off: 0},
		{row: 35, name: "BOM inside payload", in: "{}\n{\"type\":\"attachment\",\"length\":10}\n\xef\xbb\xbfHello\r\n", items: []item{{TypeAttachment, "\xef\xbb\xbfHello\r\n"}}},
		{row: 36, name: "empty event_id", in: "{\"event_id\":\"\"}\n", err: ErrInvalidHeader, item: -1, off: 12},
		{row: 36, name: "empty event_id allowed", in: "{\"event_id\":\"\"}\n", opts: []Option{WithEmptyEventID(true)}},
		{name: "trailing whitespace allowed", in: "{}\n{\"type\":\"event\"}\n{}\n\n \n", opts: []Option{WithTrailingWhitespace(true)}, items: []item{{TypeEvent, "{}"}}},
		{name: "envelope header not an object", in: "[]\n", err: ErrInvalidHeader, item: -1, off: 0},
		{name: "bad event_id", in: "{\"event_id\":\"nope\"}\n", err: ErrInvalidHeader, item: -1, off: 12},
		{name: "hyphenated event_id", in: "{\"event_id\":\"9EC79C33-EC99-42AB-8353-589FCB2E04DC\"}\n"},
		{name: "event_id null", in: "{\"event_id\":null}\n"},
		{name: "bad sent_at", in: "{\"sent_at\":\"yesterday\"}\n", err: ErrInvalidHeader, item: -1, off: 11},
		{name: "sent_at number", in: "{\"sent_at\":123}\n", err: ErrInvalidHeader, item: -1, off: 11},
		{name: "dsn with short key", in: "{\"dsn\":\"https://abc@o1.ingest.sentry.io/42\"}\n", err: ErrInvalidHeader, item: -1, off: 7},
		{name: "dsn with string project", in: "{\"dsn\":\"https://e12d836b15bb49d7bbf99e64295d995b@sentry.io/abc\"}\n", err: ErrInvalidHeader, item: -1, off: 7},
		{name: "good dsn", in: "{\"dsn\":\"https://e12d836b15bb49d7bbf99e64295d995b@sentry.io/42\"}\n"},
		{name: "malformed trace is ignored", in: "{\"trace\":{\"sample_rate\":0.5}}\n"},
		{name: "invalid JSON item header", in: "{}\n{\"type\":}\n", err: ErrInvalidItemHeader, item: 0, off: 11},
		{name: "truncated item header", in: "{}\n{\"type\":\"ev", err: ErrInvalidItemHeader, item: 0, off: 14},
		{name: "type not a string", in: "{}\n{\"type\":1}\n", err: ErrInvalidItemHeader, item: 0, off: 11},
		{name: "filename not a string", in: "{}\n{\"type\":\"attachment\",\"filename\":1,\"length\":0}\n", err: ErrInvalidItemHeader, item: 0, off: 35},
		{name: "invalid UTF-8 in header", in: "{}\n{\"type\":\"\xff\"}\n", err: ErrInvalidItemHeader, item: 0, off: 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := Parse([]byte(tt.in), tt.opts...)
			checkResult(t, tt.in, env, err, tt.items, tt.err, tt.item, tt.off)
			items, serr := readAll(NewReader(iotest.OneByteReader(bytes.NewReader([]byte(tt.in))), tt.opts...))
			checkStream(t, items, serr, tt.items, tt.err, tt.item, tt.off)
		})
	}
}

var lenient = []Option{WithLenientItemHeaders(true)}

func checkResult(t *testing.T, in string, env *Envelope, err error, want []item, wantErr error, index int, off int64) {
	t.Helper()
	if wantErr != nil {
		require.ErrorIs(t, err, wantErr)
		var se *SyntaxError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, index, se.Item, "item index")
		assert.Equal(t, off, se.Offset, "offset")
		return
	}
	require.NoError(t, err)
	require.Len(t, env.Items, len(want))
	for i, w := range want {
		assert.Equal(t, w.typ, env.Items[i].Type())
		assert.Equal(t, w.payload, string(env.Items[i].Payload()))
	}
	out, err := env.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, in, string(out), "an unchanged envelope is written byte for byte")
}

func checkStream(t *testing.T, got []item, err error, want []item, wantErr error, index int, off int64) {
	t.Helper()
	if wantErr != nil {
		require.ErrorIs(t, err, wantErr, "Reader")
		var se *SyntaxError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, index, se.Item, "Reader item index")
		assert.Equal(t, off, se.Offset, "Reader offset")
		return
	}
	require.NoError(t, err, "Reader")
	if len(want) == 0 {
		want = nil
	}
	assert.Equal(t, want, got, "Reader")
}

// readAll reads every item of a Reader.
func readAll(r *Reader) ([]item, error) {
	var items []item
	for {
		h, err := r.Next()
		if err == io.EOF {
			return items, nil
		}
		if err != nil {
			return items, err
		}
		typ := h.Type()
		p, err := io.ReadAll(r)
		if err != nil {
			return items, err
		}
		items = append(items, item{typ, string(p)})
	}
}

// TestRelayParserTests ports the parser tests of Relay's envelope/mod.rs and
// of sentry-types (envelope.md §1.4) that pin framing.
func TestRelayParserTests(t *testing.T) {
	t.Run("deserialize_envelope_empty", func(t *testing.T) {
		env, err := Parse([]byte(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","dsn":"https://e12d836b15bb49d7bbf99e64295d995b:@sentry.io/42"}`))
		require.NoError(t, err)
		id, ok := env.EventID()
		require.True(t, ok)
		assert.Equal(t, "9ec79c33ec9942ab8353589fcb2e04dc", id.String())
		assert.Empty(t, env.Items)
		d, ok := env.DSN()
		require.True(t, ok)
		assert.Equal(t, "42", d.ProjectID)
	})
	t.Run("deserialize_request_meta", func(t *testing.T) {
		env, err := Parse([]byte(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","dsn":"https://e12d836b15bb49d7bbf99e64295d995b:@sentry.io/42","client":"sentry/javascript","version":6,"origin":"http://localhost/","remote_addr":"127.0.0.1","forwarded_for":"8.8.8.8","user_agent":"sentry-cli/1.0"}`))
		require.NoError(t, err)
		for key, want := range map[string]string{"client": "sentry/javascript", "origin": "http://localhost/", "remote_addr": "127.0.0.1", "forwarded_for": "8.8.8.8", "user_agent": "sentry-cli/1.0"} {
			got, ok := env.Header.GetString(key)
			assert.True(t, ok, key)
			assert.Equal(t, want, got, key)
		}
		v, ok := env.Header.GetInt("version")
		assert.True(t, ok)
		assert.EqualValues(t, 6, v)
	})
	t.Run("deserialize_envelope_empty_newline", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n"))
		require.NoError(t, err)
		assert.Empty(t, env.Items)
	})
	t.Run("deserialize_envelope_empty_item_newline", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"attachment\",\"length\":0}\n\n{\"type\":\"attachment\",\"length\":0}\n\n"))
		require.NoError(t, err)
		require.Len(t, env.Items, 2)
		assert.Empty(t, env.Items[0].Payload())
		assert.Empty(t, env.Items[1].Payload())
	})
	t.Run("deserialize_envelope_empty_item_eof", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"attachment\",\"length\":0}\n\n{\"type\":\"attachment\",\"length\":0}"))
		require.NoError(t, err)
		require.Len(t, env.Items, 2)
	})
	t.Run("deserialize_envelope_implicit_length", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"attachment\"}\nhelloworld\n"))
		require.NoError(t, err)
		require.Len(t, env.Items, 1)
		assert.Len(t, env.Items[0].Payload(), 10)
		_, explicit := env.Items[0].Length()
		assert.False(t, explicit)
	})
	t.Run("deserialize_envelope_implicit_length_eof", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"attachment\"}\nhelloworld"))
		require.NoError(t, err)
		require.Len(t, env.Items, 1)
		assert.Len(t, env.Items[0].Payload(), 10)
	})
	t.Run("deserialize_envelope_implicit_length_empty_eof", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"attachment\"}"))
		require.NoError(t, err)
		require.Len(t, env.Items, 1)
		assert.Empty(t, env.Items[0].Payload())
	})
	t.Run("deserialize_envelope_multiple_items", func(t *testing.T) {
		in := "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n" +
			"{\"type\":\"attachment\",\"length\":10,\"content_type\":\"text/plain\",\"filename\":\"hello.txt\"}\n\xef\xbb\xbfHello\r\n\n" +
			"{\"type\":\"event\",\"length\":41,\"content_type\":\"application/json\",\"filename\":\"application.log\"}\n" +
			"{\"message\":\"hello world\",\"level\":\"error\"}\n"
		env, err := Parse([]byte(in))
		require.NoError(t, err)
		require.Len(t, env.Items, 2)
		a, e := env.Items[0], env.Items[1]
		assert.Equal(t, TypeAttachment, a.Type())
		assert.Equal(t, "text/plain", a.ContentType())
		assert.Equal(t, "hello.txt", a.Filename())
		assert.Equal(t, "\xef\xbb\xbfHello\r\n", string(a.Payload()))
		assert.Equal(t, TypeEvent, e.Type())
		assert.Equal(t, "application/json", e.ContentType())
		assert.Equal(t, "application.log", e.Filename(), "filename is kept on an event item")
		assert.Len(t, e.Payload(), 41)
	})
	t.Run("deserialize_envelope_unknown_item", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"invalid_unknown\"}\nhelloworld\n"))
		require.NoError(t, err)
		require.Len(t, env.Items, 1)
		assert.False(t, env.Items[0].Type().IsKnown())
		assert.Equal(t, ItemType("invalid_unknown"), env.Items[0].Type())
		assert.Len(t, env.Items[0].Payload(), 10)
	})
	t.Run("deserialize_envelope_replay_recording", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"replay_recording\"}\nhelloworld\n"))
		require.NoError(t, err)
		assert.Equal(t, TypeReplayRecording, env.Items[0].Type())
	})
	t.Run("deserialize_envelope_replay_video", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"replay_video\"}\nhelloworld\n"))
		require.NoError(t, err)
		assert.Equal(t, TypeReplayVideo, env.Items[0].Type())
	})
	t.Run("deserialize_envelope_view_hierarchy", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"attachment\",\"length\":44,\"content_type\":\"application/json\",\"attachment_type\":\"event.view_hierarchy\"}\n{\"rendering_system\":\"compose\",\"windows\":[]}\n"))
		require.NoError(t, err)
		assert.Equal(t, AttachmentViewHierarchy, env.Items[0].AttachmentType())
	})
	t.Run("parse_request_sent_at", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\", \"sent_at\": \"1970-01-01T00:02:03Z\"}\n"))
		require.NoError(t, err)
		at, ok := env.SentAt()
		require.True(t, ok)
		assert.EqualValues(t, 123, at.Unix())
	})
	t.Run("parse_request_sent_at_null", func(t *testing.T) {
		env, err := Parse([]byte("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"sent_at\":null}\n"))
		require.NoError(t, err)
		_, ok := env.SentAt()
		assert.False(t, ok)
	})
	t.Run("parse_multiple_items", func(t *testing.T) {
		env, err := Parse([]byte("{}\n{\"type\":\"attachment\"}\nhelloworld\n{\"type\":\"replay_recording\"}\nhelloworld"))
		require.NoError(t, err)
		require.Len(t, env.Items, 2)
		assert.Equal(t, "helloworld", string(env.Items[1].Payload()))
	})
	t.Run("item_type_names", func(t *testing.T) {
		assert.True(t, TypeEvent.IsKnown())
		assert.False(t, ItemType("invalid_unknown").IsKnown())
		assert.True(t, ItemType("invalid_unknown").CanBeContainer(), "unknown types count as container-capable")
		assert.False(t, TypeEvent.CanBeContainer())
	})
}

func TestErrorsAre(t *testing.T) {
	_, err := Parse([]byte("{}\n{\"type\":}\n"))
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.True(t, errors.Is(err, ErrInvalidItemHeader))
	assert.Contains(t, err.Error(), "item 0 at byte 11: invalid item header")
	assert.NotNil(t, se.Cause)
}
