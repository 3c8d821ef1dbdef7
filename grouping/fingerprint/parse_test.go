package fingerprint

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParse checks Parse against Sentry's grammar: every expectation was
// produced by Sentry's own grammar and visitor (parsimonious 0.10 with the
// regex module, as Sentry runs them), the first three cases being the
// texts of Sentry's test_fingerprinting.py. A rule is compared as the JSON
// of rule.to_json(); an error by Sentry's message.
func TestParse(t *testing.T) {
	tests := []struct {
		text  string
		rules []string
		err   string
	}{
		{text: "\n# This is a config\ntype:DatabaseUnavailable                        -> DatabaseUnavailable\nfunction:assertion_failed module:foo            -> AssertionFailed, foo\napp:true                                        -> aha\napp:true                                        -> {{ default }}\n!path:**/foo/**                                 -> everything\n!\"path\":**/foo/**                               -> everything\nlogger:sentry.*                                 -> logger-, {{ logger }}\nmessage:\"\\\\x\\\\xff\"                              -> stuff\nlogger:sentry.*                                 -> logger-{{ logger }}, title=\"Message from {{ logger }}\"\nlogger:sentry.*                                 -> logger-{{ logger }} title=\"Message from {{ logger }}\"\n", rules: []string{`{"attributes":{},"fingerprint":["DatabaseUnavailable"],"matchers":[["type","DatabaseUnavailable"]],"text":"type:\"DatabaseUnavailable\" -> \"DatabaseUnavailable\""}`, `{"attributes":{},"fingerprint":["AssertionFailed","foo"],"matchers":[["function","assertion_failed"],["module","foo"]],"text":"function:\"assertion_failed\" module:\"foo\" -> \"AssertionFailedfoo\""}`, `{"attributes":{},"fingerprint":["aha"],"matchers":[["app","true"]],"text":"app:\"true\" -> \"aha\""}`, `{"attributes":{},"fingerprint":["{{ default }}"],"matchers":[["app","true"]],"text":"app:\"true\" -> \"{{ default }}\""}`, `{"attributes":{},"fingerprint":["everything"],"matchers":[["!path","**/foo/**"]],"text":"!path:\"**/foo/**\" -> \"everything\""}`, `{"attributes":{},"fingerprint":["everything"],"matchers":[["!path","**/foo/**"]],"text":"!path:\"**/foo/**\" -> \"everything\""}`, `{"attributes":{},"fingerprint":["logger-","{{ logger }}"],"matchers":[["logger","sentry.*"]],"text":"logger:\"sentry.*\" -> \"logger-{{ logger }}\""}`, `{"attributes":{},"fingerprint":["stuff"],"matchers":[["message","\\x\\xff"]],"text":"message:\"\\x\\xff\" -> \"stuff\""}`, `{"attributes":{"title":"Message from {{ logger }}"},"fingerprint":["logger-","{{ logger }}"],"matchers":[["logger","sentry.*"]],"text":"logger:\"sentry.*\" -> \"logger-{{ logger }}\" title=\"Message from {{ logger }}\""}`, `{"attributes":{"title":"Message from {{ logger }}"},"fingerprint":["logger-","{{ logger }}"],"matchers":[["logger","sentry.*"]],"text":"logger:\"sentry.*\" -> \"logger-{{ logger }}\" title=\"Message from {{ logger }}\""}`}},
		{text: "\nlogger:test -> logger-{{ logger }}\nlogger:test -> logger-, {{ logger }}\nlogger:test2 -> logger-{{ logger }}-{{ level }}\nlogger:test2 -> logger-, {{ logger }}, -, {{ level }}\n", rules: []string{`{"attributes":{},"fingerprint":["logger-","{{ logger }}"],"matchers":[["logger","test"]],"text":"logger:\"test\" -> \"logger-{{ logger }}\""}`, `{"attributes":{},"fingerprint":["logger-","{{ logger }}"],"matchers":[["logger","test"]],"text":"logger:\"test\" -> \"logger-{{ logger }}\""}`, `{"attributes":{},"fingerprint":["logger-","{{ logger }}","-","{{ level }}"],"matchers":[["logger","test2"]],"text":"logger:\"test2\" -> \"logger-{{ logger }}-{{ level }}\""}`, `{"attributes":{},"fingerprint":["logger-","{{ logger }}","-","{{ level }}"],"matchers":[["logger","test2"]],"text":"logger:\"test2\" -> \"logger-{{ logger }}-{{ level }}\""}`}},
		{text: "\n# This is a config\nerror.type:DatabaseUnavailable                        -> DatabaseUnavailable\nstack.function:assertion_failed stack.module:foo      -> AssertionFailed, foo\napp:true                                        -> aha\napp:true                                        -> {{ default }}\nrelease:foo                                     -> release-foo\n", rules: []string{`{"attributes":{},"fingerprint":["DatabaseUnavailable"],"matchers":[["type","DatabaseUnavailable"]],"text":"type:\"DatabaseUnavailable\" -> \"DatabaseUnavailable\""}`, `{"attributes":{},"fingerprint":["AssertionFailed","foo"],"matchers":[["function","assertion_failed"],["module","foo"]],"text":"function:\"assertion_failed\" module:\"foo\" -> \"AssertionFailedfoo\""}`, `{"attributes":{},"fingerprint":["aha"],"matchers":[["app","true"]],"text":"app:\"true\" -> \"aha\""}`, `{"attributes":{},"fingerprint":["{{ default }}"],"matchers":[["app","true"]],"text":"app:\"true\" -> \"{{ default }}\""}`, `{"attributes":{},"fingerprint":["release-foo"],"matchers":[["release","foo"]],"text":"release:\"foo\" -> \"release-foo\""}`}},
		{text: "invalid.message:foo -> bar", err: "Unknown matcher 'invalid.message'"},
		{text: "type:foo -> bar {x}", err: "Invalid syntax near \"{x}\" (line 1, column 17)"},
		{text: "type:foo -> {{default}} {{ default}} \"{{default }}\"", rules: []string{`{"attributes":{},"fingerprint":["{{ default }}","{{ default }}","{{ default }}"],"matchers":[["type","foo"]],"text":"type:\"foo\" -> \"{{ default }}{{ default }}{{ default }}\""}`}},
		{text: "type:foo -> a,b , c ,d", rules: []string{`{"attributes":{},"fingerprint":["a","b","c","d"],"matchers":[["type","foo"]],"text":"type:\"foo\" -> \"abcd\""}`}},
		{text: "type:foo -> a,,b", err: "Invalid syntax near \",b\" (line 1, column 15)"},
		{text: "type:foo -> a # not a comment", rules: []string{`{"attributes":{},"fingerprint":["a","#","not","a","comment"],"matchers":[["type","foo"]],"text":"type:\"foo\" -> \"a#notacomment\""}`}},
		{text: "type:foo -> x title=unquoted", rules: []string{`{"attributes":{},"fingerprint":["x","title=unquoted"],"matchers":[["type","foo"]],"text":"type:\"foo\" -> \"xtitle=unquoted\""}`}},
		{text: "type:foo -> x title=\"a\" title=\"b\"", rules: []string{`{"attributes":{"title":"b"},"fingerprint":["x"],"matchers":[["type","foo"]],"text":"type:\"foo\" -> \"x\" title=\"b\""}`}},
		{text: "type:foo -> x foo=\"bar\"", err: "Unknown attribute 'foo'"},
		{text: "type:foo -> x title=\"t\" foo=\"bar\"", err: "Unknown attribute 'foo'"},
		{text: "type:foo\t-> x", err: "Invalid syntax near \"type:foo\t-> x\" (line 1, column 1)"},
		{text: "type:foo ->\tx", err: "Invalid syntax near \"type:foo ->\tx\" (line 1, column 1)"},
		{text: "\ttype:foo -> x", err: "Invalid syntax near \"\ttype:foo -> x\" (line 1, column 1)"},
		{text: "type :foo -> x", err: "Invalid syntax near \"type :foo -> x\" (line 1, column 1)"},
		{text: "type: foo -> x", err: "Invalid syntax near \"type: foo -> x\" (line 1, column 1)"},
		{text: "! type:foo -> x", err: "Invalid syntax near \"! type:foo -> x\" (line 1, column 1)"},
		{text: "!!type:foo -> x", err: "Invalid syntax near \"!!type:foo -> x\" (line 1, column 1)"},
		{text: "type:foo->x", err: "Invalid syntax near \"type:foo->x\" (line 1, column 1)"},
		{text: "type:foo -> ", err: "Invalid syntax near \"type:foo -> \" (line 1, column 1)"},
		{text: "type:foo ->", err: "Invalid syntax near \"type:foo ->\" (line 1, column 1)"},
		{text: "-> x", err: "Invalid syntax near \"-> x\" (line 1, column 1)"},
		{text: "type:\"a b\" -> x", rules: []string{`{"attributes":{},"fingerprint":["x"],"matchers":[["type","a b"]],"text":"type:\"a b\" -> \"x\""}`}},
		{text: "type:\"a\\\"b\" -> x", rules: []string{`{"attributes":{},"fingerprint":["x"],"matchers":[["type","a\"b"]],"text":"type:\"a\"b\" -> \"x\""}`}},
		{text: "type:\"unclosed -> x", rules: []string{`{"attributes":{},"fingerprint":["x"],"matchers":[["type","\"unclosed"]],"text":"type:\"\"unclosed\" -> \"x\""}`}},
		{text: "type:\"é\\é\\u00e9\\x41\\n\" -> \"q\\tq\"", rules: []string{`{"attributes":{},"fingerprint":["q\tq"],"matchers":[["type","é\\xe9éA\n"]],"text":"type:\"é\\xe9éA\n\" -> \"q\tq\""}`}},
		{text: "message:\"line\nbreak\" -> x", rules: []string{`{"attributes":{},"fingerprint":["x"],"matchers":[["message","line\nbreak"]],"text":"message:\"line\nbreak\" -> \"x\""}`}},
		{text: "\"tags.a:b\":x -> y", rules: []string{`{"attributes":{},"fingerprint":["y"],"matchers":[["tags.a:b","x"]],"text":"tags.a:b:\"x\" -> \"y\""}`}},
		{text: "\"type\":x -> y", rules: []string{`{"attributes":{},"fingerprint":["y"],"matchers":[["type","x"]],"text":"type:\"x\" -> \"y\""}`}},
		{text: "\"!type\":x -> y", err: "Invalid syntax near \"\"!type\":x -> y\" (line 1, column 1)"},
		{text: "tags.:x -> y", rules: []string{`{"attributes":{},"fingerprint":["y"],"matchers":[["tags.","x"]],"text":"tags.:\"x\" -> \"y\""}`}},
		{text: "tags.transaction:\"*\" message:\"Hydration failed\" -> hydrationerror, {{tags.transaction}}", rules: []string{`{"attributes":{},"fingerprint":["hydrationerror","{{tags.transaction}}"],"matchers":[["tags.transaction","*"],["message","Hydration failed"]],"text":"tags.transaction:\"*\" message:\"Hydration failed\" -> \"hydrationerror{{tags.transaction}}\""}`}},
		{text: "transaction:foo -> x", err: "Unknown matcher 'transaction'"},
		{text: "category:foo -> x", err: "Unknown matcher 'category'"},
		{text: "stack.filename:foo -> x", err: "Unknown matcher 'stack.filename'"},
		{text: "type:a -> b\r\ntype:c -> d\r\n", rules: []string{`{"attributes":{},"fingerprint":["b"],"matchers":[["type","a"]],"text":"type:\"a\" -> \"b\""}`, `{"attributes":{},"fingerprint":["d"],"matchers":[["type","c"]],"text":"type:\"c\" -> \"d\""}`}},
		{text: "type:a -> b\rtype:c -> d", rules: []string{`{"attributes":{},"fingerprint":["b"],"matchers":[["type","a"]],"text":"type:\"a\" -> \"b\""}`, `{"attributes":{},"fingerprint":["d"],"matchers":[["type","c"]],"text":"type:\"c\" -> \"d\""}`}},
		{text: "   \n  # indented comment\n\n type:a -> b  \n", rules: []string{`{"attributes":{},"fingerprint":["b"],"matchers":[["type","a"]],"text":"type:\"a\" -> \"b\""}`}},
		{text: "type:a -> b\n  garbage here\n", err: "Invalid syntax near \"garbage here\n\" (line 2, column 3)"},
		{text: "type:a -> b\nxyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", err: "Invalid syntax near \"xyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy...\" (line 2, column 1)"},
		{text: "type:a -> b\néééééééééééééééééééééééééééééééééééééééé", err: "Invalid syntax near \"éééééééééééééééééééééééééééééééé...\" (line 2, column 1)"},
		{text: "type:a -> {{ a }}{{ b }}", rules: []string{`{"attributes":{},"fingerprint":["{{ a }}","{{ b }}"],"matchers":[["type","a"]],"text":"type:\"a\" -> \"{{ a }}{{ b }}\""}`}},
		{text: "type:a -> {{a}}}}", rules: []string{`{"attributes":{},"fingerprint":["{{a}}}}"],"matchers":[["type","a"]],"text":"type:\"a\" -> \"{{a}}}}\""}`}},
		{text: "type:a -> {{ a b }}", err: "Invalid syntax near \"type:a -> {{ a b }}\" (line 1, column 1)"},
		{text: "type:a -> pre{{x}}post", rules: []string{`{"attributes":{},"fingerprint":["pre","{{x}}","post"],"matchers":[["type","a"]],"text":"type:\"a\" -> \"pre{{x}}post\""}`}},
		{text: "type:a -> {x", err: "Invalid syntax near \"type:a -> {x\" (line 1, column 1)"},
		{text: "unknown:a -> x\ntype:b ->", err: "Invalid syntax near \"type:b ->\" (line 2, column 1)"},
		{text: "unknown:a -> x\nfoo:b -> y", err: "Unknown matcher 'unknown'"},
		{text: "type:a -> x bogus=\"y\"\nunknown:b -> z", err: "Unknown attribute 'bogus'"},
		{text: "type:a -> ->", rules: []string{`{"attributes":{},"fingerprint":["->"],"matchers":[["type","a"]],"text":"type:\"a\" -> \"->\""}`}},
		{text: "type:a b:c -> x", err: "Unknown matcher 'b'"},
		{text: "type:a\u00a0b -> x", err: "Invalid syntax near \"type:a\u00a0b -> x\" (line 1, column 1)"},
		{text: "type:a\x1cb -> x", rules: []string{`{"attributes":{},"fingerprint":["x"],"matchers":[["type","a\u001cb"]],"text":"type:\"a\u001cb\" -> \"x\""}`}},
		{text: "app:yes !app:no family:native,javascript sdk:all -> x", rules: []string{`{"attributes":{},"fingerprint":["x"],"matchers":[["app","yes"],["!app","no"],["family","native,javascript"],["sdk","all"]],"text":"app:\"yes\" !app:\"no\" family:\"native,javascript\" sdk:\"all\" -> \"x\""}`}},
		{text: "", rules: nil},
		{text: "\n\n", rules: nil},
		{text: "# only a comment", rules: nil},
		{text: "type:a -> x # c\n# real comment\n", rules: []string{`{"attributes":{},"fingerprint":["x","#","c"],"matchers":[["type","a"]],"text":"type:\"a\" -> \"x#c\""}`}},
		{text: "\nmessage:\"\\x\\xff\"  -> stuff", rules: []string{`{"attributes":{},"fingerprint":["stuff"],"matchers":[["message","\\xÿ"]],"text":"message:\"\\xÿ\" -> \"stuff\""}`}},
		{text: "type:\"\\x4\" -> \"\\U00110000\\N{DASH}\\777\"", rules: []string{`{"attributes":{},"fingerprint":["\\U00110000\\N{DASH}ǿ"],"matchers":[["type","\\x4"]],"text":"type:\"\\x4\" -> \"\\U00110000\\N{DASH}ǿ\""}`}},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.text, "/", "|"), func(t *testing.T) {
			rs, err := Parse(tt.text)
			if tt.err != "" {
				var se *SyntaxError
				require.ErrorAs(t, err, &se)
				assert.Nil(t, rs)
				msg := se.Err.Error()
				if errors.Is(err, ErrSyntax) {
					msg = se.Error()
				}
				assert.Equal(t, tt.err, msg)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, r := range rs.Rules() {
				got = append(got, string(r.JSON()))
			}
			assert.Equal(t, tt.rules, got)
		})
	}
}

