package envelope

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
)

// An EventID is the UUID that names an event. Sentry writes it as 32
// lower-case hex digits; Relay also accepts the hyphenated form, upper case,
// and the braced and URN forms, as Rust's uuid crate does.
type EventID [16]byte

var errEventID = errors.New("invalid event id")

// ParseEventID parses any form Relay accepts: 32 hex digits, 36 with
// hyphens, {braced} or urn:uuid:, in either case.
func ParseEventID(s string) (EventID, error) { return parseEventID([]byte(s)) }

func parseEventID(s []byte) (EventID, error) {
	var id EventID
	switch {
	case len(s) == 38 && s[0] == '{' && s[37] == '}':
		s = s[1:37]
	case len(s) == 45 && (string(s[:9]) == "urn:uuid:" || string(s[:9]) == "URN:UUID:"):
		s = s[9:]
	}
	var groups [5][]byte
	switch len(s) {
	case 32:
		groups = [5][]byte{s}
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return id, errEventID
		}
		groups = [5][]byte{s[:8], s[9:13], s[14:18], s[19:23], s[24:]}
	default:
		return id, errEventID
	}
	at := 0
	for _, g := range groups {
		n, err := hex.Decode(id[at:], g)
		if err != nil || len(g)%2 != 0 {
			return EventID{}, errEventID
		}
		at += n
	}
	return id, nil
}

// NewEventID returns a random (version 4) UUID, as Relay makes one for an
// envelope that needs an event id and has none.
func NewEventID() EventID {
	var id EventID
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	return id
}

// String returns the 32-hex-digit form Sentry uses.
func (id EventID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is the nil UUID.
func (id EventID) IsZero() bool { return id == EventID{} }

// MarshalText implements encoding.TextMarshaler.
func (id EventID) MarshalText() ([]byte, error) {
	return hex.AppendEncode(nil, id[:]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseEventID.
func (id *EventID) UnmarshalText(b []byte) error {
	v, err := ParseEventID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}
