package otlp

import (
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// An arena holds the bytes that conversion makes: the JSON text of
// attribute values, prefixed attribute keys ("resource.service.name") and
// hex ids. Everything is appended to one growing buffer and sliced (or, for
// strings, aliased) out of it, so converting a request costs a few buffer
// growths rather than an allocation per attribute.
//
// Bytes are only ever appended, never rewritten once handed out: a value
// or string taken from the arena stays valid when the buffer moves,
// because it keeps the old array alive. For the same reason an arena must
// not be reset or reused while anything converted with it is in use.
type arena struct {
	b []byte
}

// grow makes room for n more bytes.
func (a *arena) grow(n int) {
	a.b = slices.Grow(a.b, n)
}

// take returns the bytes appended since start, capped so that an append
// by the holder cannot overwrite what follows.
func (a *arena) take(start int) jsontext.Value {
	return jsontext.Value(a.b[start:len(a.b):len(a.b)])
}

// takeString returns the bytes appended since start as a string that
// aliases the arena.
func (a *arena) takeString(start int) string {
	return aliasString(a.b[start:len(a.b):len(a.b)])
}

// hexID returns id in lower-case hex, as Sentry writes ids.
func (a *arena) hexID(id []byte) string {
	start := len(a.b)
	a.b = hex.AppendEncode(a.b, id)
	return a.takeString(start)
}

// attribute converts an OTLP value into a typed Sentry attribute as
// Relay's otel_value_to_attribute does (relay-otel):
//
//   - strings, bools, ints and doubles keep their type;
//   - bytes become a string when they are UTF-8, and are dropped when not;
//   - an array becomes an attribute of type "array" whose value is the
//     JSON array of its scalar elements, mixed types allowed; nested
//     arrays and lists, bytes that are not UTF-8 and empty values are left
//     out (Relay until late 2025 sent the array's JSON text as a string
//     instead);
//   - a key-value list becomes a string holding the compact JSON text of
//     an object of its scalar members. The object is a serde_json map
//     without preserve_order, so its keys come out sorted, and a repeated
//     key keeps the last value that could be converted;
//   - an empty value has no attribute.
//
// Doubles that are not finite have no JSON form: as attributes they are
// dropped, inside arrays and lists they are left out.
func (a *arena) attribute(v Value) (protocol.Attribute, bool) {
	start := len(a.b)
	var t protocol.AttributeType
	switch v.kind {
	case KindString:
		t = protocol.AttributeString
		a.b, _ = jsontext.AppendQuote(a.b, v.str)
	case KindBool:
		t = protocol.AttributeBoolean
		a.b = strconv.AppendBool(a.b, v.num != 0)
	case KindInt:
		t = protocol.AttributeInteger
		a.b = strconv.AppendInt(a.b, int64(v.num), 10)
	case KindDouble:
		f := math.Float64frombits(v.num)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			// Relay keeps the double but serializes it as null, which
			// no reader takes for a double, so the attribute goes.
			return protocol.Attribute{}, false
		}
		t = protocol.AttributeDouble
		a.b = appendDouble(a.b, f)
	case KindBytes:
		if !utf8.ValidString(v.str) {
			return protocol.Attribute{}, false
		}
		t = protocol.AttributeString
		a.b, _ = jsontext.AppendQuote(a.b, v.str)
	case KindArray:
		t = protocol.AttributeArray
		a.b = appendArrayText(a.b, v.arr)
	case KindKVList:
		t = protocol.AttributeString
		a.b = appendQuotedJSON(a.b, func(b []byte) []byte { return appendKVListText(b, v.kvs) })
	default:
		return protocol.Attribute{}, false
	}
	return protocol.Attribute{Type: t, Value: a.take(start)}, true
}

// appendDouble writes a float as Relay's serializer (serde_json) does:
// integral values keep a ".0", so 1000 reads back as a double.
func appendDouble(b []byte, f float64) []byte {
	n := len(b)
	b = strconv.AppendFloat(b, f, 'g', -1, 64)
	for _, c := range b[n:] {
		if c == '.' || c == 'e' {
			return b
		}
	}
	return append(b, '.', '0')
}

// appendScalarText appends the JSON text of a scalar value as it appears
// inside an array or key-value list, and reports whether the value is
// such a scalar. Nested arrays and lists, non-finite doubles, bytes that
// are not UTF-8 and empty values are left out, as Relay leaves them out.
func appendScalarText(b []byte, v Value) ([]byte, bool) {
	switch v.kind {
	case KindString:
		b, _ = jsontext.AppendQuote(b, v.str)
	case KindBool:
		b = strconv.AppendBool(b, v.num != 0)
	case KindInt:
		b = strconv.AppendInt(b, int64(v.num), 10)
	case KindDouble:
		f := math.Float64frombits(v.num)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return b, false
		}
		b = appendDouble(b, f)
	case KindBytes:
		if !utf8.ValidString(v.str) {
			return b, false
		}
		b, _ = jsontext.AppendQuote(b, v.str)
	default:
		return b, false
	}
	return b, true
}

