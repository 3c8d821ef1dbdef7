// Package funcname reproduces the function-name trimming Sentry applies to
// stack frames before it groups them (trim_function_name in Sentry's
// sentry/stacktraces/functions.py).
//
// Native and C# SDKs report a frame's function as the demangler prints it:
// return types, argument lists, template arguments, const qualifiers, Rust
// trait paths and symbol hashes, Swift closure descriptions and so on. Most of
// that varies between builds, compilers and platforms while the function stays
// the same, so Sentry cuts a name down to the part that identifies the
// function, and hashes only that. A host that wants Sentry's group hashes must
// cut names the same way, down to the odd corner, which is what Trim does:
//
//	static unsigned int Foo::Bar<std::string>::baz(char const*) const  →  Foo::Bar<T>::baz
//	<core::option::Option<T> as core::fmt::Debug>::fmt::h5e3b3e2f1c0d9a8b →  core::option::Option<T>::fmt
//	closure #1 () -> () in Bar.PostTask(() -> ()) -> ()                  →  closure in Bar.PostTask
//
// Sentry also cuts the "_m<40 hex digits>" method hash that Unity's IL2CPP
// appends to every C# method it compiles to C++ (getsentry/sentry PR 121963,
// 2026, applied to every grouping config). Which endings may follow the hash
// is pinned by Sentry's tests ("_gshared", "_inline", "_AdjustorThunk",
// "_OpenStaticInvoker", "_gp_0_1", …); other IL2CPP endings keep their hash.
//
// Trim never fails. Where Sentry's own Python code raises an exception (a
// Swift "initialization expression of" name with no token after "of", or
// template brackets nested deeper than Python's recursion limit allows),
// Trim does what that code does when it finds no function name at all: it
// keeps the name as given, less the trailing symbol decorations (Rust hash,
// GLIBC version, Windows decoration, IL2CPP method hash).
//
// Character classes follow Python's str semantics, not Go's: whitespace is
// what str.isspace accepts (which includes U+001C–U+001F) and a word
// character for \b is a letter, a number or an underscore in any script.
package funcname

import (
	"strings"

	"github.com/sentrywire/sentrywire/grouping/internal/platform"
)

// Trim returns the function name Sentry groups by for a frame of the given platform
// (trim_function_name). Names of other platforms come back unchanged.
//
// For "csharp" only the argument list, which Unity's SDK separates with " (",
// is cut. For the native platforms (objc, cocoa, swift, native, c) the full
// native trimming applies. The platform is the frame's own platform, or the
// event's when the frame has none, as Sentry passes it.
func Trim(function, platform string) string {
	if platform == "csharp" {
		name, _, _ := strings.Cut(function, " (")
		return name
	}
	if !isNative(platform) {
		return function
	}
	return trimNative(function, platform)
}

// isNative lives outside Trim because Trim's parameter shadows the package
// name.
func isNative(p string) bool { return platform.FamilyOf(p) == platform.Native }

// Placeholders protect operators and arrows from the bracket balancing below;
// Sentry picked characters that demanglers never emit, and turns them back at
// the end. Note that the reverse step also rewrites any of these characters
// that were in the input to begin with: that is Sentry's behaviour too.
const (
	protAngle   = "⟨"                    // "<" of operator< and operator<<
	protCall    = "◯"                    // "()" of operator()
	protArrow   = "⟿"                    // "->" of operator-> and Swift's " -> "
	protAnonNS  = "〔anonymousnamespace〕" // MSVC's `anonymous namespace'
	msvcAnonNS  = "`anonymous namespace'"
	swiftInitOf = "initialization expression of"
)

// maxGenericDepth bounds the recursion into "<...>" groups that open a name
// (Rust's "<A as B>::f"). Python gives up near 450 levels with a
// RecursionError; Relay caps function names at 256 characters, which allows at
// most 128, so any name Sentry accepts stays well below this bound.
const maxGenericDepth = 256

