package envelope

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsEnvelope is framed as @sentry/browser writes it: no lengths on JSON
// items, no newline after the last payload.
const jsEnvelope = `{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2024-01-01T00:00:00.000Z","sdk":{"name":"sentry.javascript.browser","version":"8.0.0"}}
{"type":"event"}
{"message":"hello"}
{"type":"attachment","length":5,"filename":"a.txt","content_type":"text/plain"}
a
b
c
{"type":"client_report"}
{"timestamp":1,"discarded_events":[]}`

func TestWriteAfterEdits(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Envelope)
		want  string
		items []item
	}{
		{
			name: "drop the first item",
			edit: func(e *Envelope) { e.Items = e.Items[1:] },
			want: `{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2024-01-01T00:00:00.000Z","sdk":{"name":"sentry.javascript.browser","version":"8.0.0"}}
{"type":"attachment","length":5,"filename":"a.txt","content_type":"text/plain"}
a
b
c
{"type":"client_report"}
{"timestamp":1,"discarded_events":[]}`,
			items: []item{{TypeAttachment, "a\nb\nc"}, {TypeClientReport, `{"timestamp":1,"discarded_events":[]}`}},
		},
		{
			name: "move the last item first",
			edit: func(e *Envelope) {
				last := e.Items[len(e.Items)-1]
				e.Items = append([]*Item{last}, e.Items[:len(e.Items)-1]...)
			},
			items: []item{{TypeClientReport, `{"timestamp":1,"discarded_events":[]}`}, {TypeEvent, `{"message":"hello"}`}, {TypeAttachment, "a\nb\nc"}},
		},
		{
			name:  "add an item after one without a trailing newline",
			edit:  func(e *Envelope) { e.Add(NewItem(TypeUserReport, []byte(`{"comments":"x"}`))) },
			items: []item{{TypeEvent, `{"message":"hello"}`}, {TypeAttachment, "a\nb\nc"}, {TypeClientReport, `{"timestamp":1,"discarded_events":[]}`}, {TypeUserReport, `{"comments":"x"}`}},
		},
		{
			name: "replace an implicit payload with one holding newlines",
			edit: func(e *Envelope) { e.Items[0].SetPayload([]byte("{\n\"message\": \"multi\"\n}")) },
			items: []item{{TypeEvent, "{\n\"message\": \"multi\"\n}"}, {TypeAttachment, "a\nb\nc"},
				{TypeClientReport, `{"timestamp":1,"discarded_events":[]}`}},
		},
		{
			name: "set an item header key",
			edit: func(e *Envelope) { require.NoError(t, e.Items[1].Set("filename", "b.txt")) },
			items: []item{{TypeEvent, `{"message":"hello"}`}, {TypeAttachment, "a\nb\nc"},
				{TypeClientReport, `{"timestamp":1,"discarded_events":[]}`}},
		},
		{
			name: "change the envelope header",
			edit: func(e *Envelope) {
				e.Header.Delete("sdk")
				e.SetEventID(EventID{1})
			},
			want: `{"event_id":"01000000000000000000000000000000","sent_at":"2024-01-01T00:00:00.000Z"}
{"type":"event"}
{"message":"hello"}
{"type":"attachment","length":5,"filename":"a.txt","content_type":"text/plain"}
a
b
c
{"type":"client_report"}
{"timestamp":1,"discarded_events":[]}`,
			items: []item{{TypeEvent, `{"message":"hello"}`}, {TypeAttachment, "a\nb\nc"}, {TypeClientReport, `{"timestamp":1,"discarded_events":[]}`}},
		},
		{
			name: "drop every item",
			edit: func(e *Envelope) { e.Items = nil },
			want: `{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2024-01-01T00:00:00.000Z","sdk":{"name":"sentry.javascript.browser","version":"8.0.0"}}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := Parse([]byte(jsEnvelope))
			require.NoError(t, err)
			tt.edit(env)
			out, err := env.MarshalBinary()
			require.NoError(t, err)
			if tt.want != "" {
				assert.Equal(t, tt.want, string(out))
			}
			again, err := Parse(out)
			require.NoError(t, err, "%s", out)
			var got []item
			for _, it := range again.Items {
				got = append(got, item{it.Type(), string(it.Payload())})
			}
			assert.Equal(t, tt.items, got)
		})
	}
}

func TestSetKeepsOtherKeys(t *testing.T) {
	env, err := Parse([]byte("{}\n{ \"type\" : \"attachment\", \"x\": [1, 2],\n \"length\": 2 }\nab\n"))
	require.NoError(t, err)
	it := env.Items[0]
	require.NoError(t, it.Set("attachment_type", AttachmentViewHierarchy))
	assert.Equal(t, `{"type":"attachment","x":[1,2],"length":2,"attachment_type":"event.view_hierarchy"}`, string(it.Header.Raw()))
	assert.Equal(t, AttachmentViewHierarchy, it.AttachmentType())
	require.NoError(t, it.Set("type", "session"))
	assert.Equal(t, TypeSession, it.Type(), "Type follows an edited header")
	it.Delete("x")
	assert.Equal(t, `{"type":"session","length":2,"attachment_type":"event.view_hierarchy"}`, string(it.Header.Raw()))
	keys := slices.Collect(func(yield func(string) bool) {
		for k := range it.All() {
			if !yield(k) {
				return
			}
		}
	})
	assert.Equal(t, []string{"type", "length", "attachment_type"}, keys)
}

func TestBuildFromScratch(t *testing.T) {
	env := New()
	env.SetEventID(EventID{0xab})
	att := NewItem(TypeAttachment, []byte("line1\nline2"))
	require.NoError(t, att.Set("filename", "log.txt"))
	env.Add(NewItem(TypeEvent, []byte(`{"message":"hi"}`)), att)
	var buf bytes.Buffer
	n, err := env.WriteTo(&buf)
	require.NoError(t, err)
	assert.EqualValues(t, buf.Len(), n)
	assert.Equal(t, `{"event_id":"ab000000000000000000000000000000"}
{"type":"event","length":16}
{"message":"hi"}
{"type":"attachment","length":11,"filename":"log.txt"}
line1
line2
`, buf.String())
	again, err := Parse(buf.Bytes())
	require.NoError(t, err)
	require.Len(t, again.Items, 2)
	assert.Equal(t, "log.txt", again.Items[1].Filename())
}

func TestHeaderAccessors(t *testing.T) {
	env, err := Parse([]byte(`{"event_id":"9ec79c33-ec99-42ab-8353-589fcb2e04dc","sent_at":"2024-05-06T07:08:09.123456Z","sdk":{"name":"sentry.go","version":"0.30.0","integrations":["a"]},"trace":{"trace_id":"4c79f60c11214eb38604f4ae0781bfb2","public_key":"e12d836b15bb49d7bbf99e64295d995b","sample_rate":"0.5","sampled":"true","user":{"id":"u1"}},"dsn":"https://e12d836b15bb49d7bbf99e64295d995b@o1.ingest.sentry.io/42"}` + "\n" +
		`{"type":"log","item_count":2,"content_type":"application/vnd.sentry.items.log+json","platform":"go"}` + "\n" + `{"items":[{},{}]}`))
	require.NoError(t, err)
	id, ok := env.EventID()
	require.True(t, ok)
	assert.Equal(t, "9ec79c33ec9942ab8353589fcb2e04dc", id.String())
	at, ok := env.SentAt()
	require.True(t, ok)
	assert.Equal(t, 123456000, at.Nanosecond())
	sdk, ok := env.SDK()
	require.True(t, ok)
	assert.Equal(t, SDK{Name: "sentry.go", Version: "0.30.0", Integrations: []string{"a"}}, sdk)
	dsc, ok := env.Trace()
	require.True(t, ok)
	assert.Equal(t, "4c79f60c11214eb38604f4ae0781bfb2", dsc.TraceID)
	assert.Equal(t, "0.5", dsc.SampleRate)
	assert.Equal(t, "true", dsc.Sampled)
	assert.Equal(t, "u1", dsc.UserID)
	d, ok := env.DSN()
	require.True(t, ok)
	assert.Equal(t, "42", d.ProjectID)

	it := env.Items[0]
	n, ok := it.ItemCount()
	assert.True(t, ok)
	assert.EqualValues(t, 2, n)
	assert.True(t, it.IsContainer())
	assert.Equal(t, "go", it.Platform())
	_, ok = it.Length()
	assert.False(t, ok)
}

func TestEventID(t *testing.T) {
	for _, s := range []string{"9ec79c33ec9942ab8353589fcb2e04dc", "9EC79C33EC9942AB8353589FCB2E04DC", "9ec79c33-ec99-42ab-8353-589fcb2e04dc",
		"{9ec79c33-ec99-42ab-8353-589fcb2e04dc}", "urn:uuid:9ec79c33-ec99-42ab-8353-589fcb2e04dc"} {
		id, err := ParseEventID(s)
		require.NoError(t, err, s)
		assert.Equal(t, "9ec79c33ec9942ab8353589fcb2e04dc", id.String())
	}
	for _, s := range []string{"", "9ec79c33ec9942ab8353589fcb2e04d", "9ec79c33_ec99_42ab_8353_589fcb2e04dc", "zec79c33ec9942ab8353589fcb2e04dc", strings.Repeat("a", 36)} {
		_, err := ParseEventID(s)
		assert.Error(t, err, s)
	}
	id := NewEventID()
	assert.Equal(t, byte(0x40), id[6]&0xf0, "version 4")
	assert.False(t, id.IsZero())
}

// TestSerializeEmpty pins what sentry-types' test_empty and Relay's
// test_serialize_envelope_empty write for an empty envelope.
func TestSerializeEmpty(t *testing.T) {
	out, err := New().MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, "{}\n", string(out))
}
