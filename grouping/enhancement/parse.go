package enhancement

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sentrywire/sentrywire/grouping/internal/pystr"
)

// This file is the first of Sentry's two parsers: the PEG grammar of
// sentry/grouping/enhancer/parser.py, which decides what rule text is
// accepted and produces each rule's canonical ("Python") text. It is a
// hand-written recursive descent that keeps the PEG's behaviour: ordered
// choice, greedy repetition without backtracking, only the space character
// as a separator, and errors reported where the last complete line ended.

// A srcMatcher is one matcher as written in the rule text.
type srcMatcher struct {
	key     string // canonical key: path, function, module, family, package, app, type, value, mechanism, category
	pattern string // argument after unquoting and unescaping
	negated bool
	offset  int // -1: caller [ m ] |, +1: callee | [ m ], 0: the frame itself
}

// Action kinds.
const (
	actApp = iota
	actGroup
	actCategory
	actMaxFrames
	actMinFrames
)

// Action ranges.
const (
	rangeNone = iota
	rangeUp   // ^: the frames after this one (its callees, toward the crash)
	rangeDown // v: the frames before this one (its callers)
)

// A srcAction is one action as written in the rule text.
type srcAction struct {
	kind  int
	flag  bool   // + or - for app and group
	rng   int    // rangeNone, rangeUp, rangeDown
	value string // category name
	n     uint64 // max-frames / min-frames
}

func (a srcAction) classifier() bool { return a.kind == actApp || a.kind == actCategory }

// String renders the action as Sentry does in rule texts and hints.
func (a srcAction) String() string {
	switch a.kind {
	case actCategory:
		return "category=" + a.value
	case actMaxFrames:
		return "max-frames=" + strconv.FormatUint(a.n, 10)
	case actMinFrames:
		return "min-frames=" + strconv.FormatUint(a.n, 10)
	}
	s := ""
	switch a.rng {
	case rangeUp:
		s = "^"
	case rangeDown:
		s = "v"
	}
	if a.flag {
		s += "+"
	} else {
		s += "-"
	}
	if a.kind == actApp {
		return s + "app"
	}
	return s + "group"
}

// A srcRule is one rule of the text, with the offset where it starts.
type srcRule struct {
	matchers []srcMatcher
	actions  []srcAction
	pos      int
}

// matcherKeys maps every key Sentry accepts to its canonical name.
var matcherKeys = map[string]string{
	"stack.module": "module", "module": "module",
	"stack.abs_path": "path", "path": "path",
	"stack.package": "package", "package": "package",
	"stack.function": "function", "function": "function",
	"error.type": "type", "type": "type",
	"error.value": "value", "value": "value",
	"error.mechanism": "mechanism", "mechanism": "mechanism",
	"category": "category",
	"family":   "family",
	"app":      "app",
}

// pyParser holds the text being parsed and the first error found while
// building rules. Sentry reports such errors only when the whole text
// parsed, so a grammar error later in the text wins over them.
type pyParser struct {
	s      string
	semErr *SyntaxError
}

func (p *pyParser) semantic(pos int, err error) {
	if p.semErr == nil {
		p.semErr = syntaxErrorAt(p.s, pos, err, false)
	}
}

// parseSource parses rule text with Sentry's grammar.
func parseSource(s string) ([]srcRule, error) {
	if i := firstInvalidUTF8(s); i >= 0 {
		return nil, syntaxErrorAt(s, i, detail(ErrSyntax, "text is not valid UTF-8"), true)
	}
	p := &pyParser{s: s}
	var rules []srcRule
	pos := 0
	for pos < len(s) {
		q := p.spaces(pos)
		if q < len(s) && s[q] == '#' {
			for q < len(s) && s[q] != '\r' && s[q] != '\n' {
				q++
			}
			pos = p.newline(q)
			continue
		}
		if r, end, ok := p.rule(q); ok {
			rules = append(rules, r)
			pos = p.newline(end)
			continue
		}
		if q == len(s) {
			break
		}
		if s[q] == '\r' || s[q] == '\n' {
			pos = q + 1
			continue
		}
		// Nothing parses here: the grammar stops and complains about the
		// text that follows the last complete line (or rule).
		err := ErrSyntax
		if line, _, _ := strings.Cut(s[q:], "\n"); strings.Contains(line, "\t") {
			err = detail(ErrSyntax, "tab characters are not allowed; separate tokens with spaces")
		}
		return nil, syntaxErrorAt(s, q, err, true)
	}
	if p.semErr != nil {
		return nil, p.semErr
	}
	return rules, nil
}

