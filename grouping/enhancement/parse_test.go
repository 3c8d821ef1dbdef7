package enhancement

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // canonical text of each rule
	}{
		{"empty", "", nil},
		{"comments and blank lines", "# a comment\n\n   \n  # another\r\n", nil},
		{"simple", "function:foo +app", []string{"function:foo +app"}},
		{"aliases and spacing", "stack.function:foo      -app    -group", []string{"function:foo -app -group"}},
		{"trailing comment", `  family:native function:"-\[NSISEngine*" category=ui  # auto-layout engine`,
			[]string{`family:native function:-\[NSISEngine* category=ui`}},
		{"escapes", `family:native function:"*::\\{dtor\\}" category=dtor`,
			[]string{`family:native function:*::\{dtor\} category=dtor`}},
		{"quoted because of a space", `family:native package:"C:/Program Files/NVIDIA Corporation/**" category=driver`,
			[]string{`family:native package:"C:/Program Files/NVIDIA Corporation/**" category=driver`}},
		{"empty pattern", `function:"" +app`, []string{`function:"" +app`}},
		{"caller and callee", "[ function:a ] | function:b | [ function:c ] category=x",
			[]string{"[ function:a ] | function:b | [ function:c ] category=x"}},
		{"negation and exception keys", "!error.type:Foo error.value:bar error.mechanism:baz !stack.module:m -group",
			[]string{"!type:Foo value:bar mechanism:baz !module:m -group"}},
		{"quoted key", `"stack.function":foo -group`, []string{"function:foo -group"}},
		{"actions need no space", "function:foo +app+group", []string{"function:foo +app +group"}},
		{"two rules on one line", "function:foo +app function:bar -app", []string{"function:foo +app", "function:bar -app"}},
		{"ranges", "function:a ^-group v+app -group", []string{"function:a ^-group v+app -group"}},
		{"spaces around =", "function:a category = x", []string{"function:a category=x"}},
		{"python ints", "function:a max-frames=1_0 min-frames=007", []string{"function:a max-frames=10 min-frames=7"}},
		{"minus zero", "function:a max-frames=-0", []string{"function:a max-frames=0"}},
		{"crlf", "function:a +app\r\nfunction:b -app\r\n", []string{"function:a +app", "function:b -app"}},
		{"comment right after actions", "function:a +app# no space needed", []string{"function:a +app"}},
		{"bad frame glob is fine", "function:-[* -app", []string{"function:-[* -app"}},
		{"bad app value is fine", "app://../../src/some-file.ts -group -app", []string{"app://../../src/some-file.ts -group -app"}},
		{"module with brackets", "stack.module:[foo:bar/* -app", []string{"module:[foo:bar/* -app"}},
		{"sentry's classifier/contributes example",
			"function:sit +app # c\n function:roll_over category=trick\n function:kangaroo -app -group",
			[]string{"function:sit +app", "function:roll_over category=trick", "function:kangaroo -app -group"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.text)
			require.NoError(t, err)
			assert.Equal(t, len(tt.want), r.Len())
			assert.Equal(t, strings.Join(tt.want, "\n"), r.String())
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, text string
		sentinel   error
		line, col  int
		near       string
	}{
		{"no action", "function:foo", ErrSyntax, 1, 1, "function:foo"},
		{"indented", "   function:foo", ErrSyntax, 1, 4, "function:foo"},
		{"tab separator", "function:foo\t+app", ErrSyntax, 1, 1, "function:foo\t+app"},
		{"tab indent on line 2", "function:foo +app\n\tfunction:bar -app", ErrSyntax, 2, 1, "\tfunction:bar -app"},
		{"garbage after actions", "function:foo +app garbage", ErrSyntax, 1, 19, "garbage"},
		{"column counts code points", "function:é +app garbage", ErrSyntax, 1, 17, "garbage"},
		{"dangling minus", "function:foo +app -", ErrSyntax, 1, 19, "-"},
		{"space before colon", "function : foo +app", ErrSyntax, 1, 1, "function : foo +app"},
		{"no space in brackets", "[ function:foo] | function:bar +app", ErrSyntax, 1, 1, "[ function:foo] | function:bar +..."},
		{"caller twice", "[ category:foo ] | [ category:bar ] | category:baz +app", ErrSyntax, 1, 1, "[ category:foo ] | [ category:ba..."},
		{"callee twice", " category:foo | [ category:bar ] | [ category:baz ] +app", ErrSyntax, 1, 2, "category:foo | [ category:bar ] ..."},
		{"not a rule", "invalid.message:foo -> bar", ErrSyntax, 1, 1, "invalid.message:foo -> bar"},
		{"invert-stacktrace is gone", "function:foo -app invert-stacktrace=1", ErrSyntax, 1, 19, "invert-stacktrace=1"},
		{"unknown action", "function:foo +foo", ErrSyntax, 1, 1, "function:foo +foo"},
		{"unknown matcher", "foo:bar +app", ErrUnknownMatcher, 1, 1, ""},
		{"filename is not a matcher", "stack.filename:x.js +app", ErrUnknownMatcher, 1, 1, ""},
		{"unknown matcher on line 3", "\n\nfunction:a +app [ foo:b ] | function:c -app", ErrUnknownMatcher, 3, 19, ""},
		{"syntax error wins over an earlier unknown matcher", "foo:bar +app\nfunction:x", ErrSyntax, 2, 1, "function:x"},
		{"max-frames not a number", "function:a max-frames=abc", ErrInvalidValue, 1, 23, ""},
		{"min-frames negative", "function:a min-frames=-3", ErrInvalidValue, 1, 23, ""},
		{"max-frames too large", "function:a max-frames=99999999999999999999", ErrInvalidValue, 1, 23, ""},
		{"bad escape", `function:"a\x4" +app`, ErrInvalidValue, 1, 10, ""},
		{"bad exception glob", `error.type:"[" -group`, ErrInvalidPattern, 1, 1, ""},
		{"unclosed quote reaches the second parser", `function:"abc +app`, ErrSyntax, 1, 1, `function:"abc +app`},
		{"quote inside a spaced pattern", `function:"a \"b" +app`, ErrSyntax, 1, 1, `function:"a \"b" +app`},
		{"newline inside a pattern", `function:"a\nb" +app`, ErrSyntax, 1, 1, `function:"a\nb" +app`},
		{"long context is cut", "function:" + strings.Repeat("x", 40), ErrSyntax, 1, 1, "function:" + strings.Repeat("x", 23) + "..."},
		{"invalid UTF-8", "function:\xff +app", ErrSyntax, 1, 10, "\xff +app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.text)
			require.Error(t, err)
			assert.Nil(t, r)
			var se *SyntaxError
			require.True(t, errors.As(err, &se), "%T", err)
			assert.ErrorIs(t, err, tt.sentinel)
			assert.Equal(t, tt.line, se.Line, "line")
			assert.Equal(t, tt.col, se.Column, "column")
			assert.Equal(t, tt.near, se.Near)
		})
	}
}

