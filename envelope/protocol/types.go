package protocol

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// Lazy holds a JSON value undecoded until Get is called, so that a host that
// reads only part of an event does not pay for the rest. It aliases the
// payload, like the strings of a decoded value.
type Lazy[T any] struct {
	raw jsontext.Value
	typ envelope.ItemType // of the payload it came from
	at  jsontext.Pointer  // in that payload
}

func (Lazy[T]) acceptsKind(jsontext.Kind) bool { return true }

// Get decodes the value. A Lazy that was absent or null gives the zero T.
// Get decodes leniently, as the payload around it was decoded: warnings
// are returned, not failures, and they point from the top of the payload.
func (l Lazy[T]) Get() (T, []Warning, error) {
	var v T
	if len(l.raw) == 0 || l.raw.Kind() == 'n' {
		return v, nil, nil
	}
	w, err := decodeAt(l.typ, l.at, l.raw, &v)
	return v, w, err
}

// NewLazy returns a Lazy holding the JSON of v, for building payloads
// (a transaction's spans, say) rather than reading them.
func NewLazy[T any](v T) (Lazy[T], error) {
	raw, err := json.Marshal(v, jsontext.AllowDuplicateNames(true))
	if err != nil {
		return Lazy[T]{}, err
	}
	return Lazy[T]{raw: raw}, nil
}

// Raw returns the JSON value, or nil if it was absent.
func (l Lazy[T]) Raw() jsontext.Value { return l.raw }

// IsZero reports whether the value was absent, for omitzero.
func (l Lazy[T]) IsZero() bool { return len(l.raw) == 0 }

