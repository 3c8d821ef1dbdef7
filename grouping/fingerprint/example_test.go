package fingerprint_test

import (
	"errors"
	"fmt"

	"github.com/sentrywire/sentrywire/grouping/fingerprint"
)

func Example() {
	custom, err := fingerprint.Parse(`
# Group every database outage together, whatever the stack trace.
error.type:DatabaseUnavailable -> db-unavailable
# One issue per failing assertion function in the app's own code.
stack.function:assert* app:yes -> assertion, {{ function }}
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	builtin, err := fingerprint.Builtin("javascript@2024-02-02")
	if err != nil {
		fmt.Println(err)
		return
	}
	rules := fingerprint.Chain(custom, builtin)

	inApp := true
	ev := &fingerprint.Event{
		Platform:   "python",
		Exceptions: []fingerprint.Exception{{Type: "AssertionError", Value: "x != y"}},
		Frames:     []fingerprint.Frame{{Function: "assert_equal", Module: "app.checks", InApp: &inApp}},
	}
	if r := rules.Match(ev); r != nil {
		fmt.Println(r.Fingerprint, fingerprint.KindOf(r.Fingerprint))
		fmt.Println(r.Text())
	}

	ev = &fingerprint.Event{
		Platform:   "javascript",
		Exceptions: []fingerprint.Exception{{Type: "ChunkLoadError", Value: "Loading chunk 3 failed."}},
	}
	if r := rules.Match(ev); r != nil {
		fmt.Println(r.Fingerprint, r.IsBuiltin)
	}
	// Output:
	// [assertion {{ function }}] custom
	// function:"assert*" app:"yes" -> "assertion{{ function }}"
	// [chunkloaderror] true
}

func ExampleParse_error() {
	_, err := fingerprint.Parse("type:Foo -> foo\ntransaction:/api/* -> api")
	fmt.Println(err)
	fmt.Println(errors.Is(err, fingerprint.ErrUnknownMatcher))

	_, err = fingerprint.Parse("type:Foo\t-> foo")
	var se *fingerprint.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Line, se.Column, se.Near)
	}
	// Output:
	// Unknown matcher 'transaction' (line 2, column 1)
	// true
	// 1 1 type:Foo	-> foo
}

func ExampleRule_JSON() {
	rules, _ := fingerprint.ParseJSON([]byte(`[
		{"matchers": [["type", "SoftTimeLimitExceeded"]], "fingerprint": ["soft-timelimit-exceeded"]}
	]`))
	fmt.Println(string(rules.Rules()[0].JSON()))
	// Output:
	// {"attributes":{},"fingerprint":["soft-timelimit-exceeded"],"matchers":[["type","SoftTimeLimitExceeded"]],"text":"type:\"SoftTimeLimitExceeded\" -> \"soft-timelimit-exceeded\""}
}

func ExampleExpandTemplate() {
	rules, _ := fingerprint.Parse(`logger:sentry.* -> logger-{{ logger }} title="Message from {{ logger }}"`)
	r := rules.Match(&fingerprint.Event{Logger: "sentry.errors", Level: "error"})
	title := fingerprint.ExpandTemplate(r.Attributes["title"], func(name string) (string, bool) {
		if name == "logger" {
			return "sentry.errors", true
		}
		return "", false
	})
	fmt.Println(r.Fingerprint)
	fmt.Println(title)
	// Output:
	// [logger- {{ logger }}]
	// Message from sentry.errors
}
