package otlp

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// AppendSpans appends to dst the payload of a span v2 container item,
// {"items":[...]}, holding every span of t as ConvertTraces(t) converts
// and normalizes it, and returns the extended buffer, the number of spans
// written (the item's "item_count") and the spans that were rejected.
//
// It is what an ingest server needs from a trace request, written
// straight from the decoded request: where ConvertTraces builds a map of
// typed attributes for every span, which costs more than decoding the
// request, AppendSpans writes each attribute as JSON once, the
// attributes of a resource and scope once for all of their spans. The
// JSON is that of the span container ConvertTraces' spans make
// (protocol.SpanContainer.Item), except for the order of the attributes
// of a span, which a map does not have: here they come in groups, the
// resource's and the scope's, the span's own, then those conversion
// derives, each key once, in the last group that sets it, with the value
// the struct path ends with. Trace ids that conversion makes up are
// random here too.
//
// Build the item with envelope.NewItem(envelope.TypeSpan, payload) and
// set its "content_type" (envelope.ContentTypeSpanContainer) and
// "item_count".
func AppendSpans(dst []byte, t *Traces) (payload []byte, n int, rejected []Rejection) {
	w := writerPool.Get().(*writer)
	defer w.release()
	w.planSpans(t, &rejected)
	w.assignSegments()
	dst = append(dst, `{"items":[`...)
	for i := range w.spans {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = w.appendSpan(dst, i)
	}
	return append(dst, "]}"...), len(w.spans), rejected
}

// AppendLogs appends to dst the payload of a log container item,
// {"items":[...]}, holding every record of l as ConvertLogs(l) converts
// it, and returns the extended buffer and the number of records written.
// As with AppendSpans, the attributes of a record come in groups (origin,
// resource and scope, the record's own), and the item is
// envelope.NewItem(envelope.TypeLog, payload) with the content type
// envelope.ContentTypeLogContainer.
func AppendLogs(dst []byte, l *Logs) (payload []byte, n int) {
	w := writerPool.Get().(*writer)
	defer w.release()
	dst = append(dst, `{"items":[`...)
	for i := range l.ResourceLogs {
		rl := &l.ResourceLogs[i]
		for j := range rl.ScopeLogs {
			sl := &rl.ScopeLogs[j]
			if len(sl.LogRecords) == 0 {
				continue
			}
			base := w.addBase(logBaseAttributes(w.baseTmp[:0], &rl.Resource, sl.Scope))
			for k := range sl.LogRecords {
				if n > 0 {
					dst = append(dst, ',')
				}
				dst = w.appendLog(dst, base, &sl.LogRecords[k])
				n++
			}
		}
	}
	return append(dst, "]}"...), n
}

// A writer holds the scratch space of one AppendSpans or AppendLogs call,
// pooled so that a request costs no allocation for it once the pool is
// warm.
type writer struct {
	spans    []spanPlan
	attrs    []ownAttr      // the attributes of every span, in runs
	bases    []baseBlock    // one per scope
	baseBuf  []byte         // the JSON of every base attribute
	baseKeys []baseKey      // the keys of every base's attributes, in runs
	baseTmp  []KeyValue     // a base's attributes before they are written
	keys     map[string]int // for the dedup of long attribute lists
	index    map[[24]byte]int32
	root     []int32
	path     []int32
	text     []byte // a derived value before it is quoted
}

var writerPool = sync.Pool{New: func() any { return new(writer) }}

// release returns w to the pool. Its slices are truncated, not cleared:
// clearing them costs a tenth of a request, and what they still reference
// (the last request's strings) stays reachable only until the writer is
// reused or the garbage collector empties the pool.
func (w *writer) release() {
	w.spans, w.attrs, w.bases, w.baseKeys = w.spans[:0], w.attrs[:0], w.bases[:0], w.baseKeys[:0]
	w.baseBuf, w.root, w.path, w.text = w.baseBuf[:0], w.root[:0], w.path[:0], w.text[:0]
	clear(w.index)
	writerPool.Put(w)
}

