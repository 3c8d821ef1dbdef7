package grouping

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/grouping/enhancement"
	"github.com/sentrywire/sentrywire/grouping/internal/parameterize"
	"github.com/sentrywire/sentrywire/grouping/internal/platform"
)

// variantComponent is one variant's component as a strategy returns it.
// Sentry marks the variant that wins ties with a leading "!" in its key;
// priority carries that mark.
type variantComponent struct {
	name     string
	priority bool
	c        *Component
}

type variantComponents []variantComponent

func (vs variantComponents) get(name string) *Component {
	for _, v := range vs {
		if v.name == name {
			return v.c
		}
	}
	return nil
}

// A strategy turns one interface of an event into components by variant.
// They run in the order of Sentry's scores; the first that contributes
// wins and every later one is told so.
type strategy struct {
	// name is the interface's name as hints say it.
	name string
	// run returns nil when the event lacks the interface.
	run func(*run) variantComponents
	// stacktraceVariants marks the strategies whose variants without a
	// contributing stack trace give way to one that has it.
	stacktraceVariants bool
}

var strategies = []strategy{
	{"exception", (*run).chainedException, true},
	{"threads", (*run).threads, true},
	{"stacktrace", (*run).topStacktrace, true},
	{"template", (*run).template, false},
	{"csp", (*run).csp, false},
	{"hpkp", func(r *run) variantComponents { return securityVariants("hpkp", "hpkp", r.ev.hpkp) }, false},
	{"expectstaple", func(r *run) variantComponents {
		return securityVariants("expect_staple", "expect-staple", r.ev.staple)
	}, false},
	{"expectct", func(r *run) variantComponents { return securityVariants("expect_ct", "expect-ct", r.ev.expectCT) }, false},
	{"message", (*run).message, false},
}

// components runs one strategy as Sentry's Strategy.get_grouping_components
// does: the non-priority variant is dropped when it hashes like the
// priority one, then variants without a stack trace give way.
func (r *run) components(s *strategy) variantComponents {
	vs := s.run(r)
	if len(vs) == 0 {
		return nil
	}
	priorityHashes := map[string]string{}
	for _, v := range vs {
		if v.priority && v.c.Contributes {
			priorityHashes[v.c.hashOf()] = v.name
		}
	}
	for _, v := range vs {
		if !v.priority && v.c.Contributes {
			if name, ok := priorityHashes[v.c.hashOf()]; ok {
				v.c.ignore("ignored because hash matches " + name + " variant")
			}
		}
	}
	if s.stacktraceVariants {
		removeNonStacktraceVariants(vs)
	}
	return vs
}

func removeNonStacktraceVariants(vs variantComponents) {
	if len(vs) <= 1 {
		return
	}
	var with []string
	var without []*Component
	for _, v := range vs {
		if v.c.find("stacktrace", true) != nil {
			with = append(with, v.name)
		} else {
			without = append(without, v.c)
		}
	}
	if len(with) == 0 {
		return
	}
	suffix := "others do"
	if len(with) == 1 {
		suffix = "the " + with[0] + " variant does"
	}
	for _, c := range without {
		c.ignore("ignored because this variant does not have a contributing stacktrace, but " + suffix)
	}
}

// stacktraceVariants is Sentry's stacktrace delegate: one component per
// variant, "app" (priority) and "system".
func (r *run) stacktraceVariants(st *stacktrace, exc *exception) variantComponents {
	// A frame's component is the same in both variants until the variant
	// and the stack trace rules have their say, so it is built once.
	states := r.frames[st.index]
	frames := make([]Component, len(st.frames))
	for i, f := range st.frames {
		frames[i] = r.frameComponent(f, states[i].InApp != nil && *states[i].InApp)
		if i > 0 && isRecursion(f, st.frames[i-1]) {
			frames[i].ignore("ignored due to recursion")
		}
	}
	app := r.singleStacktrace(st, frames, exc, "app")
	sys := r.singleStacktrace(st, frames, exc, "system")

	// Sentry tallies the frames of the system variant, the only one in
	// which system frames can contribute.
	var inApp, contributing, inAppContributing int
	for _, f := range sys.Children {
		if f.InApp {
			inApp++
		}
		if f.Contributes {
			contributing++
			if f.InApp {
				inAppContributing++
			}
		}
	}
	switch {
	case len(sys.Children) == 0:
		sys.ignore("ignored because it contains no frames")
		app.ignore("ignored because it contains no frames")
	default:
		if contributing == 0 {
			sys.ignore("ignored because it contains no contributing frames")
		}
		if inApp == 0 {
			app.ignore("ignored because it contains no in-app frames")
		} else if inAppContributing == 0 {
			app.ignore("ignored because it contains no contributing frames")
		}
	}
	return variantComponents{{"app", true, app}, {"system", false, sys}}
}

