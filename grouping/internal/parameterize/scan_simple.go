package parameterize

import (
	"slices"
	"strings"
)

// Matchers for the patterns other than ip and date. Each takes the text and
// a start offset p and returns the end of the match Python's re would find
// at p for that one pattern, or -1. Most elements of these patterns are
// followed by something they cannot match themselves (a digit run by ".",
// a hex run by \b), so backtracking could never find a second path; the
// matchers follow the one path there is.

// emailLocal is the class of the part before "@".
var emailLocal = byteSet("a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-")

// emailDomain is [a-zA-Z0-9-].
var emailDomain = byteSet("a-zA-Z0-9-")

// byteSet builds a 256-entry membership table from a class body such as
// "a-z0-9_"; a '-' that is first or last is literal.
func byteSet(body string) (t [256]bool) {
	for i := 0; i < len(body); i++ {
		if i+2 < len(body) && body[i+1] == '-' {
			for c := int(body[i]); c <= int(body[i+2]); c++ {
				t[c] = true
			}
			i += 2
			continue
		}
		t[body[i]] = true
	}
	return t
}

// email: the local-part class cannot contain "@", so the greedy run has to
// end exactly at the "@"; the domain runs are greedy with nothing after.
// A failure carries to the end of the local-part run: a later start in it
// reaches the same end.
func matchEmail(s string, p int) (end, until int) {
	i := p
	for i < len(s) && emailLocal[s[i]] {
		i++
	}
	if i == p || i >= len(s) || s[i] != '@' {
		return -1, max(i, p+1)
	}
	if end = emailDomainEnd(s, i+1); end < 0 {
		return -1, i
	}
	return end, 0
}

// emailDomainEnd matches [a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)* at i.
func emailDomainEnd(s string, i int) int {
	j := i
	for j < len(s) && emailDomain[s[j]] {
		j++
	}
	if j == i {
		return -1
	}
	for j+1 < len(s) && s[j] == '.' && emailDomain[s[j+1]] {
		j += 2
		for j < len(s) && emailDomain[s[j]] {
			j++
		}
	}
	return j
}

// url: \b(wss?|https?|ftp)://[^\s/$.?#].[^\s]*
func matchURL(s string, p int) int {
	if !boundary(s, p) {
		return -1
	}
	i := -1
	switch s[p] {
	case 'w':
		if i = lit(s, p, "wss://"); i < 0 {
			i = lit(s, p, "ws://")
		}
	case 'h':
		if i = lit(s, p, "https://"); i < 0 {
			i = lit(s, p, "http://")
		}
	case 'f':
		i = lit(s, p, "ftp://")
	}
	if i < 0 {
		return -1
	}
	// [^\s/$.?#]
	r, w := runeAt(s, i)
	if w == 0 || isSpaceRune(r) || r == '/' || r == '$' || r == '.' || r == '?' || r == '#' {
		return -1
	}
	i += w
	// . (anything but a newline, including other whitespace)
	r, w = runeAt(s, i)
	if w == 0 || r == '\n' {
		return -1
	}
	i += w
	// [^\s]*
	for {
		r, w = runeAt(s, i)
		if w == 0 || isSpaceRune(r) {
			return i
		}
		i += w
	}
}

// hostLabel is [a-zA-Z0-9\-].
var hostLabel = byteSet("a-zA-Z0-9-")

// tlds holds the top-level domains hostname accepts, lowercased and packed
// into a uint64 each (the longest has six letters), sorted for search.
var tlds = func() []uint64 {
	list := strings.Split("com|net|org|jp|de|uk|fr|br|it|ru|es|me|gov|pl|ca|au|cn|co|in|nl|edu|info|eu|ch|id|at|kr|cz|mx|be|tv|se|tr|tw|al|ua|ir|vn|cl|sk|ly|cc|to|no|fi|us|pt|dk|ar|hu|tk|gr|il|news|ro|my|biz|ie|za|nz|sg|ee|th|io|xyz|pe|bg|hk|rs|lt|link|ph|club|si|site|mobi|by|cat|wiki|la|ga|xxx|cf|hr|ng|jobs|online|kz|ug|gq|ae|is|lv|pro|fm|tips|ms|sa|app", "|")
	keys := make([]uint64, len(list))
	for i, t := range list {
		keys[i], _ = tldKey(t)
	}
	slices.Sort(keys)
	return keys
}()

// tldKey packs a word of one to six ASCII letters, all lowercase or all
// uppercase (Sentry lists both spellings, never mixed case), lowercased.
func tldKey(w string) (uint64, bool) {
	if len(w) == 0 || len(w) > 6 {
		return 0, false
	}
	upper := 'A' <= w[0] && w[0] <= 'Z'
	var k uint64
	for i := range len(w) {
		c := w[i]
		if upper {
			if c < 'A' || c > 'Z' {
				return 0, false
			}
			c += 'a' - 'A'
		} else if c < 'a' || c > 'z' {
			return 0, false
		}
		k = k<<8 | uint64(c)
	}
	return k, true
}