// trimNative is trim_native_function_name. The steps run in Sentry's order,
// and each one is skipped when its trigger text is absent, as Sentry does, so
// the common short name costs a handful of substring scans.
func trimNative(original, plat string) string {
	if original == "<redacted>" || original == "<unknown>" {
		return original
	}
	if isPlain(original) {
		return trimPlain(original)
	}
	f := pyStrip(original)

	// Objective-C selectors ("-[Class method:]") are left alone entirely.
	if strings.HasPrefix(f, "[") || strings.HasPrefix(f, "+[") || strings.HasPrefix(f, "-[") {
		return f
	}

	// GCC's "[clone .cold]" and "[clone .constprop.0]" mark compiler-made copies
	// of one function; other bracketed parts stay.
	if strings.IndexByte(f, '[') >= 0 {
		f = replaceEnclosed(f, '[', ']', func(inner string, _ int) string {
			if strings.HasPrefix(inner, "clone .") {
				return ""
			}
			return "[" + inner + "]"
		})
	}
	f = pyRStrip(f)

	// Member-function qualifiers: "... const", "... &", repeatedly.
	for {
		n, ok := cppTrailer(f)
		if !ok {
			break
		}
		f = pyRStrip(f[:n])
	}

	if strings.Contains(f, "operator") {
		f = strings.ReplaceAll(f, "operator<<", "operator"+protAngle+protAngle)
		f = strings.ReplaceAll(f, "operator<", "operator"+protAngle)
		f = strings.ReplaceAll(f, "operator()", "operator"+protCall)
		f = strings.ReplaceAll(f, "operator->", "operator"+protArrow)
	}
	if strings.Contains(f, " -> ") {
		f = strings.ReplaceAll(f, " -> ", " "+protArrow+" ")
	}
	if strings.Contains(f, msvcAnonNS) {
		f = strings.ReplaceAll(f, msvcAnonNS, protAnonNS)
	}

	// GCC, MSVC and Clang each name lambdas differently; all become "lambda".
	if strings.Contains(f, "lambda") || strings.Contains(f, "$_") {
		f = replaceLambdas(f)
	}
	// MSVC sometimes prints an anonymous namespace as "?A0x<hash>::".
	if strings.Contains(f, "?A0x") {
		f = replaceAnonNamespaceHash(f)
	}

	// Argument lists go, except the parentheses of "(anonymous namespace)"
	// and of a bare "operator".
	if strings.IndexByte(f, '(') >= 0 {
		f = replaceEnclosed(f, '(', ')', func(inner string, _ int) string {
			v := pyStrip(inner)
			if v == "anonymous namespace" || v == "operator" {
				return "(" + v + ")"
			}
			return ""
		})
	}

	// Template arguments become "<T>"; a group at the very start is Rust's
	// "<Type as Trait>" and resolves to the type.
	if strings.IndexByte(f, '<') >= 0 {
		var ok bool
		f, ok = replaceGenerics(f, 0)
		if !ok {
			return trimSuffixes(original)
		}
	}

	isThunk := strings.Contains(f, "thunk for ")

	var store [8]string
	tokens := splitTokens(f, store[:0])
	// MSVC prints "operator< <T>" for a templated operator: keep both parts.
	if n := len(tokens); n > 1 && tokens[n-1] == "<T>" {
		tokens = tokens[:n-1]
		tokens[n-2] += " <T>"
	}

	var name string
	switch {
	case strings.Contains(f, swiftInitOf):
		var ok bool
		name, ok = swiftInitializer(tokens)
		if !ok {
			return trimSuffixes(original)
		}
	case len(tokens) > 0:
		name = returnArrowName(tokens)
	}
	if name == "" {
		// Nothing looked like a function name (say, all of it was inside
		// unbalanced brackets): Sentry falls back to the name as given.
		return trimSuffixes(original)
	}

	if name[0] == '@' && (plat == "cocoa" || plat == "swift") {
		// A Swift attribute ("@escaping", "@callee_guaranteed") where the
		// name should be: an anonymous function.
		if isThunk {
			name = "thunk for closure"
		} else {
			name = "closure"
		}
	} else if name != "closure" && contains(tokens, "closure") {
		name = "closure in " + name
	}
	return trimSuffixes(unprotect(name))
}

// plainBytes are the bytes of a name that needs none of the bracket, token
// or Swift handling: C symbols and already-demangled paths such as
// "std::rt::lang_start_internal" or "__CFRunLoopRun", the bulk of native
// frames.
var plainBytes = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['_'], t[':'], t['.'] = true, true, true
	return t
}()

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if !plainBytes[s[i]] {
			return false
		}
	}
	return true
}

// trimPlain is trimNative for a name of plainBytes, where of all steps only
// the "const" trailer, the MSVC lambda name and the suffix trims can apply.
// (Such a name is a single token, and the "closure in" rule leaves a lone
// "closure" alone.)
func trimPlain(original string) string {
	f := original
	for {
		n, ok := cppTrailer(f)
		if !ok {
			break
		}
		f = f[:n]
	}
	if f == "" {
		// "const" alone leaves no token: Sentry keeps the name as given.
		return trimSuffixes(original)
	}
	if strings.Contains(f, "lambda") {
		f = replaceLambdas(f)
	}
	return trimSuffixes(f)
}

