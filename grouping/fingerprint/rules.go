package fingerprint

import (
	"bytes"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/grouping/internal/glob"
	"github.com/sentrywire/sentrywire/grouping/internal/pystr"
)

// Rules is a compiled, ordered list of fingerprinting rules. It is
// immutable and safe for concurrent use; the zero value and nil hold no
// rules.
type Rules struct {
	rules []*Rule
}

// A Rule is one fingerprinting rule: when all its matchers hold, the
// event's fingerprint becomes Fingerprint. Rules come from Parse,
// ParseJSON and Builtin; do not modify one.
type Rule struct {
	// Matchers are the rule's conditions, in source order.
	Matchers []Matcher
	// Fingerprint is the fingerprint the rule assigns, its variables
	// unresolved. Parse writes any spelling of the default variable as
	// "{{ default }}"; ParseJSON keeps entries as given, as Sentry does.
	Fingerprint []string
	// Attributes are the rule's key="value" pairs. Rule text only allows
	// "title", a template for the issue title (see ExpandTemplate); JSON
	// configs keep whatever they carry.
	Attributes map[string]string
	// IsBuiltin marks Sentry's own rules (see Builtin).
	IsBuiltin bool

	groups []matchGroup // compiled Matchers, grouped by what they test
}

// A Matcher is one condition of a rule.
type Matcher struct {
	// Key is the canonical key, as Sentry's to_json writes it: "type" for
	// error.type, "path" for stack.abs_path, "tags.<name>" for a tag, etc.
	Key string
	// Pattern is the pattern, unescaped.
	Pattern string
	// Negated reports a leading "!": the matcher holds where the pattern
	// does not match (but, like the others, only on an entity that exists).
	Negated bool
}

// Chain returns the rules of each argument in turn, skipping nil ones:
// Chain(custom, builtin) tries the project's rules first, then Sentry's,
// which is the order Sentry uses.
func Chain(rs ...*Rules) *Rules {
	out := &Rules{}
	for _, r := range rs {
		if r != nil {
			out.rules = append(out.rules, r.rules...)
		}
	}
	return out
}

// Rules returns the rules in order.
func (r *Rules) Rules() []*Rule {
	if r == nil {
		return nil
	}
	return slices.Clone(r.rules)
}

// Match returns the first rule that matches ev, or nil if none does.
func (r *Rules) Match(ev *Event) *Rule {
	if r == nil || len(r.rules) == 0 || ev == nil {
		return nil
	}
	st := newState(ev)
	for _, rule := range r.rules {
		if rule.matches(st) {
			return rule
		}
	}
	return nil
}

// Text is Sentry's rule.text: every matcher as key:"pattern" (quoted,
// not escaped), then -> and the fingerprint entries concatenated inside
// one pair of quotes, then the attributes as k="v" in key order. It is
// how Sentry names the rule in a snapshot or a hint, not text Parse can
// always read back.
func (r *Rule) Text() string {
	var b strings.Builder
	for i, m := range r.Matchers {
		if i > 0 {
			b.WriteByte(' ')
		}
		if m.Negated {
			b.WriteByte('!')
		}
		b.WriteString(m.Key)
		b.WriteString(`:"`)
		b.WriteString(m.Pattern)
		b.WriteByte('"')
	}
	b.WriteString(` -> "`)
	for _, e := range r.Fingerprint {
		b.WriteString(e)
	}
	b.WriteString(`" `)
	for i, k := range sortedKeys(r.Attributes) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteString(`="`)
		b.WriteString(r.Attributes[k])
		b.WriteByte('"')
	}
	return pystr.RStrip(b.String())
}

