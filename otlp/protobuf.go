package otlp

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
)

// The protobuf decoder reads the wire format directly into the model. It
// accepts exactly what proto.Unmarshal accepts into the generated OTLP
// types and reads it the same way:
//
//   - a scalar field that occurs more than once keeps its last value;
//   - a message field that occurs more than once is merged: its scalars
//     take the later values and its repeated fields are concatenated;
//   - repeated fields may be split into several runs;
//   - of AnyValue's members the last one wins, and the same message member
//     twice (two arrays, two key-value lists) merges;
//   - unknown fields, and known fields with an unexpected wire type, are
//     skipped (proto.Unmarshal keeps them as unknown fields, which the
//     model has no place for);
//   - string fields must be valid UTF-8, as proto3 requires;
//   - messages may nest at most protowire.DefaultRecursionLimit (10,000)
//     deep, counting the request itself as 1.
//
// The last rule is also what bounds the recursion through nested array
// and key-value list values when Limits.MaxDepth is 0: 10,000 message
// levels are at most about 5,000 nested Go calls, a few hundred kilobytes
// of a goroutine stack that Go grows on demand.
//
// Strings alias the input, and ids and bytes values are sub-slices of it,
// so a decode copies nothing. Repeated fields are sized before they are
// filled: a message is scanned once to count its elements, which is much
// cheaper than decoding them, and the elements are then carved out of
// slabs that are shared by the whole request, so that decoding costs a
// handful of allocations rather than several per span.

// maxMessageDepth is proto.Unmarshal's default recursion limit.
const maxMessageDepth = protowire.DefaultRecursionLimit

var (
	errTruncated   = fmt.Errorf("truncated message: %w", io.ErrUnexpectedEOF)
	errFieldNumber = errors.New("invalid field number")
	errInvalidUTF8 = errors.New("string field is not valid UTF-8")
	errTooDeep     = errors.New("messages nested more than 10000 deep")
)

func decodeTracesProto(data []byte, l *Limits) (*Traces, error) {
	d := newProtoDecoder(data, l)
	t := &Traces{}
	if err := d.traces(data, t); err != nil {
		return nil, d.finish(err)
	}
	return t, nil
}

func decodeLogsProto(data []byte, l *Limits) (*Logs, error) {
	d := newProtoDecoder(data, l)
	logs := &Logs{}
	if err := d.logs(data, logs); err != nil {
		return nil, d.finish(err)
	}
	return logs, nil
}

// A protoDecoder decodes one request.
type protoDecoder struct {
	data   []byte // the whole input, to tell offsets
	limits Limits
	items  int // spans or log records so far, for MaxSpans and MaxLogRecords
	path   []pathSegment

	kvs      slab[KeyValue]
	values   slab[Value]
	events   slab[SpanEvent]
	links    slab[SpanLink]
	statuses slab[Status]
	scopes   slab[Scope]
}

func newProtoDecoder(data []byte, l *Limits) *protoDecoder {
	d := &protoDecoder{data: data}
	if l != nil {
		d.limits = *l
	}
	return d
}

// A slab hands out slices of a larger one, so that many small slices cost
// one allocation. Each slice is capped at its length: appending to it
// reallocates rather than overwrite its neighbor.
type slab[T any] struct {
	free []T
	used int // elements handed out so far
}

// The bounds of a slab's chunks: the smallest, in elements, and the
// largest, in bytes, which also bounds what one chunk can waste.
const (
	minChunk      = 8
	maxChunkBytes = 1 << 20
)

// take returns n elements. When the slab runs out, it sizes the next
// chunk for the rest of the input at the density seen so far, done of
// total bytes: a request then costs one or two chunks per slab where a
// doubling series would cost many, and wastes little.
func (s *slab[T]) take(n, done, total int) []T {
	if n > len(s.free) {
		size := n
		if s.used > 0 && done > 0 && done < total {
			size += int(uint64(s.used) * uint64(total-done) / uint64(done))
		}
		var zero T
		size = min(max(size, minChunk), n+maxChunkBytes/int(unsafe.Sizeof(zero)))
		s.free = make([]T, size)
	}
	s.used += n
	out := s.free[:n:n]
	s.free = s.free[n:]
	return out
}

// done returns how many bytes of the input precede b, a sub-slice of it.
func (d *protoDecoder) done(b []byte) int { return cap(d.data) - cap(b) }

// fail returns a DecodeError for a problem found at the start of b, which
// is a sub-slice of the input; its offset is derived from the capacities,
// which costs nothing while decoding succeeds.
func (d *protoDecoder) fail(b []byte, path string, err error) error {
	return &DecodeError{Encoding: Protobuf, Path: path, Offset: int64(d.done(b)), Err: err}
}