func appendArrayText(b []byte, vs []Value) []byte {
	b = append(b, '[')
	first := true
	for _, v := range vs {
		n := len(b)
		if !first {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendScalarText(b, v); !ok {
			b = b[:n]
			continue
		}
		first = false
	}
	return append(b, ']')
}

// appendKVListText writes a key-value list as the JSON object serde_json
// makes of it: keys sorted bytewise, each with the last of its values that
// is a scalar (a later nested or empty value does not replace an earlier
// scalar, because Relay only inserts what it could convert).
func appendKVListText(b []byte, kvs []KeyValue) []byte {
	// Sort indexes rather than the pairs, which belong to the caller.
	// Lists are short, so an insertion sort on a stack array does it
	// without allocating.
	var buf [16]int
	idx := buf[:0]
	for i := range kvs {
		if !isScalar(kvs[i].Value) {
			continue
		}
		idx = append(idx, i)
	}
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && kvs[idx[j]].Key < kvs[idx[j-1]].Key; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	b = append(b, '{')
	first := true
	for n, i := range idx {
		// Equal keys are adjacent and, the sort being stable, in input
		// order: the last of a run wins.
		if n+1 < len(idx) && kvs[idx[n+1]].Key == kvs[i].Key {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b, _ = jsontext.AppendQuote(b, kvs[i].Key)
		b = append(b, ':')
		b, _ = appendScalarText(b, kvs[i].Value)
	}
	return append(b, '}')
}

// isScalar reports whether appendScalarText writes v.
func isScalar(v Value) bool {
	switch v.kind {
	case KindString, KindBool, KindInt:
		return true
	case KindDouble:
		f := math.Float64frombits(v.num)
		return !math.IsNaN(f) && !math.IsInf(f, 0)
	case KindBytes:
		return utf8.ValidString(v.str)
	}
	return false
}

// appendQuotedJSON appends the JSON string whose content is the text that
// write appends. The text is built in place after b and then quoted,
// which needs one scratch copy only when it holds characters to escape.
func appendQuotedJSON(b []byte, write func([]byte) []byte) []byte {
	start := len(b)
	b = write(b)
	text := b[start:]
	plain := true
	for _, c := range text {
		if c == '"' || c == '\\' || c < 0x20 {
			plain = false
			break
		}
	}
	if plain {
		b = append(b, 0, 0)
		copy(b[start+1:], text)
		b[start] = '"'
		b[len(b)-1] = '"'
		return b
	}
	tmp := string(text)
	b, _ = jsontext.AppendQuote(b[:start], tmp)
	return b
}

// validKey returns key, with invalid UTF-8 replaced. Attribute keys
// become JSON object names, which must be UTF-8; well-formed input (which
// Relay's decoders insist on) costs only the check.
func validKey(key string) string {
	if utf8.ValidString(key) {
		return key
	}
	return strings.ToValidUTF8(key, "\uFFFD")
}

// putAttributes converts kvs into dst under prefix+key. Later keys win,
// as in Relay's map inserts, and empty or unconvertible values are left
// out. A prefixed key is built in the arena.
func (a *arena) putAttributes(dst protocol.Attributes, prefix string, kvs []KeyValue) {
	for _, kv := range kvs {
		attr, ok := a.attribute(kv.Value)
		if !ok {
			continue
		}
		dst[a.key(prefix, kv.Key)] = attr
	}
}

// key returns prefix+key, building it in the arena when there is a
// prefix.
func (a *arena) key(prefix, key string) string {
	key = validKey(key)
	if prefix == "" {
		return key
	}
	start := len(a.b)
	a.b = append(a.b, prefix...)
	a.b = append(a.b, key...)
	return a.takeString(start)
}

// putScope adds what Relay's otel_scope_into_attributes adds for a
// resource and an instrumentation scope, either of which may be nil: the
// resource's attributes as "resource.<key>", the scope's as
// "instrumentation.<key>", then, when there is a scope,
// "instrumentation.name" and "instrumentation.version", which overwrite
// scope attributes of those names unless they are empty (Relay's insert
// skips empty strings).
func (a *arena) putScope(dst protocol.Attributes, res *Resource, scope *Scope) {
	if res != nil {
		a.putAttributes(dst, "resource.", res.Attributes)
	}
	if scope != nil {
		a.putAttributes(dst, "instrumentation.", scope.Attributes)
		a.putNonEmpty(dst, "instrumentation.name", scope.Name)
		a.putNonEmpty(dst, "instrumentation.version", scope.Version)
	}
}

// A base is the attributes every span or log record of one resource and
// scope starts with ("resource.*", "instrumentation.*", the origin, the
// platform), converted once for all of them rather than once per record:
// with a dozen resource attributes that is most of a record's conversion.
type base []baseAttribute

type baseAttribute struct {
	key  string
	attr protocol.Attribute
}

// newBase returns the attributes that put writes, in a form that is
// cheap to copy into each record's map.
func newBase(put func(protocol.Attributes)) base {
	m := make(protocol.Attributes)
	put(m)
	b := make(base, 0, len(m))
	for k, v := range m {
		b = append(b, baseAttribute{k, v})
	}
	return b
}

// attributes returns a new map holding the base, with room for n more.
func (b base) attributes(n int) protocol.Attributes {
	m := make(protocol.Attributes, len(b)+n)
	for i := range b {
		m[b[i].key] = b[i].attr
	}
	return m
}

// putString sets a string attribute.
func (a *arena) putString(dst protocol.Attributes, key, s string) {
	start := len(a.b)
	a.b, _ = jsontext.AppendQuote(a.b, s)
	dst[key] = protocol.Attribute{Type: protocol.AttributeString, Value: a.take(start)}
}

// putNonEmpty sets a string attribute unless s is empty, as Relay's
// Attributes::insert does for the attributes it derives.
func (a *arena) putNonEmpty(dst protocol.Attributes, key, s string) {
	if s != "" {
		a.putString(dst, key, s)
	}
}

// The JSON of the two booleans, shared: values are never written to.
var (
	jsonTrue  = jsontext.Value("true")[:4:4]
	jsonFalse = jsontext.Value("false")[:5:5]
)

// putBool sets a boolean attribute.
func putBool(dst protocol.Attributes, key string, v bool) {
	val := jsonFalse
	if v {
		val = jsonTrue
	}
	dst[key] = protocol.Attribute{Type: protocol.AttributeBoolean, Value: val}
}
