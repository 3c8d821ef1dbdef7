package parameterize

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// mutationAlphabet is what the generator splices into fragments: the
// characters the patterns care about (digits, both hex cases, separators,
// signs, quotes, "=", "@", markers like "x", "T", "Z", "ms"), whitespace
// Python counts and Go's unicode.IsSpace does not (\x1c), non-ASCII digits,
// letters and numbers that are \w but not \d (Ⅷ, ²), and a combining mark
// that is not \w in Python but is in .NET.
var mutationAlphabet = []string{
	"0", "1", "2", "3", "5", "6", "9", "a", "b", "f", "A", "F", "e", "g", "x", "X", "z",
	"T", "Z", "s", "m", "t", "_", ":", "::", ".", "-", "+", "=", "@", "/", "'", `"`,
	"(", ")", "%", "#", ",", " ", "  ", "\t", "\n", "\r\n", "\x1c", "\u3000", "\u2028",
	"é", "١", "٣", "²", "Ⅷ", "\u0301", "ǅ", "0x", "ms", "Jan", "Mon", "Monday", "GMT",
	"ffff", "fe80", "http://", "datetime", ".com", ".io", "19", "tx", "00-", "1-",
}

// fragments are the hand-picked inputs, used as seeds for generation.
func fragments() []string {
	var out []string
	for _, tc := range sentryCases {
		out = append(out, tc.in)
	}
	for _, tc := range edgeCases {
		out = append(out, tc.in)
	}
	return out
}

// mutate changes a few characters of s the way a fuzzer would, keeping
// most of its structure so near-misses of every pattern come up.
func mutate(rng *rand.Rand, s string) string {
	r := []rune(s)
	for range rng.IntN(4) {
		if len(r) == 0 {
			break
		}
		i := rng.IntN(len(r))
		ins := []rune(mutationAlphabet[rng.IntN(len(mutationAlphabet))])
		switch rng.IntN(4) {
		case 0: // replace
			r = append(r[:i], append(ins, r[i+1:]...)...)
		case 1: // insert
			r = append(r[:i], append(ins, r[i:]...)...)
		case 2: // delete
			r = append(r[:i], r[i+1:]...)
		case 3: // duplicate a character
			r = append(r[:i], append([]rune{r[i]}, r[i:]...)...)
		}
	}
	return string(r)
}

// generate builds n test strings from fragments, mutations and random
// runs of the alphabet, joined by separators that matter to boundaries.
func generate(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, 0x5e47))
	frags := fragments()
	seps := []string{"", " ", "=", "-", ".", ":", "_", "x", "é", "\n", ", "}
	out := make([]string, 0, n)
	for range n {
		parts := make([]string, 1+rng.IntN(4))
		for i := range parts {
			switch rng.IntN(5) {
			case 0:
				var b strings.Builder
				for range 1 + rng.IntN(10) {
					b.WriteString(mutationAlphabet[rng.IntN(len(mutationAlphabet))])
				}
				parts[i] = b.String()
			case 1:
				parts[i] = frags[rng.IntN(len(frags))]
			default:
				parts[i] = mutate(rng, frags[rng.IntN(len(frags))])
			}
		}
		out = append(out, strings.Join(parts, seps[rng.IntN(len(seps))]))
	}
	return out
}

// repetitive builds strings of repeated short units ("a.", "1:", "ab-",
// "=", "'"...), the shapes where a matcher's failure carries over to later
// starts and the scanner skips them.
func repetitive(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, 0x7e9))
	units := []string{"a", "b", "x", "Z", "1", "0", "9", "-", "_", ".", "@", "com", "io", "COM", "Com",
		"=", "'", `"`, "ms", "s", " ", "ab-", "a.", "1.", "1:", "::", "f", "e", "é", "٣", "x.com", "-1"}
	tails := []string{"", ".com", "@x.io", " 10ms", "=true", "'", "1.5s", "Z"}
	heads := []string{"", "x", "-", "@", "="}
	out := make([]string, 0, n)
	for range n {
		u := make([]string, 1+rng.IntN(4))
		for i := range u {
			u[i] = units[rng.IntN(len(units))]
		}
		var b strings.Builder
		b.WriteString(heads[rng.IntN(len(heads))])
		for range []int{1, 2, 5, 20, 40, 70}[rng.IntN(6)] * len(u) {
			b.WriteString(u[rng.IntN(len(u))])
		}
		b.WriteString(tails[rng.IntN(len(tails))])
		out = append(out, b.String())
	}
	return out
}

