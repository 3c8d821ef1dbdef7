package platform_test

import (
	"fmt"

	"github.com/sentrywire/sentrywire/grouping/internal/platform"
)

func ExampleFamilyOf() {
	for _, p := range []string{"cocoa", "node", "python", ""} {
		fmt.Printf("%q: %s\n", p, platform.FamilyOf(p))
	}
	// Output:
	// "cocoa": native
	// "node": javascript
	// "python": other
	// "": other
}
