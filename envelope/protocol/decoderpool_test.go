package protocol

import (
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDecoderRegistryBounded is the leak examples/loadtest found: with the
// decoders in a sync.Pool, every garbage collection emptied the pool, each
// decoder made anew was registered in ours for good, and a busy server's
// live heap grew by a decoder every few thousand events. Decoding across
// many collections, from several goroutines at once, must leave no more
// registrations than decoders can be idle or busy at once.
func TestDecoderRegistryBounded(t *testing.T) {
	payload := []byte(`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","message":"hello","exception":{"values":[{"type":"E","stacktrace":{"frames":[{"function":"f","pre_context":["a","b"]}]}}]}}`)
	const workers = 8
	for range 100 {
		runtime.GC() // twice: a sync.Pool keeps its contents one collection as victims
		runtime.GC()
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range 10 {
					if _, err := DecodeEvent(payload); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
	}
	registered := 0
	ours.Range(func(any, any) bool { registered++; return true })
	assert.LessOrEqual(t, registered, 3*(maxIdleDecoders+workers), "registered unmarshalers (3 per decoder)")
}
