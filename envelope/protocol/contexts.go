package protocol

import (
	"bytes"
	"errors"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// Contexts is an event's "contexts": an object from an alias, usually the
// context's type ("os", "trace"), to a context object.
//
// Each context is kept as the JSON the SDK sent and decoded only when asked
// for, by the typed accessors (Trace, OS, Device, ...) or by Get and
// Context.Decode, because most hosts read one or two contexts of the half
// dozen every SDK sends. The JSON aliases the payload, like the strings of
// a decoded Event. Marshaling Contexts writes every context back as it
// came, including contexts of types this package does not know.
//
// A context that is not an object is dropped with a Warning, as Relay drops
// it; a null context is kept, and reads as absent.
//
// The numbers of the typed contexts are float64, whatever Relay's type:
// SDKs write integers as 1.0 or 1e3 at times (JavaScript knows no other
// kind), which an integer field would refuse, and a float64 holds every
// integer below 2^53 exactly. Booleans and numbers are pointers so that a
// false or a zero the SDK sent is told apart from one it left out, and
// marshals back.
type Contexts map[string]jsontext.Value

// The context types Relay knows. Relay reads a context of any other type as
// a free-form object, which Contexts keeps too.
const (
	ContextTypeDevice        = "device"
	ContextTypeOS            = "os"
	ContextTypeRuntime       = "runtime"
	ContextTypeApp           = "app"
	ContextTypeBrowser       = "browser"
	ContextTypeGPU           = "gpu"
	ContextTypeTrace         = "trace"
	ContextTypeProfile       = "profile"
	ContextTypeReplay        = "replay"
	ContextTypeFlags         = "flags"
	ContextTypeFeedback      = "feedback"
	ContextTypeResponse      = "response"
	ContextTypeCulture       = "culture"
	ContextTypeCloudResource = "cloud_resource"
	ContextTypeOtel          = "otel"
	ContextTypeMonitor       = "monitor"
	ContextTypeReprocessing  = "reprocessing"
)

// UnmarshalJSONFrom keeps each context's JSON without decoding it.
func (c *Contexts) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		return dec.SkipValue()
	case '{':
	default:
		return &json.SemanticError{Err: errors.New("want an object of contexts")}
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	m := *c
	if m == nil {
		m = make(Contexts)
	}
	inPlace := decoderOf(dec) != nil
	for dec.PeekKind() != '}' {
		key, err := readName(dec, inPlace)
		if err != nil {
			return err
		}
		switch dec.PeekKind() {
		case '{', 'n':
			v, err := dec.ReadValue()
			if err != nil {
				return err
			}
			// Under the package's decoding v points into the payload and
			// stays valid, as Lazy's bytes do (see keep).
			m[key] = keepIf(inPlace, v)
		default:
			// Unmarshaling a value of the wrong kind into an empty struct
			// lets the lenient decoder skip it and record a Warning at
			// its pointer, as for any other field of the wrong type.
			if err := json.UnmarshalDecode(dec, new(struct{})); err != nil {
				return err
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	*c = m
	return nil
}

// A Context is one entry of Contexts, still JSON.
type Context struct {
	// Key is the alias the context is stored under.
	Key string
	// Type is the context's "type", or Key when it has no non-empty string
	// type: Relay reads {"os": {"name": "Linux"}} as an OS context.
	Type string
	// Raw is the context object as sent.
	Raw jsontext.Value
}

// Decode decodes the context into v, leniently as the event around it:
// values of the wrong type are left out and returned as Warnings whose
// pointers start at the top of the event ("/contexts/<key>/...").
func (c Context) Decode(v any) ([]Warning, error) {
	return decodeAt("", jsontext.Pointer("/contexts").AppendToken(c.Key), c.Raw, v)
}

// Get returns the context stored under key. A null context is absent.
func (c Contexts) Get(key string) (Context, bool) {
	raw, ok := c[key]
	if !ok || raw.Kind() != '{' {
		return Context{}, false
	}
	return Context{Key: key, Type: contextType(key, raw), Raw: raw}, true
}

// Type returns the type of the context stored under key, which defaults to
// key as Relay defaults it, or "" if there is no such context.
func (c Contexts) Type(key string) string {
	ctx, _ := c.Get(key)
	return ctx.Type
}

// contextType applies Relay's rule: a context whose "type" is missing or is
// not a non-empty string (17, {}, "", ["x"]) takes its key as its type.
func contextType(key string, raw jsontext.Value) string {
	dec := jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowDuplicateNames(true))
	if _, err := dec.ReadToken(); err != nil {
		return key
	}
	typ := key
	for dec.PeekKind() == '"' {
		k, err := dec.ReadToken()
		if err != nil {
			return key
		}
		isType := k.String() == "type" // k is void after the next read
		v, err := dec.ReadValue()
		if err != nil {
			return key
		}
		if isType {
			// The last "type" wins, as it does when the context is
			// decoded with duplicate names allowed.
			typ = key
			if v.Kind() == '"' {
				if s, err := jsontext.AppendUnquote(nil, v); err == nil && len(s) > 0 {
					typ = string(s)
				}
			}
		}
	}
	return typ
}

// typedContext decodes the context at key into a new T if its type is typ.
// Like Relay's Contexts::get, it looks only at the type's default key: a
// trace context stored under another alias is not the event's trace
// context, and neither is a context under "trace" that says it is
// something else.
func typedContext[T any](c Contexts, key, typ string) (*T, []Warning, error) {
	ctx, ok := c.Get(key)
	if !ok || ctx.Type != typ {
		return nil, nil, nil
	}
	v := new(T)
	w, err := ctx.Decode(v)
	if err != nil {
		return nil, w, err
	}
	return v, w, nil
}

// Trace returns the trace context, contexts["trace"], or nil if the event
// has none. Warnings list the values that were not valid, such as a trace
// id that is not 32 hex digits; the error is for JSON that cannot be
// decoded at all.
func (c Contexts) Trace() (*TraceContext, []Warning, error) {
	return typedContext[TraceContext](c, "trace", ContextTypeTrace)
}

// OS returns the operating system context, contexts["os"], or nil.
func (c Contexts) OS() (*OSContext, []Warning, error) {
	return typedContext[OSContext](c, "os", ContextTypeOS)
}

// Runtime returns the runtime context, contexts["runtime"], or nil.
func (c Contexts) Runtime() (*RuntimeContext, []Warning, error) {
	return typedContext[RuntimeContext](c, "runtime", ContextTypeRuntime)
}

// Device returns the device context, contexts["device"], or nil.
func (c Contexts) Device() (*DeviceContext, []Warning, error) {
	return typedContext[DeviceContext](c, "device", ContextTypeDevice)
}

// Browser returns the browser context, contexts["browser"], or nil.
func (c Contexts) Browser() (*BrowserContext, []Warning, error) {
	return typedContext[BrowserContext](c, "browser", ContextTypeBrowser)
}

// App returns the application context, contexts["app"], or nil.
func (c Contexts) App() (*AppContext, []Warning, error) {
	return typedContext[AppContext](c, "app", ContextTypeApp)
}

// GPU returns the graphics card context, contexts["gpu"], or nil.
func (c Contexts) GPU() (*GPUContext, []Warning, error) {
	return typedContext[GPUContext](c, "gpu", ContextTypeGPU)
}

// Response returns the HTTP response context, contexts["response"], or nil.
func (c Contexts) Response() (*ResponseContext, []Warning, error) {
	return typedContext[ResponseContext](c, "response", ContextTypeResponse)
}

// Feedback returns the user feedback context, contexts["feedback"], or nil.
// It is what a feedback item is about; see DecodeFeedback.
func (c Contexts) Feedback() (*FeedbackContext, []Warning, error) {
	return typedContext[FeedbackContext](c, "feedback", ContextTypeFeedback)
}

// Culture returns the locale context, contexts["culture"], or nil.
func (c Contexts) Culture() (*CultureContext, []Warning, error) {
	return typedContext[CultureContext](c, "culture", ContextTypeCulture)
}

// CloudResource returns the cloud context, contexts["cloud_resource"], or
// nil.
func (c Contexts) CloudResource() (*CloudResourceContext, []Warning, error) {
	return typedContext[CloudResourceContext](c, "cloud_resource", ContextTypeCloudResource)
}

// Profile returns the profiling context, contexts["profile"], or nil.
func (c Contexts) Profile() (*ProfileContext, []Warning, error) {
	return typedContext[ProfileContext](c, "profile", ContextTypeProfile)
}

// Replay returns the session replay context, contexts["replay"], or nil.
func (c Contexts) Replay() (*ReplayContext, []Warning, error) {
	return typedContext[ReplayContext](c, "replay", ContextTypeReplay)
}

// decodeAt decodes raw, the value at pointer at of a larger payload,
// leniently, so that warnings and errors point from the top of that
// payload rather than from raw.
func decodeAt(t envelope.ItemType, at jsontext.Pointer, raw jsontext.Value, v any) ([]Warning, error) {
	w, err := decode(t, raw, v, true)
	for i := range w {
		w[i].Pointer = at + w[i].Pointer
	}
	var de *DecodeError
	if errors.As(err, &de) {
		de.Pointer = at + de.Pointer
	}
	return w, err
}

// A TraceContext, contexts["trace"], ties an event to a trace. In a
// transaction it describes the transaction's root span, and Relay requires
// its trace_id and span_id.
type TraceContext struct {
	TraceID      TraceID `json:"trace_id,omitzero"`
	SpanID       SpanID  `json:"span_id,omitzero"`
	ParentSpanID SpanID  `json:"parent_span_id,omitzero"`
	// Op is the kind of operation, such as "http.server" or "db.query".
	Op string `json:"op,omitzero"`
	// Status is how the transaction ended. When absent Relay stores
	// "unknown"; EffectiveStatus applies that default.
	Status SpanStatus `json:"status,omitzero"`
	// ExclusiveTime is the time, in milliseconds, spent in the span but
	// not in its children.
	ExclusiveTime *float64 `json:"exclusive_time,omitzero"`
	// ClientSampleRate is set by Relay from the envelope's trace header;
	// SDKs should not send it.
	ClientSampleRate *float64 `json:"client_sample_rate,omitzero"`
	// Origin says what created the trace, such as "manual" or "auto.http".
	Origin  string `json:"origin,omitzero"`
	Sampled *bool  `json:"sampled,omitzero"`
	// Data is arbitrary data about the trace, kept as sent.
	Data  jsontext.Value            `json:"data,omitzero"`
	Other map[string]jsontext.Value `json:",embed"`
}

// EffectiveStatus returns the status, or SpanStatusUnknown if none was
// sent, which is what Relay stores for a trace context without one.
func (t *TraceContext) EffectiveStatus() SpanStatus {
	if t.Status == "" {
		return SpanStatusUnknown
	}
	return t.Status
}

// An OSContext, contexts["os"], describes the operating system the SDK ran
// on; in a browser, the one in the user agent.
type OSContext struct {
	Name    string        `json:"name,omitzero"`
	Version string        `json:"version,omitzero"`
	Build   LenientString `json:"build,omitzero"`
	// KernelVersion is often the whole output of uname.
	KernelVersion string `json:"kernel_version,omitzero"`
	Rooted        *bool  `json:"rooted,omitzero"`
	// RawDescription is an unparsed description, from which Relay derives
	// Name and Version when they are missing.
	RawDescription string                    `json:"raw_description,omitzero"`
	Distribution   *LinuxDistribution        `json:"distribution,omitzero"`
	Other          map[string]jsontext.Value `json:",embed"`
}

// A LinuxDistribution is the distribution of a Linux OSContext.
type LinuxDistribution struct {
	Name       string                    `json:"name,omitzero"`
	Version    string                    `json:"version,omitzero"`
	PrettyName string                    `json:"pretty_name,omitzero"`
	Other      map[string]jsontext.Value `json:",embed"`
}

// A RuntimeContext, contexts["runtime"], names the language runtime, such
// as CPython 3.11 or node v20.
type RuntimeContext struct {
	Name           string                    `json:"name,omitzero"`
	Version        string                    `json:"version,omitzero"`
	Build          LenientString             `json:"build,omitzero"`
	RawDescription string                    `json:"raw_description,omitzero"`
	Other          map[string]jsontext.Value `json:",embed"`
}

// A DeviceContext, contexts["device"], describes the machine: hardware,
// memory and storage in bytes, screen, battery.
type DeviceContext struct {
	Name                   string                    `json:"name,omitzero"`
	Family                 string                    `json:"family,omitzero"`
	Model                  string                    `json:"model,omitzero"`
	ModelID                string                    `json:"model_id,omitzero"`
	Arch                   string                    `json:"arch,omitzero"`
	BatteryLevel           *float64                  `json:"battery_level,omitzero"`
	Orientation            string                    `json:"orientation,omitzero"`
	Manufacturer           string                    `json:"manufacturer,omitzero"`
	Brand                  string                    `json:"brand,omitzero"`
	ScreenResolution       string                    `json:"screen_resolution,omitzero"`
	ScreenHeightPixels     *float64                  `json:"screen_height_pixels,omitzero"`
	ScreenWidthPixels      *float64                  `json:"screen_width_pixels,omitzero"`
	ScreenDensity          *float64                  `json:"screen_density,omitzero"`
	ScreenDPI              *float64                  `json:"screen_dpi,omitzero"`
	Online                 *bool                     `json:"online,omitzero"`
	Charging               *bool                     `json:"charging,omitzero"`
	LowMemory              *bool                     `json:"low_memory,omitzero"`
	Simulator              *bool                     `json:"simulator,omitzero"`
	MemorySize             *float64                  `json:"memory_size,omitzero"`
	FreeMemory             *float64                  `json:"free_memory,omitzero"`
	UsableMemory           *float64                  `json:"usable_memory,omitzero"`
	StorageSize            *float64                  `json:"storage_size,omitzero"`
	FreeStorage            *float64                  `json:"free_storage,omitzero"`
	ExternalStorageSize    *float64                  `json:"external_storage_size,omitzero"`
	ExternalFreeStorage    *float64                  `json:"external_free_storage,omitzero"`
	BootTime               string                    `json:"boot_time,omitzero"`
	Timezone               string                    `json:"timezone,omitzero"`
	Locale                 string                    `json:"locale,omitzero"`
	ProcessorCount         *float64                  `json:"processor_count,omitzero"`
	CPUDescription         string                    `json:"cpu_description,omitzero"`
	ProcessorFrequency     *float64                  `json:"processor_frequency,omitzero"`
	DeviceType             string                    `json:"device_type,omitzero"`
	BatteryStatus          string                    `json:"battery_status,omitzero"`
	DeviceUniqueIdentifier string                    `json:"device_unique_identifier,omitzero"`
	UUID                   string                    `json:"uuid,omitzero"`
	Other                  map[string]jsontext.Value `json:",embed"`
}

// A BrowserContext, contexts["browser"], names the web browser.
type BrowserContext struct {
	Name    string                    `json:"name,omitzero"`
	Version string                    `json:"version,omitzero"`
	Other   map[string]jsontext.Value `json:",embed"`
}

// An AppContext, contexts["app"], describes the application: its
// identity, build and memory use in bytes.
type AppContext struct {
	AppStartTime  string        `json:"app_start_time,omitzero"`
	DeviceAppHash string        `json:"device_app_hash,omitzero"`
	BuildType     string        `json:"build_type,omitzero"`
	AppIdentifier string        `json:"app_identifier,omitzero"`
	AppName       string        `json:"app_name,omitzero"`
	AppVersion    string        `json:"app_version,omitzero"`
	AppBuild      LenientString `json:"app_build,omitzero"`
	AppMemory     *float64      `json:"app_memory,omitzero"`
	InForeground  *bool         `json:"in_foreground,omitzero"`
	ViewNames     []string      `json:"view_names,omitzero"`
	// StartType is "cold" or "warm" on mobile platforms.
	StartType string                    `json:"start_type,omitzero"`
	Other     map[string]jsontext.Value `json:",embed"`
}

// A GPUContext, contexts["gpu"], describes the graphics card.
type GPUContext struct {
	Name string `json:"name,omitzero"`
	// ID is sent as a number or a string, and kept as sent.
	ID                     jsontext.Value            `json:"id,omitzero"`
	VendorID               string                    `json:"vendor_id,omitzero"`
	VendorName             string                    `json:"vendor_name,omitzero"`
	MemorySize             *float64                  `json:"memory_size,omitzero"`
	APIType                string                    `json:"api_type,omitzero"`
	MultiThreadedRendering *bool                     `json:"multi_threaded_rendering,omitzero"`
	Version                string                    `json:"version,omitzero"`
	NPOTSupport            string                    `json:"npot_support,omitzero"`
	Other                  map[string]jsontext.Value `json:",embed"`
}

// A ResponseContext, contexts["response"], describes the HTTP response to
// the request the event is about, or of an outgoing request that failed.
type ResponseContext struct {
	Cookies             Cookies                   `json:"cookies,omitzero"`
	Headers             Pairs                     `json:"headers,omitzero"`
	StatusCode          *float64                  `json:"status_code,omitzero"`
	BodySize            *float64                  `json:"body_size,omitzero"`
	Data                jsontext.Value            `json:"data,omitzero"`
	InferredContentType string                    `json:"inferred_content_type,omitzero"`
	Other               map[string]jsontext.Value `json:",embed"`
}

// A CultureContext, contexts["culture"], gives the user's locale settings.
type CultureContext struct {
	Calendar       string                    `json:"calendar,omitzero"`
	DisplayName    string                    `json:"display_name,omitzero"`
	Locale         string                    `json:"locale,omitzero"`
	Is24HourFormat *bool                     `json:"is_24_hour_format,omitzero"`
	Timezone       string                    `json:"timezone,omitzero"`
	Other          map[string]jsontext.Value `json:",embed"`
}

// A CloudResourceContext, contexts["cloud_resource"], names where the
// program ran in a cloud, with OpenTelemetry's dotted attribute names.
type CloudResourceContext struct {
	Provider         string                    `json:"cloud.provider,omitzero"`
	AccountID        string                    `json:"cloud.account.id,omitzero"`
	Region           string                    `json:"cloud.region,omitzero"`
	AvailabilityZone string                    `json:"cloud.availability_zone,omitzero"`
	Platform         string                    `json:"cloud.platform,omitzero"`
	HostID           string                    `json:"host.id,omitzero"`
	HostType         string                    `json:"host.type,omitzero"`
	Other            map[string]jsontext.Value `json:",embed"`
}

// A ProfileContext, contexts["profile"], links a transaction to its
// profile.
type ProfileContext struct {
	ProfileID  string                    `json:"profile_id,omitzero"`
	ProfilerID string                    `json:"profiler_id,omitzero"`
	Other      map[string]jsontext.Value `json:",embed"`
}

// A ReplayContext, contexts["replay"], links an event to a session replay.
type ReplayContext struct {
	ReplayID string                    `json:"replay_id,omitzero"`
	Other    map[string]jsontext.Value `json:",embed"`
}

// acceptsKind tells the lenient decoder which kinds UnmarshalJSONFrom takes.
func (*Contexts) acceptsKind(k jsontext.Kind) bool { return k == '{' }