// singleStacktrace builds one variant's stack trace component from the
// frames' shared components.
func (r *run) singleStacktrace(st *stacktrace, frames []Component, exc *exception, variant string) *Component {
	states := r.frames[st.index]
	comps := make([]*Component, len(frames))
	nodes := make([]Component, len(frames))
	for i := range frames {
		nodes[i] = frames[i]
		c := &nodes[i]
		if variant == "app" && !c.InApp {
			c.Contributes = false
		}
		comps[i] = c
	}
	if len(st.frames) == 1 && comps[0].Contributes && st.frames[0].function == "" {
		f := st.frames[0]
		plat := f.platform
		if plat == "" {
			plat = r.ev.platform
		}
		if platform.FamilyOf(plat) == platform.JavaScript {
			url := hasURLOrigin(f.absPath, true)
			if url == r.cfg.legacyJSSingleFrame {
				comps[0].ignore("ignored single non-URL JavaScript frame")
			}
		}
	}

	fcs := make([]enhancement.FrameComponent, len(comps))
	for i, c := range comps {
		fcs[i] = enhancement.FrameComponent{Contributes: c.Contributes, Hint: c.Hint}
	}
	contributes, hint := r.cfg.enhancements.Assemble(variant, states, fcs, exceptionData(exc))
	for i, c := range comps {
		c.Contributes, c.Hint = fcs[i].Contributes, fcs[i].Hint
	}
	return &Component{ID: "stacktrace", Children: comps, Contributes: contributes, Hint: hint}
}

// isRecursion reports whether f repeats the frame before it; Sentry
// compares the raw fields, so two address-only frames repeat.
func isRecursion(f, prev *frame) bool {
	return f.absPath == prev.absPath && f.pkg == prev.pkg && f.module == prev.module &&
		f.filename == prev.filename && f.function == prev.function &&
		f.lineno == prev.lineno && f.colno == prev.colno
}

// exceptionData is what stack trace rules see of the exception that owns a
// stack trace.
func exceptionData(x *exception) enhancement.Exception {
	if x == nil {
		return enhancement.Exception{}
	}
	d := enhancement.Exception{Type: x.typ, Value: x.value}
	if x.mechanism != nil {
		d.Mechanism = x.mechanism.Type
	}
	return d
}

