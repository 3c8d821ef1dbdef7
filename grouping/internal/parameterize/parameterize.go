package parameterize

import (
	"math/bits"
	"strings"
	"unicode/utf8"
)

// Parameterize replaces event-specific values (emails, URLs, IPs, UUIDs, hashes, dates,
// numbers, ...) with placeholders such as <int>, the way Sentry does before hashing.
//
// It gives the result of Python's re.sub with Sentry's combined pattern:
// the text is searched left to right, at each position the patterns are
// tried in Sentry's order and the first that matches is replaced by its
// name in angle brackets; the search goes on after the replaced text, and
// lookbehinds still see the original text. A string with nothing to
// replace is returned as is, without allocating.
func Parameterize(s string) string {
	return current.replace(s)
}

// NormalizeMessage is Trim then Parameterize: Sentry's normalize_message_for_grouping.
//
// Sentry applies it to log messages and exception values before they are
// hashed. Fingerprint variables such as {{ message }} are parameterized
// without trimming: use Parameterize for those.
func NormalizeMessage(s string) string {
	return Parameterize(Trim(s))
}

// current is the pattern set Sentry runs today.
var current = compile(sentry2026)

// A scanID names the hand-written matcher of one pattern.
type scanID uint8

const (
	scanEmail scanID = iota
	scanURL
	scanHostname
	scanIP
	scanTraceparent
	scanUUID
	scanSHA1
	scanMD5
	scanDate
	scanDuration
	scanSwiftTxnID
	scanHex
	scanGitSHA
	scanFloat
	scanInt
	scanQuotedStr
	scanBool
	numScans
)

// run calls the matcher id at p. On failure, until says how far the
// failure carries: every start after p and before until fails the same
// way, which keeps long runs of the same kind linear (without it a
// 4000-digit number or a.a.a.a... costs quadratic time, as it does in
// Python).
func run(id scanID, s string, p int) (end, until int) {
	switch id {
	case scanEmail:
		return matchEmail(s, p)
	case scanHostname:
		return matchHostname(s, p)
	case scanDuration:
		return matchDuration(s, p)
	case scanURL:
		end = matchURL(s, p)
	case scanIP:
		end = matchIP(s, p)
	case scanTraceparent:
		end = matchTraceparent(s, p)
	case scanUUID:
		end = matchUUID(s, p)
	case scanSHA1:
		end = matchSHA1(s, p)
	case scanMD5:
		end = matchMD5(s, p)
	case scanDate:
		end = matchDate(s, p)
	case scanSwiftTxnID:
		end = matchSwiftTxnID(s, p)
	case scanHex:
		end = matchHex(s, p)
	case scanGitSHA:
		end = matchGitSHA(s, p)
	case scanFloat:
		end = matchFloat(s, p)
	case scanInt:
		end = matchInt(s, p)
	case scanQuotedStr:
		end = matchQuotedStr(s, p)
	case scanBool:
		end = matchBool(s, p)
	default:
		end = -1
	}
	return end, p + 1
}

// What precedes a position decides which patterns can start there: most
// need a word boundary, the IPv6 shapes only an ASCII-alphanumeric-free
// left side, quoted_str and bool an "=".
type before uint8

const (
	beforeOther     before = iota // start of text or a non-word character other than "="
	beforeEquals                  // "="
	beforeASCIIWord               // [0-9A-Za-z_]
	beforeWord                    // a non-ASCII word character
	numBefore
)

// Representative characters for the non-ASCII cases of the prefilter: only
// decimal digits beyond ASCII can start a pattern (\d), and they start the
// same patterns as any non-ASCII digit.
const (
	sampleUniDigit = '\u0663' // ARABIC-INDIC DIGIT THREE
)

// canStart reports whether pattern id can match at a character r preceded
// by b. It may say yes too often (the matcher decides) but never no
// wrongly: it is only the prefilter.
func canStart(id scanID, r rune, b before) bool {
	nonWord := b == beforeOther || b == beforeEquals
	ascii := r < utf8.RuneSelf
	alnum := ascii && alnumASCII(byte(r))
	hex := ascii && isHexByte(byte(r))
	digit := isDigitRune(r)
	switch id {
	case scanEmail:
		return ascii && emailLocal[r]
	case scanURL:
		return nonWord && (r == 'w' || r == 'h' || r == 'f')
	case scanHostname:
		return nonWord && alnum || !nonWord && r == '-'
	case scanIP:
		// IPv4 digits are hex digits too.
		return b != beforeASCIIWord && (hex || r == ':')
	case scanTraceparent:
		return nonWord && (r == '0' || r == '1')
	case scanUUID, scanSHA1, scanMD5, scanGitSHA:
		return nonWord && hex
	case scanSwiftTxnID:
		return nonWord && r == 't'
	case scanDate:
		return digit || r == 'd' || ascii && strings.ContainsRune("SMTWFJAOND", r)
	case scanDuration:
		return digit
	case scanHex, scanInt:
		return nonWord && (hex || digit || r == '-')
	case scanFloat:
		return r == '-' || nonWord && digit
	case scanQuotedStr:
		return b == beforeEquals && (r == '\'' || r == '"')
	case scanBool:
		return b == beforeEquals && (r == 'T' || r == 't' || r == 'F' || r == 'f')
	}
	return true
}

