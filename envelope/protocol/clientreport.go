package protocol

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// A ClientReport is the payload of a "client_report" item: the SDK's count
// of what it dropped instead of sending (sampled out, rate limited, queue
// full, ...), so that Sentry can show it as outcomes. It is strict, as
// Relay's serde type is.
//
// Strings alias the payload. Keys not named here are kept in Other.
type ClientReport struct {
	// Timestamp is when the report was made.
	Timestamp ReportTime `json:"timestamp,omitzero"`
	// DiscardedEvents is what the SDK dropped. It is required, and may be
	// empty.
	DiscardedEvents []DiscardedEvent `json:"discarded_events"`
	// RateLimitedEvents, FilteredEvents and FilteredSamplingEvents are sent
	// by Relays that report their outcomes as client reports.
	RateLimitedEvents      []DiscardedEvent `json:"rate_limited_events,omitzero"`
	FilteredEvents         []DiscardedEvent `json:"filtered_events,omitzero"`
	FilteredSamplingEvents []DiscardedEvent `json:"filtered_sampling_events,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// A DiscardedEvent counts what was dropped for one reason in one data
// category.
type DiscardedEvent struct {
	// Reason is why, such as "sample_rate", "before_send",
	// "ratelimit_backoff", "queue_overflow", "network_error".
	Reason string `json:"reason"`
	// Category is the data category, as in rate limits: "error",
	// "transaction", "span", "attachment", "log_item", ... Relay counts
	// categories it does not know as "unknown".
	Category string `json:"category"`
	// Quantity is how many (for "attachment" and "log_byte", how many
	// bytes).
	Quantity uint32 `json:"quantity"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// UnmarshalJSONFrom requires all three fields, as Relay does.
func (d *DiscardedEvent) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type plain DiscardedEvent
	return decodeRequiring(dec, (*plain)(d), nil, "reason", "category", "quantity")
}

// DecodeClientReport decodes the payload of a "client_report" item as
// Relay does: types are strict, "discarded_events" is required, and each
// entry needs "reason", "category" and a "quantity" that fits 32 bits.
// Errors are *DecodeError.
//
// Relay drops reports that are too old or from the future when it
// processes them; that needs a clock and is left to the host.
func DecodeClientReport(payload []byte) (*ClientReport, error) {
	r := new(ClientReport)
	if err := strictDecode(envelope.TypeClientReport, payload, r, []string{"discarded_events"}, nil); err != nil {
		return nil, err
	}
	return r, nil
}

// A ReportTime is a client report's timestamp, which Relay takes as
// non-negative Unix seconds (a fraction is cut off) or as an RFC 3339
// string, and keeps to the second. It keeps what was sent, to the
// nanosecond, and marshals as RFC 3339 in UTC.
type ReportTime struct {
	time.Time
}

// UnmarshalJSONFrom accepts Unix seconds and RFC 3339 strings.
func (t *ReportTime) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case '0':
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || f < 0 || f > math.MaxUint64 {
			return &json.SemanticError{Err: fmt.Errorf("%w: %s is out of range", ErrInvalidTimestamp, v)}
		}
		t.Time = unixSeconds(f)
		return nil
	case '"':
		s, err := jsontext.AppendUnquote(nil, v)
		if err != nil {
			return err
		}
		tm, ok := parseDateTime(string(s))
		if !ok || tm.Unix() < 0 {
			return &json.SemanticError{Err: fmt.Errorf("%w: %s", ErrInvalidTimestamp, v)}
		}
		t.Time = tm.UTC()
		return nil
	}
	return &json.SemanticError{Err: fmt.Errorf("%w: want seconds or an RFC 3339 string, got %s", ErrInvalidTimestamp, v)}
}

// MarshalJSONTo writes RFC 3339 in UTC.
func (t ReportTime) MarshalJSONTo(enc *jsontext.Encoder) error {
	if t.Time.IsZero() {
		return enc.WriteToken(jsontext.Null)
	}
	return enc.WriteToken(jsontext.String(t.UTC().Format(time.RFC3339Nano)))
}

// IsZero reports whether the timestamp is absent.
func (t ReportTime) IsZero() bool { return t.Time.IsZero() }