// singleException is Sentry's single-exception delegate.
func (r *run) singleException(x *exception) variantComponents {
	typ := &Component{ID: "type"}
	if x.typ != "" {
		typ = newLeaf("type", x.typ)
	}
	var nsErr *Component
	if m := x.mechanism; m != nil {
		if m.Synthetic != nil && *m.Synthetic {
			typ.ignore("ignored because exception is synthetic")
		}
		if ns := x.nsError; ns != nil {
			domain := &Component{ID: "domain", Contributes: true, Value: Value{Kind: NullValue}}
			if ns.hasDomain {
				domain = newLeaf("domain", ns.domain)
			}
			code := &Component{ID: "code", Contributes: true, Value: jsonPrimitive(ns.code)}
			nsErr = newNode("ns_error", domain, code)
		}
	}

	var sts variantComponents
	if x.stacktrace != nil {
		sts = r.stacktraceVariants(x.stacktrace, x)
	} else {
		sts = variantComponents{{"app", true, &Component{ID: "stacktrace"}}}
	}

	normalized := ""
	if x.hasValue {
		normalized = parameterize.NormalizeMessage(x.value)
	}
	out := make(variantComponents, 0, len(sts))
	for _, sv := range sts {
		value := &Component{ID: "value"}
		if normalized != "" {
			value = newLeaf("value", normalized)
			if normalized != x.value {
				value.Hint = "stripped event-specific values"
			}
		}
		if sv.c.Contributes && value.Contributes {
			value.ignore("ignored because stacktrace takes precedence")
		}
		if nsErr != nil && nsErr.Contributes && value.Contributes {
			value.ignore("ignored because ns-error info takes precedence")
		}
		var children []*Component
		switch {
		case r.cfg.legacyExceptionOrder && nsErr != nil:
			children = []*Component{sv.c, typ, nsErr, value}
		case r.cfg.legacyExceptionOrder:
			children = []*Component{sv.c, typ, value}
		case nsErr != nil:
			children = []*Component{typ, value, nsErr, sv.c}
		default:
			children = []*Component{typ, value, sv.c}
		}
		out = append(out, variantComponent{sv.name, sv.priority, newNode("exception", children...)})
	}
	return out
}

// jsonPrimitive turns an ns_error code as sent into the value Sentry
// hashes: an integer, a string, or None.
func jsonPrimitive(v jsontext.Value) Value {
	switch v.Kind() {
	case 'n':
		return Value{Kind: NullValue}
	case '0':
		return Value{Kind: IntValue, Text: string(v)}
	case '"':
		var s string
		if err := jsonUnquote(v, &s); err == nil {
			return Value{Kind: StringValue, Text: s}
		}
	}
	return Value{Kind: StringValue, Text: string(v)}
}

// chainedException is Sentry's chained-exception strategy, exception
// groups included.
func (r *run) chainedException() variantComponents {
	all := r.ev.exceptions
	if len(all) == 0 {
		return nil
	}
	comps := make([]variantComponents, len(all))
	for i, x := range all {
		comps[i] = r.singleException(x)
	}
	kept, main := filterExceptionGroups(r.ev, comps)
	r.mainException = main
	if len(kept) == 1 {
		return comps[kept[0]]
	}
	if main < 0 {
		r.mainException = mainExceptionOverride(r.ev, kept)
	}
	var out variantComponents
	for _, i := range kept {
		for _, vc := range comps[i] {
			j := -1
			for k := range out {
				if out[k].name == vc.name && out[k].priority == vc.priority {
					j = k
					break
				}
			}
			if j < 0 {
				out = append(out, variantComponent{vc.name, vc.priority, &Component{ID: "chained_exception"}})
				j = len(out) - 1
			}
			out[j].c.Children = append(out[j].c.Children, vc.c)
		}
	}
	for _, v := range out {
		v.c.Contributes = anyContributes(v.c.Children)
	}
	return out
}

