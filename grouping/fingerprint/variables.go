package fingerprint

import (
	"regexp"
	"strings"
)

// DefaultVariable is the canonical spelling of the variable that stands
// for the hash Sentry would compute without a custom fingerprint.
const DefaultVariable = "{{ default }}"

// pyWS is Python's \s for str patterns, as a Go regexp class body.
const pyWS = `\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}`

// variableRE is Sentry's FINGERPRINT_VARIABLE_REGEX, \{\{\s*(\S+)\s*\}\},
// with Python's Unicode \s. Go's leftmost-first matching picks the same
// match as Python's backtracking engine for this expression.
var (
	variableRE      = regexp.MustCompile(`\{\{[` + pyWS + `]*([^` + pyWS + `]+)[` + pyWS + `]*\}\}`)
	wholeVariableRE = regexp.MustCompile(`^(?:` + variableRE.String() + `)$`)
)

// Variable reports whether a fingerprint entry is a variable and returns
// its name: "{{ transaction }}" and "{{transaction}}" name "transaction".
// Only an entry that is one variable and nothing else counts; Sentry keeps
// "a-{{ b }}" as literal text.
func Variable(entry string) (name string, ok bool) {
	m := wholeVariableRE.FindStringSubmatch(entry)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// IsDefaultVariable reports whether entry is the default variable, in any
// spacing.
func IsDefaultVariable(entry string) bool {
	name, ok := Variable(entry)
	return ok && name == "default"
}

// Kind classifies a fingerprint the way Sentry's get_fingerprint_type
// does, which decides how grouping uses it.
type Kind uint8

const (
	// KindNone is an empty fingerprint.
	KindNone Kind = iota
	// KindDefault is exactly one default variable: group as usual.
	KindDefault
	// KindHybrid has the default variable among other entries: the usual
	// hash, salted with the rest.
	KindHybrid
	// KindCustom has no default variable: the entries alone are the hash.
	KindCustom
)

// KindOf returns the kind of fingerprint fp.
func KindOf(fp []string) Kind {
	switch {
	case len(fp) == 0:
		return KindNone
	case len(fp) == 1 && IsDefaultVariable(fp[0]):
		return KindDefault
	}
	for _, e := range fp {
		if IsDefaultVariable(e) {
			return KindHybrid
		}
	}
	return KindCustom
}

// String returns Sentry's name for the kind: "default", "hybrid",
// "custom", or "" for KindNone.
func (k Kind) String() string {
	switch k {
	case KindDefault:
		return "default"
	case KindHybrid:
		return "hybrid"
	case KindCustom:
		return "custom"
	}
	return ""
}

// ExpandTemplate replaces every variable in template, anywhere in the
// text, by resolve's value for its name, as Sentry expands a rule's title
// attribute. A variable for which resolve reports false is left as
// written, which is what Sentry does for names it does not know under
// newstyle:2023-01-11; for newer configs resolve should return
// "<unrecognized-variable-NAME>" instead.
func ExpandTemplate(template string, resolve func(name string) (string, bool)) string {
	var b strings.Builder
	last := 0
	for _, m := range variableRE.FindAllStringSubmatchIndex(template, -1) {
		b.WriteString(template[last:m[0]])
		if s, ok := resolve(template[m[2]:m[3]]); ok {
			b.WriteString(s)
		} else {
			b.WriteString(template[m[0]:m[1]])
		}
		last = m[1]
	}
	if last == 0 {
		return template
	}
	b.WriteString(template[last:])
	return b.String()
}
