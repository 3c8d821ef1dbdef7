package protocol_test

import (
	"fmt"
	"log"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// DecodeEvent reads an event as Relay does, whichever shape the SDK used
// for its exceptions. A chained error comes oldest cause first, and each
// stack trace caller first, so the frame that raised the error is the
// last one.
func ExampleDecodeEvent() {
	payload := []byte(`{
		"event_id": "0a5fba53f8944a90b23f891cb9473d52",
		"platform": "python",
		"exception": {"values": [
			{"type": "ConnectionRefusedError", "value": "connection refused",
			 "stacktrace": {"frames": [
				{"function": "load_user", "filename": "app.py", "lineno": 34, "in_app": true},
				{"function": "connect", "filename": "db.py", "lineno": 29, "in_app": true,
				 "context_line": "    raise ConnectionRefusedError(\"connection refused\")"}]}},
			{"type": "LookupError", "value": "load user 7",
			 "mechanism": {"type": "excepthook", "handled": false}}
		]},
		"level": 40
	}`)
	ev, err := protocol.DecodeEvent(payload)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("level:", ev.Level, "warnings:", len(ev.Warnings))
	for _, ex := range ev.Exceptions() {
		fmt.Printf("%s: %s\n", ex.Type, ex.Value)
		if top := ex.Stacktrace.Top(); top != nil {
			fmt.Printf("  at %s (%s:%d)\n", top.Function, top.Filename, top.Lineno)
			fmt.Printf("  %s\n", top.ContextLine)
		}
		if m := ex.Mechanism; m != nil && m.Handled != nil && !*m.Handled {
			fmt.Println("  unhandled, caught by", m.Type)
		}
	}
	// Output:
	// level: error warnings: 0
	// ConnectionRefusedError: connection refused
	//   at connect (db.py:29)
	//       raise ConnectionRefusedError("connection refused")
	// LookupError: load user 7
	//   unhandled, caught by excepthook
}
