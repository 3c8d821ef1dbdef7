package grouping_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
)

// TestBounds feeds events at the limits of what fits in an event: Relay
// keeps the newest 250 frames of a stack trace and cuts long strings
// before Sentry groups, and nothing in a deep exception chain or group
// makes grouping quadratic or recursive without end.
func TestBounds(t *testing.T) {
	cfg, err := grouping.NewConfig(grouping.DefaultConfig)
	require.NoError(t, err)
	group := func(t *testing.T, payload string) *grouping.Result {
		t.Helper()
		ev, err := protocol.DecodeEvent([]byte(payload))
		require.NoError(t, err)
		start := time.Now()
		res := cfg.Group(ev)
		assert.Less(t, time.Since(start), 5*time.Second)
		require.NotEmpty(t, res.Hashes)
		return res
	}
	frames := func(n int, name func(i int) string) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"function":%q,"module":"m","in_app":true}`, name(i))
		}
		return b.String()
	}

	t.Run("10000 frames keep the newest 250", func(t *testing.T) {
		long := group(t, `{"platform":"python","exception":{"values":[{"type":"E","stacktrace":{"frames":[`+
			frames(10000, func(i int) string { return fmt.Sprintf("f%d", i) })+`]}}]}}`)
		newest := group(t, `{"platform":"python","exception":{"values":[{"type":"E","stacktrace":{"frames":[`+
			frames(250, func(i int) string { return fmt.Sprintf("f%d", i+9750) })+`]}}]}}`)
		assert.Equal(t, newest.Hashes, long.Hashes)
		assert.Equal(t, 250, strings.Count(long.Explain(), "frame*")/2)
	})
	t.Run("a 1 MB exception value", func(t *testing.T) {
		res := group(t, `{"platform":"python","exception":{"values":[{"type":"E","value":"`+strings.Repeat("x", 1<<20)+`"}]}}`)
		v := res.Variant("app").Component.Values()
		require.Len(t, v, 2)
		assert.Len(t, v[1], 8192, "cut as Relay cuts exception values")
		assert.True(t, strings.HasSuffix(v[1], "..."))
	})
	t.Run("a chain of 5000 exceptions", func(t *testing.T) {
		var b strings.Builder
		for i := range 5000 {
			if i > 0 {
				b.WriteByte(',')
			}
			parent := ""
			if i > 0 {
				parent = fmt.Sprintf(`,"parent_id":%d`, i-1)
			}
			fmt.Fprintf(&b, `{"type":"E%d","value":"v","mechanism":{"type":"chained","exception_id":%d%s,"is_exception_group":%t}}`,
				i, i, parent, i%2 == 0)
		}
		group(t, `{"platform":"javascript","exception":{"values":[`+b.String()+`]}}`)
	})
	t.Run("an exception group cycle", func(t *testing.T) {
		group(t, `{"exception":{"values":[
			{"type":"A","mechanism":{"type":"x","exception_id":0,"parent_id":2,"is_exception_group":true}},
			{"type":"B","mechanism":{"type":"x","exception_id":1,"parent_id":0,"is_exception_group":true}},
			{"type":"C","mechanism":{"type":"x","exception_id":2,"parent_id":1,"is_exception_group":true}}]}}`)
	})
	t.Run("10000 threads", func(t *testing.T) {
		var b strings.Builder
		for i := range 10000 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":%d,"crashed":%t,"stacktrace":{"frames":[%s]}}`, i, i == 7, frames(3, func(int) string { return "run" }))
		}
		res := group(t, `{"platform":"native","threads":{"values":[`+b.String()+`]}}`)
		assert.Equal(t, "threads", res.Winner().ContributingComponent)
	})
}
