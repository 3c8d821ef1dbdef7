package otlp_test

import (
	"fmt"
	"log"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/otlp"
)

// A trace as the OpenTelemetry JS exporter sends it: a server span and a
// failed database query below it.
const exampleTrace = `{"resourceSpans":[{
  "resource":{"attributes":[
    {"key":"service.name","value":{"stringValue":"orders"}},
    {"key":"telemetry.sdk.language","value":{"stringValue":"nodejs"}}]},
  "scopeSpans":[{"scope":{"name":"@opentelemetry/instrumentation-http"},"spans":[
    {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","name":"GET /orders/{id}","kind":2,
     "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000250000000",
     "attributes":[{"key":"http.request.method","value":{"stringValue":"GET"}},
                   {"key":"http.route","value":{"stringValue":"/orders/{id}"}}]},
    {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"a1b2c3d4e5f60718","parentSpanId":"eee19b7ec3c1b174",
     "name":"SELECT orders","kind":3,"startTimeUnixNano":1700000000010000000,"endTimeUnixNano":1700000000200000000,
     "attributes":[{"key":"db.system.name","value":{"stringValue":"postgresql"}},
                   {"key":"db.query.text","value":{"stringValue":"SELECT * FROM orders WHERE id = $1"}}],
     "status":{"code":2,"message":"deadlock detected"}}]}]}]}`

func ExampleConvertTraces() {
	traces, err := otlp.DecodeTraces([]byte(exampleTrace), otlp.JSON)
	if err != nil {
		log.Fatal(err)
	}
	res := otlp.ConvertTraces(traces)
	for _, s := range res.Spans {
		op, _ := s.Attributes["sentry.op"].String()
		platform, _ := s.Attributes["sentry.platform"].String()
		segment, _ := s.Attributes["sentry.segment.id"].String()
		fmt.Println(s.SpanID, s.Name, op, s.Status, platform, segment)
	}
	// Output:
	// eee19b7ec3c1b174 GET /orders/{id} http.server ok node eee19b7ec3c1b174
	// a1b2c3d4e5f60718 SELECT orders db error node eee19b7ec3c1b174
}

// An ingest server that stores spans writes the span container item
// straight from the decoded request, without the typed spans.
func ExampleAppendSpans() {
	traces, err := otlp.DecodeTraces([]byte(exampleTrace), otlp.JSON)
	if err != nil {
		log.Fatal(err)
	}
	payload, n, rejected := otlp.AppendSpans(nil, traces)
	it := envelope.NewItem(envelope.TypeSpan, payload)
	if err := it.Set("content_type", envelope.ContentTypeSpanContainer); err != nil {
		log.Fatal(err)
	}
	if err := it.Set("item_count", int64(n)); err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "spans,", len(rejected), "rejected")

	spans, err := protocol.DecodeSpans(it) // what a reader of the envelope gets
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range spans.Items {
		op, _ := s.Attributes["sentry.op"].String()
		fmt.Println(s.SpanID, s.Name, op, s.Status)
	}
	// Output:
	// 2 spans, 0 rejected
	// eee19b7ec3c1b174 GET /orders/{id} http.server ok
	// a1b2c3d4e5f60718 SELECT orders db error
}

// With WithTransactions a complete tree becomes a transaction event, with
// the older spans' descriptions and status codes.
func ExampleWithTransactions() {
	traces, err := otlp.DecodeTraces([]byte(exampleTrace), otlp.JSON)
	if err != nil {
		log.Fatal(err)
	}
	res := otlp.ConvertTraces(traces, otlp.WithTransactions(true))
	tx := res.Transactions[0]
	spans, _, err := tx.Spans.Get()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.Transaction, len(res.Spans))
	for _, s := range spans {
		fmt.Println(s.Op, s.Description, s.Status)
	}
	// Output:
	// GET /orders/{id} 0
	// db SELECT * FROM orders WHERE id = $1 internal_error
}

// Decoding reports what is wrong and where, in OTLP's JSON names whatever
// the encoding.
func ExampleDecodeTraces_error() {
	_, err := otlp.DecodeTraces([]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}`), otlp.JSON)
	fmt.Println(err)
	// Output:
	// otlp: invalid OTLP JSON at byte 54 (/resourceSpans/0/scopeSpans/0/spans/0/traceId): id "xyz" is an odd number of hex digits
}