// A compiled set is a pattern list plus its prefilter: for every ASCII
// byte and every kind of left neighbour, the bit set of patterns that may
// start there (bit i is pattern i, so lower bits come first), with the
// kind of left neighbour that byte makes for the next position in the top
// bits, so the scan loop does one load per byte.
type compiled struct {
	ids      []scanID
	names    []string
	ascii    [numBefore][utf8.RuneSelf]uint32
	uniDigit [numBefore]uint32
	email    uint32 // the bit of the email pattern, whose cost needs an "@"
}

const (
	maxPatterns = 28
	beforeShift = 30
	patternBits = 1<<maxPatterns - 1
)

func compile(set patternSet) *compiled {
	if len(set.patterns) > maxPatterns {
		panic("parameterize: too many patterns")
	}
	c := &compiled{}
	for i, p := range set.patterns {
		bit := uint32(1) << i
		c.ids = append(c.ids, p.scan)
		c.names = append(c.names, "<"+p.name+">")
		if p.scan == scanEmail {
			c.email |= bit
		}
		for b := range numBefore {
			for r := range rune(utf8.RuneSelf) {
				if canStart(p.scan, r, b) {
					c.ascii[b][r] |= bit
				}
			}
			if canStart(p.scan, sampleUniDigit, b) {
				c.uniDigit[b] |= bit
			}
		}
	}
	for b := range numBefore {
		for r := range rune(utf8.RuneSelf) {
			c.ascii[b][r] |= uint32(classOf(r)) << beforeShift
		}
	}
	return c
}

// classOf says what kind of left neighbour r is for the character after it.
func classOf(r rune) before {
	switch {
	case r == '=':
		return beforeEquals
	case r < utf8.RuneSelf && r >= 0:
		if asciiClass[r]&clsWord != 0 {
			return beforeASCIIWord
		}
		return beforeOther
	case isWordRune(r):
		return beforeWord
	}
	return beforeOther
}

// scanner holds the state of one replace call.
type scanner struct {
	c *compiled
	s string
	// nextAt is the offset of the first "@" at or after the last position
	// looked at, or len(s) when there is none.
	nextAt int
	// until[i]: pattern i is known to fail at every position before this
	// offset (see run).
	until [maxPatterns]int
}

// next finds the leftmost match at or after from. It returns the start, the
// end and the pattern index, or start -1.
func (sc *scanner) next(from int) (start, end, pat int) {
	s, c := sc.s, sc.c
	b := beforeOther
	if from > 0 {
		b = classOf(runeBefore(s, from))
	}
	email := c.email
	allow := uint32(patternBits)
	if !sc.atAhead(from) {
		allow &^= email
	}
	for p := from; p < len(s); {
		at := p
		var mask uint32
		if ch := s[p]; ch < utf8.RuneSelf {
			mask = c.ascii[b][ch]
			b = before(mask >> beforeShift)
			p++
		} else {
			r, w := utf8.DecodeRuneInString(s[p:])
			if isDigitRune(r) {
				mask = c.uniDigit[b]
			}
			b = classOf(r)
			p += w
		}
		mask &= allow
		if mask&email != 0 && !sc.atAhead(at) {
			allow &^= email // no "@" left at all
			mask &^= email
		}
		for m := mask; m != 0; m &= m - 1 {
			i := bits.TrailingZeros32(m)
			if at < sc.until[i] {
				continue
			}
			e, until := run(c.ids[i], s, at)
			if e >= 0 {
				return at, e, i
			}
			sc.until[i] = until
		}
	}
	return -1, -1, -1
}

// atAhead reports whether there is an "@" at or after p.
func (sc *scanner) atAhead(p int) bool {
	if sc.nextAt < p {
		if i := strings.IndexByte(sc.s[p:], '@'); i >= 0 {
			sc.nextAt = p + i
		} else {
			sc.nextAt = len(sc.s)
		}
	}
	return sc.nextAt < len(sc.s)
}

func (c *compiled) replace(s string) string {
	sc := scanner{c: c, s: s, nextAt: -1}
	start, end, pat := sc.next(0)
	if start < 0 {
		return s
	}
	var b strings.Builder
	// Placeholders can be longer than what they replace ("1" is "<int>");
	// the slack makes a second allocation rare.
	b.Grow(len(s) + 32)
	last := 0
	for start >= 0 {
		b.WriteString(s[last:start])
		b.WriteString(c.names[pat])
		last = end
		start, end, pat = sc.next(end)
	}
	b.WriteString(s[last:])
	return b.String()
}
