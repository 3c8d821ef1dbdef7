package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// A rule drops the events it matches. Rules are read from a text file, one
// per line:
//
//	# The Django guide's flood: requests with a Host header not in ALLOWED_HOSTS.
//	exception.type = DisallowedHost
//	message ~ *Invalid HTTP_HOST header*
//	logger = django.security.DisallowedHost
//	transaction ~ /healthz*
//	tag:environment = staging
//	sdk ~ sentry.javascript.*
//
// A line is a field, an operator and a value. "=" wants the whole value;
// "~" is a glob where * is any run of characters and ? any one character,
// so "*text*" is a substring match. Several conditions joined by " && " on
// one line must all match; an event is dropped when any line matches.
// Blank lines and lines starting with # are ignored.
//
// The fields: exception.type (any exception of the chain), exception.module,
// message (the log message, formatted or template, or any exception's
// value), logger, transaction, level, tag:KEY, and sdk (the SDK's name).
type rule struct {
	text  string // the line, for the log
	conds []condition
}

type condition struct {
	field string // the field name; for tags, "tag"
	tag   string // the tag key of a tag:KEY field
	glob  bool
	value string
}

// fields are the names a condition may use, besides tag:KEY.
var fields = map[string]bool{
	"exception.type": true, "exception.module": true, "message": true, "logger": true,
	"transaction": true, "level": true, "sdk": true,
}

// parseRules reads a rules file. A line it cannot read is an error that
// names the line, rather than a rule silently never matching.
func parseRules(r io.Reader, name string) ([]rule, error) {
	var rules []rule
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ru, err := parseRule(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		rules = append(rules, ru)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rules, nil
}

func parseRule(line string) (rule, error) {
	ru := rule{text: line}
	for part := range strings.SplitSeq(line, " && ") {
		i := strings.IndexAny(part, "=~")
		if i < 0 {
			return ru, fmt.Errorf("%q: want FIELD = VALUE or FIELD ~ GLOB", part)
		}
		c := condition{
			field: strings.TrimSpace(part[:i]),
			glob:  part[i] == '~',
			value: strings.TrimSpace(part[i+1:]),
		}
		if key, ok := strings.CutPrefix(c.field, "tag:"); ok && key != "" {
			c.field, c.tag = "tag", key
		} else if !fields[c.field] {
			return ru, fmt.Errorf("unknown field %q", c.field)
		}
		if c.value == "" {
			return ru, fmt.Errorf("%q: empty value", part)
		}
		ru.conds = append(ru.conds, c)
	}
	return ru, nil
}

// matches reports whether every condition of the rule holds for ev. sdk is
// the SDK name from the envelope header, used when the event names none.
func (ru *rule) matches(ev *protocol.Event, sdk string) bool {
	for i := range ru.conds {
		if !ru.conds[i].matches(ev, sdk) {
			return false
		}
	}
	return true
}

func (c *condition) matches(ev *protocol.Event, sdk string) bool {
	switch c.field {
	case "exception.type", "exception.module", "message":
		if c.field == "message" {
			if m := ev.LogMessage(); m != nil && (c.match(m.Formatted) || c.match(m.Message)) {
				return true
			}
		}
		for _, ex := range ev.Exceptions() {
			var s string
			switch c.field {
			case "exception.type":
				s = ex.Type
			case "exception.module":
				s = ex.Module
			default:
				s = string(ex.Value)
			}
			if c.match(s) {
				return true
			}
		}
		return false
	case "logger":
		return c.match(ev.Logger)
	case "transaction":
		return c.match(ev.Transaction)
	case "level":
		return c.match(string(ev.Level))
	case "tag":
		v, ok := ev.Tags.Get(c.tag)
		return ok && c.match(v)
	case "sdk":
		if ev.SDK != nil && ev.SDK.Name != "" {
			return c.match(ev.SDK.Name)
		}
		return c.match(sdk)
	}
	return false
}

// match compares one value. An empty value never matches, so that a rule
// about a field never matches the events that lack it.
func (c *condition) match(s string) bool {
	if s == "" {
		return false
	}
	if !c.glob {
		return s == c.value
	}
	return glob(c.value, s)
}

// glob matches s against pattern, where * is any run of bytes and ? any one
// byte. Unlike path.Match, "/" is not special: transactions are URL paths.
// It backtracks only to the last *, so it runs in linear-ish time.
func glob(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
