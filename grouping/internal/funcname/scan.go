package funcname

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The scanners in this file are hand-written rather than regexp-based for
// two reasons: Sentry's patterns use Python's Unicode-aware \d, \s and \b,
// which Go's regexp spells differently (ASCII only), and names are trimmed
// once per frame of every event, where a few byte scans beat a regexp engine
// by an order of magnitude. Each function names the Python pattern it
// matches.

// pyIsSpace reports whether Python's str.isspace accepts r. It differs from
// unicode.IsSpace only in also accepting the ASCII separators U+001C–U+001F.
func pyIsSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || ('\t' <= r && r <= '\r') || (0x1c <= r && r <= 0x1f)
	}
	return unicode.IsSpace(r)
}

// isWordRune reports whether r is a \w character of a Python str pattern.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// pyStrip is Python's str.strip().
func pyStrip(s string) string {
	return pyRStrip(strings.TrimLeftFunc(s, pyIsSpace))
}

// pyRStrip is Python's str.rstrip().
func pyRStrip(s string) string {
	return strings.TrimRightFunc(s, pyIsSpace)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// pyEnd is where a Python "$" (without MULTILINE) first matches going
// backwards: before a final newline if there is one, else at the end. A
// pattern anchored with "$" that cannot end with a newline can only match
// ending there.
func pyEnd(s string) int {
	if strings.HasSuffix(s, "\n") {
		return len(s) - 1
	}
	return len(s)
}

// replaceEnclosed is Sentry's replace_enclosed_string: every top-level
// open…close group of s is replaced by repl(content, offset of the opener),
// and text outside groups is kept. The quirks are Sentry's and are kept: s
// comes back untouched when it has no opener at all; an unmatched closer
// drives the depth negative, which hides text until an opener brings it back
// to zero; and an unclosed group swallows the rest of s. Offsets are byte
// offsets, which is all callers need (they only test for zero); open and close
// are ASCII, so no UTF-8 sequence is ever split.
func replaceEnclosed(s string, open, close byte, repl func(inner string, start int) string) string {
	if strings.IndexByte(s, open) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	depth, start, run := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != open && c != close {
			continue
		}
		// Text since the previous bracket is kept only at depth zero; the
		// depth does not change in between.
		if depth == 0 {
			b.WriteString(s[run:i])
		}
		if c == open {
			if depth == 0 {
				start = i
			}
			depth++
		} else {
			depth--
			if depth == 0 {
				b.WriteString(repl(s[start+1:i], start))
			}
		}
		run = i + 1
	}
	if depth == 0 {
		b.WriteString(s[run:])
	}
	return b.String()
}

// closerOf maps an opening bracket of split_func_tokens to its closer.
func closerOf(c byte) byte {
	switch c {
	case '(':
		return ')'
	case '{':
		return '}'
	case '[':
		return ']'
	case '<':
		return '>'
	}
	return 0
}

// splitTokens is Sentry's split_func_tokens: s is split at whitespace that is
// outside (), {}, [] and <>. Text after an unclosed bracket is dropped, and a
// closer that does not match the innermost opener is kept as text. Tokens are
// substrings of s, appended to dst.
func splitTokens(s string, dst []string) []string {
	if s == "" {
		return dst
	}
	if strings.IndexAny(s, "({<[") < 0 && strings.IndexFunc(s, pyIsSpace) < 0 {
		return append(dst, s)
	}
	var stackStore [16]byte
	stack := stackStore[:0]
	tokStart, tokEnd, end := -1, 0, 0
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if len(stack) == 0 {
				if pyIsSpace(r) {
					if tokStart >= 0 {
						dst = append(dst, s[tokStart:tokEnd])
						tokStart = -1
					}
				} else {
					if tokStart < 0 {
						tokStart = end
					}
					tokEnd = i + size
				}
				end = i + size
			}
			i += size
			continue
		}
		switch {
		case closerOf(c) != 0:
			stack = append(stack, closerOf(c))
		case len(stack) > 0 && c == stack[len(stack)-1]:
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				if tokStart < 0 {
					tokStart = end
				}
				tokEnd = i + 1
				end = i + 1
			}
		case len(stack) == 0:
			if pyIsSpace(rune(c)) {
				if tokStart >= 0 {
					dst = append(dst, s[tokStart:tokEnd])
					tokStart = -1
				}
			} else {
				if tokStart < 0 {
					tokStart = end
				}
				tokEnd = i + 1
			}
			end = i + 1
		}
		i += size
	}
	if tokStart >= 0 {
		dst = append(dst, s[tokStart:tokEnd])
	}
	return dst
}

