package fuzz

import (
	"errors"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// itemTypes are the types FuzzDecodeItem decodes payloads as.
var itemTypes = []envelope.ItemType{
	envelope.TypeEvent, envelope.TypeTransaction, envelope.TypeFeedback, envelope.TypeSession,
	envelope.TypeSessions, envelope.TypeCheckIn, envelope.TypeClientReport, envelope.TypeUserReport,
	envelope.TypeLog, envelope.TypeSpan, envelope.TypeTraceMetric,
}

// FuzzDecodeItem decodes arbitrary payloads as every item type: no panics,
// only typed errors, and a decoded event marshals to JSON that decodes
// again.
func FuzzDecodeItem(f *testing.F) {
	for _, body := range sdkBodies(f) {
		env, err := envelope.Parse(body)
		if err != nil {
			f.Add(body, uint8(0)) // a store body: a bare event
			continue
		}
		for _, it := range env.Items {
			for i, t := range itemTypes {
				if t == it.Type() {
					f.Add(it.Payload(), uint8(i))
				}
			}
		}
	}
	f.Add([]byte(`{"exception":{"values":[{"type":"E","stacktrace":{"frames":[{"vars":[1,2],"instruction_addr":"0x1"}]}}]},"message":false,"tags":[["a",1]]}`), uint8(0))
	f.Fuzz(func(t *testing.T, payload []byte, which uint8) {
		typ := itemTypes[int(which)%len(itemTypes)]
		it := envelope.NewItem(typ, payload)
		switch typ {
		case envelope.TypeLog:
			it.Set("content_type", envelope.ContentTypeLogContainer)
		case envelope.TypeSpan:
			it.Set("content_type", envelope.ContentTypeSpanContainer)
		case envelope.TypeTraceMetric:
			it.Set("content_type", envelope.ContentTypeMetricContainer)
		}
		if it.IsContainer() {
			// The right count, so that the records get decoded too.
			var c struct {
				Items []jsontext.Value `json:"items"`
			}
			_ = json.Unmarshal(payload, &c, jsontext.AllowDuplicateNames(true))
			it.Set("item_count", len(c.Items))
		}
		v, _, err := protocol.DecodeItem(it)
		if err != nil {
			var de *protocol.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%s: untyped error %T: %v", typ, err, err)
			}
			return
		}
		out, err := protocol.Marshal(v)
		if err != nil {
			t.Fatalf("%s: marshal: %v", typ, err)
		}
		ev, ok := v.(*protocol.Event)
		if !ok {
			return
		}
		// The lazy parts and the contexts decode on demand, and only with
		// typed errors.
		lazyErrs := []error{}
		_, _, err = ev.Breadcrumbs.Get()
		lazyErrs = append(lazyErrs, err)
		_, _, err = ev.Threads.Get()
		lazyErrs = append(lazyErrs, err)
		_, _, err = ev.Spans.Get()
		lazyErrs = append(lazyErrs, err)
		_, _, err = ev.Request.Get()
		lazyErrs = append(lazyErrs, err)
		_, _, err = ev.Extra.Get()
		lazyErrs = append(lazyErrs, err)
		_, _, err = ev.DebugMeta.Get()
		lazyErrs = append(lazyErrs, err)
		_, _, err = ev.Contexts.Trace()
		lazyErrs = append(lazyErrs, err)
		_, _, err = ev.Contexts.OS()
		lazyErrs = append(lazyErrs, err)
		for _, err := range lazyErrs {
			var de *protocol.DecodeError
			if err != nil && !errors.As(err, &de) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
		}
		if typ == envelope.TypeEvent {
			if _, err := protocol.DecodeEvent(out); err != nil {
				t.Fatalf("a marshaled event does not decode: %v\n%s", err, out)
			}
		}
	})
}
