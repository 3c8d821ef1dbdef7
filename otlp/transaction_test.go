package otlp

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
)

const (
	txTraceA = "5b8efff798038103d269b633813fc60c"
	txTraceB = "0af7651916cd43dd8448eb211c80319c"
)

var txEpoch = time.Unix(1700000000, 0).UTC()

// txSpan is a converted span for buildTransactions: the ids are names of
// up to 8 bytes (the hex of the name, padded to 16 digits), the times
// milliseconds after txEpoch.
type txSpan struct {
	trace, id, parent string
	start, end        int
	segment           bool
	attrs             []KeyValue
}

func txID(name string) string {
	if name == "" {
		return ""
	}
	h := hex.EncodeToString([]byte(name))
	return strings.Repeat("0", 16-len(h)) + h
}

func (s txSpan) v2() protocol.SpanV2 {
	var a arena
	trace := s.trace
	if trace == "" {
		trace = txTraceA
	}
	v := protocol.SpanV2{
		TraceID:        trace,
		SpanID:         txID(s.id),
		ParentSpanID:   txID(s.parent),
		Name:           "span " + s.id,
		Status:         protocol.SpanV2OK,
		StartTimestamp: protocol.Timestamp{Time: txEpoch.Add(time.Duration(s.start) * time.Millisecond)},
		EndTimestamp:   protocol.Timestamp{Time: txEpoch.Add(time.Duration(s.end) * time.Millisecond)},
		Attributes:     protocol.Attributes{},
	}
	if s.segment {
		v.IsSegment = &s.segment
	}
	a.putAttributes(v.Attributes, "", s.attrs)
	return v
}

// txNames returns the names of span ids.
func txNames(t *testing.T, ids []string) []string {
	var out []string
	for _, id := range ids {
		for strings.HasPrefix(id, "00") {
			id = id[2:]
		}
		b, err := hex.DecodeString(id)
		require.NoError(t, err)
		out = append(out, string(b))
	}
	return out
}

func TestBuildTransactionsTrees(t *testing.T) {
	remote := []KeyValue{{Key: "sentry.is_remote", Value: BoolValue(true)}}
	tests := []struct {
		name  string
		spans []txSpan
		want  [][]string // per transaction: the root, then its spans
		rest  []string
	}{{
		name: "root, children and grandchildren, by start time",
		spans: []txSpan{
			{id: "a1", parent: "c1", start: 20, end: 30}, // before its parents: order does not matter
			{id: "c1", parent: "r", start: 10, end: 50},
			{id: "r", start: 0, end: 100},
			{id: "c2", parent: "r", start: 5, end: 60},
			{id: "a2", parent: "c2", start: 20, end: 25}, // ties keep the input order
		},
		want: [][]string{{"r", "c2", "c1", "a1", "a2"}},
	}, {
		name: "two roots in two traces, in input order",
		spans: []txSpan{
			{trace: txTraceB, id: "b", start: 0, end: 10},
			{id: "a", start: 0, end: 10},
			{id: "a1", parent: "a", start: 1, end: 2},
			{trace: txTraceB, id: "b1", parent: "b", start: 1, end: 2},
		},
		want: [][]string{{"b", "b1"}, {"a", "a1"}},
	}, {
		name: "a segment inside a segment is a transaction of its own",
		spans: []txSpan{
			{id: "r", start: 0, end: 100},
			{id: "c", parent: "r", start: 1, end: 90},
			{id: "s", parent: "c", start: 2, end: 80, segment: true},
			{id: "s1", parent: "s", start: 3, end: 4},
		},
		want: [][]string{{"r", "c"}, {"s", "s1"}},
	}, {
		name: "a remote parent makes a root",
		spans: []txSpan{
			{id: "p1", parent: "p", start: 1, end: 2},
			{id: "p", parent: "ff", start: 0, end: 10, attrs: remote},
		},
		want: [][]string{{"p", "p1"}},
	}, {
		name: "orphans stay spans",
		spans: []txSpan{
			{id: "r", start: 0, end: 100},
			{id: "o", parent: "ab", start: 1, end: 2},
			{id: "c", parent: "r", start: 1, end: 2},
			{id: "o1", parent: "o", start: 1, end: 2},
			{id: "n", parent: "ab", start: 1, end: 2, attrs: []KeyValue{{Key: "sentry.is_remote", Value: BoolValue(false)}}},
		},
		want: [][]string{{"r", "c"}},
		rest: []string{"o", "o1", "n"},
	}, {
		name: "parent cycles stay spans",
		spans: []txSpan{
			{id: "a", parent: "b", start: 1, end: 2},
			{id: "b", parent: "a", start: 1, end: 2},
			{id: "c", parent: "a", start: 1, end: 2},
			{id: "d", parent: "d", start: 1, end: 2},
			{id: "r", start: 0, end: 10},
		},
		want: [][]string{{"r"}},
		rest: []string{"a", "b", "c", "d"},
	}, {
		name: "span ids are looked up within their trace",
		spans: []txSpan{
			{id: "1", start: 0, end: 10},
			{id: "2", parent: "1", start: 1, end: 2},
			{trace: txTraceB, id: "2", parent: "1", start: 1, end: 2},
			{trace: txTraceB, id: "3", parent: "2", start: 1, end: 2},
		},
		want: [][]string{{"1", "2"}},
		rest: []string{"2", "3"},
	}, {
		name: "a root that ends before it starts leaves its tree as spans",
		spans: []txSpan{
			{id: "r", start: 10, end: 0},
			{id: "c", parent: "r", start: 1, end: 2},
		},
		rest: []string{"r", "c"},
	}, {
		name: "a span that ends before it starts stays a span, its children do not",
		spans: []txSpan{
			{id: "r", start: 0, end: 10},
			{id: "c", parent: "r", start: 5, end: 4},
			{id: "c1", parent: "c", start: 5, end: 6},
		},
		want: [][]string{{"r", "c1"}},
		rest: []string{"c"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := make([]protocol.SpanV2, len(tt.spans))
			for i, s := range tt.spans {
				spans[i] = s.v2()
			}
			txs, rest := buildTransactions(spans)

			var got [][]string
			for _, tx := range txs {
				trace, _, err := tx.Contexts.Trace()
				require.NoError(t, err)
				ids := []string{string(trace.SpanID)}
				children, _, err := tx.Spans.Get()
				require.NoError(t, err)
				for _, c := range children {
					assert.Equal(t, trace.TraceID, c.TraceID, "a transaction holds one trace")
					ids = append(ids, string(c.SpanID))
				}
				got = append(got, txNames(t, ids))
			}
			assert.Equal(t, tt.want, got)

			var restIDs []string
			for _, s := range rest {
				restIDs = append(restIDs, s.SpanID)
			}
			assert.Equal(t, tt.rest, txNames(t, restIDs))
		})
	}
}

