package enhancement

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func boolp(b bool) *bool { return &b }

// matches returns the indices of the frames the first rule of text
// matches, with the frames' current in_app and category. The rule runs as
// a built-in rule does (ophio's own semantics) unless custom is set.
func matches(t *testing.T, text string, custom bool, frames []Frame, exc Exception) []int {
	t.Helper()
	r, err := parse(text, custom)
	require.NoError(t, err, text)
	rl := append(r.all(classifierOf), r.all(contributesOf)...)[0]
	st := matchState{views: makeViews(frames), inApp: make([]int8, len(frames)), frames: frames}
	for i := range frames {
		st.inApp[i] = triState(frames[i].InApp)
	}
	var out []int
	if !rl.applies(summarize(&st), &exc) {
		return out
	}
	for i := range frames {
		if rl.matchFrame(&st, i) {
			out = append(out, i)
		}
	}
	return out
}

func TestMatchers(t *testing.T) {
	js := func(f Frame) []Frame { f.Platform = "javascript"; return []Frame{f} }
	native := func(f Frame) []Frame { f.Platform = "native"; return []Frame{f} }
	python := func(f Frame) []Frame { f.Platform = "python"; return []Frame{f} }
	yes, no := []int{0}, []int(nil)
	tests := []struct {
		name   string
		rule   string
		frames []Frame
		exc    Exception
		want   []int
	}{
		// Sentry's test_basic_path_matching.
		{"path abs_path", "path:**/test.js +app", js(Frame{AbsPath: "http://example.com/foo/test.js", Filename: "/foo/test.js"}), Exception{}, yes},
		{"path other file", "path:**/test.js +app", js(Frame{AbsPath: "http://example.com/foo/bar.js", Filename: "/foo/bar.js"}), Exception{}, no},
		{"path only abs_path", "path:**/test.js +app", js(Frame{AbsPath: "http://example.com/foo/test.js"}), Exception{}, yes},
		{"path only filename", "path:**/test.js +app", js(Frame{Filename: "/foo/bar.js"}), Exception{}, no},
		{"path case-insensitive", "path:**/test.js +app", js(Frame{AbsPath: "http://example.com/foo/TEST.js"}), Exception{}, yes},
		{"path retried with a slash", "path:**/test.js +app", js(Frame{Filename: "test.js"}), Exception{}, yes},
		{"path backslashes", `path:**/src/*.c +app`, native(Frame{AbsPath: `C:\Src\main.c`}), Exception{}, yes},
		{"no path never matches", "path:** +app", js(Frame{}), Exception{}, no},
		{"negated missing path", "!path:** +app", js(Frame{}), Exception{}, yes},
		// test_family_matching.
		{"family js on js", "family:javascript path:**/test.js +app", js(Frame{AbsPath: "http://example.com/foo/TEST.js"}), Exception{}, yes},
		{"family js on native", "family:javascript path:**/test.js +app", native(Frame{AbsPath: "http://example.com/foo/TEST.js"}), Exception{}, no},
		{"family native on js", "family:native function:std::* -app", js(Frame{Function: "std::whatever"}), Exception{}, no},
		{"family native", "family:native function:std::* -app", native(Frame{Function: "std::whatever"}), Exception{}, yes},
		{"family cocoa is native", "family:native -app", []Frame{{Platform: "cocoa"}}, Exception{}, yes},
		{"family list", "family:javascript,native -app", []Frame{{Platform: "node"}}, Exception{}, yes},
		{"family all", "family:all -app", python(Frame{}), Exception{}, yes},
		{"family unknown name", "family:python -app", python(Frame{}), Exception{}, no},
		{"family other", "family:other -app", python(Frame{}), Exception{}, yes},
		{"app:YES is not a value", "app:YES -app", python(Frame{InApp: boolp(true)}), Exception{}, no},
		{"negated family", "!family:native -app", python(Frame{}), Exception{}, yes},
		// test_app_matching.
		{"app:yes in-app", "family:javascript path:**/test.js app:yes +app", js(Frame{AbsPath: "http://example.com/foo/TEST.js", InApp: boolp(true)}), Exception{}, yes},
		{"app:yes system", "family:javascript path:**/test.js app:yes +app", js(Frame{AbsPath: "http://example.com/foo/TEST.js", InApp: boolp(false)}), Exception{}, no},
		{"app:no system", "family:native path:**/test.c app:no -group", native(Frame{AbsPath: "/test.c", InApp: boolp(false)}), Exception{}, yes},
		{"app:no in-app", "family:native path:**/test.c app:no -group", native(Frame{AbsPath: "/test.c", InApp: boolp(true)}), Exception{}, no},
		{"app:no null", "app:no -group", native(Frame{}), Exception{}, yes},
		// test_invalid_app_matcher: a bad value never matches.
		{"invalid app null", "app://../../src/some-file.ts -app", js(Frame{}), Exception{}, no},
		{"invalid app true", "app://../../src/some-file.ts -app", js(Frame{InApp: boolp(true)}), Exception{}, no},
		{"invalid app false", "app://../../src/some-file.ts -app", js(Frame{InApp: boolp(false)}), Exception{}, no},
		{"invalid app negated", "!app:maybe -app", js(Frame{}), Exception{}, yes},
		// test_package_matching.
		{"package bundled", "family:native package:/var/**/Frameworks/** -app", native(Frame{Package: "/var/containers/MyApp/Frameworks/libsomething"}), Exception{}, yes},
		{"package macos", "family:native package:**/*.app/Contents/** +app", native(Frame{Package: "/Applications/MyStuff.app/Contents/MacOS/MyStuff"}), Exception{}, yes},
		{"package linux", "family:native package:linux-gate.so -app", native(Frame{Package: "linux-gate.so"}), Exception{}, yes},
		{"package windows", "family:native package:?:/Windows/** -app", native(Frame{Package: `D:\Windows\System32\kernel32.dll`}), Exception{}, yes},
		{"package windows lower", "family:native package:?:/Windows/** -app", native(Frame{Package: `d:\windows\System32\kernel32.dll`}), Exception{}, yes},
		{"package var2", "family:native package:/var/**/Frameworks/** -app", native(Frame{Package: "/var2/containers/MyApp/Frameworks/libsomething"}), Exception{}, no},
		{"package no frameworks", "family:native package:/var/**/Frameworks/** -app", native(Frame{Package: "/var/containers/MyApp/MacOs/MyApp"}), Exception{}, no},
		{"package other lib", "family:native package:/var/**/Frameworks/** -app", native(Frame{Package: "/usr/lib/linux-gate.so"}), Exception{}, no},
		// test_type_matching, test_value_matching, test_mechanism_matching.
		{"type no exception", "family:other error.type:ZeroDivisionError -app", python(Frame{Function: "foo"}), Exception{}, no},
		{"type glob no exception", "family:other error.type:*Error -app", python(Frame{Function: "foo"}), Exception{}, no},
		{"type", "family:other error.type:ZeroDivisionError -app", python(Frame{Function: "foo"}), Exception{Type: "ZeroDivisionError"}, yes},
		{"type wrong family", "family:other error.type:ZeroDivisionError -app", native(Frame{Function: "foo"}), Exception{Type: "FooError"}, no},
		{"type glob", "family:other error.type:*Error -app", python(Frame{Function: "foo"}), Exception{Type: "FooError"}, yes},
		{"value", "family:other error.value:foo -app", python(Frame{Function: "foo"}), Exception{Value: "foo"}, yes},
		{"value glob", "family:other error.value:Failed* -app", python(Frame{Function: "foo"}), Exception{Value: "Failed to download"}, yes},
		{"value glob other value", "family:other error.value:Failed* -app", python(Frame{Function: "foo"}), Exception{Value: "foo"}, no},
		{"value star stops at newline", "error.value:Failed* -app", python(Frame{}), Exception{Value: "Failed\nto download"}, no},
		{"mechanism", "family:other error.mechanism:NSError -app", python(Frame{Function: "foo"}), Exception{Mechanism: "NSError"}, yes},
		{"mechanism case", "family:other error.mechanism:NSError -app", python(Frame{Function: "foo"}), Exception{Mechanism: "fooerror"}, no},
		{"missing type is <unknown>", "error.type:<unknown> -app", python(Frame{}), Exception{}, yes},
		{"negated missing type", "!error.type:Foo -app", python(Frame{}), Exception{}, yes},
		{"exception-only rule matches every frame", "error.type:Foo -app", []Frame{{}, {}}, Exception{Type: "Foo"}, []int{0, 1}},
		// Functions, modules, categories.
		{"missing function is <unknown>", `function:"<unknown>" -app`, native(Frame{}), Exception{}, yes},
		{"function case-sensitive", "function:Foo -app", python(Frame{Function: "foo"}), Exception{}, no},
		{"function star crosses slashes", "function:a* -app", python(Frame{Function: "a/b.c"}), Exception{}, yes},
		{"module", "module:java.* -app", []Frame{{Module: "java.lang.Thread"}}, Exception{}, yes},
		{"missing module", "!module:x -app", []Frame{{}}, Exception{}, yes},
		{"dtor (ophio test_dtor)", `family:native function:"*::\\{dtor\\}" category=dtor`, native(Frame{Function: "abccore::classref::InterfaceRef<T>::{dtor}"}), Exception{}, yes},
		{"objc with bad glob never matches", "stack.function:-[* -app", native(Frame{Function: "-[UIApplication sendAction:to:from:forEvent:] "}), Exception{}, no},
		{"category", "category:ui -app", []Frame{{Category: "ui"}}, Exception{}, yes},
		{"no category", "category:* -app", []Frame{{}}, Exception{}, no},
		{"negated no category", "!category:ui -app", []Frame{{}}, Exception{}, yes},
		// test_range_matching and test_range_matching_direct.
		{"caller and callee", "[ function:foo ] | function:* | [ function:baz ] category=bar",
			[]Frame{{Function: "main"}, {Function: "foo"}, {Function: "bar"}, {Function: "baz"}, {Function: "abort"}}, Exception{}, []int{2}},
		{"callee", "function:bar | [ function:baz ] -group",
			[]Frame{{Function: "main"}, {Function: "foo"}, {Function: "bar"}, {Function: "baz"}, {Function: "abort"}}, Exception{}, []int{2}},
		{"callee elsewhere", "function:bar | [ function:baz ] -group",
			[]Frame{{Function: "main"}, {Function: "foo"}, {Function: "bar"}, {Function: "abort"}, {Function: "baz"}}, Exception{}, no},
		{"negated caller needs a caller", "[ !function:x ] | function:* -group", []Frame{{Function: "a"}, {Function: "b"}}, Exception{}, []int{1}},
		{"negated callee needs a callee", "function:* | [ !function:x ] -group", []Frame{{Function: "a"}, {Function: "b"}}, Exception{}, []int{0}},
		{"negated bad glob on the callee", "function:* | [ !function:[ ] -group", []Frame{{Function: "a"}, {Function: "b"}}, Exception{}, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, matches(t, tt.rule, false, tt.frames, tt.exc))
		})
	}
}

