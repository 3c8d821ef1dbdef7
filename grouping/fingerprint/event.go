package fingerprint

import (
	"github.com/sentrywire/sentrywire/grouping/internal/platform"
	"github.com/sentrywire/sentrywire/grouping/internal/pystr"
)

// Event is what fingerprinting rules see of an event. Fill it from the
// event as Sentry stores it after normalization (Relay's, then Sentry's
// normalize_stacktraces_for_grouping), with values as they are: Match
// strips, lowercases and normalizes them itself, exactly where Sentry does.
//
// An empty string means "absent" throughout. After Relay, that is what an
// empty string is for every field here but an exception's type (see
// [Exception.EmptyType]).
type Event struct {
	// Platform is the event's platform ("javascript", "cocoa", ...). The
	// family: matcher tests its family (native, javascript or other), never
	// a frame's own platform.
	Platform string

	// Messages holds the event's logentry.formatted: Relay fills it from
	// logentry.message when only that is set, and turns a legacy top-level
	// "message" string into a logentry. It is a list because Sentry treats
	// it as one; an empty entry counts as no message. Exception values are
	// not repeated here: message: tests them through Exceptions.
	Messages []string

	// Exceptions are all of exception.values, in event order.
	Exceptions []Exception

	// Frames are the frames Sentry's find_stack_frames yields, in order:
	// the frames of every exception's stacktrace; if there are none, the
	// frames of the top-level stacktrace; if there are none either, those
	// of the crashing thread, which is the only thread, else the only one
	// marked crashed, else the only one marked current (none if still
	// ambiguous).
	Frames []Frame

	// Logger, Level and Release are the event's fields of the same names.
	Logger, Level, Release string

	// SDKName is sdk.name. The sdk: matcher compares Sentry's normalized
	// form of it (see NormalizeSDKName), which this package computes.
	SDKName string

	// Tags are the event's tags, in order. When a key repeats, the last
	// pair is the one tags.<key>: matchers see, as in Sentry.
	Tags []Tag
}

// Exception is one entry of exception.values.
type Exception struct {
	// Type and Value are the exception's type and value, unstripped.
	Type, Value string

	// EmptyType reports that the event carries "type": "" (Relay keeps an
	// empty type, unlike other empty fields). Sentry then tests the empty
	// string rather than nothing, which only a type pattern that matches
	// the empty string, such as type:*, can tell apart. Type must be ""
	// when EmptyType is set.
	EmptyType bool
}

// Frame is one stack frame.
type Frame struct {
	// AbsPath and Filename are the frame's abs_path and filename. The
	// path: matcher tests both (abs_path falling back to filename).
	AbsPath, Filename string
	// Package and Module are the frame's package and module.
	Package, Module string
	// Function is the name Sentry's get_function_name_for_frame returns:
	// after normalize_stacktraces_for_grouping, the frame's function as
	// trimmed for grouping. Empty means none; the function: matcher then
	// tests "<unknown>".
	Function string
	// InApp is the frame's in_app after normalization, which in Sentry
	// turns every unset in_app into false before the rules run. nil stands
	// for an unset one, which never satisfies app:, not even app:no.
	InApp *bool
}

// Tag is one tag of the event.
type Tag struct{ Key, Value string }

// NormalizeSDKName is Sentry's normalize_sdk_tag, the value the sdk:
// matcher compares: "sentry.javascript.react" for the React SDK,
// "sentry.python" for any Python integration, "other" for an SDK Sentry
// does not know. An empty name is "other".
func NormalizeSDKName(name string) string {
	if name == "" {
		name = "other"
	}
	return normalizeSDKTag(name)
}

// field is one value of the event as a matcher sees it, with its
// lowercased and path forms computed at most once per Match, however many
// rules look at it.
type field struct {
	raw, lower, path string
	ok               bool // present; Sentry's value is not None
	done             uint8
}

func newField(s string, ok bool) field { return field{raw: s, ok: ok} }

// form returns the value in the given form, computing each form at most
// once however many matchers ask for it. The raw form, which most
// matchers use, costs no call.
func (f *field) form(vf valueForm) string {
	if vf == formRaw {
		return f.raw
	}
	return f.derived(vf)
}

