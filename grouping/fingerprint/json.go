package fingerprint

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// ParseJSON compiles rules in Sentry's JSON form, the form Sentry stores
// and its grouping tests carry in `_fingerprinting_rules`:
//
//	{"version": 1, "rules": [
//	  {"matchers": [["type", "DatabaseUnavailable"], ["!path", "**/foo/**"]],
//	   "fingerprint": ["db-unavailable"],
//	   "attributes": {"title": "..."}}
//	]}
//
// or the list of rule objects alone. Keys go through the same table as in
// rule text, "!" marks negation, "attributes" may be absent and "text" is
// ignored. A rule with "is_builtin" true is marked built-in. Patterns and
// fingerprint entries are taken as they are: JSON has no escapes to undo
// and Sentry does not rewrite the default variable here. A rule with no
// matchers matches every event, as in Sentry.
//
// The error is a *JSONError.
func ParseJSON(data []byte) (*Rules, error) {
	var top jsontext.Value
	if err := json.Unmarshal(data, &top, jsontext.AllowDuplicateNames(true)); err != nil {
		return nil, &JSONError{Err: fmt.Errorf("%w: %v", ErrMalformed, err)}
	}
	rulesPtr := "/rules"
	rulesVal := top
	switch top.Kind() {
	case '[':
		rulesPtr = ""
	case '{':
		var obj map[string]jsontext.Value
		if err := json.Unmarshal(top, &obj, jsontext.AllowDuplicateNames(true)); err != nil {
			return nil, malformed("", err)
		}
		if v, ok := obj["version"]; ok {
			var n float64
			if json.Unmarshal(v, &n) != nil || n != 1 {
				return nil, &JSONError{Pointer: "/version", Err: ErrUnknownVersion}
			}
		}
		var ok bool
		if rulesVal, ok = obj["rules"]; !ok {
			return nil, malformed("", fmt.Errorf(`no "rules"`))
		}
	default:
		return nil, malformed("", fmt.Errorf("want an object or a list, have %s", top.Kind()))
	}
	var items []jsontext.Value
	if err := json.Unmarshal(rulesVal, &items); err != nil || rulesVal.Kind() != '[' {
		return nil, malformed(rulesPtr, fmt.Errorf("want a list of rules"))
	}
	out := &Rules{}
	for i, item := range items {
		r, err := ruleFromJSON(item, rulesPtr+"/"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		out.rules = append(out.rules, r)
	}
	return out, nil
}

func ruleFromJSON(item jsontext.Value, ptr string) (*Rule, error) {
	var obj map[string]jsontext.Value
	if item.Kind() != '{' {
		return nil, malformed(ptr, fmt.Errorf("want a rule object"))
	}
	if err := json.Unmarshal(item, &obj, jsontext.AllowDuplicateNames(true)); err != nil {
		return nil, malformed(ptr, err)
	}
	rawMatchers, ok := obj["matchers"]
	if !ok || rawMatchers.Kind() != '[' {
		return nil, malformed(ptr+"/matchers", fmt.Errorf("want a list of [key, pattern] pairs"))
	}
	var pairs []jsontext.Value
	if err := json.Unmarshal(rawMatchers, &pairs); err != nil {
		return nil, malformed(ptr+"/matchers", err)
	}
	ms := make([]Matcher, 0, len(pairs))
	for j, raw := range pairs {
		mptr := ptr + "/matchers/" + strconv.Itoa(j)
		var pair []string
		if raw.Kind() != '[' || json.Unmarshal(raw, &pair) != nil || len(pair) != 2 {
			return nil, malformed(mptr, fmt.Errorf("want a [key, pattern] pair of strings"))
		}
		key := pair[0]
		m := Matcher{Pattern: pair[1], Negated: strings.HasPrefix(key, "!")}
		key = strings.TrimLeft(key, "!")
		k, known := canonicalKey(key)
		if !known {
			return nil, &JSONError{Pointer: mptr, Err: unknownMatcher(key)}
		}
		m.Key = k
		ms = append(ms, m)
	}
	var fp []string
	if raw, ok := obj["fingerprint"]; !ok || raw.Kind() != '[' || json.Unmarshal(raw, &fp) != nil {
		return nil, malformed(ptr+"/fingerprint", fmt.Errorf("want a list of strings"))
	}
	attrs := map[string]string{}
	if raw, ok := obj["attributes"]; ok && raw.Kind() != 'n' {
		if raw.Kind() != '{' || json.Unmarshal(raw, &attrs) != nil {
			return nil, malformed(ptr+"/attributes", fmt.Errorf("want an object of strings"))
		}
	}
	return newRule(ms, fp, attrs, truthy(obj["is_builtin"])), nil
}

// truthy is Python's truth value of a JSON value.
func truthy(v jsontext.Value) bool {
	switch v.Kind() {
	case 't':
		return true
	case '0':
		var n float64
		return json.Unmarshal(v, &n) == nil && n != 0
	case '"':
		var s string
		return json.Unmarshal(v, &s) == nil && s != ""
	case '[', '{':
		var x []any
		var o map[string]any
		if v.Kind() == '[' {
			return json.Unmarshal(v, &x) == nil && len(x) > 0
		}
		return json.Unmarshal(v, &o) == nil && len(o) > 0
	}
	return false
}

func malformed(ptr string, err error) *JSONError {
	return &JSONError{Pointer: ptr, Err: fmt.Errorf("%w: %v", ErrMalformed, err)}
}
