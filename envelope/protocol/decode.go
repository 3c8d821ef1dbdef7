package protocol

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// A Warning reports a value Relay would drop with a remark rather than
// reject the payload for: an optional field of the wrong type, say. The
// field is left at its zero value and the rest of the payload is decoded.
type Warning struct {
	// Pointer is the JSON Pointer (RFC 6901) of the value, such as
	// "/exception/values/0/mechanism/handled".
	Pointer jsontext.Pointer
	// Err says what was wrong.
	Err error
}

func (w Warning) Error() string { return string(w.Pointer) + ": " + w.Err.Error() }

// A DecodeError reports a payload that could not be decoded: malformed
// JSON, or a value that a strict item type (sessions, check-ins, client
// reports) does not allow, or a failed validation.
type DecodeError struct {
	// Type is the item type being decoded.
	Type envelope.ItemType
	// Pointer is the JSON Pointer of the offending value, if known.
	Pointer jsontext.Pointer
	// Offset is the byte offset in the payload, if known.
	Offset int64
	// Err is the cause: a json or jsontext error, or one of this package's
	// validation errors.
	Err error
}

func (e *DecodeError) Error() string {
	s := "protocol: " + string(e.Type)
	if e.Pointer != "" {
		s += " at " + string(e.Pointer)
	}
	return s + ": " + e.Err.Error()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// The errors of Warnings.
var (
	// ErrWrongType is a value of the wrong JSON kind.
	ErrWrongType = errors.New("value of the wrong type, ignored")
	// ErrInvalidValue is a value of the right kind that is still not valid,
	// such as an unknown level or a timestamp that does not parse.
	ErrInvalidValue = errors.New("invalid value, ignored")
)

// shaped is implemented by the types whose UnmarshalJSONFrom fails only
// for a value of a JSON kind it does not take: whatever is wrong deeper
// down becomes a warning of the fields there. The lenient decoder checks
// the kind and then lets them read straight from the decoder, rather than
// reading their value twice to be able to recover from a failure.
type shaped interface{ acceptsKind(jsontext.Kind) bool }

// decodeError wraps a json error with the pointer and offset it carries.
func decodeError(t envelope.ItemType, err error) error {
	de := &DecodeError{Type: t, Err: err}
	var se *json.SemanticError
	var sy *jsontext.SyntacticError
	switch {
	case errors.As(err, &se):
		de.Pointer, de.Offset = se.JSONPointer, se.ByteOffset
	case errors.As(err, &sy):
		de.Pointer, de.Offset = sy.JSONPointer, sy.ByteOffset
	}
	return de
}

// decoder decodes one payload. Its options carry unmarshalers that close
// over it, so decoders are pooled rather than built per payload.
type decoder struct {
	typ      envelope.ItemType // being decoded
	warnings []Warning
	// parents are the decoders that handed a value to a sub-decoder (see
	// unmarshalOwn). They stand still while it reads, each at the value it
	// handed over, so they give the prefix of a warning's pointer; pointers
	// are only built when there is a warning.
	parents []*jsontext.Decoder
	free    []*subDecoder
	lists   lists
	lenient json.Options
	strict  json.Options
	fast    json.Options // lenient payloads that need no leniency

	own [3]*json.Unmarshalers // registered in ours while d lives
}

// newDecoder makes a decoder and registers its unmarshalers in ours.
func newDecoder() *decoder {
	d := new(decoder)
	raw := json.UnmarshalFromFunc(unmarshalRaw)
	lists := d.lists.unmarshalers()
	lenient := json.JoinUnmarshalers(
		json.UnmarshalFromFunc(d.unmarshalString),
		raw,
		lists,
		json.UnmarshalFromFunc(d.unmarshalLenient),
	)
	strict := json.JoinUnmarshalers(json.UnmarshalFromFunc(d.unmarshalStrictString), raw, lists)
	fast := json.JoinUnmarshalers(json.UnmarshalFromFunc(d.unmarshalStrictString), raw, lists,
		json.UnmarshalFromFunc(unmarshalFrame), json.UnmarshalFromFunc(unmarshalRawMap))
	d.own = [...]*json.Unmarshalers{lenient, strict, fast}
	for _, u := range d.own {
		ours.Store(u, d)
	}
	d.lenient = json.JoinOptions(jsontext.AllowDuplicateNames(true), json.WithUnmarshalers(lenient))
	d.strict = json.WithUnmarshalers(strict)
	d.fast = json.JoinOptions(jsontext.AllowDuplicateNames(true), json.WithUnmarshalers(fast))
	return d
}

// decoders are the idle decoders. Not a sync.Pool: a pool drops its
// contents at every garbage collection, and each decoder it then made anew
// would stay in ours for good, a leak of a decoder and its buffers every
// few thousand events on a busy server. This free list keeps what it
// holds; a decoder it has no room for is unregistered and let go.
var decoders struct {
	sync.Mutex
	free []*decoder
}

// maxIdleDecoders bounds the free list: more decoders than this are only
// ever needed at once by that many concurrent decodes.
const maxIdleDecoders = 64

func getDecoder() *decoder {
	decoders.Lock()
	if n := len(decoders.free); n > 0 {
		d := decoders.free[n-1]
		decoders.free = decoders.free[:n-1]
		decoders.Unlock()
		return d
	}
	decoders.Unlock()
	return newDecoder()
}

func putDecoder(d *decoder) {
	d.lists.trim()
	decoders.Lock()
	if len(decoders.free) < maxIdleDecoders {
		decoders.free = append(decoders.free, d)
		decoders.Unlock()
		return
	}
	decoders.Unlock()
	for _, u := range d.own {
		ours.Delete(u)
	}
}

// ours maps the unmarshalers of every pooled decoder to the decoder. The
// types' UnmarshalJSONFrom methods are public, so they also run under
// decoders this package did not make, json.UnmarshalRead over a stream
// say; through ours they find out whether they run under one of its own.
var ours sync.Map // *json.Unmarshalers → *decoder

// decoderOf returns the package's decoder behind dec, or nil.
func decoderOf(dec *jsontext.Decoder) *decoder {
	u, ok := json.GetOption(dec.Options(), json.WithUnmarshalers)
	if !ok || u == nil {
		return nil
	}
	d, _ := ours.Load(u)
	dd, _ := d.(*decoder)
	return dd
}

// keep returns a value read from dec in a form that may be kept. The
// package's own decoding parses the caller's payload in place, so the
// value may alias it; any other decoder reuses its buffer, so the value is
// copied.
func keep(dec *jsontext.Decoder, v jsontext.Value) jsontext.Value {
	return keepIf(decoderOf(dec) != nil, v)
}

// keepIf is keep for a loop that asked decoderOf once.
func keepIf(inPlace bool, v jsontext.Value) jsontext.Value {
	if inPlace {
		return v
	}
	return v.Clone()
}

// decode unmarshals b into v. Event-like payloads are lenient, as Relay's
// annotated types are: a value of the wrong kind becomes a Warning. Other
// payloads are strict, as Relay's serde types are.
func decode(t envelope.ItemType, b []byte, v any, lenient bool) ([]Warning, error) {
	d := getDecoder()
	defer putDecoder(d)
	d.typ, d.warnings, d.parents = t, d.warnings[:0], d.parents[:0]
	d.lists.spare = nil // a new payload: share no list memory with the last
	opts := d.strict
	if lenient {
		// What real SDKs send is nearly always well typed: decode it
		// without the lenient hooks, which cost a third of the time, and
		// only when that fails on a value decode again leniently.
		err := json.Unmarshal(b, v, d.fast)
		if err == nil {
			return nil, nil
		}
		if se := (*jsontext.SyntacticError)(nil); errors.As(err, &se) {
			return nil, decodeError(t, err)
		}
		reflect.ValueOf(v).Elem().SetZero()
		opts = d.lenient
	}
	if err := json.Unmarshal(b, v, opts); err != nil {
		return nil, decodeError(t, err)
	}
	if len(d.warnings) == 0 {
		return nil, nil
	}
	return append([]Warning(nil), d.warnings...), nil
}

// unmarshalString decodes a string without copying it when it has no
// escapes: json.Unmarshal parses the caller's slice in place, so the
// string aliases the payload. This is why a decoded payload must not be
// modified while its values are in use, as with envelope.Parse.
func (d *decoder) unmarshalString(dec *jsontext.Decoder, s *string) error {
	switch dec.PeekKind() {
	case 'n':
		return dec.SkipValue()
	case '"':
	default:
		d.warn(dec)
		return dec.SkipValue()
	}
	return readStringAlias(dec, s, true)
}

func (d *decoder) unmarshalStrictString(dec *jsontext.Decoder, s *string) error {
	if dec.PeekKind() != '"' {
		return errors.ErrUnsupported // the default reports the error
	}
	return readStringAlias(dec, s, true)
}

// unmarshalRaw keeps a raw JSON value (a jsontext.Value field or map value)
// as a view of the payload rather than a copy, as strings are kept; it is
// only ever registered for the package's own, in-place, decoding.
func unmarshalRaw(dec *jsontext.Decoder, v *jsontext.Value) error {
	raw, err := dec.ReadValue()
	*v = raw
	return err
}

// readString reads a string for a type's UnmarshalJSONFrom. Under the
// package's own decoding it aliases the payload (see keep).
func readString(dec *jsontext.Decoder, s *string) error {
	return readStringAlias(dec, s, decoderOf(dec) != nil)
}

func readStringAlias(dec *jsontext.Decoder, s *string, alias bool) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	raw := v[1 : len(v)-1]
	if !hasEscape(raw) {
		switch {
		case len(raw) == 0:
			*s = ""
		case alias:
			*s = unsafe.String(&raw[0], len(raw))
		default:
			*s = string(raw)
		}
		return nil
	}
	u, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		return err
	}
	*s = bytesString(u) // u is new and not kept: the string may have it
	return nil
}

