package otlp

import (
	"encoding/binary"
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
	items  int   // spans or log records so far, for MaxSpans and MaxLogRecords
	err    error // the first error, which ends the decode
	path   []pathSegment

	kvs        slab[KeyValue]
	values     slab[Value]
	composites slab[composite]
	events     slab[SpanEvent]
	links      slab[SpanLink]
	statuses   slab[Status]
	scopes     slab[Scope]
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

// A wireTag is a field's key as the wire has it, number<<3 | wire type.
// The message decoders switch on the whole tag, so that a case reads
// "field 5, length-delimited" (5<<3 | tBytes), and a known field that
// comes with another wire type matches no case and is skipped, as
// proto.Unmarshal skips it.
type wireTag uint64

const (
	tVarint  = wireTag(protowire.VarintType)
	tFixed64 = wireTag(protowire.Fixed64Type)
	tBytes   = wireTag(protowire.BytesType)
	tFixed32 = wireTag(protowire.Fixed32Type)
)

func (t wireTag) num() protowire.Number { return protowire.Number(t >> 3) }
func (t wireTag) typ() protowire.Type   { return protowire.Type(t & 7) }

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

// consumeTag reads a tag; n < 0 reports a malformed one. Field numbers
// must be 1 to 2^29-1, as proto.Unmarshal requires.
func consumeTag(b []byte) (t wireTag, n int) {
	v, n := protowire.ConsumeVarint(b)
	if n < 0 || v>>3 == 0 || v>>3 > uint64(protowire.MaxValidNumber) {
		return 0, -1
	}
	return wireTag(v), n
}

// tagError tells why consumeTag failed at b.
func tagError(b []byte) error {
	if _, n := protowire.ConsumeVarint(b); n < 0 {
		return wireError(n)
	}
	return errFieldNumber
}

// skipValue returns the length of the value of a field with tag t at the
// start of b; n < 0 is protowire's error code.
func skipValue(t wireTag, b []byte) int {
	if t.typ() == protowire.BytesType {
		if _, n := readLen(b); n > 0 {
			return n
		}
	}
	return protowire.ConsumeFieldValue(t.num(), t.typ(), b)
}

// countLen counts the length-delimited fields numbered n1, n2 and n3 (0
// for none) at the top level of a message. It stops at the first
// malformed field: decoding then fails there, before it needs more
// elements than were counted.
func countLen(b []byte, n1, n2, n3 protowire.Number) (c1, c2, c3 int) {
	for len(b) > 0 {
		t, n := wireTag(b[0]), 1
		if b[0] >= 0x80 || b[0] < 8 {
			if t, n = consumeTag(b); n < 0 {
				return
			}
		}
		b = b[n:]
		if n = skipValue(t, b); n < 0 {
			return
		}
		b = b[n:]
		if t.typ() == protowire.BytesType {
			switch t.num() {
			case n1:
				c1++
			case n2:
				c2++
			case n3:
				c3++
			}
		}
	}
	return
}

// grow returns s with room for n more elements, taken from the slab, or
// a LimitError at path if that makes more than MaxAttributes, which
// bounds every list of attributes or values. Only a merged message brings
// elements to a non-empty s.
func grow[T any](d *protoDecoder, sl *slab[T], s []T, n int, b []byte, path string) ([]T, error) {
	if max := d.limits.MaxAttributes; max > 0 && len(s)+n > max {
		return nil, &LimitError{Limit: "MaxAttributes", Path: path, Value: int64(len(s) + n), Max: int64(max)}
	}
	if n == 0 {
		return s, nil
	}
	out := sl.take(len(s)+n, d.done(b), len(d.data))[:0]
	return append(out, s...), nil
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

// sizeAttributes makes room in *kvs for the attributes of the message b,
// which are its field num.
func (d *protoDecoder) sizeAttributes(b []byte, num protowire.Number, kvs *[]KeyValue) (err error) {
	if n, _, _ := countLen(b, num, 0, 0); n > 0 {
		*kvs, err = grow(d, &d.kvs, *kvs, n, b, "/attributes")
	}
	return err
}

// checkItems counts n more spans or log records against their limit.
func (d *protoDecoder) checkItems(n int, limit string, max int, path string) error {
	d.items += n
	if max > 0 && d.items > max {
		return &LimitError{Limit: limit, Path: path, Value: int64(d.items), Max: int64(max)}
	}
	return nil
}

// A fieldReader walks the fields of one message. Each message decoder is
// a loop over a switch with a case a field:
//
//	f := d.fields(b)
//	for f.next() || f.nextSlow() {
//		switch f.tag {
//		case 1<<3 | tBytes:
//			m.Name = f.str("/name")
//		...
//		}
//	}
//	return d.err
//
// A case consumes its field's value with one of the reading methods; a
// field that no case reads is skipped. A failure records the decode's
// error in d and ends the walk. The reader is declared before the loop
// rather than in a for clause, whose variables are copied for every
// iteration once their address is taken.
//
// The reader holds its place as offsets into the input rather than as a
// slice. Escape analysis does not tell a struct's fields apart: were a
// slice of the input, which flows into the model, or an error held next
// to d, d would be moved to the heap. And the reading methods, which
// take the reader by pointer, would have to store the slice with a write
// barrier at every field while the GC runs.
type fieldReader struct {
	d        *protoDecoder
	pos, end int     // the rest of the message is d.data[pos:end]
	val      int     // where the current field's value starts
	tag      wireTag // the current field's
}

// fields returns a reader of the message b, a sub-slice of the input.
func (d *protoDecoder) fields(b []byte) fieldReader {
	pos := d.done(b)
	return fieldReader{d: d, pos: pos, end: pos + len(b), val: -1}
}

// rest returns the rest of the message, from the reader's place.
func (f *fieldReader) rest() []byte { return f.d.data[f.pos:f.end] }

// next reads the next tag if that is the common case, a one-byte tag
// (fields 1 to 15) after a field that was read, which is small enough to
// be inlined: a call would cost as much as the reading. nextSlow does the
// rest: it skips the field that no case read, reads a longer tag, and
// tells the end of the message. Both report false at the end of the
// message and after an error.
func (f *fieldReader) next() bool {
	if p := f.pos; p < f.end && p != f.val {
		if c := f.d.data[p]; c-8 < 0x80-8 {
			f.tag, f.pos, f.val = wireTag(c), p+1, p+1
			return true
		}
	}
	return false
}

func (f *fieldReader) nextSlow() bool {
	if f.pos == f.val {
		f.skip()
	}
	if f.pos >= f.end {
		return false
	}
	b := f.rest()
	t, n := consumeTag(b)
	if n < 0 {
		f.fail("", -1, tagError(b))
		return false
	}
	f.tag = t
	f.pos += n
	f.val = f.pos
	return true
}

// stop ends the walk.
func (f *fieldReader) stop() { f.pos, f.val = f.end, -1 }

// fail ends the walk with an error of the value at the reader's place,
// which is field name, or its element i when i >= 0. Only the first error
// of a decode counts.
func (f *fieldReader) fail(name string, i int, err error) {
	if d := f.d; d.err == nil {
		e := &DecodeError{Encoding: Protobuf, Path: name, Offset: int64(f.pos), Err: err}
		if i < 0 {
			d.err = e
		} else {
			e.Path = ""
			d.err = d.within(e, name, i)
		}
	}
	f.stop()
}

// within ends the walk with err, if any, from decoding the field name,
// or its element i when i >= 0.
func (f *fieldReader) within(err error, name string, i int) {
	if err != nil {
		f.d.err = f.d.within(err, name, i)
		f.stop()
	}
}

// checkLength ends the walk if a string or bytes value of n bytes is
// longer than MaxValueLength.
func (f *fieldReader) checkLength(n int, path string) {
	if max := f.d.limits.MaxValueLength; max > 0 && n > max && f.d.err == nil {
		f.d.err = &LimitError{Limit: "MaxValueLength", Path: path, Value: int64(n), Max: int64(max)}
		f.stop()
	}
}

// skip skips the current field's value. A case calls it for a field
// whose value it does not need.
func (f *fieldReader) skip() {
	n := skipValue(f.tag, f.rest())
	if n < 0 {
		f.fail("", -1, wireError(n))
		return
	}
	f.pos += n
}

// bytes reads a length-delimited value: a bytes field or a message.
func (f *fieldReader) bytes(name string) ([]byte, bool) { return f.element(name, -1) }

// element reads a length-delimited value that is field name, or its
// element i when i >= 0.
func (f *fieldReader) element(name string, i int) ([]byte, bool) {
	if v, n := readLen(f.rest()); n > 0 {
		f.pos += n
		return v, true
	}
	return f.longElement(name, i)
}

func (f *fieldReader) longElement(name string, i int) ([]byte, bool) {
	v, n := protowire.ConsumeBytes(f.rest())
	if n < 0 {
		f.fail(name, i, wireError(n))
		return nil, false
	}
	f.pos += n
	return v, true
}

// str reads a string field.
func (f *fieldReader) str(name string) string { return f.strElement(name, -1) }

// strElement reads a string that is field name, or its element i when
// i >= 0. It reads a short length itself rather than call element: every
// string takes this path.
func (f *fieldReader) strElement(name string, i int) string {
	at := f.pos
	v, n := readLen(f.rest())
	if n > 0 {
		f.pos += n
	} else {
		v, _ = f.longElement(name, i)
	}
	if !utf8.Valid(v) {
		f.pos = at
		f.fail(name, i, errInvalidUTF8)
		return ""
	}
	return aliasString(v)
}

// id reads a bytes field holding an id, which is nil when empty.
func (f *fieldReader) id(name string) []byte {
	v, _ := f.bytes(name)
	if len(v) == 0 {
		return nil
	}
	return v[:len(v):len(v)]
}

func (f *fieldReader) varint(name string) uint64 {
	if b := f.rest(); len(b) > 0 && b[0] < 0x80 {
		f.pos++
		return uint64(b[0])
	}
	v, n := protowire.ConsumeVarint(f.rest())
	if n < 0 {
		f.fail(name, -1, wireError(n))
		return 0
	}
	f.pos += n
	return v
}

func (f *fieldReader) fixed64(name string) uint64 {
	if b := f.rest(); len(b) >= 8 {
		f.pos += 8
		return binary.LittleEndian.Uint64(b)
	}
	f.fail(name, -1, errTruncated)
	return 0
}

func (f *fieldReader) fixed32(name string) uint32 {
	if b := f.rest(); len(b) >= 4 {
		f.pos += 4
		return binary.LittleEndian.Uint32(b)
	}
	f.fail(name, -1, errTruncated)
	return 0
}

// message decodes the message field name with decode, which merges it
// into what an earlier occurrence left, as proto.Unmarshal does.
func (f *fieldReader) message(name string, decode func([]byte) error) {
	if v, ok := f.bytes(name); ok {
		f.within(decode(v), name, -1)
	}
}

// appendMessage decodes element len(s) of the repeated message field name
// into a new last element of s, which was sized by a count and so has
// room for it unless the input is malformed.
func appendMessage[T any](f *fieldReader, s []T, name string, decode func([]byte, *T) error) []T {
	i := len(s)
	v, ok := f.element(name, i)
	if !ok {
		return s
	}
	s = extend(s)
	f.within(decode(v, &s[i]), name, i)
	return s
}

// optionalMessage decodes the message field name into *p, which the
// model leaves nil while the field is absent: the first occurrence takes
// it from sl, and a later one merges into it.
func optionalMessage[T any](f *fieldReader, p **T, sl *slab[T], name string, decode func([]byte, *T) error) {
	if *p == nil {
		*p = &sl.take(1, f.pos, len(f.d.data))[0]
	}
	m := *p
	f.message(name, func(b []byte) error { return decode(b, m) })
}

// attribute decodes the KeyValue element of a repeated attributes field,
// of the given message depth, into a new last element of kvs. It is
// appendMessage written out, attributes being most of a request.
func (f *fieldReader) attribute(kvs []KeyValue, depth int) []KeyValue {
	i := len(kvs)
	v, ok := f.element("/attributes", i)
	if !ok {
		return kvs
	}
	kvs = extend(kvs)
	f.within(f.d.keyValue(v, &kvs[i], depth, 1), "/attributes", i)
	return kvs
}

// list decodes a message whose one field is the repeated message field 1,
// name, appending its elements to *s, which has room for them.
func list[T any](d *protoDecoder, b []byte, s *[]T, name string, decode func([]byte, *T) error) error {
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		if f.tag == 1<<3|tBytes {
			*s = appendMessage(&f, *s, name, decode)
		}
	}
	return d.err
}

// The trace and logs requests nest alike: a request holds resources, a
// resource holds scopes and a scope holds items, spans or log records.
// The levels differ only in the types of their lists, so one generic
// decoder of each level serves both, given the list and how to decode
// its elements.

// request decodes an ExportTraceServiceRequest or ExportLogsServiceRequest
// (depth 1), whose resources are field 1.
func request[R any](d *protoDecoder, b []byte, resources *[]R, name string, decode func([]byte, *R) error) error {
	if n, _, _ := countLen(b, 1, 0, 0); n > 0 {
		*resources = make([]R, 0, n)
	}
	return list(d, b, resources, name, decode)
}

// resourceOf decodes a ResourceSpans or ResourceLogs (depth 2), whose
// scopes are field 2. Field 1000, the retired instrumentation library
// list, is reserved and so skipped like any unknown field.
func resourceOf[S any](d *protoDecoder, b []byte, r *Resource, schemaURL *string, scopes *[]S, name string, decode func([]byte, *S) error) error {
	if _, n, _ := countLen(b, 0, 2, 0); n > 0 {
		*scopes = make([]S, 0, n)
	}
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 1<<3 | tBytes:
			f.message("/resource", func(b []byte) error { return d.resource(b, r) })
		case 2<<3 | tBytes:
			*scopes = appendMessage(&f, *scopes, name, decode)
		case 3<<3 | tBytes:
			*schemaURL = f.str("/schemaUrl")
		}
	}
	return d.err
}

