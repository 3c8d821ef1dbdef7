package grouping

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sentrywire/sentrywire/grouping/internal/platform"
)

// contextLinePlatforms are the platforms whose source lines Sentry trusts
// enough to group by.
func isContextLinePlatform(p string) bool {
	switch p {
	case "javascript", "node", "python", "php", "ruby":
		return true
	}
	return false
}

// Code generators put counters and hashes into Java class names; Sentry
// replaces them so that two builds group alike. Compiled once.
var (
	javassistRE   = regexp.MustCompile(`(\$\$_javassist)(?:_seam)?(?:_[0-9]+)?`)
	javaModuleREs = []*regexp.Regexp{
		regexp.MustCompile(`(sun\.reflect\.Generated(?:Serialization)?ConstructorAccessor)\d+`),
		regexp.MustCompile(`(\$\$[\w_]+?CGLIB\$\$)[a-fA-F0-9]+(_[0-9]+)?`),
		javassistRE,
		regexp.MustCompile(`(\$fn__)\d+`),
		regexp.MustCompile(`(\$\$?EnhancerBy[\w_]+?\$?\$)[a-fA-F0-9]+(_[0-9]+)?`),
		regexp.MustCompile(`(\$\$?FastClassBy[\w_]+?\$?\$)[a-fA-F0-9]+(_[0-9]+)?`),
		regexp.MustCompile(`(\$\$?HibernateProxy\$?\$)\w+(_[0-9]+)?`),
	}
	rubyERBSuffixRE = regexp.MustCompile(`__\d{4,}_\d{4,}$`)
)

// hasURLOrigin reports whether a path is a URL rather than a file: code
// loaded from the web has no stable file name. Whether file: counts
// depends on the caller, as in Sentry.
func hasURLOrigin(path string, filesCountAsURLs bool) bool {
	switch {
	case path == "":
		return false
	case strings.HasPrefix(path, "http:"), strings.HasPrefix(path, "https:"),
		strings.HasPrefix(path, "applewebdata:"), strings.HasPrefix(path, "blob:"):
		return true
	case strings.HasPrefix(path, "file:"):
		return filesCountAsURLs
	}
	return false
}

// basename is the part after the last slash or backslash, whatever the
// platform the path came from.
func basename(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		return s[i+1:]
	}
	return s
}

func filenameComponent(absPath, filename, plat string) *Component {
	if filename == "" {
		return &Component{ID: "filename"}
	}
	name := pyLower(basename(filename))
	c := newLeaf("filename", name)
	switch {
	case hasURLOrigin(absPath, false):
		c.ignore("ignored because frame points to a URL")
	case name == "<anonymous>":
		c.ignore("ignored because filename is anonymous")
	case name == "[native code]":
		c.ignore("ignored because filename suggests native code")
	case plat == "java":
		if n := javassistRE.ReplaceAllString(name, "${1}<auto>"); n != name {
			c.setValue(n, "cleaned javassist parts")
		}
	}
	return c
}

func moduleComponent(absPath, module, plat string) *Component {
	if module == "" {
		return &Component{ID: "module"}
	}
	c := newLeaf("module", module)
	switch plat {
	case "javascript":
		if strings.Contains(module, "/") && absPath != "" && strings.HasSuffix(absPath, module) {
			c.ignore("ignored bad javascript module")
		}
	case "java":
		if strings.Contains(module, "$$Lambda$") {
			c.ignore("ignored java lambda")
		}
		switch {
		case strings.HasPrefix(module, "sun.reflect.GeneratedMethodAccessor"):
			c.setValue("sun.reflect.GeneratedMethodAccessor", "removed reflection marker")
		case strings.HasPrefix(module, "jdk.internal.reflect.GeneratedMethodAccessor"):
			c.setValue("jdk.internal.reflect.GeneratedMethodAccessor", "removed reflection marker")
		default:
			m := module
			for _, re := range javaModuleREs {
				m = re.ReplaceAllString(m, "${1}<auto>")
			}
			if m != module {
				c.setValue(m, "removed codegen marker")
			}
		}
	}
	return c
}

