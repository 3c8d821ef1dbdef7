package protocol

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// A Breadcrumb is one entry of the trail of things that happened before
// an event: a log line, an HTTP request, a navigation, a click.
type Breadcrumb struct {
	// Timestamp is when it happened.
	Timestamp Timestamp `json:"timestamp,omitzero"`
	// Type says how Sentry displays it: "default", "http", "navigation",
	// "error", "query"... Old SDKs sent it under the key "ty", which is
	// read here too (and marshaled back as "type").
	Type string `json:"type,omitzero"`
	// Category is the breadcrumb's source, such as "console" or "xhr".
	Category string `json:"category,omitzero"`
	// Level is its severity.
	Level Level `json:"level,omitzero"`
	// Message is its text.
	Message string `json:"message,omitzero"`
	// Data is free-form data whose keys depend on Type (url, method and
	// status_code for "http", say).
	Data map[string]jsontext.Value `json:"data,omitzero"`
	// EventID links the breadcrumb to an event the SDK sent earlier.
	EventID envelope.EventID `json:"event_id,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// plainBreadcrumb is Breadcrumb without its methods, for the default
// unmarshaling.
type plainBreadcrumb Breadcrumb

// breadcrumbWire adds the legacy key to the fields; an explicit name at
// this depth wins over the embedded fallback map, so "ty" lands here, and
// a value of the wrong type warns with the pointer of "ty".
type breadcrumbWire struct {
	plainBreadcrumb
	Ty *string `json:"ty,omitzero"`
}

// UnmarshalJSONFrom reads a breadcrumb, taking the legacy key "ty" as
// "type" when "type" is absent. When both are sent "type" wins, as the
// canonical name does in Relay, and "ty" stays in Other.
func (b *Breadcrumb) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		*b = Breadcrumb{}
		return dec.SkipValue()
	}
	var w breadcrumbWire
	if err := json.UnmarshalDecode(dec, &w); err != nil {
		return err
	}
	*b = Breadcrumb(w.plainBreadcrumb)
	if w.Ty != nil {
		if b.Type == "" {
			b.Type = *w.Ty
		} else {
			if b.Other == nil {
				b.Other = map[string]jsontext.Value{}
			}
			v, err := jsontext.AppendQuote(nil, *w.Ty)
			if err != nil {
				return err
			}
			b.Other["ty"] = v
		}
	}
	return nil
}

// acceptsKind tells the lenient decoder which kinds UnmarshalJSONFrom takes.
func (*Breadcrumb) acceptsKind(k jsontext.Kind) bool { return k == '{' }