// UnmarshalJSONFrom keeps the value's bytes without decoding them.
func (l *Lazy[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	d := decoderOf(dec)
	l.raw = keepIf(d != nil, v)
	if d != nil {
		l.typ, l.at = d.typ, d.here(dec)
	}
	return nil
}

// MarshalJSONTo writes the value back as it was.
func (l Lazy[T]) MarshalJSONTo(enc *jsontext.Encoder) error {
	if len(l.raw) == 0 {
		return enc.WriteToken(jsontext.Null)
	}
	return enc.WriteValue(l.raw)
}

// Values is Relay's Values<T>: a list SDKs send either bare, [...], or
// wrapped, {"values": [...]} with other keys beside it; a single object is
// a list of one, and {} is no list.
type Values[T any] struct {
	Values []T                       `json:"values"`
	Other  map[string]jsontext.Value `json:",embed"`
}

// UnmarshalJSONFrom accepts every shape Relay accepts.
func (v *Values[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case '[':
		return json.UnmarshalDecode(dec, &v.Values)
	case '{':
		// Most SDKs send {"values": [...]}: read it in one pass, keeping
		// the other keys. An object without "values" is a single value,
		// which is rare enough to be decoded again from its keys.
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		inPlace := decoderOf(dec) != nil
		wrapped := false
		for dec.PeekKind() != '}' {
			name, err := readName(dec, inPlace)
			if err != nil {
				return err
			}
			if name == "values" {
				wrapped = true
				if err := json.UnmarshalDecode(dec, &v.Values); err != nil {
					return err
				}
			} else {
				raw, err := dec.ReadValue()
				if err != nil {
					return err
				}
				if v.Other == nil {
					v.Other = make(map[string]jsontext.Value)
				}
				v.Other[name] = keepIf(inPlace, raw)
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		if wrapped || len(v.Other) == 0 {
			return nil
		}
		obj, err := json.Marshal(v.Other, json.Deterministic(true))
		if err != nil {
			return err
		}
		// The object is decoded by a new decoder: registering dec as its
		// parent keeps warnings pointing from the top of the payload.
		d := decoderOf(dec)
		if d != nil {
			d.parents = append(d.parents, dec)
		}
		var one T
		err = json.Unmarshal(obj, &one, dec.Options())
		if d != nil {
			d.parents = d.parents[:len(d.parents)-1]
		}
		if err != nil {
			return err
		}
		v.Values, v.Other = []T{one}, nil
		return nil
	case 'n':
		return dec.SkipValue()
	}
	return &json.SemanticError{Err: errors.New("want a list or an object with values")}
}

func (*Values[T]) acceptsKind(k jsontext.Kind) bool { return k == '[' || k == '{' }

// MarshalJSONTo writes the wrapped form, {"values": [...]}, as Relay does.
func (v Values[T]) MarshalJSONTo(enc *jsontext.Encoder) error {
	type plain Values[T]
	return json.MarshalEncode(enc, plain(v))
}

// IsZero reports whether there are no values and no other keys.
func (v Values[T]) IsZero() bool { return len(v.Values) == 0 && len(v.Other) == 0 }

// A Pair is one entry of a pair list: tags, headers, cookies, query strings.
type Pair struct {
	Key string
	// Value is kept as sent: usually a string, but SDKs send numbers, bools
	// and null too. String gives Relay's string for it.
	Value jsontext.Value
}

// String returns the value as Relay's LenientString makes it a string.
func (p Pair) String() string { return lenientString(p.Value) }

// Pairs is a pair list, which SDKs send as an object {"k": "v"} or as a
// list [["k", "v"], ...]. The list form may repeat keys.
type Pairs []Pair

// Get returns the value of the first pair with key, as Relay looks it up.
func (ps Pairs) Get(key string) (string, bool) {
	for _, p := range ps {
		if p.Key == key {
			return p.String(), true
		}
	}
	return "", false
}

// UnmarshalJSONFrom accepts the object and the list form.
func (ps *Pairs) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case '{':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		inPlace := decoderOf(dec) != nil
		for dec.PeekKind() != '}' {
			key, err := readName(dec, inPlace)
			if err != nil {
				return err
			}
			v, err := dec.ReadValue()
			if err != nil {
				return err
			}
			*ps = append(*ps, Pair{Key: key, Value: keepIf(inPlace, v)})
		}
		_, err := dec.ReadToken()
		return err
	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for dec.PeekKind() != ']' {
			var pair []jsontext.Value
			if err := json.UnmarshalDecode(dec, &pair); err != nil {
				return err
			}
			if len(pair) != 2 || pair[0].Kind() != '"' {
				continue // Relay drops malformed pairs
			}
			key, _ := jsontext.AppendUnquote(nil, pair[0])
			*ps = append(*ps, Pair{Key: string(key), Value: pair[1]})
		}
		_, err := dec.ReadToken()
		return err
	case 'n':
		return dec.SkipValue()
	}
	return &json.SemanticError{Err: errors.New("want an object or a list of pairs")}
}

func (*Pairs) acceptsKind(k jsontext.Kind) bool { return k == '{' || k == '[' }

// MarshalJSONTo writes the list form, which keeps order and repeats.
func (ps Pairs) MarshalJSONTo(enc *jsontext.Encoder) error {
	if err := enc.WriteToken(jsontext.BeginArray); err != nil {
		return err
	}
	for _, p := range ps {
		enc.WriteToken(jsontext.BeginArray)
		enc.WriteToken(jsontext.String(p.Key))
		v := p.Value
		if len(v) == 0 {
			v = jsontext.Value("null")
		}
		if err := enc.WriteValue(v); err != nil {
			return err
		}
		enc.WriteToken(jsontext.EndArray)
	}
	return enc.WriteToken(jsontext.EndArray)
}

// lenientString is Relay's LenientString: strings as they are, true and
// false as "True" and "False", numbers in decimal (floats truncated),
// null as "".
func lenientString(v jsontext.Value) string {
	switch v.Kind() {
	case '"':
		s, _ := jsontext.AppendUnquote(nil, v)
		return string(s)
	case 't':
		return "True"
	case 'f':
		return "False"
	case '0':
		if f, err := strconv.ParseFloat(string(v), 64); err == nil && math.Abs(f) < 1<<53 {
			return strconv.FormatInt(int64(f), 10)
		}
		return string(v)
	case 0, 'n':
		return ""
	}
	return string(v)
}

// LenientString is a string that SDKs sometimes send as a number or a
// bool, such as a release or a user id; Relay turns those into strings.
type LenientString string

// UnmarshalJSONFrom accepts strings, numbers and bools.
func (s *LenientString) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == '"' {
		var str string
		err := readString(dec, &str)
		*s = LenientString(str)
		return err
	}
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case '{', '[':
		return &json.SemanticError{Err: errors.New("want a string")}
	}
	*s = LenientString(lenientString(v))
	return nil
}

