package glob

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The option sets Sentry's rules use.
var (
	// Stack trace rules (ophio): path and package, then everything else.
	stackPath  = Options{LiteralSeparator: true, Fold: FoldASCII, PathNormalize: true}
	stackOther = Options{}
	// Fingerprinting rules (Relay, always with allow_newline): path,
	// package and release; error.value, message and level; the rest.
	fpPath   = Options{LiteralSeparator: true, Fold: FoldPython, PathNormalize: true, DotNewline: true}
	fpIgnore = Options{Fold: FoldPython, DotNewline: true}
	fpNone   = Options{DotNewline: true}
)

// allOptions is every combination of options.
func allOptions() []Options {
	var all []Options
	for i := range 24 {
		all = append(all, optionsOf(uint8(i)))
	}
	return all
}

func optionsOf(i uint8) Options {
	return Options{
		LiteralSeparator: i&1 != 0,
		DotNewline:       i&2 != 0,
		PathNormalize:    i&4 != 0,
		Fold:             Fold(i>>3) % 3,
	}
}

func mustCompile(t testing.TB, pattern string, o Options) *Glob {
	t.Helper()
	g, err := Compile(pattern, o)
	require.NoError(t, err, pattern)
	return g
}

func TestTranslation(t *testing.T) {
	// The worked examples of the spec notes (grouping-rules.md §4) under
	// stack trace rule options; the first four are ophio's own cases.
	tests := []struct {
		pattern string
		opts    Options
		regex   string
		value   string // as matched: path-like values lowercased, '\' as '/'
		match   bool
	}{
		{"**/test.js", stackPath, `(?-u)(?i)^(?:/?|.*/)test\.js$`, "http://example.com/foo/test.js", true},
		{"/var/**/Frameworks/**", stackPath, `(?-u)(?i)^/var(?:/|/.*/)Frameworks/.*$`, "/var/containers/myapp/macos/myapp", false},
		{"/var/**/Frameworks/**", stackPath, `(?-u)(?i)^/var(?:/|/.*/)Frameworks/.*$`, "/var/containers/myapp/frameworks/libsomething", true},
		{"?:/Windows/**", stackPath, `(?-u)(?i)^[^/]:/Windows/.*$`, "d:/windows/system32/kernel32.dll", true},
		{`*::\{dtor\}`, stackOther, `(?-u)^.*::\{dtor\}$`, "abccore::classref::InterfaceRef<T>::{dtor}", true},
		{"?[[]KSCrash*", stackOther, `(?-u)^.[\[]KSCrash.*$`, "-[KSCrash install]", true},
		{"**.app/Contents/**", stackPath, `(?-u)(?i)^[^/]*[^/]*\.app/Contents/.*$`, "/applications/x.app/contents/macos/x", false},
		{"**.app/Contents/**", stackPath, `(?-u)(?i)^[^/]*[^/]*\.app/Contents/.*$`, "x.app/contents/macos/x", true},
		{"**https://unpkg.com/**", stackPath, `(?-u)(?i)^[^/]*[^/]*https://unpkg\.com/.*$`, "https://unpkg.com/react@18/umd/r.js", true},
		{"org-dartlang-sdk:///**", stackPath, `(?-u)(?i)^org\-dartlang\-sdk:///.*$`, "org-dartlang-sdk:///sdk/lib/x.dart", true},
		// More of globset's token rules.
		{"**", stackOther, `(?-u)^.*$`, "a/b", true},
		{"**", stackOther, `(?-u)^.*$`, "a\nb", false},
		{"**", fpNone, `(?-u)^.*$`, "a\nb", true},
		{"a/**", stackPath, `(?-u)(?i)^a/.*$`, "a/", true},
		{"a/**/**", stackPath, `(?-u)(?i)^a/.*$`, "a/b", true},
		{"**/**", stackPath, `(?-u)(?i)^.*$`, "x", true},
		{"a**b", stackOther, `(?-u)^a.*.*b$`, "axxb", true},
		{"{a,b}c", stackOther, `(?-u)^(?:b|a)c$`, "ac", true},
		{"x{,y}", stackOther, `(?-u)^x(?:y)$`, "x", false},
		{"x{}", stackOther, `(?-u)^x$`, "x", true},
		{"a,b", stackOther, `(?-u)^a,b$`, "a,b", true},
		{"{a/**,b}", stackPath, `(?-u)(?i)^(?:b|a/.*)$`, "a/x", true},
		{"[]]", stackOther, `(?-u)^[\]]$`, "]", true},
		{"[!a-c]", stackOther, `(?-u)^[^a-c]$`, "d", true},
		{"[a-]", stackOther, `(?-u)^[a\-]$`, "-", true},
		{"[é]", stackOther, `(?-u)^[\xc3\xa9]$`, "é", false}, // one byte of the two
		{"caf?", stackOther, `(?-u)^caf.$`, "café", false},
		{"*", stackOther, `(?-u)^.*$`, "line\nbreak", false},
		{"*", fpNone, `(?-u)^.*$`, "line\nbreak", true},
		{"*", stackPath, `(?-u)(?i)^[^/]*$`, "a/b", false},
		{"*", stackPath, `(?-u)(?i)^[^/]*$`, "a\nb", true}, // [^/] is a class
		{`a\*`, stackOther, `(?-u)^a\*$`, "a*", true},
		{`C:\Windows\*`, stackPath, `(?-u)(?i)^C:/Windows/[^/]*$`, "c:/windows/x", true},
		{"CAFÉ", fpIgnore, `(?-u)^caf\xc3\xa9$`, "café", true},
		{"}", stackOther, `(?-u)^$`, "", true},
		{"", stackOther, `(?-u)^$`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			re, err := RustRegex(tt.pattern, tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.regex, re)
			assert.Equal(t, tt.match, mustCompile(t, tt.pattern, tt.opts).Match(tt.value), "matcher")
			ref, err := CompileReference(tt.pattern, tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.match, ref.Match(tt.value), "reference %s", ref)
		})
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
			got, err := RustRegex(tt.pattern, Options{LiteralSeparator: tt.litSep})
			require.NoError(t, err)
			assert.Equal(t, "(?-u)"+tt.want, got)
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		pattern string
		err     error
	}{
		{"[", ErrUnclosedClass},
		{"[a", ErrUnclosedClass},
		{"[]", ErrUnclosedClass},
		{"[!", ErrUnclosedClass},
		{"[!]", ErrUnclosedClass},
		{"[z-a]", ErrInvalidRange},
		{"[z--]", ErrInvalidRange},
		{"[a--]", ErrInvalidRange},
		{"{", ErrUnclosedAlternates},
		{"{a", ErrUnclosedAlternates},
		{"{a,{b}}", ErrNestedAlternates},
		{`a\`, ErrDanglingEscape},
	}
	for _, tt := range tests {
		for _, o := range []Options{stackOther, fpNone, fpIgnore} {
			g, err := Compile(tt.pattern, o)
			assert.ErrorIs(t, err, tt.err, tt.pattern)
			assert.Nil(t, g, tt.pattern)
			_, err = CompileReference(tt.pattern, o)
			assert.ErrorIs(t, err, tt.err, tt.pattern)
			_, err = RustRegex(tt.pattern, o)
			assert.ErrorIs(t, err, tt.err, tt.pattern)
		}
	}
	// Path normalization turns '\' into '/', so a trailing one is fine.
	_, err := Compile(`a\`, stackPath)
	assert.NoError(t, err)
	// Python lowercasing comes first: "[Z-a]" is a range, "[z-a]" is not.
	_, err = Compile("[Z-a]", stackPath)
	assert.NoError(t, err)
	_, err = Compile("[Z-a]", fpIgnore)
	assert.ErrorIs(t, err, ErrInvalidRange)
}

// TestMatch ports globset's matches!/nmatches! cases that apply to
// Relay's options, then Relay's own (relay-common glob.rs), then the
// behaviour Sentry's fingerprinting options add. Values are raw: the test
// puts them in Options.Value form.
func TestMatch(t *testing.T) {
	none, sep, ci := fpNone, Options{LiteralSeparator: true, DotNewline: true}, fpIgnore
	sepCI := Options{LiteralSeparator: true, Fold: FoldPython, DotNewline: true}
	tests := []struct {
		pattern, value string
		opts           Options
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
		{"**/*.py", "foo/hello.PY", sepCI, true},
		{"foo/**/*.py", `foo\hello\bar.PY`, sepCI, false},
		{"foo/**/*.py", `foo\hello\bar.PY`, fpPath, true},
		{`foo\**\*.py`, `foo\hello\bar.PY`, fpPath, true},
		{"foo*", "foo\nbar", none, true}, // Sentry always allows newlines
		{"1.18.[0-4].*", "1.18.4.2153-2aa83397b", none, true},
		{"*", "", none, true},
		{"", "", none, true},
		{"", "hello.py", none, false},
		{"*************************.py", strings.Repeat("x", 100_000) + ".PY", fpPath, true},
		{"*************************.js", strings.Repeat("x", 100_000) + ".PY", fpPath, false},

		// Sentry's options, byte semantics and Python lowercasing.
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
		{"**/foo.js", "http://example.com/foo/TEST.js", fpPath, false},
		{"**/test.js", "http://example.com/foo/TEST.js", fpPath, true},
		{"?:/Windows/**", `D:\Windows\System32\kernel32.dll`, fpPath, true},
		{"/var/**/Frameworks/**", "/var/containers/MyApp/MacOs/MyApp", fpPath, false},
		{"**.app/Contents/**", "/applications/x.app/contents/macos/x", fpPath, false},
		{"**.app/Contents/**", "x.app/contents/macos/x", fpPath, true},

		// Stack trace rule options: no newlines, ASCII folding only.
		{"foo*", "foo\nbar", stackOther, false},
		{"f?o", "f\no", stackOther, false},
		{"f[!x]o", "f\no", stackOther, true},
		{"**/Foo.JS", `C:\App\foo.js`, stackPath, true},
		{"CAFÉ", "café", stackPath, false},
		{"[A-C]x", "bX", stackPath, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.40s|%.40q|%v", tt.pattern, tt.value, tt.opts), func(t *testing.T) {
			assert.Equal(t, tt.want, mustCompile(t, tt.pattern, tt.opts).Match(tt.opts.Value(tt.value)))
		})
	}
}

func TestLiterals(t *testing.T) {
	tests := []struct {
		pattern                string
		opts                   Options
		exact                  bool
		prefix, needle, suffix string
	}{
		{"abc", stackOther, true, "abc", "", ""},
		{"", stackOther, true, "", "", ""},
		{`a\*`, stackOther, true, "a*", "", ""},
		{"/Usr/Lib/**", stackPath, false, "/usr/lib/", "", ""},
		{"ABC*", fpIgnore, false, "abc", "", ""},
		{"*abc", stackOther, false, "", "", "abc"},
		{"*a*bc*d", stackOther, false, "", "bc", "d"},
		{"{a,b}", stackOther, false, "", "", ""},
	}
	for _, tt := range tests {
		g := mustCompile(t, tt.pattern, tt.opts)
		lit, exact := g.Literal()
		assert.Equal(t, tt.exact, exact, tt.pattern)
		if exact {
			assert.Equal(t, tt.prefix, lit, tt.pattern)
		}
		prefix, needle, suffix := g.Literals()
		assert.Equal(t, []string{tt.prefix, tt.needle, tt.suffix}, []string{prefix, needle, suffix}, tt.pattern)
		assert.Equal(t, tt.opts, g.Options())
	}
}

// checker compiles pattern both ways and returns a function that
// compares the matcher with the reference on one raw value, and MatchPath
// with both tries of the reference; nil when the pattern does not compile
// (both ways).
func checker(t *testing.T, pattern string, o Options) func(value string) {
	g, err := Compile(pattern, o)
	ref, rerr := CompileReference(pattern, o)
	if err != nil || rerr != nil {
		if (err == nil) != (rerr == nil) {
			t.Fatalf("pattern %q (%+v): Compile says %v, CompileReference %v", pattern, o, err, rerr)
		}
		return nil
	}
	return func(value string) {
		v := o.Value(value)
		want := ref.Match(v)
		if got := g.Match(v); got != want {
			t.Fatalf("pattern %q (%+v) on %q: matcher says %v, reference %v (%s)", pattern, o, v, got, want, ref)
		}
		if !strings.HasPrefix(v, "/") {
			want = want || ref.Match("/"+v)
			if got := g.MatchPath(v, "/"+v); got != want {
				t.Fatalf("pattern %q (%+v) on %q or /%[3]q: matcher says %v, reference %v (%s)", pattern, o, v, got, want, ref)
			}
		}
	}
}

// TestShapes checks the matcher's shortcuts (literal, prefix, suffix,
// needle, directories) against the reference on the pattern shapes rules
// use most.
func TestShapes(t *testing.T) {
	shapes := []struct {
		pattern string
		opts    Options
		want    shape
	}{
		{"abc", stackOther, shapeExact},
		{"abc", stackPath, shapeExact},
		{"*", fpNone, shapeAny},
		{"**", fpIgnore, shapeAny},
		{"abc*", fpIgnore, shapePrefix},
		{"*abc", fpNone, shapeAnchored},
		{"a*bc", fpNone, shapeAnchored},
		{"*abc*", fpNone, shapeNeedle},
		{"x*abc*y", fpIgnore, shapeNeedle},
		{"**/abc", fpNone, shapeUnderDir},
		{"**/abc/**", fpIgnore, shapeDirInfix},
		{"**/ab*", fpNone, shapeDirInfix},
		{"a*b*c*d", fpNone, shapeGeneral},
		{"{a,b}*", fpNone, shapeGeneral},
		// Stars that stop at "/" or "\n" go to the general matcher.
		{"abc*", stackOther, shapeGeneral},
		{"**/abc/**", stackPath, shapeGeneral},
		{"*.js", fpPath, shapeGeneral},
	}
	for _, tt := range shapes {
		assert.Equal(t, tt.want, mustCompile(t, tt.pattern, tt.opts).shape, tt.pattern)
	}

	patterns := []string{"", "*", "abc", "abc*", "*abc", "**", "a/*", "*/a", "[*]", `\*`,
		"*abc*", "**/abc", "abc/**", "**/abc/**", "**/a/b", "a/b/**", "**/a/b/**", "*a/b*", "**/**", "/**", "**/",
		"ABC", "*Abc", "a*c", "*a*c*", "*a\nb*", "**/a\nb", "**/a\nb/**", "a\n*", "*/a/*", "x*abc*y", "*//*", "**/ab*", "**/a*c"}
	values := []string{"", "abc", "abcd", "xabc", "a/b", "x/a", "*", "a/", "ab\nc", "é",
		"/abc", "x/abc", "abc/", "abc/x", "x/abc/y", "xabc/y", "abcd/", "/abc/", "x/a/b", "a/b/c", "a/bc", "xa/b/c",
		"ABC", `x\abc`, "a\nb/c", "abc\n", "x\n/abc", "x/abc\n", "a\nb", "/a\nb", "x/a\nb/y", "xabcy", "x\nabcy", "//", "x//y"}
	for _, p := range patterns {
		for _, o := range allOptions() {
			if check := checker(t, p, o); check != nil {
				for _, v := range values {
					check(v)
				}
			}
		}
	}
}

func TestDifferential(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	patAlphabet := []string{"a", "b", "/", "*", "*", "?", "[", "]", "!", "-", "{", "}", ",", `\`, ".", "é", "A", "\n", "Σ"}
	valAlphabet := []string{"a", "b", "/", ".", "A", "é", "\n", "-", ",", "*", "\xc3", `\`, "Σ"}
	gen := func(alpha []string, n int) string {
		var b strings.Builder
		for range rng.Intn(n) {
			b.WriteString(alpha[rng.Intn(len(alpha))])
		}
		return b.String()
	}
	all := allOptions()
	for range 20000 {
		p := gen(patAlphabet, 9)
		var checks []func(string)
		for _, o := range []Options{all[rng.Intn(len(all))], stackOther, stackPath, fpPath} {
			if check := checker(t, p, o); check != nil {
				checks = append(checks, check)
			}
		}
		for range 5 {
			v := gen(valAlphabet, 10)
			for _, check := range checks {
				check(v)
			}
		}
	}
}

// FuzzMatch checks the matcher against the regular expression globset
// would build, on arbitrary patterns and values under every combination
// of options. (It lives here rather than in the module's fuzz package,
// which cannot import an internal package.)
func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"**/test.js", "/foo/test.js"},
		{"/var/**/Frameworks/**", "/var/a/frameworks/b"},
		{"?[[]KSCrash*", "-[KSCrash install]"},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{"{a,b}*{c/**,d}", "bxc/y"},
		{"[!é-ø]?", "\xc3\xa9x"},
		{`foo\**\*.py`, `foo\hello\bar.PY`},
		{"ΟΔΟΣ*", "οδος\nx"},
	} {
		for i := range uint8(24) {
			f.Add(s[0], s[1], i)
		}
	}
	f.Fuzz(func(t *testing.T, pattern, value string, opts uint8) {
		if len(pattern) > 64 || len(value) > 256 {
			return
		}
		if check := checker(t, pattern, optionsOf(opts%24)); check != nil {
			check(value)
		}
	})
}

func TestPathological(t *testing.T) {
	// Memoisation keeps many stars polynomial.
	for _, o := range []Options{stackOther, fpNone} {
		g := mustCompile(t, "*a*a*a*a*a*a*a*a*a*a*a*a*b", o)
		assert.False(t, g.Match(strings.Repeat("a", 2000)))
	}
	for _, o := range []Options{stackPath, fpPath} {
		g := mustCompile(t, "**/a/**/a/**/a/**/a/**/b", o)
		assert.False(t, g.Match(strings.Repeat("a/", 1000)))
	}
}

// BenchmarkMatch compares the matcher with the reference regexp on
// patterns of Sentry's built-in rules, each tried on realistic values.
func BenchmarkMatch(b *testing.B) {
	type pattern struct {
		p string
		o Options
	}
	patterns := []pattern{
		{"**/node_modules/**", stackPath}, {"/usr/lib/**", stackPath}, {"?:/Windows/**", stackPath},
		{"**/site-packages/**", stackPath}, {"*::{dtor}", stackOther}, {"std::*", stackOther},
		{"-[* *]", stackOther}, {"__pthread_start", stackOther}, {"org.springframework.*", stackOther},
		{"ChunkLoadError", fpNone}, {"Loading chunk * failed*", fpIgnore}, {"*hydrat*", fpIgnore},
		{"**/react-dom/**", fpPath}, {"sentry.javascript.*", fpNone}, {"*.js", fpPath},
	}
	values := []string{
		"/usr/local/lib/python3.11/site-packages/django/core/handlers/base.py",
		"http://localhost:3000/static/js/main.chunk.js",
		"std::panicking::try::do_call",
		"-[UIApplication sendEvent:]",
		"org.springframework.web.servlet.FrameworkServlet",
		"__pthread_start",
	}
	type compiled struct {
		g   *Glob
		ref *Reference
		vs  []string
	}
	var cs []compiled
	for _, p := range patterns {
		c := compiled{g: mustCompile(b, p.p, p.o)}
		var err error
		c.ref, err = CompileReference(p.p, p.o)
		require.NoError(b, err)
		for _, v := range values {
			c.vs = append(c.vs, p.o.Value(v))
		}
		cs = append(cs, c)
	}
	n := len(cs) * len(values)
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			for _, c := range cs {
				for _, v := range c.vs {
					c.g.Match(v)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/match")
	})
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			for _, c := range cs {
				for _, v := range c.vs {
					c.ref.Match(v)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/match")
	})
}
