package protocol

import (
	"errors"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
)

func TestSpanStatus(t *testing.T) {
	tests := []struct {
		in   string
		want SpanStatus // "" for a warning
	}{
		{`"ok"`, SpanStatusOK}, {`"cancelled"`, SpanStatusCancelled}, {`"unknown"`, SpanStatusUnknown},
		{`"invalid_argument"`, SpanStatusInvalidArgument}, {`"deadline_exceeded"`, SpanStatusDeadlineExceeded},
		{`"not_found"`, SpanStatusNotFound}, {`"already_exists"`, SpanStatusAlreadyExists},
		{`"permission_denied"`, SpanStatusPermissionDenied}, {`"resource_exhausted"`, SpanStatusResourceExhausted},
		{`"failed_precondition"`, SpanStatusFailedPrecondition}, {`"aborted"`, SpanStatusAborted},
		{`"out_of_range"`, SpanStatusOutOfRange}, {`"unimplemented"`, SpanStatusUnimplemented},
		{`"internal_error"`, SpanStatusInternalError}, {`"unavailable"`, SpanStatusUnavailable},
		{`"data_loss"`, SpanStatusDataLoss}, {`"unauthenticated"`, SpanStatusUnauthenticated},
		{`"success"`, SpanStatusOK}, {`"failure"`, SpanStatusInternalError}, {`"unknown_error"`, SpanStatusUnknown},
		{`0`, SpanStatusOK}, {`2`, SpanStatusUnknown}, {`5`, SpanStatusNotFound}, {`13`, SpanStatusInternalError},
		{`16`, SpanStatusUnauthenticated},
		{`17`, ""}, {`-1`, ""}, {`1.5`, ""}, {`"OK"`, ""}, {`"great"`, ""}, {`true`, ""}, {`{}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var v struct {
				Status SpanStatus `json:"status"`
				Op     string     `json:"op"`
			}
			w, err := decode("transaction", []byte(`{"status":`+tt.in+`,"op":"x"}`), &v, true)
			require.NoError(t, err)
			assert.Equal(t, tt.want, v.Status)
			assert.Equal(t, "x", v.Op)
			if tt.want == "" {
				assert.Equal(t, []string{"/status"}, pointersOf(w))
			} else {
				assert.Empty(t, w)
			}
		})
	}
	// The 17 statuses are gRPC's codes in order.
	for i, s := range spanStatusByCode {
		var got SpanStatus
		_, err := decode("transaction", []byte(itoa(int64(i))), &got, true)
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
}

const (
	txTraceID = "4c79f60c11214eb38604f4ae0781bfb2"
	txSpanID  = "fa90fdead5f74052"
	txTrace   = `"contexts":{"trace":{"trace_id":"` + txTraceID + `","span_id":"` + txSpanID + `"}}`
	txSpan    = `{"trace_id":"` + txTraceID + `","span_id":"aa90fdead5f74052","start_timestamp":11,"timestamp":12}`
)

// txPayload is a transaction with the given members after type and
// timestamps.
func txPayload(members ...string) string {
	return `{"type":"transaction","start_timestamp":10,"timestamp":20` + prefixComma(members) + `}`
}

func prefixComma(members []string) string {
	if len(members) == 0 {
		return ""
	}
	return "," + strings.Join(members, ",")
}

func TestDecodeTransactionValidation(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		pointer  string // of the DecodeError; "" when valid
		warnings []string
	}{
		{name: "valid", in: txPayload(txTrace, `"spans":[`+txSpan+`,`+txSpan+`]`)},
		{name: "valid without spans", in: txPayload(txTrace)},
		{name: "valid, zero duration", in: `{"type":"transaction","start_timestamp":10,"timestamp":10,` + txTrace + `}`},
		{name: "valid, RFC 3339 timestamps", in: `{"type":"transaction","start_timestamp":"2024-01-01T00:00:00Z","timestamp":"2024-01-01T00:00:01.5Z",` + txTrace + `}`},
		// Relay forces the type of a transaction item's event.
		{name: "no type", in: `{"start_timestamp":10,"timestamp":20,` + txTrace + `}`},
		{name: "type event", in: `{"type":"event","start_timestamp":10,"timestamp":20,` + txTrace + `}`, warnings: []string{"/type"}},
		{name: "no timestamp", in: `{"type":"transaction","start_timestamp":10,` + txTrace + `}`, pointer: "/timestamp"},
		{name: "timestamp not valid", in: `{"type":"transaction","timestamp":"soon","start_timestamp":10,` + txTrace + `}`,
			pointer: "/timestamp", warnings: []string{"/timestamp"}},
		{name: "timestamp in milliseconds", in: `{"type":"transaction","timestamp":1700000000000,"start_timestamp":10,` + txTrace + `}`,
			pointer: "/timestamp", warnings: []string{"/timestamp"}},
		{name: "no start_timestamp", in: `{"type":"transaction","timestamp":20,` + txTrace + `}`, pointer: "/start_timestamp"},
		{name: "ends before it starts", in: `{"type":"transaction","start_timestamp":20,"timestamp":10,` + txTrace + `}`, pointer: "/timestamp"},
		{name: "no contexts", in: txPayload(), pointer: "/contexts/trace"},
		{name: "no trace context", in: txPayload(`"contexts":{"os":{"name":"Linux"}}`), pointer: "/contexts/trace"},
		{name: "null trace context", in: txPayload(`"contexts":{"trace":null}`), pointer: "/contexts/trace"},
		{name: "trace context not an object", in: txPayload(`"contexts":{"trace":"x"}`), pointer: "/contexts/trace",
			warnings: []string{"/contexts/trace"}},
		{name: "trace context of another type", in: txPayload(`"contexts":{"trace":{"type":"os","trace_id":"` + txTraceID + `","span_id":"` + txSpanID + `"}}`),
			pointer: "/contexts/trace/type"},
		{name: "no trace_id", in: txPayload(`"contexts":{"trace":{"span_id":"` + txSpanID + `"}}`), pointer: "/contexts/trace/trace_id"},
		{name: "trace_id not valid", in: txPayload(`"contexts":{"trace":{"trace_id":"abc","span_id":"` + txSpanID + `"}}`),
			pointer: "/contexts/trace/trace_id", warnings: []string{"/contexts/trace/trace_id"}},
		{name: "no span_id", in: txPayload(`"contexts":{"trace":{"trace_id":"` + txTraceID + `"}}`), pointer: "/contexts/trace/span_id"},
		{name: "span_id all zero", in: txPayload(`"contexts":{"trace":{"trace_id":"` + txTraceID + `","span_id":"0000000000000000"}}`),
			pointer: "/contexts/trace/span_id", warnings: []string{"/contexts/trace/span_id"}},
		{name: "span without timestamp", in: txPayload(txTrace, `"spans":[`+txSpan+`,{"trace_id":"`+txTraceID+`","span_id":"aa90fdead5f74052","start_timestamp":11}]`),
			pointer: "/spans/1/timestamp"},
		{name: "span without start_timestamp", in: txPayload(txTrace, `"spans":[{"trace_id":"`+txTraceID+`","span_id":"aa90fdead5f74052","timestamp":11}]`),
			pointer: "/spans/0/start_timestamp"},
		{name: "span ends before it starts", in: txPayload(txTrace, `"spans":[{"trace_id":"`+txTraceID+`","span_id":"aa90fdead5f74052","start_timestamp":12,"timestamp":11}]`),
			pointer: "/spans/0/timestamp"},
		{name: "span without trace_id", in: txPayload(txTrace, `"spans":[`+txSpan+`,`+txSpan+`,`+txSpan+`,{"span_id":"aa90fdead5f74052","start_timestamp":11,"timestamp":12}]`),
			pointer: "/spans/3/trace_id"},
		{name: "span without span_id", in: txPayload(txTrace, `"spans":[{"trace_id":"`+txTraceID+`","start_timestamp":11,"timestamp":12}]`),
			pointer: "/spans/0/span_id"},
		{name: "span with a bad span_id", in: txPayload(txTrace, `"spans":[{"trace_id":"`+txTraceID+`","span_id":7,"start_timestamp":11,"timestamp":12}]`),
			pointer: "/spans/0/span_id", warnings: []string{"/spans/0/span_id"}},
		{name: "null span", in: txPayload(txTrace, `"spans":[null]`), pointer: "/spans/0/start_timestamp"},
		{name: "span not an object", in: txPayload(txTrace, `"spans":["x"]`), pointer: "/spans/0/start_timestamp",
			warnings: []string{"/spans/0"}},
		{name: "spans not a list are ignored", in: txPayload(txTrace, `"spans":{"a":1}`), warnings: []string{"/spans"}},
		{name: "span status warning", in: txPayload(txTrace, `"spans":[{"trace_id":"`+txTraceID+`","span_id":"aa90fdead5f74052","start_timestamp":11,"timestamp":12,"status":"meh"}]`),
			warnings: []string{"/spans/0/status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := DecodeTransaction([]byte(tt.in))
			require.NotNil(t, ev, "the event comes with a validation error")
			assert.Equal(t, tt.warnings, pointersOf(ev.Warnings))
			if tt.pointer == "" {
				require.NoError(t, err)
				return
			}
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.ErrorIs(t, err, ErrInvalidTransaction)
			assert.Equal(t, envelope.TypeTransaction, de.Type)
			assert.Equal(t, tt.pointer, string(de.Pointer))
		})
	}
}

func TestDecodeTransactionMalformed(t *testing.T) {
	for _, in := range []string{``, `  `, `[]`, `"x"`, `{"type":"transaction"`, `{"type":"transaction",}`} {
		t.Run(in, func(t *testing.T) {
			ev, err := DecodeTransaction([]byte(in))
			assert.Nil(t, ev)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.False(t, errors.Is(err, ErrInvalidTransaction))
			assert.Equal(t, envelope.TypeTransaction, de.Type)
		})
	}
}

func TestSpanFields(t *testing.T) {
	in := txPayload(txTrace, `"spans":[{"timestamp":"2024-01-01T00:00:01Z","start_timestamp":1704067200.25,"exclusive_time":0,
		"description":"SELECT 1","op":"db.query","span_id":"AA90FDEAD5F74052","parent_span_id":"`+txSpanID+`","trace_id":"`+txTraceID+`",
		"segment_id":"`+txSpanID+`","is_segment":false,"status":3,"tags":{"a":"x","n":1,"b":true,"o":{"k":[1]},"z":null},"origin":"auto.db",
		"profile_id":"p1","data":{"db.system":"postgresql"},"measurements":{"rows":{"value":0,"unit":"none"}},"same_process_as_parent":true}]`)
	ev, err := DecodeTransaction([]byte(in))
	require.NoError(t, err)
	assert.Empty(t, ev.Warnings)
	spans, w, err := ev.Spans.Get()
	require.NoError(t, err)
	assert.Empty(t, w)
	require.Len(t, spans, 1)
	s := spans[0]
	assert.Equal(t, time.Date(2024, 1, 1, 0, 0, 1, 0, time.UTC), s.Timestamp.UTC())
	assert.Equal(t, time.Date(2024, 1, 1, 0, 0, 0, 250e6, time.UTC), s.StartTimestamp.UTC())
	require.NotNil(t, s.ExclusiveTime)
	assert.Zero(t, *s.ExclusiveTime)
	assert.Equal(t, "SELECT 1", s.Description)
	assert.Equal(t, "db.query", s.Op)
	assert.Equal(t, SpanID("aa90fdead5f74052"), s.SpanID, "ids are lowercased")
	assert.Equal(t, SpanID(txSpanID), s.ParentSpanID)
	assert.Equal(t, TraceID(txTraceID), s.TraceID)
	assert.Equal(t, SpanID(txSpanID), s.SegmentID)
	require.NotNil(t, s.IsSegment)
	assert.False(t, *s.IsSegment)
	assert.Equal(t, SpanStatusInvalidArgument, s.Status)
	assert.Equal(t, map[string]JSONLenientString{"a": "x", "n": "1", "b": "true", "o": `{"k":[1]}`, "z": ""}, s.Tags)
	assert.Equal(t, "auto.db", s.Origin)
	assert.Equal(t, "p1", s.ProfileID)
	assert.JSONEq(t, `{"db.system":"postgresql"}`, string(s.Data))
	assert.Equal(t, map[string]Measurement{"rows": {Value: 0, Unit: "none"}}, s.Measurements)
	assert.Equal(t, "true", string(s.Other["same_process_as_parent"]))

	out, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, `{"timestamp":1704067201,"start_timestamp":1704067200.25,"exclusive_time":0,"description":"SELECT 1",
		"op":"db.query","span_id":"aa90fdead5f74052","parent_span_id":"`+txSpanID+`","trace_id":"`+txTraceID+`",
		"segment_id":"`+txSpanID+`","is_segment":false,"status":"invalid_argument","tags":{"a":"x","n":"1","b":"true","o":"{\"k\":[1]}","z":""},
		"origin":"auto.db","profile_id":"p1","data":{"db.system":"postgresql"},"measurements":{"rows":{"value":0,"unit":"none"}},
		"same_process_as_parent":true}`, string(out))
}

func TestMeasurementsAndTransactionInfo(t *testing.T) {
	in := txPayload(txTrace, `"measurements":{"lcp":{"value":2.5,"unit":"millisecond"},"cls":{"value":0},"bad":{"value":"a","unit":"ms"},"worse":3}`,
		`"transaction_info":{"source":"route","original":"/a/1","changes":[{"source":"url","propagations":1,"timestamp":5,"x":1}],"propagations":2,"z":1}`)
	ev, err := DecodeTransaction([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, []string{"/measurements/bad/value", "/measurements/worse"}, pointersOf(ev.Warnings))
	assert.Equal(t, Measurement{Value: 2.5, Unit: "millisecond"}, ev.Measurements["lcp"])
	assert.Equal(t, Measurement{Value: 0}, ev.Measurements["cls"])
	assert.Equal(t, Measurement{Unit: "ms"}, ev.Measurements["bad"])
	out, err := json.Marshal(ev.Measurements["cls"])
	require.NoError(t, err)
	assert.JSONEq(t, `{"value":0}`, string(out), "a zero value is written")

	ti := ev.TransactionInfo
	require.NotNil(t, ti)
	assert.Equal(t, TransactionSourceRoute, ti.Source)
	assert.Equal(t, "/a/1", ti.Original)
	require.Len(t, ti.Changes, 1)
	assert.Equal(t, TransactionSourceURL, ti.Changes[0].Source)
	assert.Equal(t, 1.0, *ti.Changes[0].Propagations)
	assert.EqualValues(t, 5, ti.Changes[0].Timestamp.Unix())
	assert.Equal(t, 2.0, *ti.Propagations)
	out, err = json.Marshal(ti)
	require.NoError(t, err)
	assert.JSONEq(t, `{"source":"route","original":"/a/1","changes":[{"source":"url","propagations":1,"timestamp":5,"x":1}],"propagations":2,"z":1}`, string(out))
}

func TestDecodeFeedback(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		pointer string
	}{
		{name: "valid", in: `{"type":"feedback","contexts":{"feedback":{"message":"It broke","contact_email":"a@b.c"}}}`},
		{name: "no type needed", in: `{"contexts":{"feedback":{"message":"It broke"}}}`},
		{name: "no feedback context", in: `{"type":"feedback","contexts":{"os":{"name":"x"}}}`, pointer: "/contexts/feedback"},
		{name: "feedback of another type", in: `{"contexts":{"feedback":{"type":"os","message":"x"}}}`, pointer: "/contexts/feedback"},
		{name: "no message", in: `{"contexts":{"feedback":{"contact_email":"a@b.c"}}}`, pointer: "/contexts/feedback/message"},
		{name: "empty message", in: `{"contexts":{"feedback":{"message":""}}}`, pointer: "/contexts/feedback/message"},
		{name: "message not a string", in: `{"contexts":{"feedback":{"message":5}}}`, pointer: "/contexts/feedback/message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, fb, err := DecodeFeedback([]byte(tt.in))
			require.NotNil(t, ev)
			if tt.pointer == "" {
				require.NoError(t, err)
				require.NotNil(t, fb)
				assert.Equal(t, "It broke", fb.Message)
				return
			}
			assert.Nil(t, fb)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.ErrorIs(t, err, ErrInvalidFeedback)
			assert.Equal(t, envelope.TypeFeedback, de.Type)
			assert.Equal(t, tt.pointer, string(de.Pointer))
		})
	}
	_, _, err := DecodeFeedback([]byte(`[]`))
	var de *DecodeError
	require.ErrorAs(t, err, &de)
}

// TestSDKCapturesContextsUserRequest decodes every event, transaction and
// feedback that the SDKs sent: transactions and feedback pass validation
// with no warning at all, and every context, user, request, span,
// measurement and transaction_info decodes with no warning and marshals
// back with every field.
func TestSDKCapturesContextsUserRequest(t *testing.T) {
	payloads := capturedItems(t, envelope.TypeEvent, envelope.TypeTransaction, envelope.TypeFeedback)
	seen := map[envelope.ItemType]int{}
	for _, p := range payloads {
		t.Run(p.name, func(t *testing.T) {
			seen[p.typ]++
			var ev *Event
			var err error
			switch p.typ {
			case envelope.TypeTransaction:
				ev, err = DecodeTransaction(p.payload)
				require.NoError(t, err)
				assert.Empty(t, ev.Warnings)
				assert.Equal(t, "transaction", ev.Type)
				tc, _, _ := ev.Contexts.Trace()
				require.NotNil(t, tc)
				assert.NotEmpty(t, tc.TraceID)
				assert.NotEmpty(t, tc.Op)
				spans, _, _ := ev.Spans.Get()
				assert.NotEmpty(t, spans)
				for _, s := range spans {
					assert.Equal(t, tc.TraceID, s.TraceID, "spans share the transaction's trace")
				}
			case envelope.TypeFeedback:
				var fb *FeedbackContext
				ev, fb, err = DecodeFeedback(p.payload)
				require.NoError(t, err)
				assert.Empty(t, ev.Warnings)
				assert.NotEmpty(t, fb.Message)
				assert.NotEmpty(t, fb.ContactEmail)
				assert.NotEmpty(t, fb.AssociatedEventID)
			default:
				ev, err = decodeEventAs(p.typ, p.payload)
				require.NoError(t, err)
				for _, w := range ev.Warnings {
					for _, mine := range []string{"/contexts", "/user", "/request", "/spans", "/measurements", "/transaction_info"} {
						assert.False(t, strings.HasPrefix(string(w.Pointer), mine), "warning %v", w)
					}
				}
			}
			top := wireObject(t, p.payload)

			if raw, ok := top["contexts"]; ok {
				assertRoundTrip(t, "contexts", raw, ev.Contexts)
				assert.NotEmpty(t, ev.Contexts)
			}
			for key, raw := range ev.Contexts {
				ctx, ok := ev.Contexts.Get(key)
				require.True(t, ok, key)
				v, w, err := typedContextOf(ev.Contexts, key)
				require.NoError(t, err, key)
				assert.Empty(t, w, key)
				if v == nil { // a context of a type without a struct
					var m map[string]jsontext.Value
					w, err = ctx.Decode(&m)
					require.NoError(t, err)
					assert.Empty(t, w)
					v = m
				}
				assertRoundTrip(t, "contexts/"+key, raw, v)
			}
			if raw, ok := top["user"]; ok {
				require.NotNil(t, ev.User)
				assertRoundTrip(t, "user", raw, ev.User)
			}
			if raw, ok := top["request"]; ok {
				r, w, err := ev.Request.Get()
				require.NoError(t, err)
				assert.Empty(t, w)
				assertRoundTrip(t, "request", raw, r)
			}
			if raw, ok := top["spans"]; ok {
				spans, w, err := ev.Spans.Get()
				require.NoError(t, err)
				assert.Empty(t, w)
				assertRoundTrip(t, "spans", raw, spans)
			}
			if raw, ok := top["measurements"]; ok {
				assertRoundTrip(t, "measurements", raw, ev.Measurements)
			}
			if raw, ok := top["transaction_info"]; ok {
				require.NotNil(t, ev.TransactionInfo)
				assertRoundTrip(t, "transaction_info", raw, ev.TransactionInfo)
			}
		})
	}
	// The scenarios the brief names are all there.
	assert.GreaterOrEqual(t, seen[envelope.TypeTransaction], 4, "sentry-go, node and two python transactions")
	assert.GreaterOrEqual(t, seen[envelope.TypeFeedback], 1, "node feedback")
}

// typedContextOf decodes the context at key with its typed accessor, if
// the package has one for its key and type.
func typedContextOf(c Contexts, key string) (any, []Warning, error) {
	if c.Type(key) != key {
		return nil, nil, nil
	}
	wrap := func(v any, w []Warning, err error) (any, []Warning, error) { return v, w, err }
	switch key {
	case ContextTypeTrace:
		return wrap(c.Trace())
	case ContextTypeOS:
		return wrap(c.OS())
	case ContextTypeRuntime:
		return wrap(c.Runtime())
	case ContextTypeDevice:
		return wrap(c.Device())
	case ContextTypeBrowser:
		return wrap(c.Browser())
	case ContextTypeApp:
		return wrap(c.App())
	case ContextTypeGPU:
		return wrap(c.GPU())
	case ContextTypeResponse:
		return wrap(c.Response())
	case ContextTypeFeedback:
		return wrap(c.Feedback())
	case ContextTypeCulture:
		return wrap(c.Culture())
	case ContextTypeCloudResource:
		return wrap(c.CloudResource())
	case ContextTypeProfile:
		return wrap(c.Profile())
	case ContextTypeReplay:
		return wrap(c.Replay())
	}
	return nil, nil, nil
}

func wireObject(t *testing.T, payload []byte) map[string]jsontext.Value {
	t.Helper()
	var m map[string]jsontext.Value
	require.NoError(t, json.Unmarshal(payload, &m))
	return m
}

// assertRoundTrip checks that v, decoded from raw, marshals to the same
// JSON modulo the documented normalizations: nulls are dropped,
// timestamps become Unix seconds with microseconds, and headers, cookies
// and query strings become pair lists (compared here as objects).
func assertRoundTrip(t *testing.T, what string, raw jsontext.Value, v any) {
	t.Helper()
	out, err := json.Marshal(v)
	require.NoError(t, err, what)
	var want, got any
	require.NoError(t, json.Unmarshal(raw, &want))
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, wireNormal(t, want, ""), wireNormal(t, got, ""), what)
}

func wireNormal(t *testing.T, v any, key string) any {
	switch key {
	case "timestamp", "start_timestamp":
		switch x := v.(type) {
		case string:
			tm, err := time.Parse(time.RFC3339Nano, x)
			require.NoError(t, err)
			return float64(tm.Round(time.Microsecond).UnixMicro()) / 1e6 // Relay rounds
		case float64:
			sec, frac := math.Modf(x)
			return float64(int64(sec)*1e6+int64(math.Round(frac*1e6))) / 1e6
		}
	case "headers", "cookies", "query_string":
		m := map[string]any{}
		switch x := v.(type) {
		case string:
			if key == "cookies" {
				for part := range strings.SplitSeq(x, ";") {
					if k, val, ok := strings.Cut(strings.TrimSpace(part), "="); ok {
						m[k] = val
					}
				}
				return m
			}
			q, err := url.ParseQuery(strings.TrimPrefix(x, "?"))
			require.NoError(t, err)
			for k, vs := range q {
				m[k] = vs[0]
			}
			return m
		case []any:
			for _, p := range x {
				kv := p.([]any)
				if _, dup := m[kv[0].(string)]; !dup {
					m[kv[0].(string)] = kv[1]
				}
			}
			return m
		}
	}
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e != nil {
				out[k] = wireNormal(t, e, k)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = wireNormal(t, e, "")
		}
		return out
	}
	return v
}