func TestCustomMatchers(t *testing.T) {
	// Project rules reach the matcher through Sentry's stored form, which
	// has no letter for the family "other" and normalises app values.
	python := []Frame{{Platform: "python", InApp: boolp(true)}}
	tests := []struct {
		rule string
		want []int
	}{
		{"family:other -app", nil},
		{"family:other,all -app", []int{0}},
		{"!family:other -app", []int{0}},
		{"app:YES -app", []int{0}},
		{"app:True -app", []int{0}},
		{"app:nope -app", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, matches(t, tt.rule, true, python, Exception{}), tt.rule)
	}
}

func inApps(frames []Frame) []any {
	out := make([]any, len(frames))
	for i, f := range frames {
		if f.InApp != nil {
			out[i] = *f.InApp
		}
	}
	return out
}

func TestClassify(t *testing.T) {
	fn := func(names ...string) []Frame {
		out := make([]Frame, len(names))
		for i, n := range names {
			out[i] = Frame{Platform: "python", Function: n}
		}
		return out
	}
	tests := []struct {
		name       string
		rules      string
		frames     []Frame
		wantInApp  []any
		wantCats   []string
		wantClient []any
	}{
		{"no rule leaves null", "function:x +app", fn("a"), []any{nil}, []string{""}, []any{nil}},
		{"plain", "function:b +app", fn("a", "b", "c"), []any{nil, true, nil}, nil, nil},
		{"up range", "function:b ^-app", fn("a", "b", "c", "d"), []any{nil, nil, false, false}, nil, nil},
		{"down range", "function:c v+app", fn("a", "b", "c", "d"), []any{true, true, nil, nil}, nil, nil},
		{"unreal style", "function:c v+app -app ^-app", fn("a", "b", "c", "d"), []any{true, true, false, false}, nil, nil},
		{"last writer wins", "family:all +app\nfamily:all -app", fn("a"), []any{false}, nil, nil},
		{"later rules see earlier results", "function:a category=x\ncategory:x -app", fn("a", "b"), []any{false, nil}, []string{"x", ""}, nil},
		{"hits come before actions", "[ category:t ] | category:t category=internals\nfunction:* category=t",
			fn("a", "b", "c"), nil, []string{"t", "t", "t"}, nil},
		{"hits come before actions, second pass", "function:* category=t\n[ category:t ] | category:t category=internals",
			fn("a", "b", "c"), nil, []string{"t", "internals", "internals"}, nil},
		{"app matcher sees earlier rules", "function:a +app\napp:yes category=mine", fn("a", "b"), []any{true, nil}, []string{"mine", ""}, nil},
		{"app:no +app matches null and false (test_app_no_matches)", "app:no +app",
			[]Frame{{Function: "foo"}, {Function: "foo", InApp: boolp(false)}}, []any{true, true}, nil, []any{nil, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.rules)
			require.NoError(t, err)
			r.Classify(tt.frames, Exception{})
			if tt.wantInApp != nil {
				assert.Equal(t, tt.wantInApp, inApps(tt.frames), "in_app")
			}
			if tt.wantCats != nil {
				var cats []string
				for _, f := range tt.frames {
					cats = append(cats, f.Category)
				}
				assert.Equal(t, tt.wantCats, cats, "categories")
			}
			if tt.wantClient != nil {
				var client []any
				for _, f := range tt.frames {
					if f.ClientInApp == nil {
						client = append(client, nil)
					} else {
						client = append(client, *f.ClientInApp)
					}
				}
				assert.Equal(t, tt.wantClient, client, "client in_app")
			}
		})
	}
}

