package grouping

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping/internal/funcname"
)

// event is what grouping reads of an event, after the part of Relay's
// store normalization that Sentry runs before it groups. It is built
// fresh from the caller's *protocol.Event, which is never modified, and
// it is shared read-only by every config that groups the event: what a
// config changes (in_app, categories) lives in the config's own frame
// states, not here.
type event struct {
	platform    string
	sdkName     string
	sdkVersion  string
	logger      string
	level       string
	release     string
	transaction string

	// message is the log entry's template or, when the template was moved
	// into formatted by Relay, empty; formatted is the final text.
	message, formatted string
	hasLog             bool

	exceptions []*exception
	stacktrace *stacktrace
	threads    []*thread

	fingerprint []string
	checksum    string
	tags        []protocol.Pair

	template *template
	csp      *csp
	hpkp     *securityReport // hpkp, expect-ct and expect-staple group alike
	expectCT *securityReport
	staple   *securityReport

	// stacktraces lists every stack trace of the event in the order
	// Sentry's normalize_stacktraces_for_grouping visits them, each with
	// the exception that owns it (nil for threads and the top level).
	stacktraces []ownedStacktrace
}

type ownedStacktrace struct {
	st  *stacktrace
	exc *exception
}

type exception struct {
	typ, value  string
	hasValue    bool
	module      string
	mechanism   *protocol.Mechanism
	nsError     *nsError
	stacktrace  *stacktrace
	exceptionID *int64
	parentID    *int64
	isGroup     bool
}

type nsError struct {
	domain    string
	hasDomain bool
	code      jsontext.Value // as sent: Sentry hashes str() of it
}

type stacktrace struct {
	frames []*frame
	// index is the position of this stack trace in event.stacktraces, which
	// is also where a config keeps its frame states for it.
	index int
}

type frame struct {
	function, rawFunction string
	module, pkg           string
	filename, absPath     string
	platform              string
	contextLine           string
	lineno, colno         uint64
	inApp                 *bool
	sourcemap             bool
}

type thread struct {
	crashed, current bool
	stacktrace       *stacktrace
}

type template struct {
	filename, contextLine string
	hasFilename, hasLine  bool
}

type securityReport struct {
	hostname string
}

type csp struct {
	effectiveDirective string
	violatedDirective  string
	blockedURI         string
}

// validPlatform reports whether Relay keeps an event's platform; it
// replaces any other, and a missing one, with "other".
func validPlatform(p string) bool {
	switch p {
	case "as3", "c", "cfml", "cocoa", "csharp", "elixir", "go", "groovy", "haskell", "java",
		"javascript", "native", "node", "objc", "other", "perl", "php", "python", "ruby":
		return true
	}
	return false
}

// Relay splits "TypeError: x is undefined" sent as a value without a type.
// Rust's \w is Unicode and its . stops at a newline, like Go's.
var typeValueRE = regexp.MustCompile(`^(\w+):(.*)$`)

// newEvent copies what grouping needs out of ev and applies Relay's
// normalization steps that change hashes: the exception type/value split,
// the single exception taking the top-level stack trace, filenames from
// absolute paths, "?" functions, the log entry's formatted message, and the
// trimming of native and C# function names that Sentry's
// normalize_stacktraces_for_grouping does for every config.
func newEvent(ev *protocol.Event) *event {
	e := &event{
		platform:    ev.Platform,
		logger:      ev.Logger,
		level:       string(ev.Level),
		release:     string(ev.Release),
		transaction: ev.Transaction,
		fingerprint: ev.Fingerprint,
		tags:        ev.Tags,
	}
	if !validPlatform(e.platform) {
		e.platform = "other"
	}
	if e.level == "" {
		e.level = "error"
	}
	if ev.SDK != nil {
		e.sdkName, e.sdkVersion = ev.SDK.Name, ev.SDK.Version
	}
	if lm := ev.LogMessage(); lm != nil {
		e.hasLog = true
		e.message, e.formatted = normalizeLogEntry(lm)
	}

	for i := range ev.Exception.Values {
		if x := newException(&ev.Exception.Values[i]); x != nil {
			e.exceptions = append(e.exceptions, x)
		}
	}
	if ev.Stacktrace != nil {
		// Relay moves the top-level stack trace into a lone exception,
		// replacing the exception's own. Sentry's interfaces drop an
		// exception's stack trace without frames but keep a top-level one,
		// which then groups as "no frames".
		st := newStacktrace(ev.Stacktrace)
		if len(ev.Exception.Values) == 1 {
			if len(e.exceptions) == 1 {
				e.exceptions[0].stacktrace = st
			}
		} else if st != nil {
			e.stacktrace = st
		} else {
			e.stacktrace = &stacktrace{}
		}
	}
	if !ev.Threads.IsZero() {
		if ts, _, err := ev.Threads.Get(); err == nil {
			for i := range ts.Values {
				t := &ts.Values[i]
				th := &thread{
					crashed:    t.Crashed != nil && *t.Crashed,
					current:    t.Current != nil && *t.Current,
					stacktrace: newStacktrace(t.Stacktrace),
				}
				e.threads = append(e.threads, th)
			}
		}
	}

	for _, x := range e.exceptions {
		e.addStacktrace(x.stacktrace, x)
	}
	e.addStacktrace(e.stacktrace, nil)
	for _, t := range e.threads {
		e.addStacktrace(t.stacktrace, nil)
	}

	readOther(ev.Other, e)
	return e
}

