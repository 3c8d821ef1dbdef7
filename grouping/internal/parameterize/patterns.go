package parameterize

// A pattern is one named alternative of Sentry's parameterization regex.
//
// source is the pattern text exactly as Sentry compiles it (verbose mode:
// unescaped whitespace and # comments outside classes are not part of the
// regex), and lookbehind is the positive lookbehind Sentry puts before the
// named group. The scanner never reads either: it calls the hand-written
// matcher named by scan, which must behave like source. The tests compile
// source with a backtracking engine and hold the two to the same output.
type pattern struct {
	name       string
	lookbehind string
	source     string
	scan       scanID
}

// A patternSet is one version of Sentry's ordered pattern list. Order is
// semantics: at a given position the first pattern that matches wins, even
// when a later one would match more.
type patternSet struct {
	version  string
	patterns []pattern
}

// sentry2026 is DEFAULT_PARAMETERIZATION_REGEXES of getsentry/sentry
// src/sentry/grouping/parameterization.py as of spring 2026: traceparent,
// swift_txn_id, git_sha, hex of 4-6 and 8-128 characters in one case,
// signed ints only outside words and at most 7 digits, 12- and 24-hour
// clock times. Sentry applies it to both grouping configs in use
// (newstyle:2023-01-11 and newstyle:2026-01-20): the patterns are not
// versioned by config upstream. Later changes known only from their
// descriptions (ints and hex next to underscores; bounded duration and
// email patterns with an input length cap) would be a new set.
var sentry2026 = patternSet{
	version: "2026-04",
	patterns: []pattern{
		{name: "email", scan: scanEmail, source: `[a-zA-Z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*`},
		{name: "url", scan: scanURL, source: `\b(wss?|https?|ftp)://[^\s/$.?#].[^\s]*`},
		{name: "hostname", scan: scanHostname, source: `
			\b
			([a-zA-Z0-9\-]{1,63}\.)+?
			(
				(COM|NET|ORG|JP|DE|UK|FR|BR|IT|RU|ES|ME|GOV|PL|CA|AU|CN|CO|IN|NL|EDU|INFO|EU|CH|ID|AT|KR|CZ|MX|BE|TV|SE|TR|TW|AL|UA|IR|VN|CL|SK|LY|CC|TO|NO|FI|US|PT|DK|AR|HU|TK|GR|IL|NEWS|RO|MY|BIZ|IE|ZA|NZ|SG|EE|TH|IO|XYZ|PE|BG|HK|RS|LT|LINK|PH|CLUB|SI|SITE|MOBI|BY|CAT|WIKI|LA|GA|XXX|CF|HR|NG|JOBS|ONLINE|KZ|UG|GQ|AE|IS|LV|PRO|FM|TIPS|MS|SA|APP)|
				(com|net|org|jp|de|uk|fr|br|it|ru|es|me|gov|pl|ca|au|cn|co|in|nl|edu|info|eu|ch|id|at|kr|cz|mx|be|tv|se|tr|tw|al|ua|ir|vn|cl|sk|ly|cc|to|no|fi|us|pt|dk|ar|hu|tk|gr|il|news|ro|my|biz|ie|za|nz|sg|ee|th|io|xyz|pe|bg|hk|rs|lt|link|ph|club|si|site|mobi|by|cat|wiki|la|ga|xxx|cf|hr|ng|jobs|online|kz|ug|gq|ae|is|lv|pro|fm|tips|ms|sa|app)
			)
			\b
		`},
		{name: "ip", scan: scanIP, source: `
			# IPv6, not glued to a word on the left (Class::method) or the right
			(?<![0-9a-zA-Z_])
			(
				([0-9a-fA-F]{1,4}:){7,7}[0-9a-fA-F]{1,4}|
				([0-9a-fA-F]{1,4}:){1,7}:|
				([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|
				([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|
				([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|
				([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|
				([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|
				[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|
				:((:[0-9a-fA-F]{1,4}){1,7}|:)|
				fe80:(:[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}|
				::(ffff(:0{1,4}){0,1}:){0,1}
				((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}
				(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])|
				([0-9a-fA-F]{1,4}:){1,4}:
				((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}
				(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\b
			)
			(?![0-9a-zA-Z])
			|
			# IPv4
			(
				\b((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}
				(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\b
			)
		`},
		{name: "traceparent", scan: scanTraceparent, source: `
			# W3C trace context
			(\b00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]\b) |

			# AWS X-Amzn-Trace-Id root
			(\b1-[0-9a-f]{8}-[0-9a-f]{24}\b)
		`},
		{name: "uuid", scan: scanUUID, source: `\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`},
		{name: "sha1", scan: scanSHA1, source: `\b[0-9a-fA-F]{40}\b`},
		{name: "md5", scan: scanMD5, source: `\b[0-9a-fA-F]{32}\b`},
		{name: "date", scan: scanDate, source: `
			# (a) RFC 822/1123 with numeric or named zone
			((?:Sun|Mon|Tue|Wed|Thu|Fri|Sat),\s\d{1,2}\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s\d{2,4}\s\d{1,2}:\d{1,2}(:\d{1,2})?\s([-\+][\d]{2}[0-5][\d]|(?:UT|GMT|(?:E|C|M|P)(?:ST|DT)|[A-IK-Z])))
			|
			# (b) "Mon Jan 02, 1999", "Jan 02, 1999"
			(((?:Sun|Mon|Tue|Wed|Thu|Fri|Sat)\s)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s[0-3]\d,\s\d{2,4})
			|
			# (c) RFC 850
			((?:Sun|Sunday|Mon|Monday|Tue|Tuesday|Wed|Wednesday|Thu|Thursday|Fri|Friday|Sat|Saturday),\s\d{2}-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2}\s\d{2}:\d{2}:\d{2}\s(?:UT|GMT|(?:E|C|M|P)(?:ST|DT)|[A-IK-Z]))
			|
			# (d) RFC 3339
			(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?([+-]?\d{2}:\d{2})?)
			|
			# (e) JavaScript Date.toString()
			((?:Sun|Mon|Tue|Wed|Thu|Fri|Sat)\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s\d{2}\s\d{4}\s\d{2}:\d{2}:\d{2}\sGMT[+-]\d{4}(?:\s\([^)]+\))?)
			|
			# (f) date and time with an offset
			(
				(\d{4}-?[01]\d-?[0-3]\d[\sT][0-2]\d:?[0-5]\d:?[0-5]\d\.\d+([+-][0-2]\d:?[0-5]\d|Z))|
				(\d{4}-?[01]\d-?[0-3]\d[\sT][0-2]\d:?[0-5]\d:?[0-5]\d([+-][0-2]\d:?[0-5]\d|Z))|
				(\d{4}-?[01]\d-?[0-3]\d[\sT][0-2]\d:?[0-5]\d([+-][0-2]\d:?[0-5]\d|Z))
			)
			|
			# (g) date and time
			(
				(\d{4}-?[01]\d-?[0-3]\d[\sT][0-2]\d:?[0-5]\d:?[0-5]\d\.\d+)|
				(\d{4}-?[01]\d-?[0-3]\d[\sT][0-2]\d:?[0-5]\d:?[0-5]\d)|
				(\d{4}-?[01]\d-?[0-3]\d[\sT][0-2]\d:?[0-5]\d)
			)
			|
			# (h) 12-hour clock
			(
				(?<!\d)
				([1-9]|1[0-2])
				:[0-5]\d
				(:[0-5]\d)?
				(?![\d:])
				(?:\s?[aApP][Mm])?
			)
			|
			# (i) 24-hour clock
			(
				(?<!\d)
				(0?\d|1\d|2[0-3])
				:[0-5]\d
				(:[0-5]\d)?
				(?![\d:])
			)
			|
			# (j) date
			(\d{4}-[01]\d-[0-3]\d)
			|
			# (k) time
			([0-2]\d:[0-5]\d:[0-5]\d)
			|
			# (l, m) older formats
			(
				\b(?:(Sun|Mon|Tue|Wed|Thu|Fri|Sat)\s+)?
				(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+
				([\d]{1,2})\s+
				([\d]{2}:[\d]{2}:[\d]{2})\s+
				[\d]{4}
			) |
			(
				\b(?:(Sun|Mon|Tue|Wed|Thu|Fri|Sat),\s+)?
				(0[1-9]|[1-2]?[\d]|3[01])\s+
				(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+
				(19[\d]{2}|[2-9][\d]{3})\s+
				(2[0-3]|[0-1][\d]):([0-5][\d])
				(?::(60|[0-5][\d]))?\s+
				([-\+][\d]{2}[0-5][\d]|(?:UT|GMT|(?:E|C|M|P)(?:ST|DT)|[A-IK-Z]))
			) |
			# (n) Python repr of a datetime (the first "." is any character)
			(datetime.datetime\(.*?\))
		`},
		{name: "duration", scan: scanDuration, source: `\b(\d+ms) | (\d+(\.\d+)?s)\b`},
		{name: "swift_txn_id", scan: scanSwiftTxnID, source: `
			# OpenStack Swift: "tx", 21 hex, "-", 10 hex, any suffix
			(\btx[0-9a-f]{21}-[0-9a-f]{10}\S*)
		`},
		{name: "hex", scan: scanHex, source: `
			(\b0[xX][0-9a-fA-F]+\b) |
			(
				\b
				|
				(?<!\w)-
			)
			(
				(?=[a-f]*[0-9])(?=[0-9]*[a-f])[0-9a-f]{4,6} |
				(?=[A-F]*[0-9])(?=[0-9]*[A-F])[0-9A-F]{4,6} |
				[0-9a-f]{8,128} |
				[0-9A-F]{8,128}
			)
			\b
		`},
		{name: "git_sha", scan: scanGitSHA, source: `
			(\b(?=[a-f]*[0-9])(?=[0-9]*[a-f])[0-9a-f]{7}\b)
		`},
		{name: "float", scan: scanFloat, source: `-\d+\.\d+\b | \b\d+\.\d+\b`},
		{name: "int", scan: scanInt, source: `
			(
				\b
				|
				(?<!\w)-
			)
			\d{1,7}
			\b
		`},
		{name: "quoted_str", scan: scanQuotedStr, lookbehind: "=", source: `
			'([^']+)' | "([^"]+)"
		`},
		{name: "bool", scan: scanBool, lookbehind: "=", source: `
			True |
			true |
			False |
			false
		`},
	},
}
