package enhancement

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// This file is the second of Sentry's two parsers: the Rust grammar of
// getsentry/ophio (rust/src/enhancers/grammar.rs). Sentry writes every
// accepted rule back out in canonical text and hands that text to this
// parser, which must accept it too. It is looser than the first grammar
// (any Unicode whitespace separates tokens) but reads quoted arguments
// naively: a quoted argument ends at the next double quote, and the only
// escape it knows is `\\`. Built-in rule files are run from this parse,
// so its view of a pattern is the one that matches.

// A rustMatcher is a matcher as the second parser read it.
type rustMatcher struct {
	key     string // as written (canonical text uses canonical keys)
	negated bool
	offset  int
	raw     string
}

type rustRule struct {
	matchers []rustMatcher
	actions  []srcAction
}

// matcherLookahead lists the prefixes after which the Rust parser expects
// another matcher rather than the actions.
var matcherLookahead = []string{"!", "a", "category:", "e", "f", "me", "mo", "p", "s", "t", "va"}

func rustTrimStart(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) }

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// parseRustText parses rule text the way ophio's Enhancements::parse does:
// line by line, skipping blank lines and comments.
func parseRustText(text string) ([]rustRule, error) {
	var rules []rustRule
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		line = strings.TrimFunc(line, unicode.IsSpace)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r, err := parseRustRule(line)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func parseRustRule(input string) (rustRule, error) {
	var r rustRule
	rest := rustTrimStart(input)
	if after, ok := strings.CutPrefix(rest, "["); ok {
		m, after, err := rustMatcherAt(after, -1)
		if err != nil {
			return r, err
		}
		after = rustTrimStart(after)
		if after, ok = strings.CutPrefix(after, "]"); !ok {
			return r, fmt.Errorf("at `%s`: expected `]`", after)
		}
		after = rustTrimStart(after)
		if after, ok = strings.CutPrefix(after, "|"); !ok {
			return r, fmt.Errorf("at `%s`: expected `|`", after)
		}
		r.matchers = append(r.matchers, m)
		rest = rustTrimStart(after)
	}
	parsed := false
	for hasLookahead(rest) {
		m, after, err := rustMatcherAt(rest, 0)
		if err != nil {
			return r, err
		}
		r.matchers = append(r.matchers, m)
		rest = rustTrimStart(after)
		parsed = true
	}
	if !parsed {
		return r, fmt.Errorf("at `%s`: expected at least one matcher", rest)
	}
	if after, ok := strings.CutPrefix(rest, "|"); ok {
		after = rustTrimStart(after)
		if after, ok = strings.CutPrefix(after, "["); !ok {
			return r, fmt.Errorf("at `%s`: expected `[`", after)
		}
		m, after, err := rustMatcherAt(after, 1)
		if err != nil {
			return r, err
		}
		after = rustTrimStart(after)
		if after, ok = strings.CutPrefix(after, "]"); !ok {
			return r, fmt.Errorf("at `%s`: expected `]`", after)
		}
		r.matchers = append(r.matchers, m)
		rest = after
	}
	acts, err := rustActions(rest)
	if err != nil {
		return r, err
	}
	r.actions = acts
	return r, nil
}

func hasLookahead(s string) bool {
	for _, p := range matcherLookahead {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// rustIdent splits off a leading [a-zA-Z0-9_.-]+. Like ophio it accepts an
// empty identifier when the whole input is one (including empty input).
func rustIdent(s string) (string, string, error) {
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i]) {
			if i == 0 {
				return "", s, fmt.Errorf("at `%s`: invalid identifier", s)
			}
			return s[:i], s[i:], nil
		}
	}
	return s, "", nil
}

func rustMatcherAt(input string, offset int) (rustMatcher, string, error) {
	m := rustMatcher{offset: offset}
	s := rustTrimStart(input)
	if after, ok := strings.CutPrefix(s, "!"); ok {
		m.negated = true
		s = after
	}
	name, after, err := rustIdent(s)
	if err != nil {
		return m, "", err
	}
	after, ok := strings.CutPrefix(after, ":")
	if !ok {
		return m, "", fmt.Errorf("at `%s`: expected `:`", after)
	}
	var arg string
	if q, ok := strings.CutPrefix(after, `"`); ok {
		end := strings.IndexByte(q, '"')
		if end < 0 {
			return m, "", fmt.Errorf("at `%s`: unclosed `\"`", after)
		}
		arg, after = q[:end], q[end+1:]
	} else {
		end := len(after)
		for i := 0; i < len(after); i++ {
			if isASCIISpace(after[i]) {
				end = i
				break
			}
		}
		arg, after = after[:end], after[end:]
	}
	m.key = name
	m.raw = strings.ReplaceAll(arg, `\\`, `\`)
	if _, known := rustMatcherKind(name); !known {
		return m, "", fmt.Errorf("Unknown matcher `%s`", name)
	}
	return m, after, nil
}

func rustActions(input string) ([]srcAction, error) {
	var out []srcAction
	s := rustTrimStart(input)
	for s != "" && !strings.HasPrefix(s, "#") {
		var a srcAction
		switch s[0] {
		case 'v', '^', '+', '-':
			rest := s
			switch rest[0] {
			case '^':
				a.rng, rest = rangeUp, rest[1:]
			case 'v':
				a.rng, rest = rangeDown, rest[1:]
			}
			switch {
			case strings.HasPrefix(rest, "+"):
				a.flag = true
			case strings.HasPrefix(rest, "-"):
			default:
				return nil, fmt.Errorf("at `%s`: expected flag value", s)
			}
			name, after, err := rustIdent(rest[1:])
			if err != nil {
				return nil, err
			}
			switch name {
			case "app":
				a.kind = actApp
			case "group":
				a.kind = actGroup
			default:
				return nil, fmt.Errorf("at `%s`: invalid flag name `%s`", rest[1:], name)
			}
			s = rustTrimStart(after)
		default:
			lhs, after, err := rustIdent(s)
			if err != nil {
				return nil, err
			}
			after, ok := strings.CutPrefix(rustTrimStart(after), "=")
			if !ok {
				return nil, fmt.Errorf("at `%s`: expected `=`", after)
			}
			rhs, after, err := rustIdent(rustTrimStart(after))
			if err != nil {
				return nil, err
			}
			switch lhs {
			case "max-frames", "min-frames":
				n, err := strconv.ParseUint(rhs, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("at `%s`: failed to parse rhs of `%s`", rhs, lhs)
				}
				a.kind, a.n = actMaxFrames, n
				if lhs == "min-frames" {
					a.kind = actMinFrames
				}
			case "category":
				a.kind, a.value = actCategory, rhs
			case "invert-stacktrace":
				// Still in ophio's grammar, gone from Sentry's, and never
				// reachable from canonical text.
				return nil, errors.New("invert-stacktrace is not supported")
			default:
				return nil, fmt.Errorf("at `%s`: invalid variable name `%s`", s, lhs)
			}
			s = rustTrimStart(after)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, errors.New("expected at least one action")
	}
	return out, nil
}
