package envelope

import (
	"bytes"
	"fmt"
	"iter"
	"strconv"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A Header is the JSON object that heads an envelope or an item. It keeps
// the object exactly as it was read: key order, key case, unknown keys,
// number spellings and whitespace all survive a parse and write, because
// Relay forwards unknown header keys and SDKs compare what they sent.
//
// A parsed Header aliases the input; reading it never copies. Set and Delete
// rewrite it as compact JSON. The zero Header is an empty object.
type Header struct {
	raw    []byte // a valid JSON object, or nil for {}
	edited bool
}

// Raw returns the header as JSON. The result aliases the header and must not
// be modified.
func (h *Header) Raw() jsontext.Value {
	if len(h.raw) == 0 {
		return jsontext.Value("{}")
	}
	return h.raw
}

// String returns the header as JSON.
func (h Header) String() string { return string(h.Raw()) }

// MarshalJSON returns the header as JSON, so a Header can be placed in a
// struct that is marshaled.
func (h Header) MarshalJSON() ([]byte, error) { return h.Raw(), nil }

// Get returns the value of key, or nil if the header has no such key. Keys
// match exactly, case included, as in Relay. The result aliases the header.
func (h *Header) Get(key string) jsontext.Value {
	var found jsontext.Value
	for m := range members(h.raw) {
		if m.is(key) {
			found = m.value // the last one, should duplicates be allowed
		}
	}
	return found
}

// GetString returns the string value of key. It reports false if the key is
// absent or its value is not a JSON string.
func (h *Header) GetString(key string) (string, bool) {
	return unquote(h.Get(key))
}

// GetInt returns the integer value of key. It reports false if the key is
// absent or its value is not an integer that fits an int64.
func (h *Header) GetInt(key string) (int64, bool) {
	v := h.Get(key)
	if v.Kind() != '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	return n, err == nil
}

// All iterates over the header's keys and values in order.
func (h *Header) All() iter.Seq2[string, jsontext.Value] {
	return func(yield func(string, jsontext.Value) bool) {
		for m := range members(h.raw) {
			if !yield(m.name(), m.value) {
				return
			}
		}
	}
}

// Len returns the number of keys.
func (h *Header) Len() int {
	n := 0
	for range members(h.raw) {
		n++
	}
	return n
}

// Set sets key to the JSON encoding of value, keeping the key's position if
// it exists and appending it otherwise. A jsontext.Value is used as is after
// validation.
func (h *Header) Set(key string, value any) error {
	v, ok := value.(jsontext.Value)
	if ok {
		if !v.IsValid() {
			return fmt.Errorf("envelope: invalid JSON for header key %q", key)
		}
	} else {
		b, err := json.Marshal(value)
		if err != nil {
			return fmt.Errorf("envelope: header key %q: %w", key, err)
		}
		v = b
	}
	h.rewrite(key, v)
	return nil
}

// Delete removes key. It does nothing if the key is absent.
func (h *Header) Delete(key string) {
	if h.Get(key) != nil {
		h.rewrite(key, nil)
	}
}

// Clone returns a copy that does not alias the original.
func (h *Header) Clone() Header {
	return Header{raw: bytes.Clone(h.raw), edited: h.edited}
}

// rewrite rebuilds the object with key set to v, or removed if v is nil.
func (h *Header) rewrite(key string, v jsontext.Value) {
	out := []byte{'{'}
	done := false
	for m := range members(h.raw) {
		if m.is(key) {
			if done || v == nil {
				continue
			}
			done = true
			out = appendMember(out, m.key, v)
			continue
		}
		out = appendMember(out, m.key, m.value)
	}
	if !done && v != nil {
		q, _ := jsontext.AppendQuote(nil, key) // a Go string always quotes
		out = appendMember(out, q, v)
	}
	out = append(out, '}')
	val := jsontext.Value(out)
	_ = val.Compact() // valid by construction; drops whitespace of kept values
	h.raw = val
	h.edited = true
}

func appendMember(out, key []byte, v jsontext.Value) []byte {
	if len(out) > 1 {
		out = append(out, ',')
	}
	out = append(out, key...)
	out = append(out, ':')
	return append(out, v...)
}

// member is one key and value of a JSON object, both aliasing the object.
type member struct {
	key    []byte // quoted, as it appears
	value  jsontext.Value
	off    int // offset of the value within the object
	keyOff int // offset of the key within the object
}

// is reports whether the member's key is name, without allocating unless
// the key has escapes.
func (m member) is(name string) bool {
	in := m.key[1 : len(m.key)-1]
	if bytes.IndexByte(in, '\\') < 0 {
		return string(in) == name
	}
	return m.name() == name
}

func (m member) name() string {
	s, _ := unquote(jsontext.Value(m.key))
	return s
}

// members iterates over the top-level members of obj, which must be a valid
// JSON object (or empty). Validation happens once, when a header is framed,
// so this walk can be a plain scan.
func members(obj []byte) iter.Seq[member] {
	return func(yield func(member) bool) {
		i := skipSpace(obj, 0)
		if i >= len(obj) || obj[i] != '{' {
			return
		}
		i++
		for {
			i = skipSpace(obj, i)
			if i >= len(obj) || obj[i] == '}' {
				return
			}
			if obj[i] == ',' {
				i = skipSpace(obj, i+1)
			}
			ks := i
			i = valueEnd(obj, i)
			key := obj[ks:i]
			i = skipSpace(obj, i)
			i = skipSpace(obj, i+1) // the colon
			vs := i
			i = valueEnd(obj, i)
			if !yield(member{key: key, value: obj[vs:i], off: vs, keyOff: ks}) {
				return
			}
		}
	}
}

// A memberSpan is a member by its offsets within the object. Framing keeps
// the members of each header in a reused buffer of spans: storing offsets,
// unlike slices, costs no GC write barriers.
type memberSpan struct{ keyOff, keyEnd, off, end int }

func (s memberSpan) member(obj []byte) member {
	return member{key: obj[s.keyOff:s.keyEnd], value: obj[s.off:s.end], off: s.off, keyOff: s.keyOff}
}

// appendMembers appends the spans of the top-level members of obj, as
// members yields them, to ms.
func appendMembers(ms []memberSpan, obj []byte) []memberSpan {
	for m := range members(obj) {
		ms = append(ms, memberSpan{keyOff: m.keyOff, keyEnd: m.keyOff + len(m.key), off: m.off, end: m.off + len(m.value)})
	}
	return ms
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// valueEnd returns the end of the valid JSON value starting at i.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = stringEnd(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] == '"'.
// It jumps from quote to quote with bytes.IndexByte, which is vectorized;
// a quote is escaped when an odd number of backslashes precede it.
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return len(b)
		}
		i += q
		n := 0
		for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
			n++
		}
		i++
		if n%2 == 0 {
			return i
		}
	}
	return len(b)
}

// unquote returns the Go string of a JSON string value.
func unquote(v jsontext.Value) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	in := v[1 : len(v)-1]
	if bytes.IndexByte(in, '\\') < 0 {
		return string(in), true
	}
	out, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		return "", false
	}
	return string(out), true
}