// TestDifferential holds the scanner to the regexp2 oracle on a generated
// corpus. Every difference is a bug in one of them; both were also checked
// against CPython's re running Sentry's pattern text on the same kind of
// corpus while they were written.
func TestDifferential(t *testing.T) {
	n := 20000
	if testing.Short() || raceEnabled {
		n = 2000
	}
	o := sharedOracle(t)
	fails := 0
	for _, s := range append(generate(1, n), repetitive(1, n/10)...) {
		s = validUTF8(s)
		if got, want := Parameterize(s), o.replace(t, s); got != want {
			t.Errorf("Parameterize(%q)\n got %q\nwant %q", s, got, want)
			if fails++; fails > 20 {
				t.FailNow()
			}
		}
	}
}

// TestPrefilter checks that the first-byte prefilter only ever skips
// positions where nothing can match: with every pattern tried at every
// position the output is the same.
func TestPrefilter(t *testing.T) {
	all := compile(sentry2026)
	for b := range all.ascii {
		for c := range all.ascii[b] {
			all.ascii[b][c] |= 1<<len(sentry2026.patterns) - 1
		}
		all.uniDigit[b] |= 1<<len(sentry2026.patterns) - 1
	}
	all.email = 0 // no "@" shortcut either
	for _, s := range append(fragments(), generate(2, 5000)...) {
		require.Equal(t, all.replace(s), Parameterize(s), "input %q", s)
	}
}

// TestNonDigitsStartNothing backs the prefilter's assumption that the only
// non-ASCII characters a pattern can start with are decimal digits.
func TestNonDigitsStartNothing(t *testing.T) {
	for _, r := range []rune{'é', 'ǅ', 'Ⅷ', '²', '\u0301', '\u3000', '\u2028', '€', '\ufffd', '\U0001F600'} {
		for id := range numScans {
			for b := range numBefore {
				require.False(t, canStart(id, r, b), "pattern %d at %q", id, r)
			}
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"\xff12", "\xff<int>"},
		{"12\xff", "<int>\xff"},
		{"\xe2\x82 0x1f \xc3", "\xe2\x82 <hex> \xc3"},
		{"a=\xfftrue", "a=\xfftrue"},
		{"=\"\xff\"", "=<quoted_str>"},
		{"http://\xff\xfe", "<url>"},
		{"\xf0\x9f\x98", "\xf0\x9f\x98"},
	} {
		require.Equal(t, tc.want, Parameterize(tc.in), "Parameterize(%q)", tc.in)
	}
}

func TestNoAllocation(t *testing.T) {
	for _, s := range []string{
		"",
		"A quick brown fox jumped over the lazy dog",
		"TypeError: Cannot read properties of undefined (reading 'map')",
		"SomeClass::someMethod() failed at Foo::bar with dead:beef",
		"user@ example . com -- Mon Tue déjà vu ١x",
	} {
		require.Equal(t, s, Parameterize(s))
		require.Zero(t, testing.AllocsPerRun(100, func() { Parameterize(s) }), "input %q", s)
	}
	require.Equal(t, 1.0, testing.AllocsPerRun(100, func() { Parameterize("error 42") }))
}

// TestTLDsMatchSource keeps the hostname matcher's TLD table in step with
// the pattern text it stands for.
func TestTLDsMatchSource(t *testing.T) {
	var src string
	for _, p := range sentry2026.patterns {
		if p.name == "hostname" {
			src = p.source
		}
	}
	lower := regexp.MustCompile(`\((com\|[a-z|]+)\)`).FindStringSubmatch(src)
	upper := regexp.MustCompile(`\((COM\|[A-Z|]+)\)`).FindStringSubmatch(src)
	require.Len(t, lower, 2)
	require.Len(t, upper, 2)
	require.Equal(t, strings.ToUpper(lower[1]), upper[1])
	names := strings.Split(lower[1], "|")
	require.Len(t, tlds, len(names))
	for _, n := range names {
		require.True(t, isTLD(n), n)
		require.True(t, isTLD(strings.ToUpper(n)), n)
		if len(n) > 1 {
			require.False(t, isTLD(strings.ToUpper(n[:1])+n[1:]), "mixed case %s", n)
		}
	}
}