func TestSyntaxErrorMessages(t *testing.T) {
	tests := []struct{ text, msg string }{
		{"function:foo", `Invalid syntax near "function:foo" (line 1, column 1)`},
		{"\n  x", `Invalid syntax near "x" (line 2, column 3)`},
		{"foo:bar +app", `Unknown matcher 'foo' (line 1, column 1)`},
		{"function:a max-frames=x", `Invalid value 'x' for 'max-frames' (line 1, column 23)`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.text)
		require.Error(t, err)
		assert.Equal(t, tt.msg, err.Error())
	}
}

func TestRuleDisplay(t *testing.T) {
	// How hints name rules: ophio's Display of each half, exception
	// matchers first, brackets without inner spaces, patterns unquoted.
	tests := []struct {
		text        string
		classifier  string
		contributes string
	}{
		{"function:foo -app -group", "function:foo -app", "function:foo -group"},
		{"function:bar error.type:Foo +group", "", "type:Foo function:bar +group"},
		{"[ function:a ] | function:b | [ !function:c ] -group", "", "[function:a] | function:b | [!function:c] -group"},
		{`package:"C:/Program Files/**" -app`, `package:C:/Program Files/** -app`, ""},
		{"family:native,other app:YES category=x", "family:native app:1 category=x", ""},
		{"!function:log_demo::* -group", "", "!function:log_demo::* -group"},
		{"family:native package:**/Containers/Bundle/Application/** +app", "family:native package:**/Containers/Bundle/Application/** +app", ""},
		{"function:a max-frames=3 min-frames=2", "", "function:a max-frames=3 min-frames=2"},
	}
	for _, tt := range tests {
		r, err := Parse(tt.text)
		require.NoError(t, err, tt.text)
		var cls, con string
		if len(r.all(classifierOf)) > 0 {
			cls = r.all(classifierOf)[0].display
		}
		if len(r.all(contributesOf)) > 0 {
			con = r.all(contributesOf)[0].display
		}
		assert.Equal(t, tt.classifier, cls, tt.text)
		assert.Equal(t, tt.contributes, con, tt.text)
	}
}

func TestBuiltinDisplayKeepsSourceValues(t *testing.T) {
	// Built-in files run from the text parse, which shows app values as
	// written.
	r, err := parse("family:native function:*_block_invoke* app:no category=internals", false)
	require.NoError(t, err)
	assert.Equal(t, "family:native function:*_block_invoke* app:no category=internals", r.all(classifierOf)[0].display)
}

// TestUnquotedArgumentSeparators: an unquoted argument runs to the
// grammar's whitespace, which (parsimonious compiles with Python's regex
// module) does not include U+001C to U+001F, unlike str.isspace.
func TestUnquotedArgumentSeparators(t *testing.T) {
	r, err := Parse("function:a\x1cb -app")
	require.NoError(t, err)
	require.Equal(t, 1, r.Len())
	assert.Contains(t, r.String(), "function:\"a\x1cb\" -app")
}
