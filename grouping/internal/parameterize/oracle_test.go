package parameterize

import (
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
	"github.com/stretchr/testify/require"
)

// The oracle runs Sentry's own pattern text with regexp2, a backtracking
// engine with the same leftmost-first, ordered-alternation semantics as
// Python's re. Two things need translating first:
//
//  1. Verbose mode. Sentry compiles with (?x); the text is pre-processed
//     here the way Python's parser reads it (unescaped whitespace and
//     "#" comments dropped outside character classes, kept inside), rather
//     than trusting .NET's IgnorePatternWhitespace to agree on classes.
//  2. The Unicode classes. regexp2 follows .NET: its \w adds combining marks
//     (Mn), connector punctuation (Pc) and ZWJ/ZWNJ and drops the
//     non-decimal numbers (Nl, No); its \s lacks \x1c-\x1f; \b follows its
//     \w. Python's \w is str.isalnum() or "_" (L* and N*), \s is
//     str.isspace(), \d is Nd. So \d, \w, \s, \S and \b are rewritten into
//     explicit classes that spell out Python's definitions, and the two
//     engines agree on every character, with one residue: both sides use
//     Go's Unicode tables (15.0) where CPython uses its own version, which
//     only matters for characters assigned in between.
//
// Python's "." (anything but "\n") is .NET's "." already.

// pyWord is Python's \w as a class body.
const pyWord = `\p{L}\p{N}_`

// pySpace is Python's \s (str.isspace) as a class body.
const pySpace = `\t\n\x0B\f\r\x1C-\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000`

// verbose strips what Python's verbose mode ignores.
func verbose(src string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			b.WriteByte(c)
			b.WriteByte(src[i+1])
			i++
		case inClass:
			b.WriteByte(c)
			if c == ']' {
				inClass = false
			}
		case c == '[':
			b.WriteByte(c)
			inClass = true
			// A "]" right after "[" or "[^" is a literal member.
			if i+1 < len(src) && src[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(src) && src[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.IndexByte(" \t\n\r\v\f", c) >= 0:
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// toDotNet rewrites a verbose-stripped Python pattern for regexp2.
func toDotNet(src string) string {
	boundary := `(?:(?<=[` + pyWord + `])(?![` + pyWord + `])|(?<![` + pyWord + `])(?=[` + pyWord + `]))`
	var b strings.Builder
	inClass := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\\' && i+1 < len(src) {
			e := src[i+1]
			i++
			switch {
			case e == 'd':
				b.WriteString(`\p{Nd}`)
			case e == 'w' && inClass:
				b.WriteString(pyWord)
			case e == 'w':
				b.WriteString(`[` + pyWord + `]`)
			case e == 's' && inClass:
				b.WriteString(pySpace)
			case e == 's':
				b.WriteString(`[` + pySpace + `]`)
			case e == 'S' && !inClass:
				b.WriteString(`[^` + pySpace + `]`)
			case e == 'b' && !inClass:
				b.WriteString(boundary)
			case e == 'W' || e == 'D' || e == 'B' || e == 'S':
				panic("toDotNet: unsupported escape \\" + string(e))
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			continue
		}
		switch {
		case inClass && c == ']':
			inClass = false
		case !inClass && c == '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(src) && src[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(src) && src[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
			continue
		case !inClass && strings.HasPrefix(src[i:], "(?P<"):
			b.WriteString("(?<")
			i += 3
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// combined builds Sentry's regex the way Parameterizer.__init__ does:
// "(?x)" + "|".join(lookbehind + "(?P<name>" + raw + ")").
func combined(set patternSet) string {
	parts := make([]string, len(set.patterns))
	for i, p := range set.patterns {
		prefix := ""
		if p.lookbehind != "" {
			prefix = "(?<=" + p.lookbehind + ")"
		}
		parts[i] = prefix + "(?P<" + p.name + ">" + verbose(p.source) + ")"
	}
	return strings.Join(parts, "|")
}

type oracle struct {
	re    *regexp2.Regexp
	names []string
}

func newOracle(t testing.TB, set patternSet) *oracle {
	re, err := regexp2.Compile(toDotNet(combined(set)), regexp2.None)
	require.NoError(t, err)
	re.MatchTimeout = time.Minute
	o := &oracle{re: re}
	for _, p := range set.patterns {
		o.names = append(o.names, p.name)
	}
	return o
}

var (
	oracleOnce sync.Once
	oracle2026 *oracle
)

func sharedOracle(t testing.TB) *oracle {
	oracleOnce.Do(func() { oracle2026 = newOracle(t, sentry2026) })
	require.NotNil(t, oracle2026)
	return oracle2026
}

// replace is Python's combined_regex.sub(lambda m: f"<{m.lastgroup}>", s).
// regexp2 works on runes, so s must be valid UTF-8 (the callers make it so).
func (o *oracle) replace(t testing.TB, s string) string {
	out, err := o.re.ReplaceFunc(s, func(m regexp2.Match) string {
		for _, name := range o.names {
			if g := m.GroupByName(name); g != nil && len(g.Captures) > 0 {
				return "<" + name + ">"
			}
		}
		t.Fatalf("oracle: no named group matched %q in %q", m.String(), s)
		return ""
	}, -1, -1)
	require.NoError(t, err)
	return out
}

// validUTF8 maps each invalid byte to U+FFFD, as a Python str decoded with
// errors="replace" would read it; both implementations see the same text.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}

func TestVerbose(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a b\tc\n", "abc"},
		{"a # comment ( [\nb", "ab"},
		{`[ #]x`, `[ #]x`},
		{`\ \#x`, `\ \#x`},
		{`[]# ]y`, `[]# ]y`},
		{`[^]# ]y`, `[^]# ]y`},
		{`[\]# ]y`, `[\]# ]y`},
		{"\\b(\\d+ms) | (\\d+)", `\b(\d+ms)|(\d+)`},
	} {
		require.Equal(t, tc.want, verbose(tc.in), "verbose(%q)", tc.in)
	}
}
