package glob_test

import (
	"fmt"

	"github.com/sentrywire/sentrywire/grouping/internal/glob"
)

func Example() {
	// How fingerprinting rules match a path: "*" stays within a directory,
	// case is folded the Python way, and backslashes are separators.
	opts := glob.Options{LiteralSeparator: true, Fold: glob.FoldPython, DotNewline: true, PathNormalize: true}
	g, err := glob.Compile("**/Views/*.py", opts)
	if err != nil {
		panic(err)
	}
	for _, v := range []string{`C:\App\views\Home.PY`, "app/views/admin/home.py"} {
		fmt.Println(v, g.Match(opts.Value(v)))
	}

	// "?" matches one byte of the UTF-8 value, as in Sentry.
	g, _ = glob.Compile("caf?", glob.Options{})
	fmt.Println(g.Match("cafe"), g.Match("café"))

	_, err = glob.Compile("[a-", glob.Options{})
	fmt.Println(err)
	// Output:
	// C:\App\views\Home.PY true
	// app/views/admin/home.py false
	// true false
	// unclosed character class; missing ']'
}
