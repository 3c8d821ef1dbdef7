package parameterize

// The ip pattern is the one place where Sentry's regex relies on real
// backtracking: twelve IPv6 shapes are tried in order, each with counted
// repetitions, and the negative lookahead after the group sends the engine
// back into the shapes when the text goes on with a letter or digit. The
// matcher below mirrors that search directly: every repetition enumerates
// its candidates in the order Python tries them (greedy: most first) and
// hands each to a continuation, so the first candidate path that satisfies
// everything after it is the one Python reports. The depth is bounded (at
// most 8 groups) and a wrong-length hex run fails on its next character,
// so this stays linear in practice.

// ipv6Tail reports the (?![0-9a-zA-Z]) that closes the IPv6 alternative.
func ipv6Tail(s string, i int) bool { return i >= len(s) || !alnumASCII(s[i]) }

// hexUpTo enumerates [0-9a-fA-F]{min,max} at i, longest first.
func hexUpTo(s string, i, min, max int, k func(int) bool) bool {
	n := 0
	for n < max && i+n < len(s) && isHexByte(s[i+n]) {
		n++
	}
	for c := n; c >= min; c-- {
		if k(i + c) {
			return true
		}
	}
	return false
}

// groupsColon enumerates ([0-9a-fA-F]{1,4}:){min,max} at i, having
// matched done repetitions so far.
func groupsColon(s string, i, done, min, max int, k func(int) bool) bool {
	if done < max && hexUpTo(s, i, 1, 4, func(j int) bool {
		return j < len(s) && s[j] == ':' && groupsColon(s, j+1, done+1, min, max, k)
	}) {
		return true
	}
	return done >= min && k(i)
}

// colonGroups enumerates (:[0-9a-fA-F]{hmin,4}){min,max} at i.
func colonGroups(s string, i, done, min, max, hmin int, k func(int) bool) bool {
	if done < max && i < len(s) && s[i] == ':' && hexUpTo(s, i+1, hmin, 4, func(j int) bool {
		return colonGroups(s, j, done+1, min, max, hmin, k)
	}) {
		return true
	}
	return done >= min && k(i)
}

// octet enumerates 25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9] at i in
// Python's order.
func octet(s string, i int, k func(int) bool) bool {
	d := func(j int) bool { return j < len(s) && '0' <= s[j] && s[j] <= '9' }
	at := func(j int, c byte) bool { return j < len(s) && s[j] == c }
	if at(i, '2') && at(i+1, '5') && i+2 < len(s) && '0' <= s[i+2] && s[i+2] <= '5' && k(i+3) {
		return true
	}
	// The optional group, taken: 2[0-4], then 1[0-9], then [0-9].
	if at(i, '2') && i+1 < len(s) && '0' <= s[i+1] && s[i+1] <= '4' && d(i+2) && k(i+3) {
		return true
	}
	if at(i, '1') && d(i+1) && d(i+2) && k(i+3) {
		return true
	}
	if d(i) && d(i+1) && k(i+2) {
		return true
	}
	// The optional group skipped.
	return d(i) && k(i+1)
}

// ipv4 enumerates ((octet)\.){3,3}(octet) at i.
func ipv4(s string, i int, k func(int) bool) bool {
	var dots func(i, n int) bool
	dots = func(i, n int) bool {
		if n == 3 {
			return octet(s, i, k)
		}
		return octet(s, i, func(j int) bool {
			return j < len(s) && s[j] == '.' && dots(j+1, n+1)
		})
	}
	return dots(i, 0)
}