// JSON returns Sentry's rule.to_json() as compact JSON with sorted keys,
// the form of fingerprint_info.matched_rule in Sentry's snapshots:
//
//	{"attributes":{},"fingerprint":["chunkloaderror"],"is_builtin":true,"matchers":[["family","javascript"],["type","ChunkLoadError"]],"text":"..."}
//
// is_builtin appears only for built-in rules, as in Sentry.
func (r *Rule) JSON() []byte {
	var buf bytes.Buffer
	enc := jsontext.NewEncoder(&buf, jsontext.AllowInvalidUTF8(true))
	_ = r.MarshalJSONTo(enc) // writes only strings, bools and containers
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// MarshalJSON implements json.Marshaler with the bytes of JSON.
func (r *Rule) MarshalJSON() ([]byte, error) { return r.JSON(), nil }

// MarshalJSONTo writes rule.to_json() to enc, keys sorted.
func (r *Rule) MarshalJSONTo(enc *jsontext.Encoder) error {
	str := jsontext.String
	toks := []jsontext.Token{jsontext.BeginObject, str("attributes"), jsontext.BeginObject}
	for _, k := range sortedKeys(r.Attributes) {
		toks = append(toks, str(k), str(r.Attributes[k]))
	}
	toks = append(toks, jsontext.EndObject, str("fingerprint"), jsontext.BeginArray)
	for _, e := range r.Fingerprint {
		toks = append(toks, str(e))
	}
	toks = append(toks, jsontext.EndArray)
	if r.IsBuiltin {
		toks = append(toks, str("is_builtin"), jsontext.True)
	}
	toks = append(toks, str("matchers"), jsontext.BeginArray)
	for _, m := range r.Matchers {
		key := m.Key
		if m.Negated {
			key = "!" + key
		}
		toks = append(toks, jsontext.BeginArray, str(key), str(m.Pattern), jsontext.EndArray)
	}
	toks = append(toks, jsontext.EndArray, str("text"), str(r.Text()), jsontext.EndObject)
	for _, t := range toks {
		if err := enc.WriteToken(t); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // Python sorts str by code point; so does this for valid UTF-8
	return keys
}

// canonicalKeys is Sentry's MATCHERS table: the keys a rule may use and
// the name each is stored under.
var canonicalKeys = map[string]string{
	"error.type": "type", "type": "type",
	"error.value": "value", "value": "value",
	"stack.module": "module", "module": "module",
	"stack.abs_path": "path", "path": "path",
	"stack.package": "package", "package": "package",
	"stack.function": "function", "function": "function",
	"message": "message",
	"logger":  "logger",
	"level":   "level",
	"family":  "family",
	"app":     "app",
	"sdk":     "sdk",
	"release": "release",
}

// canonicalKey maps a key as written to the key Sentry stores, reporting
// false for a key it rejects.
func canonicalKey(key string) (string, bool) {
	if strings.HasPrefix(key, "tags.") {
		return key, true
	}
	k, ok := canonicalKeys[key]
	return k, ok
}

// newRule compiles a rule whose matcher keys are already canonical.
func newRule(ms []Matcher, fp []string, attrs map[string]string, builtin bool) *Rule {
	if attrs == nil {
		attrs = map[string]string{}
	}
	r := &Rule{Matchers: ms, Fingerprint: fp, Attributes: attrs, IsBuiltin: builtin}
	for _, m := range ms {
		cm := compileMatcher(m)
		i := slices.IndexFunc(r.groups, func(g matchGroup) bool { return g.typ == cm.typ })
		if i < 0 {
			r.groups = append(r.groups, matchGroup{typ: cm.typ})
			i = len(r.groups) - 1
		}
		r.groups[i].matchers = append(r.groups[i].matchers, cm)
	}
	// Every group must hold, so their order does not change the answer;
	// the cheap ones go first so that most rules fail fast.
	slices.SortStableFunc(r.groups, func(a, b matchGroup) int { return int(a.typ) - int(b.typ) })
	return r
}

// matchType is what a matcher tests, Sentry's match_type. The order is
// the order groups are tried in: cheapest first.
type matchType uint8

const (
	mtFamily matchType = iota
	mtSDK
	mtRelease
	mtLogInfo
	mtTags
	mtExceptions
	mtToplevel
	mtFrames
)

type matchGroup struct {
	typ      matchType
	matchers []*matcher
}

type matcherKind uint8

const (
	mkType matcherKind = iota
	mkValue
	mkMessage
	mkLogger
	mkLevel
	mkModule
	mkPath
	mkPackage
	mkFunction
	mkApp
	mkFamily
	mkSDK
	mkRelease
	mkTag
)

// matcher is a compiled Matcher.
type matcher struct {
	kind    matcherKind
	typ     matchType
	negated bool
	glob    *glob.Glob // nil for a pattern globset refuses
	form    valueForm  // what glob expects values to look like
	choices []string   // family, sdk: the comma-separated names
	any     bool       // family, sdk: the list has "all"
	app     int8       // app: -1 for a pattern that is no boolean, else 0 or 1
	tag     string     // tags.<name>: the name
}

// valueForm says how a matcher's values are prepared for its glob, which
// is what selects Relay's is_glob_match options: Sentry always passes
// allow_newline, lowercases (the Python way) for error.value, message and
// level, and treats paths, packages and releases as paths (literal
// separators, lowercasing, and backslashes as slashes).
type valueForm uint8

const (
	formRaw valueForm = iota
	formLower
	formPath
)

var formOptions = [...]glob.Options{
	formRaw:   {DotNewline: true},
	formLower: {Fold: glob.FoldPython, DotNewline: true},
	formPath:  {LiteralSeparator: true, Fold: glob.FoldPython, PathNormalize: true, DotNewline: true},
}

// setGlob compiles the matcher's pattern once, for every later match. A
// pattern globset refuses leaves glob nil, which never matches: Relay
// answers false for it rather than failing the rule.
func (cm *matcher) setGlob(pattern string, vf valueForm) {
	cm.form = vf
	if g, err := glob.Compile(pattern, formOptions[vf]); err == nil {
		cm.glob = g
	}
}

func compileMatcher(m Matcher) *matcher {
	cm := &matcher{negated: m.Negated}
	switch m.Key {
	case "type":
		cm.kind, cm.typ = mkType, mtExceptions
		cm.setGlob(m.Pattern, formRaw)
	case "value":
		cm.kind, cm.typ = mkValue, mtExceptions
		cm.setGlob(m.Pattern, formLower)
	case "message":
		cm.kind, cm.typ = mkMessage, mtToplevel
		cm.setGlob(m.Pattern, formLower)
	case "logger":
		cm.kind, cm.typ = mkLogger, mtLogInfo
		cm.setGlob(m.Pattern, formRaw)
	case "level":
		cm.kind, cm.typ = mkLevel, mtLogInfo
		cm.setGlob(m.Pattern, formLower)
	case "module":
		cm.kind, cm.typ = mkModule, mtFrames
		cm.setGlob(m.Pattern, formRaw)
	case "function":
		cm.kind, cm.typ = mkFunction, mtFrames
		cm.setGlob(m.Pattern, formRaw)
	case "path":
		cm.kind, cm.typ = mkPath, mtFrames
		cm.setGlob(m.Pattern, formPath)
	case "package":
		cm.kind, cm.typ = mkPackage, mtFrames
		cm.setGlob(m.Pattern, formPath)
	case "release":
		cm.kind, cm.typ = mkRelease, mtRelease
		cm.setGlob(m.Pattern, formPath)
	case "app":
		cm.kind, cm.typ, cm.app = mkApp, mtFrames, boolFromString(m.Pattern)
	case "family", "sdk":
		cm.kind, cm.typ = mkFamily, mtFamily
		if m.Key == "sdk" {
			cm.kind, cm.typ = mkSDK, mtSDK
		}
		cm.choices = strings.Split(m.Pattern, ",")
		cm.any = slices.Contains(cm.choices, "all")
	default: // tags.<name>
		cm.kind, cm.typ = mkTag, mtTags
		cm.setGlob(m.Pattern, formRaw)
		cm.tag = strings.TrimPrefix(m.Key, "tags.")
	}
	return cm
}

// boolFromString is Sentry's bool_from_string: 1 for "1", "yes", "true",
// 0 for "0", "no", "false" (any case), -1 for anything else.
func boolFromString(s string) int8 {
	switch pystr.Lower(s) {
	case "1", "yes", "true":
		return 1
	case "0", "no", "false":
		return 0
	}
	return -1
}

// matches is Sentry's test_for_match_with_event: for each group, one
// entity of the group's kind must satisfy all the group's matchers. A
// kind with no entities (no exceptions, no frames, neither logger nor
// level) fails its group, negated matchers or not.
func (r *Rule) matches(st *state) bool {
	for i := range r.groups {
		if !r.groups[i].matches(st) {
			return false
		}
	}
	return true
}

func (g *matchGroup) matches(st *state) bool {
	switch g.typ {
	case mtFamily:
		return g.all(func(m *matcher) bool { return m.choose(st.family) })
	case mtSDK:
		sdk := st.getSDK()
		return g.all(func(m *matcher) bool { return m.choose(sdk) })
	case mtRelease:
		return g.all(func(m *matcher) bool { return m.result(m.pathMatch(&st.release)) })
	case mtLogInfo:
		if !st.logOK {
			return false
		}
		return g.all(func(m *matcher) bool {
			if m.kind == mkLogger {
				return m.result(st.logger.match(m))
			}
			return m.result(st.level.match(m))
		})
	case mtTags:
		return g.all(func(m *matcher) bool {
			f, ok := st.getTag(m.tag)
			return m.result(ok && f.match(m))
		})
	case mtExceptions:
		for _, e := range st.getExceptions() {
			if g.all(func(m *matcher) bool {
				if m.kind == mkType {
					return m.result(e.typ.match(m))
				}
				return m.result(e.value.match(m))
			}) {
				return true
			}
		}
	case mtToplevel:
		for _, t := range st.getToplevel() {
			if g.all(func(m *matcher) bool {
				return m.result(t.message != nil && t.message.match(m) ||
					t.value != nil && t.value.match(m))
			}) {
				return true
			}
		}
	case mtFrames:
		frames := st.getFrames()
		for i := range frames {
			if g.all(func(m *matcher) bool { return m.result(m.frameMatch(&frames[i])) }) {
				return true
			}
		}
	}
	return false
}

func (g *matchGroup) all(f func(*matcher) bool) bool {
	for _, m := range g.matchers {
		if !f(m) {
			return false
		}
	}
	return true
}

// result applies negation to a positive answer.
func (m *matcher) result(positive bool) bool { return positive != m.negated }

// choose is the family: and sdk: test, an exact comparison against a
// comma-separated list in which "all" matches everything.
func (m *matcher) choose(v string) bool {
	return m.result(m.any || slices.Contains(m.choices, v))
}

func (m *matcher) frameMatch(f *frameInfo) bool {
	switch m.kind {
	case mkPath:
		return m.pathMatch(&f.absPath) || m.pathMatch(&f.filename)
	case mkPackage:
		return m.pathMatch(&f.pkg)
	case mkModule:
		return f.module.match(m)
	case mkFunction:
		return f.function.match(m)
	case mkApp:
		return f.app != nil && m.app >= 0 && *f.app == (m.app == 1)
	}
	return false
}

// pathMatch is Sentry's _positive_path_match: a path glob, tried again
// with a leading "/" on a value without one, so that "**/foo.js" also
// matches a bare "foo.js".
func (m *matcher) pathMatch(f *field) bool {
	if !f.ok || m.glob == nil {
		return false
	}
	v := f.form(m.form)
	if m.glob.Match(v) {
		return true
	}
	return !strings.HasPrefix(f.raw, "/") && m.glob.Match("/"+v)
}