// cppTrailer matches (\bconst\b|&)$ on a right-stripped s and returns where
// the match starts.
func cppTrailer(s string) (int, bool) {
	if strings.HasSuffix(s, "&") {
		return len(s) - 1, true
	}
	if !strings.HasSuffix(s, "const") {
		return 0, false
	}
	n := len(s) - len("const")
	if n > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:n]); isWordRune(r) {
			return 0, false
		}
	}
	return n, true
}

// wordBefore reports whether the rune ending at byte i of s is a word
// character (false at the start of s).
func wordBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isWordRune(r)
}

// wordAt reports whether the rune starting at byte i of s is a word
// character (false at the end of s).
func wordAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isWordRune(r)
}

// digitsAt returns the end of the run of Unicode decimal digits (Python's \d)
// starting at byte i of s.
func digitsAt(s string, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if c < '0' || c > '9' {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsDigit(r) {
			return i
		}
		i += size
	}
	return i
}

func isLowerHex(c byte) bool { return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') }
func isUpperHex(c byte) bool { return ('0' <= c && c <= '9') || ('A' <= c && c <= 'F') }

// hexRun reports whether s[i:i+n] exists and is all hex digits of one case.
func hexRun(s string, i, n int, ok func(byte) bool) bool {
	if i < 0 || i+n > len(s) {
		return false
	}
	for j := i; j < i+n; j++ {
		if !ok(s[j]) {
			return false
		}
	}
	return true
}

// lambdaAt matches Sentry's lambda pattern at byte i of s and returns where
// the match ends, or -1. The three compilers' spellings are
//
//	GCC    \{lambda\(.*?\)#\d+\}     main::{lambda(int)#1}
//	MSVC   \blambda_[a-f0-9]{32}\b   lambda_7156c3ceaa11256748687ab67e3ef4cd
//	Clang  \$_\d+\b                  main::$_0
//
// A scan over all of s passes the same gccCursor to every call, which keeps
// the search for GCC's closing ")#<n>}" linear in len(s); nil is fine for a
// single call.
func lambdaAt(s string, i int, cur *gccCursor) int {
	rest := s[i:]
	switch {
	case strings.HasPrefix(rest, "{lambda("):
		// The lazy ".*?" takes the first ")#<digits>}" after the opening,
		// unless a newline comes first.
		if cur == nil {
			cur = new(gccCursor)
		}
		q := i + len("{lambda(")
		if close, end := cur.closeFrom(s, q); close < cur.newlineFrom(s, q) {
			return end
		}
	case strings.HasPrefix(rest, "lambda_"):
		end := i + len("lambda_") + 32
		if !wordBefore(s, i) && hexRun(s, i+len("lambda_"), 32, isLowerHex) && !wordAt(s, end) {
			return end
		}
	case strings.HasPrefix(rest, "$_"):
		if d := digitsAt(s, i+2); d > i+2 && !wordAt(s, d) {
			return d
		}
	}
	return -1
}

// gccCursor remembers, for queries at non-decreasing offsets of one string,
// the next GCC lambda closing ")#<digits>}" and the next newline, so that
// neither is searched for twice.
type gccCursor struct {
	closeValid, nlValid bool
	close, closeEnd     int // len(s) when there is none
	nl                  int // len(s) when there is none
}

// closeFrom returns the offset of the first ")#<digits>}" at or after q and
// the offset just past it, or len(s) twice.
func (c *gccCursor) closeFrom(s string, q int) (int, int) {
	if c.closeValid && q <= c.close {
		return c.close, c.closeEnd
	}
	c.closeValid = true
	c.close, c.closeEnd = len(s), len(s)
	for j := q; j < len(s); j++ {
		if s[j] == ')' && j+1 < len(s) && s[j+1] == '#' {
			if d := digitsAt(s, j+2); d > j+2 && d < len(s) && s[d] == '}' {
				c.close, c.closeEnd = j, d+1
				break
			}
		}
	}
	return c.close, c.closeEnd
}

// newlineFrom returns the offset of the first newline at or after q, or
// len(s).
func (c *gccCursor) newlineFrom(s string, q int) int {
	if c.nlValid && q <= c.nl {
		return c.nl
	}
	c.nlValid = true
	c.nl = len(s)
	if k := strings.IndexByte(s[q:], '\n'); k >= 0 {
		c.nl = q + k
	}
	return c.nl
}

// replaceLambdas replaces every lambda spelling in s by "lambda", scanning
// left to right without overlaps as re.sub does.
func replaceLambdas(s string) string {
	var b strings.Builder
	var cur gccCursor
	kept := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{', 'l', '$':
		default:
			continue
		}
		if end := lambdaAt(s, i, &cur); end >= 0 {
			if kept == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[kept:i])
			b.WriteString("lambda")
			kept = end
			i = end - 1
		}
	}
	if kept == 0 {
		return s
	}
	b.WriteString(s[kept:])
	return b.String()
}

