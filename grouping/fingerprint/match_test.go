package fingerprint

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

// TestMatch covers what each matcher tests and how a rule combines them
// (Sentry's fingerprinting/matchers.py, rules.py and utils.py).
func TestMatch(t *testing.T) {
	jsEvent := &Event{
		Platform:   "javascript",
		Exceptions: []Exception{{Type: "TypeError", Value: "  x is undefined\n"}},
		Frames: []Frame{
			{AbsPath: "webpack:///./src/App.js", Filename: "./src/App.js", Function: "render", InApp: yes()},
			{AbsPath: `C:\Users\Me\node_modules\react\index.js`, Module: "react/index", Function: "callback", InApp: no()},
			{Filename: "bare.js"},
		},
		Tags:    []Tag{{"transaction", "/checkout"}, {"env", "prod"}, {"env", " staging "}, {"empty", ""}},
		SDKName: "sentry.javascript.react",
		Release: " frontend@1.2.3 ",
	}
	logEvent := &Event{
		Platform: "python",
		Messages: []string{"  Hello World  "},
		Logger:   "sentry.errors",
		Level:    "error",
		SDKName:  "sentry.python.django",
	}
	bare := &Event{Platform: "python"}

	tests := []struct {
		name  string
		rule  string
		ev    *Event
		match bool
	}{
		{"family", `family:javascript -> x`, jsEvent, true},
		{"family list", `family:native,javascript -> x`, jsEvent, true},
		{"family all", `family:all -> x`, bare, true},
		{"family other", `family:other -> x`, bare, true},
		{"family no glob", `family:java* -> x`, jsEvent, false},
		{"family negated", `!family:native -> x`, jsEvent, true},
		{"sdk normalized", `sdk:sentry.javascript.react -> x`, jsEvent, true},
		{"sdk framework collapsed", `sdk:sentry.python -> x`, logEvent, true},
		{"sdk unset is other", `sdk:other -> x`, bare, true},

		{"type", `type:TypeError -> x`, jsEvent, true},
		{"type is case-sensitive", `type:typeerror -> x`, jsEvent, false},
		{"value stripped, case-insensitive", `value:"X IS UNDEFINED" -> x`, jsEvent, true},
		{"value star crosses slashes", `value:*is* -> x`, jsEvent, true},
		{"no exceptions fails even negated", `!type:Foo -> x`, bare, false},
		{"negated type", `!type:Foo -> x`, jsEvent, true},
		{"missing type only matches negated", `!type:* -> x`, &Event{Exceptions: []Exception{{Value: "v"}}}, true},
		{"missing type never matches", `type:* -> x`, &Event{Exceptions: []Exception{{Value: "v"}}}, false},
		{"empty type matches star", `type:* -> x`, &Event{Exceptions: []Exception{{EmptyType: true}}}, true},
		{"one exception satisfies both", `type:A value:b -> x`, &Event{Exceptions: []Exception{{Type: "A", Value: "a"}, {Type: "B", Value: "b"}}}, false},
		{"one exception satisfies both (2)", `type:B value:b -> x`, &Event{Exceptions: []Exception{{Type: "A", Value: "a"}, {Type: "B", Value: "b"}}}, true},

		{"message", `message:"hello world" -> x`, logEvent, true},
		{"message tests exception values", `message:*undefined -> x`, jsEvent, true},
		{"message without entities", `message:* -> x`, bare, false},
		{"empty message is none", `message:* -> x`, &Event{Messages: []string{""}}, false},
		{"blank message is empty", `message:"" -> x`, &Event{Messages: []string{"  "}}, true},
		{"negated message over a value-less exception", `!message:"hello world" -> x`, &Event{Messages: []string{"hello world"}, Exceptions: []Exception{{Type: "T"}}}, true},

		{"logger", `logger:sentry.* -> x`, logEvent, true},
		{"logger case-sensitive", `logger:Sentry.* -> x`, logEvent, false},
		{"level case-insensitive", `level:ERROR -> x`, logEvent, true},
		{"logger and level together", `logger:sentry.* level:error -> x`, logEvent, true},
		{"no log info fails even negated", `!logger:foo -> x`, bare, false},
		{"level absent", `level:* -> x`, &Event{Logger: "a"}, false},
		{"level absent, negated", `!level:x -> x`, &Event{Logger: "a"}, true},

		{"tag", `tags.transaction:/check* -> x`, jsEvent, true},
		{"tag last pair wins", `tags.env:staging -> x`, jsEvent, true},
		{"tag earlier pair lost", `tags.env:prod -> x`, jsEvent, false},
		{"missing tag", `tags.nope:* -> x`, jsEvent, false},
		{"missing tag negated", `!tags.nope:x -> x`, jsEvent, true},
		{"empty tag value is missing", `tags.empty:* -> x`, jsEvent, false},
		{"tags without tags", `!tags.a:b -> x`, bare, true},

		{"release path glob", `release:frontend@1.* -> x`, jsEvent, true},
		{"release case-insensitive", `release:FRONTEND@* -> x`, jsEvent, true},
		{"release star stops at slash", `release:a* -> x`, &Event{Release: "a/b"}, false},
		{"release retried with slash", `release:**/b -> x`, &Event{Release: "b"}, true},
		{"release absent", `release:* -> x`, bare, false},
		{"release absent, negated", `!release:x -> x`, bare, true}, // one entity, with no value

		{"path abs_path", `path:**/src/App.js -> x`, jsEvent, true},
		{"path lowercases", `path:**/SRC/app.JS -> x`, jsEvent, true},
		{"path normalizes backslashes", `path:c:/users/*/node_modules/** -> x`, jsEvent, true},
		{"path tests filename too", `path:./src/* -> x`, jsEvent, true},
		{"path falls back to filename", `path:bare.js -> x`, jsEvent, true},
		{"path leading slash retry", `path:/bare.js -> x`, jsEvent, true},
		{"path star does not cross slash", `path:webpack:*App.js -> x`, jsEvent, false},
		{"module", `module:react/* -> x`, jsEvent, true},
		{"module star crosses slash", `module:*index -> x`, jsEvent, true},
		{"function", `function:render -> x`, jsEvent, true},
		{"function unknown", `function:"<unknown>" -> x`, jsEvent, true},
		{"package absent", `package:* -> x`, jsEvent, false},
		{"app true", `app:yes function:render -> x`, jsEvent, true},
		{"app false", `app:false function:callback -> x`, jsEvent, true},
		{"app on one frame", `app:yes function:callback -> x`, jsEvent, false},
		{"app null never matches", `app:no function:"<unknown>" -> x`, jsEvent, false},
		{"app null matches negated", `!app:yes function:"<unknown>" -> x`, jsEvent, true},
		{"app bad value", `app:maybe -> x`, jsEvent, false},
		{"app case-insensitive", `app:TRUE -> x`, jsEvent, true},
		{"frames from anywhere", `type:TypeError function:callback family:javascript -> x`, jsEvent, true},
		{"no frames fails even negated", `!function:x -> x`, bare, false},

		{"all groups must hold", `type:TypeError logger:x -> x`, jsEvent, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Parse(tt.rule)
			require.NoError(t, err)
			assert.Equal(t, tt.match, rs.Match(tt.ev) != nil)
		})
	}
}

