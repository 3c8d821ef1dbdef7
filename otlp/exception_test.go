package otlp

import (
	"strconv"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
)

var (
	excTraceID = []byte{0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c}
	excRootID  = []byte{0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74}
	excChildID = []byte{0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x75}
)

const (
	excStart = uint64(1_700_000_000_000_000_000)
	excEnd   = excStart + uint64(250*time.Millisecond)
	excAt    = excStart + uint64(120*time.Millisecond) + 456_789
)

func excAttr(key string, v Value) KeyValue { return KeyValue{Key: key, Value: v} }

// excTraces returns a request with a server span and, under it, a span
// with the given events, from a Python service.
func excTraces(language string, events ...SpanEvent) *Traces {
	return &Traces{ResourceSpans: []ResourceSpans{{
		Resource: Resource{Attributes: []KeyValue{
			excAttr("service.name", StringValue("shop")),
			excAttr("service.version", StringValue("2.1.0")),
			excAttr("deployment.environment.name", StringValue("prod")),
			excAttr("telemetry.sdk.name", StringValue("opentelemetry")),
			excAttr("telemetry.sdk.language", StringValue(language)),
			excAttr("telemetry.sdk.version", StringValue("1.27.0")),
		}},
		ScopeSpans: []ScopeSpans{{
			Scope: &Scope{Name: "shop.orders"},
			Spans: []Span{
				{
					TraceID: excTraceID, SpanID: excRootID, Name: "GET /orders/{id}", Kind: SpanKindServer,
					StartTimeUnixNano: excStart, EndTimeUnixNano: excEnd,
					Attributes: []KeyValue{excAttr("http.request.method", StringValue("GET")), excAttr("http.route", StringValue("/orders/{id}"))},
				},
				{
					TraceID: excTraceID, SpanID: excChildID, ParentSpanID: excRootID, Name: "checkout",
					StartTimeUnixNano: excStart, EndTimeUnixNano: excEnd - 1000,
					Attributes: []KeyValue{excAttr("order.id", IntValue(7))},
					Events:     events,
					Status:     &Status{Code: StatusCodeError},
				},
			},
		}},
	}}}
}

func excEvent(at uint64, attrs ...KeyValue) SpanEvent {
	return SpanEvent{Name: "exception", TimeUnixNano: at, Attributes: attrs}
}

func excConvert(t *testing.T, tr *Traces) []*protocol.Event {
	t.Helper()
	r := ConvertTraces(tr, WithErrorEvents(true))
	require.Empty(t, r.Rejected)
	return r.Errors
}

func excTraceContext(t *testing.T, ev *protocol.Event) *protocol.TraceContext {
	t.Helper()
	tc, w, err := ev.Contexts.Trace()
	require.NoError(t, err)
	require.Empty(t, w)
	require.NotNil(t, tc)
	return tc
}