func TestBuildTransactionsEmpty(t *testing.T) {
	txs, rest := buildTransactions(nil)
	assert.Empty(t, txs)
	assert.Empty(t, rest)
}

// Chains as long as a request can hold neither recurse nor take quadratic
// time.
func TestBuildTransactionsLongChains(t *testing.T) {
	const n = 10000
	spans := make([]protocol.SpanV2, 0, 2*n)
	for i := range n { // one tree: a chain under a root, leaf first
		s := txSpan{id: fmt.Sprintf("%x", n-i), start: 1, end: 2}
		if i < n-1 {
			s.parent = fmt.Sprintf("%x", n-i-1)
		}
		spans = append(spans, s.v2())
	}
	for i := range n { // one cycle through n spans of another trace
		spans = append(spans, txSpan{trace: txTraceB, id: fmt.Sprintf("%x", i+1),
			parent: fmt.Sprintf("%x", (i+1)%n+1), start: 1, end: 2}.v2())
	}
	txs, rest := buildTransactions(spans)
	require.Len(t, txs, 1)
	children, _, err := txs[0].Spans.Get()
	require.NoError(t, err)
	assert.Len(t, children, n-1)
	assert.Len(t, rest, n)
}

func TestTransactionEventID(t *testing.T) {
	// The namespace is what its comment says it is.
	url := [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	assert.Equal(t, envelope.EventID(txNamespace),
		txUUID5(url, "https://github.com/sentrywire/sentrywire/otlp/transaction"))

	// Computed with Python's uuid.uuid5.
	id := transactionEventID(txTraceA, "eee19b7ec3c1b174")
	want, err := envelope.ParseEventID("a43e591efecd5ad68e1e846e5c0c884e")
	require.NoError(t, err)
	assert.Equal(t, want, id)
	assert.NotEqual(t, id, transactionEventID(txTraceB, "eee19b7ec3c1b174"))
	assert.NotEqual(t, id, transactionEventID(txTraceA, "eee19b7ec3c1b175"))
}

func TestBuildTransactionsEventFields(t *testing.T) {
	str := func(k, v string) KeyValue { return KeyValue{Key: k, Value: StringValue(v)} }
	tests := []struct {
		name     string
		attrs    []KeyValue
		platform string
		source   protocol.TransactionSource
		release  string
		env      string
		sdk      *protocol.ClientSDK
	}{{
		name:     "nothing known",
		platform: "other",
		source:   protocol.TransactionSourceCustom,
	}, {
		name: "Sentry's attributes",
		attrs: []KeyValue{
			str("sentry.platform", "node"), str("sentry.source", "url"), str("http.route", "/orders/:id"),
			str("sentry.release", "shop@2.0.0"), str("resource.service.version", "2.0.0"),
			str("sentry.environment", "production"), str("resource.deployment.environment.name", "prod"),
			str("sentry.sdk.name", "sentry.javascript.node"), str("sentry.sdk.version", "10.1.0"),
			str("resource.telemetry.sdk.name", "opentelemetry"), str("resource.telemetry.sdk.version", "2.0.1"),
		},
		platform: "node",
		source:   protocol.TransactionSourceURL,
		release:  "shop@2.0.0",
		env:      "production",
		sdk:      &protocol.ClientSDK{Name: "sentry.javascript.node", Version: "10.1.0"},
	}, {
		name: "OpenTelemetry's resource",
		attrs: []KeyValue{
			str("sentry.platform", "go"), str("sentry.source", "bogus"), str("http.route", "/orders/{id}"),
			str("resource.service.version", "2.0.0"),
			str("resource.deployment.environment.name", "prod"), str("resource.deployment.environment", "old"),
			str("resource.telemetry.sdk.name", "opentelemetry"), str("resource.telemetry.sdk.language", "go"),
			str("resource.telemetry.sdk.version", "1.38.0"),
		},
		platform: "go",
		source:   protocol.TransactionSourceRoute,
		release:  "2.0.0",
		env:      "prod",
		sdk:      &protocol.ClientSDK{Name: "opentelemetry.go", Version: "1.38.0"},
	}, {
		name: "older conventions, platforms Relay does not know",
		attrs: []KeyValue{
			str("sentry.platform", "rust"), str("resource.deployment.environment", "staging"),
			str("resource.telemetry.sdk.language", "rust"), str("sentry.sdk.name", "no version"),
		},
		platform: "other",
		source:   protocol.TransactionSourceCustom,
		env:      "staging",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := []protocol.SpanV2{txSpan{id: "r", start: 0, end: 1500, attrs: tt.attrs}.v2()}
			txs, rest := buildTransactions(spans)
			require.Len(t, txs, 1)
			assert.Empty(t, rest)
			tx := txs[0]
			assert.Equal(t, "transaction", tx.Type)
			assert.Equal(t, transactionEventID(txTraceA, txID("r")), tx.EventID)
			assert.Equal(t, "span r", tx.Transaction)
			assert.Equal(t, tt.platform, tx.Platform)
			require.NotNil(t, tx.TransactionInfo)
			assert.Equal(t, tt.source, tx.TransactionInfo.Source)
			assert.Equal(t, tt.release, string(tx.Release))
			assert.Equal(t, tt.env, tx.Environment)
			assert.Equal(t, tt.sdk, tx.SDK)
			assert.True(t, txEpoch.Equal(tx.StartTimestamp.Time))
			assert.Equal(t, 1500*time.Millisecond, tx.Timestamp.Sub(tx.StartTimestamp.Time))
		})
	}
}

