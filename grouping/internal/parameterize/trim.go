package parameterize

import "unicode/utf8"

// Trim keeps the first two non-blank lines (Python str.splitlines semantics, incl. \v \f \x1c-\x1e
// \x85 \u2028 \u2029), joined by "\n", and appends "..." when that differs from s (§9.1).
//
// This is the first half of Sentry's normalize_message_for_grouping: a
// multi-line message groups by its head, so stack dumps and payloads in
// the rest of the text do not split an issue. The comparison is with the
// whole input, so dropping only a trailing newline or a blank line also
// earns the "...", and a text with no non-blank line at all becomes "..."
// (the empty string stays empty). Kept lines are not stripped.
func Trim(s string) string {
	var kept [2]struct{ start, end int }
	n := 0
	for start := 0; start < len(s) && n < 2; {
		end, next := lineEnd(s, start)
		if !blank(s[start:end]) {
			kept[n].start, kept[n].end = start, end
			n++
		}
		start = next
	}
	var out string
	switch n {
	case 0:
		out = ""
	case 1:
		out = s[kept[0].start:kept[0].end]
	case 2:
		a, b := kept[0], kept[1]
		if a.start == 0 && b.end == len(s) && a.end+1 == b.start && s[a.end] == '\n' {
			return s
		}
		out = s[a.start:a.end] + "\n" + s[b.start:b.end]
	}
	if out == s {
		return s
	}
	return out + "..."
}

// lineEnd finds the end of the line that starts at i and the start of the
// next one, splitting where Python's str.splitlines does.
func lineEnd(s string, i int) (end, next int) {
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				return i, i + 2
			}
			return i, i + 1
		case c == '\n' || c == '\v' || c == '\f' || 0x1c <= c && c <= 0x1e:
			return i, i + 1
		case c < utf8.RuneSelf:
			i++
		default:
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == '\u0085' || r == '\u2028' || r == '\u2029' {
				return i, i + w
			}
			i += w
		}
	}
	return i, i
}

// blank reports whether Python's line.strip() would be empty: every
// character is whitespace by str.isspace.
func blank(line string) bool {
	for _, r := range line {
		if !isSpaceRune(r) {
			return false
		}
	}
	return true
}
