package fuzz

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/otlp"
)

// otlpJSONSeeds are the OTLP repository's examples and requests that use
// what the JSON decoder accepts beyond them.
func otlpJSONSeeds(f *testing.F, logs bool) {
	pattern := "trace*.json"
	if logs {
		pattern = "[le]*.json" // logs.json, events.json
	}
	files, _ := filepath.Glob(filepath.Join("../otlp/testdata/json", pattern))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	for _, data := range otlpCaptures(logs, "json") {
		f.Add(data)
	}
	if logs {
		f.Add([]byte(`{"resource_logs":[{"scope_logs":[{"log_records":[{"severity_number":"SEVERITY_NUMBER_WARN","body":{"bytesValue":"-_8"},` +
			`"time_unix_nano":1e3,"trace_id":"5B8EFFF798038103D269B633813FC60C"}]}],"instrumentationLibraryLogs":[{"logRecords":[{}]}]}]}`))
		return
	}
	f.Add([]byte(`{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"arrayValue":{"values":[{"doubleValue":"NaN"},` +
		`{"kvlistValue":{"values":[{"key":"\u00e9","value":{"intValue":"-9223372036854775808"}}]}}]}}}]},"scopeSpans":[{"scope":{},` +
		`"spans":[{"traceId":"5b8EFFF798038103d269b633813fc60c","kind":"SPAN_KIND_SERVER","status":{"code":2},"flags":"769",` +
		`"events":[{"name":"exception"}],"links":[{"spanId":"eee19b7ec3c1b174"}]}]}],"instrumentation_library_spans":[{"spans":[{}]}]}]}`))
}

// FuzzDecodeTracesJSON decodes arbitrary bytes as OTLP JSON traces. It
// must never panic and fail only with a DecodeError or LimitError; a
// request that decodes must decode the same way twice, and writing the
// model back as OTLP JSON must give a request that decodes to the same
// model.
func FuzzDecodeTracesJSON(f *testing.F) {
	otlpJSONSeeds(f, false)
	f.Fuzz(func(t *testing.T, data []byte) {
		noLimits := otlp.WithLimits(otlp.Limits{})
		got, err := otlp.DecodeTraces(data, otlp.JSON, noLimits)
		if err != nil {
			otlpCheckJSONError(t, err)
			return
		}
		again, err := otlp.DecodeTraces(data, otlp.JSON, noLimits)
		if err != nil || !reflect.DeepEqual(got, again) {
			t.Fatalf("decoding again differs: %v", err)
		}
		var w otlpJSONWriter
		w.traces(got)
		round, err := otlp.DecodeTraces(w.b, otlp.JSON, noLimits)
		if err != nil {
			t.Fatalf("the model written back does not decode: %v\n%s", err, w.b)
		}
		if !reflect.DeepEqual(got, round) {
			t.Fatalf("the model written back decodes differently:\n%s", w.b)
		}
	})
}

// FuzzDecodeLogsJSON is FuzzDecodeTracesJSON for logs.
func FuzzDecodeLogsJSON(f *testing.F) {
	otlpJSONSeeds(f, true)
	f.Fuzz(func(t *testing.T, data []byte) {
		noLimits := otlp.WithLimits(otlp.Limits{})
		got, err := otlp.DecodeLogs(data, otlp.JSON, noLimits)
		if err != nil {
			otlpCheckJSONError(t, err)
			return
		}
		again, err := otlp.DecodeLogs(data, otlp.JSON, noLimits)
		if err != nil || !reflect.DeepEqual(got, again) {
			t.Fatalf("decoding again differs: %v", err)
		}
		var w otlpJSONWriter
		w.logs(got)
		round, err := otlp.DecodeLogs(w.b, otlp.JSON, noLimits)
		if err != nil {
			t.Fatalf("the model written back does not decode: %v\n%s", err, w.b)
		}
		if !reflect.DeepEqual(got, round) {
			t.Fatalf("the model written back decodes differently:\n%s", w.b)
		}
	})
}

// otlpCheckJSONError requires a documented error: without limits, only
// malformed JSON fails.
func otlpCheckJSONError(t *testing.T, err error) {
	var de *otlp.DecodeError
	if !errors.As(err, &de) || de.Encoding != otlp.JSON || !errors.Is(err, otlp.ErrInvalidJSON) {
		t.Fatalf("undocumented error %T %v", err, err)
	}
}

// otlpJSONWriter writes the model as OTLP JSON in its canonical form:
// camelCase names, hex ids, 64-bit integers as strings. Empty lists and
// zero scalars are left out, as protobuf leaves them out.
type otlpJSONWriter struct {
	b     []byte
	comma bool
}