func functionComponent(function, rawFunction, plat string, sourcemap, contextLineAvailable bool, trim func(string, string) string) *Component {
	var fn string
	if plat == "csharp" {
		fn = rawFunction
		if fn == "" {
			fn = function
		}
	} else {
		fn = function
		if fn == "" {
			fn = rawFunction
		}
		if rawFunction == "" && function != "" {
			fn = trim(fn, plat)
		}
	}
	if fn == "" {
		return &Component{ID: "function"}
	}
	c := newLeaf("function", fn)
	switch fam := platform.FamilyOf(plat); {
	case plat == "ruby":
		if strings.HasPrefix(fn, "block ") {
			c.setValue("block", "ruby block")
		} else if n := rubyERBSuffixRE.ReplaceAllString(fn, ""); n != fn {
			c.setValue(n, "removed generated erb template suffix")
		}
	case plat == "php":
		if strings.HasPrefix(fn, "[Anonymous") || strings.HasPrefix(fn, "class@anonymous\x00") {
			c.ignore("ignored anonymous function")
		}
		if strings.HasPrefix(fn, "class@anonymous") {
			n := fn
			if i := strings.LastIndex(fn, "::"); i >= 0 {
				n = fn[i+2:]
			}
			if n != fn {
				c.setValue(n, "anonymous class method")
			}
		}
	case plat == "java":
		if strings.HasPrefix(fn, "lambda$") {
			c.ignore("ignored lambda function")
		}
	case fam == platform.Native && (fn == "<redacted>" || fn == "<unknown>"):
		c.ignore("ignored unknown function")
	case fam == platform.JavaScript:
		if i := strings.LastIndexByte(fn, '.'); i >= 0 {
			c.setValue(fn[i+1:], "trimmed javascript function")
		}
		if sourcemap && contextLineAvailable {
			c.ignore("ignored because sourcemap used and context line available")
		}
	}
	return c
}

func contextLineComponent(line, absPath, function, plat string) *Component {
	collapsed := strings.Join(pyFields(line), " ")
	if collapsed == "" {
		return &Component{ID: "context_line"}
	}
	c := newLeaf("context_line", collapsed)
	if utf8.RuneCountInString(line) > 120 {
		c.ignore("ignored because line is too long")
	} else if platform.FamilyOf(plat) == platform.JavaScript && function == "" && hasURLOrigin(absPath, true) {
		c.ignore("ignored because file path is a URL and function name is missing")
	}
	return c
}

// pyFields splits on whitespace as Python's str.split() does, which also
// treats the separators \x1c to \x1f as whitespace.
func pyFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
	})
}

// pyLower is Python's str.lower for the cases where it differs from Go's
// strings.ToLower: a capital I with a dot above lowers to i and a
// combining dot.
func pyLower(s string) string {
	if strings.ContainsRune(s, 'İ') {
		s = strings.ReplaceAll(s, "İ", "i\u0307")
	}
	return strings.ToLower(s)
}

// frameComponent is Sentry's frame:v1 strategy.
func (r *run) frameComponent(f *frame, inApp bool) *Component {
	plat := f.platform
	if plat == "" {
		plat = r.ev.platform
	}
	filename := filenameComponent(f.absPath, f.filename, plat)
	module := moduleComponent(f.absPath, f.module, plat)
	if module.Contributes && filename.Contributes {
		filename.ignore("ignored because module takes precedence")
	}
	var ctxLine *Component
	if line := r.contextLine(f); line != "" && isContextLinePlatform(plat) {
		ctxLine = contextLineComponent(line, f.absPath, f.function, plat)
	}
	function := functionComponent(f.function, f.rawFunction, plat, f.sourcemap, ctxLine != nil && ctxLine.Contributes, trimFunction)
	children := []*Component{module, filename, function}
	if ctxLine != nil {
		children = append(children, ctxLine)
	}
	c := newNode("frame", children...)
	c.InApp = inApp

	if platform.FamilyOf(plat) == platform.JavaScript {
		fn := f.rawFunction
		if fn == "" {
			fn = f.function
		}
		if i := strings.LastIndexByte(fn, '.'); i >= 0 {
			fn = fn[i+1:]
		}
		switch {
		case fn == "":
			function.Contributes = false
		case fn == "?" || fn == "<anonymous function>" || fn == "<anonymous>" || fn == "Anonymous function" || strings.HasSuffix(fn, "/<"):
			function.ignore("ignored unknown function name")
		}
		switch f.absPath {
		case "[native code]", "native code", "eval code", "<anonymous>":
			c.ignore("ignored low quality javascript frame")
		default:
			if fn == "eval" {
				c.ignore("ignored low quality javascript frame")
			}
		}
	}
	return c
}
