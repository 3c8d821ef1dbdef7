package fingerprint

import (
	"strings"
	"unicode/utf8"

	"github.com/sentrywire/sentrywire/grouping/internal/pystr"
)

// Parse compiles rules written in Sentry's fingerprinting syntax, one rule
// a line:
//
//	# comment
//	error.type:DatabaseUnavailable -> db-unavailable
//	stack.function:assert* app:yes -> assertion, {{ function }}
//	logger:sentry.* -> logger-{{ logger }} title="Message from {{ logger }}"
//
// Parse accepts exactly the text Sentry's grammar accepts, with its quirks:
// only the space character separates tokens (a tab is an error), commas
// between fingerprint entries are optional, an entry such as
// logger-{{ logger }} splits into "logger-" and "{{ logger }}", and a "#"
// after a rule is not a comment but more fingerprint. A quoted value is
// unescaped as Python's unicode-escape codec does.
//
// The error is a *SyntaxError. As in Sentry, text the grammar rejects is
// reported before an unknown matcher or attribute anywhere else.
func Parse(text string) (*Rules, error) {
	p := &parser{text: text}
	var rules []*Rule
	var firstErr *SyntaxError
	pos := 0
	for {
		start := pos
		q := p.spaces(pos)
		if q < len(text) && text[q] == '#' {
			q = p.comment(q)
		} else if r, end, err, ok := p.rule(q); ok {
			q = end
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if err == nil {
				rules = append(rules, r)
			}
		}
		if q < len(text) && (text[q] == '\r' || text[q] == '\n') {
			q++
		}
		if q == start {
			break // a line that consumes nothing ends the rule list
		}
		pos = q
	}
	if pos < len(text) {
		return nil, p.errorAt(pos, ErrSyntax)
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return &Rules{rules: rules}, nil
}

// parser walks the text as Sentry's parsimonious grammar does: PEG
// choices in order, repetitions greedy and never given back.
type parser struct {
	text string
}

func (p *parser) spaces(i int) int {
	for i < len(p.text) && p.text[i] == ' ' {
		i++
	}
	return i
}

func (p *parser) comment(i int) int {
	for i < len(p.text) && p.text[i] != '\r' && p.text[i] != '\n' {
		i++
	}
	return i
}

// rule parses `matchers _ "->" _ fingerprint` at i. ok reports that the
// grammar matched; err is a key the grammar accepts but Sentry rejects.
func (p *parser) rule(i int) (r *Rule, end int, err *SyntaxError, ok bool) {
	var ms []Matcher
	for {
		m, next, merr, mok := p.matcher(i)
		if !mok {
			break
		}
		if merr != nil && err == nil {
			err = merr
		}
		ms = append(ms, m)
		i = next
	}
	if len(ms) == 0 {
		return nil, 0, nil, false
	}
	i = p.spaces(i)
	if !strings.HasPrefix(p.text[i:], "->") {
		return nil, 0, nil, false
	}
	i = p.spaces(i + 2)
	var fp []string
	attrs := map[string]string{}
	values := 0
	for {
		j := p.spaces(i)
		kind, key, value, next, vok := p.fpArgument(j)
		if !vok {
			break
		}
		values++
		switch {
		case kind == argValue:
			if IsDefaultVariable(value) {
				value = DefaultVariable
			}
			fp = append(fp, value)
		case key == "title":
			attrs[key] = value
		case err == nil:
			err = p.errorAt(j, unknownAttribute(key))
		}
		i = p.spaces(next)
		if i < len(p.text) && p.text[i] == ',' {
			i++
		}
	}
	if values == 0 {
		return nil, 0, nil, false
	}
	return newRule(ms, fp, attrs, false), i, err, true
}

// matcher parses `_ "!"? key ":" argument` at i.
func (p *parser) matcher(i int) (m Matcher, end int, err *SyntaxError, ok bool) {
	i = p.spaces(i)
	keyPos := i
	if i < len(p.text) && p.text[i] == '!' {
		m.Negated = true
		i++
	}
	key, next, kok := p.key(i)
	if !kok {
		key, next, kok = p.quotedKey(i)
		if !kok {
			return m, 0, nil, false
		}
	}
	i = next
	if i >= len(p.text) || p.text[i] != ':' {
		return m, 0, nil, false
	}
	i++
	if s, next, qok := p.quoted(i); qok {
		m.Pattern, i = pystr.UnescapeLenient(s), next
	} else if next := p.nonSpace(i); next > i {
		m.Pattern, i = p.text[i:next], next
	} else {
		return m, 0, nil, false
	}
	if k, known := canonicalKey(key); known {
		m.Key = k
	} else {
		m.Key = key
		err = p.errorAt(keyPos, unknownMatcher(key))
	}
	return m, i, err, true
}

func isKeyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '.' || c == '-'
}