// A baseBlock is the attributes every span or record of a resource and
// scope starts with, as JSON object members ready to be copied.
type baseBlock struct {
	start, end int // the members in baseBuf, comma-separated
	keys, nkey int // the members' keys in baseKeys
}

// A baseKey is one member of a base block, for the spans and records
// whose own attributes replace it.
type baseKey struct {
	key        string
	start, end int // the member in baseBuf
}

// addBase writes the members of a base and returns its index. kvs are in
// the order they were put, so that the last of a key wins.
func (w *writer) addBase(kvs []KeyValue) int {
	w.baseTmp = kvs
	blk := baseBlock{start: len(w.baseBuf), keys: len(w.baseKeys)}
	first := len(w.attrs)
	w.dedup(kvs, func(string) {})
	for _, a := range w.attrs[first:] {
		start := len(w.baseBuf)
		if start > blk.start {
			w.baseBuf = append(w.baseBuf, ',')
			start++
		}
		w.baseBuf = appendString(w.baseBuf, a.key)
		w.baseBuf = append(w.baseBuf, ':')
		w.baseBuf, _ = appendAttribute(w.baseBuf, kvs[a.kv].Value)
		w.baseKeys = append(w.baseKeys, baseKey{a.key, start, len(w.baseBuf)})
	}
	clear(w.attrs[first:])
	w.attrs = w.attrs[:first]
	blk.end, blk.nkey = len(w.baseBuf), len(w.baseKeys)-blk.keys
	w.bases = append(w.bases, blk)
	return len(w.bases) - 1
}

// spanBaseAttributes appends what putSpanBase puts, in its order, with
// keys prefixed and derived values as string values.
func spanBaseAttributes(dst []KeyValue, res *Resource, scope *Scope) []KeyValue {
	dst = scopeAttributes(dst, res, scope)
	dst = append(dst, KeyValue{"sentry.origin", StringValue("auto.otlp.spans")})
	if p, ok := platform(res); ok && p != "" {
		dst = append(dst, KeyValue{"sentry.platform", StringValue(p)})
	}
	return dst
}

// logBaseAttributes appends what putLogBase puts, in its order.
func logBaseAttributes(dst []KeyValue, res *Resource, scope *Scope) []KeyValue {
	dst = append(dst, KeyValue{"sentry.origin", StringValue("auto.otlp.logs")})
	return scopeAttributes(dst, res, scope)
}

// scopeAttributes appends what putScope puts, in its order. Prefixed keys
// are allocated, once per scope.
func scopeAttributes(dst []KeyValue, res *Resource, scope *Scope) []KeyValue {
	for _, kv := range res.Attributes {
		dst = append(dst, KeyValue{"resource." + validUTF8(kv.Key), kv.Value})
	}
	if scope != nil {
		for _, kv := range scope.Attributes {
			dst = append(dst, KeyValue{"instrumentation." + validUTF8(kv.Key), kv.Value})
		}
		if scope.Name != "" {
			dst = append(dst, KeyValue{"instrumentation.name", StringValue(scope.Name)})
		}
		if scope.Version != "" {
			dst = append(dst, KeyValue{"instrumentation.version", StringValue(scope.Version)})
		}
	}
	return dst
}

// An ownAttr is an attribute of a span, record or link that is written:
// its key, valid UTF-8, and the index of the last of its values that
// converts.
type ownAttr struct {
	key string
	kv  int
}

// dedup appends to w.attrs the attributes of kvs that convert, a key
// once, in the place of its first value with the index of its last, as
// map inserts leave them. Each new key is passed to seen. Short lists,
// the common case, are deduplicated with a 64-bit filter of lengths and
// last bytes and a scan; long ones with a map, so that a request with
// many attributes does not cost quadratic time.
func (w *writer) dedup(kvs []KeyValue, seen func(key string)) {
	first := len(w.attrs)
	if len(kvs) > 32 {
		if w.keys == nil {
			w.keys = make(map[string]int)
		}
		clear(w.keys)
	}
	var filter uint64
	for i := range kvs {
		kv := &kvs[i]
		if !convertible(kv.Value) {
			continue
		}
		key := validUTF8(kv.Key)
		if len(kvs) > 32 {
			if j, ok := w.keys[key]; ok {
				w.attrs[j].kv = i
				continue
			}
			w.keys[key] = len(w.attrs)
		} else {
			bit := uint64(1)
			if len(key) > 0 {
				bit <<= (uint(len(key))*7 + uint(key[len(key)-1])) & 63
			}
			if filter&bit != 0 && w.replace(first, key, i) {
				continue
			}
			filter |= bit
		}
		w.attrs = append(w.attrs, ownAttr{key, i})
		seen(key)
	}
}

