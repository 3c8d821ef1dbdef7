// Package glob matches the globs of Sentry's grouping rules exactly as
// Sentry does.
//
// Both kinds of rule hand their patterns to the Rust crate globset: stack
// trace rules through ophio, fingerprinting rules through Relay's
// is_glob_match. globset parses the pattern into tokens and writes a
// byte-oriented regular expression, "(?-u)^...$", which regex::bytes then
// runs on the UTF-8 bytes of the value. That has consequences a Go port
// must keep:
//
//   - "?" and a class each match exactly one byte, so "caf?" does not match
//     "café", and a class holding a non-ASCII character is a class of that
//     character's bytes;
//   - "**" means "any directories" only as a whole path segment ("**/x",
//     "x/**", "x/**/y", or the whole pattern); elsewhere ("**.app", "a**b")
//     it is just two stars;
//   - "{a,b}" is alternation (not nested; a comma outside braces is
//     literal), "[...]", "[!...]" and "[^...]" are classes, and "\c"
//     escapes c.
//
// The callers differ in the options around that core, which Options
// spells out: whether "*" and "?" may cross "/", whether and how case is
// folded, whether "." in the regular expression matches a line break, and
// whether backslashes are path separators.
//
// Compile builds a small backtracking matcher over bytes, memoised so that
// no pattern takes more than polynomial time, rather than a regexp: Go's
// regexp steps through runes and folds case over all of Unicode, which
// would change results on non-ASCII input, and on the short values of
// frames and events the hand-written matcher is about twenty times faster.
// Reference builds the regular expression globset would, in Go syntax;
// the tests check the matcher against it on fuzzed patterns and values for
// every combination of options.
package glob

import (
	"strings"
	"unicode/utf8"

	"github.com/sentrywire/sentrywire/grouping/internal/pystr"
)

// Fold says how a glob ignores case.
type Fold uint8

const (
	// FoldNone matches case-sensitively.
	FoldNone Fold = iota
	// FoldASCII folds ASCII letters only, as globset's case_insensitive
	// option does under regex::bytes; other bytes match as they are. Stack
	// trace rules use it for paths and packages.
	FoldASCII
	// FoldPython lowercases pattern and value with Python's str.lower
	// before anything else, as Relay's Python binding does for
	// fingerprinting rules (the Rust side itself would fold ASCII only).
	// Classes are not folded afterwards, so "[A-Z]" becomes "[a-z]".
	FoldPython
)

// Options are the settings around globset's core that decide what a
// pattern matches. The zero value matches case-sensitively, lets "*"
// cross "/", and stops "*" and "?" at line breaks.
type Options struct {
	// LiteralSeparator makes "*", "?" stop at "/", so that only "**"
	// crosses directories (globset's literal_separator).
	LiteralSeparator bool
	// Fold selects case folding.
	Fold Fold
	// DotNewline lets the regular expression's "." match "\n" (the s flag,
	// Relay's allow_newline). Without it "*", "?" and the recursive "**"
	// forms stop at line breaks; classes and, with LiteralSeparator, "*"
	// and "?" (which become [^/]) match them either way.
	DotNewline bool
	// PathNormalize turns every "\" of the pattern into "/" before it is
	// parsed (so there are no escapes), for values whose backslashes are
	// Windows path separators.
	PathNormalize bool
}