// TestErrorEvents converts a span with exception events and checks every
// field of the error events.
func TestErrorEvents(t *testing.T) {
	stack := readStackTrace(t, "python/cause.txt")
	errs := excConvert(t, excTraces("python",
		SpanEvent{Name: "log", TimeUnixNano: excAt, Attributes: []KeyValue{excAttr("exception.message", StringValue("not an exception event"))}},
		excEvent(excAt,
			excAttr("exception.type", StringValue("shop.orders.OrderError")),
			excAttr("exception.message", StringValue("order 7 could not be paid")),
			excAttr("exception.stacktrace", StringValue(stack)),
			excAttr("exception.escaped", StringValue("True")),
			excAttr("retry", IntValue(1)),
			excAttr("retry", IntValue(2)),
			excAttr("tags", ArrayValue(StringValue("a"), BoolValue(true))),
			excAttr("empty", Value{}),
		),
		excEvent(excAt, excAttr("exception.stacktrace", StringValue(stack))), // neither type nor message
		excEvent(0, excAttr("exception.message", StringValue("boom")), excAttr("exception.escaped", BoolValue(false))),
	))
	require.Len(t, errs, 2)

	for _, ev := range errs {
		assert.Equal(t, "error", ev.Type)
		assert.Equal(t, protocol.LevelError, ev.Level)
		assert.Equal(t, "python", ev.Platform)
		assert.Equal(t, "GET /orders/{id}", ev.Transaction, "the segment's name")
		assert.EqualValues(t, "2.1.0", ev.Release)
		assert.Equal(t, "prod", ev.Environment)
		assert.Equal(t, &protocol.ClientSDK{Name: "opentelemetry.python", Version: "1.27.0"}, ev.SDK)

		tc := excTraceContext(t, ev)
		assert.EqualValues(t, "5b8efff798038103d269b633813fc60c", tc.TraceID)
		assert.EqualValues(t, "eee19b7ec3c1b175", tc.SpanID)
		assert.EqualValues(t, "eee19b7ec3c1b174", tc.ParentSpanID)
		assert.Equal(t, "default", tc.Op)
		assert.Equal(t, protocol.SpanStatus("internal_error"), tc.Status)
		assert.Equal(t, "auto.otlp.spans", tc.Origin)

		otel, ok := ev.Contexts.Get("otel")
		require.True(t, ok)
		assert.JSONEq(t, `{"attributes": {"order.id": 7},
			"resource": {"service.name": "shop", "service.version": "2.1.0", "deployment.environment.name": "prod",
				"telemetry.sdk.name": "opentelemetry", "telemetry.sdk.language": "python", "telemetry.sdk.version": "1.27.0"}}`,
			string(otel.Raw))
		require.Len(t, ev.Exception.Values, 1)
		assert.Equal(t, "otlp", ev.Exception.Values[0].Mechanism.Type)
	}

	first := errs[0]
	assert.Equal(t, exceptionEventID(excTraceID, excChildID, 1, excAt), first.EventID)
	assert.Equal(t, timestamp(excAt), first.Timestamp)
	exc := first.Exception.Values[0]
	assert.Equal(t, "OrderError", exc.Type)
	assert.Equal(t, "shop.orders", exc.Module)
	assert.EqualValues(t, "order 7 could not be paid", exc.Value)
	require.NotNil(t, exc.Mechanism.Handled)
	assert.False(t, *exc.Mechanism.Handled, "escaped")
	require.NotNil(t, exc.Stacktrace)
	assert.Len(t, exc.Stacktrace.Frames, 3)
	assert.Equal(t, "checkout", exc.Stacktrace.Top().Function)
	extra, w, err := first.Extra.Get()
	require.NoError(t, err)
	require.Empty(t, w)
	assert.Equal(t, map[string]jsontext.Value{"retry": jsontext.Value("2"), "tags": jsontext.Value(`["a",true]`)}, extra)

	second := errs[1]
	assert.Equal(t, exceptionEventID(excTraceID, excChildID, 3, 0), second.EventID)
	assert.Equal(t, timestamp(excEnd-1000), second.Timestamp, "the span's end")
	exc = second.Exception.Values[0]
	assert.Empty(t, exc.Type)
	assert.EqualValues(t, "boom", exc.Value)
	require.NotNil(t, exc.Mechanism.Handled)
	assert.True(t, *exc.Mechanism.Handled)
	assert.Nil(t, exc.Stacktrace)
	assert.True(t, second.Extra.IsZero())

	assert.NotEqual(t, first.EventID, second.EventID)
}

// TestErrorEventsEncode checks that an error event is an event as an SDK
// sends it: it marshals, and decodes back without warnings.
func TestErrorEventsEncode(t *testing.T) {
	errs := excConvert(t, excTraces("nodejs", excEvent(excAt,
		excAttr("exception.type", StringValue("TypeError")),
		excAttr("exception.message", StringValue("Cannot read properties of undefined (reading 'amount')")),
		excAttr("exception.stacktrace", StringValue(readStackTrace(t, "node/constructor.txt"))),
	)))
	require.Len(t, errs, 1)
	payload, err := protocol.Marshal(errs[0])
	require.NoError(t, err)
	ev, err := protocol.DecodeEvent(payload)
	require.NoError(t, err)
	assert.Empty(t, ev.Warnings)
	assert.Equal(t, errs[0].EventID, ev.EventID)
	assert.Equal(t, "node", ev.Platform)
	require.Len(t, ev.Exception.Values, 1)
	assert.Equal(t, errs[0].Exception.Values[0].Stacktrace.Frames, ev.Exception.Values[0].Stacktrace.Frames)
}

