package otlp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// OTLP's JSON encoding is protobuf's JSON mapping with two deviations:
// trace and span ids are hex rather than base64, and enums are integers.
// The decoder below reads what OTLP specifies and, like a generic proto3
// JSON parser (protojson), also what a lenient sender may write instead:
//
//   - member names in lowerCamelCase or as the snake_case proto names;
//   - 64-bit and 32-bit integers as numbers or decimal strings, in any
//     JSON number form whose value is an integer ("1e3", "10.0");
//   - enums as integers or by their value names ("SPAN_KIND_SERVER");
//   - doubles as numbers or strings, "NaN", "Infinity" and "-Infinity"
//     included;
//   - bytesValue in standard or URL-safe base64, padded or not;
//   - ids as hex of either case;
//   - null for any member, which counts as absent;
//   - the instrumentationLibrarySpans and instrumentationLibraryLogs lists
//     (with instrumentationLibrary for the scope) that exporters sent
//     before OTLP 0.15; they are read as if they were scopeSpans and
//     scopeLogs that came after the real ones.
//
// Unknown members are skipped. A member that appears twice is read as a
// protobuf decoder reads a repeated field number, so both encodings agree:
// a later scalar replaces an earlier one, a later list is appended to an
// earlier one and a later message (resource, scope, status) is merged into
// an earlier one; of AnyValue's members the last one wins, as in a
// protobuf oneof, and the same arrayValue or kvlistValue twice merges.
//
// JSON nested more than 10,000 deep is invalid, as jsontext has it and as
// protobuf messages nested more than 10,000 deep are. That also bounds
// the recursion through nested array and key-value list values when
// Limits.MaxDepth is 0: a level of value is three levels of JSON, so
// there are at most 3,333 levels of calls.
//
// The decoder works over jsontext tokens rather than reflection, and keeps
// allocations per request rather than per item: strings without escapes
// alias the input; ids, bytes and unescaped strings are carved out of a
// growing byte arena; and as JSON does not say how long a list is, every
// list of spans, log records, events, links, attributes or values is
// gathered on a stack, which pooled decoders keep from request to request,
// and then copied once into a slice of exactly its length (attribute
// lists and array elements into slabs shared by the request).

// decodeTracesJSON decodes an ExportTraceServiceRequest in OTLP JSON.
func decodeTracesJSON(data []byte, l *Limits) (*Traces, error) {
	return jsonRequest(data, l, fResourceSpans, func(d *jsonDecoder, t *Traces) error {
		return d.resourceSpansList(&t.ResourceSpans)
	})
}

// decodeLogsJSON decodes an ExportLogsServiceRequest in OTLP JSON.
func decodeLogsJSON(data []byte, l *Limits) (*Logs, error) {
	return jsonRequest(data, l, fResourceLogs, func(d *jsonDecoder, t *Logs) error {
		return d.resourceLogsList(&t.ResourceLogs)
	})
}