// The trace context is the root's, as SpanToV1 makes it, and the otel
// context holds its own and its resource's attributes.
func TestBuildTransactionsContexts(t *testing.T) {
	root := txSpan{id: "r", parent: "ff", start: 0, end: 10, attrs: []KeyValue{
		{Key: "sentry.is_remote", Value: BoolValue(true)},
		{Key: "sentry.origin", Value: StringValue("auto.otlp.spans")},
		{Key: "sentry.kind", Value: StringValue("server")},
		{Key: "instrumentation.name", Value: StringValue("otelhttp")},
		{Key: "http.request.method", Value: StringValue("GET")},
		{Key: "http.route", Value: StringValue("/orders/{id}")},
		{Key: "http.status_code", Value: IntValue(404)},
		{Key: "resource.service.name", Value: StringValue("shop")},
		{Key: "resource.host.cpus", Value: IntValue(8)},
	}}.v2()
	root.Status = protocol.SpanV2Error
	v1 := SpanToV1(&root)

	txs, _ := buildTransactions([]protocol.SpanV2{root})
	require.Len(t, txs, 1)
	trace, w, err := txs[0].Contexts.Trace()
	require.NoError(t, err)
	assert.Empty(t, w)
	require.NotNil(t, trace)
	assert.Equal(t, protocol.TraceID(txTraceA), trace.TraceID)
	assert.Equal(t, protocol.SpanID(txID("r")), trace.SpanID)
	assert.Equal(t, protocol.SpanID(txID("ff")), trace.ParentSpanID, "the remote parent")
	assert.Equal(t, v1.Op, trace.Op)
	assert.Equal(t, v1.Status, trace.Status)
	assert.NotEqual(t, protocol.SpanStatusOK, trace.Status)
	assert.Equal(t, "auto.otlp.spans", trace.Origin)
	assert.JSONEq(t, string(v1.Data), string(trace.Data))

	otel, ok := txs[0].Contexts.Get("otel")
	require.True(t, ok)
	assert.JSONEq(t, `{
		"attributes": {"http.request.method": "GET", "http.route": "/orders/{id}", "http.status_code": 404},
		"resource": {"host.cpus": 8, "service.name": "shop"}
	}`, string(otel.Raw))
	assert.Equal(t, `{"attributes":{"http.request.method":"GET","http.route":"/orders/{id}","http.status_code":404},`+
		`"resource":{"host.cpus":8,"service.name":"shop"}}`, string(otel.Raw), "keys sorted")

	bare, _ := buildTransactions([]protocol.SpanV2{txSpan{id: "r", end: 1}.v2()})
	require.Len(t, bare, 1)
	_, ok = bare[0].Contexts.Get("otel")
	assert.False(t, ok, "no otel context without attributes")
}