// scopeOf decodes a ScopeSpans or ScopeLogs (depth 3), whose items are
// field 2 and count against the limit max, named limit.
func scopeOf[I any](d *protoDecoder, b []byte, scope **Scope, schemaURL *string, items *[]I, name, limit string, max int, decode func([]byte, *I) error) error {
	if _, n, _ := countLen(b, 0, 2, 0); n > 0 {
		if err := d.checkItems(n, limit, max, name); err != nil {
			return err
		}
		*items = make([]I, 0, n)
	}
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 1<<3 | tBytes:
			optionalMessage(&f, scope, &d.scopes, "/scope", d.scope)
		case 2<<3 | tBytes:
			*items = appendMessage(&f, *items, name, decode)
		case 3<<3 | tBytes:
			*schemaURL = f.str("/schemaUrl")
		}
	}
	return d.err
}

func (d *protoDecoder) traces(b []byte, t *Traces) error {
	return request(d, b, &t.ResourceSpans, "/resourceSpans", d.resourceSpans)
}

func (d *protoDecoder) resourceSpans(b []byte, rs *ResourceSpans) error {
	return resourceOf(d, b, &rs.Resource, &rs.SchemaURL, &rs.ScopeSpans, "/scopeSpans", d.scopeSpans)
}

func (d *protoDecoder) scopeSpans(b []byte, ss *ScopeSpans) error {
	return scopeOf(d, b, &ss.Scope, &ss.SchemaURL, &ss.Spans, "/spans", "MaxSpans", d.limits.MaxSpans, d.span)
}

