package enhancement

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Globs.
//
// Sentry turns every matcher pattern into a regular expression with the
// Rust crate globset (version 0.4.14), options: backslash escapes on,
// literal_separator and case_insensitive both set for path-like keys (path,
// package) and both unset otherwise, and matches it with regex::bytes
// without the `s` flag. So:
//
//   - matching is on the bytes of the UTF-8 value, anchored at both ends;
//     `?` and a class each match exactly one byte, so `caf?` does not match
//     "café" and a class holding a non-ASCII character is a class of that
//     character's bytes;
//   - `*` is `[^/]*` for path-like keys and `.*` otherwise, and `.` never
//     matches '\n', so on error.value `*` stops at a line break;
//   - `**` means "any directories" only as a whole path segment (`**/x`,
//     `x/**`, `x/**/y`, or the whole pattern); elsewhere (`**.app`, `a**b`)
//     it is just two stars;
//   - `[...]`, `[!...]`, `[^...]` are classes (a leading `]` or a leading or
//     trailing `-` is literal), `{a,b}` is alternation (not nested; a comma
//     outside braces is literal), and `\c` escapes c (non-path keys only,
//     since path patterns have every `\` turned into `/` first);
//   - case folding, for path-like keys, is ASCII-only.
//
// This file parses a pattern into globset's tokens and compiles the tokens
// into a small backtracking matcher over bytes (with memoisation, so no
// pattern takes more than polynomial time) instead of a regexp: Go's regexp
// works on runes and folds case over all of Unicode, which would change
// results on non-ASCII input, and the hand-written matcher is several times
// faster on the short values frames carry. glob_test.go checks it against
// the regular expression globset would build, on fuzzed input.

var errGlob = errors.New("invalid glob")

type tokenKind uint8

const (
	tokLiteral tokenKind = iota
	tokAny
	tokZeroOrMore
	tokRecursivePrefix     // **/ at the start: (?:/?|.*/)
	tokRecursiveSuffix     // /** at the end: /.*
	tokRecursiveZeroOrMore // /**/ in the middle: (?:/|/.*/)
	tokClass
	tokAlternates
)

type token struct {
	kind    tokenKind
	r       rune      // tokLiteral
	negated bool      // tokClass
	ranges  [][2]rune // tokClass
	alts    [][]token // tokAlternates
}

// globTokens parses a pattern exactly as globset 0.4.14 does.
func globTokens(pattern string) ([]token, error) {
	p := globParser{chars: []rune(pattern), prev: -1, cur: -1}
	p.stack = [][]token{nil}
	if err := p.parse(); err != nil {
		return nil, err
	}
	if len(p.stack) > 1 {
		return nil, errors.New("unclosed alternate group; missing '}'")
	}
	return p.stack[0], nil
}

type globParser struct {
	chars     []rune
	i         int
	prev, cur rune // -1 = none
	stack     [][]token
}

func (p *globParser) bump() rune {
	p.prev = p.cur
	if p.i < len(p.chars) {
		p.cur = p.chars[p.i]
		p.i++
	} else {
		p.cur = -1
	}
	return p.cur
}

func (p *globParser) peek() rune {
	if p.i < len(p.chars) {
		return p.chars[p.i]
	}
	return -1
}

func (p *globParser) push(t token) { p.stack[len(p.stack)-1] = append(p.stack[len(p.stack)-1], t) }

func (p *globParser) parse() error {
	for c := p.bump(); c != -1; c = p.bump() {
		switch c {
		case '?':
			p.push(token{kind: tokAny})
		case '*':
			p.parseStar()
		case '[':
			if err := p.parseClass(); err != nil {
				return err
			}
		case '{':
			if len(p.stack) > 1 {
				return errors.New("nested alternate groups are not allowed")
			}
			p.stack = append(p.stack, nil)
		case '}':
			var alts [][]token
			for len(p.stack) >= 2 {
				alts = append(alts, p.stack[len(p.stack)-1])
				p.stack = p.stack[:len(p.stack)-1]
			}
			p.push(token{kind: tokAlternates, alts: alts})
		case ',':
			if len(p.stack) <= 1 {
				p.push(token{kind: tokLiteral, r: ','})
			} else {
				p.stack = append(p.stack, nil)
			}
		case '\\':
			n := p.bump()
			if n == -1 {
				return errors.New("dangling '\\'")
			}
			p.push(token{kind: tokLiteral, r: n})
		default:
			p.push(token{kind: tokLiteral, r: c})
		}
	}
	return nil
}