// filterExceptionGroups is Sentry's filter_exceptions_for_exception_groups:
// it returns the indices of the exceptions to group by and, when one
// exception stands for the whole group, its index, which titles the
// issue (else -1).
func filterExceptionGroups(ev *event, comps []variantComponents) ([]int, int) {
	all := ev.exceptions
	original := make([]int, len(all))
	for i := range original {
		original[i] = i
	}
	if len(all) <= 1 {
		return original, -1
	}
	if ev.platform == "python" && strings.HasPrefix(ev.sdkVersion, "3") {
		return original, -1
	}
	type node struct {
		exc      int // -1 when only referenced as a parent
		children []int
	}
	tree := map[int64]*node{}
	get := func(id int64) *node {
		n := tree[id]
		if n == nil {
			n = &node{exc: -1}
			tree[id] = n
		}
		return n
	}
	seen := map[int64]bool{}
	for i := len(all) - 1; i >= 0; i-- {
		x := all[i]
		if x.mechanism == nil || x.exceptionID == nil || (x.parentID != nil && *x.parentID == *x.exceptionID) || seen[*x.exceptionID] {
			return original, -1
		}
		seen[*x.exceptionID] = true
		get(*x.exceptionID).exc = i
		if x.parentID != nil {
			p := get(*x.parentID)
			p.children = append(p.children, i)
		}
	}
	childrenOf := func(i int) []int {
		if n := tree[*all[i].exceptionID]; n != nil {
			return n.children
		}
		return nil
	}
	root := tree[0]
	if root == nil || root.exc < 0 {
		return original, -1
	}
	// A cycle under the root would recurse forever in Sentry's generator
	// if it were reachable; ids are unique and no exception is its own
	// parent here, so a visited set keeps the walk finite where Sentry's
	// would not terminate either way (such trees yield nothing then).
	var top []int
	visited := map[int]bool{}
	var walk func(int)
	walk = func(i int) {
		if visited[i] {
			return
		}
		visited[i] = true
		if all[i].isGroup {
			for _, c := range childrenOf(i) {
				walk(c)
			}
			return
		}
		top = append(top, i)
	}
	walk(root.exc)
	if len(top) == 0 {
		return original, -1
	}
	sort.SliceStable(top, func(a, b int) bool { return all[top[a]].typ > all[top[b]].typ })

	var distinct []int
	for _, i := range top {
		if len(distinct) > 0 && sameComponents(comps[distinct[len(distinct)-1]], comps[i]) {
			continue
		}
		distinct = append(distinct, i)
	}
	if len(distinct) == 1 {
		var path []int
		onPath := map[int]bool{}
		for i := distinct[0]; !onPath[i]; {
			onPath[i] = true
			path = append(path, i)
			cs := childrenOf(i)
			if len(cs) == 0 {
				break
			}
			i = cs[0]
		}
		return path, distinct[0]
	}
	return append(distinct, root.exc), -1
}

// mainExceptionOverride picks the exception that titles a chain where
// the last one would mislead: the cause React 19 attaches to its
// "recovered" errors, and the error RxJava wraps in its own.
func mainExceptionOverride(ev *event, kept []int) int {
	xs := make([]*exception, len(kept))
	for i, k := range kept {
		xs[i] = ev.exceptions[k]
	}
	byID := func(id *int64) int {
		if id == nil {
			return -1
		}
		for _, k := range kept {
			if x := ev.exceptions[k]; x.exceptionID != nil && *x.exceptionID == *id {
				return k
			}
		}
		return -1
	}
	first, last := xs[0], xs[len(xs)-1]
	if first.typ == "Error" && (first.value == reactRecoveredConcurrent || first.value == reactRecoveredHydration) &&
		last.mechanism != nil && last.mechanism.Source == "cause" {
		return byID(last.exceptionID)
	}
	if len(xs) < 2 {
		return -1
	}
	for _, x := range xs {
		if x.module == "io.reactivex.rxjava3.exceptions" && x.mechanism != nil && x.mechanism.Type == "UncaughtExceptionHandler" &&
			(x.typ == "OnErrorNotImplementedException" || x.typ == "CompositeException" || x.typ == "UndeliverableException") {
			for _, y := range xs {
				if y.mechanism != nil && y.parentID != nil && x.exceptionID != nil && *y.parentID == *x.exceptionID && y.exceptionID != nil {
					return byID(y.exceptionID)
				}
			}
			return -1
		}
	}
	return -1
}

const (
	reactRecoveredConcurrent = "There was an error during concurrent rendering but React was able to recover by instead synchronously rendering the entire root."
	reactRecoveredHydration  = "There was an error while hydrating but React was able to recover by instead client rendering from the nearest Suspense boundary."
)

func sameComponents(a, b variantComponents) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].name != b[i].name || a[i].priority != b[i].priority || !a[i].c.equal(b[i].c) {
			return false
		}
	}
	return true
}

