package protocol

import (
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// An Event is an error or default event (the payload of an "event" item or
// of a /store/ request) or a transaction (a "transaction" item), as Relay
// reads it. Transactions use the fields under "Transactions" besides the
// rest.
//
// Fields that are costly and rarely needed are Lazy: they are kept as JSON
// and decoded by Get. Keys this type does not name are kept in Other, so an
// Event marshals back with every field it came with. Strings alias the
// payload they were decoded from.
type Event struct {
	EventID     envelope.EventID `json:"event_id,omitzero"`
	Type        string           `json:"type,omitzero"`
	Timestamp   Timestamp        `json:"timestamp,omitzero"`
	Level       Level            `json:"level,omitzero"`
	Platform    string           `json:"platform,omitzero"`
	Logger      string           `json:"logger,omitzero"`
	Transaction string           `json:"transaction,omitzero"`
	Release     LenientString    `json:"release,omitzero"`
	Dist        string           `json:"dist,omitzero"`
	Environment string           `json:"environment,omitzero"`
	ServerName  string           `json:"server_name,omitzero"`
	Culprit     string           `json:"culprit,omitzero"`
	Fingerprint []string         `json:"fingerprint,omitzero"`

	// LogEntry is "logentry"; Message is its older alias "message", which
	// SDKs send as a string or as a logentry object. LogMessage gives the
	// one that counts.
	LogEntry *LogEntry `json:"logentry,omitzero"`
	Message  *LogEntry `json:"message,omitzero"`

	Exception   Values[Exception]               `json:"exception,omitzero"`
	Stacktrace  *Stacktrace                     `json:"stacktrace,omitzero"`
	Threads     Lazy[Values[Thread]]            `json:"threads,omitzero"`
	Breadcrumbs Lazy[Values[Breadcrumb]]        `json:"breadcrumbs,omitzero"`
	Tags        Pairs                           `json:"tags,omitzero"`
	Extra       Lazy[map[string]jsontext.Value] `json:"extra,omitzero"`
	Contexts    Contexts                        `json:"contexts,omitzero"`
	User        *User                           `json:"user,omitzero"`
	Request     Lazy[Request]                   `json:"request,omitzero"`
	SDK         *ClientSDK                      `json:"sdk,omitzero"`
	Modules     Lazy[map[string]string]         `json:"modules,omitzero"`
	DebugMeta   Lazy[DebugMeta]                 `json:"debug_meta,omitzero"`
	Errors      []map[string]jsontext.Value     `json:"errors,omitzero"`

	// Transactions.
	StartTimestamp  Timestamp              `json:"start_timestamp,omitzero"`
	Spans           Lazy[[]Span]           `json:"spans,omitzero"`
	Measurements    map[string]Measurement `json:"measurements,omitzero"`
	TransactionInfo *TransactionInfo       `json:"transaction_info,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`

	// Warnings lists the values that were ignored because they were not
	// valid, as Relay would drop them with a remark.
	Warnings []Warning `json:"-"`
}
