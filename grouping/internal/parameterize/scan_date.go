package parameterize

// The date pattern is fourteen alternatives (a to n in patterns.go) tried
// in order; the first that matches wins with its own greedy choices. Almost
// every element is followed by something it cannot itself match (a digit
// run by ":" or a space, an optional "-" by a digit), so each alternative
// has a single path that can succeed and is matched straight through.

func matchDate(s string, p int) int {
	c := s[p]
	if c >= 'A' && c <= 'Z' {
		// Every alternative that starts with a letter starts with a day
		// or a month name.
		if d, _ := day(s, p); d < 0 && month(s, p) < 0 {
			return -1
		}
		return dateNamed(s, p)
	}
	if c == 'd' {
		return dateRepr(s, p)
	}
	// The numeric alternatives need four digits (d, f, g, j) or one or two
	// (h, i, k, m); a run of three starts nothing.
	n := 0
	for i := p; n < 4; n++ {
		if i = digit(s, i); i < 0 {
			break
		}
	}
	switch {
	case n >= 4:
		return dateNumeric(s, p)
	case n >= 1 && n <= 2:
		return dateShort(s, p)
	}
	return -1
}

// dateNamed tries the alternatives that can start with a day or month
// name: a, b, c, e, l and m (in that order; the numeric ones in between
// cannot start with a letter).
func dateNamed(s string, p int) int {
	if i := dateRFC822(s, p); i >= 0 {
		return i
	}
	if i := dateLong(s, p); i >= 0 {
		return i
	}
	if i := dateRFC850(s, p); i >= 0 {
		return i
	}
	if i := dateJS(s, p); i >= 0 {
		return i
	}
	if i := dateOldCTime(s, p); i >= 0 {
		return i
	}
	return dateOldRFC822(s, p)
}

// dateNumeric tries the alternatives that can start with four digits: d,
// f, g and j.
func dateNumeric(s string, p int) int {
	if i := dateRFC3339(s, p); i >= 0 {
		return i
	}
	if dt := dateTime(s, p); dt >= 0 {
		// f: with an offset, g: without; each with fractional seconds,
		// seconds, or neither.
		secs := byteIn(s, opt(s, dt, ':'), '0', '5')
		secs = digit(s, secs)
		frac := -1
		if i := char(s, secs, '.'); i >= 0 {
			if e, n := digitRun(s, i); n > 0 {
				frac = e
			}
		}
		for _, i := range [...]int{frac, secs, dt} {
			if e := offset(s, i); e >= 0 {
				return e
			}
		}
		for _, i := range [...]int{frac, secs} {
			if i >= 0 {
				return i
			}
		}
		return dt
	}
	// j: \d{4}-[01]\d-[0-3]\d
	return digit(s, byteIn(s, char(s, digit(s, byteIn(s, char(s, digits(s, p, 4), '-'), '0', '1')), '-'), '0', '3'))
}

// dateShort tries the alternatives that can start with one or two digits:
// h, i, k and m.
func dateShort(s string, p int) int {
	if i := dateClock12(s, p); i >= 0 {
		return i
	}
	if i := dateClock24(s, p); i >= 0 {
		return i
	}
	// k: [0-2]\d:[0-5]\d:[0-5]\d
	i := byteIn(s, p, '0', '2')
	for range 2 {
		i = byteIn(s, char(s, digit(s, i), ':'), '0', '5')
	}
	if i = digit(s, i); i >= 0 {
		return i
	}
	return dateOldRFC822(s, p)
}

// dayLong completes each day name to the full name, in the order of day's
// result.
var dayLong = [...]string{"day", "day", "sday", "nesday", "rsday", "day", "urday"}

// key3 packs three bytes for a switch over names.
func key3(s string, i int) uint32 {
	return uint32(s[i])<<16 | uint32(s[i+1])<<8 | uint32(s[i+2])
}

// day matches Sun|Mon|Tue|Wed|Thu|Fri|Sat and says which one.
func day(s string, i int) (int, int) {
	if i < 0 || len(s)-i < 3 {
		return -1, -1
	}
	n := -1
	switch key3(s, i) {
	case 'S'<<16 | 'u'<<8 | 'n':
		n = 0
	case 'M'<<16 | 'o'<<8 | 'n':
		n = 1
	case 'T'<<16 | 'u'<<8 | 'e':
		n = 2
	case 'W'<<16 | 'e'<<8 | 'd':
		n = 3
	case 'T'<<16 | 'h'<<8 | 'u':
		n = 4
	case 'F'<<16 | 'r'<<8 | 'i':
		n = 5
	case 'S'<<16 | 'a'<<8 | 't':
		n = 6
	default:
		return -1, -1
	}
	return i + 3, n
}

