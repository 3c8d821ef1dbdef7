// Package fingerprint implements Sentry's server-side fingerprinting
// rules: the per-project rules, and Sentry's built-in ones, that replace
// an event's fingerprint before grouping, so that events Sentry would
// split apart share one issue (or the reverse).
//
// A rule pairs matchers with a fingerprint:
//
//	error.type:DatabaseUnavailable -> db-unavailable
//	stack.function:assert* app:yes -> assertion, {{ function }}
//	message:"*connection refused*" !logger:healthcheck.* -> connrefused
//
// The first rule whose matchers all hold wins; its fingerprint, variables
// still unresolved, becomes the event's. Parse reads this text syntax and
// ParseJSON the JSON form Sentry stores; Builtin returns Sentry's own
// rules, which come after a project's (see Chain).
//
// Everything here aims at Sentry's exact answers, because a grouping hash
// computed from a different match is a different issue. That means
// reproducing the accidents of Sentry's implementation too: its grammar
// (parsimonious, Python's unicode-escape decoding of quoted values), its
// string handling (Python's Unicode lowercasing and whitespace), and the
// glob engine Relay lends it (the Rust crate globset, matching bytes, not
// characters). The comments say where each rule of thumb comes from.
//
// Matchers test different parts of an event, and a rule holds only if,
// for each part it tests, some single entity satisfies all the matchers
// on that part: type: and value: must hold for one exception, function:,
// module:, path:, package: and app: for one frame. A part with nothing in
// it (no exceptions, no frames, neither logger nor level) fails its
// matchers, even negated ones.
//
// Resolving variables such as {{ function }} needs the whole event and is
// left to the caller; this package tells variables apart (Variable,
// IsDefaultVariable, KindOf) and expands title templates given a resolver
// (ExpandTemplate).
//
// Compiled rules are immutable and safe for concurrent use. Every pattern
// is compiled once, when the rules are parsed.
package fingerprint
