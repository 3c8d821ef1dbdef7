package envelope

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteReframesItemsThatEndedTheInput covers items read at the very end
// of the input, with no newline after their header or payload, that end up
// before another item.
func TestWriteReframesItemsThatEndedTheInput(t *testing.T) {
	tests := []struct {
		name string
		in   string
		edit func(*Envelope)
		want []item
	}{
		{name: "append after a header at EOF", in: "{}\n{\"type\":\"a\"}",
			edit: func(e *Envelope) { e.Add(NewItem("b", []byte("x"))) },
			want: []item{{"a", ""}, {"b", "x"}}},
		{name: "move a length 0 item at EOF forward", in: "{}\n{\"type\":\"b\",\"length\":1}\nx\n{\"type\":\"a\",\"length\":0}",
			edit: func(e *Envelope) { e.Items[0], e.Items[1] = e.Items[1], e.Items[0] },
			want: []item{{"a", ""}, {"b", "x"}}},
		{name: "move an implicit payload at EOF forward", in: "{}\n{\"type\":\"b\"}\nx\n{\"type\":\"a\"}\nyz",
			edit: func(e *Envelope) { e.Items[0], e.Items[1] = e.Items[1], e.Items[0] },
			want: []item{{"a", "yz"}, {"b", "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := Parse([]byte(tt.in))
			require.NoError(t, err)
			tt.edit(env)
			out, err := env.MarshalBinary()
			require.NoError(t, err)
			again, err := Parse(out)
			require.NoError(t, err, "%q", out)
			var got []item
			for _, it := range again.Items {
				got = append(got, item{it.Type(), string(it.Payload())})
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestSyntaxBeforeLimits: Relay frames the whole envelope before it checks
// sizes, so a malformed envelope is a 400 even when it is also too big.
// A Reader reports the limit it meets first.
func TestSyntaxBeforeLimits(t *testing.T) {
	in := []byte("{}\n{\"type\":\"event\",\"length\":2000000}\n{}")
	_, err := Parse(in)
	require.ErrorIs(t, err, ErrUnexpectedEOF)
	_, err = readAll(NewReader(bytes.NewReader(in)))
	require.ErrorIs(t, err, ErrLimitExceeded)

	in = []byte("{}\n{\"type\":\"event\"}\n{}\n{\"type\":\"event\"}\n{}\n{\"type\":}")
	_, err = Parse(in)
	require.ErrorIs(t, err, ErrInvalidItemHeader)
}

func TestDuplicateKeys(t *testing.T) {
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{name: "nested duplicates in the envelope header", in: "{\"sdk\":{\"name\":\"a\",\"name\":\"b\"}}\n"},
		{name: "unknown top-level duplicates in the envelope header", in: "{\"x\":1,\"x\":2}\n"},
		{name: "known duplicates in the envelope header", in: "{\"event_id\":null,\"event_id\":null}\n", err: ErrInvalidHeader},
		{name: "nested duplicates in an item header", in: "{}\n{\"type\":\"event\",\"x\":{\"a\":1,\"a\":2}}\n{}"},
		{name: "unknown top-level duplicates in an item header", in: "{}\n{\"type\":\"event\",\"x\":1,\"x\":2}\n{}"},
		{name: "known duplicates in an item header", in: "{}\n{\"type\":\"event\",\"length\":2,\"length\":2}\n{}", err: ErrInvalidItemHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := Parse([]byte(tt.in))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				var se *SyntaxError
				require.ErrorAs(t, err, &se)
				assert.ErrorIs(t, se.Cause, errDuplicate)
				return
			}
			require.NoError(t, err)
			if x := env.Header.Get("x"); x != nil {
				assert.Equal(t, "2", string(x), "the last one wins")
			}
		})
	}
}

func TestRequestMetaTypes(t *testing.T) {
	for _, in := range []string{`{"origin":5}`, `{"origin":"not a url"}`, `{"version":"x"}`, `{"client":5}`,
		`{"remote_addr":"nope"}`, `{"no_cache":"yes"}`, `{"user_agent":1}`, `{"forwarded_for":[]}`} {
		_, err := Parse([]byte(in + "\n"))
		assert.ErrorIs(t, err, ErrInvalidHeader, in)
	}
	_, err := Parse([]byte(`{"origin":"http://localhost/","version":7,"client":"x/1","remote_addr":"127.0.0.1","no_cache":false}` + "\n"))
	assert.NoError(t, err)
}

func TestBareValueFollowedByJunk(t *testing.T) {
	_, err := Parse([]byte("{}\n1x\n"), WithLenientItemHeaders(true))
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, ErrInvalidItemHeader, se.Err)
	assert.EqualValues(t, 4, se.Offset)
	_, err = Parse([]byte("{}\n1\nabc"), WithLenientItemHeaders(true))
	assert.NoError(t, err)
}

func TestEncodingCheckedFirst(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/api/abc/envelope/", bytes.NewReader([]byte("{}")))
	r.Header.Set("Content-Encoding", "x-gzip")
	_, w := serve(t, r)
	assert.Equal(t, http.StatusUnsupportedMediaType, w.Code)
}

func TestMismatchError(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/api/43/envelope/",
		bytes.NewReader([]byte(`{"dsn":"https://`+testKey+`@o1.ingest.sentry.io/42"}`+"\n")))
	r.Header.Set("X-Sentry-Auth", "Sentry sentry_key="+testKey)
	_, err := ReadRequest(withProject(r, "43"))
	var me *MismatchError
	require.ErrorAs(t, err, &me)
	assert.True(t, errors.Is(err, ErrHeaderMismatch))
	assert.Equal(t, "project id header mismatch between envelope and request", err.Error())
	assert.Equal(t, "42", me.Envelope)
}

func withProject(r *http.Request, id string) *http.Request {
	r.SetPathValue("project_id", id)
	return r
}

// TestKnownTypesDoNotAllocate: every type Relay knows is interned.
func TestKnownTypesDoNotAllocate(t *testing.T) {
	build := func(typ string, n int) []byte {
		b := []byte("{}\n")
		for range n {
			b = append(b, `{"type":"`+typ+`","length":2}`+"\n{}\n"...)
		}
		return b
	}
	for typ := range knownTypes {
		few, many := build(string(typ), 2), build(string(typ), 64)
		l := WithLimits(Limits{})
		a, b := testing.AllocsPerRun(20, func() { _, _ = Parse(few, l) }), testing.AllocsPerRun(20, func() { _, _ = Parse(many, l) })
		assert.LessOrEqual(t, b, a+10, "type %s: %v allocs for 2 items, %v for 64", typ, a, b)
	}
}
