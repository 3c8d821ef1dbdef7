package protocol

import (
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// A UserReport is the payload of a "user_report" item: the legacy form of
// user feedback, a comment a user left about an event. Newer SDKs send a
// "feedback" item instead, which is an event. It is strict, as Relay's
// serde type is.
//
// Strings alias the payload. Keys not named here are kept in Other.
type UserReport struct {
	// EventID is the event the feedback is about. It is required.
	EventID envelope.EventID `json:"event_id"`
	// Name and Email say who left the feedback; Comments is what they
	// wrote. null reads as "", as in Relay.
	Name     string `json:"name"`
	Email    string `json:"email"`
	Comments string `json:"comments"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// DecodeUserReport decodes the payload of a "user_report" item as Relay
// does: types are strict and "event_id" is required. Errors are
// *DecodeError.
func DecodeUserReport(payload []byte) (*UserReport, error) {
	r := new(UserReport)
	if err := strictDecode(envelope.TypeUserReport, payload, r, []string{"event_id"}, nil); err != nil {
		return nil, err
	}
	return r, nil
}
