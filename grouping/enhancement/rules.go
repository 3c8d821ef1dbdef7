package enhancement

import (
	"errors"
	"strings"
)

// Rules is a compiled, immutable list of stack trace rules, safe for
// concurrent use.
//
// Sentry splits every rule into two halves and runs them at different
// times: the classifier half (±app and category=) when the event is
// normalised, see Classify, and the contributes half (±group, max-frames=,
// min-frames=) when each grouping variant is built, see Assemble. Rules
// keeps both lists, in rule order.
type Rules struct {
	// sets holds the compiled rules in order: one set per Parse or Base,
	// so that Extend only concatenates.
	sets   []*ruleSet
	custom map[string]struct{}
	texts  []string
}

// A ruleSet is the compiled, indexed form of one rule text.
type ruleSet struct {
	classifier  ruleList // halves with ±app or category=
	contributes ruleList // halves with ±group, max-frames= or min-frames=
	inAppHints  ruleList // the classifier halves with ±app, rerun for hints
}

// Parse compiles rule text in Sentry's grammar, as a project's custom
// stack trace rules. Errors are *SyntaxError.
//
// The rules behave as Sentry runs a project's rules: after the rule text
// is accepted, Sentry stores each rule in a compact form and matches with
// what it reads back, which drops `other` from family lists and turns app
// values into 1 or 0 (case-insensitively, so app:YES works here although
// it would not in a built-in file). Hints label these rules "custom".
//
// Parsing builds matchers and an index; do it once per rule text (say, per
// project configuration) and share the result.
func Parse(text string) (*Rules, error) {
	return parse(text, true)
}

func parse(text string, custom bool) (*Rules, error) {
	src, err := parseSource(text)
	if err != nil {
		return nil, err
	}
	rs := &Rules{}
	if custom {
		rs.custom = map[string]struct{}{}
	}
	// Sentry compiles all classifier halves, then all contributes halves,
	// each by writing them out and parsing them again; errors surface in
	// that order.
	type half struct {
		src  srcRule
		acts []srcAction
	}
	var halves [2][]half
	var clsRules, conRules, hintRules []*rule
	for _, sr := range src {
		var cls, con []srcAction
		for _, a := range sr.actions {
			if a.classifier() {
				cls = append(cls, a)
			} else {
				con = append(con, a)
			}
		}
		if len(cls) > 0 {
			halves[0] = append(halves[0], half{sr, cls})
		}
		if len(con) > 0 {
			halves[1] = append(halves[1], half{sr, con})
		}
		rs.texts = append(rs.texts, canonicalText(sr.matchers, sr.actions))
	}
	for k, list := range halves {
		for _, h := range list {
			compiled, err := compileHalf(h.src.matchers, h.acts, custom, rs.custom)
			if err != nil {
				var d *detailError
				if !errors.As(err, &d) {
					err = detail(ErrSyntax, "%v", err)
				}
				return nil, syntaxErrorAt(text, h.src.pos, err, errors.Is(err, ErrSyntax))
			}
			for _, r := range compiled {
				if k == 0 {
					clsRules = append(clsRules, r)
					if r.hasApp {
						hintRules = append(hintRules, r)
					}
				} else {
					conRules = append(conRules, r)
				}
			}
		}
	}
	rs.sets = []*ruleSet{{
		classifier:  newRuleList(clsRules),
		contributes: newRuleList(conRules),
		inAppHints:  newRuleList(hintRules),
	}}
	return rs, nil
}

// compileHalf turns one half of a source rule into what Sentry runs.
// Its canonical text must get through the second parser in every case;
// built-in rules then run as that parser read them, custom rules as read
// back from the stored form.
func compileHalf(ms []srcMatcher, acts []srcAction, custom bool, customTexts map[string]struct{}) ([]*rule, error) {
	text := canonicalText(ms, acts)
	parsed, err := parseRustText(text)
	if err != nil {
		return nil, err
	}
	if !custom {
		var out []*rule
		for _, rr := range parsed {
			r, err := compileRustRule(rr)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, nil
	}
	for _, rr := range parsed { // validation only
		if _, err := compileRustRule(rr); err != nil {
			return nil, err
		}
	}
	rr, back := encodedForm(ms, acts)
	r, err := compileRustRule(rr)
	if err != nil {
		return nil, err
	}
	customTexts[back] = struct{}{}
	return []*rule{r}, nil
}

// Extend returns base's rules followed by custom's, which is how Sentry
// combines a grouping config's built-in rules with a project's. Hints call
// the rules that came from custom "custom" and all others "built-in".
// Either may be nil.
func Extend(base, custom *Rules) *Rules {
	rs := &Rules{custom: map[string]struct{}{}}
	for _, part := range []*Rules{base, custom} {
		if part == nil {
			continue
		}
		rs.sets = append(rs.sets, part.sets...)
		rs.texts = append(rs.texts, part.texts...)
	}
	if custom != nil {
		for t := range custom.custom {
			rs.custom[t] = struct{}{}
		}
	}
	return rs
}

// Len returns the number of rules, counting a rule Sentry splits in two
// once.
func (r *Rules) Len() int {
	if r == nil {
		return 0
	}
	return len(r.texts)
}

// String returns the rules in Sentry's canonical text, one per line: the
// form Sentry stores and compares, with canonical matcher keys and single
// spaces.
func (r *Rules) String() string {
	if r == nil {
		return ""
	}
	return strings.Join(r.texts, "\n")
}
