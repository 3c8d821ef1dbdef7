package glob

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// This file translates patterns into regular expressions: RustRegex into
// the text globset emits, Reference into the same expression for Go's
// regexp. They are the oracle the matcher is tested against, not a second
// way to match in production: the matcher is much faster.

// RustRegex returns the regular expression globset writes for pattern
// under o, in Rust syntax: "(?-u)", "(?i)" when o.Fold is FoldASCII, then
// "^...$". o.DotNewline is not part of the text (Relay passes it to the
// regex builder), and FoldPython and PathNormalize act on the pattern
// before globset sees it.
func RustRegex(pattern string, o Options) (string, error) {
	toks, err := parse(o.pattern(pattern))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("(?-u)")
	if o.Fold == FoldASCII {
		b.WriteString("(?i)")
	}
	b.WriteByte('^')
	if isRecursiveOnly(toks) {
		b.WriteString(".*")
	} else {
		writeRust(&b, toks, o.LiteralSeparator)
	}
	b.WriteByte('$')
	return b.String(), nil
}

func writeRust(b *strings.Builder, toks []token, litSep bool) {
	lit := func(c rune) {
		var buf [utf8.UTFMax]byte
		for _, x := range buf[:utf8.EncodeRune(buf[:], c)] {
			switch {
			case x >= utf8.RuneSelf:
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
		case tokLiteral:
			lit(t.char)
		case tokAny:
			b.WriteString(map[bool]string{true: "[^/]", false: "."}[litSep])
		case tokZeroOrMore:
			b.WriteString(map[bool]string{true: "[^/]*", false: ".*"}[litSep])
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
				lit(r[0])
				if r[0] != r[1] {
					b.WriteByte('-')
					lit(r[1])
				}
			}
			b.WriteByte(']')
		case tokAlternates:
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

// A Reference is the regular expression globset builds for a pattern,
// compiled with Go's regexp so that it matches as regex::bytes does.
//
// regex::bytes works on bytes and Go's regexp on runes: a multi-byte
// character is one "." for Go but several for Rust, and globset writes a
// non-ASCII character in a class as its separate UTF-8 bytes. To agree
// byte for byte, the value is matched in a Latin-1 image where every byte
// is one rune (byte b becomes U+00bb), and the expression spells every
// byte as \x{bb} in that same image. ASCII case folding is spelled out as
// classes, since Go's (?i) would also fold some Latin-1 letters.
type Reference struct {
	re *regexp.Regexp
}

// CompileReference builds the reference expression for pattern under o.
func CompileReference(pattern string, o Options) (*Reference, error) {
	toks, err := parse(o.pattern(pattern))
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	if o.DotNewline {
		b.WriteString("(?s)")
	}
	b.WriteByte('^')
	if isRecursiveOnly(toks) {
		b.WriteString(".*")
	} else {
		writeGo(&b, toks, o)
	}
	b.WriteByte('$')
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, err
	}
	return &Reference{re: re}, nil
}

// Match reports whether the whole of v matches. Like Glob.Match, it wants
// v in the form Options.Value gives.
func (r *Reference) Match(v string) bool { return r.re.MatchString(latin1(v)) }

// String returns the Go expression.
func (r *Reference) String() string { return r.re.String() }

// latin1 maps every byte of s at or above 0x80 to the rune of the same
// number, so that Go's regexp steps through s one byte at a time.
func latin1(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, i, len(s)*2)
	copy(b, s)
	for ; i < len(s); i++ {
		b = utf8.AppendRune(b, rune(s[i]))
	}
	return string(b)
}

func writeGoByte(b *strings.Builder, c byte, foldASCII bool) {
	if foldASCII && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		fmt.Fprintf(b, `[\x{%02x}\x{%02x}]`, c|0x20, c&^0x20)
		return
	}
	fmt.Fprintf(b, `\x{%02x}`, c)
}

func writeGo(b *strings.Builder, toks []token, o Options) {
	fold := o.Fold == FoldASCII
	for _, t := range toks {
		switch t.kind {
		case tokLiteral:
			var buf [utf8.UTFMax]byte
			for _, c := range buf[:utf8.EncodeRune(buf[:], t.char)] {
				writeGoByte(b, c, fold)
			}
		case tokAny:
			b.WriteString(map[bool]string{true: `[^/]`, false: "."}[o.LiteralSeparator])
		case tokZeroOrMore:
			b.WriteString(map[bool]string{true: `[^/]*`, false: ".*"}[o.LiteralSeparator])
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
			var lo, hi [utf8.UTFMax]byte
			for _, r := range t.ranges {
				l := lo[:utf8.EncodeRune(lo[:], r[0])]
				if r[0] == r[1] {
					for _, c := range l {
						items = append(items, span{c, c})
					}
					continue
				}
				h := hi[:utf8.EncodeRune(hi[:], r[1])]
				for _, c := range l[:len(l)-1] {
					items = append(items, span{c, c})
				}
				items = append(items, span{l[len(l)-1], h[0]})
				for _, c := range h[1:] {
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
				fmt.Fprintf(b, `\x{%02x}-\x{%02x}`, it.lo, it.hi)
			}
			b.WriteByte(']')
		case tokAlternates:
			var parts []string
			for _, alt := range t.alts {
				var ab strings.Builder
				writeGo(&ab, alt, o)
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
