package protocol

import (
	stdjson "encoding/json"
	"testing"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/internal/captures"
	"github.com/stretchr/testify/require"
)

// v1Event mirrors Event for encoding/json, decoding everything eagerly, as
// a plain typed decoder would. Fields whose shape varies between SDKs are
// left as json.RawMessage, which encoding/json still scans in full.
type v1Event struct {
	EventID     string             `json:"event_id"`
	Type        string             `json:"type"`
	Timestamp   stdjson.RawMessage `json:"timestamp"`
	Level       string             `json:"level"`
	Platform    string             `json:"platform"`
	Logger      string             `json:"logger"`
	Transaction string             `json:"transaction"`
	Release     string             `json:"release"`
	Dist        string             `json:"dist"`
	Environment string             `json:"environment"`
	ServerName  string             `json:"server_name"`
	Fingerprint []string           `json:"fingerprint"`
	LogEntry    *v1LogEntry        `json:"logentry"`
	Message     stdjson.RawMessage `json:"message"`
	Exception   *v1Exceptions      `json:"exception"`
	Threads     *struct {
		Values []struct {
			ID         stdjson.RawMessage `json:"id"`
			Name       string             `json:"name"`
			Stacktrace *v1Stacktrace      `json:"stacktrace"`
			Crashed    bool               `json:"crashed"`
			Current    bool               `json:"current"`
		} `json:"values"`
	} `json:"threads"`
	Breadcrumbs *struct {
		Values []struct {
			Timestamp stdjson.RawMessage `json:"timestamp"`
			Type      string             `json:"type"`
			Category  string             `json:"category"`
			Level     string             `json:"level"`
			Message   string             `json:"message"`
			Data      map[string]any     `json:"data"`
		} `json:"values"`
	} `json:"breadcrumbs"`
	Tags     stdjson.RawMessage        `json:"tags"`
	Extra    map[string]any            `json:"extra"`
	Contexts map[string]map[string]any `json:"contexts"`
	User     map[string]any            `json:"user"`
	Request  *struct {
		URL         string             `json:"url"`
		Method      string             `json:"method"`
		Data        stdjson.RawMessage `json:"data"`
		QueryString stdjson.RawMessage `json:"query_string"`
		Cookies     stdjson.RawMessage `json:"cookies"`
		Headers     map[string]string  `json:"headers"`
		Env         map[string]string  `json:"env"`
	} `json:"request"`
	SDK *struct {
		Name         string   `json:"name"`
		Version      string   `json:"version"`
		Integrations []string `json:"integrations"`
		Packages     []struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"packages"`
	} `json:"sdk"`
	Modules        map[string]string  `json:"modules"`
	DebugMeta      stdjson.RawMessage `json:"debug_meta"`
	StartTimestamp stdjson.RawMessage `json:"start_timestamp"`
	Spans          []struct {
		TraceID        string             `json:"trace_id"`
		SpanID         string             `json:"span_id"`
		ParentSpanID   string             `json:"parent_span_id"`
		Op             string             `json:"op"`
		Description    string             `json:"description"`
		Status         string             `json:"status"`
		StartTimestamp stdjson.RawMessage `json:"start_timestamp"`
		Timestamp      stdjson.RawMessage `json:"timestamp"`
		Data           map[string]any     `json:"data"`
		Tags           stdjson.RawMessage `json:"tags"`
	} `json:"spans"`
	Measurements map[string]struct {
		Value float64 `json:"value"`
		Unit  string  `json:"unit"`
	} `json:"measurements"`
}

// v1Exceptions takes the list and the {"values": [...]} form, as SDKs send
// both.
type v1Exceptions struct {
	Values []v1Exception `json:"values"`
}

func (e *v1Exceptions) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		return stdjson.Unmarshal(b, &e.Values)
	}
	type plain v1Exceptions
	return stdjson.Unmarshal(b, (*plain)(e))
}

type v1LogEntry struct {
	Message   string             `json:"message"`
	Formatted string             `json:"formatted"`
	Params    stdjson.RawMessage `json:"params"`
}

type v1Exception struct {
	Type      string `json:"type"`
	Value     string `json:"value"`
	Module    string `json:"module"`
	Mechanism *struct {
		Type        string         `json:"type"`
		Handled     *bool          `json:"handled"`
		ExceptionID *int           `json:"exception_id"`
		ParentID    *int           `json:"parent_id"`
		Data        map[string]any `json:"data"`
	} `json:"mechanism"`
	Stacktrace *v1Stacktrace `json:"stacktrace"`
}

type v1Stacktrace struct {
	Frames []struct {
		Function    string         `json:"function"`
		Module      string         `json:"module"`
		Package     string         `json:"package"`
		Filename    string         `json:"filename"`
		AbsPath     string         `json:"abs_path"`
		Lineno      int            `json:"lineno"`
		Colno       int            `json:"colno"`
		InApp       *bool          `json:"in_app"`
		ContextLine string         `json:"context_line"`
		PreContext  []string       `json:"pre_context"`
		PostContext []string       `json:"post_context"`
		Vars        map[string]any `json:"vars"`
	} `json:"frames"`
}

// BenchmarkDecodeEvent decodes every event and transaction that real SDKs
// sent: DecodeEvent as a host that reads the exceptions would, and
// encoding/json into equivalent structs as the baseline.
func BenchmarkDecodeEvent(b *testing.B) {
	var payloads [][]byte
	var size int64
	for _, p := range eventPayloads(b) {
		payloads = append(payloads, p.payload)
		size += int64(len(p.payload))
	}
	run := func(name string, decode func([]byte) error) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				for _, p := range payloads {
					if err := decode(p); err != nil {
						b.Fatal(err)
					}
				}
			}
			// On a shared machine wall time stretches with the load;
			// CPU time per op (GC included, on every core) much less so.
			if cpu := processCPU() - cpu; cpu > 0 {
				b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
			}
		})
	}
	run("impl=DecodeEvent", func(p []byte) error {
		ev, err := DecodeEvent(p)
		if err != nil {
			return err
		}
		_ = ev.Exception.Values
		return nil
	})
	run("impl=DecodeEvent+Lazy", func(p []byte) error {
		ev, err := DecodeEvent(p)
		if err != nil {
			return err
		}
		if _, _, err := ev.Breadcrumbs.Get(); err != nil {
			return err
		}
		if _, _, err := ev.Spans.Get(); err != nil {
			return err
		}
		_, _, err = ev.Request.Get()
		return err
	})
	run("impl=encoding-json-v1", func(p []byte) error {
		var ev v1Event
		return stdjson.Unmarshal(p, &ev)
	})
}

// BenchmarkDecodeItem decodes every item of every captured request, of all
// types, through DecodeItem.
func BenchmarkDecodeItem(b *testing.B) {
	reqs, err := captures.Load("../testdata/sdk")
	require.NoError(b, err)
	var items []*envelope.Item
	var size int64
	for _, r := range reqs {
		var env *envelope.Envelope
		if r.IsStore() {
			env, err = envelope.ParseStore(r.Body, "")
		} else {
			env, err = envelope.Parse(r.Body)
		}
		require.NoError(b, err)
		for _, it := range env.Items {
			items = append(items, it)
			size += int64(len(it.Payload()))
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, it := range items {
			if _, _, err := DecodeItem(it); err != nil {
				b.Fatal(err)
			}
		}
	}
}
