package envelope

// An ItemType is the "type" of an envelope item. Relay matches it exactly and
// case-sensitively: "Event" is not TypeEvent but an unknown type, which is kept
// and written back unchanged like any other unknown type.
type ItemType string

// The item types Relay knows.
const (
	TypeEvent           ItemType = "event"            // error or default event (JSON)
	TypeTransaction     ItemType = "transaction"      // transaction event (JSON)
	TypeSecurity        ItemType = "security"         // security report event; reserved, SDKs must not send it
	TypeRawSecurity     ItemType = "raw_security"     // browser security report (Relay-internal)
	TypeNEL             ItemType = "nel"              // Network Error Logging report
	TypeAttachment      ItemType = "attachment"       // raw bytes, see AttachmentType
	TypeFormData        ItemType = "form_data"        // multipart form fields; reserved
	TypeUnrealReport    ItemType = "unreal_report"    // UE4 crash archive; reserved
	TypeUserReport      ItemType = "user_report"      // legacy user feedback
	TypeFeedback        ItemType = "feedback"         // user feedback event
	TypeSession         ItemType = "session"          // one release-health session update
	TypeSessions        ItemType = "sessions"         // pre-aggregated sessions
	TypeStatsd          ItemType = "statsd"           // statsd-style metrics text
	TypeMetricBuckets   ItemType = "metric_buckets"   // metric buckets (Relay to Relay)
	TypeClientReport    ItemType = "client_report"    // outcomes the SDK discarded
	TypeProfile         ItemType = "profile"          // transaction profile (v1)
	TypeProfileChunk    ItemType = "profile_chunk"    // continuous profiling chunk
	TypeProfileChunkUI  ItemType = "profile_chunk_ui" // alias of profile_chunk sent by some Android SDKs
	TypeReplayEvent     ItemType = "replay_event"     // session replay event
	TypeReplayRecording ItemType = "replay_recording" // session replay recording
	TypeReplayVideo     ItemType = "replay_video"     // session replay video
	TypeCheckIn         ItemType = "check_in"         // cron monitor check-in
	TypeLog             ItemType = "log"              // container of log records
	TypeTraceMetric     ItemType = "trace_metric"     // container of trace metrics
	TypeSpan            ItemType = "span"             // standalone span, or a span v2 container
	TypeIntegration     ItemType = "integration"      // vendor payload; Relay-internal
)

// typeInfo is what Relay's ItemType methods say about each known type.
type typeInfo struct {
	createsEvent  bool
	requiresEvent bool
	container     bool
}

var knownTypes = map[ItemType]typeInfo{
	TypeEvent:           {createsEvent: true, requiresEvent: true},
	TypeTransaction:     {createsEvent: true, requiresEvent: true},
	TypeSecurity:        {createsEvent: true, requiresEvent: true},
	TypeRawSecurity:     {createsEvent: true, requiresEvent: true},
	TypeNEL:             {},
	TypeAttachment:      {requiresEvent: true},
	TypeFormData:        {requiresEvent: true},
	TypeUnrealReport:    {createsEvent: true, requiresEvent: true},
	TypeUserReport:      {requiresEvent: true},
	TypeFeedback:        {createsEvent: true, requiresEvent: true},
	TypeSession:         {container: true},
	TypeSessions:        {container: true},
	TypeStatsd:          {container: true},
	TypeMetricBuckets:   {container: true},
	TypeClientReport:    {container: true},
	TypeProfile:         {container: true, requiresEvent: true},
	TypeProfileChunk:    {container: true},
	TypeProfileChunkUI:  {container: true},
	TypeReplayEvent:     {requiresEvent: true},
	TypeReplayRecording: {},
	TypeReplayVideo:     {},
	TypeCheckIn:         {container: true},
	TypeLog:             {container: true},
	TypeTraceMetric:     {container: true},
	TypeSpan:            {container: true},
	TypeIntegration:     {},
}

// internType returns the constant for a known type name without allocating,
// and a fresh string for an unknown one.
func internType(b []byte) ItemType {
	if len(b) == 0 {
		return ""
	}
	if t, ok := typeNames[string(b)]; ok { // the conversion does not allocate
		return t
	}
	return ItemType(b)
}

var typeNames = func() map[string]ItemType {
	m := make(map[string]ItemType, len(knownTypes))
	for t := range knownTypes {
		m[string(t)] = t
	}
	return m
}()

// IsKnown reports whether Relay knows the type. Relay accepts unknown types
// for forward compatibility; whether it forwards or drops them is its
// routing.accept_unknown_items setting.
func (t ItemType) IsKnown() bool { _, ok := knownTypes[t]; return ok }

// CreatesEvent reports whether an item of this type makes Sentry create an
// event on its own. Attachments create one only for crash attachment types;
// see AttachmentType.CreatesEvent.
func (t ItemType) CreatesEvent() bool { return knownTypes[t].createsEvent }

// RequiresEvent reports whether the item belongs to an event in the same
// envelope (an attachment or a profile, say) and shares its fate.
func (t ItemType) RequiresEvent() bool { return knownTypes[t].requiresEvent }

// CanBeContainer reports whether Relay reads "item_count" for the type.
// Unknown types count as container-capable, as in Relay.
func (t ItemType) CanBeContainer() bool {
	info, ok := knownTypes[t]
	return !ok || info.container
}

// An AttachmentType is the "attachment_type" of an attachment item. Unknown
// values are kept as they are.
type AttachmentType string

// The attachment types Relay knows.
const (
	AttachmentDefault       AttachmentType = "event.attachment"
	AttachmentMinidump      AttachmentType = "event.minidump"
	AttachmentAppleCrash    AttachmentType = "event.applecrashreport"
	AttachmentEventPayload  AttachmentType = "event.payload"
	AttachmentBreadcrumbs   AttachmentType = "event.breadcrumbs"
	AttachmentProsperoDump  AttachmentType = "playstation.prosperodump"
	AttachmentDyingMessage  AttachmentType = "nswitch.dying_message"
	AttachmentUnrealContext AttachmentType = "unreal.context"
	AttachmentUnrealLogs    AttachmentType = "unreal.logs"
	AttachmentViewHierarchy AttachmentType = "event.view_hierarchy"
)

// CreatesEvent reports whether an attachment of this type is a crash report
// from which Sentry creates an event by itself.
func (t AttachmentType) CreatesEvent() bool {
	switch t {
	case AttachmentMinidump, AttachmentAppleCrash, AttachmentEventPayload,
		AttachmentBreadcrumbs, AttachmentProsperoDump, AttachmentDyingMessage:
		return true
	}
	return false
}

// Content types with a meaning to Relay. Relay compares content types
// case-insensitively against the whole value, without parsing parameters.
const (
	ContentTypeText            = "text/plain"
	ContentTypeJSON            = "application/json"
	ContentTypeNDJSON          = "application/x-ndjson"
	ContentTypeMsgpack         = "application/x-msgpack"
	ContentTypeOctetStream     = "application/octet-stream"
	ContentTypeMinidump        = "application/x-dmp"
	ContentTypeXML             = "text/xml"
	ContentTypeEnvelope        = "application/x-sentry-envelope"
	ContentTypeProtobuf        = "application/x-protobuf"
	ContentTypeLogContainer    = "application/vnd.sentry.items.log+json"
	ContentTypeSpanContainer   = "application/vnd.sentry.items.span.v2+json"
	ContentTypeMetricContainer = "application/vnd.sentry.items.trace-metric+json"
	ContentTypeTraceAttachment = "application/vnd.sentry.trace-attachment"
)