func TestMatchFirstRuleWins(t *testing.T) {
	custom, err := Parse("type:ChunkLoadError -> mine\ntype:ChunkLoadError -> second")
	require.NoError(t, err)
	builtin, err := Builtin("javascript@2024-02-02")
	require.NoError(t, err)
	ev := &Event{Platform: "javascript", Exceptions: []Exception{{Type: "ChunkLoadError"}}}

	r := Chain(custom, nil, builtin).Match(ev)
	require.NotNil(t, r)
	assert.Equal(t, []string{"mine"}, r.Fingerprint)
	assert.False(t, r.IsBuiltin)

	r = Chain(nil, builtin).Match(ev)
	require.NotNil(t, r)
	assert.True(t, r.IsBuiltin)
	assert.Equal(t, []string{"chunkloaderror"}, r.Fingerprint)

	assert.Nil(t, Chain().Match(ev))
	assert.Nil(t, (*Rules)(nil).Match(ev))
	assert.Nil(t, custom.Match(nil))
}

// TestBuiltin checks the embedded javascript@2024-02-02 base against what
// Sentry's snapshots record for it.
func TestBuiltin(t *testing.T) {
	rs, err := Builtin("javascript@2024-02-02")
	require.NoError(t, err)
	rules := rs.Rules()
	require.Len(t, rules, 7)
	for _, r := range rules {
		assert.True(t, r.IsBuiltin)
	}
	assert.Equal(t,
		`{"attributes":{},"fingerprint":["chunkloaderror"],"is_builtin":true,"matchers":[["family","javascript"],["type","ChunkLoadError"]],"text":"family:\"javascript\" type:\"ChunkLoadError\" -> \"chunkloaderror\""}`,
		string(rules[0].JSON()))
	assert.Equal(t, `family:"javascript" tags.transaction:"*" message:"Text content does not match server-rendered HTML." -> "hydrationerror{{tags.transaction}}"`, rules[6].Text())
	assert.Equal(t, []string{"javascript@2024-02-02"}, BuiltinNames())

	hydration := &Event{
		Platform:   "javascript",
		Exceptions: []Exception{{Type: "Error", Value: "Hydration failed because the initial UI does not match what was rendered on the server."}},
		Tags:       []Tag{{"transaction", "/home"}},
	}
	r := rs.Match(hydration)
	require.NotNil(t, r)
	assert.Equal(t, []string{"hydrationerror", "{{tags.transaction}}"}, r.Fingerprint)
	hydration.Tags = nil
	assert.Nil(t, rs.Match(hydration), "the hydration rules need a transaction tag")

	chunk := &Event{Platform: "node", Exceptions: []Exception{{Type: "Error", Value: "chunkloaderror: Loading chunk 7 failed"}}}
	r = rs.Match(chunk)
	require.NotNil(t, r)
	assert.Equal(t, `family:"javascript" value:"ChunkLoadError*" -> "chunkloaderror"`, r.Text())
	chunk.Platform = "python"
	assert.Nil(t, rs.Match(chunk))

	_, err = Builtin("nextjs@2023-12-22")
	assert.ErrorIs(t, err, ErrUnknownBuiltin)
}