// replace gives the attribute key among w.attrs[first:] the value kv, and
// reports whether there is one.
func (w *writer) replace(first int, key string, kv int) bool {
	for j := first; j < len(w.attrs); j++ {
		if w.attrs[j].key == key {
			w.attrs[j].kv = kv
			return true
		}
	}
	return false
}

// convertible reports whether arena.attribute converts v.
func convertible(v Value) bool {
	return v.kind == KindArray || v.kind == KindKVList || isScalar(v)
}

// appendAttribute appends the JSON of the attribute arena.attribute makes
// of v, {"type":...,"value":...}, and reports whether there is one.
func appendAttribute(b []byte, v Value) ([]byte, bool) {
	switch v.kind {
	case KindString:
		b = append(b, `{"type":"string","value":`...)
		b = appendString(b, v.str)
	case KindBool:
		b = append(b, `{"type":"boolean","value":`...)
		b = strconv.AppendBool(b, v.num != 0)
	case KindInt:
		b = append(b, `{"type":"integer","value":`...)
		b = strconv.AppendInt(b, int64(v.num), 10)
	case KindDouble:
		f := math.Float64frombits(v.num)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return b, false
		}
		b = append(b, `{"type":"double","value":`...)
		b = appendDouble(b, f)
	case KindBytes:
		if !utf8.ValidString(v.str) {
			return b, false
		}
		b = append(b, `{"type":"string","value":`...)
		b = appendString(b, v.str)
	case KindArray:
		b = append(b, `{"type":"array","value":`...)
		b = appendArrayText(b, v.Array())
	case KindKVList:
		b = append(b, `{"type":"string","value":`...)
		b = appendQuotedJSON(b, func(b []byte) []byte { return appendKVListText(b, v.KVList()) })
	default:
		return b, false
	}
	return append(b, '}'), true
}

// appendStringAttribute appends the JSON of a string attribute.
func appendStringAttribute(b []byte, key, s string) []byte {
	b = appendMember(b, key)
	b = append(b, `{"type":"string","value":`...)
	b = appendString(b, s)
	return append(b, '}')
}

// appendMember appends the name of an object member, after a comma
// unless it is the object's first.
func appendMember(b []byte, key string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = appendString(b, key)
	return append(b, ':')
}