func (p *globParser) parseStar() {
	prev := p.prev
	if p.peek() != '*' {
		p.push(token{kind: tokZeroOrMore})
		return
	}
	p.bump()
	twoStars := func() {
		p.push(token{kind: tokZeroOrMore})
		p.push(token{kind: tokZeroOrMore})
	}
	if len(p.stack[len(p.stack)-1]) == 0 {
		if n := p.peek(); n != -1 && n != '/' {
			twoStars()
		} else {
			p.push(token{kind: tokRecursivePrefix})
			p.bump()
		}
		return
	}
	if prev != '/' {
		if len(p.stack) <= 1 || (prev != ',' && prev != '{') {
			twoStars()
			return
		}
	}
	var suffix bool
	switch n := p.peek(); {
	case n == -1:
		p.bump()
		suffix = true
	case (n == ',' || n == '}') && len(p.stack) >= 2:
		suffix = true
	case n == '/':
		p.bump()
	default:
		twoStars()
		return
	}
	top := p.stack[len(p.stack)-1]
	last := top[len(top)-1]
	p.stack[len(p.stack)-1] = top[:len(top)-1]
	switch {
	case last.kind == tokRecursivePrefix || last.kind == tokRecursiveSuffix:
		p.push(last)
	case suffix:
		p.push(token{kind: tokRecursiveSuffix})
	default:
		p.push(token{kind: tokRecursiveZeroOrMore})
	}
}

func (p *globParser) parseClass() error {
	var t token
	t.kind = tokClass
	if n := p.peek(); n == '!' || n == '^' {
		p.bump()
		t.negated = true
	}
	first, inRange := true, false
	for {
		c := p.bump()
		if c == -1 {
			return errors.New("unclosed character class; missing ']'")
		}
		switch {
		case c == ']' && first:
			t.ranges = append(t.ranges, [2]rune{']', ']'})
		case c == ']':
			if inRange {
				t.ranges = append(t.ranges, [2]rune{'-', '-'})
			}
			p.push(t)
			return nil
		case c == '-' && first:
			t.ranges = append(t.ranges, [2]rune{'-', '-'})
		case c == '-' && !inRange:
			inRange = true
		default:
			if inRange {
				r := &t.ranges[len(t.ranges)-1]
				r[1] = c
				if r[1] < r[0] {
					return errors.New("invalid character range")
				}
			} else {
				t.ranges = append(t.ranges, [2]rune{c, c})
			}
			inRange = false
		}
		first = false
	}
}

// byteSet is a set of byte values.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) addRange(lo, hi byte) {
	for b := int(lo); b <= int(hi); b++ {
		s.add(byte(b))
	}
}

// classSet computes the bytes a class token matches: globset writes each
// character as the escapes of its UTF-8 bytes, so a range between two
// multi-byte characters becomes single bytes plus one byte range.
func classSet(t token, foldCase bool) byteSet {
	var s byteSet
	var lo, hi [utf8.UTFMax]byte
	for _, r := range t.ranges {
		l := lo[:utf8.EncodeRune(lo[:], r[0])]
		if r[0] == r[1] {
			for _, b := range l {
				s.add(b)
			}
			continue
		}
		h := hi[:utf8.EncodeRune(hi[:], r[1])]
		for _, b := range l[:len(l)-1] {
			s.add(b)
		}
		s.addRange(l[len(l)-1], h[0])
		for _, b := range h[1:] {
			s.add(b)
		}
	}
	if foldCase {
		for c := byte('A'); c <= 'Z'; c++ {
			if s.has(c) || s.has(c+'a'-'A') {
				s.add(c)
				s.add(c + 'a' - 'A')
			}
		}
	}
	if t.negated {
		for i := range s {
			s[i] = ^s[i]
		}
	}
	return s
}

type opKind uint8

const (
	opLit       opKind = iota // exactly these bytes
	opByte                    // one byte of set
	opStar                    // any run of bytes other than not
	opRecPrefix               // nothing, or bytes other than '\n' up to and including a '/'
	opAlt                     // one of alts
)

type op struct {
	kind opKind
	id   int // memo slot of a choice op (opStar, opRecPrefix, opAlt)
	not  byte
	lit  string
	set  byteSet
	alts [][]op
}