// Transactions built from a realistic request read back as Relay reads a
// transaction item: no errors, no warnings.
func TestBuildTransactionsValidate(t *testing.T) {
	tr := testUnhex(t, txTraceA)
	id := func(s string) []byte { return testUnhex(t, txID(s)) }
	at := func(ms int) uint64 { return uint64(txEpoch.Add(time.Duration(ms) * time.Millisecond).UnixNano()) }
	req := &Traces{ResourceSpans: []ResourceSpans{{
		Resource: Resource{Attributes: []KeyValue{
			{Key: "service.name", Value: StringValue("shop")},
			{Key: "service.version", Value: StringValue("2.0.0")},
			{Key: "deployment.environment.name", Value: StringValue("production")},
			{Key: "telemetry.sdk.language", Value: StringValue("nodejs")},
			{Key: "telemetry.sdk.name", Value: StringValue("opentelemetry")},
			{Key: "telemetry.sdk.version", Value: StringValue("2.0.1")},
		}},
		ScopeSpans: []ScopeSpans{{
			Scope: &Scope{Name: "@opentelemetry/instrumentation-http", Version: "0.203.0"},
			Spans: []Span{{
				TraceID: tr, SpanID: id("a1"), ParentSpanID: id("remote"), Name: "GET /orders/{id}",
				Kind: SpanKindServer, StartTimeUnixNano: at(0), EndTimeUnixNano: at(120),
				Flags: FlagsContextHasIsRemoteMask | FlagsContextIsRemoteMask,
				Attributes: []KeyValue{
					{Key: "http.request.method", Value: StringValue("GET")},
					{Key: "http.route", Value: StringValue("/orders/{id}")},
					{Key: "url.path", Value: StringValue("/orders/7")},
					{Key: "http.response.status_code", Value: IntValue(200)},
				},
			}, {
				TraceID: tr, SpanID: id("b1"), ParentSpanID: id("a1"), Name: "SELECT orders",
				Kind: SpanKindClient, StartTimeUnixNano: at(10), EndTimeUnixNano: at(40),
				Attributes: []KeyValue{
					{Key: "db.system.name", Value: StringValue("postgresql")},
					{Key: "db.query.text", Value: StringValue("SELECT * FROM orders WHERE id = $1")},
					{Key: "db.query.parameters", Value: ArrayValue(IntValue(7), StringValue("x"))},
				},
			}, {
				TraceID: tr, SpanID: id("b2"), ParentSpanID: id("a1"), Name: "POST",
				Kind: SpanKindClient, StartTimeUnixNano: at(50), EndTimeUnixNano: at(110),
				Status: &Status{Code: StatusCodeError, Message: "Service Unavailable"},
				Attributes: []KeyValue{
					{Key: "http.request.method", Value: StringValue("POST")},
					{Key: "url.full", Value: StringValue("https://payments.example/charge?x=1")},
					{Key: "http.status_code", Value: IntValue(503)},
					{Key: "payment", Value: KVListValue(KeyValue{Key: "amount", Value: DoubleValue(12.5)})},
				},
				Links: []SpanLink{{TraceID: testUnhex(t, txTraceB), SpanID: id("c1"), Flags: FlagsSampled}},
			}, {
				TraceID: tr, SpanID: id("d1"), ParentSpanID: id("b1"), Name: "pool.acquire",
				StartTimeUnixNano: at(10), EndTimeUnixNano: at(12),
			}},
		}},
	}}}
	r := ConvertTraces(req, WithTransactions(true))
	require.Empty(t, r.Rejected)
	require.Len(t, r.Transactions, 1)
	assert.Empty(t, r.Spans)

	payload, err := protocol.Marshal(r.Transactions[0])
	require.NoError(t, err)
	tx, err := protocol.DecodeTransaction(payload)
	require.NoError(t, err, "%s", payload)
	assert.Empty(t, tx.Warnings, "%s", payload)

	assert.Equal(t, "GET /orders/{id}", tx.Transaction)
	assert.Equal(t, protocol.TransactionSourceRoute, tx.TransactionInfo.Source)
	assert.Equal(t, "node", tx.Platform)
	assert.Equal(t, "2.0.0", string(tx.Release))
	assert.Equal(t, "production", tx.Environment)
	assert.Equal(t, &protocol.ClientSDK{Name: "opentelemetry.nodejs", Version: "2.0.1"}, tx.SDK)
	trace, _, err := tx.Contexts.Trace()
	require.NoError(t, err)
	assert.Equal(t, protocol.SpanID(txID("remote")), trace.ParentSpanID)
	assert.Equal(t, "http.server", trace.Op)
	assert.Equal(t, protocol.SpanStatusOK, trace.Status)
	spans, _, err := tx.Spans.Get()
	require.NoError(t, err)
	require.Len(t, spans, 3)
	assert.Equal(t, []protocol.SpanID{protocol.SpanID(txID("b1")), protocol.SpanID(txID("d1")), protocol.SpanID(txID("b2"))},
		[]protocol.SpanID{spans[0].SpanID, spans[1].SpanID, spans[2].SpanID}, "by start time, ties in input order")
	assert.Equal(t, "db", spans[0].Op)
	assert.Equal(t, protocol.SpanStatusUnavailable, spans[2].Status)

	// And the same request gives the same event again.
	again := ConvertTraces(req, WithTransactions(true))
	assert.Equal(t, r.Transactions[0].EventID, again.Transactions[0].EventID)
}

