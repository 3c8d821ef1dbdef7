package glob

import "errors"

// The errors Compile returns for a pattern globset refuses. Their texts are
// globset's own, which Sentry shows in its error messages.
var (
	ErrUnclosedClass      = errors.New("unclosed character class; missing ']'")
	ErrInvalidRange       = errors.New("invalid character range")
	ErrNestedAlternates   = errors.New("nested alternate groups are not allowed")
	ErrUnclosedAlternates = errors.New("unclosed alternate group; missing '}'")
	ErrDanglingEscape     = errors.New("dangling '\\'")
)

// Glob tokens, as globset names them.
type tokenKind uint8

const (
	tokLiteral             tokenKind = iota
	tokAny                           // ?
	tokZeroOrMore                    // *
	tokRecursivePrefix               // **/ at the start: (?:/?|.*/)
	tokRecursiveSuffix               // /** at the end: /.*
	tokRecursiveZeroOrMore           // /**/ in the middle: (?:/|/.*/)
	tokClass                         // [...]
	tokAlternates                    // {a,b}
)

type token struct {
	kind    tokenKind
	char    rune      // tokLiteral
	negated bool      // tokClass
	ranges  [][2]rune // tokClass, inclusive
	alts    [][]token // tokAlternates
}

const noChar rune = -1

// parse tokenizes a pattern exactly as globset (0.4.13 to 0.4.16, with
// backslash escapes on, its default on Unix) does, quirks included: "**"
// counts as recursive only next to "/" (or at the start of a pattern or
// alternative), the token before a recursive "**" is dropped, a stray "}"
// is an empty alternation, a comma outside braces is literal, and in a
// class a leading "]" or a leading or trailing "-" is literal.
func parse(pattern string) ([]token, error) {
	p := &parser{
		chars: []rune(pattern),
		prev:  noChar,
		cur:   noChar,
		stack: [][]token{nil},
	}
	for c := p.bump(); c != noChar; c = p.bump() {
		var err error
		switch c {
		case '?':
			p.push(token{kind: tokAny})
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
			p.push(token{kind: tokLiteral, char: c})
		}
		if err != nil {
			return nil, err
		}
	}
	if len(p.stack) > 1 {
		return nil, ErrUnclosedAlternates
	}
	return p.stack[0], nil
}

// parser holds globset's parsing state: the stack has one branch per open
// alternative, on top of the pattern's top-level branch.
type parser struct {
	chars     []rune
	i         int
	prev, cur rune
	stack     [][]token
}

func (p *parser) bump() rune {
	p.prev = p.cur
	if p.i < len(p.chars) {
		p.cur = p.chars[p.i]
		p.i++
	} else {
		p.cur = noChar
	}
	return p.cur
}

func (p *parser) peek() rune {
	if p.i < len(p.chars) {
		return p.chars[p.i]
	}
	return noChar
}

func (p *parser) push(t token) {
	top := len(p.stack) - 1
	p.stack[top] = append(p.stack[top], t)
}

func (p *parser) pop() token {
	top := len(p.stack) - 1
	branch := p.stack[top]
	t := branch[len(branch)-1]
	p.stack[top] = branch[:len(branch)-1]
	return t
}

func (p *parser) haveTokens() bool {
	return len(p.stack[len(p.stack)-1]) > 0
}

func (p *parser) pushAlternate() error {
	if len(p.stack) > 1 {
		return ErrNestedAlternates
	}
	p.stack = append(p.stack, nil)
	return nil
}

func (p *parser) popAlternate() {
	var alts [][]token
	for len(p.stack) >= 2 {
		alts = append(alts, p.stack[len(p.stack)-1])
		p.stack = p.stack[:len(p.stack)-1]
	}
	p.push(token{kind: tokAlternates, alts: alts})
}

func (p *parser) parseComma() {
	if len(p.stack) <= 1 {
		p.push(token{kind: tokLiteral, char: ','})
	} else {
		p.stack = append(p.stack, nil)
	}
}

func (p *parser) parseBackslash() error {
	c := p.bump()
	if c == noChar {
		return ErrDanglingEscape
	}
	p.push(token{kind: tokLiteral, char: c})
	return nil
}

func (p *parser) twoStars() {
	p.push(token{kind: tokZeroOrMore})
	p.push(token{kind: tokZeroOrMore})
}

func (p *parser) parseStar() {
	prev := p.prev
	if p.peek() != '*' {
		p.push(token{kind: tokZeroOrMore})
		return
	}
	p.bump()
	if !p.haveTokens() {
		if c := p.peek(); c != noChar && c != '/' {
			p.twoStars()
		} else {
			p.push(token{kind: tokRecursivePrefix})
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
	switch last := p.pop(); {
	case last.kind == tokRecursivePrefix || last.kind == tokRecursiveSuffix:
		p.push(last)
	case suffix:
		p.push(token{kind: tokRecursiveSuffix})
	default:
		p.push(token{kind: tokRecursiveZeroOrMore})
	}
}

func (p *parser) parseClass() error {
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
			return ErrUnclosedClass
		}
		switch {
		case c == ']' && first:
			ranges = append(ranges, [2]rune{']', ']'})
		case c == ']':
			if inRange {
				ranges = append(ranges, [2]rune{'-', '-'})
			}
			p.push(token{kind: tokClass, negated: negated, ranges: ranges})
			return nil
		case c == '-' && first:
			ranges = append(ranges, [2]rune{'-', '-'})
		case c == '-' && !inRange:
			inRange = true
		case inRange:
			// Extends the last range, even one that is already a range:
			// globset reads "[a-c-e]" as a-e.
			r := &ranges[len(ranges)-1]
			r[1] = c
			if r[1] < r[0] {
				return ErrInvalidRange
			}
			inRange = false
		default:
			ranges = append(ranges, [2]rune{c, c})
		}
		first = false
	}
}

// isRecursiveOnly reports whether toks is the whole pattern "**", which
// globset special-cases as ".*".
func isRecursiveOnly(toks []token) bool {
	return len(toks) == 1 && toks[0].kind == tokRecursivePrefix
}