// A glob is a compiled pattern. Path-like globs expect the value to be
// ASCII-lowercased already (Sentry lowercases path and package values), so
// they fold case by lowercasing the pattern instead of at match time.
type glob struct {
	ops      []op
	exact    bool   // the pattern is one literal: compare with lit
	lit      string // exact literal, or the literal the value must start with
	suffix   string // literal the value must end with
	needle   string // a literal the value must contain
	minLen   int
	nChoice  int
	pathLike bool
}

// compileGlob builds the matcher for a pattern.
func compileGlob(pattern string, pathLike bool) (*glob, error) {
	if pathLike {
		pattern = strings.ReplaceAll(pattern, `\`, "/")
	}
	toks, err := globTokens(pattern)
	if err != nil {
		return nil, err
	}
	g := &glob{pathLike: pathLike}
	if len(toks) == 1 && toks[0].kind == tokRecursivePrefix {
		g.ops = []op{{kind: opStar, not: '\n'}}
	} else {
		g.ops = lowerTokens(toks, pathLike)
	}
	g.analyse()
	return g, nil
}

func lowerTokens(toks []token, pathLike bool) []op {
	var ops []op
	lit := func(s string) {
		if n := len(ops); n > 0 && ops[n-1].kind == opLit {
			ops[n-1].lit += s
			return
		}
		ops = append(ops, op{kind: opLit, lit: s})
	}
	starNot := byte('\n')
	if pathLike {
		starNot = '/'
	}
	for _, t := range toks {
		switch t.kind {
		case tokLiteral:
			s := string(t.r)
			if pathLike {
				s = asciiLower(s)
			}
			lit(s)
		case tokAny:
			var s byteSet
			for i := range s {
				s[i] = ^uint64(0)
			}
			s[starNot>>6] &^= 1 << (starNot & 63)
			ops = append(ops, op{kind: opByte, set: s})
		case tokZeroOrMore:
			ops = append(ops, op{kind: opStar, not: starNot})
		case tokRecursivePrefix:
			ops = append(ops, op{kind: opRecPrefix})
		case tokRecursiveSuffix:
			lit("/")
			ops = append(ops, op{kind: opStar, not: '\n'})
		case tokRecursiveZeroOrMore:
			lit("/")
			ops = append(ops, op{kind: opRecPrefix})
		case tokClass:
			ops = append(ops, op{kind: opByte, set: classSet(t, pathLike)})
		case tokAlternates:
			var alts [][]op
			for _, a := range t.alts {
				if len(a) > 0 { // globset drops empty alternatives
					alts = append(alts, lowerTokens(a, pathLike))
				}
			}
			if len(alts) > 0 {
				ops = append(ops, op{kind: opAlt, alts: alts})
			}
		}
	}
	return ops
}

// analyse numbers the choice ops and derives the cheap checks that reject
// most values before any backtracking.
func (g *glob) analyse() {
	var number func(ops []op)
	number = func(ops []op) {
		for i := range ops {
			switch ops[i].kind {
			case opStar, opRecPrefix, opAlt:
				ops[i].id = g.nChoice
				g.nChoice++
			}
			for _, a := range ops[i].alts {
				number(a)
			}
		}
	}
	number(g.ops)
	g.minLen = minLen(g.ops)
	switch {
	case len(g.ops) == 0:
		g.exact = true
		return
	case len(g.ops) == 1 && g.ops[0].kind == opLit:
		g.exact, g.lit = true, g.ops[0].lit
		return
	}
	inner := g.ops
	if g.ops[0].kind == opLit {
		g.lit = g.ops[0].lit
		inner = inner[1:]
	}
	if n := len(g.ops); g.ops[n-1].kind == opLit {
		g.suffix = g.ops[n-1].lit
		inner = inner[:len(inner)-1]
	}
	for _, o := range inner {
		if o.kind == opLit && len(o.lit) > len(g.needle) {
			g.needle = o.lit
		}
	}
}

func minLen(ops []op) int {
	n := 0
	for _, o := range ops {
		switch o.kind {
		case opLit:
			n += len(o.lit)
		case opByte:
			n++
		case opAlt:
			m := -1
			for _, a := range o.alts {
				if l := minLen(a); m < 0 || l < m {
					m = l
				}
			}
			n += m
		}
	}
	return n
}

// match reports whether the whole of v matches. Path-like globs need v
// ASCII-lowercased.
func (g *glob) match(v string) bool {
	if g.exact {
		return v == g.lit
	}
	if g.needle != "" && !strings.Contains(v, g.needle) {
		return false
	}
	return g.matchRest(v)
}

// matchPath matches a path-like value the way Sentry does: v, and then,
// if v does not start with '/', slashed ("/" + v). The needle check is
// shared when the leading '/' cannot make a difference to it.
func (g *glob) matchPath(v, slashed string) bool {
	if slashed == "" || g.exact {
		return g.match(v) || slashed != "" && g.match(slashed)
	}
	if g.needle != "" && g.needle[0] != '/' && !strings.Contains(v, g.needle) {
		return false
	}
	if g.matchRest(v) {
		return true
	}
	return (g.needle == "" || strings.Contains(slashed, g.needle)) && g.matchRest(slashed)
}

// matchRest is match after the needle check.
func (g *glob) matchRest(v string) bool {
	if len(v) < g.minLen || !strings.HasPrefix(v, g.lit) || !strings.HasSuffix(v, g.suffix) {
		return false
	}
	m := globMatcher{v: v}
	if g.nChoice > 1 {
		size := g.nChoice * (len(v) + 1)
		if size <= len(m.buf)*64 {
			m.memo = m.buf[:(size+63)/64]
		} else {
			m.memo = make([]uint64, (size+63)/64)
		}
		m.stride = len(v) + 1
	}
	return m.seq(g.ops, 0, nil)
}

// globMatcher runs one match. memo records (choice op, position) pairs
// already known to fail, which bounds the work when a pattern has several
// stars.
type globMatcher struct {
	v      string
	memo   []uint64
	stride int
	buf    [8]uint64
}

func (m *globMatcher) failed(id, p int) bool {
	if m.memo == nil {
		return false
	}
	k := id*m.stride + p
	return m.memo[k>>6]&(1<<(k&63)) != 0
}

func (m *globMatcher) fail(id, p int) {
	if m.memo != nil {
		k := id*m.stride + p
		m.memo[k>>6] |= 1 << (k & 63)
	}
}

// seq matches ops at position p and then, when ops run out, cont (the rest
// of the enclosing sequence after an alternation).
func (m *globMatcher) seq(ops []op, p int, cont []op) bool {
	v := m.v
	for k := 0; k < len(ops); k++ {
		o := &ops[k]
		switch o.kind {
		case opLit:
			if !strings.HasPrefix(v[p:], o.lit) {
				return false
			}
			p += len(o.lit)
		case opByte:
			if p >= len(v) || !o.set.has(v[p]) {
				return false
			}
			p++
		case opStar:
			rest := ops[k+1:]
			end := len(v)
			if i := strings.IndexByte(v[p:], o.not); i >= 0 {
				end = p + i
			}
			if len(rest) == 0 && len(cont) == 0 {
				return end == len(v)
			}
			if m.failed(o.id, p) {
				return false
			}
			next := rest
			if len(next) == 0 {
				next = cont
			}
			if next[0].kind == opLit {
				// Only try the positions where the following literal starts.
				lit := next[0].lit
				limit := min(end+len(lit), len(v))
				for q := p; q <= end; q++ {
					i := strings.Index(v[q:limit], lit)
					if i < 0 {
						break
					}
					q += i
					if m.seq(rest, q, cont) {
						return true
					}
				}
			} else {
				for q := p; q <= end; q++ {
					if m.seq(rest, q, cont) {
						return true
					}
				}
			}
			m.fail(o.id, p)
			return false
		case opRecPrefix:
			rest := ops[k+1:]
			if m.failed(o.id, p) {
				return false
			}
			if m.seq(rest, p, cont) {
				return true
			}
			for i := p; i < len(v) && v[i] != '\n'; i++ {
				if v[i] == '/' && m.seq(rest, i+1, cont) {
					return true
				}
			}
			m.fail(o.id, p)
			return false
		case opAlt:
			// Alternations do not nest, so this is a top-level sequence and
			// cont is nil: the rest of ops is what follows each alternative.
			if m.failed(o.id, p) {
				return false
			}
			for _, a := range o.alts {
				if m.seq(a, p, ops[k+1:]) {
					return true
				}
			}
			m.fail(o.id, p)
			return false
		}
	}
	if len(cont) > 0 {
		return m.seq(cont, p, nil)
	}
	return p == len(v)
}