func (e *event) addStacktrace(st *stacktrace, owner *exception) {
	if st == nil {
		return
	}
	st.index = len(e.stacktraces)
	e.stacktraces = append(e.stacktraces, ownedStacktrace{st, owner})
	if e.platform == "javascript" {
		for _, f := range st.frames {
			f.filename = stripQuery(f.filename)
		}
	}
	for _, f := range st.frames {
		if f.function != "" && f.rawFunction == "" {
			p := f.platform
			if p == "" {
				p = e.platform
			}
			if t := funcname.Trim(f.function, p); t != f.function {
				f.rawFunction, f.function = f.function, t
			}
		}
	}
}

// stripQuery removes the query string of a JavaScript frame's filename, as
// Sentry does for events whose platform is javascript.
func stripQuery(filename string) string {
	i := strings.IndexByte(filename, '?')
	if i < 0 {
		return filename
	}
	u, err := url.Parse(filename)
	if err != nil || u.RawQuery == "" {
		return filename
	}
	return strings.Replace(filename, "?"+u.RawQuery, "", 1)
}

func newException(x *protocol.Exception) *exception {
	out := &exception{
		typ:       x.Type,
		value:     string(x.Value),
		hasValue:  x.Value != "",
		module:    x.Module,
		mechanism: x.Mechanism,
	}
	if out.typ == "" && out.hasValue {
		if m := typeValueRE.FindStringSubmatch(out.value); m != nil {
			out.typ, out.value = m[1], strings.TrimSpace(m[2])
			out.hasValue = true
		}
	}
	if out.typ == "" && !out.hasValue {
		return nil
	}
	out.typ = relayTrim(out.typ, 256, 20)
	out.value = relayTrim(out.value, 8192, 200)
	if m := x.Mechanism; m != nil {
		out.exceptionID, out.parentID = m.ExceptionID, m.ParentID
		out.isGroup = m.IsExceptionGroup != nil && *m.IsExceptionGroup
		if raw, ok := m.Meta["ns_error"]; ok {
			out.nsError = decodeNSError(raw)
		}
	}
	out.stacktrace = newStacktrace(x.Stacktrace)
	return out
}

func decodeNSError(raw jsontext.Value) *nsError {
	var obj map[string]jsontext.Value
	if json.Unmarshal(raw, &obj) != nil {
		return &nsError{code: jsontext.Value("null")}
	}
	ns := &nsError{code: obj["code"]}
	if d, ok := obj["domain"]; ok {
		var s string
		if json.Unmarshal(d, &s) == nil {
			ns.domain, ns.hasDomain = s, true
		}
	}
	if len(ns.code) == 0 {
		ns.code = jsontext.Value("null")
	}
	return ns
}

// newStacktrace copies a stack trace's frames, applying Relay's frame
// normalization. A stack trace without frames is no stack trace, as in
// Sentry's interfaces.
func newStacktrace(st *protocol.Stacktrace) *stacktrace {
	if st == nil || len(st.Frames) == 0 {
		return nil
	}
	frames := st.Frames
	if len(frames) > maxFrames {
		frames = frames[len(frames)-maxFrames:]
	}
	out := &stacktrace{frames: make([]*frame, 0, len(frames))}
	backing := make([]frame, len(frames))
	for i := range frames {
		f := &frames[i]
		if isNullFrame(f) {
			// Sentry skips null frames; protocol decodes them as empty.
			continue
		}
		nf := &backing[i]
		*nf = frame{
			function:    relayTrim(f.Function, 256, 20),
			rawFunction: relayTrim(f.RawFunction, 256, 20),
			module:      f.Module,
			pkg:         f.Package,
			filename:    relayTrim(f.Filename, 256, 40),
			absPath:     relayTrim(f.AbsPath, 256, 40),
			platform:    f.Platform,
			contextLine: f.ContextLine,
			lineno:      f.Lineno,
			colno:       f.Colno,
			inApp:       f.InApp,
		}
		if _, ok := f.Data["sourcemap"]; ok && string(f.Data["sourcemap"]) != "null" {
			nf.sourcemap = true
		}
		// Symbolicated native frames carry the demangled name Relay
		// groups by in function_name; Sentry's snapshots hash it rather
		// than function.
		if raw, ok := f.Other["function_name"]; ok {
			var name string
			if json.Unmarshal(raw, &name) == nil && name != "" {
				nf.function = relayTrim(name, 256, 20)
			}
		}
		if nf.function == "?" {
			nf.function = ""
		}
		normalizeFramePaths(nf)
		out.frames = append(out.frames, nf)
	}
	if len(out.frames) == 0 {
		return nil
	}
	return out
}

