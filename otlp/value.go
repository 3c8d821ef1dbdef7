package otlp

import "math"

// A ValueKind says which member of an AnyValue is set.
type ValueKind uint8

// The value kinds. KindEmpty is an AnyValue with no member set, or an
// absent one; Relay drops attributes whose value is empty.
const (
	KindEmpty ValueKind = iota
	KindString
	KindBool
	KindInt
	KindDouble
	KindArray
	KindKVList
	KindBytes
)

var kindNames = [...]string{"empty", "string", "bool", "int", "double", "array", "kvlist", "bytes"}

func (k ValueKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// A Value is an AnyValue: a string, bool, int64, float64, byte string,
// array of values or list of key-value pairs. The zero Value is empty.
// Like slog.Value it is read with accessors that must match its Kind.
type Value struct {
	kind ValueKind
	num  uint64     // bool, int64 or float64 bits
	str  string     // string or bytes
	list *composite // the elements of an array or key-value list
}

// A composite holds the elements of an array or key-value list apart from
// its Value: a request holds thousands of values and few of them are
// composite, and a Value without two slices is half the size, which is
// that much less to allocate, clear and scan for every attribute.
type composite struct {
	arr []Value
	kvs []KeyValue
}

// StringValue returns a string value.
func StringValue(s string) Value { return Value{kind: KindString, str: s} }

// BoolValue returns a bool value.
func BoolValue(b bool) Value {
	v := Value{kind: KindBool}
	if b {
		v.num = 1
	}
	return v
}

// IntValue returns an int value.
func IntValue(i int64) Value { return Value{kind: KindInt, num: uint64(i)} }

// DoubleValue returns a double value.
func DoubleValue(f float64) Value { return Value{kind: KindDouble, num: math.Float64bits(f)} }

// BytesValue returns a bytes value. The value aliases b.
func BytesValue(b []byte) Value { return Value{kind: KindBytes, str: aliasString(b)} }

// ArrayValue returns an array value.
func ArrayValue(vs ...Value) Value { return Value{kind: KindArray, list: &composite{arr: vs}} }

// KVListValue returns a key-value list value.
func KVListValue(kvs ...KeyValue) Value { return Value{kind: KindKVList, list: &composite{kvs: kvs}} }

// Kind returns which member is set.
func (v Value) Kind() ValueKind { return v.kind }

// Str returns a string value's string, and "" for other kinds.
func (v Value) Str() string {
	if v.kind != KindString {
		return ""
	}
	return v.str
}

// Bool returns a bool value's bool.
func (v Value) Bool() bool { return v.kind == KindBool && v.num != 0 }

// Int returns an int value's integer.
func (v Value) Int() int64 {
	if v.kind != KindInt {
		return 0
	}
	return int64(v.num)
}

// Double returns a double value's float.
func (v Value) Double() float64 {
	if v.kind != KindDouble {
		return 0
	}
	return math.Float64frombits(v.num)
}

// Bytes returns a bytes value's bytes, which alias the decoded input and
// must not be modified.
func (v Value) Bytes() []byte {
	if v.kind != KindBytes {
		return nil
	}
	return aliasBytes(v.str)
}

// Array returns an array value's elements.
func (v Value) Array() []Value {
	if v.kind != KindArray || v.list == nil {
		return nil
	}
	return v.list.arr
}

// KVList returns a key-value list value's pairs.
func (v Value) KVList() []KeyValue {
	if v.kind != KindKVList || v.list == nil {
		return nil
	}
	return v.list.kvs
}
