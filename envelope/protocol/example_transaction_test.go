package protocol_test

import (
	"errors"
	"fmt"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

func ExampleDecodeTransaction() {
	payload := []byte(`{
		"type": "transaction",
		"transaction": "GET /orders",
		"start_timestamp": 1700000000.0,
		"timestamp": "2023-11-14T22:13:20.250Z",
		"contexts": {
			"trace": {
				"trace_id": "4C79F60C11214EB38604F4AE0781BFB2",
				"span_id": "fa90fdead5f74052",
				"op": "http.server",
				"status": "success"
			}
		},
		"spans": [
			{"trace_id": "4c79f60c11214eb38604f4ae0781bfb2", "span_id": "aa90fdead5f74052",
			 "op": "db.query", "start_timestamp": 1700000000.1, "timestamp": 1700000000.2},
			{"trace_id": "4c79f60c11214eb38604f4ae0781bfb2", "span_id": "ba90fdead5f74052",
			 "op": "template", "start_timestamp": 1700000000.2, "timestamp": 1700000000.25}
		]
	}`)
	ev, err := protocol.DecodeTransaction(payload)
	if err != nil {
		fmt.Println(err)
		return
	}
	trace, _, _ := ev.Contexts.Trace()
	spans, _, _ := ev.Spans.Get()
	fmt.Println(ev.Transaction, ev.Timestamp.Sub(ev.StartTimestamp.Time))
	fmt.Println(trace.TraceID, trace.Op, trace.Status)
	fmt.Println(len(spans), "spans, the first:", spans[0].Op)

	// A transaction Relay would drop fails with the field to blame.
	_, err = protocol.DecodeTransaction([]byte(`{"type":"transaction","start_timestamp":2,"timestamp":1}`))
	var de *protocol.DecodeError
	if errors.As(err, &de) && errors.Is(err, protocol.ErrInvalidTransaction) {
		fmt.Println(de.Pointer, "-", de.Err)
	}
	// Output:
	// GET /orders 250ms
	// 4c79f60c11214eb38604f4ae0781bfb2 http.server ok
	// 2 spans, the first: db.query
	// /timestamp - invalid transaction: timestamp is before start_timestamp
}
