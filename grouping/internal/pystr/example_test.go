package pystr_test

import (
	"fmt"
	"strings"

	"github.com/sentrywire/sentrywire/grouping/internal/pystr"
)

func Example() {
	// Python lowercases a final capital sigma to ς; Go does not.
	fmt.Println(pystr.Lower("ΟΔΟΣ"), strings.ToLower("ΟΔΟΣ"))

	// The strict decoder refuses what the lenient one copies through.
	_, err := pystr.Unescape(`\x4`)
	fmt.Println(err)
	fmt.Println(pystr.UnescapeLenient(`\x4`))

	// A backslash before a non-ASCII character escapes the backslash of
	// the escape Python generates for it.
	fmt.Println(pystr.UnescapeLenient(`caf\é`))

	// U+001C is space to str.isspace but not to the regex module's \s.
	fmt.Println(pystr.IsSpace(0x1c), pystr.IsWhiteSpace(0x1c))
	// Output:
	// οδος οδοσ
	// truncated \x escape
	// \x4
	// caf\xe9
	// true false
}