func (d *protoDecoder) logs(b []byte, l *Logs) error {
	return request(d, b, &l.ResourceLogs, "/resourceLogs", d.resourceLogs)
}

func (d *protoDecoder) resourceLogs(b []byte, rl *ResourceLogs) error {
	return resourceOf(d, b, &rl.Resource, &rl.SchemaURL, &rl.ScopeLogs, "/scopeLogs", d.scopeLogs)
}

func (d *protoDecoder) scopeLogs(b []byte, sl *ScopeLogs) error {
	return scopeOf(d, b, &sl.Scope, &sl.SchemaURL, &sl.LogRecords, "/logRecords", "MaxLogRecords", d.limits.MaxLogRecords, d.logRecord)
}

// resource decodes a Resource (depth 3). Its entity_refs are not part of
// the model, but are read for their strings, which must be UTF-8.
func (d *protoDecoder) resource(b []byte, r *Resource) error {
	if err := d.sizeAttributes(b, 1, &r.Attributes); err != nil {
		return err
	}
	refs := 0
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 1<<3 | tBytes:
			r.Attributes = f.attribute(r.Attributes, 4)
		case 2<<3 | tVarint:
			r.DroppedAttributesCount = uint32(f.varint("/droppedAttributesCount"))
		case 3<<3 | tBytes:
			if v, ok := f.element("/entityRefs", refs); ok {
				f.within(d.entityRef(v), "/entityRefs", refs)
			}
			refs++
		}
	}
	return d.err
}