// readName reads an object member name, or a string, without copying it
// where the payload may be aliased (inPlace, see keep) or where it had to
// be unquoted into new memory anyway. Token.String copies every name.
func readName(dec *jsontext.Decoder, inPlace bool) (string, error) {
	quoted, err := dec.ReadValue()
	if err != nil {
		return "", err
	}
	name := quoted[1 : len(quoted)-1]
	switch {
	case hasEscape(name):
		u, err := jsontext.AppendUnquote(nil, quoted)
		return bytesString(u), err
	case inPlace:
		return bytesString(name), nil
	}
	return string(name), nil
}

// bytesString returns b as a string without copying it, for bytes that
// are never written again: the payload, or a buffer made for the string.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func hasEscape(b []byte) bool { return bytes.IndexByte(b, '\\') >= 0 }

var unmarshalerFrom = reflect.TypeFor[json.UnmarshalerFrom]()

// unmarshalLenient turns a value of the wrong JSON kind into a Warning.
// Everything else goes to the default unmarshaling.
func (d *decoder) unmarshalLenient(dec *jsontext.Decoder, v any) error {
	k := dec.PeekKind()
	if k == 'n' {
		return errors.ErrUnsupported
	}
	t := reflect.TypeOf(v)
	if t.Implements(unmarshalerFrom) {
		if sh, ok := v.(shaped); ok {
			if !sh.acceptsKind(k) {
				d.warn(dec)
				return dec.SkipValue()
			}
			return errors.ErrUnsupported // it reads straight from dec
		}
		if _, err := d.unmarshalOwn(dec, v.(json.UnmarshalerFrom)); err != nil {
			return err
		}
		return nil
	}
	if e := t.Elem(); e.Kind() == reflect.Pointer && reflect.PointerTo(e.Elem()).Implements(unmarshalerFrom) {
		// A pointer to a type with its own unmarshaling (a *LogEntry
		// that takes a string, an *Addr that takes "0x1f") is judged by
		// that type, not by its Go kind, and stays nil if the type
		// refuses the value.
		nv := reflect.New(e.Elem())
		if sh, ok := nv.Interface().(shaped); ok {
			if !sh.acceptsKind(k) {
				d.warn(dec)
				return dec.SkipValue()
			}
			return errors.ErrUnsupported
		}
		ok, err := d.unmarshalOwn(dec, nv.Interface().(json.UnmarshalerFrom))
		if err != nil {
			return err
		}
		if ok {
			reflect.ValueOf(v).Elem().Set(nv)
		}
		return nil
	}
	if t.Implements(textUnmarshaler) {
		if k != '"' {
			d.warn(dec)
			return dec.SkipValue()
		}
		var s string
		if err := readString(dec, &s); err != nil {
			return err
		}
		if err := v.(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			reflect.ValueOf(v).Elem().SetZero()
			d.warnings = append(d.warnings, Warning{Pointer: d.here(dec), Err: fmt.Errorf("%w: %v", ErrInvalidValue, err)})
		}
		return nil
	}
	if kindFits(t.Elem(), k) {
		if k == '0' && isNumber(t.Elem()) {
			// A number that does not fit (-1 for a uint64, 1.5 for an
			// int) is a wrong value for this field only, as in Relay.
			raw, err := dec.ReadValue()
			if err != nil {
				return err
			}
			if err := json.Unmarshal(raw, v); err != nil {
				d.warnings = append(d.warnings, Warning{Pointer: d.here(dec), Err: fmt.Errorf("%w: %v", ErrInvalidValue, err)})
			}
			return nil
		}
		return errors.ErrUnsupported
	}
	d.warn(dec)
	return dec.SkipValue()
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// kindFits reports whether a JSON value of kind k can become a t.
func kindFits(t reflect.Type, k jsontext.Kind) bool {
	switch t.Kind() {
	case reflect.Pointer:
		return kindFits(t.Elem(), k)
	case reflect.Interface:
		return true
	case reflect.Struct, reflect.Map:
		return k == '{'
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return true // []byte and jsontext.Value take any value
		}
		return k == '['
	case reflect.Bool:
		return k == 't' || k == 'f'
	case reflect.String:
		return k == '"'
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return k == '0'
	}
	return true
}

