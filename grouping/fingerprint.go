package grouping

import (
	"strings"

	"github.com/sentrywire/sentrywire/grouping/fingerprint"
	"github.com/sentrywire/sentrywire/grouping/internal/parameterize"
)

const defaultVariable = "{{ default }}"

// applyFingerprintingRules is Sentry's apply_server_side_fingerprinting:
// the first matching rule replaces the client's fingerprint, whatever it
// was.
func (r *run) applyFingerprintingRules() {
	fp := r.ev.fingerprint
	if len(fp) > 0 && !(len(fp) == 1 && fingerprint.IsDefaultVariable(fp[0])) {
		r.info.ClientFingerprint = fp
	}
	r.fingerprint = fp
	if r.cfg.fingerprinting == nil {
		return
	}
	rule := r.cfg.fingerprinting.Match(r.fingerprintEvent())
	if rule == nil {
		return
	}
	r.fingerprint = rule.Fingerprint
	r.info.MatchedRule = rule
	if t, ok := rule.Attributes["title"]; ok {
		r.title = r.expandTitle(t)
	}
}

// fingerprintEvent is what fingerprinting rules see of the event.
func (r *run) fingerprintEvent() *fingerprint.Event {
	e := r.ev
	fe := &fingerprint.Event{
		Platform: e.platform,
		Logger:   e.logger,
		Level:    e.level,
		Release:  e.release,
		SDKName:  e.sdkName,
	}
	if e.hasLog && e.formatted != "" {
		fe.Messages = append(fe.Messages, e.formatted)
	}
	fe.Exceptions = make([]fingerprint.Exception, len(e.exceptions))
	n := 0
	for i, x := range e.exceptions {
		fe.Exceptions[i] = fingerprint.Exception{Type: x.typ, Value: x.value}
		if x.stacktrace != nil {
			n += len(x.stacktrace.frames)
		}
	}
	fe.Frames = make([]fingerprint.Frame, 0, n)
	for _, t := range e.tags {
		fe.Tags = append(fe.Tags, fingerprint.Tag{Key: t.Key, Value: t.String()})
	}
	addFrames := func(st *stacktrace) {
		if st == nil {
			return
		}
		states := r.frames[st.index]
		for i, f := range st.frames {
			fe.Frames = append(fe.Frames, fingerprint.Frame{
				AbsPath:  f.absPath,
				Filename: f.filename,
				Package:  f.pkg,
				Module:   f.module,
				Function: f.function,
				InApp:    states[i].InApp,
			})
		}
	}
	for _, x := range e.exceptions {
		addFrames(x.stacktrace)
	}
	if len(fe.Frames) == 0 {
		addFrames(e.stacktrace)
	}
	if len(fe.Frames) == 0 {
		if t := crashingThread(e.threads); t != nil {
			addFrames(t.stacktrace)
		}
	}
	return fe
}

// crashingThread is the only thread, else the one crashed thread, else
// the one current thread.
func crashingThread(ts []*thread) *thread {
	if len(ts) == 1 {
		return ts[0]
	}
	var crashed, current []*thread
	for _, t := range ts {
		if t.crashed {
			crashed = append(crashed, t)
		}
		if t.current {
			current = append(current, t)
		}
	}
	if len(crashed) == 1 {
		return crashed[0]
	}
	if len(current) == 1 {
		return current[0]
	}
	return nil
}

// resolveFingerprint replaces the variables of a fingerprint with the
// event's values. Sentry parameterizes messages here as it does for the
// message strategy, but without trimming them to two lines, and it does so
// also for a literal entry equal to one of the event's messages, so that a
// fingerprint built by an SDK from a message groups as {{ message }} does.
func (r *run) resolveFingerprint(fp []string) []string {
	out := make([]string, len(fp))
	messages := r.messages()
	for i, entry := range fp {
		name, ok := fingerprint.Variable(entry)
		switch {
		case !ok:
			out[i] = entry
			for _, m := range messages {
				if entry == m {
					out[i] = parameterize.Parameterize(entry)
					break
				}
			}
		case name == "default":
			out[i] = defaultVariable
		default:
			if v, known := r.variable(name); known {
				out[i] = v
			} else if r.cfg.legacyUnknownVariables {
				out[i] = entry
			} else {
				out[i] = "<unrecognized-variable-" + name + ">"
			}
		}
	}
	return out
}

