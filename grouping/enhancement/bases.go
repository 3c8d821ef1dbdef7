package enhancement

import (
	_ "embed"
	"errors"
	"fmt"
	"sync"
)

// Sentry's built-in stack trace rules, embedded unchanged: these files are
// Sentry's rules, copied from getsentry/sentry, not ours. Grouping hashes
// depend on every rule in them, and on their order.
//
// bases/all-platforms@2023-01-11.txt is getsentry/sentry
// src/sentry/grouping/enhancer/enhancement-configs/all-platforms@2023-01-11.txt
// at commit 47c7f7e0317b74f86ce486484a3a345b4eb5c86b,
// md5 d0c7316eb95a9dd4b52e6edcb4d41e8a. Sentry froze it (it pins the hash
// of its rules) as the base of grouping config newstyle:2023-01-11.
//
//go:embed bases/all-platforms@2023-01-11.txt
var base20230111 string

// bases/all-platforms@2026-01-20.txt is getsentry/sentry
// src/sentry/grouping/enhancer/enhancement-configs/all-platforms@2026-01-20.txt
// at commit 44c1f33b24d8ad87fcd379ec07fa1c4d365d8f2c,
// md5 66e442f69f17d40cc21180aefea23922, the base of grouping config
// newstyle:2026-01-20. Sentry still edits this file; this is the newest
// version we read.
//
//go:embed bases/all-platforms@2026-01-20.txt
var base20260120 string

// ErrUnknownBase is returned by Base for an id it does not know.
var ErrUnknownBase = errors.New("unknown enhancement base")

type baseRules struct {
	text  string
	once  sync.Once
	rules *Rules
	err   error
}

var bases = map[string]*baseRules{
	"all-platforms:2023-01-11": {text: base20230111},
	"all-platforms:2026-01-20": {text: base20260120},
}

// baseAliases are older ids Sentry still resolves.
var baseAliases = map[string]string{
	"newstyle:2023-01-11": "all-platforms:2023-01-11",
}

// Base returns one of Sentry's built-in rule sets by id:
// "all-platforms:2023-01-11" (also under its former id
// "newstyle:2023-01-11") or "all-platforms:2026-01-20". Each is compiled
// once, on first use, and shared. Hints call these rules "built-in".
func Base(id string) (*Rules, error) {
	if to, ok := baseAliases[id]; ok {
		id = to
	}
	b, ok := bases[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownBase, id)
	}
	b.once.Do(func() {
		b.rules, b.err = parse(b.text, false)
	})
	return b.rules, b.err
}