// key matches /[a-zA-Z0-9_.-]+/.
func (p *parser) key(i int) (string, int, bool) {
	j := i
	for j < len(p.text) && isKeyByte(p.text[j]) {
		j++
	}
	return p.text[i:j], j, j > i
}

// quotedKey matches /"([a-zA-Z0-9_.:-]+)"/.
func (p *parser) quotedKey(i int) (string, int, bool) {
	if i >= len(p.text) || p.text[i] != '"' {
		return "", 0, false
	}
	j := i + 1
	for j < len(p.text) && (isKeyByte(p.text[j]) || p.text[j] == ':') {
		j++
	}
	if j == i+1 || j >= len(p.text) || p.text[j] != '"' {
		return "", 0, false
	}
	return p.text[i+1 : j], j + 1, true
}

// quoted matches /"([^"\\]*(?:\\.[^"\\]*)*)"/ and returns the text
// between the quotes, still escaped. As in Python, "." is any character
// but a newline, so a backslash cannot escape a line break.
func (p *parser) quoted(i int) (string, int, bool) {
	if i >= len(p.text) || p.text[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(p.text); {
		switch p.text[j] {
		case '"':
			return p.text[i+1 : j], j + 1, true
		case '\\':
			if j+1 >= len(p.text) || p.text[j+1] == '\n' {
				return "", 0, false
			}
			_, n := utf8.DecodeRuneInString(p.text[j+1:])
			j += 1 + n
		default:
			j++
		}
	}
	return "", 0, false
}

// nonSpace returns the end of the run of non-whitespace characters at i
// (the grammar's \S+). The grammar's \s is pystr.IsWhiteSpace, not
// pystr.IsSpace: Sentry's parser generator, parsimonious, compiles its
// expressions with the regex module rather than re.
func (p *parser) nonSpace(i int) int {
	for i < len(p.text) {
		r, n := utf8.DecodeRuneInString(p.text[i:])
		if pystr.IsWhiteSpace(r) {
			break
		}
		i += n
	}
	return i
}

// skipSpace returns the end of the run of whitespace at i (the grammar's
// \s*).
func (p *parser) skipSpace(i int) int {
	for i < len(p.text) {
		r, n := utf8.DecodeRuneInString(p.text[i:])
		if !pystr.IsWhiteSpace(r) {
			break
		}
		i += n
	}
	return i
}

type argKind uint8

const (
	argValue argKind = iota
	argAttribute
)

// fpArgument parses `key "=" quoted / quoted / unquoted_no_comma` at i.
func (p *parser) fpArgument(i int) (kind argKind, key, value string, end int, ok bool) {
	if k, next, kok := p.key(i); kok && next < len(p.text) && p.text[next] == '=' {
		if s, next, qok := p.quoted(next + 1); qok {
			return argAttribute, k, pystr.UnescapeLenient(s), next, true
		}
	}
	if s, next, qok := p.quoted(i); qok {
		return argValue, "", pystr.UnescapeLenient(s), next, true
	}
	if next, vok := p.unquotedNoComma(i); vok {
		return argValue, "", p.text[i:next], next, true
	}
	return 0, "", "", 0, false
}

// unquotedNoComma matches /(?:\{\{\s*\S+\s*\}\})|(?:[^\s\{,]+)/: a whole
// variable, spaces and all, or a run without spaces, braces and commas.
// Like Python's backtracking \S+, the variable takes the longest name that
// still leaves a closing "}}".
func (p *parser) unquotedNoComma(i int) (int, bool) {
	t := p.text
	if strings.HasPrefix(t[i:], "{{") {
		j := p.skipSpace(i + 2)
		runEnd := p.nonSpace(j)
		if runEnd > j {
			if k := p.skipSpace(runEnd); strings.HasPrefix(t[k:], "}}") {
				return k + 2, true
			}
			if k := strings.LastIndex(t[j+1:runEnd], "}}"); k >= 0 {
				return j + 1 + k + 2, true
			}
		}
	}
	j := i
	for j < len(t) {
		r, n := utf8.DecodeRuneInString(t[j:])
		if pystr.IsWhiteSpace(r) || r == '{' || r == ',' {
			break
		}
		j += n
	}
	return j, j > i
}

// errorAt builds a SyntaxError for byte offset pos, counting lines and
// columns in characters as Python does.
func (p *parser) errorAt(pos int, err error) *SyntaxError {
	before := p.text[:pos]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	near := p.text[pos:]
	n := 0
	for k := range near {
		if n == 33 {
			near = near[:k]
			break
		}
		n++
	}
	if utf8.RuneCountInString(near) == 33 {
		_, size := utf8.DecodeLastRuneInString(near)
		near = near[:len(near)-size] + "..."
	}
	return &SyntaxError{Line: line, Column: col, Near: near, Err: err}
}
