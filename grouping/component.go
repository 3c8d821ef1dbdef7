package grouping

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// A Component is a node of the tree Sentry builds from an event to group
// it: an exception with its type, value and stack trace, a frame with its
// module, filename, function and context line, a message. A node either
// holds child components or, as a leaf, one primitive Value.
//
// Only contributing nodes feed the hash; Hint says why a node does not
// contribute, or how its value was cleaned ("stripped event-specific
// values"), in Sentry's own words.
type Component struct {
	// ID is Sentry's component id: "exception", "stacktrace", "frame",
	// "function", "chained_exception", "message", "app", ...
	ID          string
	Contributes bool
	Hint        string
	// InApp is the frame's final in_app; set on "frame" components only.
	InApp    bool
	Children []*Component
	Value    Value

	hash string // see hashOf
}

// A Value is the primitive a leaf component holds. Sentry hashes its str():
// an integer in decimal and a null as "None".
type Value struct {
	Kind ValueKind
	Text string // the string, or the integer in decimal
}

// ValueKind says what a Value holds.
type ValueKind uint8

const (
	NoValue ValueKind = iota
	StringValue
	IntValue
	NullValue
)

func (v Value) hashText() string {
	if v.Kind == NullValue {
		return "None"
	}
	return v.Text
}

// newLeaf returns a component holding one string; like Sentry's, a leaf
// with a value contributes until something says otherwise.
func newLeaf(id, s string) *Component {
	return &Component{ID: id, Contributes: true, Value: Value{Kind: StringValue, Text: s}}
}

// newNode returns a component over children; it contributes when one of
// them does, as Sentry derives it.
func newNode(id string, children ...*Component) *Component {
	c := &Component{ID: id, Children: children}
	c.Contributes = anyContributes(children)
	return c
}

func anyContributes(cs []*Component) bool {
	for _, c := range cs {
		if c.Contributes {
			return true
		}
	}
	return false
}

// ignore marks c non-contributing with a hint; an empty hint keeps the
// hint c had, as Sentry's update(hint=None) never clears one.
func (c *Component) ignore(hint string) {
	c.Contributes = false
	if hint != "" {
		c.Hint = hint
	}
}

// setValue replaces a leaf's value, as a cleaning step does.
func (c *Component) setValue(s, hint string) {
	c.Value = Value{Kind: StringValue, Text: s}
	c.Contributes = true
	if hint != "" {
		c.Hint = hint
	}
}

// hasValue reports whether a leaf has a value at all; Sentry's empty
// components (a missing module, say) are printed nowhere and never
// contribute.
func (c *Component) hasValue() bool { return c.Value.Kind != NoValue }

// appendValues appends the primitives of c's contributing branches to b,
// in order and without separators: what Sentry's iter_values feeds to
// md5 in hash_from_values.
func (c *Component) appendValues(b []byte) []byte {
	if !c.Contributes {
		return b
	}
	if c.Value.Kind != NoValue {
		return append(b, c.Value.hashText()...)
	}
	for _, ch := range c.Children {
		b = ch.appendValues(b)
	}
	return b
}

// Values returns the primitives that feed the hash, in order: those of
// c's contributing branches, or nothing when c does not contribute.
func (c *Component) Values() []string {
	var out []string
	var walk func(*Component)
	walk = func(c *Component) {
		if !c.Contributes {
			return
		}
		if c.Value.Kind != NoValue {
			out = append(out, c.Value.hashText())
			return
		}
		for _, ch := range c.Children {
			walk(ch)
		}
	}
	walk(c)
	return out
}

// hashOf returns the md5 hex of c's values, or "" when c does not
// contribute. The hash is kept: grouping switches nodes off as strategies
// and variants give way, but never changes what lies below a node whose
// hash was taken, and a node switched off has no hash.
func (c *Component) hashOf() string {
	if !c.Contributes {
		return ""
	}
	if c.hash == "" {
		var buf [1024]byte
		sum := md5.Sum(c.appendValues(buf[:0]))
		c.hash = hex.EncodeToString(sum[:])
	}
	return c.hash
}

// md5Hex is Sentry's hash_from_values over strings.
func md5Hex(values ...string) string {
	var buf [1024]byte
	b := buf[:0]
	for _, v := range values {
		b = append(b, v...)
	}
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// find returns the first descendant with the id in a depth-first walk;
// with onlyContributing it skips non-contributing branches, as Sentry's
// iter_subcomponents(recursive=True, only_contributing=True) does.
func (c *Component) find(id string, onlyContributing bool) *Component {
	for _, ch := range c.Children {
		if onlyContributing && !ch.Contributes {
			continue
		}
		if ch.ID == id {
			return ch
		}
		if f := ch.find(id, onlyContributing); f != nil {
			return f
		}
	}
	return nil
}

// child returns the direct child with the id.
func (c *Component) child(id string) *Component {
	for _, ch := range c.Children {
		if ch.ID == id {
			return ch
		}
	}
	return nil
}

// equal reports whether two trees are the same for Sentry's comparison of
// exceptions in a group, which compares the components' reprs: ids, hints,
// contributes and values, but not in_app.
func (c *Component) equal(o *Component) bool {
	if c.ID != o.ID || c.Hint != o.Hint || c.Contributes != o.Contributes || c.Value != o.Value || len(c.Children) != len(o.Children) {
		return false
	}
	for i := range c.Children {
		if !c.Children[i].equal(o.Children[i]) {
			return false
		}
	}
	return true
}

func intValue(n int64) Value { return Value{Kind: IntValue, Text: strconv.FormatInt(n, 10)} }

// MarshalJSONTo writes the component as Sentry's grouping info does:
// {"id", "contributes", "hint", "values"}, where values are the child
// components or the one primitive.
func (c *Component) MarshalJSONTo(enc *jsontext.Encoder) error {
	enc.WriteToken(jsontext.BeginObject)
	enc.WriteToken(jsontext.String("id"))
	enc.WriteToken(jsontext.String(c.ID))
	enc.WriteToken(jsontext.String("contributes"))
	enc.WriteToken(jsontext.Bool(c.Contributes))
	enc.WriteToken(jsontext.String("hint"))
	if c.Hint == "" {
		enc.WriteToken(jsontext.Null)
	} else {
		enc.WriteToken(jsontext.String(c.Hint))
	}
	enc.WriteToken(jsontext.String("values"))
	enc.WriteToken(jsontext.BeginArray)
	switch c.Value.Kind {
	case StringValue:
		enc.WriteToken(jsontext.String(c.Value.Text))
	case IntValue:
		enc.WriteValue(jsontext.Value(c.Value.Text))
	case NullValue:
		enc.WriteToken(jsontext.Null)
	}
	for _, ch := range c.Children {
		if err := ch.MarshalJSONTo(enc); err != nil {
			return err
		}
	}
	enc.WriteToken(jsontext.EndArray)
	return enc.WriteToken(jsontext.EndObject)
}