func (p *pyParser) spaces(pos int) int {
	for pos < len(p.s) && p.s[pos] == ' ' {
		pos++
	}
	return pos
}

func (p *pyParser) newline(pos int) int {
	if pos < len(p.s) && (p.s[pos] == '\r' || p.s[pos] == '\n') {
		return pos + 1
	}
	return pos
}

func (p *pyParser) lit(pos int, lit string) (int, bool) {
	if strings.HasPrefix(p.s[pos:], lit) {
		return pos + len(lit), true
	}
	return pos, false
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// ident matches [a-zA-Z0-9_.-]+.
func (p *pyParser) ident(pos int) (string, int, bool) {
	end := pos
	for end < len(p.s) && isIdentByte(p.s[end]) {
		end++
	}
	return p.s[pos:end], end, end > pos
}

// rule = _ matchers actions
func (p *pyParser) rule(pos int) (srcRule, int, bool) {
	start := p.spaces(pos)
	r := srcRule{pos: start}
	end := start
	if m, e, ok := p.bracketed(end, true); ok {
		r.matchers = append(r.matchers, m)
		end = e
	}
	n := 0
	for {
		m, e, ok := p.frameMatcher(end)
		if !ok {
			break
		}
		r.matchers = append(r.matchers, m)
		end = e
		n++
	}
	if n == 0 {
		return srcRule{}, pos, false
	}
	if m, e, ok := p.bracketed(end, false); ok {
		r.matchers = append(r.matchers, m)
		end = e
	}
	for {
		a, e, ok := p.action(end)
		if !ok {
			break
		}
		r.actions = append(r.actions, a)
		end = e
	}
	if len(r.actions) == 0 {
		return srcRule{}, pos, false
	}
	return r, end, true
}

// bracketed parses a caller matcher `_ "[" _ m _ "]" _ "|"` or a callee
// matcher `_ "|" _ "[" _ m _ "]"`.
func (p *pyParser) bracketed(pos int, caller bool) (srcMatcher, int, bool) {
	q := p.spaces(pos)
	var ok bool
	if !caller {
		if q, ok = p.lit(q, "|"); !ok {
			return srcMatcher{}, pos, false
		}
		q = p.spaces(q)
	}
	if q, ok = p.lit(q, "["); !ok {
		return srcMatcher{}, pos, false
	}
	q = p.spaces(q)
	m, q, ok := p.frameMatcher(q)
	if !ok {
		return srcMatcher{}, pos, false
	}
	q = p.spaces(q)
	if q, ok = p.lit(q, "]"); !ok {
		return srcMatcher{}, pos, false
	}
	if caller {
		q = p.spaces(q)
		if q, ok = p.lit(q, "|"); !ok {
			return srcMatcher{}, pos, false
		}
		m.offset = -1
	} else {
		m.offset = 1
	}
	return m, q, true
}

// frameMatcher = _ "!"? (ident / quoted_ident) ":" (quoted / unquoted)
func (p *pyParser) frameMatcher(pos int) (srcMatcher, int, bool) {
	s := p.s
	q := p.spaces(pos)
	var m srcMatcher
	if q < len(s) && s[q] == '!' {
		m.negated = true
		q++
	}
	keyPos := q
	key, e, ok := p.ident(q)
	if !ok {
		// quoted_ident = "([a-zA-Z0-9_.:-]+)"
		if q >= len(s) || s[q] != '"' {
			return m, pos, false
		}
		e = q + 1
		for e < len(s) && (isIdentByte(s[e]) || s[e] == ':') {
			e++
		}
		if e == q+1 || e >= len(s) || s[e] != '"' {
			return m, pos, false
		}
		key = s[q+1 : e]
		e++
	}
	q = e
	if q, ok = p.lit(q, ":"); !ok {
		return m, pos, false
	}
	argPos := q
	arg, quoted, end, ok := p.argument(q)
	if !ok {
		return m, pos, false
	}
	// Sentry's visitor unescapes the argument before it looks the key up.
	if quoted {
		u, err := pystr.Unescape(arg)
		if err != nil {
			p.semantic(argPos, detail(ErrInvalidValue, "Invalid escape in %s: %v", s[argPos:end], err))
		}
		arg = u
	}
	canon, known := matcherKeys[key]
	if !known {
		p.semantic(keyPos, detail(ErrUnknownMatcher, "Unknown matcher '%s'", key))
	}
	m.key, m.pattern = canon, arg
	return m, end, true
}

// argument = quoted / unquoted, where quoted is the regex
// "([^"\\]*(?:\\.[^"\\]*)*)" and unquoted is \S+.
func (p *pyParser) argument(pos int) (arg string, quoted bool, end int, ok bool) {
	s := p.s
	if pos < len(s) && s[pos] == '"' {
		i := pos + 1
		for i < len(s) {
			c := s[i]
			if c == '"' {
				return s[pos+1 : i], true, i + 1, true
			}
			if c == '\\' {
				// `\.`: the escaped character may be anything but '\n'.
				if i+1 >= len(s) || s[i+1] == '\n' {
					break
				}
				_, w := utf8.DecodeRuneInString(s[i+1:])
				i += 1 + w
				continue
			}
			i++
		}
		// Not a complete quoted string: fall back to \S+ below.
	}
	// The grammar's \S is parsimonious's, compiled by Python's regex
	// module, whose \s lacks the separators U+001C to U+001F that
	// str.isspace counts (see pystr.IsWhiteSpace).
	i := pos
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		if pystr.IsWhiteSpace(r) {
			break
		}
		i += w
	}
	if i == pos {
		return "", false, pos, false
	}
	return s[pos:i], false, i, true
}