// TestErrorEventsInvalidUTF8 converts a hand-built span whose exception
// strings are not UTF-8, which the decoders never produce: the event must
// still encode, with the bad bytes replaced.
func TestErrorEventsInvalidUTF8(t *testing.T) {
	errs := excConvert(t, excTraces("python", excEvent(excAt,
		excAttr("exception.type", StringValue("Bad\xffError")),
		excAttr("exception.message", StringValue("caf\xe9")),
		excAttr("exception.stacktrace", StringValue("Traceback (most recent call last):\n"+
			"  File \"/app/\xffx.py\", line 3, in f\xff\n    rais\xffe\nBadError: caf\xe9\n")),
	)))
	require.Len(t, errs, 1)
	exc := errs[0].Exception.Values[0]
	assert.Equal(t, "Bad\uFFFDError", exc.Type)
	assert.Equal(t, "caf\uFFFD", string(exc.Value))
	require.NotNil(t, exc.Stacktrace)
	require.Len(t, exc.Stacktrace.Frames, 1)
	assert.Equal(t, "/app/\uFFFDx.py", exc.Stacktrace.Frames[0].AbsPath)
	payload, err := protocol.Marshal(errs[0])
	require.NoError(t, err)
	_, err = protocol.DecodeEvent(payload)
	require.NoError(t, err)
}

// TestErrorEventsManyAttributes gives an exception event as many
// attributes as the default limits allow, and more: extra must keep the
// last value of each key without costing quadratic time.
func TestErrorEventsManyAttributes(t *testing.T) {
	const n = 60_000
	attrs := []KeyValue{excAttr("exception.type", StringValue("ValueError"))}
	for i := range n {
		attrs = append(attrs, excAttr("k"+strconv.Itoa(i), IntValue(int64(i))))
	}
	attrs = append(attrs, excAttr("k0", StringValue("last")))
	start := time.Now()
	errs := excConvert(t, excTraces("python", excEvent(excAt, attrs...)))
	elapsed := time.Since(start)
	require.Len(t, errs, 1)
	extra, w, err := errs[0].Extra.Get()
	require.NoError(t, err)
	require.Empty(t, w)
	assert.Len(t, extra, n)
	assert.Equal(t, `"last"`, string(extra["k0"]))
	assert.Equal(t, `59999`, string(extra["k59999"]))
	// Quadratic work takes seconds here; linear work a few milliseconds.
	assert.Less(t, elapsed, 2*time.Second)
}

// TestErrorEventsStableIDs checks that converting an export again gives
// the same event ids, also when the trace id is invalid and Relay's rule
// gives the span a random one.
func TestErrorEventsStableIDs(t *testing.T) {
	events := []SpanEvent{
		excEvent(excAt, excAttr("exception.type", StringValue("ValueError"))),
		excEvent(excAt, excAttr("exception.type", StringValue("ValueError"))),
	}
	for _, traceID := range [][]byte{excTraceID, nil, {1, 2, 3}} {
		tr := excTraces("python", events...)
		tr.ResourceSpans[0].ScopeSpans[0].Spans[1].TraceID = traceID
		a, b := excConvert(t, tr), excConvert(t, tr)
		require.Len(t, a, 2)
		require.Len(t, b, 2)
		for i := range a {
			assert.Equal(t, a[i].EventID, b[i].EventID)
			assert.False(t, a[i].EventID.IsZero())
		}
		assert.NotEqual(t, a[0].EventID, a[1].EventID, "two events of a span at the same time")
	}
	assert.NotEqual(t, exceptionEventID(excTraceID, excChildID, 0, excAt), exceptionEventID(excTraceID, excRootID, 0, excAt))
	assert.NotEqual(t, exceptionEventID(excTraceID, excChildID, 0, excAt), exceptionEventID(excTraceID, excChildID, 0, excAt+1))
	// A version 5 UUID.
	id := exceptionEventID(excTraceID, excChildID, 0, excAt)
	assert.Equal(t, byte(0x50), id[6]&0xf0)
	assert.Equal(t, byte(0x80), id[8]&0xc0)
	assert.NotEqual(t, transactionEventID("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b175"), id)
}

// TestErrorEventsTransaction checks the transaction name of a span whose
// segment is not in the request: its own name.
func TestErrorEventsTransaction(t *testing.T) {
	tr := excTraces("go", excEvent(excAt, excAttr("exception.message", StringValue("x"))))
	spans := &tr.ResourceSpans[0].ScopeSpans[0].Spans
	*spans = (*spans)[1:] // the child alone: its parent is elsewhere
	errs := excConvert(t, tr)
	require.Len(t, errs, 1)
	assert.Equal(t, "checkout", errs[0].Transaction)
	assert.Equal(t, "go", errs[0].Platform)
}