func matchIP(s string, p int) int {
	// Every IPv6 shape has a ":" among its first five characters, and an
	// IPv4 address a "." among its first four.
	v6, v4 := false, false
	for i := p; i < len(s) && i < p+5; i++ {
		v6 = v6 || s[i] == ':'
		v4 = v4 || s[i] == '.' && i < p+4
	}
	v4 = v4 && '0' <= s[p] && s[p] <= '9'
	if !v6 && !v4 {
		return -1
	}
	end := -1
	found := func(i int) bool { end = i; return true }
	if v6 && (p == 0 || !alnumASCII(s[p-1]) && s[p-1] != '_') {
		tail := func(i int) bool { return ipv6Tail(s, i) && found(i) }
		if ipv6(s, p, tail) {
			return end
		}
	}
	// \b(ipv4)\b
	if v4 && boundary(s, p) && ipv4(s, p, func(i int) bool { return !wordAt(s, i) && found(i) }) {
		return end
	}
	return -1
}

// ipv6 tries the twelve IPv6 shapes at p in order.
func ipv6(s string, p int, k func(int) bool) bool {
	colon := func(i int, k func(int) bool) bool { return i < len(s) && s[i] == ':' && k(i+1) }
	h14 := func(i int) bool { return hexUpTo(s, i, 1, 4, k) }
	// ([h]{1,4}:){7,7}[h]{1,4}
	if groupsColon(s, p, 0, 7, 7, h14) {
		return true
	}
	// ([h]{1,4}:){1,7}:
	if groupsColon(s, p, 0, 1, 7, func(i int) bool { return colon(i, k) }) {
		return true
	}
	// ([h]{1,4}:){1,6}:[h]{1,4}
	if groupsColon(s, p, 0, 1, 6, func(i int) bool { return colon(i, h14) }) {
		return true
	}
	// ([h]{1,4}:){1,n}(:[h]{1,4}){1,7-n} for n = 5, 4, 3, 2
	for n := 5; n >= 2; n-- {
		if groupsColon(s, p, 0, 1, n, func(i int) bool { return colonGroups(s, i, 0, 1, 7-n, 1, k) }) {
			return true
		}
	}
	// [h]{1,4}:((:[h]{1,4}){1,6})
	if hexUpTo(s, p, 1, 4, func(i int) bool {
		return colon(i, func(j int) bool { return colonGroups(s, j, 0, 1, 6, 1, k) })
	}) {
		return true
	}
	// :((:[h]{1,4}){1,7}|:)
	if colon(p, func(i int) bool {
		return colonGroups(s, i, 0, 1, 7, 1, k) || colon(i, k)
	}) {
		return true
	}
	// fe80:(:[h]{0,4}){0,4}%[0-9a-zA-Z]{1,}
	if i := lit(s, p, "fe80:"); i >= 0 && colonGroups(s, i, 0, 0, 4, 0, func(j int) bool {
		if j >= len(s) || s[j] != '%' {
			return false
		}
		n := 0
		for j+1+n < len(s) && alnumASCII(s[j+1+n]) {
			n++
		}
		for c := n; c >= 1; c-- {
			if k(j + 1 + c) {
				return true
			}
		}
		return false
	}) {
		return true
	}
	// ::(ffff(:0{1,4}){0,1}:){0,1}ipv4
	if i := lit(s, p, "::"); i >= 0 {
		if j := lit(s, i, "ffff"); j >= 0 {
			// (:0{1,4}) taken, longest run of zeros first
			if j < len(s) && s[j] == ':' {
				n := 0
				for n < 4 && j+1+n < len(s) && s[j+1+n] == '0' {
					n++
				}
				for c := n; c >= 1; c-- {
					if colon(j+1+c, func(m int) bool { return ipv4(s, m, k) }) {
						return true
					}
				}
			}
			if colon(j, func(m int) bool { return ipv4(s, m, k) }) {
				return true
			}
		}
		if ipv4(s, i, k) {
			return true
		}
	}
	// ([h]{1,4}:){1,4}:ipv4\b
	return groupsColon(s, p, 0, 1, 4, func(i int) bool {
		return colon(i, func(j int) bool {
			return ipv4(s, j, func(m int) bool { return !wordAt(s, m) && k(m) })
		})
	})
}
