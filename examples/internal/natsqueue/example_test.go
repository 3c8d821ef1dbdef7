package natsqueue_test

import (
	"fmt"

	"github.com/sentrywire/sentrywire/examples/internal/natsqueue"
)

func ExampleEnvelopeStreamConfig() {
	c := natsqueue.EnvelopeStreamConfig()
	fmt.Println(c.Name, c.Subjects, c.Retention, c.Duplicates)
	// Output: SENTRYWIRE_ENVELOPES [sentrywire.envelopes.*] WorkQueue 2m0s
}