// entityRef validates an EntityRef (depth 4): its fields are strings
// and repeated strings.
func (d *protoDecoder) entityRef(b []byte) error {
	var ids, descs int
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 1<<3 | tBytes:
			f.str("/schemaUrl")
		case 2<<3 | tBytes:
			f.str("/type")
		case 3<<3 | tBytes:
			f.strElement("/idKeys", ids)
			ids++
		case 4<<3 | tBytes:
			f.strElement("/descriptionKeys", descs)
			descs++
		}
	}
	return d.err
}

// scope decodes an InstrumentationScope (depth 4).
func (d *protoDecoder) scope(b []byte, s *Scope) error {
	if err := d.sizeAttributes(b, 3, &s.Attributes); err != nil {
		return err
	}
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 1<<3 | tBytes:
			s.Name = f.str("/name")
		case 2<<3 | tBytes:
			s.Version = f.str("/version")
		case 3<<3 | tBytes:
			s.Attributes = f.attribute(s.Attributes, 5)
		case 4<<3 | tVarint:
			s.DroppedAttributesCount = uint32(f.varint("/droppedAttributesCount"))
		}
	}
	return d.err
}

// span decodes a Span (depth 4).
func (d *protoDecoder) span(b []byte, s *Span) error {
	if na, ne, nl := countLen(b, 9, 11, 13); na+ne+nl > 0 {
		var err error
		if s.Attributes, err = grow(d, &d.kvs, nil, na, b, "/attributes"); err != nil {
			return err
		}
		if ne > 0 {
			s.Events = d.events.take(ne, d.done(b), len(d.data))[:0]
		}
		if nl > 0 {
			s.Links = d.links.take(nl, d.done(b), len(d.data))[:0]
		}
	}
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 1<<3 | tBytes:
			s.TraceID = f.id("/traceId")
		case 2<<3 | tBytes:
			s.SpanID = f.id("/spanId")
		case 3<<3 | tBytes:
			s.TraceState = f.str("/traceState")
		case 4<<3 | tBytes:
			s.ParentSpanID = f.id("/parentSpanId")
		case 5<<3 | tBytes:
			s.Name = f.str("/name")
		case 6<<3 | tVarint:
			s.Kind = SpanKind(int32(f.varint("/kind")))
		case 7<<3 | tFixed64:
			s.StartTimeUnixNano = f.fixed64("/startTimeUnixNano")
		case 8<<3 | tFixed64:
			s.EndTimeUnixNano = f.fixed64("/endTimeUnixNano")
		case 9<<3 | tBytes:
			s.Attributes = f.attribute(s.Attributes, 5)
		case 10<<3 | tVarint:
			s.DroppedAttributesCount = uint32(f.varint("/droppedAttributesCount"))
		case 11<<3 | tBytes:
			s.Events = appendMessage(&f, s.Events, "/events", d.event)
		case 12<<3 | tVarint:
			s.DroppedEventsCount = uint32(f.varint("/droppedEventsCount"))
		case 13<<3 | tBytes:
			s.Links = appendMessage(&f, s.Links, "/links", d.link)
		case 14<<3 | tVarint:
			s.DroppedLinksCount = uint32(f.varint("/droppedLinksCount"))
		case 15<<3 | tBytes:
			optionalMessage(&f, &s.Status, &d.statuses, "/status", d.status)
		case 16<<3 | tFixed32:
			s.Flags = f.fixed32("/flags")
		}
	}
	return d.err
}

