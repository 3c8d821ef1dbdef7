package protocol

import (
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeClientReport(t *testing.T) {
	// Relay's round-trip example.
	const in = `{"timestamp":"2020-02-07T15:17:00Z","discarded_events":[{"reason":"foo_reason","category":"error","quantity":42},{"reason":"foo_reason","category":"transaction","quantity":23}],"rate_limited_events":[{"reason":"bar_reason","category":"session","quantity":456}]}`
	r, err := DecodeClientReport([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2020, 2, 7, 15, 17, 0, 0, time.UTC), r.Timestamp.Time)
	require.Len(t, r.DiscardedEvents, 2)
	assert.Equal(t, DiscardedEvent{Reason: "foo_reason", Category: "error", Quantity: 42}, r.DiscardedEvents[0])
	require.Len(t, r.RateLimitedEvents, 1)
	out, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, in, string(out))

	tests := []struct {
		name, in string
		err      error
		pointer  string
		check    func(t *testing.T, r *ClientReport)
	}{
		{name: "empty list", in: `{"discarded_events":[]}`, check: func(t *testing.T, r *ClientReport) {
			assert.True(t, r.Timestamp.IsZero())
			assert.Empty(t, r.DiscardedEvents)
		}},
		{name: "unix seconds", in: `{"timestamp":1581088620.75,"discarded_events":[]}`, check: func(t *testing.T, r *ClientReport) {
			assert.EqualValues(t, 1581088620, r.Timestamp.Unix())
		}},
		{name: "unix seconds negative", in: `{"timestamp":-1,"discarded_events":[]}`, err: ErrInvalidTimestamp, pointer: "/timestamp"},
		{name: "timestamp before 1970", in: `{"timestamp":"1969-12-31T23:59:59Z","discarded_events":[]}`, err: ErrInvalidTimestamp, pointer: "/timestamp"},
		{name: "timestamp garbage", in: `{"timestamp":"yesterday","discarded_events":[]}`, err: ErrInvalidTimestamp, pointer: "/timestamp"},
		{name: "discarded_events missing", in: `{"timestamp":1581088620}`, err: ErrMissingField, pointer: "/discarded_events"},
		{name: "discarded_events null", in: `{"discarded_events":null}`, err: ErrMissingField, pointer: "/discarded_events"},
		{name: "discarded_events an object", in: `{"discarded_events":{}}`, pointer: "/discarded_events"},
		{name: "quantity missing", in: `{"discarded_events":[{"reason":"r","category":"error"}]}`, err: ErrMissingField, pointer: "/discarded_events/0/quantity"},
		{name: "reason missing", in: `{"discarded_events":[{"category":"error","quantity":1}]}`, err: ErrMissingField, pointer: "/discarded_events/0/reason"},
		{name: "quantity negative", in: `{"discarded_events":[{"reason":"r","category":"error","quantity":-1}]}`, pointer: "/discarded_events/0/quantity"},
		{name: "quantity past 32 bits", in: `{"discarded_events":[{"reason":"r","category":"error","quantity":4294967296}]}`, pointer: "/discarded_events/0/quantity"},
		{name: "second entry", in: `{"discarded_events":[{"reason":"r","category":"error","quantity":1},{"reason":"r","category":5,"quantity":1}]}`, pointer: "/discarded_events/1/category"},
		{name: "unknown category kept", in: `{"discarded_events":[{"reason":"r","category":"future_thing","quantity":1,"outcome":5}]}`, check: func(t *testing.T, r *ClientReport) {
			assert.Equal(t, "future_thing", r.DiscardedEvents[0].Category)
			assert.Equal(t, "5", string(r.DiscardedEvents[0].Other["outcome"]))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := DecodeClientReport([]byte(tt.in))
			if tt.check == nil {
				requireDecodeError(t, err, tt.err, tt.pointer)
				return
			}
			require.NoError(t, err)
			tt.check(t, r)
		})
	}
}

func TestDecodeUserReport(t *testing.T) {
	r, err := DecodeUserReport([]byte(`{"event_id":"52df9022-8352-46ee-b317-dbd739ccd059","name":"Jane","email":"jane@example.com","comments":"It broke.","x":1}`))
	require.NoError(t, err)
	assert.Equal(t, "52df9022835246eeb317dbd739ccd059", r.EventID.String())
	assert.Equal(t, "Jane", r.Name)
	assert.Equal(t, "jane@example.com", r.Email)
	assert.Equal(t, "It broke.", r.Comments)
	assert.Equal(t, "1", string(r.Other["x"]))

	r, err = DecodeUserReport([]byte(`{"event_id":"52df9022835246eeb317dbd739ccd059","name":null,"email":null,"comments":null}`))
	require.NoError(t, err)
	assert.Empty(t, r.Name+r.Email+r.Comments)

	_, err = DecodeUserReport([]byte(`{"name":"Jane"}`))
	requireDecodeError(t, err, ErrMissingField, "/event_id")
	_, err = DecodeUserReport([]byte(`{"event_id":"nope"}`))
	requireDecodeError(t, err, nil, "/event_id")
	_, err = DecodeUserReport([]byte(`{"event_id":"52df9022835246eeb317dbd739ccd059","name":5}`))
	requireDecodeError(t, err, nil, "/name")
}