func (w *otlpJSONWriter) open(c byte) {
	w.sep()
	w.b = append(w.b, c)
	w.comma = false
}

func (w *otlpJSONWriter) close(c byte) {
	w.b = append(w.b, c)
	w.comma = true
}

func (w *otlpJSONWriter) sep() {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.comma = false
}

func (w *otlpJSONWriter) name(s string) {
	w.sep()
	w.b, _ = jsontext.AppendQuote(w.b, s)
	w.b = append(w.b, ':')
}

func (w *otlpJSONWriter) str(name, s string) {
	if s != "" {
		w.name(name)
		w.b, _ = jsontext.AppendQuote(w.b, s)
		w.comma = true
	}
}

func (w *otlpJSONWriter) id(name string, id []byte) {
	w.str(name, hex.EncodeToString(id))
}

func (w *otlpJSONWriter) u64(name string, n uint64) {
	if n != 0 {
		w.name(name)
		w.b = strconv.AppendQuote(w.b, strconv.FormatUint(n, 10))
		w.comma = true
	}
}

func (w *otlpJSONWriter) u32(name string, n uint32) { w.u64(name, uint64(n)) }

func (w *otlpJSONWriter) traces(t *otlp.Traces) {
	w.open('{')
	if len(t.ResourceSpans) > 0 {
		w.name("resourceSpans")
		w.open('[')
		for _, rs := range t.ResourceSpans {
			w.open('{')
			w.resource(rs.Resource)
			if len(rs.ScopeSpans) > 0 {
				w.name("scopeSpans")
				w.open('[')
				for _, ss := range rs.ScopeSpans {
					w.open('{')
					w.scope(ss.Scope)
					if len(ss.Spans) > 0 {
						w.name("spans")
						w.open('[')
						for i := range ss.Spans {
							w.span(&ss.Spans[i])
						}
						w.close(']')
					}
					w.str("schemaUrl", ss.SchemaURL)
					w.close('}')
				}
				w.close(']')
			}
			w.str("schemaUrl", rs.SchemaURL)
			w.close('}')
		}
		w.close(']')
	}
	w.close('}')
}

func (w *otlpJSONWriter) logs(l *otlp.Logs) {
	w.open('{')
	if len(l.ResourceLogs) > 0 {
		w.name("resourceLogs")
		w.open('[')
		for _, rl := range l.ResourceLogs {
			w.open('{')
			w.resource(rl.Resource)
			if len(rl.ScopeLogs) > 0 {
				w.name("scopeLogs")
				w.open('[')
				for _, sl := range rl.ScopeLogs {
					w.open('{')
					w.scope(sl.Scope)
					if len(sl.LogRecords) > 0 {
						w.name("logRecords")
						w.open('[')
						for _, r := range sl.LogRecords {
							w.open('{')
							w.u64("timeUnixNano", r.TimeUnixNano)
							w.u64("observedTimeUnixNano", r.ObservedTimeUnixNano)
							w.enum("severityNumber", int32(r.SeverityNumber))
							w.str("severityText", r.SeverityText)
							if r.Body.Kind() != otlp.KindEmpty {
								w.name("body")
								w.value(r.Body)
							}
							w.attributes(r.Attributes)
							w.u32("droppedAttributesCount", r.DroppedAttributesCount)
							w.u32("flags", r.Flags)
							w.id("traceId", r.TraceID)
							w.id("spanId", r.SpanID)
							w.str("eventName", r.EventName)
							w.close('}')
						}
						w.close(']')
					}
					w.str("schemaUrl", sl.SchemaURL)
					w.close('}')
				}
				w.close(']')
			}
			w.str("schemaUrl", rl.SchemaURL)
			w.close('}')
		}
		w.close(']')
	}
	w.close('}')
}

func (w *otlpJSONWriter) resource(r otlp.Resource) {
	if len(r.Attributes) == 0 && r.DroppedAttributesCount == 0 {
		return
	}
	w.name("resource")
	w.open('{')
	w.attributes(r.Attributes)
	w.u32("droppedAttributesCount", r.DroppedAttributesCount)
	w.close('}')
}

func (w *otlpJSONWriter) scope(s *otlp.Scope) {
	if s == nil {
		return
	}
	w.name("scope")
	w.open('{')
	w.str("name", s.Name)
	w.str("version", s.Version)
	w.attributes(s.Attributes)
	w.u32("droppedAttributesCount", s.DroppedAttributesCount)
	w.close('}')
}