// wireError is the error of a protowire function that returned n < 0.
func wireError(n int) error {
	if err := protowire.ParseError(n); err != io.ErrUnexpectedEOF {
		return err
	}
	return errTruncated
}

// tagError tells why readTagSlow failed at b.
func (d *protoDecoder) tagError(b []byte) error {
	if _, n := protowire.ConsumeVarint(b); n < 0 {
		return d.fail(b, "", wireError(n))
	}
	return d.fail(b, "", errFieldNumber)
}

// within notes, as an error from a nested message unwinds, the field
// name and, for a repeated field, the index (else -1) that lead to it;
// finish joins them into the error's path. Paths so cost nothing while
// decoding succeeds, and a deep error costs time linear in its depth.
func (d *protoDecoder) within(err error, name string, i int) error {
	d.path = append(d.path, pathSegment{name, i})
	return err
}

type pathSegment struct {
	name  string
	index int
}

// finish completes the path of an error from decoding.
func (d *protoDecoder) finish(err error) error {
	var b strings.Builder
	for k := len(d.path) - 1; k >= 0; k-- {
		b.WriteString(d.path[k].name)
		if i := d.path[k].index; i >= 0 {
			b.WriteByte('/')
			b.WriteString(strconv.Itoa(i))
		}
	}
	switch e := err.(type) {
	case *DecodeError:
		e.Path = b.String() + e.Path
	case *LimitError:
		e.Path = b.String() + e.Path
	}
	return err
}

// readTag reads the one-byte tag of a field numbered 1 to 15, which is
// small enough to be inlined; n == 0 means b starts with some other tag,
// for readTagSlow.
func readTag(b []byte) (num protowire.Number, typ protowire.Type, n int) {
	if len(b) > 0 {
		if c := b[0]; c < 0x80 && c >= 8 {
			return protowire.Number(c >> 3), protowire.Type(c & 7), 1
		}
	}
	return 0, 0, 0
}

// readTagSlow reads any tag. Field numbers must be 1 to 2^29-1, as
// proto.Unmarshal requires; n < 0 reports a malformed tag.
func readTagSlow(b []byte) (num protowire.Number, typ protowire.Type, n int) {
	v, n := protowire.ConsumeVarint(b)
	if n < 0 || v>>3 == 0 || v>>3 > uint64(protowire.MaxValidNumber) {
		return 0, 0, -1
	}
	return protowire.Number(v >> 3), protowire.Type(v & 7), n
}

// readLen reads a length-delimited value shorter than 128 bytes, which is
// small enough to be inlined; n == 0 means a longer or malformed one, for
// protowire.ConsumeBytes.
func readLen(b []byte) (v []byte, n int) {
	if len(b) > 0 {
		if c := int(b[0]); c < 0x80 && c < len(b) {
			return b[1 : 1+c], 1 + c
		}
	}
	return nil, 0
}

// readVarint reads a varint; n < 0 is protowire's error code.
func readVarint(b []byte) (uint64, int) {
	if len(b) > 0 && b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	return protowire.ConsumeVarint(b)
}

// skip skips a field that the decoder does not read, or that has a wire
// type other than its declared one, as proto.Unmarshal does.
func (d *protoDecoder) skip(b []byte, num protowire.Number, typ protowire.Type) (int, error) {
	n := protowire.ConsumeFieldValue(num, typ, b)
	if n < 0 {
		return 0, d.fail(b, "", wireError(n))
	}
	return n, nil
}

// countLen counts the length-delimited fields numbered n1, n2 and n3 (0
// for none) at the top level of a message. It stops at the first
// malformed field: decoding then fails there, before it needs more
// elements than were counted.
func countLen(b []byte, n1, n2, n3 protowire.Number) (c1, c2, c3 int) {
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return
			}
		}
		b = b[n:]
		if typ == protowire.BytesType {
			_, m := readLen(b)
			if m == 0 {
				_, m = protowire.ConsumeBytes(b)
			}
			if m < 0 {
				return
			}
			switch num {
			case n1:
				c1++
			case n2:
				c2++
			case n3:
				c3++
			}
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return
		}
		b = b[m:]
	}
	return
}

// grow returns s with room for n more elements, taken from the slab. Only
// a merged message brings elements to a non-empty s.
func grow[T any](d *protoDecoder, sl *slab[T], s []T, n int, b []byte) []T {
	if n == 0 {
		return s
	}
	out := sl.take(len(s)+n, d.done(b), len(d.data))[:0]
	return append(out, s...)
}

