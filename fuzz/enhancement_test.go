package fuzz

import (
	"errors"
	"strings"
	"testing"

	"github.com/sentrywire/sentrywire/grouping/enhancement"
)

// FuzzParseEnhancements parses arbitrary stack trace rule text: no panics,
// only *SyntaxError failures with a position, and rules that parse run
// Classify and Assemble on a few frames, alone and after a built-in rule
// set. Text without quotes or backslashes must come back unchanged from
// its canonical form.
func FuzzParseEnhancements(f *testing.F) {
	for _, s := range []string{
		"function:foo +app",
		"family:native package:/usr/lib/** -app",
		`family:native function:"*::\\{dtor\\}" category=dtor`,
		`family:native function:"?[[]KSCrash*" -app -group`,
		"[ function:main ] | function:run* | [ !category:x ] category=entry  # c",
		"category:throw ^-group -group ^-app -app",
		"category:threadbase -group v-group",
		"error.type:Foo* !error.value:*bar* error.mechanism:NSError max-frames=3 min-frames=1_0",
		"app:yes family:javascript,other path:**/node_modules/** -app",
		"stack.abs_path:**{a,b}/[!x-z]?.js +group",
		"function:foo\t+app",
		`function:"abc +app`,
		"function:a max-frames=-1",
		"foo:bar +app\r\n  \n# x",
	} {
		f.Add(s)
	}
	for _, s := range groupingEnhancements() {
		f.Add(s)
	}
	base, err := enhancement.Base("all-platforms:2026-01-20")
	if err != nil {
		f.Fatal(err)
	}
	yes, no := true, false
	frames := func() []enhancement.Frame {
		return []enhancement.Frame{
			{Platform: "native", Function: "main", Package: "/opt/app/bin/app"},
			{Platform: "cocoa", Function: "-[UIApplication run]", Package: `C:\Windows\System32\x.dll`, InApp: &no},
			{Platform: "javascript", AbsPath: "http://x/node_modules/a.js", Function: "foo", Module: "a/b"},
			{Platform: "python", Filename: "app/views.py", Module: "app.views", Function: "run", InApp: &yes},
			{},
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		rules, err := enhancement.Parse(text)
		if err != nil {
			var se *enhancement.SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Column < 1 || se.Err == nil {
				t.Fatalf("Parse(%q): bad error %#v", text, err)
			}
			_ = err.Error()
			return
		}
		if !strings.ContainsAny(text, `"\`) {
			again, err := enhancement.Parse(rules.String())
			if err != nil || again.String() != rules.String() {
				t.Fatalf("Parse(%q): canonical text %q does not parse back (%v)", text, rules.String(), err)
			}
		}
		for _, rs := range []*enhancement.Rules{rules, enhancement.Extend(base, rules)} {
			fr := frames()
			exc := enhancement.Exception{Type: "ValueError", Value: "bad\nvalue"}
			rs.Classify(fr, exc)
			for i := range fr {
				if fr[i].InApp == nil {
					fr[i].InApp = &no
				}
			}
			for _, variant := range []string{"app", "system"} {
				comps := make([]enhancement.FrameComponent, len(fr))
				for i := range comps {
					comps[i].Contributes = variant == "system" || *fr[i].InApp
				}
				rs.Assemble(variant, fr, comps, exc)
			}
		}
	})
}
