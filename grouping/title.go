package grouping

import (
	"strings"
	"unicode/utf8"
)

// titleAndCulprit returns the title and culprit Sentry shows for the
// event's issue.
func (r *run) titleAndCulprit() (title, culprit string) {
	return r.issueTitle(), r.culprit()
}

// issueTitle is Sentry's event title: a fingerprinting rule's title;
// for an error, the main exception's type and the first line of its
// value; for anything else the first line of the message.
func (r *run) issueTitle() string {
	if r.title != "" {
		return r.title
	}
	e := r.ev
	if len(e.exceptions) == 0 {
		m := e.formatted
		if m == "" {
			m = e.message
		}
		if m = strings.TrimSpace(m); m == "" {
			return "<unlabeled event>"
		}
		return truncateChars(firstLine(m), 100)
	}
	x := e.exceptions[len(e.exceptions)-1]
	if r.mainException >= 0 {
		x = e.exceptions[r.mainException]
	}
	if x.mechanism != nil && x.mechanism.Synthetic != nil && *x.mechanism.Synthetic {
		// A synthetic exception's type says nothing; Sentry titles it by
		// the crashing function.
		if f := r.crashFrame(); f != nil && f.function != "" {
			return f.function
		}
		return "<unknown>"
	}
	t := x.typ
	if t == "" {
		t = "Error"
	}
	if x.value != "" {
		if l := firstLine(x.value); l != "" {
			t += ": " + truncateChars(l, 100)
		}
	}
	return t
}

// culprit is Sentry's get_culprit: the transaction, else the innermost
// in-app frame of the last stack trace (else its innermost frame), else
// nothing. A synthetic exception has no culprit.
func (r *run) culprit() string {
	e := r.ev
	if e.transaction != "" {
		return truncateChars(e.transaction, 200)
	}
	var st *stacktrace
	if n := len(e.exceptions); n > 0 {
		if m := e.exceptions[n-1].mechanism; m != nil && m.Synthetic != nil && *m.Synthetic {
			return ""
		}
		for _, x := range e.exceptions {
			if x.stacktrace != nil && len(x.stacktrace.frames) > 0 {
				st = x.stacktrace
			}
		}
	} else if e.stacktrace != nil && len(e.stacktrace.frames) > 0 {
		st = e.stacktrace
	}
	if st == nil {
		return ""
	}
	states := r.frames[st.index]
	fallback, haveFallback := "", false
	for i := len(st.frames) - 1; i >= 0; i-- {
		f := st.frames[i]
		if in := states[i].InApp; in != nil && *in {
			if c := frameCulprit(f, e.platform); c != "" {
				return truncateChars(c, 200)
			}
		} else if !haveFallback {
			fallback, haveFallback = frameCulprit(f, e.platform), true
		}
	}
	return truncateChars(fallback, 200)
}

func frameCulprit(f *frame, plat string) string {
	if f.platform != "" {
		plat = f.platform
	}
	fn := f.function
	if fn == "" {
		fn = "?"
	}
	switch plat {
	case "objc", "cocoa", "native":
		return fn
	}
	loc := f.module
	if loc == "" {
		loc = f.filename
	}
	switch {
	case loc == "":
		return ""
	case plat == "javascript" || plat == "node":
		return fn + "(" + loc + ")"
	}
	return loc + " in " + fn
}

// firstLine is the text before the first line break, as Python's
// splitlines()[0] finds it.
func firstLine(s string) string {
	for i, r := range s {
		switch r {
		case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			return s[:i]
		}
	}
	return s
}

// truncateChars is Sentry's truncatechars: at most n characters, the last
// three of them "..." when cut.
func truncateChars(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-3 {
			i = j
			break
		}
		count++
	}
	return s[:i] + "..."
}
