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

func filenameComponent(c *Component, absPath, filename, plat string) {
	c.ID = "filename"
	if filename == "" {
		return
	}
	name := pyLower(basename(filename))
	c.setValue(name, "")
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
}

func moduleComponent(c *Component, absPath, module, plat string) {
	c.ID = "module"
	if module == "" {
		return
	}
	c.setValue(module, "")
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
}

func functionComponent(c *Component, function, rawFunction, plat string, sourcemap, contextLineAvailable bool, trim func(string, string) string) {
	c.ID = "function"
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
		return
	}
	c.setValue(fn, "")
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
}

func contextLineComponent(c *Component, line, absPath, function, plat string) {
	c.ID = "context_line"
	collapsed := strings.Join(pyFields(line), " ")
	if collapsed == "" {
		return
	}
	c.setValue(collapsed, "")
	if utf8.RuneCountInString(line) > 120 {
		c.ignore("ignored because line is too long")
	} else if platform.FamilyOf(plat) == platform.JavaScript && function == "" && hasURLOrigin(absPath, true) {
		c.ignore("ignored because file path is a URL and function name is missing")
	}
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

// frameParts holds a frame component's children, allocated together.
type frameParts struct {
	module, filename, function, contextLine Component
	children                                [4]*Component
}

// frameComponent is Sentry's frame:v1 strategy.
func (r *run) frameComponent(f *frame, inApp bool) Component {
	plat := f.platform
	if plat == "" {
		plat = r.ev.platform
	}
	p := new(frameParts)
	module, filename, function := &p.module, &p.filename, &p.function
	filenameComponent(filename, f.absPath, f.filename, plat)
	moduleComponent(module, f.absPath, f.module, plat)
	if module.Contributes && filename.Contributes {
		filename.ignore("ignored because module takes precedence")
	}
	var ctxLine *Component
	if line := r.contextLine(f); line != "" && isContextLinePlatform(plat) {
		ctxLine = &p.contextLine
		contextLineComponent(ctxLine, line, f.absPath, f.function, plat)
	}
	functionComponent(function, f.function, f.rawFunction, plat, f.sourcemap, ctxLine != nil && ctxLine.Contributes, trimFunction)
	p.children = [4]*Component{module, filename, function, ctxLine}
	children := p.children[:3]
	if ctxLine != nil {
		children = p.children[:4]
	}
	c := Component{ID: "frame", Children: children, Contributes: anyContributes(children), InApp: inApp}

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