func isTLD(w string) bool {
	k, ok := tldKey(w)
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(tlds, k)
	return found
}

// hostname: \b([a-zA-Z0-9\-]{1,63}\.)+?(TLD)\b
//
// A label has to end at its ".", so each label is the whole run of label
// characters (at most 63). The lazy +? tries the TLD after every label,
// and because a TLD is all letters and must be followed by \b, only the
// TLD equal to the complete word after the dot can match.
//
// A failure carries to the start of the label that broke the chain: a
// later start before it walks the same labels to the same break.
func matchHostname(s string, p int) (end, until int) {
	if !boundary(s, p) {
		return -1, p + 1
	}
	i := p
	for {
		j := i
		for j < len(s) && j-i <= 63 && hostLabel[s[j]] {
			j++
		}
		if j == i || j-i > 63 || j >= len(s) || s[j] != '.' {
			return -1, max(i, p+1)
		}
		i = j + 1
		k := i
		for k < len(s) && k-i < 6 && ('a' <= s[k] && s[k] <= 'z' || 'A' <= s[k] && s[k] <= 'Z') {
			k++
		}
		if k > i && !wordAt(s, k) && isTLD(s[i:k]) {
			return k, 0
		}
	}
}

// traceparent: (\b00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]\b)|(\b1-[0-9a-f]{8}-[0-9a-f]{24}\b)
func matchTraceparent(s string, p int) int {
	if !boundary(s, p) {
		return -1
	}
	if i := lit(s, p, "00-"); i >= 0 {
		i = lowerHexN(s, i, 32)
		i = char(s, i, '-')
		i = lowerHexN(s, i, 16)
		i = lit(s, i, "-0")
		i = byteIn(s, i, '0', '1')
		if i >= 0 && !wordAt(s, i) {
			return i
		}
	}
	if i := lit(s, p, "1-"); i >= 0 {
		i = lowerHexN(s, i, 8)
		i = char(s, i, '-')
		i = lowerHexN(s, i, 24)
		if i >= 0 && !wordAt(s, i) {
			return i
		}
	}
	return -1
}

// lowerHexN matches [0-9a-f]{n}.
func lowerHexN(s string, i, n int) int {
	if i < 0 || len(s)-i < n {
		return -1
	}
	for _, c := range []byte(s[i : i+n]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return -1
		}
	}
	return i + n
}

// anyHexN matches [0-9a-fA-F]{n}.
func anyHexN(s string, i, n int) int {
	if i < 0 || len(s)-i < n {
		return -1
	}
	for _, c := range []byte(s[i : i+n]) {
		if !isHexByte(c) {
			return -1
		}
	}
	return i + n
}

// uuid: \b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b
func matchUUID(s string, p int) int {
	if len(s)-p < 36 || s[p+8] != '-' || !boundary(s, p) {
		return -1
	}
	i := anyHexN(s, p, 8)
	for _, n := range [...]int{4, 4, 4, 12} {
		i = anyHexN(s, char(s, i, '-'), n)
	}
	if i < 0 || wordAt(s, i) {
		return -1
	}
	return i
}

// hexWord matches \b[0-9a-fA-F]{n}\b: the whole word must be n hex digits.
func hexWord(s string, p, n int) int {
	if len(s)-p < n || !isHexByte(s[p+n-1]) || !boundary(s, p) {
		return -1
	}
	i := anyHexN(s, p, n)
	if i < 0 || wordAt(s, i) {
		return -1
	}
	return i
}

func matchSHA1(s string, p int) int { return hexWord(s, p, 40) }
func matchMD5(s string, p int) int  { return hexWord(s, p, 32) }

// duration: \b(\d+ms) | (\d+(\.\d+)?s)\b
//
// Verbose mode makes this two alternatives: "\b(\d+ms)" with no boundary
// after, and "(\d+(\.\d+)?s)\b" with no boundary before, which can start in
// the middle of a word. A failure carries to the end of the digit run:
// inside it \b fails and the second alternative reaches the same end.
func matchDuration(s string, p int) (end, until int) {
	end, n := digitRun(s, p)
	if n == 0 {
		return -1, p + 1
	}
	if boundary(s, p) {
		if i := lit(s, end, "ms"); i >= 0 {
			return i, 0
		}
	}
	if i := char(s, end, '.'); i >= 0 {
		if e, m := digitRun(s, i); m > 0 {
			if e = char(s, e, 's'); e >= 0 && !wordAt(s, e) {
				return e, 0
			}
		}
	}
	if i := char(s, end, 's'); i >= 0 && !wordAt(s, i) {
		return i, 0
	}
	return -1, end
}