// swiftInitializer names a Swift "variable initialization expression of
// [static] Type.member : Type" frame by the token after the last "of".
// It reports false where Sentry's code raises an exception.
func swiftInitializer(tokens []string) (string, bool) {
	of := -1
	for i := len(tokens) - 1; i >= 0; i-- {
		if tokens[i] == "of" {
			of = i
			break
		}
	}
	if of < 0 || of+1 >= len(tokens) {
		return "", false
	}
	name := tokens[of+1]
	if name == "static" {
		if of+2 >= len(tokens) {
			return "", false
		}
		name = tokens[of+2]
	}
	// "(extension in Module):Type.member" has lost its parentheses by now.
	name = strings.TrimPrefix(name, ":")
	return "initializer expression of " + name, true
}

// returnArrowName picks the function name from the tokens: the one before
// the last "->" (Swift signatures, skipping "throws"), else the last token.
// Sentry indexes with Python's negative indices here, so an arrow in first
// place wraps around to the last token; that is kept.
func returnArrowName(tokens []string) string {
	last := tokens[len(tokens)-1]
	arrow := -1
	for i := len(tokens) - 1; i >= 0; i-- {
		if tokens[i] == protArrow {
			arrow = i
			break
		}
	}
	if arrow < 0 {
		return last
	}
	name, ok := pyIndex(tokens, arrow-1)
	if !ok {
		return last
	}
	if name == "throws" {
		if name, ok = pyIndex(tokens, arrow-2); !ok {
			return last
		}
	}
	return name
}

// pyIndex indexes like Python: negative indices count from the end.
func pyIndex(s []string, i int) (string, bool) {
	if i < 0 {
		i += len(s)
	}
	if i < 0 || i >= len(s) {
		return "", false
	}
	return s[i], true
}

func contains(tokens []string, s string) bool {
	for _, t := range tokens {
		if t == s {
			return true
		}
	}
	return false
}

// replaceGenerics resolves the "<...>" groups of s (process_generics). It
// reports false when the nesting at the start of the name is deeper than
// maxGenericDepth, where Python would have run out of stack.
func replaceGenerics(s string, depth int) (string, bool) {
	ok := true
	out := replaceEnclosed(s, '<', '>', func(inner string, start int) string {
		if !ok {
			return ""
		}
		if inner == "lambda" || lambdaAt(inner, 0, nil) >= 0 {
			return "<" + inner + ">"
		}
		if start > 0 {
			return "<T>"
		}
		// "<T as Trait<U>>::f" is a blanket impl: the trait names it better.
		if len(inner) >= 5 && inner[0] >= 'A' && inner[0] <= 'Z' && inner[1:5] == " as " {
			inner = inner[5:]
		}
		if strings.IndexByte(inner, '<') >= 0 {
			if depth+1 >= maxGenericDepth {
				ok = false
				return ""
			}
			inner, ok = replaceGenerics(inner, depth+1)
		}
		typ, _, _ := strings.Cut(inner, " as ")
		return typ
	})
	return out, ok
}

// unprotect turns the placeholders back into what they stand for.
func unprotect(s string) string {
	if isASCII(s) {
		return s
	}
	s = strings.ReplaceAll(s, protAngle, "<")
	s = strings.ReplaceAll(s, protCall, "()")
	s = strings.ReplaceAll(s, protArrow, "->")
	return strings.ReplaceAll(s, protAnonNS, msvcAnonNS)
}

// trimSuffixes removes the decorations linkers and compilers append to a
// symbol, which differ between builds of the same function. Only one of them
// ever ends a real name; the order matters just for made-up stacks of them,
// and where the IL2CPP step sits among the others in Sentry's code is not
// known (it runs first here).
func trimSuffixes(s string) string {
	if strings.Contains(s, "_m") {
		s = cutIL2CPPHash(s)
	}
	if strings.Contains(s, "::h") {
		s = cutRustHash(s)
	}
	if strings.Contains(s, "@GLIBC_") {
		s = cutGlibcVersion(s)
	}
	if strings.IndexByte(s, '@') >= 0 {
		s = cutWindowsDecoration(s)
	}
	return s
}
