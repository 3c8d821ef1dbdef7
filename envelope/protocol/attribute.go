package protocol

import (
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// Attributes are the typed key-value attributes of logs, spans (v2) and
// trace metrics: {"user.id": {"type": "string", "value": "7"}, ...}.
type Attributes map[string]Attribute

// An Attribute is one typed value. The value is kept as sent; the
// accessors read it as the type it should be, and report false if it is
// not one.
type Attribute struct {
	// Type says how to read Value.
	Type AttributeType `json:"type"`
	// Value is the JSON value as sent.
	Value jsontext.Value `json:"value,omitzero"`
	// Unit is the value's unit, such as "millisecond" or "byte", if any.
	Unit string `json:"unit,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// An AttributeType is the "type" of an attribute. Relay keeps types it does
// not know as they are.
type AttributeType string

// The attribute types SDKs send.
const (
	AttributeString  AttributeType = "string"
	AttributeInteger AttributeType = "integer"
	AttributeDouble  AttributeType = "double"
	AttributeBoolean AttributeType = "boolean"
	AttributeArray   AttributeType = "array"
)

// String returns the value if it is a JSON string. It does not look at
// Type, so it reads a string value whatever its declared type.
func (a Attribute) String() (string, bool) {
	if a.Value.Kind() != '"' {
		return "", false
	}
	s, err := jsontext.AppendUnquote(nil, a.Value)
	return string(s), err == nil
}

// Int returns the value as an integer: a JSON integer, or a string of one,
// which SDKs send for integers that do not fit a JSON number exactly.
func (a Attribute) Int() (int64, bool) {
	s, ok := a.numberText()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// Float returns the value as a float: a JSON number or a string of one.
func (a Attribute) Float() (float64, bool) {
	s, ok := a.numberText()
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// Bool returns the value if it is a JSON boolean.
func (a Attribute) Bool() (bool, bool) {
	switch a.Value.Kind() {
	case 't':
		return true, true
	case 'f':
		return false, true
	}
	return false, false
}

// numberText returns the text of a number value, or of a string value
// that may hold one.
func (a Attribute) numberText() (string, bool) {
	switch a.Value.Kind() {
	case '0':
		return string(a.Value), true
	case '"':
		return a.String()
	}
	return "", false
}