// event decodes a Span.Event (depth 5).
func (d *protoDecoder) event(b []byte, e *SpanEvent) error {
	if err := d.sizeAttributes(b, 3, &e.Attributes); err != nil {
		return err
	}
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 1<<3 | tFixed64:
			e.TimeUnixNano = f.fixed64("/timeUnixNano")
		case 2<<3 | tBytes:
			e.Name = f.str("/name")
		case 3<<3 | tBytes:
			e.Attributes = f.attribute(e.Attributes, 6)
		case 4<<3 | tVarint:
			e.DroppedAttributesCount = uint32(f.varint("/droppedAttributesCount"))
		}
	}
	return d.err
}

// link decodes a Span.Link (depth 5).
func (d *protoDecoder) link(b []byte, l *SpanLink) error {
	if err := d.sizeAttributes(b, 4, &l.Attributes); err != nil {
		return err
	}
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 1<<3 | tBytes:
			l.TraceID = f.id("/traceId")
		case 2<<3 | tBytes:
			l.SpanID = f.id("/spanId")
		case 3<<3 | tBytes:
			l.TraceState = f.str("/traceState")
		case 4<<3 | tBytes:
			l.Attributes = f.attribute(l.Attributes, 6)
		case 5<<3 | tVarint:
			l.DroppedAttributesCount = uint32(f.varint("/droppedAttributesCount"))
		case 6<<3 | tFixed32:
			l.Flags = f.fixed32("/flags")
		}
	}
	return d.err
}