// appendString appends s as jsontext.AppendQuote does, which is how the
// JSON encoder writes strings. Most strings need no escape and are
// copied; they are checked eight bytes at a time for the bytes that
// might need one (control characters, '"', '\\', and the start of every
// multi-byte character, which jsontext checks for invalid UTF-8).
func appendString(b []byte, s string) []byte {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		quote, backslash := x^(ones*'"'), x^(ones*'\\')
		// A byte of x-ones*0x20 has its high bit set where x's byte is
		// below 0x20 (or x's byte is 0x80 or more, which is caught
		// anyway); likewise for the zero bytes of quote and backslash.
		if (x|(x-ones*0x20)|(quote-ones)|(backslash-ones))&high != 0 {
			return appendQuoted(b, s)
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return appendQuoted(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendQuoted is jsontext.AppendQuote, which replaces invalid UTF-8 as
// the struct path's writes do.
func appendQuoted(b []byte, s string) []byte {
	b, _ = jsontext.AppendQuote(b, s)
	return b
}

// appendTimestamp appends Unix nanoseconds as protocol.Timestamp writes
// timestamp(ns): seconds rounded to the microsecond (halves up, as
// time.Time.Round does), in the JSON encoder's float form.
func appendTimestamp(b []byte, ns uint64) []byte {
	n := int64(ns)
	us, rem := n/1000, n%1000
	if rem < 0 {
		us, rem = us-1, rem+1000
	}
	if rem >= 500 {
		us++
	}
	// Below 2^33 s (year 2242), where a float64's unit in the last place
	// is under a microsecond, the shortest decimal that reads back as
	// float64(us)/1e6 is us/1e6 itself without trailing zeros: any
	// decimal with fewer digits is a microsecond or more away. Written
	// from the integer, it needs no float formatting.
	if us > -8e15 && us < 8e15 {
		if us < 0 {
			b = append(b, '-')
			us = -us
		}
		b = strconv.AppendInt(b, us/1e6, 10)
		frac := us % 1e6
		if frac == 0 {
			return b
		}
		digits := 6
		for frac%10 == 0 {
			frac /= 10
			digits--
		}
		var buf [6]byte
		for i := digits - 1; i >= 0; i-- {
			buf[i] = byte('0' + frac%10)
			frac /= 10
		}
		b = append(b, '.')
		return append(b, buf[:digits]...)
	}
	return appendFloat(b, float64(us)/1e6)
}

// appendFloat appends f as the JSON encoder writes a float64: the
// shortest digits, with an exponent only for magnitudes below 1e-6 or from
// 1e21 on, and no leading zero in a negative exponent.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendHex appends the lower-case hex of id in quotes.
func appendHex(b []byte, id []byte) []byte {
	b = append(b, '"')
	b = hex.AppendEncode(b, id)
	return append(b, '"')
}

// The attribute keys that conversion and normalization read or derive.
const (
	kHTTPRequestMethod = iota
	kHTTPMethod
	kHTTPPrefetch
	kDBSystemName
	kDBSystem
	kGenAIOperation
	kGenAIProvider
	kGenAISystem
	kRPCService
	kMessagingSystem
	kFaaSTrigger
	kSentryKind
	kSentryOp
	kSentryStatusMessage
	kSentryIsRemote
	kSentrySegmentID
	kSentrySegmentName
	kSentryTransaction
	numKnown
)

// knownKey returns the index of a key that conversion reads, and -1 for
// others.
func knownKey(key string) int {
	switch key {
	case "http.request.method":
		return kHTTPRequestMethod
	case "http.method":
		return kHTTPMethod
	case "sentry.http.prefetch":
		return kHTTPPrefetch
	case "db.system.name":
		return kDBSystemName
	case "db.system":
		return kDBSystem
	case "gen_ai.operation.name":
		return kGenAIOperation
	case "gen_ai.provider.name":
		return kGenAIProvider
	case "gen_ai.system":
		return kGenAISystem
	case "rpc.service":
		return kRPCService
	case "messaging.system":
		return kMessagingSystem
	case "faas.trigger":
		return kFaaSTrigger
	case "sentry.kind":
		return kSentryKind
	case "sentry.op":
		return kSentryOp
	case "sentry.status.message":
		return kSentryStatusMessage
	case "sentry.is_remote":
		return kSentryIsRemote
	case "sentry.segment.id":
		return kSentrySegmentID
	case "sentry.segment.name":
		return kSentrySegmentName
	case "sentry.transaction":
		return kSentryTransaction
	}
	return -1
}

// collidesWithBase reports whether an attribute of a span or record may
// replace one of its base.
func collidesWithBase(key string) bool {
	return strings.HasPrefix(key, "resource.") || strings.HasPrefix(key, "instrumentation.") ||
		key == "sentry.origin" || key == "sentry.platform"
}

// A spanPlan is what AppendSpans knows of a span before it writes it:
// everything that depends on other spans (the segment) or decides which
// attributes are written.
type spanPlan struct {
	span   *Span
	base   int
	attrs  int // the first of the span's attributes in w.attrs
	nattr  int
	trace  [16]byte
	id     [8]byte
	parent [8]byte
	// known holds 1 + the index in w.attrs of each known key, or 0.
	known     [numKnown]int32
	hasParent bool
	collides  bool // an attribute may replace one of the base
	error     bool
	segment   int8 // is_segment: -1 absent, 0 false, 1 true
	name      string
	root      int32 // the span's segment root, or -1 (-2: none)
}

// planSpans plans every span of t, in order, and rejects those with an
// invalid span id.
func (w *writer) planSpans(t *Traces, rejected *[]Rejection) {
	for i := range t.ResourceSpans {
		rs := &t.ResourceSpans[i]
		for j := range rs.ScopeSpans {
			ss := &rs.ScopeSpans[j]
			if len(ss.Spans) == 0 {
				continue
			}
			base := w.addBase(spanBaseAttributes(w.baseTmp[:0], &rs.Resource, ss.Scope))
			for k := range ss.Spans {
				s := &ss.Spans[k]
				if err := checkSpanID(s); err != nil {
					*rejected = append(*rejected, Rejection{
						Path: fmt.Sprintf("/resourceSpans/%d/scopeSpans/%d/spans/%d", i, j, k),
						Err:  err,
					})
					continue
				}
				w.planSpan(s, base)
			}
		}
	}
}

// planSpan plans a span with a valid id, as fillSpan and normalizeSpan
// convert it.
func (w *writer) planSpan(s *Span, base int) {
	w.spans = append(w.spans, spanPlan{span: s, base: base, attrs: len(w.attrs), segment: -1})
	p := &w.spans[len(w.spans)-1]
	if validID(s.TraceID, 16) {
		copy(p.trace[:], s.TraceID)
	} else {
		copy(p.trace[:], randomTraceID())
	}
	copy(p.id[:], s.SpanID)
	if validID(s.ParentSpanID, 8) {
		copy(p.parent[:], s.ParentSpanID)
		p.hasParent = true
	}
	p.error = s.Status != nil && s.Status.Code != StatusCodeUnset && s.Status.Code != StatusCodeOK

	name := validUTF8(s.Name)
	if s.Name == "" {
		for i := range s.Attributes {
			kv := &s.Attributes[i]
			if kv.Value.kind == KindEmpty {
				continue
			}
			if strings.HasPrefix(kv.Key, "db") {
				name = "db"
				break
			}
			if kv.Key == "http.method" || kv.Key == "http.request.method" {
				name = httpOpByOTLPKind(s.Kind)
				break
			}
		}
	}
	p.name = name
	w.dedup(s.Attributes, func(key string) {
		if k := knownKey(key); k >= 0 {
			p.known[k] = int32(len(w.attrs))
		} else if collidesWithBase(key) {
			p.collides = true
		}
	})
	p.nattr = len(w.attrs) - p.attrs

	if s.Flags&FlagsContextHasIsRemoteMask != 0 && s.Flags&FlagsContextIsRemoteMask != 0 {
		p.segment = 1
	}
	if p.segment < 0 {
		if id, ok := w.text0(p, kSentrySegmentID); ok && isHexSpanID(id) {
			var own [16]byte
			hex.Encode(own[:], p.id[:])
			p.segment = 0
			if strings.EqualFold(id, string(own[:])) {
				p.segment = 1
			}
		} else if !p.hasParent {
			p.segment = 1
		}
	}
}

// own returns the value of a known attribute of a span, as set by the
// span itself.
func (w *writer) own(p *spanPlan, k int) (Value, bool) {
	i := p.known[k]
	if i == 0 {
		return Value{}, false
	}
	return p.span.Attributes[w.attrs[i-1].kv].Value, true
}

// text0 returns the string a known attribute of a span holds, as
// attrString reads it from the converted span, for the values that are
// not key-value lists, whose text only matters where it is written.
func (w *writer) text0(p *spanPlan, k int) (string, bool) {
	v, ok := w.own(p, k)
	if !ok {
		return "", false
	}
	switch v.kind {
	case KindString, KindBytes:
		return v.str, true
	case KindKVList:
		return "{", true // the text of an object: not hex, not a kind
	}
	return "", false
}

// assignSegments is assignSegments for plans.
func (w *writer) assignSegments() {
	n := len(w.spans)
	if w.index == nil {
		w.index = make(map[[24]byte]int32, n)
	}
	key := func(trace [16]byte, id [8]byte) (k [24]byte) {
		copy(k[:16], trace[:])
		copy(k[16:], id[:])
		return k
	}
	for i := range w.spans {
		w.index[key(w.spans[i].trace, w.spans[i].id)] = int32(i)
	}
	root := w.root[:0]
	for range n {
		root = append(root, -1)
	}
	w.root = root
	for i := range w.spans {
		path := w.path[:0]
		at, found := int32(i), int32(-2)
		for steps := 0; steps <= n; steps++ {
			if root[at] != -1 {
				found = root[at]
				break
			}
			path = append(path, at)
			s := &w.spans[at]
			if s.segment == 1 {
				found = at
				break
			}
			if !s.hasParent {
				break
			}
			p, ok := w.index[key(s.trace, s.parent)]
			if !ok {
				break
			}
			at = p
		}
		for _, j := range path {
			root[j] = found
		}
		w.path = path
	}
	for i := range w.spans {
		w.spans[i].root = root[i]
	}
}

// appendSpan writes the span v2 of plan i as json.Marshal writes a
// protocol.SpanV2.
func (w *writer) appendSpan(b []byte, i int) []byte {
	p := &w.spans[i]
	s := p.span
	b = append(b, `{"trace_id":`...)
	b = appendHex(b, p.trace[:])
	b = append(b, `,"span_id":`...)
	b = appendHex(b, p.id[:])
	if p.hasParent {
		b = append(b, `,"parent_span_id":`...)
		b = appendHex(b, p.parent[:])
	}
	if p.name != "" {
		b = append(b, `,"name":`...)
		b = appendString(b, p.name)
	}
	if p.error {
		b = append(b, `,"status":"error"`...)
	} else {
		b = append(b, `,"status":"ok"`...)
	}
	switch p.segment {
	case 0:
		b = append(b, `,"is_segment":false`...)
	case 1:
		b = append(b, `,"is_segment":true`...)
	}
	b = append(b, `,"start_timestamp":`...)
	b = appendTimestamp(b, s.StartTimeUnixNano)
	b = append(b, `,"end_timestamp":`...)
	b = appendTimestamp(b, s.EndTimeUnixNano)
	b = append(b, `,"links":[`...)
	b = w.appendLinks(b, s.Links)
	b = append(b, `],"attributes":{`...)

	// Which of the span's own attributes a derived one replaces.
	kind := kindName(s.Kind)
	statusMessage := s.Status != nil && s.Status.Message != ""
	remote := s.Flags&FlagsContextHasIsRemoteMask != 0
	rootSpan := p.root >= 0 && p.root != int32(i) && p.known[kSentrySegmentID] == 0
	var skip [3]int32
	if statusMessage {
		skip[0] = p.known[kSentryStatusMessage]
	}
	if remote {
		skip[1] = p.known[kSentryIsRemote]
	}
	if kind != "" {
		skip[2] = p.known[kSentryKind]
	}
	var skipSegment [2]int32
	if p.segment == 1 {
		skipSegment[0] = p.known[kSentrySegmentID]
	}
	if rootSpan && w.spans[p.root].name != "" {
		skipSegment[1] = p.known[kSentrySegmentName]
	}

	b = w.appendBase(b, p.base, p.collides, s.Attributes, p.attrs, p.nattr)
	for j := p.attrs; j < p.attrs+p.nattr; j++ {
		if x := int32(j + 1); x == skip[0] || x == skip[1] || x == skip[2] || x == skipSegment[0] || x == skipSegment[1] {
			continue
		}
		a := &w.attrs[j]
		b = appendMember(b, a.key)
		b, _ = appendAttribute(b, s.Attributes[a.kv].Value)
	}

	if statusMessage {
		b = appendStringAttribute(b, "sentry.status.message", s.Status.Message)
	}
	if remote {
		b = appendMember(b, "sentry.is_remote")
		if s.Flags&FlagsContextIsRemoteMask != 0 {
			b = append(b, `{"type":"boolean","value":true}`...)
		} else {
			b = append(b, `{"type":"boolean","value":false}`...)
		}
	}
	if kind != "" {
		b = appendStringAttribute(b, "sentry.kind", kind)
	}
	if p.known[kSentryOp] == 0 {
		b = w.appendOp(b, p, kind)
	}
	switch {
	case p.segment == 1:
		b = appendMember(b, "sentry.segment.id")
		b = append(b, `{"type":"string","value":`...)
		b = appendHex(b, p.id[:])
		b = append(b, '}')
		if p.name == "" {
			break
		}
		name, hasName := w.own(p, kSentrySegmentName)
		if !hasName {
			b = appendStringAttribute(b, "sentry.segment.name", p.name)
		}
		if p.known[kSentryTransaction] == 0 {
			b = appendMember(b, "sentry.transaction")
			if hasName && (name.kind == KindString || name.kind == KindBytes || name.kind == KindKVList) {
				// The segment name's string, quoted again: the same JSON.
				b, _ = appendAttribute(b, name)
			} else {
				b = append(b, `{"type":"string","value":`...)
				b = appendString(b, p.name)
				b = append(b, '}')
			}
		}
	case rootSpan:
		r := &w.spans[p.root]
		b = appendMember(b, "sentry.segment.id")
		b = append(b, `{"type":"string","value":`...)
		b = appendHex(b, r.id[:])
		b = append(b, '}')
		if r.name != "" {
			b = appendStringAttribute(b, "sentry.segment.name", r.name)
		}
	}
	return append(b, "}}"...)
}

// appendBase writes the members of a base, leaving out those that the
// own attributes w.attrs[first:first+n] of kvs replace, when collides
// says they may.
func (w *writer) appendBase(b []byte, base int, collides bool, kvs []KeyValue, first, n int) []byte {
	blk := &w.bases[base]
	if !collides {
		return append(b, w.baseBuf[blk.start:blk.end]...)
	}
	for _, bk := range w.baseKeys[blk.keys : blk.keys+blk.nkey] {
		replaced := false
		for j := first; j < first+n; j++ {
			if w.attrs[j].key == bk.key {
				replaced = true
				break
			}
		}
		if replaced {
			continue
		}
		m := w.baseBuf[bk.start:bk.end]
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = append(b, m...)
	}
	return b
}

// appendOp writes the "sentry.op" that inferOp derives for a span
// without one. kind is the span's "sentry.kind", if it derives one.
func (w *writer) appendOp(b []byte, p *spanPlan, kind string) []byte {
	has := func(k int) bool { return p.known[k] != 0 }
	op := "default"
	switch {
	case has(kHTTPRequestMethod) || has(kHTTPMethod):
		if kind == "" {
			kind, _ = w.text0(p, kSentryKind)
		}
		switch {
		case kind == "client":
			op = "http.client"
		case kind == "server":
			op = "http.server"
		case has(kHTTPPrefetch):
			op = "http.prefetch"
		default:
			op = "http"
		}
	case has(kDBSystemName) || has(kDBSystem):
		op = "db"
	case w.isString(p, kGenAIOperation):
		return w.appendTextAttribute(b, "sentry.op", "gen_ai.", p, kGenAIOperation)
	case has(kGenAIProvider) || has(kGenAISystem):
		op = "gen_ai"
	case has(kRPCService):
		op = "rpc"
	case has(kMessagingSystem):
		op = "message"
	case w.isString(p, kFaaSTrigger):
		return w.appendTextAttribute(b, "sentry.op", "", p, kFaaSTrigger)
	}
	return appendStringAttribute(b, "sentry.op", op)
}

// isString reports whether a known attribute of a span holds a JSON
// string.
func (w *writer) isString(p *spanPlan, k int) bool {
	_, ok := w.text0(p, k)
	return ok
}

// appendTextAttribute writes a string attribute of prefix followed by
// the string a known attribute holds.
func (w *writer) appendTextAttribute(b []byte, key, prefix string, p *spanPlan, k int) []byte {
	v, _ := w.own(p, k)
	t := append(w.text[:0], prefix...)
	if v.kind == KindKVList {
		t = appendKVListText(t, v.KVList())
	} else {
		t = append(t, v.str...)
	}
	w.text = t
	return appendStringAttribute(b, key, aliasString(t))
}

// appendLinks writes links as convertLinks converts them.
func (w *writer) appendLinks(b []byte, links []SpanLink) []byte {
	first := true
	for i := range links {
		l := &links[i]
		if !validID(l.TraceID, 16) || !validID(l.SpanID, 8) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"trace_id":`...)
		b = appendHex(b, l.TraceID)
		b = append(b, `,"span_id":`...)
		b = appendHex(b, l.SpanID)
		if l.Flags&FlagsSampled != 0 {
			b = append(b, `,"sampled":true`...)
		} else {
			b = append(b, `,"sampled":false`...)
		}
		if len(l.Attributes) > 0 {
			b = append(b, `,"attributes":{`...)
			b = w.appendAttributes(b, l.Attributes)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return b
}

// appendAttributes writes the members of kvs as putAttributes puts them.
func (w *writer) appendAttributes(b []byte, kvs []KeyValue) []byte {
	first := len(w.attrs)
	w.dedup(kvs, func(string) {})
	for _, a := range w.attrs[first:] {
		b = appendMember(b, a.key)
		b, _ = appendAttribute(b, kvs[a.kv].Value)
	}
	clear(w.attrs[first:])
	w.attrs = w.attrs[:first]
	return b
}

// appendLog writes the log record ConvertLogs makes of r, as json.Marshal
// writes a protocol.Log.
func (w *writer) appendLog(b []byte, base int, r *LogRecord) []byte {
	ns := r.TimeUnixNano
	if ns == 0 {
		ns = r.ObservedTimeUnixNano
	}
	b = append(b, `{"timestamp":`...)
	b = appendTimestamp(b, ns)
	b = append(b, `,"trace_id":`...)
	if validID(r.TraceID, 16) {
		b = appendHex(b, r.TraceID)
	} else {
		b = appendHex(b, randomTraceID())
	}
	if validID(r.SpanID, 8) {
		b = append(b, `,"span_id":`...)
		b = appendHex(b, r.SpanID)
	}
	b = append(b, `,"level":`...)
	b = appendString(b, string(logLevel(r.SeverityNumber, r.SeverityText)))
	b = w.appendLogBody(b, r.Body)
	b = append(b, `,"attributes":{`...)

	first := len(w.attrs)
	collides := false
	w.dedup(r.Attributes, func(key string) {
		if collidesWithBase(key) {
			collides = true
		}
	})
	b = w.appendBase(b, base, collides, r.Attributes, first, len(w.attrs)-first)
	for _, a := range w.attrs[first:] {
		b = appendMember(b, a.key)
		b, _ = appendAttribute(b, r.Attributes[a.kv].Value)
	}
	clear(w.attrs[first:])
	w.attrs = w.attrs[:first]
	return append(b, "}}"...)
}

// appendLogBody writes the "body" member logBody gives, if it gives one.
func (w *writer) appendLogBody(b []byte, v Value) []byte {
	var body string
	switch v.kind {
	case KindString:
		body = validUTF8(v.str)
	case KindBytes:
		if !utf8.ValidString(v.str) {
			return b
		}
		body = v.str
	case KindKVList:
		w.text = appendKVListText(w.text[:0], v.KVList())
		body = aliasString(w.text)
	case KindBool, KindInt, KindArray:
		w.text, _ = appendScalarOrArray(w.text[:0], v)
		body = aliasString(w.text)
	case KindDouble:
		t, ok := appendScalarText(w.text[:0], v)
		if !ok {
			return b
		}
		w.text = t
		body = aliasString(t)
	default:
		return b
	}
	if body == "" {
		return b
	}
	b = append(b, `,"body":`...)
	return appendString(b, body)
}

// appendScalarOrArray appends the JSON text of a bool, int or array value.
func appendScalarOrArray(b []byte, v Value) ([]byte, bool) {
	if v.kind == KindArray {
		return appendArrayText(b, v.Array()), true
	}
	return appendScalarText(b, v)
}