// month matches Jan|Feb|...|Dec.
func month(s string, i int) int {
	if i < 0 || len(s)-i < 3 {
		return -1
	}
	switch key3(s, i) {
	case 'J'<<16 | 'a'<<8 | 'n', 'F'<<16 | 'e'<<8 | 'b', 'M'<<16 | 'a'<<8 | 'r',
		'A'<<16 | 'p'<<8 | 'r', 'M'<<16 | 'a'<<8 | 'y', 'J'<<16 | 'u'<<8 | 'n',
		'J'<<16 | 'u'<<8 | 'l', 'A'<<16 | 'u'<<8 | 'g', 'S'<<16 | 'e'<<8 | 'p',
		'O'<<16 | 'c'<<8 | 't', 'N'<<16 | 'o'<<8 | 'v', 'D'<<16 | 'e'<<8 | 'c':
		return i + 3
	}
	return -1
}

// zone matches (?:UT|GMT|(?:E|C|M|P)(?:ST|DT)|[A-IK-Z]): the first
// alternative that fits, with nothing after it to force another.
func zone(s string, i int) int {
	if i < 0 || i >= len(s) {
		return -1
	}
	if j := lit(s, i, "UT"); j >= 0 {
		return j
	}
	if j := lit(s, i, "GMT"); j >= 0 {
		return j
	}
	switch s[i] {
	case 'E', 'C', 'M', 'P':
		if j := lit(s, i+1, "ST"); j >= 0 {
			return j
		}
		if j := lit(s, i+1, "DT"); j >= 0 {
			return j
		}
	}
	if c := s[i]; 'A' <= c && c <= 'Z' && c != 'J' {
		return i + 1
	}
	return -1
}

// numericZone matches [-\+][\d]{2}[0-5][\d].
func numericZone(s string, i int) int {
	if i < 0 || i >= len(s) || s[i] != '-' && s[i] != '+' {
		return -1
	}
	return digit(s, byteIn(s, digits(s, i+1, 2), '0', '5'))
}

// anyZone matches ([-\+][\d]{2}[0-5][\d]|TZ).
func anyZone(s string, i int) int {
	if j := numericZone(s, i); j >= 0 {
		return j
	}
	return zone(s, i)
}

// a: DAY,\s\d{1,2}\sMON\s\d{2,4}\s\d{1,2}:\d{1,2}(:\d{1,2})?\s(numeric zone|TZ)
func dateRFC822(s string, p int) int {
	i, _ := day(s, p)
	i = space(s, char(s, i, ','))
	i = space(s, digitsUpTo(s, i, 1, 2))
	i = space(s, month(s, i))
	i = space(s, digitsUpTo(s, i, 2, 4))
	i = char(s, digitsUpTo(s, i, 1, 2), ':')
	i = digitsUpTo(s, i, 1, 2)
	if j := char(s, i, ':'); j >= 0 {
		// With a ":" next, only the seconds branch can be followed by \s.
		i = digitsUpTo(s, j, 1, 2)
	}
	return anyZone(s, space(s, i))
}

// b: (DAY\s)?MON\s[0-3]\d,\s\d{2,4}
func dateLong(s string, p int) int {
	i := p
	if j, _ := day(s, p); j >= 0 {
		if j = space(s, j); j >= 0 {
			i = j
		}
	}
	i = space(s, month(s, i))
	i = digit(s, byteIn(s, i, '0', '3'))
	i = space(s, char(s, i, ','))
	if i < 0 {
		return -1
	}
	end, n := i, 0
	for n < 4 {
		j := digit(s, end)
		if j < 0 {
			break
		}
		end, n = j, n+1
	}
	if n < 2 {
		return -1
	}
	return end
}

