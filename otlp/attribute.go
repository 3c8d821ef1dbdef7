package otlp

import (
	"bytes"
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
		a.b = appendArrayText(a.b, v.Array())
	case KindKVList:
		t = protocol.AttributeString
		a.b = appendQuotedJSON(a.b, func(b []byte) []byte { return appendKVListText(b, v.KVList()) })
	default:
		return protocol.Attribute{}, false
	}
	return protocol.Attribute{Type: t, Value: a.take(start)}, true
}

// appendDouble writes a finite float as Relay's serializer (serde_json,
// with ryu) does, so that the JSON text of a key-value list is the same
// string: the shortest digits that read back exactly, positional while
// the decimal point falls within 16 digits before or 5 zeros after them,
// integral values with a ".0" so that they read back as doubles, and
// otherwise an exponent without "+" or leading zeros:
//
//	1000.0  1234567.5  1e16  1.5e16  0.00001  1e-6  -0.0
//
// (strconv's shortest %g would write 1e+06 and 1e-05.)
func appendDouble(b []byte, f float64) []byte {
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // [-]d[.ddd]e±dd
	if e[0] == '-' {
		b = append(b, '-')
		e = e[1:]
	}
	i := bytes.IndexByte(e, 'e')
	mant, exp := e[:i], e[i+1:]
	var dbuf [24]byte
	digits := append(dbuf[:0], mant[0])
	if len(mant) > 2 {
		digits = append(digits, mant[2:]...) // without the point
	}
	x := 0
	for _, c := range exp[1:] {
		x = x*10 + int(c-'0')
	}
	if exp[0] == '-' {
		x = -x
	}
	kk := x + 1 // the decimal point's position: 10^(kk-1) <= |f| < 10^kk
	n := len(digits)
	switch {
	case kk >= n && kk <= 16:
		b = append(b, digits...)
		for range kk - n {
			b = append(b, '0')
		}
		b = append(b, '.', '0')
	case kk > 0 && kk <= 16:
		b = append(b, digits[:kk]...)
		b = append(b, '.')
		b = append(b, digits[kk:]...)
	case kk > -5 && kk <= 0:
		b = append(b, '0', '.')
		for range -kk {
			b = append(b, '0')
		}
		b = append(b, digits...)
	default:
		b = append(b, digits[0])
		if n > 1 {
			b = append(b, '.')
			b = append(b, digits[1:]...)
		}
		b = append(b, 'e')
		b = strconv.AppendInt(b, int64(kk-1), 10)
	}
	return b
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
	// without allocating; a long list, which a request may hold up to
	// Limits.MaxAttributes members of, must not cost quadratic time.
	var buf [16]int
	idx := buf[:0]
	for i := range kvs {
		if !isScalar(kvs[i].Value) {
			continue
		}
		idx = append(idx, i)
	}
	if len(idx) > len(buf) {
		slices.SortStableFunc(idx, func(x, y int) int { return strings.Compare(kvs[x].Key, kvs[y].Key) })
	} else {
		for i := 1; i < len(idx); i++ {
			for j := i; j > 0 && kvs[idx[j]].Key < kvs[idx[j-1]].Key; j-- {
				idx[j], idx[j-1] = idx[j-1], idx[j]
			}
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

// validUTF8 returns s, with invalid UTF-8 replaced. Whatever becomes JSON
// text (attribute keys, names, log bodies, exception messages) or a
// protobuf string must be UTF-8. The decoders reject strings that are not,
// as Relay's do, so only a hand-built model pays more than the check.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
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
	key = validUTF8(key)
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
