package protocol

import "github.com/go-json-experiment/json/jsontext"

// A User is the event's "user": who was using the program when the event
// happened.
type User struct {
	// ID is the host application's id for the user. SDKs send numbers
	// too; they are read as strings, as Relay reads them.
	ID    LenientString `json:"id,omitzero"`
	Email string        `json:"email,omitzero"`
	// IPAddress is an IPv4 or IPv6 address, or "{{auto}}", which asks the
	// server to fill in the address the event came from.
	IPAddress string        `json:"ip_address,omitzero"`
	Username  LenientString `json:"username,omitzero"`
	Name      string        `json:"name,omitzero"`
	Geo       *Geo          `json:"geo,omitzero"`
	Segment   string        `json:"segment,omitzero"`
	// SentryUser is computed by Relay, such as "id:42"; SDKs do not send it.
	SentryUser string `json:"sentry_user,omitzero"`
	// Data is arbitrary data about the user. Relay moves the keys it does
	// not know (Other) into it when it normalizes the event.
	Data  map[string]jsontext.Value `json:"data,omitzero"`
	Other map[string]jsontext.Value `json:",embed"`
}

// A Geo is where a user is, usually derived by the server from the IP
// address.
type Geo struct {
	// CountryCode is the two-letter ISO 3166 code.
	CountryCode string                    `json:"country_code,omitzero"`
	City        string                    `json:"city,omitzero"`
	Subdivision string                    `json:"subdivision,omitzero"`
	Region      string                    `json:"region,omitzero"`
	Other       map[string]jsontext.Value `json:",embed"`
}
