package otlp

import (
	"strings"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// OpenTelemetry's exception.stacktrace is "a stacktrace as a string in the
// natural representation for the language runtime": the text a program
// prints for an uncaught error. Sentry groups errors by their frames, so
// the text is parsed back into frames for the formats OpenTelemetry's SDKs
// record:
//
//   - Python: traceback.format_exception, oldest call first, with chained
//     exceptions and exception groups;
//   - Java (and other JVM languages): Throwable.printStackTrace, newest
//     first, with "Caused by:" and "Suppressed:" blocks;
//   - JavaScript on V8 (Node.js, Chromium): Error.stack, newest first;
//   - Go: runtime.Stack of the recording goroutine, newest first, cut at
//     2048 bytes by OpenTelemetry Go;
//   - .NET: Exception.ToString, newest first, with inner exceptions.
//
// The format is recognized from the text, not from the resource's
// language, since a collector may relabel resources and a JVM runs more
// languages than Java. Text in no known format has no stack trace: the
// event still groups by its type and message.
//
// Only the frames of the recorded exception are kept. Causes and chained
// exceptions have frames of their own, but OpenTelemetry records one
// exception per event, and their types and messages are only in the
// text.
//
// Parsing is two linear passes over the text (one counts frames, so that
// the frames and their in_app flags take one allocation each) and never
// fails: lines that do not parse are skipped. Strings in the frames are
// substrings of the text.

// maxStackFrames is how many frames Relay keeps of a stack trace: the
// newest ones, nearest the error.
const maxStackFrames = 250

// A stackFormat is a language's stack trace text format.
type stackFormat uint8

const (
	formatUnknown stackFormat = iota
	formatPython
	formatJava
	formatJavaScript
	formatGo
	formatDotNet
)

var formatNames = [...]string{"unknown", "python", "java", "javascript", "go", "dotnet"}

func (f stackFormat) String() string { return formatNames[f] }

// parseStacktrace parses the text of an exception.stacktrace attribute
// into a Sentry stack trace, caller first. It returns nil if the format is
// not known or there are no frames.
func parseStacktrace(text string) *protocol.Stacktrace {
	var frames []protocol.Frame
	switch detectStackFormat(text) {
	case formatPython:
		frames = parsePython(text)
	case formatJava:
		frames = parseJava(text)
	case formatJavaScript:
		frames = parseJavaScript(text)
	case formatGo:
		frames = parseGo(text)
	case formatDotNet:
		frames = parseDotNet(text)
	}
	if len(frames) == 0 {
		return nil
	}
	return &protocol.Stacktrace{Frames: frames}
}

// detectStackFormat recognizes a format by its first telling line: a
// Python traceback header, a Go goroutine header or file line, or the
// first "at" line, whose shape differs between the other languages.
func detectStackFormat(text string) stackFormat {
	for rest := text; rest != ""; {
		var line string
		line, rest = nextLine(rest)
		switch {
		case line == pyHeader, strings.HasPrefix(line, pyGroupHeader):
			return formatPython
		case strings.HasPrefix(line, "goroutine ") && strings.HasSuffix(line, "]:"):
			return formatGo
		case strings.HasPrefix(line, "\t/") && strings.Contains(line, ".go:"):
			return formatGo
		}
		if body, ok := atLine(line); ok {
			if f := classifyAtLine(body); f != formatUnknown {
				return f
			}
		}
	}
	return formatUnknown
}

// classifyAtLine tells the languages that write frames as "at ..." apart:
//
//	Java        at com.x.Y.method(Y.java:42)       at a.B.c(Native Method)
//	JavaScript  at fn (/app/x.js:1:2)              at /app/x.js:3:4
//	.NET        at Ns.Type.Method(String s) in /p/x.cs:line 12
//	            at Ns.Type.Method()
//
// A JavaScript location follows a space, a Java or .NET argument list does
// not; what is inside the parentheses tells Java from .NET.
func classifyAtLine(body string) stackFormat {
	if strings.Contains(body, " in ") && strings.Contains(body, ":line ") {
		return formatDotNet
	}
	body = strings.TrimPrefix(body, "async ")
	if !strings.HasSuffix(body, ")") {
		if _, _, _, ok := cutLineCol(body); ok {
			return formatJavaScript
		}
		return formatUnknown
	}
	if strings.Contains(body, " (") {
		return formatJavaScript
	}
	open := strings.LastIndexByte(body, '(')
	if open <= 0 || strings.ContainsAny(body[:open], " \t") {
		return formatUnknown
	}
	if javaLocation(body[open+1 : len(body)-1]) {
		return formatJava
	}
	return formatDotNet
}

// javaLocation reports whether s is what Java writes in a frame's
// parentheses: "Y.java:42", "Y.java", "Native Method" or "Unknown Source".
func javaLocation(s string) bool {
	if s == "Native Method" || strings.HasPrefix(s, "Unknown Source") {
		return true
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		if _, ok := parseDecimal(s[i+1:]); !ok {
			return false
		}
		s = s[:i]
	}
	return strings.IndexByte(s, '.') > 0 && !strings.ContainsAny(s, " \t:()")
}

// nextLine splits off the first line of s, without its line ending.
func nextLine(s string) (line, rest string) {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		line, rest = s[:i], s[i+1:]
	} else {
		line = s
	}
	return strings.TrimSuffix(line, "\r"), rest
}