// swift_txn_id: (\btx[0-9a-f]{21}-[0-9a-f]{10}\S*)
func matchSwiftTxnID(s string, p int) int {
	if !boundary(s, p) {
		return -1
	}
	i := lit(s, p, "tx")
	i = lowerHexN(s, i, 21)
	i = char(s, i, '-')
	i = lowerHexN(s, i, 10)
	if i < 0 {
		return -1
	}
	for {
		r, w := runeAt(s, i)
		if w == 0 || isSpaceRune(r) {
			return i
		}
		i += w
	}
}

// signedStart matches the (\b|(?<!\w)-) prefix shared by hex and int and
// returns where the digits start. The two branches exclude each other: \b
// before a "-" means a word character precedes it, which (?<!\w) forbids.
func signedStart(s string, p int) int {
	if s[p] == '-' {
		if wordBefore(s, p) {
			return -1
		}
		return p + 1
	}
	if !boundary(s, p) {
		return -1
	}
	return p
}

// hex:
//
//	(\b0[xX][0-9a-fA-F]+\b) |
//	(\b|(?<!\w)-)( mixed lower 4-6 | mixed upper 4-6 | lower 8-128 | upper 8-128 )\b
//
// Every run is followed by \b, so it has to be a whole word: a shorter
// prefix would leave a hex digit (a word character) next. The lookaheads
// then just ask the word for at least one digit and one letter.
func matchHex(s string, p int) int {
	if s[p] == '0' && p+1 < len(s) && (s[p+1] == 'x' || s[p+1] == 'X') && boundary(s, p) {
		i := p + 2
		for i < len(s) && isHexByte(s[i]) {
			i++
		}
		if i > p+2 && !wordAt(s, i) {
			return i
		}
	}
	q := signedStart(s, p)
	if q < 0 || len(s)-q < 4 || !isHexByte(s[q+3]) {
		return -1
	}
	end, lower, upper, digits := hexRunKind(s, q)
	if end == q || wordAt(s, end) {
		return -1
	}
	n := end - q
	switch {
	case 4 <= n && n <= 6:
		// (?=[a-f]*[0-9])(?=[0-9]*[a-f]) on a whole word of one case.
		if digits && (lower != upper) {
			return end
		}
	case 8 <= n && n <= 128:
		if !(lower && upper) {
			return end
		}
	}
	return -1
}

// hexRunKind scans [0-9a-fA-F]* at i and reports which kinds of
// characters the run holds.
func hexRunKind(s string, i int) (end int, lower, upper, digits bool) {
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits = true
		case 'a' <= c && c <= 'f':
			lower = true
		case 'A' <= c && c <= 'F':
			upper = true
		default:
			return i, lower, upper, digits
		}
	}
	return i, lower, upper, digits
}

// git_sha: (\b(?=[a-f]*[0-9])(?=[0-9]*[a-f])[0-9a-f]{7}\b)
func matchGitSHA(s string, p int) int {
	if len(s)-p < 7 || !isHexByte(s[p+6]) || !boundary(s, p) {
		return -1
	}
	i, lower, upper, digits := hexRunKind(s, p)
	if i-p != 7 || upper || !lower || !digits || wordAt(s, i) {
		return -1
	}
	return i
}

// float: -\d+\.\d+\b | \b\d+\.\d+\b (the "-" form has no lookbehind).
func matchFloat(s string, p int) int {
	i := p
	if s[p] == '-' {
		i++
	} else if !boundary(s, p) {
		return -1
	}
	end, n := digitRun(s, i)
	if n == 0 {
		return -1
	}
	i = char(s, end, '.')
	if i < 0 {
		return -1
	}
	end, n = digitRun(s, i)
	if n == 0 || wordAt(s, end) {
		return -1
	}
	return end
}

// int: (\b|(?<!\w)-)\d{1,7}\b
func matchInt(s string, p int) int {
	q := signedStart(s, p)
	if q < 0 {
		return -1
	}
	end, n := digitRun(s, q)
	if n == 0 || n > 7 || wordAt(s, end) {
		return -1
	}
	return end
}

// quoted_str: (?<==)('([^']+)'|"([^"]+)")
func matchQuotedStr(s string, p int) int {
	if p == 0 || s[p-1] != '=' {
		return -1
	}
	q := s[p]
	if q != '\'' && q != '"' {
		return -1
	}
	for i := p + 1; i < len(s); i++ {
		if s[i] == q {
			if i == p+1 {
				return -1
			}
			return i + 1
		}
	}
	return -1
}

// bool: (?<==)(True|true|False|false), with no boundary after.
func matchBool(s string, p int) int {
	if p == 0 || s[p-1] != '=' {
		return -1
	}
	for _, b := range [...]string{"True", "true", "False", "false"} {
		if i := lit(s, p, b); i >= 0 {
			return i
		}
	}
	return -1
}