// action = flag_action / var_action
func (p *pyParser) action(pos int) (srcAction, int, bool) {
	s := p.s
	q := p.spaces(pos)
	// flag_action = _ ("^" / "v")? ("+" / "-") ("group" / "app")
	a := srcAction{}
	f := q
	if f < len(s) && (s[f] == '^' || s[f] == 'v') {
		if s[f] == '^' {
			a.rng = rangeUp
		} else {
			a.rng = rangeDown
		}
		f++
	}
	if f < len(s) && (s[f] == '+' || s[f] == '-') {
		a.flag = s[f] == '+'
		f++
		if e, ok := p.lit(f, "group"); ok {
			a.kind = actGroup
			return a, e, true
		}
		if e, ok := p.lit(f, "app"); ok {
			a.kind = actApp
			return a, e, true
		}
	}
	// var_action = _ ("max-frames" / "min-frames" / "category") _ "=" _ ident
	a = srcAction{}
	var name string
	var e int
	var ok bool
	for _, n := range []string{"max-frames", "min-frames", "category"} {
		if e, ok = p.lit(q, n); ok {
			name = n
			break
		}
	}
	if !ok {
		return a, pos, false
	}
	e = p.spaces(e)
	if e, ok = p.lit(e, "="); !ok {
		return a, pos, false
	}
	e = p.spaces(e)
	valPos := e
	val, e, ok := p.ident(e)
	if !ok {
		return a, pos, false
	}
	switch name {
	case "category":
		a.kind, a.value = actCategory, val
	default:
		a.kind = actMaxFrames
		if name == "min-frames" {
			a.kind = actMinFrames
		}
		n, valid, inRange := pystr.Int(val)
		switch {
		case !valid:
			p.semantic(valPos, detail(ErrInvalidValue, "Invalid value '%s' for '%s'", val, name))
		case !inRange:
			p.semantic(valPos, detail(ErrInvalidValue, "Invalid value '%s' for '%s': must be between 0 and %d", val, name, uint64(1<<64-1)))
		}
		a.n = n
	}
	return a, e, true
}

// firstInvalidUTF8 returns the offset of the first invalid UTF-8 byte in s,
// or -1.
func firstInvalidUTF8(s string) int {
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			return i
		}
		i += w
	}
	return -1
}
