package enhancement

import (
	"strings"

	"github.com/sentrywire/sentrywire/grouping/internal/glob"
	"github.com/sentrywire/sentrywire/grouping/internal/pystr"
)

// Families as bits, so that a family matcher is one AND.
const (
	famOther uint8 = 1 << iota
	famNative
	famJavaScript
	famAll uint8 = 0xff
)

// parseFamilies reads a family matcher's comma list. Unknown names count
// for nothing, so family:python never matches.
func parseFamilies(s string) uint8 {
	var m uint8
	for _, f := range strings.Split(s, ",") {
		switch f {
		case "other":
			m |= famOther
		case "native":
			m |= famNative
		case "javascript":
			m |= famJavaScript
		case "all":
			m |= famAll
		}
	}
	return m
}

// Frame matcher kinds.
const (
	fmNever  = iota // a bad glob or app value: never matches (so matches when negated)
	fmFamily        // family:
	fmApp           // app:
	fmField         // a glob on one frame field
)

// Frame fields a glob matcher reads.
const (
	fieldCategory = iota
	fieldFunction
	fieldModule
	fieldPath
	fieldPackage
)

var fieldNames = [...]string{"category", "function", "module", "path", "package"}

// Exception fields.
const (
	excType = iota
	excValue
	excMechanism
)

var excNames = [...]string{"type", "value", "mechanism"}

// matcherKind is what a key names: a frame field (or family/app) or an
// exception field.
type matcherKind struct {
	exception bool
	fm        int // fmFamily, fmApp or fmField
	field     int // field or exception field
}

// rustMatcherKind resolves a key the way ophio's Matcher::new does.
func rustMatcherKind(key string) (matcherKind, bool) {
	switch key {
	case "stack.module", "module":
		return matcherKind{fm: fmField, field: fieldModule}, true
	case "stack.function", "function":
		return matcherKind{fm: fmField, field: fieldFunction}, true
	case "category":
		return matcherKind{fm: fmField, field: fieldCategory}, true
	case "stack.abs_path", "path":
		return matcherKind{fm: fmField, field: fieldPath}, true
	case "stack.package", "package":
		return matcherKind{fm: fmField, field: fieldPackage}, true
	case "family":
		return matcherKind{fm: fmFamily}, true
	case "app":
		return matcherKind{fm: fmApp}, true
	case "error.type", "type":
		return matcherKind{exception: true, field: excType}, true
	case "error.value", "value":
		return matcherKind{exception: true, field: excValue}, true
	case "error.mechanism", "mechanism":
		return matcherKind{exception: true, field: excMechanism}, true
	}
	return matcherKind{}, false
}

// The glob options of Sentry's stack trace rules (ophio): path and
// package patterns are path-like (literal separators, ASCII case folding,
// backslashes as separators; normalizePath prepares their values),
// everything else is matched as written. Neither sets DotNewline, since
// ophio's regex has no s flag: "*" in other patterns, and "**" in any,
// stop at a line break.
var (
	pathOptions  = glob.Options{LiteralSeparator: true, Fold: glob.FoldASCII, PathNormalize: true}
	otherOptions = glob.Options{}
)

type frameMatcher struct {
	kind    int
	field   int
	negated bool
	offset  int // -1 caller, +1 callee
	fams    uint8
	want    bool // app:
	g       *glob.Glob
}

// cost orders a rule's matchers so the cheap ones reject first; the
// result of an AND does not depend on the order.
func (m *frameMatcher) cost() int {
	switch {
	case m.kind == fmNever:
		return 0
	case m.kind != fmField:
		return 1
	case m.field == fieldCategory:
		return 2
	case m.exact():
		return 3
	case m.field == fieldPath || m.field == fieldPackage:
		return 5
	}
	return 4
}

// exact reports whether the matcher's glob matches one literal value.
func (m *frameMatcher) exact() bool {
	_, ok := m.g.Literal()
	return ok
}

type excMatcher struct {
	field   int
	negated bool
	g       *glob.Glob
}

// A rule is one half of a source rule: the classifier half (±app,
// category=) or the contributes half (±group, max-frames=, min-frames=),
// which Sentry runs as separate rules.
type rule struct {
	display string // how hints name the rule
	exc     []excMatcher
	frame   []frameMatcher // cheap first
	actions []srcAction
	needFam uint8 // the frame's family must be in this set
	// needFields lists the fields (as 1<<field) some frame of the stack
	// trace must have for the rule to match anywhere: a matcher on a
	// missing value is false.
	needFields uint8
	// needCategory is a category some frame must have (from an exact
	// category: matcher), checked before looking at frames one by one.
	needCategory string
	never        bool // some matcher can never match
	hasApp       bool
}

