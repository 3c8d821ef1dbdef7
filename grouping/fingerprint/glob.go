package fingerprint

import (
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Sentry matches fingerprinting patterns with Relay's is_glob_match, which
// hands the pattern to the Rust crate globset (the 0.4.13 to 0.4.16 line
// that Relay builds with) and runs the regular expression globset emits
// with regex::bytes. What follows is that pipeline in Go:
//
//   - Python lowercases both value and pattern when the match ignores case
//     (Relay's binding does this before calling Rust, because the Rust side
//     only folds ASCII);
//   - Relay turns every backslash into a slash in both when paths are
//     normalized, before globset sees the pattern;
//   - globset tokenizes the pattern and writes a byte-oriented regular
//     expression, "(?-u)^...$";
//   - regex::bytes matches it with "." matching newlines, because Sentry
//     always passes allow_newline.
//
// regex::bytes works on bytes and Go's regexp on runes. A multi-byte
// character is one "?" for Go but several for Rust, and globset writes a
// non-ASCII character in a class as its separate UTF-8 bytes. To agree
// byte for byte, a value that is not ASCII is matched in a Latin-1 image
// where every byte is one rune (byte b becomes U+00bb), and the expression
// spells every non-ASCII byte as \x{bb} in that same image.

// globFlags select Relay's glob options.
type globFlags uint8

const (
	// globDoubleStar makes "*" and "?" stop at "/" so that only "**"
	// crosses directories (globset's literal_separator).
	globDoubleStar globFlags = 1 << iota
	// globIgnoreCase lowercases value and pattern first.
	globIgnoreCase
	// globPathNormalize turns "\" into "/" in value and pattern.
	globPathNormalize
)

// globPath is what Sentry uses for paths, packages and releases.
const globPath = globDoubleStar | globIgnoreCase | globPathNormalize

// A glob is a compiled pattern. Simple shapes skip the regular expression.
type glob struct {
	flags globFlags
	kind  globKind
	lit   string         // the literal part of the simple shapes
	dir   [2]string      // lit+"/" and "/"+lit(+"/") for the directory shapes
	re    *regexp.Regexp // globRegexp
}

type globKind uint8

const (
	globNever globKind = iota // the pattern is invalid: Relay answers false
	globAny
	globNoSlash // "*" with literal separators: anything without "/"
	globLiteral
	globPrefix
	globSuffix
	globContains  // "*lit*"
	globUnderDir  // "**/lit": lit, or ending in "/lit"
	globDirPrefix // "lit/**": starting with "lit/"
	globDirInfix  // "**/lit/**": starting with "lit/" or holding "/lit/"
	globRegexp
)

// compileGlob compiles pattern once, for every later match.
func compileGlob(pattern string, flags globFlags) *glob {
	g := &glob{flags: flags}
	if flags&globIgnoreCase != 0 {
		pattern = pyLower(pattern)
	}
	if flags&globPathNormalize != 0 {
		pattern = strings.ReplaceAll(pattern, `\`, "/")
	}
	toks, err := parseGlob(pattern)
	if err != nil {
		return g // globNever
	}
	litSep := flags&globDoubleStar != 0
	if len(toks) == 1 && toks[0].kind == tRecursivePrefix {
		g.kind = globAny
		return g
	}
	if lit, ok := literalTokens(toks); ok {
		g.kind, g.lit = globLiteral, lit
		return g
	}
	if n := len(toks); n > 0 && toks[0].kind == tZeroOrMore {
		if n == 1 {
			g.kind = globAny
			if litSep {
				g.kind = globNoSlash
			}
			return g
		}
		if lit, ok := literalTokens(toks[1:]); ok && !litSep {
			g.kind, g.lit = globSuffix, lit
			return g
		}
	}
	if n := len(toks); n > 1 && toks[n-1].kind == tZeroOrMore && !litSep {
		if lit, ok := literalTokens(toks[:n-1]); ok {
			g.kind, g.lit = globPrefix, lit
			return g
		}
		if lit, ok := literalTokens(toks[1 : n-1]); ok && n > 2 && toks[0].kind == tZeroOrMore {
			g.kind, g.lit = globContains, lit
			return g
		}
	}
	// The recursive tokens match "/" whatever the flags, so these hold
	// for paths and other values alike.
	if n := len(toks); n > 1 {
		first, last := toks[0].kind, toks[n-1].kind
		switch {
		case first == tRecursivePrefix && last == tRecursiveSuffix:
			if lit, ok := literalTokens(toks[1 : n-1]); ok && n > 2 {
				g.kind, g.lit, g.dir = globDirInfix, lit, [2]string{lit + "/", "/" + lit + "/"}
				return g
			}
		case first == tRecursivePrefix:
			if lit, ok := literalTokens(toks[1:]); ok {
				g.kind, g.lit, g.dir = globUnderDir, lit, [2]string{"", "/" + lit}
				return g
			}
		case last == tRecursiveSuffix:
			if lit, ok := literalTokens(toks[:n-1]); ok {
				g.kind, g.lit, g.dir = globDirPrefix, lit, [2]string{lit + "/", ""}
				return g
			}
		}
	}
	var b strings.Builder
	b.WriteString(`(?s)^`)
	writeTokens(&b, toks, litSep)
	b.WriteByte('$')
	re, err := regexp.Compile(b.String())
	if err != nil {
		return g // regex::bytes would refuse it too; either way, no match
	}
	g.kind, g.re = globRegexp, re
	return g
}

// match reports whether v, already in the form valueForm gives for g's
// flags, matches.
func (g *glob) match(v string) bool {
	switch g.kind {
	case globAny:
		return true
	case globNoSlash:
		return !strings.Contains(v, "/")
	case globLiteral:
		return v == g.lit
	case globPrefix:
		return strings.HasPrefix(v, g.lit)
	case globSuffix:
		return strings.HasSuffix(v, g.lit)
	case globContains:
		return strings.Contains(v, g.lit)
	case globUnderDir:
		// (?:/?|.*/)lit$
		return v == g.lit || strings.HasSuffix(v, g.dir[1])
	case globDirPrefix:
		// lit/.*$
		return strings.HasPrefix(v, g.dir[0])
	case globDirInfix:
		// (?:/?|.*/)lit/.*$
		return strings.HasPrefix(v, g.dir[0]) || strings.Contains(v, g.dir[1])
	case globRegexp:
		return g.re.MatchString(latin1(v))
	}
	return false
}

// matchRaw transforms v as Relay does and matches it. Callers that match
// one value against many patterns cache the form instead (see field).
func (g *glob) matchRaw(v string) bool {
	return g.match(valueForm(v, g.flags))
}

// valueForm is v as the matcher sees it: lowercased and slash-normalized
// as the flags ask.
func valueForm(v string, flags globFlags) string {
	if flags&globIgnoreCase != 0 {
		v = pyLower(v)
	}
	if flags&globPathNormalize != 0 {
		v = strings.ReplaceAll(v, `\`, "/")
	}
	return v
}

// latin1 maps every byte of s at or above 0x80 to the rune of the same
// number, so that Go's regexp steps through s one byte at a time.
func latin1(s string) string {
	if isASCII(s) {
		return s
	}
	b := make([]byte, 0, len(s)*2)
	for i := 0; i < len(s); i++ {
		b = utf8.AppendRune(b, rune(s[i]))
	}
	return string(b)
}

// Glob tokens, as globset names them.
type tokenKind uint8

const (
	tLiteral tokenKind = iota
	tAny
	tZeroOrMore
	tRecursivePrefix
	tRecursiveSuffix
	tRecursiveZeroOrMore
	tClass
	tAlternates
)

type globToken struct {
	kind    tokenKind
	char    rune          // tLiteral
	negated bool          // tClass
	ranges  [][2]rune     // tClass
	alts    [][]globToken // tAlternates
}

var (
	errUnclosedClass      = errors.New("unclosed character class")
	errInvalidRange       = errors.New("invalid character range")
	errNestedAlternates   = errors.New("nested alternate groups are not allowed")
	errUnclosedAlternates = errors.New("unclosed alternate group")
	errDanglingEscape     = errors.New("dangling '\\'")
)

const noChar rune = -1

// globParser follows globset's parser step for step, including its
// quirks: "**" counts as recursive only next to "/" (or at a branch
// start), the token before a recursive "**" is dropped, a stray "}" is an
// empty alternation, and an empty alternative is left out.
type globParser struct {
	chars      []rune
	i          int
	prev, cur  rune
	stack      [][]globToken
	backslashE bool
}

func parseGlob(pattern string) ([]globToken, error) {
	p := &globParser{
		chars:      []rune(pattern),
		prev:       noChar,
		cur:        noChar,
		stack:      [][]globToken{nil},
		backslashE: true, // globset's default on Unix, where Relay runs
	}
	for c := p.bump(); c != noChar; c = p.bump() {
		var err error
		switch c {
		case '?':
			p.push(globToken{kind: tAny})
		case '*':
			p.parseStar()
		case '[':
			err = p.parseClass()
		case '{':
			err = p.pushAlternate()
		case '}':
			p.popAlternate()
		case ',':
			p.parseComma()
		case '\\':
			err = p.parseBackslash()
		default:
			p.push(globToken{kind: tLiteral, char: c})
		}
		if err != nil {
			return nil, err
		}
	}
	if len(p.stack) > 1 {
		return nil, errUnclosedAlternates
	}
	return p.stack[0], nil
}

func (p *globParser) bump() rune {
	p.prev = p.cur
	if p.i < len(p.chars) {
		p.cur = p.chars[p.i]
		p.i++
	} else {
		p.cur = noChar
	}
	return p.cur
}

func (p *globParser) peek() rune {
	if p.i < len(p.chars) {
		return p.chars[p.i]
	}
	return noChar
}

func (p *globParser) push(t globToken) {
	top := len(p.stack) - 1
	p.stack[top] = append(p.stack[top], t)
}

func (p *globParser) pop() globToken {
	top := len(p.stack) - 1
	branch := p.stack[top]
	t := branch[len(branch)-1]
	p.stack[top] = branch[:len(branch)-1]
	return t
}

func (p *globParser) haveTokens() bool {
	return len(p.stack[len(p.stack)-1]) > 0
}

func (p *globParser) pushAlternate() error {
	if len(p.stack) > 1 {
		return errNestedAlternates
	}
	p.stack = append(p.stack, nil)
	return nil
}

func (p *globParser) popAlternate() {
	var alts [][]globToken
	for len(p.stack) >= 2 {
		alts = append(alts, p.stack[len(p.stack)-1])
		p.stack = p.stack[:len(p.stack)-1]
	}
	p.push(globToken{kind: tAlternates, alts: alts})
}

func (p *globParser) parseComma() {
	if len(p.stack) <= 1 {
		p.push(globToken{kind: tLiteral, char: ','})
	} else {
		p.stack = append(p.stack, nil)
	}
}

func (p *globParser) parseBackslash() error {
	if !p.backslashE {
		p.push(globToken{kind: tLiteral, char: '\\'})
		return nil
	}
	c := p.bump()
	if c == noChar {
		return errDanglingEscape
	}
	p.push(globToken{kind: tLiteral, char: c})
	return nil
}

func (p *globParser) twoStars() {
	p.push(globToken{kind: tZeroOrMore})
	p.push(globToken{kind: tZeroOrMore})
}

func (p *globParser) parseStar() {
	prev := p.prev
	if p.peek() != '*' {
		p.push(globToken{kind: tZeroOrMore})
		return
	}
	p.bump()
	if !p.haveTokens() {
		if c := p.peek(); c != noChar && c != '/' {
			p.twoStars()
		} else {
			p.push(globToken{kind: tRecursivePrefix})
			p.bump()
		}
		return
	}
	if prev != '/' && (len(p.stack) <= 1 || (prev != ',' && prev != '{')) {
		p.twoStars()
		return
	}
	suffix := false
	switch c := p.peek(); {
	case c == noChar:
		p.bump()
		suffix = true
	case (c == ',' || c == '}') && len(p.stack) >= 2:
		suffix = true
	case c == '/':
		p.bump()
	default:
		p.twoStars()
		return
	}
	switch p.pop().kind {
	case tRecursivePrefix:
		p.push(globToken{kind: tRecursivePrefix})
	case tRecursiveSuffix:
		p.push(globToken{kind: tRecursiveSuffix})
	default:
		if suffix {
			p.push(globToken{kind: tRecursiveSuffix})
		} else {
			p.push(globToken{kind: tRecursiveZeroOrMore})
		}
	}
}

func (p *globParser) parseClass() error {
	negated := false
	if c := p.peek(); c == '!' || c == '^' {
		p.bump()
		negated = true
	}
	var ranges [][2]rune
	first, inRange := true, false
	for {
		c := p.bump()
		if c == noChar {
			return errUnclosedClass
		}
		switch {
		case c == ']' && first:
			ranges = append(ranges, [2]rune{']', ']'})
		case c == ']':
			if inRange {
				ranges = append(ranges, [2]rune{'-', '-'})
			}
			p.push(globToken{kind: tClass, negated: negated, ranges: ranges})
			return nil
		case c == '-' && first:
			ranges = append(ranges, [2]rune{'-', '-'})
		case c == '-' && inRange:
			if err := extendRange(ranges, '-'); err != nil {
				return err
			}
			inRange = false
		case c == '-':
			inRange = true
		case inRange:
			if err := extendRange(ranges, c); err != nil {
				return err
			}
			inRange = false
		default:
			ranges = append(ranges, [2]rune{c, c})
		}
		first = false
	}
}

func extendRange(ranges [][2]rune, hi rune) error {
	r := &ranges[len(ranges)-1]
	r[1] = hi
	if r[1] < r[0] {
		return errInvalidRange
	}
	return nil
}

// literalTokens returns the bytes of toks if they are all literals.
func literalTokens(toks []globToken) (string, bool) {
	var b strings.Builder
	for _, t := range toks {
		if t.kind != tLiteral {
			return "", false
		}
		b.WriteRune(t.char)
	}
	return b.String(), true
}

// writeTokens writes the regular expression globset emits for toks, in
// the Latin-1 image described at the top of this file.
func writeTokens(b *strings.Builder, toks []globToken, litSep bool) {
	for _, t := range toks {
		switch t.kind {
		case tLiteral:
			writeLiteral(b, t.char)
		case tAny:
			if litSep {
				b.WriteString(`[^/]`)
			} else {
				b.WriteString(`.`)
			}
		case tZeroOrMore:
			if litSep {
				b.WriteString(`[^/]*`)
			} else {
				b.WriteString(`.*`)
			}
		case tRecursivePrefix:
			b.WriteString(`(?:/?|.*/)`)
		case tRecursiveSuffix:
			b.WriteString(`/.*`)
		case tRecursiveZeroOrMore:
			b.WriteString(`(?:/|/.*/)`)
		case tClass:
			b.WriteByte('[')
			if t.negated {
				b.WriteByte('^')
			}
			for _, r := range t.ranges {
				writeLiteral(b, r[0])
				if r[0] != r[1] {
					b.WriteByte('-')
					writeLiteral(b, r[1])
				}
			}
			b.WriteByte(']')
		case tAlternates:
			var parts []string
			for _, alt := range t.alts {
				var ab strings.Builder
				writeTokens(&ab, alt, litSep)
				if ab.Len() > 0 {
					parts = append(parts, ab.String())
				}
			}
			if len(parts) > 0 {
				b.WriteString(`(?:`)
				b.WriteString(strings.Join(parts, "|"))
				b.WriteByte(')')
			}
		}
	}
}

// writeLiteral writes each UTF-8 byte of c: letters and digits as they
// are, everything else as a hex escape, which Go reads the same way inside
// and outside classes.
func writeLiteral(b *strings.Builder, c rune) {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], c)
	for _, x := range buf[:n] {
		if 'a' <= x && x <= 'z' || 'A' <= x && x <= 'Z' || '0' <= x && x <= '9' {
			b.WriteByte(x)
			continue
		}
		b.WriteString(`\x{`)
		b.WriteByte("0123456789abcdef"[x>>4])
		b.WriteByte("0123456789abcdef"[x&15])
		b.WriteByte('}')
	}
}