// c: (Sun|Sunday|...),\s\d{2}-MON-\d{2}\s\d{2}:\d{2}:\d{2}\sTZ
func dateRFC850(s string, p int) int {
	i, d := day(s, p)
	if i < 0 {
		return -1
	}
	if j := char(s, i, ','); j >= 0 {
		i = j
	} else {
		i = char(s, lit(s, i, dayLong[d]), ',')
	}
	i = char(s, digits(s, space(s, i), 2), '-')
	i = char(s, month(s, i), '-')
	i = space(s, digits(s, i, 2))
	i = char(s, digits(s, i, 2), ':')
	i = char(s, digits(s, i, 2), ':')
	i = space(s, digits(s, i, 2))
	return zone(s, i)
}

// d: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?([+-]?\d{2}:\d{2})?
func dateRFC3339(s string, p int) int {
	i := char(s, digits(s, p, 4), '-')
	i = char(s, digits(s, i, 2), '-')
	i = char(s, digits(s, i, 2), 'T')
	i = char(s, digits(s, i, 2), ':')
	i = char(s, digits(s, i, 2), ':')
	i = digits(s, i, 2)
	if i < 0 {
		return -1
	}
	if j := char(s, i, '.'); j >= 0 {
		if e, n := digitRun(s, j); n > 0 {
			i = e
		}
	}
	i = opt(s, i, 'Z')
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	if j = digits(s, char(s, digits(s, j, 2), ':'), 2); j >= 0 {
		return j
	}
	return i
}

// e: DAY\sMON\s\d{2}\s\d{4}\s\d{2}:\d{2}:\d{2}\sGMT[+-]\d{4}(?:\s\([^)]+\))?
func dateJS(s string, p int) int {
	i, _ := day(s, p)
	i = space(s, month(s, space(s, i)))
	i = space(s, digits(s, i, 2))
	i = space(s, digits(s, i, 4))
	i = char(s, digits(s, i, 2), ':')
	i = char(s, digits(s, i, 2), ':')
	i = space(s, digits(s, i, 2))
	i = lit(s, i, "GMT")
	if i < 0 || i >= len(s) || s[i] != '+' && s[i] != '-' {
		return -1
	}
	if i = digits(s, i+1, 4); i < 0 {
		return -1
	}
	if j := char(s, space(s, i), '('); j >= 0 {
		for k := j; k < len(s); k++ {
			if s[k] == ')' {
				if k > j {
					return k + 1
				}
				break
			}
		}
	}
	return i
}

// dateTime is the common head of f and g:
// \d{4}-?[01]\d-?[0-3]\d[\sT][0-2]\d:?[0-5]\d
func dateTime(s string, p int) int {
	i := opt(s, digits(s, p, 4), '-')
	i = opt(s, digit(s, byteIn(s, i, '0', '1')), '-')
	i = digit(s, byteIn(s, i, '0', '3'))
	if j := char(s, i, 'T'); j >= 0 {
		i = j
	} else {
		i = space(s, i)
	}
	i = opt(s, digit(s, byteIn(s, i, '0', '2')), ':')
	return digit(s, byteIn(s, i, '0', '5'))
}

// offset matches ([+-][0-2]\d:?[0-5]\d|Z).
func offset(s string, i int) int {
	if i < 0 || i >= len(s) {
		return -1
	}
	switch s[i] {
	case '+', '-':
		j := opt(s, digit(s, byteIn(s, i+1, '0', '2')), ':')
		return digit(s, byteIn(s, j, '0', '5'))
	case 'Z':
		return i + 1
	}
	return -1
}

// clockRest matches :[0-5]\d(:[0-5]\d)?(?![\d:]) after an hour.
func clockRest(s string, i int) int {
	i = digit(s, byteIn(s, char(s, i, ':'), '0', '5'))
	if i < 0 {
		return -1
	}
	if i < len(s) && s[i] == ':' {
		// Without the seconds the lookahead would see this ":".
		i = digit(s, byteIn(s, i+1, '0', '5'))
	}
	if i < 0 || i < len(s) && s[i] == ':' || digit(s, i) >= 0 {
		return -1
	}
	return i
}

// h: (?<!\d)([1-9]|1[0-2]):[0-5]\d(:[0-5]\d)?(?![\d:])(?:\s?[aApP][Mm])?
func dateClock12(s string, p int) int {
	if digitBefore(s, p) {
		return -1
	}
	i := byteIn(s, p, '1', '9')
	if i < 0 || i >= len(s) || s[i] != ':' {
		// The hour can only be one digit or 1[0-2]; both end at ":".
		i = byteIn(s, char(s, p, '1'), '0', '2')
	}
	if i = clockRest(s, i); i < 0 {
		return -1
	}
	j := i
	if k := space(s, j); k >= 0 {
		j = k
	}
	if j+1 < len(s) && (s[j]|0x20 == 'a' || s[j]|0x20 == 'p') && s[j+1]|0x20 == 'm' {
		return j + 2
	}
	return i
}

