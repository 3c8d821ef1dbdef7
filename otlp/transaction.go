package otlp

import (
	"crypto/sha1"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// buildTransactions assembles transaction events from the converted and
// normalized spans of one request, for hosts that store transactions
// rather than spans. Relay never does this: it stores every span on its
// own and leaves the grouping into segments to Sentry.
//
// A root is a span that starts a segment: one without a parent, one whose
// parent is remote (a span of another service, "sentry.is_remote"), or one
// marked is_segment. Each other span belongs to its nearest root among its
// ancestors, found by following parent span ids within its trace (so two
// traces may reuse a span id). Each root whose times are valid becomes one
// transaction event holding every span of its subtree, as Sentry's own
// OpenTelemetry integrations build them; see transactionEvent.
//
// Everything else is returned in rest, in its original order: spans whose
// chain of parents leaves the request before reaching a root (the parent
// comes in another export), spans in a parent cycle, and spans that lack
// an id or a timestamp or end before they start, which Relay would reject
// inside a transaction but accepts on their own; when such a span is a
// root, its whole tree stays in rest. rest reuses the memory of spans.
//
// It takes O(n) time, however deep the trees: each span's chain is walked
// once, without recursion.
func buildTransactions(spans []protocol.SpanV2) (txs []*protocol.Event, rest []protocol.SpanV2) {
	if len(spans) == 0 {
		return nil, spans
	}
	type key struct{ trace, span string }
	index := make(map[key]int32, len(spans))
	for i := range spans {
		index[key{spans[i].TraceID, spans[i].SpanID}] = int32(i)
	}

	// root[i] is the index of the root of span i (i itself for a root),
	// or one of these while it is not known.
	const (
		unknown = -1 // not visited yet
		none    = -2 // no root in the request
		walking = -3 // on the chain being walked
	)
	root := make([]int32, len(spans))
	for i := range root {
		root[i] = unknown
	}
	var chain []int32
	for i := range spans {
		if root[i] != unknown {
			continue
		}
		chain = chain[:0]
		found := int32(none)
		for at := int32(i); ; {
			if r := root[at]; r != unknown {
				if r != walking { // else the chain has looped: no root
					found = r
				}
				break
			}
			root[at] = walking
			chain = append(chain, at)
			s := &spans[at]
			if txRoot(s) {
				found = at
				break
			}
			p, ok := index[key{s.TraceID, s.ParentSpanID}]
			if !ok {
				break
			}
			at = p
		}
		for _, j := range chain {
			root[j] = found
		}
	}

	// The members of each root, grouped by root with a counting sort:
	// members[first[r]:first[r+1]] are the spans under root r.
	first := make([]int32, len(spans)+1)
	for i, r := range root {
		if r >= 0 && int(r) != i && txSpanFits(&spans[i]) {
			first[r+1]++
		}
	}
	for r := range spans {
		first[r+1] += first[r]
	}
	members := make([]int32, first[len(spans)])
	next := slices.Clone(first[:len(spans)])
	for i, r := range root {
		if r >= 0 && int(r) != i && txSpanFits(&spans[i]) {
			members[next[r]] = int32(i)
			next[r]++
		}
	}

	built := make([]bool, len(spans))
	for r := range spans {
		if root[r] != int32(r) || !txSpanFits(&spans[r]) {
			continue
		}
		m := members[first[r]:first[r+1]]
		slices.SortStableFunc(m, func(x, y int32) int {
			return spans[x].StartTimestamp.Compare(spans[y].StartTimestamp.Time)
		})
		ev, ok := transactionEvent(spans, int32(r), m)
		if !ok {
			continue
		}
		txs = append(txs, ev)
		built[r] = true
		for _, j := range m {
			built[j] = true
		}
	}

	rest = spans[:0]
	for i := range spans {
		if !built[i] {
			rest = append(rest, spans[i])
		}
	}
	clear(spans[len(rest):]) // let the spans that moved into events go
	return txs, rest
}

// txRoot reports whether a span starts a segment.
func txRoot(s *protocol.SpanV2) bool {
	if s.ParentSpanID == "" || (s.IsSegment != nil && *s.IsSegment) {
		return true
	}
	remote, _ := s.Attributes["sentry.is_remote"].Bool()
	return remote
}

// txSpanFits reports whether a span can be part of a transaction: Relay
// drops a transaction whose spans lack ids or either timestamp, or end
// before they start.
func txSpanFits(s *protocol.SpanV2) bool {
	return s.TraceID != "" && s.SpanID != "" &&
		!s.StartTimestamp.IsZero() && !s.EndTimestamp.IsZero() &&
		!s.EndTimestamp.Before(s.StartTimestamp.Time)
}

// transactionEvent builds the transaction of the root spans[r] and its
// members, which are in start-time order. It follows Sentry's
// OpenTelemetry integrations (sentry-javascript's span exporter,
// sentry-python's span processor):
//
//   - event_id is derived from the root's trace and span id (see
//     transactionEventID), so that an export that is retried gives the
//     same event, which Sentry then drops as a duplicate;
//   - transaction is the root's name, and transaction_info.source is the
//     root's "sentry.source" when it is one of Sentry's sources, else
//     "route" when the root has "http.route" (OpenTelemetry names an HTTP
//     server span after its route), else "custom";
//   - platform is "sentry.platform" (set from the SDK language) if Relay
//     knows it as an event platform, else "other";
//   - release is "sentry.release", else the resource's service.version:
//     Sentry's SDKs take the release from their own options, which an
//     OpenTelemetry SDK does not have, and service.version is the version
//     of the code that ran; environment is "sentry.environment", else the
//     resource's deployment.environment.name, else the older
//     deployment.environment;
//   - the trace context holds the root's ids, parent (a remote parent's
//     id, for a trace that came from another service), op, v1 status,
//     origin and data, as SpanToV1 makes them of the root;
//   - the "otel" context holds the root's own attributes and its
//     resource's, unprefixed, as the integrations send them;
//   - sdk is "sentry.sdk.name" and "sentry.sdk.version" when a Sentry SDK
//     exported the spans, else the OpenTelemetry SDK of the resource
//     (telemetry.sdk.name and .language, as in "opentelemetry.go", and
//     telemetry.sdk.version); none if the name or the version is unknown;
//   - spans are SpanToV1 of the members.
//
// It reports false if the spans cannot be encoded.
func transactionEvent(spans []protocol.SpanV2, r int32, members []int32) (*protocol.Event, bool) {
	s := &spans[r]
	attrs := s.Attributes
	v1 := SpanToV1(s)

	name := s.Name
	if name == "" {
		name = v1.Description
	}
	trace, err := protocol.Marshal(protocol.TraceContext{
		TraceID:      v1.TraceID,
		SpanID:       v1.SpanID,
		ParentSpanID: v1.ParentSpanID,
		Op:           v1.Op,
		Status:       v1.Status,
		Origin:       v1.Origin,
		Data:         v1.Data,
	})
	if err != nil {
		return nil, false
	}
	ev := &protocol.Event{
		EventID:         transactionEventID(s.TraceID, s.SpanID),
		Type:            "transaction",
		Platform:        txPlatform(txFirstStringAttr(attrs, "sentry.platform")),
		Transaction:     name,
		TransactionInfo: &protocol.TransactionInfo{Source: txSource(attrs)},
		StartTimestamp:  s.StartTimestamp,
		Timestamp:       s.EndTimestamp,
		Release:         protocol.LenientString(txRelease(attrs)),
		Environment:     txEnvironment(attrs),
		Contexts:        protocol.Contexts{"trace": trace},
		SDK:             txSDK(attrs),
	}
	if otel := txOtelContext(attrs); otel != nil {
		ev.Contexts["otel"] = otel
	}
	children := make([]protocol.Span, len(members))
	for k, j := range members {
		children[k] = SpanToV1(&spans[j])
	}
	if ev.Spans, err = protocol.NewLazy(children); err != nil {
		return nil, false
	}
	return ev, true
}

// txNamespace is the namespace of transactionEventID,
// 2774696c-5af5-5741-86e2-edf97852b62e: the version 5 UUID of the URL
// "https://github.com/sentrywire/sentrywire/otlp/transaction" in RFC 9562's
// URL namespace.
var txNamespace = [16]byte{
	0x27, 0x74, 0x69, 0x6c, 0x5a, 0xf5, 0x57, 0x41,
	0x86, 0xe2, 0xed, 0xf9, 0x78, 0x52, 0xb6, 0x2e,
}

// transactionEventID returns the event id of the transaction rooted at a
// span: the version 5 (name-based, SHA-1) UUID of the span's trace id
// followed by its span id, as lower-case hex, in txNamespace. Span ids are
// unique within a trace, so the id is unique per root span and the same
// every time the span is exported.
func transactionEventID(traceID, spanID string) envelope.EventID {
	return txUUID5(txNamespace, traceID, spanID)
}

// txUUID5 returns the version 5 UUID of the concatenated names in a
// namespace, as RFC 9562 defines it.
func txUUID5(ns [16]byte, names ...string) envelope.EventID {
	var buf [16 + 32 + 16]byte // room for a trace and a span id
	b := append(buf[:0], ns[:]...)
	for _, n := range names {
		b = append(b, n...)
	}
	sum := sha1.Sum(b)
	var id envelope.EventID
	copy(id[:], sum[:16])
	id[6] = id[6]&0x0f | 0x50
	id[8] = id[8]&0x3f | 0x80
	return id
}

// txSource returns where the root's name came from.
func txSource(attrs protocol.Attributes) protocol.TransactionSource {
	switch src := protocol.TransactionSource(txFirstStringAttr(attrs, "sentry.source")); src {
	case protocol.TransactionSourceCustom, protocol.TransactionSourceURL,
		protocol.TransactionSourceRoute, protocol.TransactionSourceView,
		protocol.TransactionSourceComponent, protocol.TransactionSourceSanitized,
		protocol.TransactionSourceTask, protocol.TransactionSourceUnknown:
		return src
	}
	if _, ok := attrs["http.route"]; ok {
		return protocol.TransactionSourceRoute
	}
	return protocol.TransactionSourceCustom
}

// txPlatform returns p if Relay keeps it as an event's platform, and
// "other", which Relay would put in its place, if not.
func txPlatform(p string) string {
	switch p {
	case "as3", "c", "cfml", "cocoa", "csharp", "elixir", "go", "groovy", "haskell", "java",
		"javascript", "native", "node", "objc", "other", "perl", "php", "python", "ruby":
		return p
	}
	return "other"
}

// txSDK names the SDK that produced the spans, or returns nil if
// it is not known: Relay drops an sdk without a name and a version.
func txSDK(attrs protocol.Attributes) *protocol.ClientSDK {
	if name, version := txFirstStringAttr(attrs, "sentry.sdk.name"), txFirstStringAttr(attrs, "sentry.sdk.version"); name != "" && version != "" {
		return &protocol.ClientSDK{Name: name, Version: version}
	}
	name := txFirstStringAttr(attrs, "resource.telemetry.sdk.name")
	if lang := txFirstStringAttr(attrs, "resource.telemetry.sdk.language"); lang != "" {
		if name == "" {
			name = lang
		} else {
			name += "." + lang
		}
	}
	version := txFirstStringAttr(attrs, "resource.telemetry.sdk.version")
	if name == "" || version == "" {
		return nil
	}
	return &protocol.ClientSDK{Name: name, Version: version}
}

// txOtelContext returns the "otel" context of a transaction, {"attributes":
// {...}, "resource": {...}}: the root's own attributes and those of its
// resource without their "resource." prefix. The attributes the
// converter derives from the scope ("instrumentation.*") and Sentry's own
// ("sentry.*") are left out; they are in the event's fields and in the
// trace context's data. Keys are sorted so that the event is the same
// every time. It returns nil if both parts are empty.
func txOtelContext(attrs protocol.Attributes) jsontext.Value {
	const resourcePrefix = "resource."
	var own, resource []string
	for k := range attrs {
		switch {
		case strings.HasPrefix(k, resourcePrefix):
			resource = append(resource, k)
		case strings.HasPrefix(k, "instrumentation."), strings.HasPrefix(k, "sentry."):
		default:
			own = append(own, k)
		}
	}
	if len(own) == 0 && len(resource) == 0 {
		return nil
	}
	slices.Sort(own)
	slices.Sort(resource)

	b := []byte{'{'}
	writeObject := func(name string, keys []string, trim int) {
		if len(keys) == 0 {
			return
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b, _ = jsontext.AppendQuote(b, name)
		b = append(b, ':', '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b, _ = jsontext.AppendQuote(b, k[trim:])
			b = append(b, ':')
			b = append(b, attrs[k].Value...)
		}
		b = append(b, '}')
	}
	writeObject("attributes", own, 0)
	writeObject("resource", resource, len(resourcePrefix))
	return append(b, '}')
}

// txRelease returns the release of the events of a span: see
// transactionEvent.
func txRelease(attrs protocol.Attributes) string {
	return txFirstStringAttr(attrs, "sentry.release", "resource.service.version")
}

// txEnvironment returns the environment of the events of a span: see
// transactionEvent.
func txEnvironment(attrs protocol.Attributes) string {
	return txFirstStringAttr(attrs, "sentry.environment",
		"resource.deployment.environment.name", "resource.deployment.environment")
}

// txFirstStringAttr returns the value of the first of keys that is a
// non-empty string attribute, or "".
func txFirstStringAttr(attrs protocol.Attributes, keys ...string) string {
	for _, k := range keys {
		if s, _ := attrString(attrs, k); s != "" {
			return s
		}
	}
	return ""
}
