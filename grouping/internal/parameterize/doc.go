// Package parameterize reproduces how Sentry strips event-specific values
// from messages before it hashes them for grouping.
//
// Two log lines such as "user 4711 not found" and "user 815 not found"
// describe one problem, so Sentry hashes both as "user <int> not found".
// It does this with one large Python regular expression: seventeen named
// patterns (email, url, hostname, ip, traceparent, uuid, sha1, md5, date,
// duration, swift_txn_id, hex, git_sha, float, int, quoted_str, bool) joined
// in a fixed order, each match replaced by "<name>". Exception values and
// log messages are first cut to their first two non-blank lines.
//
// A group hash is only useful if it equals the one Sentry's server
// computes, so this package matches the Python behaviour exactly, including
// its quirks: the first pattern in the list wins at a position even when a
// later one would match more, word boundaries and digits follow Python's
// Unicode rules, and some patterns deliberately start in the middle of a
// word. Instead of a regular expression engine it uses one hand-written
// matcher per pattern behind a first-byte prefilter, which is many times
// faster and does not allocate for text without anything to replace. The
// tests hold every matcher to Sentry's pattern text run by a backtracking
// engine.
//
// The pattern list is versioned data (Sentry changes it every few months
// and applies the change to all grouping configs); the current set is the
// one of spring 2026.
package parameterize
