// Package grouping computes the group hashes Sentry's server computes for
// an error event, hash for hash, so that events sent to a host built on
// this module group into the same issues they would in Sentry.
//
// Sentry groups an event by the first of its interfaces that says
// something: the exception (its type, and its stack trace or else its
// value), a thread's stack trace, a top-level stack trace, a template, a
// security report, or else the message. Each becomes a tree of
// components (see Component); Sentry hashes the values of the branches
// that contribute, with md5, in up to three variants: "app", from the
// frames in the app only; "system", from every frame; and "default", for
// the message and other interfaces without frames. A fingerprint sent by
// the SDK, or set by a server-side fingerprinting rule, replaces the
// variants ("custom_client_fingerprint", "custom_server_fingerprint",
// "built_in_fingerprint") or salts them ({{ default }} among other
// entries), a checksum overrides everything, and an event from which
// nothing can be hashed falls back to the md5 of nothing ("fallback").
//
// What is in the app and what counts is decided by stack trace rules (see
// package enhancement): Sentry's base rules for the config, then the
// project's own. Messages and exception values lose what changes from one
// event to the next (numbers, ids, dates, URLs) before they are hashed.
//
// A Config is compiled once and groups events concurrently:
//
//	cfg, err := grouping.NewConfig(grouping.Newstyle2026)
//	...
//	ev, err := protocol.DecodeEvent(payload)
//	...
//	res := cfg.Group(ev)
//	// res.Hashes[0] is the hash a new issue is created under.
//
// Two configs are in use: Newstyle2026 for new projects and Newstyle2023
// for existing ones. GroupAll computes both for one event with one
// normalization, as a host migrating a project between them needs.
//
// The event is read, never modified: the part of Relay's normalization
// that Sentry applies before grouping (the exception type split out of
// its value, filenames derived from absolute paths and URLs, log
// messages formatted from their parameters, trimmed native function
// names) is applied to a private copy.
//
// Result.WriteExplain prints a result the way Sentry's own grouping tests
// record theirs, which is the quickest way to see why two events do or do
// not group together.
package grouping