// threads is Sentry's threads strategy: the one crashed thread, else the
// one current thread, else the only thread.
func (r *run) threads() variantComponents {
	ts := r.ev.threads
	if len(ts) == 0 {
		return nil
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
	for _, set := range [][]*thread{crashed, current, ts} {
		if len(set) != 1 {
			continue
		}
		st := set[0].stacktrace
		if st == nil {
			return variantComponents{{"app", false, &Component{ID: "threads", Hint: "ignored because thread has no stacktrace"}}}
		}
		vs := r.stacktraceVariants(st, nil)
		for i := range vs {
			vs[i].c = newNode("threads", vs[i].c)
		}
		return vs
	}
	return variantComponents{{"app", false, &Component{ID: "threads", Hint: fmt.Sprintf(
		"ignored because it contains neither a single thread nor multiple threads with exactly one crashing or current thread; instead contains %d crashing, %d current, and %d total threads",
		len(crashed), len(current), len(ts))}}}
}

func (r *run) topStacktrace() variantComponents {
	if r.ev.stacktrace == nil {
		return nil
	}
	return r.stacktraceVariants(r.ev.stacktrace, nil)
}

func (r *run) message() variantComponents {
	if !r.ev.hasLog {
		return nil
	}
	raw := r.ev.message
	if raw == "" {
		raw = r.ev.formatted
	}
	normalized := parameterize.NormalizeMessage(raw)
	c := newLeaf("message", normalized)
	if normalized != raw {
		c.Hint = "stripped event-specific values"
	}
	return variantComponents{{"default", false, c}}
}

func (r *run) template() variantComponents {
	t := r.ev.template
	if t == nil {
		return nil
	}
	filename, line := &Component{ID: "filename"}, &Component{ID: "context_line"}
	if t.hasFilename {
		filename = newLeaf("filename", t.filename)
	}
	if t.hasLine {
		line = newLeaf("context_line", t.contextLine)
	}
	return variantComponents{{"default", false, newNode("template", filename, line)}}
}

func securityVariants(id, salt string, rep *securityReport) variantComponents {
	if rep == nil {
		return nil
	}
	s := newLeaf("salt", salt)
	s.Hint = "a static salt"
	return variantComponents{{"default", false, newNode(id, s, newLeaf("hostname", rep.hostname))}}
}

func (r *run) csp() variantComponents {
	c := r.ev.csp
	if c == nil {
		return nil
	}
	directive := c.effectiveDirective
	if directive == "" {
		if f := strings.Fields(c.violatedDirective); len(f) > 0 {
			directive = f[0]
		}
	}
	uri := normalizeCSPURI(c.blockedURI)
	violation, uriC := &Component{ID: "violation"}, newLeaf("uri", uri)
	if typ := localScriptViolation(c.violatedDirective, directive, uri); typ != "" {
		violation = newLeaf("violation", "'"+typ+"'")
		uriC.ignore("ignored because violation takes precedence")
	} else {
		violation.ignore("ignored because it's not a local script violation")
	}
	s := newLeaf("salt", directive)
	s.Hint = "a static salt"
	return variantComponents{{"default", false, newNode("csp", s, violation, uriC)}}
}

func localScriptViolation(violated, effective, uri string) string {
	if violated == "" || effective != "script-src" || uri != "'self'" {
		return ""
	}
	switch {
	case strings.Contains(violated, "'unsafe-inline'"):
		return "unsafe-inline"
	case strings.Contains(violated, "'unsafe-eval'"):
		return "unsafe-eval"
	}
	return ""
}

// normalizeCSPURI reduces a blocked URI to what groups CSP reports: the
// host of a web URL, the scheme of anything else.
func normalizeCSPURI(v string) string {
	if v == "" || v == "'self'" || v == "self" {
		return "'self'"
	}
	scheme, host := v, ""
	if strings.Contains(v, ":") {
		u, err := url.Parse(v)
		if err != nil {
			scheme = strings.ToLower(v[:strings.IndexByte(v, ':')])
		} else {
			scheme, host = u.Scheme, u.Host
			if u.User != nil {
				host = u.User.String() + "@" + host
			}
		}
		if scheme == "http" || scheme == "https" {
			return host
		}
	}
	if host != "" {
		return scheme + "://" + host
	}
	return scheme + ":"
}
