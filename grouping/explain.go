package grouping

import (
	"bytes"
	"io"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// variantSeparator separates variants in Sentry's snapshots.
var variantSeparator = strings.Repeat("-", 74)

// WriteExplain writes the result as Sentry's grouping snapshots print it:
// every variant by name with its hash, its contributing component and
// hint, and the component tree, a star marking what contributes and the
// hint in parentheses. It is the answer to "why did these two events
// (not) group together", in the form Sentry's own tests record.
func (r *Result) WriteExplain(w io.Writer) error {
	var b bytes.Buffer
	for i, v := range r.Variants {
		if i > 0 {
			b.WriteString(variantSeparator + "\n")
		}
		v.writeExplain(&b)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Explain returns what WriteExplain writes.
func (r *Result) Explain() string {
	var b strings.Builder
	r.WriteExplain(&b)
	return b.String()
}

func (v *Variant) writeExplain(b *bytes.Buffer) {
	b.WriteString(v.Name + ":\n")
	b.WriteString("  hash: " + jsonNullString(v.Hash) + "\n")
	switch v.Type {
	case "fallback":
		return
	case "checksum", "hashed_checksum":
		b.WriteString("  checksum: " + jsonString(v.Checksum) + "\n")
		if v.RawChecksum != "" {
			b.WriteString("  raw_checksum: " + jsonString(v.RawChecksum) + "\n")
		}
		return
	case "custom_fingerprint", "built_in_fingerprint":
		v.writeFingerprintInfo(b)
		b.WriteString("  values: " + jsonStrings(v.Values) + "\n")
		return
	}
	b.WriteString("  contributing component: " + jsonNull(v.ContributingComponent) + "\n")
	hint := v.Hint
	if hint == "" {
		hint = "None"
	}
	b.WriteString("  hint: " + hint + "\n")
	if v.Type == "salted_component" {
		v.writeFingerprintInfo(b)
	}
	b.WriteString("  root_component:\n")
	writeTree(b, v.Component, 4)
	if v.Type == "salted_component" {
		b.WriteString("  values: " + jsonStrings(v.Values) + "\n")
	}
}

func (v *Variant) writeFingerprintInfo(b *bytes.Buffer) {
	if v.FingerprintInfo == nil {
		b.WriteString("  fingerprint_info: {}\n")
		return
	}
	b.WriteString("  fingerprint_info: " + string(v.FingerprintInfo.json()) + "\n")
}

// MarshalJSONTo writes the info as Sentry's _fingerprint_info, keys
// sorted.
func (fi *FingerprintInfo) MarshalJSONTo(enc *jsontext.Encoder) error {
	return enc.WriteValue(fi.json())
}

// json renders the info as Sentry's _fingerprint_info: compact, keys
// sorted.
func (fi *FingerprintInfo) json() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	if len(fi.ClientFingerprint) > 0 {
		b.WriteString(`"client_fingerprint":` + jsonStrings(fi.ClientFingerprint))
	}
	if fi.MatchedRule != nil {
		if len(fi.ClientFingerprint) > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"matched_rule":`)
		b.Write(fi.MatchedRule.JSON())
	}
	b.WriteByte('}')
	return b.Bytes()
}

func writeTree(b *bytes.Buffer, c *Component, indent int) {
	if c.Hint == "" && len(c.Children) == 0 && !c.hasValue() {
		return
	}
	pad := strings.Repeat(" ", indent)
	b.WriteString(pad + c.ID)
	if c.Contributes {
		b.WriteByte('*')
	}
	if c.Hint != "" {
		b.WriteString(" (" + c.Hint + ")")
	}
	b.WriteByte('\n')
	if c.hasValue() {
		b.WriteString(pad + "  ")
		switch c.Value.Kind {
		case NullValue:
			b.WriteString("null")
		case IntValue:
			b.WriteString(c.Value.Text)
		default:
			b.WriteString(jsonString(c.Value.Text))
		}
		b.WriteByte('\n')
	}
	for _, ch := range c.Children {
		writeTree(b, ch, indent+2)
	}
}

func jsonString(s string) string {
	v, err := jsontext.AppendQuote(nil, s)
	if err != nil {
		// Invalid UTF-8 is replaced, as Sentry's encoder does.
		v, _ = json.Marshal(strings.ToValidUTF8(s, "\uFFFD"))
	}
	return string(v)
}

func jsonStrings(ss []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonString(s))
	}
	b.WriteByte(']')
	return b.String()
}

func jsonNullString(s string) string {
	if s == "" {
		return "null"
	}
	return jsonString(s)
}

func jsonNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

func jsonUnquote(v jsontext.Value, s *string) error { return json.Unmarshal(v, s) }
