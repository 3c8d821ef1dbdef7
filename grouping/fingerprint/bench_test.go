package fingerprint

import "testing"

// BenchmarkMatch matches a typical JavaScript error that no rule catches
// (the common case: every rule is tried) against a few custom rules and
// the built-in base.
func BenchmarkMatch(b *testing.B) {
	custom, err := Parse(`
error.type:DatabaseUnavailable -> db-unavailable
stack.function:assert* app:yes -> assertion, {{ function }}
path:**/node_modules/react-dom/** message:"*Maximum update depth*" -> react-loop
tags.transaction:/checkout/* !logger:healthcheck.* level:error -> checkout
`)
	if err != nil {
		b.Fatal(err)
	}
	builtin, err := Builtin("javascript@2024-02-02")
	if err != nil {
		b.Fatal(err)
	}
	rules := Chain(custom, builtin)
	inApp, notInApp := true, false
	ev := &Event{
		Platform:   "javascript",
		Messages:   []string{"Uncaught TypeError"},
		Exceptions: []Exception{{Type: "TypeError", Value: "Cannot read properties of undefined (reading 'map')"}},
		Frames: []Frame{
			{AbsPath: "webpack:///./node_modules/react-dom/cjs/react-dom.development.js", Filename: "./node_modules/react-dom/cjs/react-dom.development.js", Function: "commitRoot", InApp: &notInApp},
			{AbsPath: "webpack:///./node_modules/react-dom/cjs/react-dom.development.js", Filename: "./node_modules/react-dom/cjs/react-dom.development.js", Function: "performSyncWorkOnRoot", InApp: &notInApp},
			{AbsPath: "webpack:///./src/components/List.jsx", Filename: "./src/components/List.jsx", Function: "List", InApp: &inApp},
		},
		Logger:  "javascript",
		Level:   "error",
		SDKName: "sentry.javascript.react",
		Tags:    []Tag{{"transaction", "/cart"}, {"browser", "Chrome 120"}},
		Release: "web@4.2.0",
	}
	b.ReportAllocs()
	for b.Loop() {
		if rules.Match(ev) != nil {
			b.Fatal("unexpected match")
		}
	}
}