// i: (?<!\d)(0?\d|1\d|2[0-3]):[0-5]\d(:[0-5]\d)?(?![\d:])
func dateClock24(s string, p int) int {
	if digitBefore(s, p) {
		return -1
	}
	// One-digit hours (any \d) end before ":", two-digit ones ("0\d",
	// "1\d", "2[0-3]") before the ":" one character later; at most one of
	// the two can be followed by ":".
	i := digit(s, p)
	if i < 0 {
		return -1
	}
	if i >= len(s) || s[i] != ':' {
		switch s[p] {
		case '0', '1':
			i = digit(s, i)
		case '2':
			i = byteIn(s, i, '0', '3')
		default:
			return -1
		}
	}
	return clockRest(s, i)
}

// l: \b(?:DAY\s+)?MON\s+[\d]{1,2}\s+[\d]{2}:[\d]{2}:[\d]{2}\s+[\d]{4}
func dateOldCTime(s string, p int) int {
	if !boundary(s, p) {
		return -1
	}
	i := p
	if j, _ := day(s, p); j >= 0 {
		if j = spaces(s, j); j >= 0 {
			i = j
		}
	}
	i = spaces(s, month(s, i))
	i = spaces(s, digitsUpTo(s, i, 1, 2))
	i = char(s, digits(s, i, 2), ':')
	i = char(s, digits(s, i, 2), ':')
	i = spaces(s, digits(s, i, 2))
	return digits(s, i, 4)
}

// m: \b(?:DAY,\s+)?(0[1-9]|[1-2]?[\d]|3[01])\s+MON\s+(19[\d]{2}|[2-9][\d]{3})\s+
// (2[0-3]|[0-1][\d]):([0-5][\d])(?::(60|[0-5][\d]))?\s+(numeric zone|TZ)
func dateOldRFC822(s string, p int) int {
	if !boundary(s, p) {
		return -1
	}
	i := p
	if j, _ := day(s, p); j >= 0 {
		if j = spaces(s, char(s, j, ',')); j >= 0 {
			i = j
		}
	}
	i = spaces(s, dayOfMonth(s, i))
	i = spaces(s, month(s, i))
	if j := lit(s, i, "19"); j >= 0 {
		i = digits(s, j, 2)
	} else {
		i = digits(s, byteIn(s, i, '2', '9'), 3)
	}
	i = spaces(s, i)
	if j := char(s, i, '2'); j >= 0 {
		i = byteIn(s, j, '0', '3')
	} else {
		i = digit(s, byteIn(s, i, '0', '1'))
	}
	i = digit(s, byteIn(s, char(s, i, ':'), '0', '5'))
	if j := char(s, i, ':'); j >= 0 {
		if k := lit(s, j, "60"); k >= 0 {
			i = k
		} else {
			i = digit(s, byteIn(s, j, '0', '5'))
		}
	}
	return anyZone(s, spaces(s, i))
}

// dayOfMonth matches (0[1-9]|[1-2]?[\d]|3[01]) followed by \s: either one
// digit or two, and only one of the two can have the space after it.
func dayOfMonth(s string, i int) int {
	j := digit(s, i)
	if j < 0 {
		return -1
	}
	if space(s, j) >= 0 {
		return j
	}
	switch s[i] {
	case '0':
		return byteIn(s, j, '1', '9')
	case '1', '2':
		return digit(s, j)
	case '3':
		return byteIn(s, j, '0', '1')
	}
	return -1
}

// n: datetime.datetime\(.*?\) where the first "." is any character but a
// newline and the lazy .*? stops at the first ")" on the same line.
func dateRepr(s string, p int) int {
	i := lit(s, p, "datetime")
	if i < 0 {
		return -1
	}
	r, w := runeAt(s, i)
	if w == 0 || r == '\n' {
		return -1
	}
	if i = lit(s, i+w, "datetime("); i < 0 {
		return -1
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case ')':
			return i + 1
		case '\n':
			return -1
		}
	}
	return -1
}