func (w *otlpJSONWriter) enum(name string, n int32) {
	if n != 0 {
		w.name(name)
		w.b = strconv.AppendInt(w.b, int64(n), 10)
		w.comma = true
	}
}

func (w *otlpJSONWriter) span(s *otlp.Span) {
	w.open('{')
	w.id("traceId", s.TraceID)
	w.id("spanId", s.SpanID)
	w.str("traceState", s.TraceState)
	w.id("parentSpanId", s.ParentSpanID)
	w.u32("flags", s.Flags)
	w.str("name", s.Name)
	w.enum("kind", int32(s.Kind))
	w.u64("startTimeUnixNano", s.StartTimeUnixNano)
	w.u64("endTimeUnixNano", s.EndTimeUnixNano)
	w.attributes(s.Attributes)
	w.u32("droppedAttributesCount", s.DroppedAttributesCount)
	if len(s.Events) > 0 {
		w.name("events")
		w.open('[')
		for _, e := range s.Events {
			w.open('{')
			w.u64("timeUnixNano", e.TimeUnixNano)
			w.str("name", e.Name)
			w.attributes(e.Attributes)
			w.u32("droppedAttributesCount", e.DroppedAttributesCount)
			w.close('}')
		}
		w.close(']')
	}
	w.u32("droppedEventsCount", s.DroppedEventsCount)
	if len(s.Links) > 0 {
		w.name("links")
		w.open('[')
		for _, l := range s.Links {
			w.open('{')
			w.id("traceId", l.TraceID)
			w.id("spanId", l.SpanID)
			w.str("traceState", l.TraceState)
			w.attributes(l.Attributes)
			w.u32("droppedAttributesCount", l.DroppedAttributesCount)
			w.u32("flags", l.Flags)
			w.close('}')
		}
		w.close(']')
	}
	w.u32("droppedLinksCount", s.DroppedLinksCount)
	if s.Status != nil {
		w.name("status")
		w.open('{')
		w.str("message", s.Status.Message)
		w.enum("code", int32(s.Status.Code))
		w.close('}')
	}
	w.close('}')
}

func (w *otlpJSONWriter) attributes(kvs []otlp.KeyValue) {
	if len(kvs) > 0 {
		w.name("attributes")
		w.keyValues(kvs)
	}
}

func (w *otlpJSONWriter) keyValues(kvs []otlp.KeyValue) {
	w.open('[')
	for _, kv := range kvs {
		w.open('{')
		w.str("key", kv.Key)
		if kv.Value.Kind() != otlp.KindEmpty {
			w.name("value")
			w.value(kv.Value)
		}
		w.close('}')
	}
	w.close(']')
}

// value writes an AnyValue; an empty one is {}.
func (w *otlpJSONWriter) value(v otlp.Value) {
	w.open('{')
	switch v.Kind() {
	case otlp.KindString:
		w.name("stringValue")
		w.b, _ = jsontext.AppendQuote(w.b, v.Str())
		w.comma = true
	case otlp.KindBool:
		w.name("boolValue")
		if v.Bool() {
			w.b = append(w.b, "true"...)
		} else {
			w.b = append(w.b, "false"...)
		}
		w.comma = true
	case otlp.KindInt:
		w.name("intValue")
		w.b = strconv.AppendQuote(w.b, strconv.FormatInt(v.Int(), 10))
		w.comma = true
	case otlp.KindDouble:
		w.name("doubleValue")
		switch f := v.Double(); {
		case math.IsNaN(f):
			w.b = append(w.b, `"NaN"`...)
		case math.IsInf(f, 1):
			w.b = append(w.b, `"Infinity"`...)
		case math.IsInf(f, -1):
			w.b = append(w.b, `"-Infinity"`...)
		default:
			w.b = jsontext.AppendFloat(w.b, f, 64)
		}
		w.comma = true
	case otlp.KindBytes:
		w.name("bytesValue")
		w.b = strconv.AppendQuote(w.b, base64.StdEncoding.EncodeToString(v.Bytes()))
		w.comma = true
	case otlp.KindArray:
		w.name("arrayValue")
		w.open('{')
		if vs := v.Array(); len(vs) > 0 {
			w.name("values")
			w.open('[')
			for _, e := range vs {
				w.value(e)
			}
			w.close(']')
		}
		w.close('}')
	case otlp.KindKVList:
		w.name("kvlistValue")
		w.open('{')
		if kvs := v.KVList(); len(kvs) > 0 {
			w.name("values")
			w.keyValues(kvs)
		}
		w.close('}')
	}
	w.close('}')
}