// Value returns v as a glob compiled with o expects it: lowercased as Fold
// says and with "\" turned into "/" when PathNormalize is set. Callers
// that match one value against many globs compute it once.
func (o Options) Value(v string) string {
	switch o.Fold {
	case FoldASCII:
		v = pystr.ASCIILower(v)
	case FoldPython:
		v = pystr.Lower(v)
	}
	if o.PathNormalize {
		v = strings.ReplaceAll(v, `\`, "/")
	}
	return v
}

// pattern returns the text globset parses: lowercased first for
// FoldPython, with "\" as "/" for PathNormalize.
func (o Options) pattern(p string) string {
	if o.Fold == FoldPython {
		p = pystr.Lower(p)
	}
	if o.PathNormalize {
		p = strings.ReplaceAll(p, `\`, "/")
	}
	return p
}

// A Glob is a compiled pattern. It is safe for concurrent use.
type Glob struct {
	opts    Options
	ops     []op
	shape   shape
	lit     string // exact literal, or the literal a value must start with
	suffix  string // literal a value must end with
	needle  string // a literal a value must contain
	dir     string // "/" + the literal of shapeUnderDir and shapeDirInfix
	minLen  int
	nChoice int
}

// shape names the patterns Match decides with a few string operations:
// literals, and literals with stars or directory wildcards around them
// whose runs nothing stops (DotNewline set, and LiteralSeparator unset or
// only directory wildcards), which covers most fingerprinting patterns.
// Other patterns go to the backtracking matcher, which after its literal
// prefilters is as fast for them.
type shape uint8

const (
	shapeGeneral  shape = iota
	shapeExact          // lit
	shapeAny            // *
	shapePrefix         // lit *
	shapeAnchored       // lit? * suffix?
	shapeNeedle         // lit? * needle * suffix?
	shapeUnderDir       // **/suffix
	shapeDirInfix       // **/needle*, which **/dir/** is
)

// Compile parses pattern as globset does and builds its matcher. The error
// is one of the Err variables when globset would refuse the pattern.
func Compile(pattern string, o Options) (*Glob, error) {
	toks, err := parse(o.pattern(pattern))
	if err != nil {
		return nil, err
	}
	g := &Glob{opts: o}
	if isRecursiveOnly(toks) {
		g.ops = []op{{kind: opStar, stop: o.dotStop()}}
	} else {
		g.ops = o.lower(toks)
	}
	g.analyse()
	return g, nil
}

// Options returns the options g was compiled with.
func (g *Glob) Options() Options { return g.opts }

// Literal reports whether g matches exactly one value, and which.
func (g *Glob) Literal() (string, bool) { return g.lit, g.shape == shapeExact }

// Literals returns what the matcher checks before any backtracking:
// every value g matches starts with prefix, contains needle and ends with
// suffix. Any of them may be empty; when Literal reports true, prefix is
// the whole value and the others are empty. Callers index rules by them.
func (g *Glob) Literals() (prefix, needle, suffix string) {
	return g.lit, g.needle, g.suffix
}

// Match reports whether the whole of v matches. v must be in the form
// Options.Value gives.
func (g *Glob) Match(v string) bool {
	// General and exact patterns first, and without a jump table: they
	// are most of what stack trace rules hold.
	if g.shape == shapeGeneral {
		if g.needle != "" && !strings.Contains(v, g.needle) {
			return false
		}
		return g.matchRest(v)
	}
	if g.shape == shapeExact {
		return v == g.lit
	}
	switch g.shape {
	case shapeAny:
		return true
	case shapePrefix:
		return strings.HasPrefix(v, g.lit)
	case shapeAnchored:
		return len(v) >= g.minLen && strings.HasPrefix(v, g.lit) && strings.HasSuffix(v, g.suffix)
	case shapeNeedle:
		return len(v) >= g.minLen && strings.HasPrefix(v, g.lit) && strings.HasSuffix(v, g.suffix) &&
			strings.Contains(v[len(g.lit):len(v)-len(g.suffix)], g.needle)
	case shapeUnderDir:
		// (?:/?|.*/)suffix
		return v == g.suffix || strings.HasSuffix(v, g.dir)
	case shapeDirInfix:
		// (?:/?|.*/)needle.*
		return strings.HasPrefix(v, g.needle) || strings.Contains(v, g.dir)
	}
	return false
}

// MatchPath reports whether v matches or, when slashed is not empty,
// slashed does. Sentry tries a path that does not start with "/" a second
// time with one in front, so that "**/foo.js" matches "foo.js"; passing
// slashed as "/"+v lets both tries share the cheap checks.
func (g *Glob) MatchPath(v, slashed string) bool {
	if slashed == "" || g.shape == shapeExact {
		return g.Match(v) || slashed != "" && g.Match(slashed)
	}
	// slashed holds the needle when v does, unless the needle starts
	// with the added "/".
	if g.needle != "" && g.needle[0] != '/' && !strings.Contains(v, g.needle) {
		return false
	}
	if g.shape != shapeGeneral {
		return g.Match(v) || g.Match(slashed)
	}
	if g.matchRest(v) {
		return true
	}
	return (g.needle == "" || strings.Contains(slashed, g.needle)) && g.matchRest(slashed)
}

type opKind uint8

const (
	opLit       opKind = iota // exactly these bytes
	opByte                    // one byte of set
	opStar                    // any run of bytes other than stop
	opRecPrefix               // nothing, or bytes other than stop up to and including a '/'
	opAlt                     // one of alts
)

// noStop is an op's stop when no byte ends its run.
const noStop = -1

type op struct {
	kind opKind
	id   int // memo slot of a choice op (opStar, opRecPrefix, opAlt)
	stop int // opStar, opRecPrefix: the byte that ends the run, or noStop
	lit  string
	set  byteSet
	alts [][]op
}

// dotStop is where the regular expression's "." stops.
func (o Options) dotStop() int {
	if o.DotNewline {
		return noStop
	}
	return '\n'
}

// starStop is where "*" and "?" stop.
func (o Options) starStop() int {
	if o.LiteralSeparator {
		return '/' // [^/], a class: line breaks are fine
	}
	return o.dotStop()
}

// lower turns tokens into ops, spelling out the options.
func (o Options) lower(toks []token) []op {
	var ops []op
	lit := func(s string) {
		if n := len(ops); n > 0 && ops[n-1].kind == opLit {
			ops[n-1].lit += s
			return
		}
		ops = append(ops, op{kind: opLit, lit: s})
	}
	stop := o.starStop()
	for _, t := range toks {
		switch t.kind {
		case tokLiteral:
			s := string(t.char)
			if o.Fold == FoldASCII {
				s = pystr.ASCIILower(s)
			}
			lit(s)
		case tokAny:
			var s byteSet
			for i := range s {
				s[i] = ^uint64(0)
			}
			if stop != noStop {
				s[stop>>6] &^= 1 << (stop & 63)
			}
			ops = append(ops, op{kind: opByte, set: s})
		case tokZeroOrMore:
			ops = append(ops, op{kind: opStar, stop: stop})
		case tokRecursivePrefix:
			ops = append(ops, op{kind: opRecPrefix, stop: o.dotStop()})
		case tokRecursiveSuffix:
			lit("/")
			ops = append(ops, op{kind: opStar, stop: o.dotStop()})
		case tokRecursiveZeroOrMore:
			lit("/")
			ops = append(ops, op{kind: opRecPrefix, stop: o.dotStop()})
		case tokClass:
			ops = append(ops, op{kind: opByte, set: classSet(t, o.Fold == FoldASCII)})
		case tokAlternates:
			var alts [][]op
			for _, a := range t.alts {
				if len(a) > 0 { // globset drops empty alternatives
					alts = append(alts, o.lower(a))
				}
			}
			if len(alts) > 0 {
				ops = append(ops, op{kind: opAlt, alts: alts})
			}
		}
	}
	return ops
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

// classSet computes the bytes a class token matches. globset writes each
// character as its UTF-8 bytes, so a range between two multi-byte
// characters becomes single bytes plus one byte range from the last byte
// of the low end to the first of the high end (which never runs backwards:
// continuation bytes sort below leading bytes).
func classSet(t token, foldASCII bool) byteSet {
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
	if foldASCII {
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

// analyse numbers the choice ops and derives the cheap checks that reject
// most values before any backtracking.
func (g *Glob) analyse() {
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
		g.shape = shapeExact
		return
	case len(g.ops) == 1 && g.ops[0].kind == opLit:
		g.shape, g.lit = shapeExact, g.ops[0].lit
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
	g.classify(inner)
}

// classify recognizes the shapes Match handles without backtracking;
// inner is ops without the leading and trailing literals.
func (g *Glob) classify(inner []op) {
	for _, o := range g.ops {
		if (o.kind == opStar || o.kind == opRecPrefix) && o.stop != noStop {
			return
		}
	}
	ops := g.ops
	switch {
	case len(inner) == 1 && inner[0].kind == opStar:
		switch {
		case g.lit == "" && g.suffix == "":
			g.shape = shapeAny
		case g.suffix == "":
			g.shape = shapePrefix
		default:
			g.shape = shapeAnchored
		}
	case len(inner) == 3 && inner[0].kind == opStar && inner[1].kind == opLit && inner[2].kind == opStar:
		g.shape = shapeNeedle
	case len(ops) == 2 && ops[0].kind == opRecPrefix && ops[1].kind == opLit:
		g.shape, g.dir = shapeUnderDir, "/"+ops[1].lit
	case len(ops) == 3 && ops[0].kind == opRecPrefix && ops[1].kind == opLit && ops[2].kind == opStar:
		g.shape, g.dir = shapeDirInfix, "/"+ops[1].lit
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

// matchRest is Match after the needle check.
func (g *Glob) matchRest(v string) bool {
	if len(v) < g.minLen || !strings.HasPrefix(v, g.lit) || !strings.HasSuffix(v, g.suffix) {
		return false
	}
	m := matcher{v: v}
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

// matcher runs one match. memo records (choice op, position) pairs
// already known to fail, which bounds the work when a pattern has several
// stars.
type matcher struct {
	v      string
	memo   []uint64
	stride int
	buf    [8]uint64
}

func (m *matcher) failed(id, p int) bool {
	if m.memo == nil {
		return false
	}
	k := id*m.stride + p
	return m.memo[k>>6]&(1<<(k&63)) != 0
}

func (m *matcher) fail(id, p int) {
	if m.memo != nil {
		k := id*m.stride + p
		m.memo[k>>6] |= 1 << (k & 63)
	}
}

// seq matches ops at position p and then, when ops run out, cont (the rest
// of the enclosing sequence after an alternation).
func (m *matcher) seq(ops []op, p int, cont []op) bool {
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
			if o.stop != noStop {
				if i := strings.IndexByte(v[p:], byte(o.stop)); i >= 0 {
					end = p + i
				}
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
			for i := p; i < len(v) && int(v[i]) != o.stop; i++ {
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