func TestErrorEventsNone(t *testing.T) {
	tests := []struct {
		name   string
		events []SpanEvent
	}{
		{name: "no events"},
		{name: "other events", events: []SpanEvent{{Name: "Exception", Attributes: []KeyValue{excAttr("exception.type", StringValue("E"))}}}},
		{name: "empty strings", events: []SpanEvent{excEvent(excAt, excAttr("exception.type", StringValue("")), excAttr("exception.message", StringValue("")))}},
		{name: "not strings", events: []SpanEvent{excEvent(excAt, excAttr("exception.type", IntValue(1)), excAttr("exception.message", BoolValue(true)))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Empty(t, excConvert(t, excTraces("python", tt.events...)))
		})
	}
	// Without the option there are no error events.
	r := ConvertTraces(excTraces("python", excEvent(excAt, excAttr("exception.type", StringValue("E")))))
	assert.Empty(t, r.Errors)
}

func TestReadExceptionEscaped(t *testing.T) {
	tests := []struct {
		name  string
		value Value
		set   bool
		want  bool
	}{
		{"bool true", BoolValue(true), true, true},
		{"bool false", BoolValue(false), true, false},
		{"python True", StringValue("True"), true, true},
		{"python False", StringValue("False"), true, false},
		{"lower case", StringValue("true"), true, true},
		{"other string", StringValue("yes"), false, false},
		{"int", IntValue(1), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := readException([]KeyValue{excAttr("exception.escaped", tt.value)})
			assert.Equal(t, tt.set, x.escapedSet)
			assert.Equal(t, tt.want, x.escaped)
			assert.Zero(t, x.others)
		})
	}
	x := readException([]KeyValue{excAttr("exception.escaped", BoolValue(true)), excAttr("exception.escaped", StringValue("?"))})
	assert.False(t, x.escapedSet, "the last value counts")
}

func TestSplitExceptionType(t *testing.T) {
	tests := []struct {
		platform, typ, wantType, wantModule string
	}{
		{"python", "json.decoder.JSONDecodeError", "JSONDecodeError", "json.decoder"},
		{"python", "KeyError", "KeyError", ""},
		{"java", "com.example.shop.OrderService.OrderException", "OrderException", "com.example.shop.OrderService"},
		{"java", "java.lang.IllegalStateException", "IllegalStateException", "java.lang"},
		{"java", "trailing.", "trailing.", ""},
		{"go", "example.com/shop/internal/orders.ValidationError", "orders.ValidationError", ""},
		{"go", "*fmt.wrapError", "*fmt.wrapError", ""},
		{"node", "ENOENT", "ENOENT", ""},
		{"csharp", "System.InvalidOperationException", "System.InvalidOperationException", ""},
		{"other", "a.b.C", "a.b.C", ""},
	}
	for _, tt := range tests {
		typ, module := splitExceptionType(tt.platform, tt.typ)
		assert.Equal(t, tt.wantType, typ, tt.typ)
		assert.Equal(t, tt.wantModule, module, tt.typ)
	}
}