func TestParseErrorPosition(t *testing.T) {
	tests := []struct {
		text         string
		kind         error
		line, column int
		near         string
		msg          string
	}{
		{"type:a -> b\n  garbage", ErrSyntax, 2, 3, "garbage", `Invalid syntax near "garbage" (line 2, column 3)`},
		{"type:a -> b\nfoo:x -> y", ErrUnknownMatcher, 2, 1, "foo:x -> y", `Unknown matcher 'foo' (line 2, column 1)`},
		{"type:a !foo:x -> y", ErrUnknownMatcher, 1, 8, "!foo:x -> y", `Unknown matcher 'foo' (line 1, column 8)`},
		{"éé:x -> y", ErrSyntax, 1, 1, "éé:x -> y", `Invalid syntax near "éé:x -> y" (line 1, column 1)`},
		{"type:é -> y, zz=\"1\"", ErrUnknownAttribute, 1, 14, `zz="1"`, `Unknown attribute 'zz' (line 1, column 14)`},
		// A syntax error anywhere wins over an unknown key before it.
		{"foo:x -> y\n{", ErrSyntax, 2, 1, "{", `Invalid syntax near "{" (line 2, column 1)`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.text)
		var se *SyntaxError
		require.ErrorAs(t, err, &se, tt.text)
		assert.ErrorIs(t, err, tt.kind)
		assert.Equal(t, tt.line, se.Line, tt.text)
		assert.Equal(t, tt.column, se.Column, tt.text)
		assert.Equal(t, tt.near, se.Near, tt.text)
		assert.Equal(t, tt.msg, se.Error())
	}
}

func TestParseRuleFields(t *testing.T) {
	rs, err := Parse(`!"path":**/foo/** error.value:"a b" tags.x:y -> {{default}}, "x", title="T"`)
	require.NoError(t, err)
	r := rs.Rules()[0]
	assert.Equal(t, []Matcher{
		{Key: "path", Pattern: "**/foo/**", Negated: true},
		{Key: "value", Pattern: "a b"},
		{Key: "tags.x", Pattern: "y"},
	}, r.Matchers)
	assert.Equal(t, []string{"{{ default }}", "x"}, r.Fingerprint)
	assert.Equal(t, map[string]string{"title": "T"}, r.Attributes)
	assert.False(t, r.IsBuiltin)
	assert.Equal(t, `!path:"**/foo/**" value:"a b" tags.x:"y" -> "{{ default }}x" title="T"`, r.Text())
}