// replaceAnonNamespaceHash rewrites MSVC's hashed anonymous namespace
// (\?A0x[a-f0-9]{8}::) into the protected spelling of `anonymous namespace'.
func replaceAnonNamespaceHash(s string) string {
	const prefix = "?A0x"
	const n = len(prefix) + 8 + len("::")
	var b strings.Builder
	kept := 0
	for i := 0; ; {
		j := strings.Index(s[i:], prefix)
		if j < 0 {
			break
		}
		i += j
		if hexRun(s, i+len(prefix), 8, isLowerHex) && strings.HasPrefix(s[i+len(prefix)+8:], "::") {
			b.WriteString(s[kept:i])
			b.WriteString(protAnonNS + "::")
			i += n
			kept = i
		} else {
			i++
		}
	}
	if kept == 0 {
		return s
	}
	b.WriteString(s[kept:])
	return b.String()
}

// cutRustHash removes a Rust legacy-mangling hash, ::h[a-z0-9]{16}$.
func cutRustHash(s string) string {
	e := pyEnd(s)
	i := e - len("::h") - 16
	if i < 0 || s[i:i+3] != "::h" {
		return s
	}
	for j := i + 3; j < e; j++ {
		if c := s[j]; !('0' <= c && c <= '9') && !('a' <= c && c <= 'z') {
			return s
		}
	}
	return s[:i] + s[e:]
}

// cutGlibcVersion removes GNU symbol versioning, @@?GLIBC_([0-9.]+)$.
func cutGlibcVersion(s string) string {
	e := pyEnd(s)
	k := e
	for k > 0 && (s[k-1] == '.' || ('0' <= s[k-1] && s[k-1] <= '9')) {
		k--
	}
	const tag = "@GLIBC_"
	if k == e || k < len(tag) || s[k-len(tag):k] != tag {
		return s
	}
	i := k - len(tag)
	if i > 0 && s[i-1] == '@' {
		i--
	}
	return s[:i] + s[e:]
}

// cutWindowsDecoration removes the stdcall/fastcall decoration of a Windows
// symbol ("_name@12", "@name@8"), ^@?(.*?)@[0-9]+$ → \1.
func cutWindowsDecoration(s string) string {
	e := pyEnd(s)
	k := e
	for k > 0 && '0' <= s[k-1] && s[k-1] <= '9' {
		k--
	}
	if k == e || k == 0 || s[k-1] != '@' {
		return s
	}
	at := k - 1
	from := 0
	if s[0] == '@' && at >= 1 {
		from = 1
	}
	if strings.IndexByte(s[from:at], '\n') >= 0 {
		return s
	}
	return s[from:at] + s[e:]
}

// il2cppSuffixes are the endings that may follow the method hash of a Unity
// IL2CPP function name and stay after it is cut. Sentry's tests pin these;
// "_RuntimeMethod_var" (a variable, never a frame) is deliberately absent, so
// such a name keeps its hash. Generic instances ("_gp_0_1") are matched
// separately because their index list varies in length.
var il2cppSuffixes = [...]string{
	"",
	"_gshared", "_fshared", "_inline", "_gshared_inline", "_fshared_inline",
	"_AdjustorThunk", "_Multicast",
	"_OpenStatic", "_OpenInstance", "_OpenGenericVirtual",
	"_OpenStaticInvoker", "_OpenVirtualInvoker", "_OpenInterfaceInvoker",
}

// il2cppHashLen is the length of "_m" and a 40-digit upper-case hex hash.
const il2cppHashLen = 2 + 40

// cutIL2CPPHash removes the "_m<40 hex>" hash Unity's IL2CPP appends to
// every managed method it emits ("Foo_Bar_m7486FA…B4" → "Foo_Bar"), keeping
// a known suffix that follows it.
func cutIL2CPPHash(s string) string {
	e := pyEnd(s)
	body := s[:e]
	for _, sfx := range il2cppSuffixes {
		if strings.HasSuffix(body, sfx) {
			if h := len(body) - len(sfx) - il2cppHashLen; isIL2CPPHash(s, h) {
				return s[:h] + s[h+il2cppHashLen:]
			}
		}
	}
	// "_gp" followed by one or more "_<digits>".
	k, groups := len(body), 0
	for {
		d := k
		for d > 0 && '0' <= body[d-1] && body[d-1] <= '9' {
			d--
		}
		if d == k || d == 0 || body[d-1] != '_' {
			break
		}
		k = d - 1
		groups++
	}
	if groups > 0 && strings.HasSuffix(body[:k], "_gp") {
		if h := k - len("_gp") - il2cppHashLen; isIL2CPPHash(s, h) {
			return s[:h] + s[h+il2cppHashLen:]
		}
	}
	return s
}

func isIL2CPPHash(s string, i int) bool {
	return i >= 0 && strings.HasPrefix(s[i:], "_m") && hexRun(s, i+2, 40, isUpperHex)
}
