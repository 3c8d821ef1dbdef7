// Package enhancement implements Sentry's stack trace rules, which Sentry
// calls grouping enhancements: the rule language, its built-in rule sets,
// and the two places rules act on a stack trace.
//
// # Rules
//
// A rule is one line: matchers, then actions. A rule applies to every frame
// all of its matchers accept.
//
//	# comment
//	family:native package:/usr/lib/**      -app
//	stack.function:panic_handler           ^-group -group
//	[ function:main ] | function:run*      category=entry   # after a rule too
//	error.type:ZeroDivisionError function:calc* -group
//
// Matchers are key:pattern, with ! in front to negate. Frame keys are
// path (stack.abs_path: abs_path, else filename), package
// (stack.package), module (stack.module), function (stack.function),
// category (what an earlier rule's category= set), family (a comma list
// of native, javascript, other, all) and app (yes/true/1 or no/false/0;
// null counts as no). Exception keys, tested once per stack trace against
// the exception that owns it, are type (error.type), value (error.value)
// and mechanism (error.mechanism). `[ m ] |` in front tests the caller
// (the previous frame) and `| [ m ]` at the end the callee (the next
// frame); neither exists at the edges of the stack trace, where such a
// rule never matches, even negated.
//
// Patterns are globs, matched against the whole value: ? is one byte, *
// any run of bytes (not crossing '/' in path and package, not crossing a
// line break elsewhere), ** any directories when it stands for whole path
// segments (**/x, x/**, x/**/y), [a-z] and [!a-z] classes, {a,b}
// alternatives, and a backslash escapes the next character. Path and
// package compare case-insensitively, reading backslashes as slashes, and a
// path that does not start with '/' gets a second chance with one in
// front, so **/foo matches foo. A
// pattern holding spaces is quoted, "like this", and in quotes Python's
// backslash escapes apply.
//
// Matching is byte-wise, as in Sentry (which compiles globs with Rust's
// globset to byte regular expressions): ? and each class match one byte of
// the UTF-8 value, so they never match a whole non-ASCII character, and
// case folding covers ASCII letters only.
//
// Actions are +app/-app (mark in-app or not), +group/-group (let the
// frame count for grouping or not), both optionally prefixed by ^ (apply
// to the frames after this one, toward the crash) or v (the frames before
// it), and category=NAME, max-frames=N (group by at most the N innermost
// contributing frames) and min-frames=N (ignore the stack trace if fewer
// than N frames contribute).
//
// Only the space character separates tokens; a tab is an error, and so
// is a space around ':' or right inside [ ].
//
// # Running rules
//
// Sentry runs a rule set in two steps, and so does this package:
//
//  1. Classify, once per stack trace when the event is normalised, runs
//     the ±app and category= actions. Record each frame's client in_app
//     first (Classify does), then turn in_app values still null into false.
//  2. Assemble, once per stack trace and grouping variant ("app",
//     "system"), runs ±group, max-frames= and min-frames= over the frame
//     components the frame strategy built, and writes the hints Sentry shows
//     ("marked out of app by built-in stacktrace rule (...)", "non app
//     frame", ...).
//
// Parse compiles a project's rules, Base returns Sentry's built-in sets,
// and Extend puts a project's rules after a built-in set, as a grouping
// config does. Compiled rules are immutable and safe for concurrent use.
package enhancement
