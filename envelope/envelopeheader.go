package envelope

import (
	"bytes"
	"errors"
	"net/netip"
	"net/url"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/dsn"
)

// An EnvelopeHeader is the header of an envelope. Besides the generic
// Header methods it reads and writes the fields Sentry defines.
type EnvelopeHeader struct {
	Header
}

// EventID returns the "event_id", which names the event the envelope
// carries. It reports false if there is none. Relay takes this id over the
// one in an event payload.
func (h *EnvelopeHeader) EventID() (EventID, bool) {
	s, ok := h.GetString("event_id")
	if !ok || s == "" {
		return EventID{}, false
	}
	id, err := ParseEventID(s)
	return id, err == nil
}

// SetEventID sets "event_id" in the 32-hex-digit form.
func (h *EnvelopeHeader) SetEventID(id EventID) { _ = h.Set("event_id", id.String()) }

// DSN returns the "dsn", with which an envelope authenticates itself when the
// request carries no other auth (a browser tunnel, say).
func (h *EnvelopeHeader) DSN() (dsn.DSN, bool) {
	s, ok := h.GetString("dsn")
	if !ok {
		return dsn.DSN{}, false
	}
	d, err := dsn.Parse(s)
	return d, err == nil
}

// SentAt returns "sent_at", the time the SDK sent the envelope, which Relay
// uses to correct clock drift.
func (h *EnvelopeHeader) SentAt() (time.Time, bool) {
	s, ok := h.GetString("sent_at")
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// SDK describes the SDK that sent an envelope: its "sdk" header.
type SDK struct {
	Name         string       `json:"name"`
	Version      string       `json:"version"`
	Integrations []string     `json:"integrations,omitempty"`
	Packages     []SDKPackage `json:"packages,omitempty"`
}

// SDKPackage is one package an SDK reports.
type SDKPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// SDK returns the "sdk" header. It reports false if there is none or it is
// not an object of the expected shape.
func (h *EnvelopeHeader) SDK() (SDK, bool) {
	var sdk SDK
	v := h.Get("sdk")
	if v == nil || json.Unmarshal(v, &sdk) != nil {
		return SDK{}, false
	}
	return sdk, true
}

// DSC is the dynamic sampling context of the trace an envelope belongs to:
// its "trace" header.
type DSC struct {
	TraceID     string `json:"trace_id"`
	PublicKey   string `json:"public_key"`
	Release     string `json:"release,omitempty"`
	Environment string `json:"environment,omitempty"`
	Transaction string `json:"transaction,omitempty"`
	ReplayID    string `json:"replay_id,omitempty"`
	UserID      string `json:"user_id,omitempty"`
	UserSegment string `json:"user_segment,omitempty"`
	// SampleRate and SampleRand are strings holding a float, as SDKs send
	// them; Relay rejects a JSON number for sample_rate.
	SampleRate string `json:"sample_rate,omitempty"`
	SampleRand string `json:"sample_rand,omitempty"`
	// Sampled is "true", "false" or empty; Relay accepts a JSON bool or
	// these strings.
	Sampled string `json:"-"`
	// Other holds the keys not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// Trace returns the "trace" header. As in Relay, a malformed one is as good
// as none: it reports false, and the envelope is still valid.
func (h *EnvelopeHeader) Trace() (DSC, bool) {
	v := h.Get("trace")
	if v.Kind() != '{' {
		return DSC{}, false
	}
	var d DSC
	if err := json.Unmarshal(v, &d); err != nil {
		return DSC{}, false
	}
	if s, ok := d.Other["sampled"]; ok {
		delete(d.Other, "sampled")
		switch string(s) {
		case "true", `"true"`:
			d.Sampled = "true"
		case "false", `"false"`:
			d.Sampled = "false"
		}
	}
	if d.UserID == "" && d.UserSegment == "" {
		if u, ok := d.Other["user"]; ok {
			var nested struct {
				ID      string `json:"id"`
				Segment string `json:"segment"`
			}
			if json.Unmarshal(u, &nested) == nil {
				d.UserID, d.UserSegment = nested.ID, nested.Segment
			}
		}
	}
	if d.TraceID == "" || d.PublicKey == "" {
		return DSC{}, false
	}
	return d, true
}

// validateEnvelopeHeader checks the fields Relay's typed envelope header
// declares: a bad one fails the whole envelope with ErrInvalidHeader. It
// returns the field and the offset of its value within raw. It reads the
// members of raw that scan found.
func (p *parser) validateEnvelopeHeader(raw []byte) (field string, off int, err error) {
	emptyEventID := p.opts.emptyEventID
	if raw[0] != '{' {
		return "", 0, errNotObject
	}
	var seen uint32
	for _, s := range p.members {
		m := s.member(raw)
		v := m.value
		k := m.key[1 : len(m.key)-1]
		if bytes.IndexByte(k, '\\') >= 0 {
			k = []byte(m.name())
		}
		if bit := envelopeField(k); bit != 0 {
			if seen&bit != 0 {
				return string(k), m.keyOff, errDuplicate
			}
			seen |= bit
		}
		if v[0] == 'n' { // null is absent for every typed field
			continue
		}
		switch string(k) {
		case "event_id":
			s, ok := rawString(v)
			switch {
			case !ok:
				err = errFieldType
			case len(s) == 0 && emptyEventID:
			default:
				_, err = parseEventID(s)
			}
		case "dsn":
			s, ok := rawString(v)
			if !ok {
				err = errFieldType
				break
			}
			// An ingest server sees the same DSN over and over; the pooled
			// parser remembers the last one that passed.
			if p.lastDSN != "" && string(s) == p.lastDSN {
				break
			}
			if err = checkHeaderDSN(string(s)); err == nil {
				p.lastDSN = string(s)
			}
		case "sent_at":
			s, ok := rawString(v)
			if !ok {
				err = errFieldType
				break
			}
			_, err = time.Parse(time.RFC3339Nano, string(s))
		case "retention", "downsampled_retention", "version":
			if _, ok := parseUint(v, 1<<16-1); !ok {
				err = errFieldType
			}
		case "client", "forwarded_for", "user_agent":
			if _, ok := rawString(v); !ok {
				err = errFieldType
			}
		case "no_cache":
			if string(v) != "true" && string(v) != "false" {
				err = errFieldType
			}
		case "origin":
			s, ok := rawString(v)
			if !ok {
				err = errFieldType
				break
			}
			if u, perr := url.Parse(string(s)); perr != nil || u.Scheme == "" {
				err = errors.New("origin is not a URL")
			}
		case "remote_addr":
			s, ok := rawString(v)
			if !ok {
				err = errFieldType
				break
			}
			_, err = netip.ParseAddr(string(s))
		}
		if err != nil {
			return m.name(), m.off, err
		}
	}
	return "", 0, nil
}

// envelopeField returns a bit for each field of Relay's typed envelope
// header and request meta, which serde rejects when it appears twice, and 0
// for other keys.
func envelopeField(k []byte) uint32 {
	switch string(k) {
	case "event_id":
		return 1 << 0
	case "dsn":
		return 1 << 1
	case "sent_at":
		return 1 << 2
	case "trace":
		return 1 << 3
	case "retention":
		return 1 << 4
	case "downsampled_retention":
		return 1 << 5
	case "required_features":
		return 1 << 6
	case "client":
		return 1 << 7
	case "version":
		return 1 << 8
	case "origin":
		return 1 << 9
	case "remote_addr":
		return 1 << 10
	case "forwarded_for":
		return 1 << 11
	case "user_agent":
		return 1 << 12
	case "no_cache":
		return 1 << 13
	case "client_hints":
		return 1 << 14
	}
	return 0
}

// checkHeaderDSN applies Relay's rules for a DSN that arrives as data: it
// must have a numeric project id and a 32-character public key.
func checkHeaderDSN(s string) error {
	d, err := dsn.Parse(s)
	if err != nil {
		return err
	}
	return d.ValidateRelay()
}
