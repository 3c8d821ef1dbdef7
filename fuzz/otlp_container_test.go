package fuzz

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/otlp"
)

// The direct writers, AppendSpans and AppendLogs, are differential
// against the struct path they replace on the hot path: the container
// item of what ConvertTraces and ConvertLogs return is the reference.
// Whatever request decodes, both must write the same records, member for
// member, with values byte for byte (only the order of attributes, a map
// in the struct path, may differ), and reject the same spans. Trace ids
// made up for records without a valid one are random on both sides and
// left out.

func FuzzAppendSpans(f *testing.F) {
	otlpSpanSeeds(f)
	for _, seed := range protoSeeds(traceSeedRequests()) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		traces, err := otlp.DecodeTraces(data, otlp.Protobuf)
		if err != nil {
			return
		}
		want := otlp.ConvertTraces(traces)
		it, err := (&protocol.SpanContainer{Items: want.Spans}).Item()
		if err != nil {
			t.Fatalf("span container: %v", err)
		}
		got, n, rejected := otlp.AppendSpans(nil, traces)
		if n != len(want.Spans) || len(rejected) != len(want.Rejected) {
			t.Fatalf("AppendSpans wrote %d spans and rejected %d, ConvertTraces %d and %d", n, len(rejected), len(want.Spans), len(want.Rejected))
		}
		for i := range rejected {
			if rejected[i].Error() != want.Rejected[i].Error() {
				t.Fatalf("rejection %d: %v, want %v", i, rejected[i], want.Rejected[i])
			}
		}
		var madeUp []bool
		for i := range traces.ResourceSpans {
			for j := range traces.ResourceSpans[i].ScopeSpans {
				for _, s := range traces.ResourceSpans[i].ScopeSpans[j].Spans {
					if validLen(s.SpanID, 8) {
						madeUp = append(madeUp, !validLen(s.TraceID, 16))
					}
				}
			}
		}
		compareContainers(t, it.Payload(), got, madeUp)
	})
}

func FuzzAppendLogs(f *testing.F) {
	for _, seed := range protoSeeds(logsSeedRequests()) {
		f.Add(seed)
	}
	for _, seed := range otlpCaptures(true, "pb") {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		logs, err := otlp.DecodeLogs(data, otlp.Protobuf)
		if err != nil {
			return
		}
		want := otlp.ConvertLogs(logs)
		it, err := (&protocol.LogContainer{Items: want.Logs}).Item()
		if err != nil {
			t.Fatalf("log container: %v", err)
		}
		got, n := otlp.AppendLogs(nil, logs)
		if n != len(want.Logs) {
			t.Fatalf("AppendLogs wrote %d records, ConvertLogs %d", n, len(want.Logs))
		}
		var madeUp []bool
		for i := range logs.ResourceLogs {
			for j := range logs.ResourceLogs[i].ScopeLogs {
				for _, r := range logs.ResourceLogs[i].ScopeLogs[j].LogRecords {
					madeUp = append(madeUp, !validLen(r.TraceID, 16))
				}
			}
		}
		compareContainers(t, it.Payload(), got, madeUp)
	})
}

// validLen reports whether id is a usable OTLP id of n bytes.
func validLen(id []byte, n int) bool {
	return len(id) == n && bytes.ContainsFunc(id, func(r rune) bool { return r != 0 })
}

// compareContainers fails unless two container payloads hold the same
// records, compared as canonical JSON (members sorted by name, scalars as
// written), without the trace ids that were made up.
func compareContainers(t *testing.T, want, got []byte, madeUp []bool) {
	t.Helper()
	if !jsontext.Value(got).IsValid(jsontext.AllowDuplicateNames(false)) {
		t.Fatalf("direct payload is not valid JSON without duplicate names:\n%s", got)
	}
	var w, g struct {
		Items []map[string]jsontext.Value `json:"items"`
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("struct payload: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("direct payload: %v", err)
	}
	if len(g.Items) != len(w.Items) || len(madeUp) != len(w.Items) {
		t.Fatalf("%d records, want %d", len(g.Items), len(w.Items))
	}
	for i := range w.Items {
		if madeUp[i] {
			if len(g.Items[i]["trace_id"]) != 34 {
				t.Fatalf("record %d: made-up trace id %s", i, g.Items[i]["trace_id"])
			}
			delete(w.Items[i], "trace_id")
			delete(g.Items[i], "trace_id")
		}
		wc, gc := canonicalRecord(t, w.Items[i]), canonicalRecord(t, g.Items[i])
		if wc != gc {
			t.Fatalf("record %d differs:\nstruct path: %s\ndirect:      %s", i, wc, gc)
		}
	}
}

func canonicalRecord(t *testing.T, m map[string]jsontext.Value) string {
	b, err := json.Marshal(m, jsontext.PreserveRawStrings(true))
	if err != nil {
		t.Fatal(err)
	}
	out, err := canonicalJSONValue(nil, b)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// canonicalJSONValue appends v with the members of its objects sorted.
func canonicalJSONValue(dst []byte, v jsontext.Value) ([]byte, error) {
	kind := v.Kind()
	if kind != '{' && kind != '[' {
		return append(dst, v...), nil
	}
	type member struct {
		name string
		v    jsontext.Value
	}
	var ms []member
	dec := jsontext.NewDecoder(strings.NewReader(string(v)))
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	for dec.PeekKind() != '}' && dec.PeekKind() != ']' {
		var m member
		if kind == '{' {
			tok, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			m.name = tok.String()
		}
		val, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		m.v = val.Clone()
		ms = append(ms, m)
	}
	if kind == '{' {
		slices.SortFunc(ms, func(a, b member) int { return strings.Compare(a.name, b.name) })
	}
	dst = append(dst, byte(kind))
	for i, m := range ms {
		if i > 0 {
			dst = append(dst, ',')
		}
		if kind == '{' {
			dst, _ = jsontext.AppendQuote(dst, m.name)
			dst = append(dst, ':')
		}
		var err error
		if dst, err = canonicalJSONValue(dst, m.v); err != nil {
			return nil, err
		}
	}
	return append(dst, byte(kind)+2), nil // '}' and ']' follow '{' and '[' by two
}