func BenchmarkBuildTransactions(b *testing.B) {
	// 1,000 spans: 50 trees of 20 spans, two levels deep.
	var spans []protocol.SpanV2
	for tree := range 50 {
		trace := fmt.Sprintf("%032x", tree+1)
		root := fmt.Sprintf("%x", tree*100+1)
		spans = append(spans, txSpan{trace: trace, id: root, start: 0, end: 100, attrs: []KeyValue{
			{Key: "http.request.method", Value: StringValue("GET")},
			{Key: "http.route", Value: StringValue("/orders/{id}")},
			{Key: "resource.service.name", Value: StringValue("shop")},
		}}.v2())
		for c := range 19 {
			parent := root
			if c >= 4 {
				parent = fmt.Sprintf("%x", tree*100+2+c%4)
			}
			spans = append(spans, txSpan{trace: trace, id: fmt.Sprintf("%x", tree*100+2+c), parent: parent,
				start: c, end: c + 10, attrs: []KeyValue{
					{Key: "db.system.name", Value: StringValue("postgresql")},
					{Key: "db.query.text", Value: StringValue("SELECT 1")},
				}}.v2())
		}
	}
	work := make([]protocol.SpanV2, len(spans))
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			copy(work, spans)
			buildTransactions(work)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spans)), "ns/span")
	})
	// The baseline: SpanToV1 of every span, which building a transaction
	// cannot do without.
	b.Run("spantov1-baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range spans {
				_ = SpanToV1(&spans[i])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spans)), "ns/span")
	})
}