// status decodes a Status (depth 5). Its field 1 is reserved.
func (d *protoDecoder) status(b []byte, s *Status) error {
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 2<<3 | tBytes:
			s.Message = f.str("/message")
		case 3<<3 | tVarint:
			s.Code = StatusCode(int32(f.varint("/code")))
		}
	}
	return d.err
}

// logRecord decodes a LogRecord (depth 4). Field 4 is reserved.
func (d *protoDecoder) logRecord(b []byte, r *LogRecord) error {
	if err := d.sizeAttributes(b, 6, &r.Attributes); err != nil {
		return err
	}
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 1<<3 | tFixed64:
			r.TimeUnixNano = f.fixed64("/timeUnixNano")
		case 2<<3 | tVarint:
			r.SeverityNumber = SeverityNumber(int32(f.varint("/severityNumber")))
		case 3<<3 | tBytes:
			r.SeverityText = f.str("/severityText")
		case 5<<3 | tBytes:
			f.message("/body", func(b []byte) error { return d.anyValue(b, &r.Body, 5, 1) })
		case 6<<3 | tBytes:
			r.Attributes = f.attribute(r.Attributes, 5)
		case 7<<3 | tVarint:
			r.DroppedAttributesCount = uint32(f.varint("/droppedAttributesCount"))
		case 8<<3 | tFixed32:
			r.Flags = f.fixed32("/flags")
		case 9<<3 | tBytes:
			r.TraceID = f.id("/traceId")
		case 10<<3 | tBytes:
			r.SpanID = f.id("/spanId")
		case 11<<3 | tFixed64:
			r.ObservedTimeUnixNano = f.fixed64("/observedTimeUnixNano")
		case 12<<3 | tBytes:
			r.EventName = f.str("/eventName")
		}
	}
	return d.err
}