// extend returns s with one more element. Where s has room, which it has
// when it was sized by a count, the element is already zero: writing a
// zero value would cost write barriers while the GC runs.
func extend[T any](s []T) []T {
	if len(s) < cap(s) {
		return s[:len(s)+1]
	}
	var zero T
	return append(s, zero)
}

// str reads a string field.
func (d *protoDecoder) str(b []byte, name string) (string, int, error) {
	v, n := readLen(b)
	if n == 0 {
		v, n = protowire.ConsumeBytes(b)
	}
	if n < 0 {
		return "", 0, d.fail(b, name, wireError(n))
	}
	if !utf8.Valid(v) {
		return "", 0, d.fail(b, name, errInvalidUTF8)
	}
	return aliasString(v), n, nil
}

// id reads a bytes field holding an id.
func (d *protoDecoder) id(b []byte, name string) ([]byte, int, error) {
	v, n := readLen(b)
	if n == 0 {
		v, n = protowire.ConsumeBytes(b)
	}
	if n < 0 {
		return nil, 0, d.fail(b, name, wireError(n))
	}
	if len(v) == 0 {
		return nil, n, nil
	}
	return v[:len(v):len(v)], n, nil
}

// element reads a length-delimited field holding element i of the
// repeated field name.
func (d *protoDecoder) element(b []byte, name string, i int) ([]byte, int, error) {
	v, n := readLen(b)
	if n == 0 {
		v, n = protowire.ConsumeBytes(b)
	}
	if n < 0 {
		return nil, 0, d.within(d.fail(b, "", wireError(n)), name, i)
	}
	return v, n, nil
}

// message reads a length-delimited field holding a message.
func (d *protoDecoder) message(b []byte, name string) ([]byte, int, error) {
	v, n := readLen(b)
	if n == 0 {
		v, n = protowire.ConsumeBytes(b)
	}
	if n < 0 {
		return nil, 0, d.fail(b, name, wireError(n))
	}
	return v, n, nil
}

func (d *protoDecoder) varint(b []byte, name string) (uint64, int, error) {
	v, n := readVarint(b)
	if n < 0 {
		return 0, 0, d.fail(b, name, wireError(n))
	}
	return v, n, nil
}

func (d *protoDecoder) fixed64(b []byte, name string) (uint64, int, error) {
	v, n := protowire.ConsumeFixed64(b)
	if n < 0 {
		return 0, 0, d.fail(b, name, wireError(n))
	}
	return v, n, nil
}

func (d *protoDecoder) fixed32(b []byte, name string) (uint32, int, error) {
	v, n := protowire.ConsumeFixed32(b)
	if n < 0 {
		return 0, 0, d.fail(b, name, wireError(n))
	}
	return v, n, nil
}

// checkItems counts n more spans or log records against their limit.
func (d *protoDecoder) checkItems(n int, limit string, max int, path string) error {
	d.items += n
	if max > 0 && d.items > max {
		return &LimitError{Limit: limit, Path: path, Value: int64(d.items), Max: int64(max)}
	}
	return nil
}

// attributes makes room for n more attributes in kvs, within
// MaxAttributes.
func (d *protoDecoder) attributes(b []byte, kvs []KeyValue, n int, path string) ([]KeyValue, error) {
	if max := d.limits.MaxAttributes; max > 0 && len(kvs)+n > max {
		return nil, &LimitError{Limit: "MaxAttributes", Path: path, Value: int64(len(kvs) + n), Max: int64(max)}
	}
	return grow(d, &d.kvs, kvs, n, b), nil
}

func (d *protoDecoder) checkLength(n int, path string) error {
	if max := d.limits.MaxValueLength; max > 0 && n > max {
		return &LimitError{Limit: "MaxValueLength", Path: path, Value: int64(n), Max: int64(max)}
	}
	return nil
}

// The message decoders below share one shape: read a tag, decode the
// fields the model has when they come with their declared wire type, and
// skip everything else.

