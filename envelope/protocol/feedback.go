package protocol

import (
	"errors"
	"fmt"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// ErrInvalidFeedback is the cause of the *DecodeError for a feedback item
// without a feedback context or without a message in it.
var ErrInvalidFeedback = errors.New("invalid feedback")

// A FeedbackContext, contexts["feedback"], is what a user wrote in a user
// feedback form, the subject of a "feedback" item.
type FeedbackContext struct {
	// Message is the user's text. A feedback item requires it.
	Message      string `json:"message,omitzero"`
	ContactEmail string `json:"contact_email,omitzero"`
	Name         string `json:"name,omitzero"`
	// URL is the page the user was on.
	URL string `json:"url,omitzero"`
	// Source is the widget or API the feedback came from.
	Source string `json:"source,omitzero"`
	// AssociatedEventID is the event the feedback is about, if any, as
	// the SDK sent it (usually 32 hex digits).
	AssociatedEventID string `json:"associated_event_id,omitzero"`
	// ReplayID is the session replay the user was in, if any.
	ReplayID string                    `json:"replay_id,omitzero"`
	Other    map[string]jsontext.Value `json:",embed"`
}

// DecodeFeedback decodes the payload of a "feedback" item (user feedback,
// version 2), which is an event whose contexts.feedback holds the
// feedback, and returns both.
//
// The event is decoded leniently, as by DecodeEvent, and the feedback
// context's warnings join the Event's. A payload without a feedback
// context, or whose feedback has no message, is a *DecodeError wrapping
// ErrInvalidFeedback, returned with the Event. Only malformed JSON, or a
// payload that is not an object, returns no Event.
//
// The Event and the FeedbackContext alias payload, which must not be
// modified while they are in use.
func DecodeFeedback(payload []byte) (*Event, *FeedbackContext, error) {
	ev, err := decodeEventAs(envelope.TypeFeedback, payload)
	if err != nil {
		return nil, nil, err
	}
	invalid := func(at jsontext.Pointer, reason string) error {
		return &DecodeError{Type: envelope.TypeFeedback, Pointer: at, Err: fmt.Errorf("%w: %s", ErrInvalidFeedback, reason)}
	}
	fb, w, err := ev.Contexts.Feedback()
	ev.Warnings = append(ev.Warnings, w...)
	switch {
	case err != nil:
		return ev, nil, err
	case fb == nil:
		return ev, nil, invalid("/contexts/feedback", "no feedback context")
	case fb.Message == "":
		return ev, nil, invalid("/contexts/feedback/message", "no message")
	}
	return ev, fb, nil
}