// keyValue decodes a KeyValue of the given message depth whose value has
// the given value depth (1 for an attribute). Its key_strindex, a
// string-table index that only profiles use, is skipped.
func (d *protoDecoder) keyValue(b []byte, kv *KeyValue, depth, level int) error {
	if depth > maxMessageDepth {
		return d.fail(b, "", errTooDeep)
	}
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 1<<3 | tBytes:
			kv.Key = f.str("/key")
			f.checkLength(len(kv.Key), "/key")
		case 2<<3 | tBytes:
			if v, ok := f.bytes("/value"); ok {
				f.within(d.anyValue(v, &kv.Value, depth+1, level), "/value", -1)
			}
		}
	}
	return d.err
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
	f := d.fields(b)
	for f.next() || f.nextSlow() {
		switch f.tag {
		case 1<<3 | tBytes:
			s := f.str("/stringValue")
			f.checkLength(len(s), "/stringValue")
			resetAs(v, KindString)
			v.str = s
		case 2<<3 | tVarint:
			x := f.varint("/boolValue")
			resetAs(v, KindBool)
			if x != 0 {
				v.num = 1
			}
		case 3<<3 | tVarint:
			x := f.varint("/intValue")
			resetAs(v, KindInt)
			v.num = x
		case 4<<3 | tFixed64:
			x := f.fixed64("/doubleValue")
			resetAs(v, KindDouble)
			v.num = x
		case 5<<3 | tBytes:
			f.message("/arrayValue", func(b []byte) error { return d.arrayValue(b, v, depth+1, level) })
		case 6<<3 | tBytes:
			f.message("/kvlistValue", func(b []byte) error { return d.kvlistValue(b, v, depth+1, level) })
		case 7<<3 | tBytes:
			x, _ := f.bytes("/bytesValue")
			f.checkLength(len(x), "/bytesValue")
			resetAs(v, KindBytes)
			v.str = aliasString(x)
		case 8<<3 | tVarint:
			f.skip()
			resetAs(v, KindEmpty)
		}
	}
	return d.err
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

// arrayValue decodes an ArrayValue into v, appending its elements to v's
// if v is an array already.
func (d *protoDecoder) arrayValue(b []byte, v *Value, depth, level int) error {
	if v.kind != KindArray {
		resetAs(v, KindArray)
		v.list = d.composite(b)
	}
	return valueList(d, b, &v.list.arr, &d.values, depth, func(b []byte, e *Value) error {
		return d.anyValue(b, e, depth+1, level+1)
	})
}

// kvlistValue decodes a KeyValueList into v, appending its pairs to v's
// if v is a key-value list already.
func (d *protoDecoder) kvlistValue(b []byte, v *Value, depth, level int) error {
	if v.kind != KindKVList {
		resetAs(v, KindKVList)
		v.list = d.composite(b)
	}
	return valueList(d, b, &v.list.kvs, &d.kvs, depth, func(b []byte, kv *KeyValue) error {
		return d.keyValue(b, kv, depth+1, level+1)
	})
}

// composite returns the elements of a new array or key-value list value
// whose message is b, from the request's slab.
func (d *protoDecoder) composite(b []byte) *composite {
	return &d.composites.take(1, d.done(b), len(d.data))[0]
}

// valueList decodes an ArrayValue or a KeyValueList, whose elements are
// its field 1, appending them to *s.
func valueList[T any](d *protoDecoder, b []byte, s *[]T, sl *slab[T], depth int, decode func([]byte, *T) error) error {
	if depth > maxMessageDepth {
		return d.fail(b, "", errTooDeep)
	}
	if n, _, _ := countLen(b, 1, 0, 0); n > 0 {
		var err error
		if *s, err = grow(d, sl, *s, n, b, "/values"); err != nil {
			return err
		}
	}
	return list(d, b, s, "/values", decode)
}