// jsonRequest decodes a request, whose one member is its list of
// resources, read by read.
func jsonRequest[T any](data []byte, l *Limits, resources jsonField, read func(*jsonDecoder, *T) error) (*T, error) {
	d := getJSONDecoder(data, l)
	defer putJSONDecoder(d)
	t := new(T)
	err := d.document(func(id jsonField) error {
		if id == resources {
			return read(d, t)
		}
		return errJSONSkip
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// jsonOptions: OTLP messages come from protobuf, where a member
// repeated is legal (see above), and tracking names to reject duplicates
// would cost time on every object.
var jsonOptions = jsontext.AllowDuplicateNames(true)

type jsonDecoder struct {
	dec jsontext.Decoder
	rd  bytes.Buffer // jsontext reads a bytes.Buffer in place
	lim Limits

	spans, records int // seen so far, for MaxSpans and MaxLogRecords

	// arena is the current chunk that ids, bytes and unescaped strings
	// are carved from; a full chunk is left to what was carved from it.
	arena []byte
	// kvSlab and valSlab are the chunks attribute lists and array
	// elements are copied into.
	kvSlab  []KeyValue
	valSlab []Value
	// statusSlab and scopeSlab hold the messages that the model points to.
	statusSlab []Status
	scopeSlab  []Scope

	// The stacks gather a list of unknown length; nested lists of the
	// same type push above their parent's elements.
	kvStack    []KeyValue
	valStack   []Value
	spanStack  []Span
	eventStack []SpanEvent
	linkStack  []SpanLink
	logStack   []LogRecord

	path    []string // the segments of an error's path, innermost first
	key     []byte   // an unescaped member name
	scratch []byte   // a value unescaped for further decoding
	data    []byte
}

// Decoders are pooled for their stacks, which would otherwise grow anew,
// copying, for every request.
var jsonDecoders = sync.Pool{New: func() any { return new(jsonDecoder) }}

func getJSONDecoder(data []byte, l *Limits) *jsonDecoder {
	d := jsonDecoders.Get().(*jsonDecoder)
	d.rd = *bytes.NewBuffer(data)
	d.dec.Reset(&d.rd, jsonOptions)
	d.data = data
	if l != nil {
		d.lim = *l
	}
	return d
}

// jsonMaxPooledStack is the capacity beyond which a stack is not kept for
// the next request, so that one huge request does not pin its memory.
const jsonMaxPooledStack = 1 << 12

// putJSONDecoder returns a decoder to the pool holding nothing of the
// request: the stacks are empty and cleared already, and what was carved
// from the arena and slabs now belongs to the result.
func putJSONDecoder(d *jsonDecoder) {
	d.rd = bytes.Buffer{}
	d.dec.Reset(&d.rd)
	*d = jsonDecoder{
		kvStack:    jsonPoolable(d.kvStack),
		valStack:   jsonPoolable(d.valStack),
		spanStack:  jsonPoolable(d.spanStack),
		eventStack: jsonPoolable(d.eventStack),
		linkStack:  jsonPoolable(d.linkStack),
		logStack:   jsonPoolable(d.logStack),
		key:        d.key[:0],
		scratch:    jsonPoolable(d.scratch),
		dec:        d.dec,
	}
	jsonDecoders.Put(d)
}

func jsonPoolable[T any](s []T) []T {
	if cap(s) > jsonMaxPooledStack {
		return nil
	}
	return s[:0]
}

// errJSONSkip tells document and the object readers that a member is not one
// the caller reads, so its value is skipped.
var errJSONSkip = errors.New("skip")

// document reads the top-level object, handing each member to fn, and
// makes sure nothing but white space follows it.
func (d *jsonDecoder) document(fn func(jsonField) error) error {
	if d.dec.PeekKind() != '{' {
		return d.expected("an object")
	}
	if err := d.object(fn); err != nil {
		return d.withPath(err)
	}
	end := d.dec.InputOffset()
	if _, err := d.dec.ReadToken(); err != io.EOF {
		if err != nil {
			return d.syntax(err)
		}
		end += int64(len(d.data[end:]) - len(bytes.TrimLeft(d.data[end:], " \t\r\n")))
		return d.invalidAt(end, errors.New("data after the top-level object"))
	}
	return nil
}

// object reads an object (or null, which is absent), handing each member
// name to fn, which reads its value or returns errJSONSkip to skip it. Errors
// get the member's name as their path prefix.
func (d *jsonDecoder) object(fn func(jsonField) error) error {
	return d.members(true, fn)
}

// message reads one element of a list of messages, which must be an
// object: protobuf has no null element.
func (d *jsonDecoder) message(fn func(jsonField) error) error {
	return d.members(false, fn)
}

func (d *jsonDecoder) members(nullable bool, fn func(jsonField) error) error {
	switch d.dec.PeekKind() {
	case '{':
	case 'n':
		if nullable {
			return d.null()
		}
		fallthrough
	default:
		return d.expected("an object")
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return d.syntax(err)
	}
	for {
		if d.dec.PeekKind() == '}' {
			if _, err := d.dec.ReadToken(); err != nil {
				return d.syntax(err)
			}
			return nil
		}
		v, err := d.dec.ReadValue()
		if err != nil {
			return d.syntax(err)
		}
		// No name the decoder knows has an escape in its plain form, so
		// only unknown names need unescaping, which they nearly never do.
		name := v[1 : len(v)-1]
		id := jsonFieldOf(name)
		if id == fUnknown && bytes.IndexByte(name, '\\') >= 0 {
			d.key, _ = jsontext.AppendUnquote(d.key[:0], v) // valid: jsontext checked it
			name = d.key
			id = jsonFieldOf(name)
		}
		err = errJSONSkip
		if id != fUnknown {
			err = fn(id)
		}
		if err == errJSONSkip {
			err = d.skip()
		}
		if err != nil {
			if id == fUnknown {
				return d.at(err, "/"+jsonEscapePointer(string(name)))
			}
			return d.at(err, jsonFieldNames[id])
		}
	}
}

// list reads an array (or null, which is absent), calling elem for each
// element with its index. Errors get the index as their path prefix,
// except those of check, which is called before each element to enforce
// a limit on the list's length and so reports the list.
func (d *jsonDecoder) list(check, elem func(i int) error) error {
	switch d.dec.PeekKind() {
	case 'n':
		return d.null()
	case '[':
	default:
		return d.expected("an array")
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return d.syntax(err)
	}
	for i := 0; ; i++ {
		if d.dec.PeekKind() == ']' {
			if _, err := d.dec.ReadToken(); err != nil {
				return d.syntax(err)
			}
			return nil
		}
		if check != nil {
			if err := check(i); err != nil {
				return err
			}
		}
		if err := elem(i); err != nil {
			return d.at(err, "/"+strconv.Itoa(i))
		}
	}
}

func (d *jsonDecoder) null() error {
	if _, err := d.dec.ReadToken(); err != nil {
		return d.syntax(err)
	}
	return nil
}

func (d *jsonDecoder) skip() error {
	if err := d.dec.SkipValue(); err != nil {
		return d.syntax(err)
	}
	return nil
}

// syntax turns an error of jsontext into a DecodeError.
func (d *jsonDecoder) syntax(err error) error {
	off := d.dec.InputOffset()
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		off = se.ByteOffset
	}
	if err == io.EOF { // nothing but white space
		off, err = int64(len(d.data)), io.ErrUnexpectedEOF
	}
	return &DecodeError{Encoding: JSON, Offset: off, Err: err}
}

func (d *jsonDecoder) invalidAt(off int64, err error) error {
	return &DecodeError{Encoding: JSON, Offset: off, Err: err}
}

// invalid reports a value just read that is not what its member holds.
func (d *jsonDecoder) invalid(raw []byte, format string, args ...any) error {
	return d.invalidAt(d.dec.InputOffset()-int64(len(raw)), fmt.Errorf(format, args...))
}

// expected reports that the next value is of the wrong kind.
func (d *jsonDecoder) expected(what string) error {
	v, err := d.dec.ReadValue()
	if err != nil {
		return d.syntax(err)
	}
	return d.invalid(v, "expected %s, got %s", what, jsonKindName(v))
}

// jsonShort returns a value for an error message, cut short if it is
// long: an error must not cost the size of a hostile input.
func jsonShort(v jsontext.Value) []byte {
	const n = 64
	if len(v) <= n {
		return v
	}
	return append(v[:n:n], "..."...)
}

func jsonKindName(v jsontext.Value) string {
	switch v.Kind() {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "invalid JSON"
}

// at records seg as the next outer segment of the path of err, as an
// error unwinds through the levels of the message; document joins them
// when the error leaves the decoder, so paths cost nothing unless there
// is an error, and time linear in their length when there is.
func (d *jsonDecoder) at(err error, seg string) error {
	d.path = append(d.path, seg)
	return err
}

// withPath sets the path of an error leaving the decoder.
func (d *jsonDecoder) withPath(err error) error {
	var b strings.Builder
	for i := len(d.path) - 1; i >= 0; i-- {
		b.WriteString(d.path[i])
	}
	switch e := err.(type) {
	case *DecodeError:
		e.Path = b.String()
	case *LimitError:
		e.Path = b.String()
	}
	return err
}

// jsonEscapePointer escapes a member name for a JSON pointer (RFC 6901).
func jsonEscapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func (d *jsonDecoder) limit(name string, value, max int) error {
	return &LimitError{Limit: name, Value: int64(value), Max: int64(max)}
}

// The readers of scalar members read the value whole, null included,
// which leaves *p as it was, and then check its kind: one call into
// jsontext per value.

// scalar reads a member's value and reports whether it is present, that
// is not null. Any value is read, so that a caller that wants a string
// and finds an object can report it.
func (d *jsonDecoder) scalar() (v jsontext.Value, present bool, err error) {
	v, err = d.dec.ReadValue()
	if err != nil {
		return nil, false, d.syntax(err)
	}
	return v, v[0] != 'n', nil
}

// mismatch reports a value of the wrong kind.
func (d *jsonDecoder) mismatch(v jsontext.Value, want string) error {
	return d.invalid(v, "expected %s, got %s", want, jsonKindName(v))
}

func (d *jsonDecoder) str(p *string) error {
	v, ok, err := d.scalar()
	if ok {
		*p, err = d.toString(v)
	}
	return err
}

func (d *jsonDecoder) id(p *[]byte) error {
	v, ok, err := d.scalar()
	if ok {
		*p, err = d.toID(v)
	}
	return err
}

func (d *jsonDecoder) u64(p *uint64) error {
	v, ok, err := d.scalar()
	if ok {
		*p, err = d.toInteger(v, false, 64)
	}
	return err
}

func (d *jsonDecoder) u32(p *uint32) error {
	v, ok, err := d.scalar()
	if ok {
		var n uint64
		n, err = d.toInteger(v, false, 32)
		*p = uint32(n)
	}
	return err
}

// enum reads an enum member: an int32, or the name of one of its values,
// names[i] being the name of value i.
func (d *jsonDecoder) enum(p *int32, names []string) error {
	v, ok, err := d.scalar()
	if !ok {
		return err
	}
	if v[0] == '"' {
		name := d.unquoteBytes(v)
		for i, s := range names {
			if s == string(name) {
				*p = int32(i)
				return nil
			}
		}
		return d.invalid(v, "unknown enum value %s", jsonShort(v))
	}
	n, err := d.toInteger(v, true, 32)
	*p = int32(n)
	return err
}

// toString returns a string value's text, aliasing the input when it has
// no escapes, which is nearly always.
func (d *jsonDecoder) toString(v jsontext.Value) (string, error) {
	if v[0] != '"' {
		return "", d.mismatch(v, "a string")
	}
	raw := v[1 : len(v)-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return aliasString(raw), nil
	}
	// The text is at most as long as its escaped form.
	b := d.alloc(len(raw))
	b, _ = jsontext.AppendUnquote(b[:0], v) // valid: jsontext checked it
	return aliasString(b), nil
}

// unquoteBytes returns a string value's text for decoding further (ids,
// base64, numbers), which needs no copy of its own: escaped text goes to
// scratch space.
func (d *jsonDecoder) unquoteBytes(v jsontext.Value) []byte {
	raw := v[1 : len(v)-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw
	}
	d.scratch, _ = jsontext.AppendUnquote(d.scratch[:0], v)
	return d.scratch
}

// alloc carves n bytes out of the arena. The slice's capacity is n, so an
// append to it cannot run into what is carved next.
func (d *jsonDecoder) alloc(n int) []byte {
	if cap(d.arena)-len(d.arena) < n {
		size := 2 * cap(d.arena)
		size = max(min(size, 64<<10), 1<<10, n)
		d.arena = make([]byte, 0, size)
	}
	start := len(d.arena)
	d.arena = d.arena[:start+n]
	return d.arena[start : start+n : start+n]
}

// toID decodes a trace or span id: hex, in either case, as OTLP's JSON
// encoding has it. An empty string is an empty id.
func (d *jsonDecoder) toID(v jsontext.Value) ([]byte, error) {
	if v[0] != '"' {
		return nil, d.mismatch(v, "a hex string")
	}
	src := d.unquoteBytes(v)
	if len(src) == 0 {
		return nil, nil
	}
	if len(src)%2 != 0 {
		return nil, d.invalid(v, "id %s is an odd number of hex digits", jsonShort(v))
	}
	dst := d.alloc(len(src) / 2)
	for i := range dst {
		hi, lo := jsonUnhex[src[2*i]], jsonUnhex[src[2*i+1]]
		if hi|lo == 0xff {
			return nil, d.invalid(v, "id %s is not hex", jsonShort(v))
		}
		dst[i] = hi<<4 | lo
	}
	return dst, nil
}

// jsonUnhex maps hex digits of either case to their values and everything
// else to 0xff.
var jsonUnhex = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return t
}()

// toInteger decodes an integer of bits bits: a JSON number or decimal
// string whose value is an integer in range.
func (d *jsonDecoder) toInteger(v jsontext.Value, signed bool, bits int) (uint64, error) {
	raw := []byte(v)
	switch v.Kind() {
	case '"':
		raw = d.unquoteBytes(v)
	case '0':
	default:
		return 0, d.mismatch(v, "a number")
	}
	n, ok := parseJSONInteger(raw, signed, bits)
	if !ok {
		kind := "a uint"
		if signed {
			kind = "an int"
		}
		return 0, d.invalid(v, "%s is not %s%d", jsonShort(v), kind, bits)
	}
	return n, nil
}

// parseJSONInteger parses text in JSON number form whose value is an integer
// that fits bits bits. It follows protojson: a fraction or exponent is
// fine when the value is integral ("1.0", "1e3", "-0"), but not more than
// 20 digits before any leading zeros are dropped.
func parseJSONInteger(s []byte, signed bool, bits int) (uint64, bool) {
	if n, ok := jsonPlainInteger(s); ok {
		return n, bits == 64 || signed && n <= math.MaxInt32 || !signed && n <= math.MaxUint32
	}
	neg, intp, frac, exp, ok := jsonNumberParts(s)
	if !ok {
		return 0, false
	}
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(intp) == 0 && len(frac) == 0 {
		return 0, true
	}
	e := 0
	if len(exp) > 0 {
		x, err := strconv.ParseInt(aliasString(exp), 10, 32)
		if err != nil {
			return 0, false
		}
		e = int(x)
	}
	// The value is digits × 10^(e - len(frac)), with digits = intp frac.
	var buf [20]byte
	var digits []byte
	if e >= 0 {
		if len(frac) > e || len(intp)+e > len(buf) {
			return 0, false
		}
		digits = append(append(buf[:0], intp...), frac...)
		for range e - len(frac) {
			digits = append(digits, '0')
		}
	} else {
		if len(frac) > 0 {
			return 0, false
		}
		cut := len(intp) + e
		if cut < 0 {
			return 0, false
		}
		for _, c := range intp[cut:] {
			if c != '0' {
				return 0, false
			}
		}
		digits = intp[:cut]
	}
	var n uint64
	for _, c := range digits {
		if n > math.MaxUint64/10 {
			return 0, false
		}
		n *= 10
		if n+uint64(c-'0') < n {
			return 0, false
		}
		n += uint64(c - '0')
	}
	if !signed {
		if neg && n != 0 {
			return 0, false
		}
		return n, bits == 64 || n <= math.MaxUint32
	}
	limit := uint64(1) << (bits - 1) // the magnitude of the most negative value
	if neg {
		if n > limit {
			return 0, false
		}
		return -n, true
	}
	return n, n < limit
}

// jsonPlainInteger parses the form nearly all integers take: up to 18
// digits without a leading zero, which cannot overflow.
func jsonPlainInteger(s []byte) (uint64, bool) {
	if len(s) == 0 || len(s) > 18 || s[0] == '0' {
		return 0, false
	}
	var n uint64
	for _, c := range s {
		if !isJSONDigit(c) {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// jsonNumberParts splits text in JSON number form into its sign, integer
// digits without a leading zero, fraction digits and exponent (with its
// sign), and reports whether all of s is such a number.
func jsonNumberParts(s []byte) (neg bool, intp, frac, exp []byte, ok bool) {
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	switch {
	case len(s) == 0:
		return
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		n := 1
		for n < len(s) && isJSONDigit(s[n]) {
			n++
		}
		intp, s = s[:n], s[n:]
	default:
		return
	}
	if len(s) > 0 && s[0] == '.' {
		n := 1
		for n < len(s) && isJSONDigit(s[n]) {
			n++
		}
		if n == 1 {
			return
		}
		frac, s = s[1:n], s[n:]
	}
	if len(s) > 0 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		n := 0
		if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
			n++
		}
		m := n
		for n < len(s) && isJSONDigit(s[n]) {
			n++
		}
		if n == m {
			return
		}
		exp, s = s[:n], s[n:]
	}
	return neg, intp, frac, exp, len(s) == 0
}

func isJSONDigit(c byte) bool { return '0' <= c && c <= '9' }

// toDouble decodes a double: a JSON number, or a string holding one or
// "NaN", "Infinity" or "-Infinity". Numbers beyond float64 are invalid,
// as they are for protojson.
func (d *jsonDecoder) toDouble(v jsontext.Value) (float64, error) {
	raw := []byte(v)
	switch v.Kind() {
	case '"':
		raw = d.unquoteBytes(v)
		switch string(raw) {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		if _, _, _, _, ok := jsonNumberParts(raw); !ok {
			return 0, d.invalid(v, "%s is not a double", jsonShort(v))
		}
	case '0':
	default:
		return 0, d.mismatch(v, "a number")
	}
	f, err := strconv.ParseFloat(aliasString(raw), 64)
	if err != nil {
		return 0, d.invalid(v, "%s is not a double", jsonShort(v))
	}
	return f, nil
}

// toBytes decodes a bytes value: base64 with the standard or URL-safe
// alphabet, padded or not, as protojson reads it.
func (d *jsonDecoder) toBytes(v jsontext.Value) ([]byte, error) {
	if v[0] != '"' {
		return nil, d.mismatch(v, "a base64 string")
	}
	src := d.unquoteBytes(v)
	enc := jsonBase64[0]
	if bytes.ContainsAny(src, "-_") {
		enc = jsonBase64[1]
	}
	if len(src)%4 != 0 {
		enc = jsonBase64[2+enc.index]
	}
	dst := d.alloc(enc.DecodedLen(len(src)))
	n, err := enc.Decode(dst, src)
	if err != nil {
		return nil, d.invalid(v, "bytesValue is not base64: %v", err)
	}
	return dst[:n:n], nil
}

// jsonBase64 are the alphabets standard and URL-safe, padded and not.
var jsonBase64 = [4]struct {
	*base64.Encoding
	index int // of the padded form's alphabet
}{
	{base64.StdEncoding, 0},
	{base64.URLEncoding, 1},
	{base64.RawStdEncoding, 0},
	{base64.RawURLEncoding, 1},
}

// The messages.

// The trace and logs requests nest alike: a request holds resources, a
// resource holds scopes and a scope holds items, spans or log records.
// The levels differ only in the types of their lists, so one generic
// reader of each level serves both, given the list and how to read it.

// jsonMessages reads a list of messages, appending each element to *p
// before read reads it: for the few resources and scopes, which need no
// stack. Nothing appends to *p while an element is read, so it stays put.
func jsonMessages[T any](d *jsonDecoder, p *[]T, read func(*T) error) error {
	return d.list(nil, func(int) error {
		*p = append(*p, *new(T))
		return read(&(*p)[len(*p)-1])
	})
}

// jsonResource reads a ResourceSpans or ResourceLogs, whose scopes are
// the member scopesID, and the legacy member legacyID, read by scopeList.
// The legacy list is allocated when it occurs, which is seldom: as
// scopeList is a function value, a list on the stack would escape.
func jsonResource[S any](d *jsonDecoder, r *Resource, schemaURL *string, scopes *[]S, scopesID, legacyID jsonField, scopeList func(*[]S) error) error {
	var legacy *[]S
	err := d.message(func(id jsonField) error {
		switch id {
		case fResource:
			return d.resource(r)
		case scopesID:
			return scopeList(scopes)
		case legacyID:
			if legacy == nil {
				legacy = new([]S)
			}
			return scopeList(legacy)
		case fSchemaURL:
			return d.str(schemaURL)
		}
		return errJSONSkip
	})
	if legacy != nil {
		*scopes = append(*scopes, *legacy...)
	}
	return err
}

// jsonScope reads a ScopeSpans or ScopeLogs, whose items are the member
// itemsID, read by itemList.
func jsonScope[I any](d *jsonDecoder, scope **Scope, schemaURL *string, items *[]I, itemsID jsonField, itemList func(*[]I) error) error {
	return d.message(func(id jsonField) error {
		switch id {
		case fScope, fInstrumentationLibrary:
			return d.scope(scope)
		case itemsID:
			return itemList(items)
		case fSchemaURL:
			return d.str(schemaURL)
		}
		return errJSONSkip
	})
}

func (d *jsonDecoder) resourceSpansList(p *[]ResourceSpans) error {
	return jsonMessages(d, p, func(rs *ResourceSpans) error {
		return jsonResource(d, &rs.Resource, &rs.SchemaURL, &rs.ScopeSpans, fScopeSpans, fInstrumentationLibrarySpans, d.scopeSpansList)
	})
}

func (d *jsonDecoder) scopeSpansList(p *[]ScopeSpans) error {
	return jsonMessages(d, p, func(ss *ScopeSpans) error {
		return jsonScope(d, &ss.Scope, &ss.SchemaURL, &ss.Spans, fSpans, d.spanList)
	})
}

func (d *jsonDecoder) resourceLogsList(p *[]ResourceLogs) error {
	return jsonMessages(d, p, func(rl *ResourceLogs) error {
		return jsonResource(d, &rl.Resource, &rl.SchemaURL, &rl.ScopeLogs, fScopeLogs, fInstrumentationLibraryLogs, d.scopeLogsList)
	})
}

func (d *jsonDecoder) scopeLogsList(p *[]ScopeLogs) error {
	return jsonMessages(d, p, func(sl *ScopeLogs) error {
		return jsonScope(d, &sl.Scope, &sl.SchemaURL, &sl.LogRecords, fLogRecords, d.logRecords)
	})
}

func (d *jsonDecoder) resource(r *Resource) error {
	return d.object(func(id jsonField) error {
		switch id {
		case fAttributes:
			return d.attributes(&r.Attributes)
		case fDroppedAttributesCount:
			return d.u32(&r.DroppedAttributesCount)
		}
		return errJSONSkip
	})
}

// jsonOptional reads a message that the model points to, *p, which stays
// nil while its member is absent or null. The member's first occurrence
// takes the message from a chunk of the slab, and a later one merges into
// it, as in protobuf.
func jsonOptional[T any](d *jsonDecoder, p **T, slab *[]T, chunk int, member func(*T, jsonField) error) error {
	if d.dec.PeekKind() == 'n' {
		return d.null()
	}
	if *p == nil {
		if len(*slab) == cap(*slab) {
			*slab = make([]T, 0, chunk)
		}
		*slab = (*slab)[:len(*slab)+1]
		*p = &(*slab)[len(*slab)-1]
	}
	m := *p
	return d.object(func(id jsonField) error { return member(m, id) })
}

// scope reads an InstrumentationScope, or the InstrumentationLibrary of
// legacy requests, which has the same first fields. Present, even empty,
// it is a non-nil Scope, as protobuf decoding gives.
func (d *jsonDecoder) scope(p **Scope) error {
	return jsonOptional(d, p, &d.scopeSlab, 16, d.scopeMember)
}

func (d *jsonDecoder) scopeMember(s *Scope, id jsonField) error {
	switch id {
	case fName:
		return d.str(&s.Name)
	case fVersion:
		return d.str(&s.Version)
	case fAttributes:
		return d.attributes(&s.Attributes)
	case fDroppedAttributesCount:
		return d.u32(&s.DroppedAttributesCount)
	}
	return errJSONSkip
}

// status reads a span's Status; present, even empty, it is non-nil.
func (d *jsonDecoder) status(p **Status) error {
	return jsonOptional(d, p, &d.statusSlab, 64, d.statusMember)
}

func (d *jsonDecoder) statusMember(s *Status, id jsonField) error {
	switch id {
	case fMessage:
		return d.str(&s.Message)
	case fCode:
		return d.enum((*int32)(&s.Code), jsonStatusCodeNames)
	}
	return errJSONSkip
}

// The enum value names, indexed by value, as protojson accepts them.
var (
	jsonSpanKindNames = []string{
		"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
		"SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER",
	}
	jsonStatusCodeNames = []string{"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"}
	jsonSeverityNames   = func() []string {
		names := []string{"SEVERITY_NUMBER_UNSPECIFIED"}
		for _, level := range []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"} {
			names = append(names, "SEVERITY_NUMBER_"+level)
			for i := 2; i <= 4; i++ {
				names = append(names, "SEVERITY_NUMBER_"+level+strconv.Itoa(i))
			}
		}
		return names
	}()
)

// jsonStacked reads a list of messages, gathering it on stack and then
// appending it to *p (see jsonAppendStack). check, if not nil, is called
// before each element; member reads a member of an element. Nothing that
// member reads pushes onto the same stack, so an element stays put while
// it is read.
func jsonStacked[T any](d *jsonDecoder, p *[]T, stack *[]T, check func(int) error, member func(*T, jsonField) error) error {
	base := len(*stack)
	err := d.list(check, func(int) error {
		*stack = append(*stack, *new(T))
		e := &(*stack)[len(*stack)-1]
		return d.message(func(id jsonField) error { return member(e, id) })
	})
	*p = jsonAppendStack(*p, *stack, base)
	jsonTruncate(stack, base)
	return err
}

// jsonAppendStack appends stack[base:] to dst, allocating dst's array at the
// exact size when dst is empty, which it is unless a member repeats.
func jsonAppendStack[T any](dst, stack []T, base int) []T {
	n := len(stack) - base
	if n == 0 {
		return dst
	}
	if dst == nil {
		dst = make([]T, 0, n)
	}
	return append(dst, stack[base:]...)
}

// jsonTruncate pops the stack down to base, clearing what it held, which
// now belongs to the result and must not be kept alive by the pool.
func jsonTruncate[T any](stack *[]T, base int) {
	clear((*stack)[base:])
	*stack = (*stack)[:base]
}

// countItems returns the check of a list of spans or log records: their
// count so far, *n, within max, the limit named limit.
func (d *jsonDecoder) countItems(n *int, limit string, max int) func(int) error {
	return func(int) error {
		if max > 0 && *n >= max {
			return d.limit(limit, *n+1, max)
		}
		*n++
		return nil
	}
}

func (d *jsonDecoder) spanList(p *[]Span) error {
	return jsonStacked(d, p, &d.spanStack, d.countItems(&d.spans, "MaxSpans", d.lim.MaxSpans), d.span)
}

func (d *jsonDecoder) span(s *Span, id jsonField) error {
	switch id {
	case fTraceID:
		return d.id(&s.TraceID)
	case fSpanID:
		return d.id(&s.SpanID)
	case fTraceState:
		return d.str(&s.TraceState)
	case fParentSpanID:
		return d.id(&s.ParentSpanID)
	case fFlags:
		return d.u32(&s.Flags)
	case fName:
		return d.str(&s.Name)
	case fKind:
		return d.enum((*int32)(&s.Kind), jsonSpanKindNames)
	case fStartTimeUnixNano:
		return d.u64(&s.StartTimeUnixNano)
	case fEndTimeUnixNano:
		return d.u64(&s.EndTimeUnixNano)
	case fAttributes:
		return d.attributes(&s.Attributes)
	case fDroppedAttributesCount:
		return d.u32(&s.DroppedAttributesCount)
	case fEvents:
		return jsonStacked(d, &s.Events, &d.eventStack, nil, d.event)
	case fDroppedEventsCount:
		return d.u32(&s.DroppedEventsCount)
	case fLinks:
		return jsonStacked(d, &s.Links, &d.linkStack, nil, d.link)
	case fDroppedLinksCount:
		return d.u32(&s.DroppedLinksCount)
	case fStatus:
		return d.status(&s.Status)
	}
	return errJSONSkip
}

func (d *jsonDecoder) event(e *SpanEvent, id jsonField) error {
	switch id {
	case fTimeUnixNano:
		return d.u64(&e.TimeUnixNano)
	case fName:
		return d.str(&e.Name)
	case fAttributes:
		return d.attributes(&e.Attributes)
	case fDroppedAttributesCount:
		return d.u32(&e.DroppedAttributesCount)
	}
	return errJSONSkip
}

func (d *jsonDecoder) link(k *SpanLink, id jsonField) error {
	switch id {
	case fTraceID:
		return d.id(&k.TraceID)
	case fSpanID:
		return d.id(&k.SpanID)
	case fTraceState:
		return d.str(&k.TraceState)
	case fAttributes:
		return d.attributes(&k.Attributes)
	case fDroppedAttributesCount:
		return d.u32(&k.DroppedAttributesCount)
	case fFlags:
		return d.u32(&k.Flags)
	}
	return errJSONSkip
}

func (d *jsonDecoder) logRecords(p *[]LogRecord) error {
	return jsonStacked(d, p, &d.logStack, d.countItems(&d.records, "MaxLogRecords", d.lim.MaxLogRecords), d.logRecord)
}

func (d *jsonDecoder) logRecord(r *LogRecord, id jsonField) error {
	switch id {
	case fTimeUnixNano:
		return d.u64(&r.TimeUnixNano)
	case fObservedTimeUnixNano:
		return d.u64(&r.ObservedTimeUnixNano)
	case fSeverityNumber:
		return d.enum((*int32)(&r.SeverityNumber), jsonSeverityNames)
	case fSeverityText:
		return d.str(&r.SeverityText)
	case fBody:
		return d.anyValue(&r.Body, 1)
	case fAttributes:
		return d.attributes(&r.Attributes)
	case fDroppedAttributesCount:
		return d.u32(&r.DroppedAttributesCount)
	case fFlags:
		return d.u32(&r.Flags)
	case fTraceID:
		return d.id(&r.TraceID)
	case fSpanID:
		return d.id(&r.SpanID)
	case fEventName:
		return d.str(&r.EventName)
	}
	return errJSONSkip
}

// maxAttributes returns the check of MaxAttributes for a list that has
// n elements already, from an earlier occurrence of its member.
func (d *jsonDecoder) maxAttributes(n int) func(int) error {
	if d.lim.MaxAttributes <= 0 {
		return nil
	}
	return func(i int) error {
		if n+i >= d.lim.MaxAttributes {
			return d.limit("MaxAttributes", n+i+1, d.lim.MaxAttributes)
		}
		return nil
	}
}

// checkLength checks a string or bytes value of n bytes against
// MaxValueLength.
func (d *jsonDecoder) checkLength(n int) error {
	if d.lim.MaxValueLength > 0 && n > d.lim.MaxValueLength {
		return d.limit("MaxValueLength", n, d.lim.MaxValueLength)
	}
	return nil
}

// jsonSlabbed reads a list of attributes or array elements, which read
// returns one by one, gathering it on stack and then appending it to *p
// through a chunk of the slab, of lo to hi elements. The elements are
// read into a variable and pushed whole, since what read reads may push
// onto the same stack.
func jsonSlabbed[T any](d *jsonDecoder, p *[]T, stack, slab *[]T, lo, hi int, read func() (T, error)) error {
	base := len(*stack)
	err := d.list(d.maxAttributes(len(*p)), func(int) error {
		e, err := read()
		if err != nil {
			return err
		}
		*stack = append(*stack, e)
		return nil
	})
	if n := len(*stack) - base; n > 0 {
		if cap(*slab)-len(*slab) < n {
			*slab = make([]T, 0, max(min(2*cap(*slab), hi), lo, n))
		}
		start := len(*slab)
		*slab = append(*slab, (*stack)[base:]...)
		es := (*slab)[start:len(*slab):len(*slab)]
		if *p == nil {
			*p = es
		} else {
			*p = append(*p, es...)
		}
	}
	jsonTruncate(stack, base)
	return err
}

// attributes reads a list of KeyValue; values are at depth 1.
func (d *jsonDecoder) attributes(p *[]KeyValue) error {
	return d.keyValues(p, 1)
}

// keyValues reads a list of KeyValue whose values are at the given depth:
// attributes, or the values of a kvlistValue.
func (d *jsonDecoder) keyValues(p *[]KeyValue, depth int) error {
	return jsonSlabbed(d, p, &d.kvStack, &d.kvSlab, 64, 4096, func() (KeyValue, error) {
		var kv KeyValue
		err := d.message(func(id jsonField) error {
			switch id {
			case fKey:
				if err := d.str(&kv.Key); err != nil {
					return err
				}
				return d.checkLength(len(kv.Key))
			case fValue:
				return d.anyValue(&kv.Value, depth)
			}
			return errJSONSkip
		})
		return kv, err
	})
}

// values reads the elements of an arrayValue.
func (d *jsonDecoder) values(p *[]Value, depth int) error {
	return jsonSlabbed(d, p, &d.valStack, &d.valSlab, 32, 1024, func() (Value, error) {
		if d.dec.PeekKind() == 'n' {
			return Value{}, d.expected("an object")
		}
		var v Value
		err := d.anyValue(&v, depth)
		return v, err
	})
}

// anyValue reads an AnyValue at the given depth, 1 for an attribute's
// value or a log body, merging with what v holds (see the top of the
// file). An object with no member set is an empty value.
func (d *jsonDecoder) anyValue(v *Value, depth int) error {
	if d.lim.MaxDepth > 0 && depth > d.lim.MaxDepth && d.dec.PeekKind() == '{' {
		return d.limit("MaxDepth", depth, d.lim.MaxDepth)
	}
	return d.object(func(id jsonField) error {
		switch id {
		case fStringValue, fBoolValue, fIntValue, fDoubleValue, fBytesValue:
			val, ok, err := d.scalar()
			if !ok {
				return err
			}
			return d.scalarValue(v, id, val)
		case fArrayValue:
			if d.dec.PeekKind() == 'n' {
				return d.null()
			}
			vs := v.Array() // a repeated member merges, as in protobuf
			if err := d.valuesObject(func() error { return d.values(&vs, depth+1) }); err != nil {
				return err
			}
			if v.kind == KindArray && v.list != nil {
				v.list.arr = vs
			} else {
				*v = Value{kind: KindArray, list: &composite{arr: vs}}
			}
		case fKvlistValue:
			if d.dec.PeekKind() == 'n' {
				return d.null()
			}
			kvs := v.KVList()
			if err := d.valuesObject(func() error { return d.keyValues(&kvs, depth+1) }); err != nil {
				return err
			}
			if v.kind == KindKVList && v.list != nil {
				v.list.kvs = kvs
			} else {
				*v = Value{kind: KindKVList, list: &composite{kvs: kvs}}
			}
		default:
			return errJSONSkip
		}
		return nil
	})
}

// valuesObject reads an ArrayValue or a KeyValueList, whose one member
// is the list values, which read reads.
func (d *jsonDecoder) valuesObject(read func() error) error {
	return d.object(func(id jsonField) error {
		if id == fValues {
			return read()
		}
		return errJSONSkip
	})
}

// scalarValue sets v to the scalar member id of an AnyValue, read as val.
func (d *jsonDecoder) scalarValue(v *Value, id jsonField, val jsontext.Value) error {
	switch id {
	case fStringValue:
		s, err := d.toString(val)
		if err != nil {
			return err
		}
		if err := d.checkLength(len(s)); err != nil {
			return err
		}
		*v = StringValue(s)
	case fBoolValue:
		switch val[0] {
		case 't':
			*v = BoolValue(true)
		case 'f':
			*v = BoolValue(false)
		default:
			return d.mismatch(val, "a boolean")
		}
	case fIntValue:
		n, err := d.toInteger(val, true, 64)
		if err != nil {
			return err
		}
		*v = IntValue(int64(n))
	case fDoubleValue:
		f, err := d.toDouble(val)
		if err != nil {
			return err
		}
		*v = DoubleValue(f)
	case fBytesValue:
		b, err := d.toBytes(val)
		if err != nil {
			return err
		}
		if err := d.checkLength(len(b)); err != nil {
			return err
		}
		*v = Value{kind: KindBytes, str: aliasString(b)}
	}
	return nil
}

// A field is a member name of any OTLP message; one lookup serves every
// message, each of which reads the fields it has and skips the rest.
type jsonField uint8

const (
	fUnknown jsonField = iota
	fResourceSpans
	fResourceLogs
	fResource
	fScopeSpans
	fScopeLogs
	fInstrumentationLibrarySpans
	fInstrumentationLibraryLogs
	fInstrumentationLibrary
	fSchemaURL
	fScope
	fSpans
	fLogRecords
	fName
	fVersion
	fAttributes
	fDroppedAttributesCount
	fTraceID
	fSpanID
	fTraceState
	fParentSpanID
	fFlags
	fKind
	fStartTimeUnixNano
	fEndTimeUnixNano
	fEvents
	fDroppedEventsCount
	fLinks
	fDroppedLinksCount
	fStatus
	fMessage
	fCode
	fTimeUnixNano
	fObservedTimeUnixNano
	fSeverityNumber
	fSeverityText
	fBody
	fEventName
	fKey
	fValue
	fValues
	fStringValue
	fBoolValue
	fIntValue
	fDoubleValue
	fArrayValue
	fKvlistValue
	fBytesValue
)

// jsonFieldNames are the path segments of the fields: OTLP's JSON names,
// whichever spelling the input used.
var jsonFieldNames = [...]string{
	fResourceSpans:               "/resourceSpans",
	fResourceLogs:                "/resourceLogs",
	fResource:                    "/resource",
	fScopeSpans:                  "/scopeSpans",
	fScopeLogs:                   "/scopeLogs",
	fInstrumentationLibrarySpans: "/instrumentationLibrarySpans",
	fInstrumentationLibraryLogs:  "/instrumentationLibraryLogs",
	fInstrumentationLibrary:      "/instrumentationLibrary",
	fSchemaURL:                   "/schemaUrl",
	fScope:                       "/scope",
	fSpans:                       "/spans",
	fLogRecords:                  "/logRecords",
	fName:                        "/name",
	fVersion:                     "/version",
	fAttributes:                  "/attributes",
	fDroppedAttributesCount:      "/droppedAttributesCount",
	fTraceID:                     "/traceId",
	fSpanID:                      "/spanId",
	fTraceState:                  "/traceState",
	fParentSpanID:                "/parentSpanId",
	fFlags:                       "/flags",
	fKind:                        "/kind",
	fStartTimeUnixNano:           "/startTimeUnixNano",
	fEndTimeUnixNano:             "/endTimeUnixNano",
	fEvents:                      "/events",
	fDroppedEventsCount:          "/droppedEventsCount",
	fLinks:                       "/links",
	fDroppedLinksCount:           "/droppedLinksCount",
	fStatus:                      "/status",
	fMessage:                     "/message",
	fCode:                        "/code",
	fTimeUnixNano:                "/timeUnixNano",
	fObservedTimeUnixNano:        "/observedTimeUnixNano",
	fSeverityNumber:              "/severityNumber",
	fSeverityText:                "/severityText",
	fBody:                        "/body",
	fEventName:                   "/eventName",
	fKey:                         "/key",
	fValue:                       "/value",
	fValues:                      "/values",
	fStringValue:                 "/stringValue",
	fBoolValue:                   "/boolValue",
	fIntValue:                    "/intValue",
	fDoubleValue:                 "/doubleValue",
	fArrayValue:                  "/arrayValue",
	fKvlistValue:                 "/kvlistValue",
	fBytesValue:                  "/bytesValue",
}

// jsonFieldOf looks a member name up, in its JSON (lowerCamelCase) or proto
// (snake_case) spelling; protojson accepts both, and so does Relay's
// serde-based reader for some fields.
func jsonFieldOf(name []byte) jsonField {
	switch string(name) {
	case "resourceSpans", "resource_spans":
		return fResourceSpans
	case "resourceLogs", "resource_logs":
		return fResourceLogs
	case "resource":
		return fResource
	case "scopeSpans", "scope_spans":
		return fScopeSpans
	case "scopeLogs", "scope_logs":
		return fScopeLogs
	case "instrumentationLibrarySpans", "instrumentation_library_spans":
		return fInstrumentationLibrarySpans
	case "instrumentationLibraryLogs", "instrumentation_library_logs":
		return fInstrumentationLibraryLogs
	case "instrumentationLibrary", "instrumentation_library":
		return fInstrumentationLibrary
	case "schemaUrl", "schema_url":
		return fSchemaURL
	case "scope":
		return fScope
	case "spans":
		return fSpans
	case "logRecords", "log_records":
		return fLogRecords
	case "name":
		return fName
	case "version":
		return fVersion
	case "attributes":
		return fAttributes
	case "droppedAttributesCount", "dropped_attributes_count":
		return fDroppedAttributesCount
	case "traceId", "trace_id":
		return fTraceID
	case "spanId", "span_id":
		return fSpanID
	case "traceState", "trace_state":
		return fTraceState
	case "parentSpanId", "parent_span_id":
		return fParentSpanID
	case "flags":
		return fFlags
	case "kind":
		return fKind
	case "startTimeUnixNano", "start_time_unix_nano":
		return fStartTimeUnixNano
	case "endTimeUnixNano", "end_time_unix_nano":
		return fEndTimeUnixNano
	case "events":
		return fEvents
	case "droppedEventsCount", "dropped_events_count":
		return fDroppedEventsCount
	case "links":
		return fLinks
	case "droppedLinksCount", "dropped_links_count":
		return fDroppedLinksCount
	case "status":
		return fStatus
	case "message":
		return fMessage
	case "code":
		return fCode
	case "timeUnixNano", "time_unix_nano":
		return fTimeUnixNano
	case "observedTimeUnixNano", "observed_time_unix_nano":
		return fObservedTimeUnixNano
	case "severityNumber", "severity_number":
		return fSeverityNumber
	case "severityText", "severity_text":
		return fSeverityText
	case "body":
		return fBody
	case "eventName", "event_name":
		return fEventName
	case "key":
		return fKey
	case "value":
		return fValue
	case "values":
		return fValues
	case "stringValue", "string_value":
		return fStringValue
	case "boolValue", "bool_value":
		return fBoolValue
	case "intValue", "int_value":
		return fIntValue
	case "doubleValue", "double_value":
		return fDoubleValue
	case "arrayValue", "array_value":
		return fArrayValue
	case "kvlistValue", "kvlist_value":
		return fKvlistValue
	case "bytesValue", "bytes_value":
		return fBytesValue
	}
	return fUnknown
}