func (f *field) derived(vf valueForm) string {
	switch vf {
	case formLower:
		if f.done&1 == 0 {
			f.lower, f.done = formOptions[formLower].Value(f.raw), f.done|1
		}
		return f.lower
	case formPath:
		if f.done&2 == 0 {
			f.path, f.done = formOptions[formPath].Value(f.raw), f.done|2
		}
		return f.path
	}
	return f.raw
}

// match reports whether the field is present and matches m's glob.
func (f *field) match(m *matcher) bool {
	return f.ok && m.glob != nil && m.glob.Match(f.form(m.form))
}

// Sentry's EventDatastore: the entity lists each kind of matcher tests,
// built lazily, each at most once per Match.

type excInfo struct{ typ, value field }

// toplevelInfo is a message or an exception; message: tests either field.
type toplevelInfo struct {
	message *field
	value   *field
}

type frameInfo struct {
	function, absPath, filename, module, pkg field
	app                                      *bool
}

type state struct {
	ev *Event

	haveMessages, haveExceptions, haveFrames, haveSDK bool

	messages   []field
	exceptions []excInfo
	toplevel   []toplevelInfo
	frames     []frameInfo
	sdk        string
	family     string
	logger     field
	level      field
	release    field
	logOK      bool
}

func newState(ev *Event) *state {
	st := &state{ev: ev}
	st.family = platform.FamilyOf(ev.Platform).String()
	st.logger = newField(ev.Logger, ev.Logger != "")
	st.level = newField(ev.Level, ev.Level != "")
	st.logOK = st.logger.ok || st.level.ok
	st.release = newField(pystr.Strip(ev.Release), ev.Release != "")
	return st
}

func (st *state) getMessages() []field {
	if !st.haveMessages {
		st.haveMessages = true
		for _, m := range st.ev.Messages {
			if m != "" {
				st.messages = append(st.messages, newField(pystr.Strip(m), true))
			}
		}
	}
	return st.messages
}

func (st *state) getExceptions() []excInfo {
	if !st.haveExceptions {
		st.haveExceptions = true
		st.exceptions = make([]excInfo, len(st.ev.Exceptions))
		for i, e := range st.ev.Exceptions {
			st.exceptions[i] = excInfo{
				typ:   newField(e.Type, e.Type != "" || e.EmptyType),
				value: newField(pystr.Strip(e.Value), e.Value != ""),
			}
		}
	}
	return st.exceptions
}

func (st *state) getToplevel() []toplevelInfo {
	if st.toplevel == nil {
		ms, es := st.getMessages(), st.getExceptions()
		st.toplevel = make([]toplevelInfo, 0, len(ms)+len(es))
		for i := range ms {
			st.toplevel = append(st.toplevel, toplevelInfo{message: &ms[i]})
		}
		for i := range es {
			st.toplevel = append(st.toplevel, toplevelInfo{value: &es[i].value})
		}
	}
	return st.toplevel
}

func (st *state) getFrames() []frameInfo {
	if !st.haveFrames {
		st.haveFrames = true
		st.frames = make([]frameInfo, len(st.ev.Frames))
		for i, f := range st.ev.Frames {
			fn := f.Function
			if fn == "" {
				fn = "<unknown>"
			}
			abs := f.AbsPath
			if abs == "" {
				abs = f.Filename
			}
			st.frames[i] = frameInfo{
				function: newField(fn, true),
				absPath:  newField(abs, abs != ""),
				filename: newField(f.Filename, f.Filename != ""),
				module:   newField(f.Module, f.Module != ""),
				pkg:      newField(f.Package, f.Package != ""),
				app:      f.InApp,
			}
		}
	}
	return st.frames
}

// getTag returns tags.<key> as Sentry's datastore holds it: built from
// the pairs in order, so the last pair with the key wins, even with an
// empty value. Tag globs never lowercase, so nothing needs caching.
func (st *state) getTag(key string) (field, bool) {
	for i := len(st.ev.Tags) - 1; i >= 0; i-- {
		if t := st.ev.Tags[i]; t.Key == key {
			return newField(pystr.Strip(t.Value), t.Value != ""), true
		}
	}
	return field{}, false
}

func (st *state) getSDK() string {
	if !st.haveSDK {
		st.haveSDK = true
		st.sdk = NormalizeSDKName(st.ev.SDKName)
	}
	return st.sdk
}
