package captures_test

import (
	"fmt"
	"log"
	"slices"
	"strings"

	"github.com/sentrywire/sentrywire/internal/captures"
)

func ExampleLoad() {
	reqs, err := captures.Load("../../envelope/testdata/sdk")
	if err != nil {
		log.Fatal(err)
	}
	var sdks []string
	for _, r := range reqs {
		sdk, _, _ := strings.Cut(r.Name, "/")
		if !slices.Contains(sdks, sdk) {
			sdks = append(sdks, sdk)
		}
	}
	slices.Sort(sdks)
	fmt.Println(sdks)
	// Output: [node python sentry-go]
}
