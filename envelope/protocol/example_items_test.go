package protocol_test

import (
	"errors"
	"fmt"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// Decode the session and the log container of an envelope, and see how a
// session with an invalid release fails.
func ExampleDecodeLogs() {
	data := []byte(`{}
{"type":"session"}
{"sid":"6dea84dffbbc4fc7af5488f5fcd18470","init":true,"started":"2026-11-24T21:25:42.001Z","status":"exited","errors":0,"attrs":{"release":"shop@1.0.0","environment":"prod"}}
{"type":"log","item_count":2,"content_type":"application/vnd.sentry.items.log+json"}
{"version":2,"items":[{"timestamp":1795555544.16,"level":"info","body":"user logged in","trace_id":"a19707c71e4341fe9e349f7354a10b40","attributes":{"userId":{"value":7,"type":"integer"}}},{"timestamp":1795555544.17,"level":"warn","body":"slow query","trace_id":"a19707c71e4341fe9e349f7354a10b40"}]}
`)
	env, err := envelope.Parse(data)
	if err != nil {
		panic(err)
	}
	for _, it := range env.Items {
		switch it.Type() {
		case envelope.TypeSession:
			s, err := protocol.DecodeSession(it.Payload())
			if err != nil {
				panic(err)
			}
			fmt.Println("session", s.Status, s.Attributes.Release, s.Started.Format("15:04:05.000"))
		case envelope.TypeLog:
			logs, err := protocol.DecodeLogs(it)
			if err != nil {
				panic(err)
			}
			for _, l := range logs.Items {
				id, ok := l.Attributes["userId"].Int()
				fmt.Println("log", l.Level, l.Body, id, ok)
			}
		}
	}

	_, err = protocol.DecodeSession([]byte(`{"started":"2026-11-24T21:25:42Z","attrs":{"release":"latest"}}`))
	var de *protocol.DecodeError
	fmt.Println(errors.As(err, &de), de.Pointer, errors.Is(err, protocol.ErrInvalidRelease))
	// Output:
	// session exited shop@1.0.0 21:25:42.001
	// log info user logged in 7 true
	// log warn slow query 0 false
	// true /attrs/release true
}
