package enhancement_test

import (
	"errors"
	"fmt"

	"github.com/sentrywire/sentrywire/grouping/enhancement"
)

func Example() {
	custom, err := enhancement.Parse(`
stack.module:myapp.*        +app
# Our logging wrapper is not where errors happen.
stack.function:log_*        -app -group
`)
	if err != nil {
		panic(err)
	}
	base, err := enhancement.Base("all-platforms:2026-01-20")
	if err != nil {
		panic(err)
	}
	rules := enhancement.Extend(base, custom)

	// Outermost call first, crashing frame last.
	frames := []enhancement.Frame{
		{Platform: "python", Module: "myapp.views", Function: "handle"},
		{Platform: "python", Module: "myapp.util", Function: "log_error"},
		{Platform: "python", AbsPath: "/usr/local/lib/python3.12/json/decoder.py", Function: "decode"},
	}
	// At normalisation: in_app and categories.
	rules.Classify(frames, enhancement.Exception{Type: "ValueError"})
	for i := range frames {
		if frames[i].InApp == nil { // as Sentry does before grouping
			no := false
			frames[i].InApp = &no
		}
	}

	// Per grouping variant: which frames count, and why.
	comps := make([]enhancement.FrameComponent, len(frames))
	for i := range comps {
		comps[i].Contributes = *frames[i].InApp // the app variant starts from in_app
	}
	contributes, _ := rules.Assemble("app", frames, comps, enhancement.Exception{Type: "ValueError"})
	for i, c := range comps {
		fmt.Printf("%-9s in_app=%-5v contributes=%-5v %s\n", frames[i].Function, *frames[i].InApp, c.Contributes, c.Hint)
	}
	fmt.Println("stack trace contributes:", contributes)
	// Output:
	// handle    in_app=true  contributes=true  marked in-app by custom stacktrace rule (module:myapp.* +app)
	// log_error in_app=false contributes=false marked out of app by custom stacktrace rule (function:log_* -app)
	// decode    in_app=false contributes=false marked out of app by built-in stacktrace rule (path:/usr/local/lib/** -app)
	// stack trace contributes: true
}

func ExampleParse_error() {
	_, err := enhancement.Parse("function:foo +app\nfunction:bar\t-app")
	fmt.Println(err)
	var se *enhancement.SyntaxError
	fmt.Println(errors.As(err, &se), se.Line, se.Column, errors.Is(err, enhancement.ErrSyntax))
	// Output:
	// Invalid syntax near "function:bar\t-app" (line 2, column 1): tab characters are not allowed; separate tokens with spaces
	// true 2 1 true
}

func ExampleRules_Classify() {
	rules, _ := enhancement.Parse("family:native function:std::* -app\n[ function:main ] | function:* category=entry")
	frames := []enhancement.Frame{
		{Platform: "native", Function: "main"},
		{Platform: "native", Function: "std::rt::lang_start"},
	}
	rules.Classify(frames, enhancement.Exception{})
	fmt.Println(frames[0].InApp == nil, *frames[1].InApp, frames[1].Category)
	// Output: true false entry
}
