package fuzz

import (
	"errors"
	"testing"

	"github.com/sentrywire/sentrywire/grouping/fingerprint"
)

// FuzzParseFingerprinting feeds arbitrary text to the fingerprinting rule
// parser: it never panics, fails only with a *SyntaxError, and the rules
// it accepts render and match a sample event without panicking.
func FuzzParseFingerprinting(f *testing.F) {
	for _, s := range []string{
		"type:DatabaseUnavailable -> db-unavailable",
		"# comment\nerror.type:A error.value:\"b c\" -> x, {{ default }}\r\n",
		`!"path":**/foo/** app:yes -> everything title="T {{ logger }}"`,
		"logger:sentry.* level:ERROR -> logger-{{ logger }}-{{level}}",
		`message:"\\x\\xff\u00e9\N{DASH}" tags.transaction:"*" -> hydrationerror, {{tags.transaction}}`,
		"family:native,javascript sdk:all release:2.* package:?:/Windows/** -> x",
		"function:\"*::\\{dtor\\}\" module:[a-z]*{x,y} -> {{ function }}",
		"type:foo -> bar {x}",
		"type:foo\t-> bar",
		"invalid.message:foo -> bar",
		"type:a -> x foo=\"bar\"",
		"",
	} {
		f.Add(s)
	}
	inApp := true
	ev := &fingerprint.Event{
		Platform:   "javascript",
		Messages:   []string{"Hello World"},
		Exceptions: []fingerprint.Exception{{Type: "ChunkLoadError", Value: "Loading chunk 7 failed"}, {EmptyType: true}},
		Frames: []fingerprint.Frame{
			{AbsPath: `C:\app\src\main.js`, Filename: "main.js", Function: "main", Module: "app/main", InApp: &inApp},
			{Filename: "é.js", Package: "/usr/lib/libc.so"},
		},
		Logger:  "sentry.errors",
		Level:   "error",
		Release: "2.1",
		SDKName: "sentry.javascript.react",
		Tags:    []fingerprint.Tag{{Key: "transaction", Value: "/a"}, {Key: "x", Value: ""}},
	}
	f.Fuzz(func(t *testing.T, text string) {
		rules, err := fingerprint.Parse(text)
		if err != nil {
			var se *fingerprint.SyntaxError
			if !errors.As(err, &se) || rules != nil {
				t.Fatalf("Parse(%q) = %v, %v: want a *SyntaxError and no rules", text, rules, err)
			}
			if se.Line < 1 || se.Column < 1 {
				t.Fatalf("Parse(%q): position %d:%d", text, se.Line, se.Column)
			}
			_ = se.Error()
			return
		}
		for _, r := range rules.Rules() {
			_ = r.Text()
			_ = r.JSON()
		}
		_ = rules.Match(ev)
		_ = rules.Match(&fingerprint.Event{})
	})
}