// compileRustRule builds a rule from the second parser's view of it.
// A frame matcher with a bad glob never matches; an exception matcher with
// a bad glob is an error, as in ophio.
func compileRustRule(rr rustRule) (*rule, error) {
	r := &rule{needFam: famAll, actions: rr.actions}
	var excDisplay, frameDisplay []string
	for _, m := range rr.matchers {
		kind, ok := rustMatcherKind(m.key)
		if !ok {
			return nil, detail(ErrUnknownMatcher, "Unknown matcher '%s'", m.key)
		}
		neg := ""
		if m.negated {
			neg = "!"
		}
		if kind.exception {
			g, err := glob.Compile(m.raw, otherOptions)
			if err != nil {
				return nil, detail(ErrInvalidPattern, "invalid pattern %q for %s: %v", m.raw, excNames[kind.field], err)
			}
			r.exc = append(r.exc, excMatcher{field: kind.field, negated: m.negated, g: g})
			excDisplay = append(excDisplay, neg+excNames[kind.field]+":"+m.raw)
			continue
		}
		fm := frameMatcher{kind: kind.fm, field: kind.field, negated: m.negated, offset: m.offset}
		name := ""
		switch kind.fm {
		case fmFamily:
			fm.fams = parseFamilies(m.raw)
			name = "family"
		case fmApp:
			name = "app"
			switch m.raw {
			case "1", "true", "yes":
				fm.want = true
			case "0", "false", "no":
			default:
				fm.kind = fmNever
			}
		case fmField:
			name = fieldNames[kind.field]
			opts := otherOptions
			if kind.field == fieldPath || kind.field == fieldPackage {
				opts = pathOptions
			}
			g, err := glob.Compile(m.raw, opts)
			if err != nil {
				fm.kind = fmNever
			}
			fm.g = g
		}
		d := neg + name + ":" + m.raw
		switch m.offset {
		case -1:
			d = "[" + d + "] |"
		case 1:
			d = "| [" + d + "]"
		}
		frameDisplay = append(frameDisplay, d)
		if fm.kind == fmField && !fm.negated && fm.field != fieldFunction {
			r.needFields |= 1 << fm.field
			if fm.field == fieldCategory && fm.g != nil {
				if lit, ok := fm.g.Literal(); ok {
					r.needCategory = lit
				}
			}
		}
		switch {
		case fm.kind == fmNever && !fm.negated:
			r.never = true
		case fm.kind == fmNever && fm.offset == 0:
			// A negated no-op is always true on the frame itself.
			continue
		case fm.kind == fmFamily && !fm.negated && fm.offset == 0:
			// Folded into needFam: a frame has exactly one family.
			r.needFam &= fm.fams
			continue
		}
		r.frame = append(r.frame, fm)
	}
	sortMatchers(r.frame)
	var acts []string
	for _, a := range rr.actions {
		acts = append(acts, a.String())
		if a.kind == actApp {
			r.hasApp = true
		}
	}
	r.display = strings.Join(append(append(excDisplay, frameDisplay...), acts...), " ")
	return r, nil
}

func sortMatchers(ms []frameMatcher) {
	// Insertion sort: a handful of matchers, and it keeps equal costs in
	// source order.
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].cost() < ms[j-1].cost(); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// canonicalText is a rule's text as Sentry writes it back out (its
// EnhancementRule.text): canonical keys, a pattern quoted only when it is
// empty or holds whitespace (and never escaped), single spaces.
func canonicalText(ms []srcMatcher, acts []srcAction) string {
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(' ')
		}
		if m.offset == -1 {
			b.WriteString("[ ")
		} else if m.offset == 1 {
			b.WriteString("| [ ")
		}
		if m.negated {
			b.WriteByte('!')
		}
		b.WriteString(m.key)
		b.WriteByte(':')
		if needsQuotes(m.pattern) {
			b.WriteString(`"` + m.pattern + `"`)
		} else {
			b.WriteString(m.pattern)
		}
		if m.offset == -1 {
			b.WriteString(" ] |")
		} else if m.offset == 1 {
			b.WriteString(" ]")
		}
	}
	b.WriteByte(' ')
	for i, a := range acts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.String())
	}
	return b.String()
}

// encodedForm is what a custom rule looks like after Sentry stores it in
// its compact config format and reads it back, which is how project rules
// reach the matcher at grouping time: family lists keep only the families
// the format has letters for, app values become 1, 0 or nothing, and
// patterns are taken verbatim (no second unescaping, no quoting). It
// returns the rule as the matcher sees it and the canonical text Sentry
// rebuilds from the stored form, which is what it compares hint texts with
// to call a rule "custom".
func encodedForm(ms []srcMatcher, acts []srcAction) (rustRule, string) {
	rr := rustRule{actions: acts}
	back := make([]srcMatcher, len(ms))
	for i, m := range ms {
		raw, py := m.pattern, m.pattern
		switch m.key {
		case "family":
			var rust, kept []string
			for _, f := range strings.Split(m.pattern, ",") {
				switch f {
				case "native", "javascript", "all":
					rust = append(rust, f)
					kept = append(kept, f)
				case "other":
					kept = append(kept, f)
				}
			}
			raw, py = strings.Join(rust, ","), strings.Join(kept, ",")
		case "app":
			switch strings.ToLower(m.pattern) {
			case "1", "yes", "true":
				raw = "1"
			case "0", "no", "false":
				raw = "0"
			default:
				raw = ""
			}
			py = raw
		}
		rr.matchers = append(rr.matchers, rustMatcher{key: m.key, negated: m.negated, offset: m.offset, raw: raw})
		back[i] = srcMatcher{key: m.key, pattern: py, negated: m.negated, offset: m.offset}
	}
	return rr, canonicalText(back, acts)
}

// needsQuotes reports whether Python's `pattern.split() != [pattern]`
// holds, which is when Sentry quotes a pattern in a rule's canonical text:
// the pattern is empty or contains whitespace (str.isspace's, which is
// not the grammar's).
func needsQuotes(s string) bool {
	return s == "" || strings.ContainsFunc(s, pystr.IsSpace)
}
