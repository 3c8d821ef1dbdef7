package enhancement

import (
	"fmt"
	"math/rand"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rustRegex renders a pattern as the regular expression globset 0.4.14
// builds for it (Rust syntax), the form Sentry's matcher runs.
func rustRegex(t testing.TB, pattern string, pathLike bool) string {
	if pathLike {
		pattern = strings.ReplaceAll(pattern, `\`, "/")
	}
	toks, err := globTokens(pattern)
	require.NoError(t, err)
	re := "(?-u)"
	if pathLike {
		re += "(?i)"
	}
	re += "^"
	if len(toks) == 1 && toks[0].kind == tokRecursivePrefix {
		return re + ".*$"
	}
	return re + rustTokens(toks, pathLike) + "$"
}

func rustEscape(r rune) string {
	var b strings.Builder
	var buf [4]byte
	for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
		switch {
		case c > 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		case strings.IndexByte(`\.+*?()|[]{}^$#&-~`, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func rustTokens(toks []token, pathLike bool) string {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tokLiteral:
			b.WriteString(rustEscape(t.r))
		case tokAny:
			b.WriteString(map[bool]string{true: "[^/]", false: "."}[pathLike])
		case tokZeroOrMore:
			b.WriteString(map[bool]string{true: "[^/]*", false: ".*"}[pathLike])
		case tokRecursivePrefix:
			b.WriteString("(?:/?|.*/)")
		case tokRecursiveSuffix:
			b.WriteString("/.*")
		case tokRecursiveZeroOrMore:
			b.WriteString("(?:/|/.*/)")
		case tokClass:
			b.WriteByte('[')
			if t.negated {
				b.WriteByte('^')
			}
			for _, r := range t.ranges {
				b.WriteString(rustEscape(r[0]))
				if r[0] != r[1] {
					b.WriteString("-" + rustEscape(r[1]))
				}
			}
			b.WriteByte(']')
		case tokAlternates:
			var parts []string
			for _, a := range t.alts {
				if s := rustTokens(a, pathLike); s != "" {
					parts = append(parts, s)
				}
			}
			if len(parts) > 0 {
				b.WriteString("(?:" + strings.Join(parts, "|") + ")")
			}
		}
	}
	return b.String()
}

// refRegexp is the same regular expression for Go's regexp package, over
// "latin-1 text": every byte of the value becomes the rune of the same
// number (see latin1), which makes Go's rune-wise matching byte-wise. Case
// folding is spelled out for ASCII letters, since Go's (?i) would also fold
// some Latin-1 letters.
func refRegexp(t testing.TB, pattern string, pathLike bool) *regexp.Regexp {
	if pathLike {
		pattern = strings.ReplaceAll(pattern, `\`, "/")
	}
	toks, err := globTokens(pattern)
	require.NoError(t, err)
	body := ".*"
	if !(len(toks) == 1 && toks[0].kind == tokRecursivePrefix) {
		body = refTokens(toks, pathLike)
	}
	return regexp.MustCompile("^" + body + "$")
}

func refByte(c byte, fold bool) string {
	if fold && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return fmt.Sprintf(`[\x{%02x}\x{%02x}]`, c|0x20, c&^0x20)
	}
	return fmt.Sprintf(`\x{%02x}`, c)
}

func refTokens(toks []token, fold bool) string {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tokLiteral:
			for _, c := range []byte(string(t.r)) {
				b.WriteString(refByte(c, fold))
			}
		case tokAny:
			b.WriteString(map[bool]string{true: `[^/]`, false: "."}[fold])
		case tokZeroOrMore:
			b.WriteString(map[bool]string{true: `[^/]*`, false: ".*"}[fold])
		case tokRecursivePrefix:
			b.WriteString("(?:/?|.*/)")
		case tokRecursiveSuffix:
			b.WriteString("/.*")
		case tokRecursiveZeroOrMore:
			b.WriteString("(?:/|/.*/)")
		case tokClass:
			// The class items globset writes: each character as its bytes,
			// a range joining the last byte of one end to the first of the
			// other.
			type span struct{ lo, hi byte }
			var items []span
			for _, r := range t.ranges {
				lo, hi := []byte(string(r[0])), []byte(string(r[1]))
				if r[0] == r[1] {
					for _, c := range lo {
						items = append(items, span{c, c})
					}
					continue
				}
				for _, c := range lo[:len(lo)-1] {
					items = append(items, span{c, c})
				}
				items = append(items, span{lo[len(lo)-1], hi[0]})
				for _, c := range hi[1:] {
					items = append(items, span{c, c})
				}
			}
			if fold {
				for _, it := range items {
					for c := int(it.lo); c <= int(it.hi); c++ {
						if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
							items = append(items, span{byte(c) ^ 0x20, byte(c) ^ 0x20})
						}
					}
				}
			}
			b.WriteByte('[')
			if t.negated {
				b.WriteByte('^')
			}
			for _, it := range items {
				fmt.Fprintf(&b, `\x{%02x}-\x{%02x}`, it.lo, it.hi)
			}
			b.WriteByte(']')
		case tokAlternates:
			var parts []string
			for _, a := range t.alts {
				if s := refTokens(a, fold); s != "" {
					parts = append(parts, s)
				}
			}
			if len(parts) > 0 {
				b.WriteString("(?:" + strings.Join(parts, "|") + ")")
			}
		}
	}
	return b.String()
}

func latin1(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

func TestGlobTranslation(t *testing.T) {
	// The worked examples of the spec notes (grouping-rules.md §4); the
	// first four are ophio's own test cases.
	tests := []struct {
		pattern  string
		pathLike bool
		regex    string
		value    string // as matched: path-like values lowercased, '\' as '/'
		match    bool
	}{
		{"**/test.js", true, `(?-u)(?i)^(?:/?|.*/)test\.js$`, "http://example.com/foo/test.js", true},
		{"/var/**/Frameworks/**", true, `(?-u)(?i)^/var(?:/|/.*/)Frameworks/.*$`, "/var/containers/myapp/macos/myapp", false},
		{"/var/**/Frameworks/**", true, `(?-u)(?i)^/var(?:/|/.*/)Frameworks/.*$`, "/var/containers/myapp/frameworks/libsomething", true},
		{"?:/Windows/**", true, `(?-u)(?i)^[^/]:/Windows/.*$`, "d:/windows/system32/kernel32.dll", true},
		{`*::\{dtor\}`, false, `(?-u)^.*::\{dtor\}$`, "abccore::classref::InterfaceRef<T>::{dtor}", true},
		{"?[[]KSCrash*", false, `(?-u)^.[\[]KSCrash.*$`, "-[KSCrash install]", true},
		{"**.app/Contents/**", true, `(?-u)(?i)^[^/]*[^/]*\.app/Contents/.*$`, "/applications/x.app/contents/macos/x", false},
		{"**.app/Contents/**", true, `(?-u)(?i)^[^/]*[^/]*\.app/Contents/.*$`, "x.app/contents/macos/x", true},
		{"**https://unpkg.com/**", true, `(?-u)(?i)^[^/]*[^/]*https://unpkg\.com/.*$`, "https://unpkg.com/react@18/umd/r.js", true},
		{"org-dartlang-sdk:///**", true, `(?-u)(?i)^org\-dartlang\-sdk:///.*$`, "org-dartlang-sdk:///sdk/lib/x.dart", true},
		// More of globset's token rules.
		{"**", false, `(?-u)^.*$`, "a/b", true},
		{"**", false, `(?-u)^.*$`, "a\nb", false},
		{"a/**", true, `(?-u)(?i)^a/.*$`, "a/", true},
		{"a/**/**", true, `(?-u)(?i)^a/.*$`, "a/b", true},
		{"**/**", true, `(?-u)(?i)^.*$`, "x", true},
		{"a**b", false, `(?-u)^a.*.*b$`, "axxb", true},
		{"{a,b}c", false, `(?-u)^(?:b|a)c$`, "ac", true},
		{"x{,y}", false, `(?-u)^x(?:y)$`, "x", false},
		{"x{}", false, `(?-u)^x$`, "x", true},
		{"a,b", false, `(?-u)^a,b$`, "a,b", true},
		{"{a/**,b}", true, `(?-u)(?i)^(?:b|a/.*)$`, "a/x", true},
		{"[]]", false, `(?-u)^[\]]$`, "]", true},
		{"[!a-c]", false, `(?-u)^[^a-c]$`, "d", true},
		{"[a-]", false, `(?-u)^[a\-]$`, "-", true},
		{"[é]", false, `(?-u)^[\xc3\xa9]$`, "é", false}, // one byte of the two
		{"caf?", false, `(?-u)^caf.$`, "café", false},
		{"*", false, `(?-u)^.*$`, "line\nbreak", false},
		{"*", true, `(?-u)(?i)^[^/]*$`, "a/b", false},
		{`a\*`, false, `(?-u)^a\*$`, "a*", true},
		{`C:\Windows\*`, true, `(?-u)(?i)^C:/Windows/[^/]*$`, "c:/windows/x", true},
		{"}", false, `(?-u)^$`, "", true},
		{"", false, `(?-u)^$`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			assert.Equal(t, tt.regex, rustRegex(t, tt.pattern, tt.pathLike))
			g, err := compileGlob(tt.pattern, tt.pathLike)
			require.NoError(t, err)
			assert.Equal(t, tt.match, g.match(tt.value), "hand-written matcher")
			assert.Equal(t, tt.match, refRegexp(t, tt.pattern, tt.pathLike).MatchString(latin1(tt.value)), "regexp")
		})
	}
}

func TestGlobErrors(t *testing.T) {
	for _, p := range []string{"[", "[a", "[]", "[!]", "{a", "{a,{b}}", `a\`, "[z-a]", "[a--]"} {
		_, err := compileGlob(p, false)
		assert.Error(t, err, p)
	}
	// Path-like patterns turn '\' into '/', so a trailing one is fine.
	_, err := compileGlob(`a\`, true)
	assert.NoError(t, err)
}

// checkGlob compares the hand-written matcher with the regular expression
// on one pattern and value.
func checkGlob(t *testing.T, pattern, value string, pathLike bool) {
	g, err := compileGlob(pattern, pathLike)
	if err != nil {
		return
	}
	if pathLike {
		value = asciiLower(value)
	}
	re := refRegexp(t, pattern, pathLike)
	want := re.MatchString(latin1(value))
	if got := g.match(value); got != want {
		t.Fatalf("pattern %q (path-like %v) on %q: matcher says %v, regexp %v", pattern, pathLike, value, got, want)
	}
	if pathLike && !strings.HasPrefix(value, "/") {
		// Sentry's second try with a leading slash.
		want = want || re.MatchString(latin1("/"+value))
		if got := g.matchPath(value, "/"+value); got != want {
			t.Fatalf("pattern %q on %q or /%[2]q: matcher says %v, regexp %v", pattern, value, got, want)
		}
	}
}

func TestGlobDifferential(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	patAlphabet := []string{"a", "b", "/", "*", "*", "?", "[", "]", "!", "-", "{", "}", ",", `\`, ".", "é", "A", "\n"}
	valAlphabet := []string{"a", "b", "/", ".", "A", "é", "\n", "-", ",", "*", "\xc3"}
	gen := func(alpha []string, n int) string {
		var b strings.Builder
		for range rng.Intn(n) {
			b.WriteString(alpha[rng.Intn(len(alpha))])
		}
		return b.String()
	}
	for range 20000 {
		p := gen(patAlphabet, 9)
		for range 5 {
			v := gen(valAlphabet, 10)
			checkGlob(t, p, v, false)
			checkGlob(t, p, v, true)
		}
	}
}

// FuzzGlobMatch checks the hand-written matcher against the regular
// expression globset would build, on arbitrary patterns and values.
func FuzzGlobMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"**/test.js", "/foo/test.js"},
		{"/var/**/Frameworks/**", "/var/a/frameworks/b"},
		{"?[[]KSCrash*", "-[KSCrash install]"},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{"{a,b}*{c/**,d}", "bxc/y"},
		{"[!é-ø]?", "\xc3\xa9x"},
	} {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, pattern, value string, pathLike bool) {
		if len(pattern) > 64 || len(value) > 256 {
			return
		}
		checkGlob(t, pattern, value, pathLike)
	})
}

func TestGlobPathological(t *testing.T) {
	// Memoisation keeps many stars polynomial.
	g, err := compileGlob("*a*a*a*a*a*a*a*a*a*a*a*a*b", false)
	require.NoError(t, err)
	assert.False(t, g.match(strings.Repeat("a", 2000)))
	g, err = compileGlob("**/a/**/a/**/a/**/a/**/b", true)
	require.NoError(t, err)
	assert.False(t, g.match(strings.Repeat("a/", 1000)))
}

// BenchmarkGlob compares the hand-written matcher with Go's regexp on the
// patterns of a built-in rule file, each tried on realistic values.
func BenchmarkGlob(b *testing.B) {
	base, err := Base("all-platforms:2026-01-20")
	require.NoError(b, err)
	type pv struct {
		g  *glob
		re *regexp.Regexp
	}
	var globs []pv
	for _, r := range append(append([]*rule{}, base.all(classifierOf)...), base.all(contributesOf)...) {
		for _, m := range r.frame {
			if m.kind == fmField {
				pat := patternOf(r, m)
				globs = append(globs, pv{m.g, refRegexp(b, pat, m.g.pathLike)})
			}
		}
	}
	values := []string{
		"/usr/local/lib/python3.11/site-packages/django/core/handlers/base.py",
		"http://localhost:3000/static/js/main.chunk.js",
		"std::panicking::try::do_call",
		"-[UIApplication sendEvent:]",
		"org.springframework.web.servlet.FrameworkServlet",
		"__pthread_start",
	}
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			for _, g := range globs {
				for _, v := range values {
					g.g.match(v)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(globs)*len(values)), "ns/match")
	})
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			for _, g := range globs {
				for _, v := range values {
					g.re.MatchString(v)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(globs)*len(values)), "ns/match")
	})
}

// patternOf recovers a matcher's pattern from the rule's display text.
func patternOf(r *rule, m frameMatcher) string {
	name := fieldNames[m.field] + ":"
	for _, part := range strings.Split(r.display, " ") {
		part = strings.TrimPrefix(strings.TrimPrefix(part, "["), "!")
		if p, ok := strings.CutPrefix(part, name); ok {
			return p
		}
	}
	return ""
}
