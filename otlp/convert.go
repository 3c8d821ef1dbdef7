package otlp

import (
	"fmt"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// A Result is what a request converts into.
type Result struct {
	// Spans are the converted spans, as Relay stores them. With
	// WithTransactions, the spans that went into a transaction are not
	// repeated here.
	Spans []protocol.SpanV2
	// Transactions are the transaction events built from complete span
	// trees, with WithTransactions.
	Transactions []*protocol.Event
	// Errors are the error events built from exception span events, with
	// WithErrorEvents.
	Errors []*protocol.Event
	// Logs are the converted log records.
	Logs []protocol.Log
	// Rejected lists the spans and log records that could not be
	// converted, and why. An OTLP/HTTP answer reports their number as a
	// partial success.
	Rejected []Rejection
}

// A Rejection is a span or log record that was dropped.
type Rejection struct {
	// Path is where it was, as in DecodeError.
	Path string
	// Err says why; it wraps ErrInvalidSpanID, say.
	Err error
}

func (r Rejection) Error() string { return r.Path + ": " + r.Err.Error() }

// Unwrap returns the reason.
func (r Rejection) Unwrap() error { return r.Err }

// A ConvertOption configures conversion.
type ConvertOption func(*convertOptions)

type convertOptions struct {
	transactions bool
	errorEvents  bool
}

// WithTransactions makes ConvertTraces build a transaction event for each
// complete span tree of the request: a root (a span without a parent, or
// with a remote parent) and all of its descendants. Relay never does
// this; it is for hosts that store transactions rather than spans. Spans
// whose parent is not in the request stay spans: exporters that send one
// span per request (a simple span processor) give no trees.
func WithTransactions(on bool) ConvertOption {
	return func(o *convertOptions) { o.transactions = on }
}

// WithErrorEvents makes ConvertTraces turn each "exception" span event
// into a Sentry error event in the span's trace, with the stack trace
// parsed from "exception.stacktrace", so that it can be grouped into an
// issue. Relay drops span events.
func WithErrorEvents(on bool) ConvertOption {
	return func(o *convertOptions) { o.errorEvents = on }
}

// ConvertTraces converts every span of a request as Relay converts OTLP
// spans, and normalizes them as Relay does before it stores them (op,
// segment). Spans whose segment root is in the same request also get the
// root's "sentry.segment.id" and "sentry.segment.name", which Relay leaves
// to Sentry's span buffer. A span with an invalid span id is rejected.
//
// The result's strings may alias the decoded request and so its input.
func ConvertTraces(t *Traces, opts ...ConvertOption) *Result {
	var o convertOptions
	for _, f := range opts {
		f(&o)
	}
	n := 0
	for i := range t.ResourceSpans {
		for j := range t.ResourceSpans[i].ScopeSpans {
			n += len(t.ResourceSpans[i].ScopeSpans[j].Spans)
		}
	}
	r := &Result{Spans: make([]protocol.SpanV2, 0, n)}
	var a arena
	var sources []*Span // the OTLP span of each converted span, for error events
	if o.errorEvents {
		sources = make([]*Span, 0, n)
	}
	for i := range t.ResourceSpans {
		rs := &t.ResourceSpans[i]
		for j := range rs.ScopeSpans {
			ss := &rs.ScopeSpans[j]
			if len(ss.Spans) == 0 {
				continue
			}
			b := a.spanBase(&rs.Resource, ss.Scope)
			for k := range ss.Spans {
				s := &ss.Spans[k]
				v2, err := convertSpan(&a, b, s)
				if err != nil {
					r.Rejected = append(r.Rejected, Rejection{
						Path: fmt.Sprintf("/resourceSpans/%d/scopeSpans/%d/spans/%d", i, j, k),
						Err:  err,
					})
					continue
				}
				normalizeSpan(&a, &v2)
				r.Spans = append(r.Spans, v2)
				if o.errorEvents {
					sources = append(sources, s)
				}
			}
		}
	}
	assignSegments(&a, r.Spans)
	if o.errorEvents {
		for i, s := range sources {
			r.Errors = append(r.Errors, errorEvents(s, &r.Spans[i])...)
		}
	}
	if o.transactions {
		r.Transactions, r.Spans = buildTransactions(r.Spans)
	}
	return r
}

// assignSegments gives each span whose segment root is in spans that
// root's segment id and name. The root of a span is its nearest ancestor
// (itself included) marked is_segment; the walk up follows parent ids
// within the same trace and stops at a span that is not in the request,
// so a cycle or a broken chain leaves the span as it is.
func assignSegments(a *arena, spans []protocol.SpanV2) {
	type key struct{ trace, span string }
	index := make(map[key]int, len(spans))
	for i := range spans {
		index[key{spans[i].TraceID, spans[i].SpanID}] = i
	}
	// root[i] caches the segment root of span i: -1 unknown yet, -2 none.
	root := make([]int, len(spans))
	for i := range root {
		root[i] = -1
	}
	var path []int
	for i := range spans {
		path = path[:0]
		at, found := i, -2
		for steps := 0; steps <= len(spans); steps++ {
			if root[at] != -1 {
				found = root[at]
				break
			}
			path = append(path, at)
			s := &spans[at]
			if s.IsSegment != nil && *s.IsSegment {
				found = at
				break
			}
			p, ok := index[key{s.TraceID, s.ParentSpanID}]
			if s.ParentSpanID == "" || !ok {
				break
			}
			at = p
		}
		for _, j := range path {
			root[j] = found
		}
	}
	for i := range spans {
		j := root[i]
		if j < 0 || j == i {
			continue
		}
		s := &spans[i]
		if _, ok := s.Attributes["sentry.segment.id"]; ok {
			continue
		}
		a.putString(s.Attributes, "sentry.segment.id", spans[j].SpanID)
		if spans[j].Name != "" {
			a.putString(s.Attributes, "sentry.segment.name", spans[j].Name)
		}
	}
}

// ConvertLogs converts every log record of a request as Relay converts
// OTLP logs.
func ConvertLogs(l *Logs) *Result {
	n := 0
	for i := range l.ResourceLogs {
		for j := range l.ResourceLogs[i].ScopeLogs {
			n += len(l.ResourceLogs[i].ScopeLogs[j].LogRecords)
		}
	}
	r := &Result{Logs: make([]protocol.Log, 0, n)}
	var a arena
	for i := range l.ResourceLogs {
		rl := &l.ResourceLogs[i]
		for j := range rl.ScopeLogs {
			sl := &rl.ScopeLogs[j]
			if len(sl.LogRecords) == 0 {
				continue
			}
			b := a.logBase(&rl.Resource, sl.Scope)
			for k := range sl.LogRecords {
				r.Logs = append(r.Logs, convertLog(&a, b, &sl.LogRecords[k]))
			}
		}
	}
	return r
}

// Envelopes returns the result as the envelopes an SDK would send. Relay
// takes at most one event or transaction, and one container of a kind,
// per envelope, so there is one envelope for the spans (a span v2
// container), one for the logs (a log container), and one per
// transaction and error event, with its event id in the header. Empty
// parts have no envelope. A host that needs only the spans or the logs
// writes their containers faster with AppendSpans and AppendLogs, without
// a Result.
func (r *Result) Envelopes() ([]*envelope.Envelope, error) {
	var out []*envelope.Envelope
	if len(r.Spans) > 0 {
		it, err := (&protocol.SpanContainer{Items: r.Spans}).Item()
		if err != nil {
			return nil, err
		}
		out = append(out, envelopeOf(it))
	}
	if len(r.Logs) > 0 {
		it, err := (&protocol.LogContainer{Items: r.Logs}).Item()
		if err != nil {
			return nil, err
		}
		out = append(out, envelopeOf(it))
	}
	for _, events := range []struct {
		t      envelope.ItemType
		events []*protocol.Event
	}{{envelope.TypeTransaction, r.Transactions}, {envelope.TypeEvent, r.Errors}} {
		for _, ev := range events.events {
			payload, err := protocol.Marshal(ev)
			if err != nil {
				return nil, err
			}
			env := envelopeOf(envelope.NewItem(events.t, payload))
			env.SetEventID(ev.EventID)
			out = append(out, env)
		}
	}
	return out, nil
}

func envelopeOf(it *envelope.Item) *envelope.Envelope {
	env := envelope.New()
	env.Add(it)
	return env
}