// traces decodes an ExportTraceServiceRequest (depth 1).
func (d *protoDecoder) traces(b []byte, t *Traces) error {
	if n, _, _ := countLen(b, 1, 0, 0); n > 0 {
		t.ResourceSpans = make([]ResourceSpans, 0, n)
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		if num == 1 && typ == protowire.BytesType {
			i := len(t.ResourceSpans)
			var v []byte
			if v, m, err = d.element(b, "/resourceSpans", i); err == nil {
				t.ResourceSpans = extend(t.ResourceSpans)
				if err = d.resourceSpans(v, &t.ResourceSpans[i]); err != nil {
					err = d.within(err, "/resourceSpans", i)
				}
			}
		} else {
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// resourceSpans decodes a ResourceSpans (depth 2). Field 1000, the
// retired instrumentation_library_spans, is reserved and so skipped like
// any unknown field.
func (d *protoDecoder) resourceSpans(b []byte, rs *ResourceSpans) error {
	if _, n, _ := countLen(b, 0, 2, 0); n > 0 {
		rs.ScopeSpans = make([]ScopeSpans, 0, n)
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch {
		case num == 1 && typ == protowire.BytesType:
			m, err = d.resourceField(b, &rs.Resource)
		case num == 2 && typ == protowire.BytesType:
			i := len(rs.ScopeSpans)
			var v []byte
			if v, m, err = d.element(b, "/scopeSpans", i); err == nil {
				rs.ScopeSpans = extend(rs.ScopeSpans)
				if err = d.scopeSpans(v, &rs.ScopeSpans[i]); err != nil {
					err = d.within(err, "/scopeSpans", i)
				}
			}
		case num == 3 && typ == protowire.BytesType:
			rs.SchemaURL, m, err = d.str(b, "/schemaUrl")
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// resourceField decodes the resource field of a ResourceSpans or
// ResourceLogs into r, merging with what an earlier occurrence left.
func (d *protoDecoder) resourceField(b []byte, r *Resource) (int, error) {
	v, m, err := d.message(b, "/resource")
	if err != nil {
		return 0, err
	}
	if err := d.resource(v, r); err != nil {
		return 0, d.within(err, "/resource", -1)
	}
	return m, nil
}

// scopeField decodes the scope field of a ScopeSpans or ScopeLogs into
// *s, allocating it at the first occurrence and merging later ones.
func (d *protoDecoder) scopeField(b []byte, s **Scope) (int, error) {
	v, m, err := d.message(b, "/scope")
	if err != nil {
		return 0, err
	}
	if *s == nil {
		*s = &d.scopes.take(1, d.done(b), len(d.data))[0]
	}
	if err := d.scope(v, *s); err != nil {
		return 0, d.within(err, "/scope", -1)
	}
	return m, nil
}

// scopeSpans decodes a ScopeSpans (depth 3).
func (d *protoDecoder) scopeSpans(b []byte, ss *ScopeSpans) error {
	if _, n, _ := countLen(b, 0, 2, 0); n > 0 {
		if err := d.checkItems(n, "MaxSpans", d.limits.MaxSpans, "/spans"); err != nil {
			return err
		}
		ss.Spans = make([]Span, 0, n)
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch {
		case num == 1 && typ == protowire.BytesType:
			m, err = d.scopeField(b, &ss.Scope)
		case num == 2 && typ == protowire.BytesType:
			i := len(ss.Spans)
			var v []byte
			if v, m, err = d.element(b, "/spans", i); err == nil {
				ss.Spans = extend(ss.Spans)
				if err = d.span(v, &ss.Spans[i]); err != nil {
					err = d.within(err, "/spans", i)
				}
			}
		case num == 3 && typ == protowire.BytesType:
			ss.SchemaURL, m, err = d.str(b, "/schemaUrl")
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// resource decodes a Resource (depth 3). Its entity_refs are not part of
// the model, but are read for their strings, which must be UTF-8.
func (d *protoDecoder) resource(b []byte, r *Resource) error {
	refs := 0
	if n, _, _ := countLen(b, 1, 0, 0); n > 0 {
		var err error
		if r.Attributes, err = d.attributes(b, r.Attributes, n, "/attributes"); err != nil {
			return err
		}
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch {
		case num == 1 && typ == protowire.BytesType:
			r.Attributes, m, err = d.appendKeyValue(b, r.Attributes, 4)
		case num == 2 && typ == protowire.VarintType:
			var v uint64
			v, m, err = d.varint(b, "/droppedAttributesCount")
			r.DroppedAttributesCount = uint32(v)
		case num == 3 && typ == protowire.BytesType:
			var v []byte
			if v, m, err = d.element(b, "/entityRefs", refs); err == nil {
				if err = d.entityRef(v); err != nil {
					err = d.within(err, "/entityRefs", refs)
				}
			}
			refs++
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// entityRef validates an EntityRef (depth 4): its fields are strings
// and repeated strings.
func (d *protoDecoder) entityRef(b []byte) error {
	var ids, descs int
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		if num >= 1 && num <= 4 && typ == protowire.BytesType {
			switch num {
			case 1:
				_, m, err = d.str(b, "/schemaUrl")
			case 2:
				_, m, err = d.str(b, "/type")
			case 3:
				if _, m, err = d.str(b, ""); err != nil {
					err = d.within(err, "/idKeys", ids)
				}
				ids++
			case 4:
				if _, m, err = d.str(b, ""); err != nil {
					err = d.within(err, "/descriptionKeys", descs)
				}
				descs++
			}
		} else {
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// scope decodes an InstrumentationScope (depth 4).
func (d *protoDecoder) scope(b []byte, s *Scope) error {
	if _, _, n := countLen(b, 0, 0, 3); n > 0 {
		var err error
		if s.Attributes, err = d.attributes(b, s.Attributes, n, "/attributes"); err != nil {
			return err
		}
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch {
		case num == 1 && typ == protowire.BytesType:
			s.Name, m, err = d.str(b, "/name")
		case num == 2 && typ == protowire.BytesType:
			s.Version, m, err = d.str(b, "/version")
		case num == 3 && typ == protowire.BytesType:
			s.Attributes, m, err = d.appendKeyValue(b, s.Attributes, 5)
		case num == 4 && typ == protowire.VarintType:
			var v uint64
			v, m, err = d.varint(b, "/droppedAttributesCount")
			s.DroppedAttributesCount = uint32(v)
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// span decodes a Span (depth 4).
func (d *protoDecoder) span(b []byte, s *Span) error {
	if na, ne, nl := countLen(b, 9, 11, 13); na+ne+nl > 0 {
		var err error
		if s.Attributes, err = d.attributes(b, nil, na, "/attributes"); err != nil {
			return err
		}
		if ne > 0 {
			s.Events = d.events.take(ne, d.done(b), len(d.data))[:0]
		}
		if nl > 0 {
			s.Links = d.links.take(nl, d.done(b), len(d.data))[:0]
		}
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch typ {
		case protowire.BytesType:
			switch num {
			case 1:
				s.TraceID, m, err = d.id(b, "/traceId")
			case 2:
				s.SpanID, m, err = d.id(b, "/spanId")
			case 3:
				s.TraceState, m, err = d.str(b, "/traceState")
			case 4:
				s.ParentSpanID, m, err = d.id(b, "/parentSpanId")
			case 5:
				s.Name, m, err = d.str(b, "/name")
			case 9:
				s.Attributes, m, err = d.appendKeyValue(b, s.Attributes, 5)
			case 11:
				m, err = d.appendEvent(b, s)
			case 13:
				m, err = d.appendLink(b, s)
			case 15:
				var v []byte
				if v, m, err = d.message(b, "/status"); err == nil {
					if s.Status == nil {
						s.Status = &d.statuses.take(1, d.done(b), len(d.data))[0]
					}
					if err = d.status(v, s.Status); err != nil {
						err = d.within(err, "/status", -1)
					}
				}
			default:
				m, err = d.skip(b, num, typ)
			}
		case protowire.VarintType:
			var v uint64
			switch num {
			case 6:
				v, m, err = d.varint(b, "/kind")
				s.Kind = SpanKind(int32(v))
			case 10:
				v, m, err = d.varint(b, "/droppedAttributesCount")
				s.DroppedAttributesCount = uint32(v)
			case 12:
				v, m, err = d.varint(b, "/droppedEventsCount")
				s.DroppedEventsCount = uint32(v)
			case 14:
				v, m, err = d.varint(b, "/droppedLinksCount")
				s.DroppedLinksCount = uint32(v)
			default:
				m, err = d.skip(b, num, typ)
			}
		case protowire.Fixed64Type:
			switch num {
			case 7:
				s.StartTimeUnixNano, m, err = d.fixed64(b, "/startTimeUnixNano")
			case 8:
				s.EndTimeUnixNano, m, err = d.fixed64(b, "/endTimeUnixNano")
			default:
				m, err = d.skip(b, num, typ)
			}
		case protowire.Fixed32Type:
			if num == 16 {
				s.Flags, m, err = d.fixed32(b, "/flags")
			} else {
				m, err = d.skip(b, num, typ)
			}
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

func (d *protoDecoder) appendEvent(b []byte, s *Span) (int, error) {
	i := len(s.Events)
	v, m, err := d.element(b, "/events", i)
	if err != nil {
		return 0, err
	}
	s.Events = extend(s.Events)
	if err := d.event(v, &s.Events[i]); err != nil {
		return 0, d.within(err, "/events", i)
	}
	return m, nil
}

func (d *protoDecoder) appendLink(b []byte, s *Span) (int, error) {
	i := len(s.Links)
	v, m, err := d.element(b, "/links", i)
	if err != nil {
		return 0, err
	}
	s.Links = extend(s.Links)
	if err := d.link(v, &s.Links[i]); err != nil {
		return 0, d.within(err, "/links", i)
	}
	return m, nil
}

// event decodes a Span.Event (depth 5).
func (d *protoDecoder) event(b []byte, e *SpanEvent) error {
	if _, _, n := countLen(b, 0, 0, 3); n > 0 {
		var err error
		if e.Attributes, err = d.attributes(b, nil, n, "/attributes"); err != nil {
			return err
		}
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch {
		case num == 1 && typ == protowire.Fixed64Type:
			e.TimeUnixNano, m, err = d.fixed64(b, "/timeUnixNano")
		case num == 2 && typ == protowire.BytesType:
			e.Name, m, err = d.str(b, "/name")
		case num == 3 && typ == protowire.BytesType:
			e.Attributes, m, err = d.appendKeyValue(b, e.Attributes, 6)
		case num == 4 && typ == protowire.VarintType:
			var v uint64
			v, m, err = d.varint(b, "/droppedAttributesCount")
			e.DroppedAttributesCount = uint32(v)
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// link decodes a Span.Link (depth 5).
func (d *protoDecoder) link(b []byte, l *SpanLink) error {
	if _, _, n := countLen(b, 0, 0, 4); n > 0 {
		var err error
		if l.Attributes, err = d.attributes(b, nil, n, "/attributes"); err != nil {
			return err
		}
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch {
		case num == 1 && typ == protowire.BytesType:
			l.TraceID, m, err = d.id(b, "/traceId")
		case num == 2 && typ == protowire.BytesType:
			l.SpanID, m, err = d.id(b, "/spanId")
		case num == 3 && typ == protowire.BytesType:
			l.TraceState, m, err = d.str(b, "/traceState")
		case num == 4 && typ == protowire.BytesType:
			l.Attributes, m, err = d.appendKeyValue(b, l.Attributes, 6)
		case num == 5 && typ == protowire.VarintType:
			var v uint64
			v, m, err = d.varint(b, "/droppedAttributesCount")
			l.DroppedAttributesCount = uint32(v)
		case num == 6 && typ == protowire.Fixed32Type:
			l.Flags, m, err = d.fixed32(b, "/flags")
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// status decodes a Status (depth 5). Its field 1 is reserved.
func (d *protoDecoder) status(b []byte, s *Status) error {
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch {
		case num == 2 && typ == protowire.BytesType:
			s.Message, m, err = d.str(b, "/message")
		case num == 3 && typ == protowire.VarintType:
			var v uint64
			v, m, err = d.varint(b, "/code")
			s.Code = StatusCode(int32(v))
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// appendKeyValue decodes the KeyValue at b, of the given message depth,
// into the next element of kvs, which has room for it.
func (d *protoDecoder) appendKeyValue(b []byte, kvs []KeyValue, depth int) ([]KeyValue, int, error) {
	i := len(kvs)
	v, m, err := d.element(b, "/attributes", i)
	if err != nil {
		return kvs, 0, err
	}
	kvs = extend(kvs)
	if err := d.keyValue(v, &kvs[i], depth, 1); err != nil {
		return kvs, 0, d.within(err, "/attributes", i)
	}
	return kvs, m, nil
}

// keyValue decodes a KeyValue of the given message depth whose value has
// the given value depth (1 for an attribute). Its key_strindex, a
// string-table index that only profiles use, is skipped.
func (d *protoDecoder) keyValue(b []byte, kv *KeyValue, depth, level int) error {
	if depth > maxMessageDepth {
		return d.fail(b, "", errTooDeep)
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		if typ == protowire.BytesType {
			switch num {
			case 1:
				s, m, err := d.str(b, "/key")
				if err != nil {
					return err
				}
				if err := d.checkLength(len(s), "/key"); err != nil {
					return err
				}
				kv.Key = s
				b = b[m:]
				continue
			case 2:
				v, m, err := d.message(b, "/value")
				if err != nil {
					return err
				}
				if err := d.anyValue(v, &kv.Value, depth+1, level); err != nil {
					return d.within(err, "/value", -1)
				}
				b = b[m:]
				continue
			}
		}
		m, err := d.skip(b, num, typ)
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// anyValue decodes an AnyValue of the given message and value depths into
// v, merging with what v holds as proto.Unmarshal merges a message that
// occurs twice: a member replaces a different one, and the same array or
// key-value list member appends. string_value_strindex, a string-table
// index that only profiles use, leaves the value empty.
func (d *protoDecoder) anyValue(b []byte, v *Value, depth, level int) error {
	if depth > maxMessageDepth {
		return d.fail(b, "", errTooDeep)
	}
	if max := d.limits.MaxDepth; max > 0 && level > max {
		return &LimitError{Limit: "MaxDepth", Value: int64(level), Max: int64(max)}
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch {
		case num == 1 && typ == protowire.BytesType:
			var s string
			if s, m, err = d.str(b, "/stringValue"); err == nil {
				err = d.checkLength(len(s), "/stringValue")
			}
			resetAs(v, KindString)
			v.str = s
		case num == 2 && typ == protowire.VarintType:
			var x uint64
			x, m, err = d.varint(b, "/boolValue")
			resetAs(v, KindBool)
			if x != 0 {
				v.num = 1
			}
		case num == 3 && typ == protowire.VarintType:
			var x uint64
			x, m, err = d.varint(b, "/intValue")
			resetAs(v, KindInt)
			v.num = x
		case num == 4 && typ == protowire.Fixed64Type:
			var x uint64
			x, m, err = d.fixed64(b, "/doubleValue")
			resetAs(v, KindDouble)
			v.num = x
		case num == 5 && typ == protowire.BytesType:
			var x []byte
			if x, m, err = d.message(b, "/arrayValue"); err == nil {
				if v.kind != KindArray {
					resetAs(v, KindArray)
				}
				if err = d.arrayValue(x, v, depth+1, level); err != nil {
					err = d.within(err, "/arrayValue", -1)
				}
			}
		case num == 6 && typ == protowire.BytesType:
			var x []byte
			if x, m, err = d.message(b, "/kvlistValue"); err == nil {
				if v.kind != KindKVList {
					resetAs(v, KindKVList)
				}
				if err = d.kvlistValue(x, v, depth+1, level); err != nil {
					err = d.within(err, "/kvlistValue", -1)
				}
			}
		case num == 7 && typ == protowire.BytesType:
			var x []byte
			if x, m, err = d.message(b, "/bytesValue"); err == nil {
				err = d.checkLength(len(x), "/bytesValue")
			}
			resetAs(v, KindBytes)
			v.str = aliasString(x)
		case num == 8 && typ == protowire.VarintType:
			m, err = d.skip(b, num, typ)
			resetAs(v, KindEmpty)
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// resetAs makes v an empty value of kind k. Only a value that already had a
// member is cleared: the common fresh value is zero, and writing its
// pointers again would cost write barriers while the GC runs.
func resetAs(v *Value, k ValueKind) {
	if v.kind != KindEmpty {
		*v = Value{}
	}
	v.kind = k
}

// arrayValue decodes an ArrayValue, appending its elements to v's.
func (d *protoDecoder) arrayValue(b []byte, v *Value, depth, level int) error {
	if depth > maxMessageDepth {
		return d.fail(b, "", errTooDeep)
	}
	if n, _, _ := countLen(b, 1, 0, 0); n > 0 {
		if max := d.limits.MaxAttributes; max > 0 && len(v.arr)+n > max {
			return &LimitError{Limit: "MaxAttributes", Path: "/values", Value: int64(len(v.arr) + n), Max: int64(max)}
		}
		v.arr = grow(d, &d.values, v.arr, n, b)
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		if num == 1 && typ == protowire.BytesType {
			i := len(v.arr)
			x, m, err := d.element(b, "/values", i)
			if err != nil {
				return err
			}
			v.arr = extend(v.arr)
			if err := d.anyValue(x, &v.arr[i], depth+1, level+1); err != nil {
				return d.within(err, "/values", i)
			}
			b = b[m:]
			continue
		}
		m, err := d.skip(b, num, typ)
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// kvlistValue decodes a KeyValueList, appending its pairs to v's.
func (d *protoDecoder) kvlistValue(b []byte, v *Value, depth, level int) error {
	if depth > maxMessageDepth {
		return d.fail(b, "", errTooDeep)
	}
	if n, _, _ := countLen(b, 1, 0, 0); n > 0 {
		if max := d.limits.MaxAttributes; max > 0 && len(v.kvs)+n > max {
			return &LimitError{Limit: "MaxAttributes", Path: "/values", Value: int64(len(v.kvs) + n), Max: int64(max)}
		}
		v.kvs = grow(d, &d.kvs, v.kvs, n, b)
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		if num == 1 && typ == protowire.BytesType {
			i := len(v.kvs)
			x, m, err := d.element(b, "/values", i)
			if err != nil {
				return err
			}
			v.kvs = extend(v.kvs)
			if err := d.keyValue(x, &v.kvs[i], depth+1, level+1); err != nil {
				return d.within(err, "/values", i)
			}
			b = b[m:]
			continue
		}
		m, err := d.skip(b, num, typ)
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// logs decodes an ExportLogsServiceRequest (depth 1).
func (d *protoDecoder) logs(b []byte, l *Logs) error {
	if n, _, _ := countLen(b, 1, 0, 0); n > 0 {
		l.ResourceLogs = make([]ResourceLogs, 0, n)
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		if num == 1 && typ == protowire.BytesType {
			i := len(l.ResourceLogs)
			var v []byte
			if v, m, err = d.element(b, "/resourceLogs", i); err == nil {
				l.ResourceLogs = extend(l.ResourceLogs)
				if err = d.resourceLogs(v, &l.ResourceLogs[i]); err != nil {
					err = d.within(err, "/resourceLogs", i)
				}
			}
		} else {
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// resourceLogs decodes a ResourceLogs (depth 2).
func (d *protoDecoder) resourceLogs(b []byte, rl *ResourceLogs) error {
	if _, n, _ := countLen(b, 0, 2, 0); n > 0 {
		rl.ScopeLogs = make([]ScopeLogs, 0, n)
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch {
		case num == 1 && typ == protowire.BytesType:
			m, err = d.resourceField(b, &rl.Resource)
		case num == 2 && typ == protowire.BytesType:
			i := len(rl.ScopeLogs)
			var v []byte
			if v, m, err = d.element(b, "/scopeLogs", i); err == nil {
				rl.ScopeLogs = extend(rl.ScopeLogs)
				if err = d.scopeLogs(v, &rl.ScopeLogs[i]); err != nil {
					err = d.within(err, "/scopeLogs", i)
				}
			}
		case num == 3 && typ == protowire.BytesType:
			rl.SchemaURL, m, err = d.str(b, "/schemaUrl")
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// scopeLogs decodes a ScopeLogs (depth 3).
func (d *protoDecoder) scopeLogs(b []byte, sl *ScopeLogs) error {
	if _, n, _ := countLen(b, 0, 2, 0); n > 0 {
		if err := d.checkItems(n, "MaxLogRecords", d.limits.MaxLogRecords, "/logRecords"); err != nil {
			return err
		}
		sl.LogRecords = make([]LogRecord, 0, n)
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch {
		case num == 1 && typ == protowire.BytesType:
			m, err = d.scopeField(b, &sl.Scope)
		case num == 2 && typ == protowire.BytesType:
			i := len(sl.LogRecords)
			var v []byte
			if v, m, err = d.element(b, "/logRecords", i); err == nil {
				sl.LogRecords = extend(sl.LogRecords)
				if err = d.logRecord(v, &sl.LogRecords[i]); err != nil {
					err = d.within(err, "/logRecords", i)
				}
			}
		case num == 3 && typ == protowire.BytesType:
			sl.SchemaURL, m, err = d.str(b, "/schemaUrl")
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// logRecord decodes a LogRecord (depth 4). Field 4 is reserved.
func (d *protoDecoder) logRecord(b []byte, r *LogRecord) error {
	if _, n, _ := countLen(b, 0, 6, 0); n > 0 {
		var err error
		if r.Attributes, err = d.attributes(b, nil, n, "/attributes"); err != nil {
			return err
		}
	}
	for len(b) > 0 {
		num, typ, n := readTag(b)
		if n == 0 {
			if num, typ, n = readTagSlow(b); n < 0 {
				return d.tagError(b)
			}
		}
		b = b[n:]
		var m int
		var err error
		switch typ {
		case protowire.BytesType:
			switch num {
			case 3:
				r.SeverityText, m, err = d.str(b, "/severityText")
			case 5:
				var v []byte
				if v, m, err = d.message(b, "/body"); err == nil {
					if err = d.anyValue(v, &r.Body, 5, 1); err != nil {
						err = d.within(err, "/body", -1)
					}
				}
			case 6:
				r.Attributes, m, err = d.appendKeyValue(b, r.Attributes, 5)
			case 9:
				r.TraceID, m, err = d.id(b, "/traceId")
			case 10:
				r.SpanID, m, err = d.id(b, "/spanId")
			case 12:
				r.EventName, m, err = d.str(b, "/eventName")
			default:
				m, err = d.skip(b, num, typ)
			}
		case protowire.VarintType:
			var v uint64
			switch num {
			case 2:
				v, m, err = d.varint(b, "/severityNumber")
				r.SeverityNumber = SeverityNumber(int32(v))
			case 7:
				v, m, err = d.varint(b, "/droppedAttributesCount")
				r.DroppedAttributesCount = uint32(v)
			default:
				m, err = d.skip(b, num, typ)
			}
		case protowire.Fixed64Type:
			switch num {
			case 1:
				r.TimeUnixNano, m, err = d.fixed64(b, "/timeUnixNano")
			case 11:
				r.ObservedTimeUnixNano, m, err = d.fixed64(b, "/observedTimeUnixNano")
			default:
				m, err = d.skip(b, num, typ)
			}
		case protowire.Fixed32Type:
			if num == 8 {
				r.Flags, m, err = d.fixed32(b, "/flags")
			} else {
				m, err = d.skip(b, num, typ)
			}
		default:
			m, err = d.skip(b, num, typ)
		}
		if err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}
