package parameterize_test

import (
	"fmt"

	"github.com/sentrywire/sentrywire/grouping/internal/parameterize"
)

func Example() {
	// Two occurrences of one problem, with different details.
	for _, msg := range []string{
		"user 4711 not found (request 7c1811ed-e98f-4c9c-a9f9-58c757ff494f, took 12ms)",
		"user 815 not found (request 0b2e4b3c-53b0-4a7d-9d3e-6f1c2a9e8d10, took 3ms)",
	} {
		fmt.Println(parameterize.Parameterize(msg))
	}

	// Exception values are trimmed to two lines first.
	fmt.Printf("%q\n", parameterize.NormalizeMessage("Timeout after 30.5 seconds\nhost=db-1.example.com retry=true\n  at connect()"))
	// Output:
	// user <int> not found (request <uuid>, took <duration>)
	// user <int> not found (request <uuid>, took <duration>)
	// "Timeout after <float> seconds\nhost=<hostname> retry=<bool>..."
}
