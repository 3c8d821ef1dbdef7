package fingerprint

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rustRegex renders tokens the way globset writes its regular expression,
// so that globset's own expectations can check the tokenizer.
func rustRegex(pattern string, litSep bool) (string, error) {
	toks, err := parseGlob(pattern)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("(?-u)^")
	if len(toks) == 1 && toks[0].kind == tRecursivePrefix {
		return "(?-u)^.*$", nil
	}
	writeRust(&b, toks, litSep)
	b.WriteByte('$')
	return b.String(), nil
}

func writeRust(b *strings.Builder, toks []globToken, litSep bool) {
	lit := func(c rune) {
		var buf [4]byte
		n := utf8.EncodeRune(buf[:], c)
		for _, x := range buf[:n] {
			switch {
			case x >= 0x80:
				fmt.Fprintf(b, `\x%02x`, x)
			case strings.IndexByte(`\.+*?()|[]{}^$#&-~`, x) >= 0:
				b.WriteByte('\\')
				b.WriteByte(x)
			default:
				b.WriteByte(x)
			}
		}
	}
	for _, t := range toks {
		switch t.kind {
		case tLiteral:
			lit(t.char)
		case tAny:
			b.WriteString(map[bool]string{true: "[^/]", false: "."}[litSep])
		case tZeroOrMore:
			b.WriteString(map[bool]string{true: "[^/]*", false: ".*"}[litSep])
		case tRecursivePrefix:
			b.WriteString("(?:/?|.*/)")
		case tRecursiveSuffix:
			b.WriteString("/.*")
		case tRecursiveZeroOrMore:
			b.WriteString("(?:/|/.*/)")
		case tClass:
			b.WriteByte('[')
			if t.negated {
				b.WriteByte('^')
			}
			for _, r := range t.ranges {
				lit(r[0])
				if r[0] != r[1] {
					b.WriteByte('-')
					lit(r[1])
				}
			}
			b.WriteByte(']')
		case tAlternates:
			var parts []string
			for _, alt := range t.alts {
				var ab strings.Builder
				writeRust(&ab, alt, litSep)
				if ab.Len() > 0 {
					parts = append(parts, ab.String())
				}
			}
			if len(parts) > 0 {
				b.WriteString("(?:" + strings.Join(parts, "|") + ")")
			}
		}
	}
}

// TestGlobsetRegex ports globset's toregex! cases (globset 0.4.16,
// crates/globset/src/glob.rs): the tokenizer must build what globset
// builds, quirks included.
func TestGlobsetRegex(t *testing.T) {
	tests := []struct {
		pattern, want string
		litSep        bool
	}{
		{"?", `^[^/]$`, true},
		{"*", `^[^/]*$`, true},
		{"a", "^a$", false},
		{"?", "^.$", false},
		{"*", "^.*$", false},
		{"a?", "^a.$", false},
		{"?a", "^.a$", false},
		{"a*", "^a.*$", false},
		{"*a", "^.*a$", false},
		{"[*]", `^[\*]$`, false},
		{"[+]", `^[\+]$`, false},
		{"+", `^\+$`, false},
		{"☃", `^\xe2\x98\x83$`, false},
		{"**", `^.*$`, false},
		{"**/", `^.*$`, false},
		{"**/*", `^(?:/?|.*/).*$`, false},
		{"**/**", `^.*$`, false},
		{"**/**/*", `^(?:/?|.*/).*$`, false},
		{"**/**/**", `^.*$`, false},
		{"**/**/**/*", `^(?:/?|.*/).*$`, false},
		{"a/**", `^a/.*$`, false},
		{"a/**/**", `^a/.*$`, false},
		{"a/**/**/**", `^a/.*$`, false},
		{"a/**/b", `^a(?:/|/.*/)b$`, false},
		{"a/**/**/b", `^a(?:/|/.*/)b$`, false},
		{"a/**/**/**/b", `^a(?:/|/.*/)b$`, false},
		{"**/b", `^(?:/?|.*/)b$`, false},
		{"**/**/b", `^(?:/?|.*/)b$`, false},
		{"**/**/**/b", `^(?:/?|.*/)b$`, false},
		{"a**", `^a.*.*$`, false},
		{"**a", `^.*.*a$`, false},
		{"a**b", `^a.*.*b$`, false},
		{"***", `^.*.*.*$`, false},
		{"/a**", `^/a.*.*$`, false},
		{"/**a", `^/.*.*a$`, false},
		{"/a**b", `^/a.*.*b$`, false},
		{"{a,b}", `^(?:b|a)$`, false},
		// Beyond globset's list: shapes Sentry's patterns use.
		{"**.app/Contents/**", `^[^/]*[^/]*\.app/Contents/.*$`, true},
		{"**https://unpkg.com/**", `^[^/]*[^/]*https://unpkg\.com/.*$`, true},
		{"?:/Windows/**", `^[^/]:/Windows/.*$`, true},
		{"org-dartlang-sdk:///**", `^org\-dartlang\-sdk://` + `/.*$`, true},
		{"[é]", `^[\xc3\xa9]$`, false},
		{"[a-é]", `^[a-\xc3\xa9]$`, false},
		{"a}b", `^ab$`, false},     // a stray "}" is an empty alternation
		{"{,a}", `^(?:a)$`, false}, // an empty alternative is dropped
		{"{}", `^$`, false},
		{`\*x`, `^\*x$`, false},
		{"{a\\,**}", `^(?:a/.*)$`, false}, // the escaped comma is dropped
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			got, err := rustRegex(tt.pattern, tt.litSep)
			require.NoError(t, err)
			assert.Equal(t, "(?-u)"+tt.want, got)
		})
	}
}