// atLine returns what follows "at " on an indented frame line.
func atLine(line string) (string, bool) {
	t := strings.TrimLeft(line, " \t")
	if len(t) == len(line) {
		return "", false
	}
	return strings.CutPrefix(t, "at ")
}

// parseDecimal parses a non-empty string of at most 9 decimal digits, a
// line or column number, without allocating on failure as strconv does.
func parseDecimal(s string) (uint64, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// A frameSink holds the frames of one stack trace while they are parsed,
// with the in_app flags they point to in one allocation.
type frameSink struct {
	frames []protocol.Frame
	inApp  []bool
}

func newFrameSink(n int) frameSink {
	return frameSink{frames: make([]protocol.Frame, n), inApp: make([]bool, n)}
}

// setInApp marks frame i as in the app or not. Frames left unmarked are
// for Sentry's stack trace rules to decide.
func (s *frameSink) setInApp(i int, v bool) {
	s.inApp[i] = v
	s.frames[i].InApp = &s.inApp[i]
}

// keptFrames returns how many of count frames are kept.
func keptFrames(count int) int { return min(count, maxStackFrames) }

// Python.

const (
	pyHeader      = "Traceback (most recent call last):"
	pyGroupHeader = "  + Exception Group Traceback (most recent call last):"
	pyGroupPrefix = "  | "
)

// parsePython parses a traceback as traceback.format_exception writes it.
// A chained exception (raise ... from, or raised while handling another)
// prints its causes first; the traceback of the exception itself is the
// last top-level one. An exception group nests its members' tracebacks in
// "|"-prefixed blocks; the group's own frames are in the first block.
func parsePython(text string) []protocol.Frame {
	start, group := -1, false
	for rest := text; rest != ""; {
		line, next := nextLine(rest)
		switch {
		case line == pyHeader:
			start, group = len(text)-len(next), false
		case strings.HasPrefix(line, pyGroupHeader):
			start, group = len(text)-len(next), true
		}
		rest = next
	}
	if start < 0 {
		return nil
	}
	block := text[start:]

	count := 0
	forPythonLines(block, group, func(line string) bool {
		if _, _, _, ok := pythonFileLine(line); ok {
			count++
		}
		return true
	})
	if count == 0 {
		return nil
	}
	n := keptFrames(count)
	skip := count - n
	sink := newFrameSink(n)
	seen, k := 0, -1 // frames seen; index of the frame taking a code line
	forPythonLines(block, group, func(line string) bool {
		if path, lineno, fn, ok := pythonFileLine(line); ok {
			seen++
			k = -1
			if seen <= skip {
				return true
			}
			k = seen - skip - 1
			f := &sink.frames[k]
			f.Function, f.Filename, f.AbsPath, f.Lineno = fn, path, path, lineno
			if v, known := pythonInApp(path); known {
				sink.setInApp(k, v)
			}
			return true
		}
		if strings.HasPrefix(line, "  File \"") {
			k = -1 // a SyntaxError's location, not a frame
			return true
		}
		if !strings.HasPrefix(line, " ") {
			return false // the exception's "Type: message" line
		}
		if k >= 0 && strings.HasPrefix(line, "    ") {
			if code := strings.TrimSpace(line); !caretLine(code) {
				sink.frames[k].ContextLine = code
				k = -1
			}
		}
		return true
	})
	return sink.frames
}

// forPythonLines calls fn with each line of one traceback block, without
// the group prefix, until fn returns false or the block ends.
func forPythonLines(block string, group bool, fn func(string) bool) {
	for rest := block; rest != ""; {
		var line string
		line, rest = nextLine(rest)
		if group {
			var ok bool
			if line, ok = strings.CutPrefix(line, pyGroupPrefix); !ok {
				return
			}
		}
		if !fn(line) {
			return
		}
	}
}

// pythonFileLine parses `  File "/app/x.py", line 3, in f`. The location
// of a SyntaxError has no function and is not a frame.
func pythonFileLine(line string) (path string, lineno uint64, function string, ok bool) {
	rest, ok := strings.CutPrefix(line, "  File \"")
	if !ok {
		return "", 0, "", false
	}
	path, rest, ok = strings.Cut(rest, "\", line ")
	if !ok {
		return "", 0, "", false
	}
	num, function, ok := strings.Cut(rest, ", in ")
	if !ok {
		return "", 0, "", false
	}
	lineno, ok = parseDecimal(num)
	return path, lineno, function, ok
}

// caretLine reports whether a line only points at code: Python 3.11 and
// later underline the failing expression with ^ and ~.
func caretLine(s string) bool {
	return strings.Trim(s, "^~ ") == ""
}

// pythonInApp says whether a file is the app's: packages installed into
// site-packages or dist-packages and the standard library (lib/pythonX.Y,
// Lib on Windows, frozen modules) are not. Pseudo-files such as
// "<string>" are left to Sentry's rules.
func pythonInApp(path string) (inApp, known bool) {
	switch {
	case strings.HasPrefix(path, "<frozen "):
		return false, true
	case strings.HasPrefix(path, "<"):
		return false, false
	case strings.Contains(path, "site-packages"), strings.Contains(path, "dist-packages"),
		strings.Contains(path, "/lib/python"), strings.Contains(path, `\Lib\`):
		return false, true
	}
	return true, true
}

// Java.

// parseJava parses Throwable.printStackTrace output. The frames of the
// exception itself come first; "Caused by:" and "Suppressed:" blocks that
// follow belong to other exceptions.
func parseJava(text string) []protocol.Frame {
	count := forAtLines(text, javaBlockEnd, nil)
	if count == 0 {
		return nil
	}
	n := keptFrames(count)
	sink := newFrameSink(n)
	forAtLines(text, javaBlockEnd, func(i int, body string) {
		k := n - 1 - i
		f := &sink.frames[k]
		open := strings.LastIndexByte(body, '(')
		if open < 0 || !strings.HasSuffix(body, ")") {
			f.Function = body
			return
		}
		name, loc := body[:open], body[open+1:len(body)-1]
		// Java 9 writes the class loader and module before the class:
		// "app//com.x.Y.m", "java.base/java.util.List.of".
		if j := strings.LastIndexByte(name, '/'); j >= 0 {
			name = name[j+1:]
		}
		if j := strings.LastIndexByte(name, '.'); j > 0 {
			f.Module, f.Function = name[:j], name[j+1:]
		} else {
			f.Function = name
		}
		if loc != "Native Method" && !strings.HasPrefix(loc, "Unknown Source") {
			f.Filename = loc
			if j := strings.LastIndexByte(loc, ':'); j >= 0 {
				if ln, ok := parseDecimal(loc[j+1:]); ok {
					f.Filename, f.Lineno = loc[:j], ln
				}
			}
		}
		if javaRuntime(f.Module) {
			sink.setInApp(k, false)
		}
	})
	return sink.frames
}

func javaBlockEnd(line string) bool {
	t := strings.TrimLeft(line, " \t")
	return strings.HasPrefix(t, "Caused by:") || strings.HasPrefix(t, "Suppressed:") ||
		(strings.HasPrefix(t, "... ") && strings.HasSuffix(t, " more"))
}

// javaRuntime reports whether a class belongs to the Java runtime.
func javaRuntime(class string) bool {
	for _, p := range [...]string{"java.", "javax.", "jdk.", "sun.", "com.sun."} {
		if strings.HasPrefix(class, p) {
			return true
		}
	}
	return false
}

// forAtLines calls fn, when it is not nil, with the index and the text
// after "at " of each of the first maxStackFrames frame lines of text
// that come before a line for which end reports true (end may be nil).
// It returns how many frame lines it passed to fn.
func forAtLines(text string, end func(string) bool, fn func(int, string)) int {
	n := 0
	for rest := text; rest != "" && n < maxStackFrames; {
		var line string
		line, rest = nextLine(rest)
		if end != nil && end(line) {
			break
		}
		body, ok := atLine(line)
		if !ok {
			continue
		}
		if fn != nil {
			fn(n, body)
		}
		n++
	}
	return n
}

// JavaScript.

// parseJavaScript parses a V8 Error.stack: "Name: message" (which may span
// lines) and then one "at" line per frame, "at fn (location)" or
// "at location", where the location is "path:line:column", "native",
// "<anonymous>", "index N" (Promise.all) or "eval at ...".
func parseJavaScript(text string) []protocol.Frame {
	count := forAtLines(text, nil, nil)
	if count == 0 {
		return nil
	}
	n := keptFrames(count)
	sink := newFrameSink(n)
	forAtLines(text, nil, func(i int, body string) {
		k := n - 1 - i
		f := &sink.frames[k]
		body = strings.TrimPrefix(body, "async ")
		loc := body
		if j := strings.Index(body, " ("); j >= 0 && strings.HasSuffix(body, ")") {
			f.Function, loc = body[:j], body[j+2:len(body)-1]
		}
		// Code run by eval has the eval's origin first and its own
		// position, in the anonymous eval'd script, last.
		if strings.HasPrefix(loc, "eval at ") {
			if j := strings.LastIndex(loc, ", "); j >= 0 {
				loc = loc[j+2:]
			}
		}
		path := loc
		if p, line, col, ok := cutLineCol(loc); ok {
			path, f.Lineno, f.Colno = p, line, col
		} else if loc == "native" || strings.HasPrefix(loc, "index ") {
			path = ""
		}
		path = strings.TrimPrefix(path, "file://")
		if path == "" {
			return
		}
		f.Filename, f.AbsPath = path, path
		sink.setInApp(k, javaScriptInApp(path))
	})
	return sink.frames
}

// cutLineCol splits "path:line:column" (or "path:line").
func cutLineCol(loc string) (path string, line, col uint64, ok bool) {
	i := strings.LastIndexByte(loc, ':')
	if i <= 0 {
		return "", 0, 0, false
	}
	last, ok := parseDecimal(loc[i+1:])
	if !ok {
		return "", 0, 0, false
	}
	j := strings.LastIndexByte(loc[:i], ':')
	if j > 0 {
		if first, ok := parseDecimal(loc[j+1 : i]); ok {
			return loc[:j], first, last, true
		}
	}
	return loc[:i], last, 0, true
}

// javaScriptInApp follows Sentry's Node.js SDK: files are the app's unless
// they are in node_modules; Node's own modules ("node:internal/...") and
// code without a file ("<anonymous>") are not.
func javaScriptInApp(path string) bool {
	if strings.Contains(path, "/node_modules/") || strings.Contains(path, `\node_modules\`) {
		return false
	}
	switch {
	case strings.HasPrefix(path, "/"), strings.HasPrefix(path, "."),
		strings.Contains(path, "://"):
		return true
	case len(path) > 2 && path[1] == ':' && (path[2] == '\\' || path[2] == '/'):
		return true // C:\app\x.js
	}
	return false
}

// Go.

// parseGo parses the text of runtime.Stack or runtime/debug.Stack: a
// "goroutine N [state]:" line, then for each call, newest first, the
// function with its arguments and a tab-indented "file:line +0xpc" line;
// the goroutine's creator comes last as "created by f in goroutine N".
// OpenTelemetry Go keeps the first 2048 bytes, which often cuts the text
// in the middle of a line: the cut line is dropped, and a function whose
// file line was cut is dropped with it.
func parseGo(text string) []protocol.Frame {
	if !strings.HasSuffix(text, "\n") {
		if i := strings.LastIndexByte(text, '\n'); i >= 0 {
			text = text[:i+1]
		} else {
			return nil
		}
	}
	count := forGoFrames(text, nil)
	if count == 0 {
		return nil
	}
	n := keptFrames(count)
	sink := newFrameSink(n)
	forGoFrames(text, func(i int, fn, file string) {
		k := n - 1 - i
		f := &sink.frames[k]
		f.Module, f.Function = splitGoFunction(goFunctionName(fn))
		path := file
		if j := strings.LastIndex(path, " +0x"); j >= 0 {
			path = path[:j]
		}
		if j := strings.LastIndexByte(path, ':'); j > 0 {
			if ln, ok := parseDecimal(path[j+1:]); ok {
				path, f.Lineno = path[:j], ln
			}
		}
		f.Filename, f.AbsPath = path, path
		sink.setInApp(k, goInApp(f.Module, path))
	})
	// Since Go 1.21 a closure is named after its enclosing functions,
	// "main.main.func1" where it was "main.func1". Sentry's Go SDK drops
	// the caller's name from a closure called by its enclosing function,
	// so that issues kept their groups across the change; so does this,
	// when the two frames are in the same package.
	for i := 1; i < n; i++ {
		caller, f := &sink.frames[i-1], &sink.frames[i]
		prev := caller.Function
		if prev != "" && caller.Module == f.Module && len(f.Function) > len(prev)+1 &&
			strings.HasPrefix(f.Function, prev) && f.Function[len(prev)] == '.' {
			f.Function = f.Function[len(prev)+1:]
		}
	}
	return sink.frames
}

// forGoFrames calls fn, when it is not nil, with the index, function line
// and file line (without its tab) of each of the first maxStackFrames
// calls of the first goroutine in text, and returns how many it found.
func forGoFrames(text string, fn func(i int, function, file string)) int {
	n := 0
	pending := "" // a function line waiting for its file line
	for rest := text; rest != "" && n < maxStackFrames; {
		var line string
		line, rest = nextLine(rest)
		switch {
		case line == "":
			if n > 0 {
				return n // the end of the first goroutine
			}
			pending = ""
		case strings.HasPrefix(line, "goroutine "), strings.HasPrefix(line, "..."):
			pending = ""
		case line[0] == '\t':
			if pending != "" {
				if fn != nil {
					fn(n, pending, line[1:])
				}
				n++
				pending = ""
			}
		default:
			pending = line
		}
	}
	return n
}

// goFunctionName returns the function of a call line: "pkg.f(0x1, ...)"
// without its arguments, or the creator of "created by pkg.f in goroutine 1".
func goFunctionName(line string) string {
	if name, ok := strings.CutPrefix(line, "created by "); ok {
		if i := strings.Index(name, " in goroutine "); i >= 0 {
			name = name[:i]
		}
		return name
	}
	if strings.HasSuffix(line, ")") {
		if i := strings.LastIndexByte(line, '('); i > 0 {
			return line[:i]
		}
	}
	return line
}

// splitGoFunction splits a qualified function name into its package path
// and the function as Sentry's Go SDK does: the package ends at the first
// dot after the last slash, so "github.com/x/y.(*T).M" is
// "github.com/x/y" and "(*T).M". A name without a package, such as
// "panic", has no module.
func splitGoFunction(name string) (pkg, function string) {
	start := strings.LastIndexByte(name, '/') + 1
	if i := strings.IndexByte(name[start:], '.'); i >= 0 {
		return name[:start+i], name[start+i+1:]
	}
	return "", name
}

// goInApp says whether a Go frame is the app's: the standard library and
// the runtime (a package path whose first element has no dot, other than
// main; "panic") are not, and neither are dependencies, which are built
// from the module cache or a vendor directory. Sentry's Go SDK counts
// module-cache code as the app's; here it is not, so that a dependency
// does not split or merge the app's issues.
func goInApp(pkg, path string) bool {
	switch {
	case pkg == "":
		return false
	case strings.Contains(path, "/pkg/mod/"), strings.Contains(path, "/vendor/"):
		return false
	case pkg == "main", strings.HasPrefix(pkg, "main."):
		return true
	}
	first, _, _ := strings.Cut(pkg, "/")
	return strings.IndexByte(first, '.') >= 0
}

// .NET.

const (
	dotNetInnerEnd = "--- End of inner exception stack trace ---"
	dotNetRethrow  = "--- End of stack trace from previous location ---"
)

// parseDotNet parses Exception.ToString: the exception's header and its
// inner exceptions' headers (" ---> Type: message"), then each inner
// exception's frames followed by "--- End of inner exception stack
// trace ---", innermost first, and then the exception's own frames. A
// frame is "at Ns.Type.Method(Type arg) in /path/File.cs:line 12", the
// location only when there are symbols.
func parseDotNet(text string) []protocol.Frame {
	if i := strings.LastIndex(text, dotNetInnerEnd); i >= 0 {
		text = text[i+len(dotNetInnerEnd):]
	}
	count := forAtLines(text, nil, nil)
	if count == 0 {
		return nil
	}
	n := keptFrames(count)
	sink := newFrameSink(n)
	forAtLines(text, nil, func(i int, body string) {
		k := n - 1 - i
		f := &sink.frames[k]
		sig := body
		if j := strings.LastIndex(body, " in "); j >= 0 {
			if loc := body[j+4:]; strings.Contains(loc, ":line ") {
				sig = body[:j]
				path, num, _ := strings.Cut(loc, ":line ")
				f.Filename, f.AbsPath = path, path
				f.Lineno, _ = parseDecimal(num)
			}
		}
		name := sig
		if j := strings.IndexByte(sig, '('); j > 0 {
			name = sig[:j]
		}
		if j := strings.LastIndexByte(name, '.'); j > 0 {
			if name[j-1] == '.' { // a constructor, "Type..ctor"
				j--
			}
			f.Module, f.Function = name[:j], name[j+1:]
		} else {
			f.Function = name
		}
		if m := f.Module; m == "System" || strings.HasPrefix(m, "System.") || strings.HasPrefix(m, "Microsoft.") {
			sink.setInApp(k, false)
		}
	})
	return sink.frames
}