// A Timestamp is a point in time as SDKs send it: an RFC 3339 string (a
// missing zone means UTC) or Unix seconds as a number.
type Timestamp struct {
	time.Time
}

// UnmarshalJSONFrom accepts both forms. Relay rejects years past 9999,
// which is how it catches milliseconds sent as seconds.
func (t *Timestamp) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case '0':
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return err
		}
		t.Time = unixSeconds(f)
	case '"':
		s := unquoted(v)
		tm, err := parseTime(s)
		if err != nil {
			// The error quotes s, which may be the decoder's buffer.
			_, err = parseTime(strings.Clone(s))
			return err
		}
		t.Time = tm
	case 'n':
		return nil
	default:
		return &json.SemanticError{Err: errors.New("want a string or a number")}
	}
	if y := t.Year(); y > 9999 || y < 0 {
		return &json.SemanticError{Err: fmt.Errorf("timestamp %s is out of range (years 0 to 9999)", v)}
	}
	return nil
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	// Relay also takes a naive date-time, without zone, as UTC.
	return time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
}

// MarshalJSONTo writes Unix seconds rounded to microseconds, Relay's form.
func (t Timestamp) MarshalJSONTo(enc *jsontext.Encoder) error {
	if t.IsZero() {
		return enc.WriteToken(jsontext.Null)
	}
	us := t.Round(time.Microsecond).UnixMicro()
	return enc.WriteToken(jsontext.Float(float64(us) / 1e6))
}

// IsZero reports whether the timestamp is absent.
func (t Timestamp) IsZero() bool { return t.Time.IsZero() }

// A Level is the severity of an event or breadcrumb.
type Level string

// The levels Relay knows.
const (
	LevelDebug   Level = "debug"
	LevelInfo    Level = "info"
	LevelWarning Level = "warning"
	LevelError   Level = "error"
	LevelFatal   Level = "fatal"
)

// UnmarshalJSONFrom accepts the names, Relay's aliases ("log" is info,
// "critical" is fatal) and Python's numeric levels. Names match exactly:
// "ERROR" is not a level, as in Relay. Log records have their own LogLevel.
func (l *Level) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case '"':
		switch unquoted(v) { // exact, as Relay's Level::from_str
		case "debug":
			*l = LevelDebug
		case "info", "log":
			*l = LevelInfo
		case "warning":
			*l = LevelWarning
		case "error":
			*l = LevelError
		case "fatal", "critical":
			*l = LevelFatal
		default:
			return &json.SemanticError{Err: fmt.Errorf("unknown level %s", v)}
		}
	case '0':
		switch string(v) {
		case "10":
			*l = LevelDebug
		case "20":
			*l = LevelInfo
		case "30":
			*l = LevelWarning
		case "40":
			*l = LevelError
		case "50":
			*l = LevelFatal
		default:
			return &json.SemanticError{Err: fmt.Errorf("unknown level %s", v)}
		}
	case 'n':
	default:
		return &json.SemanticError{Err: errors.New("want a level name")}
	}
	return nil
}

// unquoted returns the text of a JSON string read by the decoder, which
// is valid, for a look that does not keep it: a name to compare, a time to
// parse. Most strings have no escapes and are not copied.
func unquoted(v jsontext.Value) string {
	raw := v[1 : len(v)-1]
	if !hasEscape(raw) {
		return bytesString(raw)
	}
	u, _ := jsontext.AppendUnquote(nil, v)
	return bytesString(u)
}

// unixSeconds converts Unix seconds to a time, to the microsecond, as
// Relay keeps timestamps.
func unixSeconds(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC()
}

// jsonText reads the next value as compact JSON text, which is what Relay
// makes of a value that should have been a string.
func jsonText(dec *jsontext.Decoder) (string, error) {
	v, err := dec.ReadValue()
	if err != nil {
		return "", err
	}
	v = v.Clone() // Compact works in place, and v aliases the payload
	if err := v.Compact(); err != nil {
		return "", err
	}
	return string(v), nil
}