// TestErrorEventsGroupByStacktrace runs error events made from the real
// traces through Sentry's grouping: an exception recorded twice (another
// run, another message) groups into one issue, different exceptions into
// different ones, and for every language the stack trace is what decides.
func TestErrorEventsGroupByStacktrace(t *testing.T) {
	cfg, err := grouping.NewConfig(grouping.DefaultConfig)
	require.NoError(t, err)

	type exc struct {
		language, typ, message, trace string
	}
	group := func(t *testing.T, x exc) *grouping.Result {
		t.Helper()
		errs := excConvert(t, excTraces(x.language, excEvent(excAt,
			excAttr("exception.type", StringValue(x.typ)),
			excAttr("exception.message", StringValue(x.message)),
			excAttr("exception.stacktrace", StringValue(readStackTrace(t, x.trace))),
		)))
		require.Len(t, errs, 1)
		// Group the event as a host receives it: encoded and decoded.
		payload, err := protocol.Marshal(errs[0])
		require.NoError(t, err)
		ev, err := protocol.DecodeEvent(payload)
		require.NoError(t, err)
		res := cfg.Group(ev)
		require.NotEmpty(t, res.Hashes)
		winner := res.Winner()
		require.NotNil(t, winner)
		assert.Equal(t, "exception", winner.ContributingComponent)
		st := excComponent(winner.Component, "stacktrace")
		require.NotNil(t, st, "no stacktrace component")
		assert.True(t, st.Contributes, "the stack trace groups %s", x.trace)
		return res
	}

	tests := []struct {
		name string
		a, b exc
		same bool
	}{
		{
			name: "go rerun",
			a:    exc{"go", "*strconv.NumError", `strconv.Atoi: parsing "abc": invalid syntax`, "go/atoi.txt"},
			b:    exc{"go", "*strconv.NumError", `strconv.Atoi: parsing "x9": invalid syntax`, "go/atoi_rerun.txt"},
			same: true,
		},
		{
			name: "go different errors",
			a:    exc{"go", "*strconv.NumError", `strconv.Atoi: parsing "abc": invalid syntax`, "go/atoi.txt"},
			b:    exc{"go", "*fmt.wrapError", "lookup 42: order not found", "go/wrapped.txt"},
		},
		{
			name: "go closures",
			a:    exc{"go", "example.com/shop/internal/orders.ValidationError", "invalid field email", "go/goroutine.txt"},
			b:    exc{"go", "example.com/shop/internal/orders.ValidationError", "invalid field name", "go/goroutine.txt"},
			same: true,
		},
		{
			name: "python same place, other message",
			a:    exc{"python", "json.decoder.JSONDecodeError", "Expecting value: line 1 column 21 (char 20)", "python/json.txt"},
			b:    exc{"python", "json.decoder.JSONDecodeError", "Expecting ',' delimiter: line 3 column 2 (char 40)", "python/json.txt"},
			same: true,
		},
		{
			name: "python different errors",
			a:    exc{"python", "json.decoder.JSONDecodeError", "Expecting value: line 1 column 21 (char 20)", "python/json.txt"},
			b:    exc{"python", "TypeError", "can't multiply sequence by non-int of type 'NoneType'", "python/typeerror.txt"},
		},
		{
			name: "python chained",
			a:    exc{"python", "shop.orders.OrderError", "order 7 could not be paid", "python/cause.txt"},
			b:    exc{"python", "KeyError", "'fallback-a1'", "python/context.txt"},
		},
		{
			name: "java same place, other message",
			a:    exc{"java", "java.lang.IllegalStateException", "unknown sku zz", "java/stream.txt"},
			b:    exc{"java", "java.lang.IllegalStateException", "unknown sku q1", "java/stream.txt"},
			same: true,
		},
		{
			name: "java different errors",
			a:    exc{"java", "java.lang.IllegalStateException", "unknown sku zz", "java/stream.txt"},
			b:    exc{"java", "java.lang.NumberFormatException", `For input string: "12x"`, "java/number.txt"},
		},
		{
			name: "node same place, other message",
			a:    exc{"nodejs", "QueryError", `syntax error near "SELEC"`, "node/async.txt"},
			b:    exc{"nodejs", "QueryError", `syntax error near "UPDAT"`, "node/async.txt"},
			same: true,
		},
		{
			name: "node different errors",
			a:    exc{"nodejs", "TypeError", "Cannot read properties of undefined (reading 'amount')", "node/constructor.txt"},
			b:    exc{"nodejs", "RangeError", "invalid discount code ten%", "node/esm.txt"},
		},
		{
			name: "dotnet same place, other message",
			a:    exc{"dotnet", "System.InvalidOperationException", "Order 42 cannot be shipped", "dotnet/inner.txt"},
			b:    exc{"dotnet", "System.InvalidOperationException", "Order 7 cannot be shipped", "dotnet/inner.txt"},
			same: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := group(t, tt.a), group(t, tt.b)
			if tt.same {
				assert.Equal(t, a.Hashes[0], b.Hashes[0])
			} else {
				assert.NotEqual(t, a.Hashes[0], b.Hashes[0])
			}
		})
	}
}

func excComponent(c *grouping.Component, id string) *grouping.Component {
	if c == nil {
		return nil
	}
	if c.ID == id {
		return c
	}
	for _, child := range c.Children {
		if found := excComponent(child, id); found != nil {
			return found
		}
	}
	return nil
}

// BenchmarkErrorEvents measures the conversion of a request of two spans,
// one with a Go exception, with error events and, as the baseline,
// without.
func BenchmarkErrorEvents(b *testing.B) {
	stack := readStackTrace(b, "go/truncated.txt")
	tr := excTraces("go", excEvent(excAt,
		excAttr("exception.type", StringValue("*errors.errorString")),
		excAttr("exception.message", StringValue("walk bottomed out")),
		excAttr("exception.stacktrace", StringValue(stack)),
	))
	for _, on := range []bool{false, true} {
		name := "baseline"
		if on {
			name = "with_error_events"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := ConvertTraces(tr, WithErrorEvents(on))
				if on && len(r.Errors) != 1 {
					b.Fatal("no error event")
				}
			}
		})
	}
}