func TestClassifyFlipFlop(t *testing.T) {
	// Sentry's test_flipflop_inapp.
	r, err := Parse("family:all +app\nfamily:all -app")
	require.NoError(t, err)
	for _, start := range []*bool{nil, boolp(false), boolp(true)} {
		frames := []Frame{{Platform: "javascript", InApp: start}}
		r.Classify(frames, Exception{})
		require.NotNil(t, frames[0].InApp)
		assert.False(t, *frames[0].InApp)
		assert.Equal(t, start, frames[0].ClientInApp)
	}
}

func TestClassifyNeverWritesThroughInApp(t *testing.T) {
	r, err := Parse("function:a -app")
	require.NoError(t, err)
	client := true
	frames := []Frame{{Function: "a", InApp: &client}}
	r.Classify(frames, Exception{})
	assert.True(t, client, "the caller's bool is untouched")
	assert.False(t, *frames[0].InApp)
	assert.Same(t, &client, frames[0].ClientInApp)
}

func TestClassifyWithBase(t *testing.T) {
	// Sentry's test_base64_string_with_old_enhancements_name_runs_default_rules:
	// an internal Node function is marked out of app by the built-in rules.
	for _, id := range []string{"newstyle:2023-01-11", "all-platforms:2023-01-11", "all-platforms:2026-01-20"} {
		r, err := Base(id)
		require.NoError(t, err)
		frames := []Frame{{Platform: "node", Function: "nextTick", Filename: "dogs/are/great.js"}}
		r.Classify(frames, Exception{})
		require.NotNil(t, frames[0].InApp, id)
		assert.False(t, *frames[0].InApp, id)
	}
	// The 2026 rules drop family:native from the Unix library paths.
	frames := func() []Frame {
		return []Frame{{Platform: "python", AbsPath: "/usr/local/lib/python3.12/json/decoder.py", Function: "decode"}}
	}
	old, _ := Base("all-platforms:2023-01-11")
	f := frames()
	old.Classify(f, Exception{})
	assert.Nil(t, f[0].InApp)
	cur, _ := Base("all-platforms:2026-01-20")
	f = frames()
	cur.Classify(f, Exception{})
	require.NotNil(t, f[0].InApp)
	assert.False(t, *f[0].InApp)
}

func TestNilAndEmpty(t *testing.T) {
	var r *Rules
	frames := []Frame{{InApp: boolp(true)}}
	r.Classify(frames, Exception{})
	assert.True(t, *frames[0].ClientInApp)
	comps := []FrameComponent{{Contributes: true}}
	c, h := r.Assemble("app", frames, comps, Exception{})
	assert.True(t, c)
	assert.Empty(t, h)
	assert.Equal(t, "marked in-app by the client", comps[0].Hint)
	r.Classify(nil, Exception{})
	c, _ = r.Assemble("system", nil, nil, Exception{})
	assert.False(t, c)
	// Mismatched lengths use the common prefix.
	base, _ := Base("all-platforms:2026-01-20")
	assert.NotPanics(t, func() { base.Assemble("app", make([]Frame, 3), make([]FrameComponent, 1), Exception{}) })
}