func isNullFrame(f *protocol.Frame) bool {
	return f.Function == "" && f.RawFunction == "" && f.Symbol == "" && f.Module == "" && f.Package == "" &&
		f.Filename == "" && f.AbsPath == "" && f.Lineno == 0 && f.Colno == 0 && f.Platform == "" &&
		f.ContextLine == "" && f.InApp == nil && f.InstructionAddr == nil && f.SymbolAddr == nil &&
		f.ImageAddr == nil && len(f.Data) == 0 && len(f.Vars) == 0 && len(f.Other) == 0 &&
		len(f.PreContext) == 0 && len(f.PostContext) == 0
}

// maxFrames is how many frames of a stack trace Relay keeps: the newest,
// those nearest the crash.
const maxFrames = 250

// relayTrim shortens a string as Relay's trimming does before Sentry sees
// the event: a string longer than limit+allowance characters is cut to
// limit characters, the last three of them "...".
func relayTrim(s string, limit, allowance int) string {
	if len(s) <= limit+allowance || utf8.RuneCountInString(s) <= limit+allowance {
		return s
	}
	n := 0
	for i := range s {
		if n == limit-3 {
			return s[:i] + "..."
		}
		n++
	}
	return s
}

// normalizeFramePaths is Relay's process_non_raw_frame: a frame with only
// a filename takes it as its absolute path, and a frame with only an
// absolute path derives its filename from it, the path of a URL.
func normalizeFramePaths(f *frame) {
	if f.absPath == "" && f.filename != "" {
		f.absPath, f.filename = f.filename, ""
	}
	if f.filename == "" && f.absPath != "" {
		f.filename = f.absPath
		if isURLScheme(f.absPath) {
			if u, err := url.Parse(f.absPath); err == nil {
				if p := u.EscapedPath(); p != "" && p != "/" {
					f.filename = p
				}
			}
		}
	}
}

func isURLScheme(s string) bool {
	for _, p := range [...]string{"file:", "http:", "https:", "applewebdata:"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// readOther reads the interfaces protocol.Event keeps as raw JSON.
func readOther(other map[string]jsontext.Value, e *event) {
	if len(other) == 0 {
		return
	}
	if raw, ok := other["checksum"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			e.checksum = s
		}
	}
	if raw, ok := other["template"]; ok {
		var t struct {
			Filename    *string `json:"filename"`
			ContextLine *string `json:"context_line"`
		}
		if json.Unmarshal(raw, &t) == nil {
			e.template = &template{}
			if t.Filename != nil {
				e.template.filename, e.template.hasFilename = *t.Filename, true
			}
			if t.ContextLine != nil {
				e.template.contextLine, e.template.hasLine = *t.ContextLine, true
			}
		}
	}
	if raw, ok := other["csp"]; ok {
		var c struct {
			EffectiveDirective string `json:"effective_directive"`
			ViolatedDirective  string `json:"violated_directive"`
			BlockedURI         string `json:"blocked_uri"`
		}
		if json.Unmarshal(raw, &c) == nil {
			e.csp = &csp{c.EffectiveDirective, c.ViolatedDirective, c.BlockedURI}
		}
	}
	for _, r := range [...]struct {
		key string
		dst **securityReport
	}{{"hpkp", &e.hpkp}, {"expectct", &e.expectCT}, {"expectstaple", &e.staple}} {
		key, dst := r.key, r.dst
		if raw, ok := other[key]; ok {
			var r struct {
				Hostname string `json:"hostname"`
			}
			if json.Unmarshal(raw, &r) == nil {
				*dst = &securityReport{hostname: r.Hostname}
			}
		}
	}
}