func TestGlobsetSyntaxErrors(t *testing.T) {
	tests := []struct {
		pattern string
		err     error
	}{
		{"[", errUnclosedClass},
		{"[]", errUnclosedClass},
		{"[!", errUnclosedClass},
		{"[!]", errUnclosedClass},
		{"[z-a]", errInvalidRange},
		{"[z--]", errInvalidRange},
		{"{", errUnclosedAlternates},
		{"{a,{b}}", errNestedAlternates},
		{`a\`, errDanglingEscape},
	}
	for _, tt := range tests {
		_, err := parseGlob(tt.pattern)
		assert.ErrorIs(t, err, tt.err, tt.pattern)
		assert.False(t, compileGlob(tt.pattern, 0).matchRaw(tt.pattern), "an invalid glob never matches")
	}
}

// TestGlobMatch ports globset's matches!/nmatches! cases that apply to
// Relay's options, then Relay's own (relay-common glob.rs), then the
// behaviour Sentry's flags add.
func TestGlobMatch(t *testing.T) {
	const (
		none = globFlags(0)
		sep  = globDoubleStar
		ci   = globIgnoreCase
	)
	tests := []struct {
		pattern, value string
		flags          globFlags
		want           bool
	}{
		{"a", "a", none, true},
		{"a*b", "a_b", none, true},
		{"a*b*c", "abc", none, true},
		{"a*b*c", "a_b_c", none, true},
		{"a*b*c", "a___b___c", none, true},
		{"abc*abc*abc", "abcabcabcabcabcabcabc", none, true},
		{"a*a*a*a*a*a*a*a*a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", none, true},
		{"a*b[xyz]c*d", "abxcdbxcddd", none, true},
		{"*.rs", ".rs", none, true},
		{"☃", "☃", none, true},
		{"some/**/needle.txt", "some/needle.txt", none, true},
		{"some/**/needle.txt", "some/one/needle.txt", none, true},
		{"some/**/needle.txt", "some/one/two/needle.txt", none, true},
		{"some/**/**/needle.txt", "some/needle.txt", none, true},
		{"**", "abcde", none, true},
		{"**", "", none, true},
		{"**", "/x/.asdf", none, true},
		{"**/test", "one/two/test", none, true},
		{"**/test", "test", none, true},
		{"/**/test", "/one/two/test", none, true},
		{"/**/test", "/test", none, true},
		{"**/.*", ".abc", none, true},
		{"**/.*", "abc/.abc", none, true},
		{"**/foo/bar", "foo/bar", none, true},
		{".*/**", ".abc/abc", none, true},
		{"test/**", "test/", none, true},
		{"test/**", "test/one/two", none, true},
		{"some/*/needle.txt", "some/one/needle.txt", none, true},
		{"a[0-9]b", "a0b", none, true},
		{"a[0-9]b", "a9b", none, true},
		{"a[!0-9]b", "a_b", none, true},
		{"[a-z123]", "1", none, true},
		{"[1a-z23]", "1", none, true},
		{"[abc-]", "-", none, true},
		{"[-abc]", "-", none, true},
		{"[-a-c]", "b", none, true},
		{"[a-c-]", "b", none, true},
		{"[-]", "-", none, true},
		{"a[^0-9]b", "a_b", none, true},
		{"*hello.txt", "hello.txt", none, true},
		{"*hello.txt", "some/path/to/hello.txt", none, true},
		{"*hello.txt", `some\path\to\hello.txt`, none, true},
		{"*some/path/to/hello.txt", "a/bigger/some/path/to/hello.txt", none, true},
		{"_[[]_[]]_[?]_[*]_!_", "_[_]_?_*_!_", none, true},
		{"aBcDeFg", "ABCDEFG", ci, true},
		{"aBcDeFg", "AbCdEfG", ci, true},
		{"a,b", "a,b", none, true},
		{",", ",", none, true},
		{"{a,b}", "a", none, true},
		{"{a,b}", "b", none, true},
		{"{**/src/**,foo}", "abc/src/bar", none, true},
		{"{**/src/**,foo}", "foo", none, true},
		{"{[}],foo}", "}", none, true},
		{"{foo}", "foo", none, true},
		{"{}", "", none, true},
		{"{,}", "", none, true},
		{"{*.foo,*.bar,*.wat}", "test.bar", none, true},
		{"foo{,.txt}", "foo.txt", none, true},
		{"foo{,.txt}", "foo", none, false},
		{"abc/def", "abc/def", sep, true},
		{"abc?def", "abc/def", sep, false},
		{"abc*def", "abc/def", sep, false},
		{"abc[/]def", "abc/def", sep, true},
		{`\[`, "[", none, true},
		{`\?`, "?", none, true},
		{`\*`, "*", none, true},
		{`\a`, "a", none, true},
		{"a*b*c", "abcd", none, false},
		{"some/**/needle.txt", "some/other/notthis.txt", none, false},
		{"/**/test", "test", none, false},
		{"/**/test", "/notthis", none, false},
		{"**/.*", "ab.c", none, false},
		{".*/**", "a.bc", none, false},
		{"a[!0-9]b", "a0b", none, false},
		{"[!-]", "-", none, false},
		{"*hello.txt", "hello.txt-and-then-some", none, false},
		{"*some/path/to/hello.txt", "some/other/path/to/hello.txt", none, false},
		{"a", "foo/a", none, false},
		{"./foo", "foo", none, false},
		{"**/foo", "foofoo", none, false},
		{"/*.c", "mozilla-sha1/sha1.c", none, false},
		{"*.c", "mozilla-sha1/sha1.c", sep, false},
		{"**/m4/ltoptions.m4", "csharp/src/packages/repositories.config", sep, false},
		{"[^-]", "-", none, false},
		{"some/*/needle.txt", "some/needle.txt", none, false},
		{"some/*/needle.txt", "some/one/two/needle.txt", sep, false},
		{".*/**", ".abc", none, false},
		{"foo/**", "foo", none, false},

		// Relay's cases.
		{"*.py", "hello.py", none, true},
		{"*.js", "hello.py", none, false},
		{"*.py", "foo/hello.py", none, true},
		{"*.py", "foo/hello.py", sep, false},
		{"**/*.py", "foo/hello.py", sep, true},
		{"**/*.py", "foo/hello.PY", sep, false},
		{"**/*.py", "foo/hello.PY", sep | ci, true},
		{"foo/**/*.py", `foo\hello\bar.PY`, sep | ci, false},
		{"foo/**/*.py", `foo\hello\bar.PY`, globPath, true},
		{`foo\**\*.py`, `foo\hello\bar.PY`, globPath, true},
		{"foo*", "foo\nbar", none, true}, // Sentry always allows newlines
		{"1.18.[0-4].*", "1.18.4.2153-2aa83397b", none, true},
		{"[", "hello.py", none, false},
		{"{", "hello.py", none, false},
		{"*", "", none, true},
		{"", "", none, true},
		{"", "hello.py", none, false},
		{"*************************.py", strings.Repeat("x", 100_000) + ".PY", globPath, true},
		{"*************************.js", strings.Repeat("x", 100_000) + ".PY", globPath, false},

		// Sentry's flags, byte semantics and Python lowercasing.
		{"?", "é", none, false}, // "?" is one byte, "é" two
		{"??", "é", none, true},
		{"[é]", "\xc3", none, true}, // a class holds bytes, not characters
		{"*é*", "café", none, true},
		{"CAFÉ", "café", ci, true}, // Python lowercases non-ASCII too
		{"İ*", "i\u0307x", ci, true},
		{"ΟΔΟΣ", "οδος", ci, true}, // final sigma
		{"οδοσ", "ΟΔΟΣ", ci, false},
		{"f?o", "f\no", none, true},
		{"f[!x]o", "f\no", sep, true},
		{"**/foo.js", "http://example.com/foo/TEST.js", globPath, false},
		{"**/test.js", "http://example.com/foo/TEST.js", globPath, true},
		{"?:/Windows/**", `D:\Windows\System32\kernel32.dll`, globPath, true},
		{"/var/**/Frameworks/**", "/var/containers/MyApp/MacOs/MyApp", globPath, false},
		{"**.app/Contents/**", "/applications/x.app/contents/macos/x", globPath, false},
		{"**.app/Contents/**", "x.app/contents/macos/x", globPath, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.40s|%.40q|%d", tt.pattern, tt.value, tt.flags), func(t *testing.T) {
			assert.Equal(t, tt.want, compileGlob(tt.pattern, tt.flags).matchRaw(tt.value))
		})
	}
}

// TestGlobFastPaths checks that the shapes matched without a regular
// expression agree with the regular expression.
func TestGlobFastPaths(t *testing.T) {
	patterns := []string{"", "*", "abc", "abc*", "*abc", "**", "a/*", "*/a", "[*]", "\\*",
		"*abc*", "**/abc", "abc/**", "**/abc/**", "**/a/b", "a/b/**", "**/a/b/**", "*a/b*", "**/**", "/**", "**/"}
	values := []string{"", "abc", "abcd", "xabc", "a/b", "x/a", "*", "a/", "ab\nc", "é",
		"/abc", "x/abc", "abc/", "abc/x", "x/abc/y", "xabc/y", "abcd/", "/abc/", "x/a/b", "a/b/c", "a/bc", "xa/b/c"}
	for _, p := range patterns {
		for _, flags := range []globFlags{0, globDoubleStar, globPath} {
			g := compileGlob(p, flags)
			toks, err := parseGlob(valueForm(p, flags))
			require.NoError(t, err)
			var b strings.Builder
			b.WriteString(`(?s)^`)
			if len(toks) == 1 && toks[0].kind == tRecursivePrefix {
				b.WriteString(`.*`) // globset's special case for "**"
			} else {
				writeTokens(&b, toks, flags&globDoubleStar != 0)
			}
			b.WriteByte('$')
			slow := compileGlobRegexp(t, b.String())
			for _, v := range values {
				assert.Equal(t, slow(valueForm(v, flags)), g.matchRaw(v), "%q %q %d", p, v, flags)
			}
		}
	}
}

func compileGlobRegexp(t *testing.T, expr string) func(string) bool {
	t.Helper()
	re, err := regexp.Compile(expr)
	require.NoError(t, err)
	return func(v string) bool { return re.MatchString(latin1(v)) }
}