func (d *decoder) warn(dec *jsontext.Decoder) {
	d.warnings = append(d.warnings, Warning{Pointer: d.pointer(dec), Err: ErrWrongType})
}

// pointer returns the JSON Pointer, from the top of the payload, of the
// value dec reads next.
func (d *decoder) pointer(dec *jsontext.Decoder) jsontext.Pointer {
	return d.prefix() + pointerOfNext(dec)
}

// here returns the JSON Pointer, from the top of the payload, of the value
// dec read last.
func (d *decoder) here(dec *jsontext.Decoder) jsontext.Pointer {
	return d.prefix() + dec.StackPointer()
}

func (d *decoder) prefix() jsontext.Pointer {
	var p jsontext.Pointer
	for _, parent := range d.parents {
		p += parent.StackPointer()
	}
	return p
}

// eof is an empty reader, on which a subDecoder rests between uses.
type eof struct{}

func (eof) Read([]byte) (int, error) { return 0, io.EOF }

// A subDecoder reads one value for a type that decodes itself.
type subDecoder struct {
	buf bytes.Buffer
	dec jsontext.Decoder
}

// pointerOfNext returns the JSON Pointer of the value about to be read:
// the member name just read, or the next index of an array.
func pointerOfNext(dec *jsontext.Decoder) jsontext.Pointer {
	p := dec.StackPointer()
	if k, n := dec.StackIndex(dec.StackDepth()); k == '[' {
		if n > 0 {
			p = p.Parent() // it points at the element before
		}
		return p.AppendToken(itoa(n))
	}
	return p
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// unmarshalOwn lets a type with its own UnmarshalJSONFrom decide what it
// accepts; what it refuses becomes a warning, the value is zeroed and ok is
// false. The type reads from a decoder of its own, over the value's bytes
// (a bytes.Buffer is parsed in place, so strings still alias the payload),
// so that a failure leaves this decoder intact.
func (d *decoder) unmarshalOwn(dec *jsontext.Decoder, v json.UnmarshalerFrom) (ok bool, err error) {
	raw, err := dec.ReadValue()
	if err != nil {
		return false, err
	}
	var sub *subDecoder
	if n := len(d.free); n > 0 {
		sub, d.free = d.free[n-1], d.free[:n-1]
	} else {
		sub = new(subDecoder)
	}
	sub.buf = *bytes.NewBuffer(raw)
	sub.dec.Reset(&sub.buf, d.lenient)
	d.parents = append(d.parents, dec)
	err = v.UnmarshalJSONFrom(&sub.dec)
	d.parents = d.parents[:len(d.parents)-1]
	sub.buf = bytes.Buffer{} // do not pin the payload
	sub.dec.Reset(eof{})
	d.free = append(d.free, sub)
	if err != nil {
		reflect.ValueOf(v).Elem().SetZero()
		d.warnings = append(d.warnings, Warning{Pointer: d.here(dec), Err: fmt.Errorf("%w: %v", ErrInvalidValue, err)})
		return false, nil
	}
	return true, nil
}

// isNumber reports whether t, under any pointers, is a Go number.
func isNumber(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// Marshal returns the JSON of a decoded value, as json.Marshal does, but
// allows duplicate keys inside the JSON the value keeps as it was sent
// (Lazy parts, Contexts, unknown keys): Relay accepts them in a payload,
// the last one counting, and so does decoding, so json.Marshal with its
// default options could fail on a value this package decoded.
func Marshal(v any) ([]byte, error) {
	return json.Marshal(v, jsontext.AllowDuplicateNames(true))
}