// TestSentryFingerprintInputs replays Sentry's fingerprinting test inputs
// (tests/sentry/grouping/fingerprint_inputs/*.json), reduced to what the
// matchers look at, with their rules and the rule Sentry's snapshot says
// matched ("" for none). The event is filled as the grouping package
// fills it: frames from find_stack_frames, functions as trimmed.
func TestSentryFingerprintInputs(t *testing.T) {
	javaFrame := Frame{Function: "main", AbsPath: "Application.java", Module: "io.sentry.example.Application", Filename: "Application.java", InApp: no()}
	dbEvent := &Event{Platform: "java", Frames: []Frame{javaFrame},
		Exceptions: []Exception{{Type: "DatabaseUnavailable", Value: "For some reason the database went away"}}}
	native := func(fn string, app bool) Frame { b := app; return Frame{Function: fn, InApp: &b} }
	symcache := &Event{
		Platform:   "native",
		Exceptions: []Exception{{Type: "Custom", Value: "out of range"}, {Type: "SymCacheError", Value: "invalid symcache header"}},
		Frames: []Frame{
			native("main", true),
			native("std::panicking::try", false),
			native("symbolicator::actors::symcaches::SymCacheFile::parse", true),
			native("failure::backtrace::internal::InternalBacktrace::new", false),
		},
	}
	tests := []struct {
		name, rules string
		ev          *Event
		matched     string
	}{
		{"abs-path", `[{"matchers":[["type","DatabaseUnavailable"]],"fingerprint":["{{ stack.abs_path }}"]}]`,
			&Event{Platform: "native", Exceptions: []Exception{{Type: "DatabaseUnavailable"}}, Frames: []Frame{{Function: "main", AbsPath: "/foo/Application.cpp", Filename: "Application.cpp", InApp: no()}}},
			`type:"DatabaseUnavailable" -> "{{ stack.abs_path }}"`},
		{"escape-chars", `[{"matchers":[["message","\\{\\[\\*\\?\\]\\}"]],"fingerprint":["escaped","{{ message }}"]}]`,
			&Event{Messages: []string{"{[*?]}"}},
			`message:"\{\[\*\?\]\}" -> "escaped{{ message }}"`},
		{"exception-type-and-module", `[{"matchers":[["type","DatabaseUnavailable"],["module","io.sentry.example.*"]],"fingerprint":["database-unavailable"]}]`,
			dbEvent, `type:"DatabaseUnavailable" module:"io.sentry.example.*" -> "database-unavailable"`},
		{"exception-type-and-sdk", `[{"matchers":[["sdk","sentry.javascript.nextjs"],["type","ChunkLoadError"]],"fingerprint":["chunkloaderror"]}]`,
			&Event{Platform: "javascript", SDKName: "sentry.javascript.nextjs", Exceptions: []Exception{{Type: "ChunkLoadError", Value: "ChunkLoadError something something..."}}},
			`sdk:"sentry.javascript.nextjs" type:"ChunkLoadError" -> "chunkloaderror"`},
		{"exception-type-and-sdk-mismatch", `[{"matchers":[["sdk","sentry.javascript.nextjs"],["type","ChunkLoadError"]],"fingerprint":["chunkloaderror"]}]`,
			&Event{Platform: "javascript", SDKName: "sentry.javascript.ember", Exceptions: []Exception{{Type: "ChunkLoadError", Value: "ChunkLoadError something something..."}}},
			`family:"javascript" type:"ChunkLoadError" -> "chunkloaderror"`}, // the built-in rule
		{"exception-value", `[{"matchers":[["value","*went wrong*"]],"fingerprint":["something-went-wrong","{{ error.value }}"]}]`,
			&Event{Platform: "java", Exceptions: []Exception{{Type: "EndOfWorld", Value: "something went WRONG"}}},
			`value:"*went wrong*" -> "something-went-wrong{{ error.value }}"`},
		{"function", `[{"matchers":[["type","DatabaseUnavailable"],["module","io.sentry.example.*"]],"fingerprint":["database-unavailable","{{ function }}"]}]`,
			dbEvent, `type:"DatabaseUnavailable" module:"io.sentry.example.*" -> "database-unavailable{{ function }}"`},
		{"message", `[{"matchers":[["message","*love*"]],"fingerprint":["what-is-love","{{ message }}"]}]`,
			&Event{Messages: []string{"Hello my sweet Love"}}, `message:"*love*" -> "what-is-love{{ message }}"`},
		{"message-on-value", `[{"matchers":[["message","*love*"]],"fingerprint":["what-is-love","{{ message }}"]}]`,
			&Event{Platform: "java", Exceptions: []Exception{{Type: "NoLove", Value: "something has no love."}}},
			`message:"*love*" -> "what-is-love{{ message }}"`},
		{"native-app", `[{"matchers":[["function","symbolicator::actors::symcaches::*"],["app","true"]],"fingerprint":["symcache-error"]}]`,
			symcache, `function:"symbolicator::actors::symcaches::*" app:"true" -> "symcache-error"`},
		{"native-non-app", `[{"matchers":[["function","symbolicator::actors::symcaches::*"],["app","false"]],"fingerprint":["symcache-error"]}]`,
			symcache, ""},
		{"no-function", `[{"matchers":[["type","DatabaseUnavailable"],["module","io.sentry.example.*"]],"fingerprint":["database-unavailable","{{ function }}"]}]`,
			&Event{Platform: "java", Exceptions: dbEvent.Exceptions, Frames: []Frame{{AbsPath: "Application.java", Module: "io.sentry.example.Application", InApp: no()}}},
			`type:"DatabaseUnavailable" module:"io.sentry.example.*" -> "database-unavailable{{ function }}"`},
		{"on-log-info", `[{"matchers":[["logger","sentry.*"],["level","ERROR"]],"fingerprint":["log-","{{ logger }}","-","{{ level }}"]}]`,
			&Event{Messages: []string{"Love not found."}, Logger: "sentry.example.love", Level: "error"},
			`logger:"sentry.*" level:"ERROR" -> "log-{{ logger }}-{{ level }}"`},
		{"on-sdk", `[{"matchers":[["sdk","sentry.javascript.nextjs"]],"fingerprint":["sdk-nextjs"]}]`,
			&Event{Messages: []string{"Es Dee Kay"}, SDKName: "sentry.javascript.nextjs"}, `sdk:"sentry.javascript.nextjs" -> "sdk-nextjs"`},
		{"on-tags", `[{"matchers":[["tags.foobar","*stuff*"]],"fingerprint":["foobar-matched-stuff-","{{ tags.barfoo }}"]}]`,
			&Event{Messages: []string{"Hello my sweet Love"}, Tags: []Tag{{"barfoo", "amazing"}, {"foobar", "my-stuff-other-stuff"}}},
			`tags.foobar:"*stuff*" -> "foobar-matched-stuff-{{ tags.barfoo }}"`},
		{"python", `[{"matchers":[["type","ReadTimeout"],["path","**/requests/adapters.py"]],"fingerprint":["timeout-in-requests"]}]`,
			&Event{Platform: "python", Exceptions: []Exception{{Type: "ReadTimeout"}}, Frames: []Frame{
				{Function: "request", AbsPath: "/usr/local/lib/python2.7/site-packages/requests/sessions.py", Filename: "requests/sessions.py", Module: "requests.sessions", InApp: no()},
				{Function: "send", AbsPath: "/usr/local/lib/python2.7/site-packages/requests/adapters.py", Filename: "requests/adapters.py", Module: "requests.adapters", InApp: no()},
			}},
			`type:"ReadTimeout" path:"**/requests/adapters.py" -> "timeout-in-requests"`},
		{"release-matcher", `[{"matchers":[["release","2.*"]],"fingerprint":["dogs-are-great","{{ message }}"]}]`,
			&Event{Messages: []string{"Yay, dogs!"}, Release: "2.1"}, `release:"2.*" -> "dogs-are-great{{ message }}"`},
		{"no-release", `[{"matchers":[["message","*dogs*"]],"fingerprint":["dogs-are-great","{{ release }}"]}]`,
			&Event{Messages: []string{"Yay, dogs!"}}, `message:"*dogs*" -> "dogs-are-great{{ release }}"`},
		{"two-threads", `[{"matchers":[["function","main"]],"fingerprint":["in-main"]}]`,
			&Event{Frames: []Frame{{Function: "main", AbsPath: "foo/baz.c", Filename: "foo/baz.c", InApp: yes()}}},
			`function:"main" -> "in-main"`},
		{"no-type-module", `[{"matchers":[["function","main"]],"fingerprint":["{{ type }}","{{ module }}","{{ function }}"]}]`,
			&Event{Platform: "java", Frames: []Frame{{Function: "main", AbsPath: "Application.java", Filename: "Application.java", InApp: no()}}},
			`function:"main" -> "{{ type }}{{ module }}{{ function }}"`},
		{"built-in value", `[]`,
			&Event{Platform: "javascript", SDKName: "sentry.javascript.nextjs", Exceptions: []Exception{{Type: "chunky", Value: "ChunkLoadError: something something..."}}},
			`family:"javascript" value:"ChunkLoadError*" -> "chunkloaderror"`},
	}
	builtin, err := Builtin("javascript@2024-02-02")
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			custom, err := ParseJSON([]byte(tt.rules))
			require.NoError(t, err)
			r := Chain(custom, builtin).Match(tt.ev)
			if tt.matched == "" {
				assert.Nil(t, r)
				return
			}
			require.NotNil(t, r)
			assert.Equal(t, tt.matched, r.Text())
		})
	}
}

// TestMatchConcurrent runs Match from many goroutines on shared rules;
// run it with -race.
func TestMatchConcurrent(t *testing.T) {
	rs, err := Parse("path:**/a/** app:yes -> x\nmessage:*boom* -> y")
	require.NoError(t, err)
	done := make(chan bool)
	for i := range 8 {
		go func() {
			ev := &Event{Messages: []string{fmt.Sprintf("boom %d", i)}, Frames: []Frame{{AbsPath: "/x/A/b.js", InApp: yes()}}}
			r := rs.Match(ev)
			done <- r != nil && strings.Join(r.Fingerprint, "") == "x"
		}()
	}
	for range 8 {
		assert.True(t, <-done)
	}
}