// messages are the texts a fingerprint entry is compared with: the log
// message and every exception value.
func (r *run) messages() []string {
	var ms []string
	if r.ev.formatted != "" {
		ms = append(ms, r.ev.formatted)
	}
	if r.ev.message != "" {
		ms = append(ms, r.ev.message)
	}
	for _, x := range r.ev.exceptions {
		if x.hasValue {
			ms = append(ms, x.value)
		}
	}
	return ms
}

// variable returns the value of a fingerprint or title variable, and
// whether the name is known.
func (r *run) variable(name string) (string, bool) {
	e := r.ev
	or := func(v, fallback string) string {
		if v == "" {
			return fallback
		}
		return v
	}
	var last *exception
	if n := len(e.exceptions); n > 0 {
		last = e.exceptions[n-1]
	}
	switch name {
	case "transaction":
		return or(e.transaction, "<no-transaction>"), true
	case "message", "raw_message":
		m := e.formatted
		if m == "" {
			m = e.message
		}
		if m == "" && last != nil {
			m = last.value
		}
		if m == "" {
			return "<no-message>", true
		}
		if name == "message" {
			m = parameterize.Parameterize(m)
		}
		return m, true
	case "type", "error.type":
		if last != nil {
			return or(last.typ, "<no-type>"), true
		}
		return "<no-type>", true
	case "value", "error.value", "raw_value", "error.raw_value":
		v := ""
		if last != nil {
			v = last.value
		}
		if v == "" {
			return "<no-value>", true
		}
		if !strings.Contains(name, "raw") {
			v = parameterize.Parameterize(v)
		}
		return v, true
	case "function", "stack.function":
		f := r.crashFrame()
		if f == nil {
			return "<no-function>", true
		}
		return or(f.function, "<no-function>"), true
	case "path", "stack.abs_path":
		f := r.crashFrame()
		if f == nil {
			return "<no-abs-path>", true
		}
		return or(or(f.absPath, f.filename), "<no-abs-path>"), true
	case "stack.filename":
		f := r.crashFrame()
		if f == nil {
			return "<no-filename>", true
		}
		return or(or(f.filename, f.absPath), "<no-filename>"), true
	case "module", "stack.module":
		f := r.crashFrame()
		if f == nil {
			return "<no-module>", true
		}
		return or(f.module, "<no-module>"), true
	case "package", "stack.package":
		f := r.crashFrame()
		if f == nil || f.pkg == "" {
			return "<no-package>", true
		}
		p := f.pkg
		p = p[strings.LastIndexByte(p, '/')+1:]
		p = p[strings.LastIndexByte(p, '\\')+1:]
		return or(p, "<no-package>"), true
	case "level":
		return or(e.level, "<no-level>"), true
	case "logger":
		return or(e.logger, "<no-logger>"), true
	}
	if tag, ok := strings.CutPrefix(name, "tags."); ok {
		for _, t := range e.tags {
			if t.Key == tag && string(t.Value) != "null" && len(t.Value) > 0 {
				return t.String(), true
			}
		}
		return "<no-value-for-tag-" + tag + ">", true
	}
	return "", false
}

// crashFrame is the frame Sentry blames: of the last exception's stack
// trace, else the top-level one, else the only thread's, the innermost
// in-app frame, else the innermost frame.
func (r *run) crashFrame() *frame {
	var st *stacktrace
	if n := len(r.ev.exceptions); n > 0 {
		st = r.ev.exceptions[n-1].stacktrace
	}
	if st == nil {
		st = r.ev.stacktrace
	}
	if st == nil && len(r.ev.threads) == 1 {
		st = r.ev.threads[0].stacktrace
	}
	if st == nil || len(st.frames) == 0 {
		return nil
	}
	states := r.frames[st.index]
	for i := len(st.frames) - 1; i >= 0; i-- {
		if in := states[i].InApp; in != nil && *in {
			return st.frames[i]
		}
	}
	return st.frames[len(st.frames)-1]
}

// expandTitle fills the variables of a fingerprinting rule's title.
func (r *run) expandTitle(t string) string {
	return fingerprint.ExpandTemplate(t, func(name string) (string, bool) {
		if v, ok := r.variable(name); ok {
			return v, true
		}
		if r.cfg.legacyUnknownVariables {
			return "", false
		}
		return "<unrecognized-variable-" + name + ">", true
	})
}
