package protocol

import "github.com/go-json-experiment/json/jsontext"

// ClientSDK names the SDK that sent an event, from its "sdk" key. Relay
// fills it from the X-Sentry-Auth sentry_client when the event has none.
type ClientSDK struct {
	// Name is the SDK's name, such as "sentry.go", "sentry.python" or
	// "sentry.javascript.node".
	Name string `json:"name,omitzero"`
	// Version is the SDK's version.
	Version string `json:"version,omitzero"`
	// Integrations are the names of the SDK integrations enabled.
	Integrations []string `json:"integrations,omitzero"`
	// Packages are the packages that make up the SDK, with the registry as
	// a name prefix ("npm:@sentry/node", "pypi:sentry-sdk").
	Packages []ClientSDKPackage `json:"packages,omitzero"`
	// Features are the optional SDK features in use.
	Features []string `json:"features,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// A ClientSDKPackage is one package of an SDK.
type ClientSDKPackage struct {
	// Name is the package name, prefixed with its registry.
	Name string `json:"name,omitzero"`
	// Version is the package version.
	Version string `json:"version,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// DebugMeta lists the binary images and source maps an event's stack
// traces refer to, from its "debug_meta" key, so that Sentry can
// symbolicate native frames and resolve minified ones.
type DebugMeta struct {
	// SDKInfo describes the Apple SDK the app was built with, for system
	// symbols. It is kept as sent.
	SDKInfo map[string]jsontext.Value `json:"sdk_info,omitzero"`
	// Images are the loaded images.
	Images []DebugImage `json:"images,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// A DebugImage is one loaded binary or source map. Which fields are set
// depends on Type: native images ("elf", "macho", "pe", "symbolic",
// "apple") have addresses and identifiers, "sourcemap" images a code file
// and debug id, "proguard" a uuid, "jvm" a debug id. Fields of the rarer
// image types stay in Other.
type DebugImage struct {
	// Type is the image type: "apple", "symbolic", "elf", "macho", "pe",
	// "pe_dotnet", "proguard", "wasm", "sourcemap", "jvm", "il2cpp".
	Type string `json:"type,omitzero"`
	// DebugID identifies the debug information file.
	DebugID string `json:"debug_id,omitzero"`
	// DebugFile is the path or name of the debug information file.
	DebugFile string `json:"debug_file,omitzero"`
	// CodeID identifies the executable or library.
	CodeID string `json:"code_id,omitzero"`
	// CodeFile is the path or URL of the executable, library or minified
	// file.
	CodeFile string `json:"code_file,omitzero"`
	// UUID is the identifier of "apple" and "proguard" images.
	UUID string `json:"uuid,omitzero"`
	// Arch is the CPU architecture.
	Arch string `json:"arch,omitzero"`
	// ImageAddr is the address the image was loaded at.
	ImageAddr *Addr `json:"image_addr,omitzero"`
	// ImageSize is the image's size in memory, in bytes.
	ImageSize uint64 `json:"image_size,omitzero"`
	// ImageVMAddr is the preferred load address from the image's headers.
	ImageVMAddr *Addr `json:"image_vmaddr,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}
