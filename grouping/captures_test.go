package grouping_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
	"github.com/sentrywire/sentrywire/internal/captures"
)

type capturedEvent struct {
	name    string
	payload []byte
}

// capturedEvents returns the error and message events real SDKs sent
// (sentry-go, @sentry/node, sentry-python with Django), as recorded under
// envelope/testdata/sdk.
func capturedEvents(t testing.TB) []capturedEvent {
	t.Helper()
	reqs, err := captures.Load("../envelope/testdata/sdk")
	require.NoError(t, err)
	var out []capturedEvent
	for _, r := range reqs {
		var env *envelope.Envelope
		if r.IsStore() {
			env, err = envelope.ParseStore(r.Body, "")
		} else {
			env, err = envelope.Parse(r.Body)
		}
		require.NoError(t, err, r.Name)
		for _, it := range env.Items {
			if it.Type() == envelope.TypeEvent {
				out = append(out, capturedEvent{r.Name, it.Payload()})
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

// TestCapturedEvents groups what real SDKs sent: every event groups under
// both configs, by its exception or message rather than the fallback; the
// same event sent again keeps its hashes, and different failures differ.
func TestCapturedEvents(t *testing.T) {
	configs := make([]*grouping.Config, 0, 2)
	for _, id := range []string{grouping.Newstyle2026, grouping.Newstyle2023} {
		c, err := grouping.NewConfig(id)
		require.NoError(t, err)
		configs = append(configs, c)
	}
	// What Sentry shows as the title and culprit.
	titles := map[string][2]string{
		"python/django.1":     {"ZeroDivisionError: division by zero in /boom", "/boom"},
		"python/message.0":    {"cache warmed in 42ms", ""},
		"sentry-go/message.0": {"cache warmed in 42ms", ""},
	}
	firstHash := map[string]string{}
	for _, ce := range capturedEvents(t) {
		t.Run(ce.name, func(t *testing.T) {
			ev, err := protocol.DecodeEvent(ce.payload)
			require.NoError(t, err)
			before, err := protocol.Marshal(ev)
			require.NoError(t, err)
			results := grouping.GroupAll(ev, configs...)
			after, err := protocol.Marshal(ev)
			require.NoError(t, err)
			require.JSONEq(t, string(before), string(after), "grouping must not modify the caller's event")
			for i, res := range results {
				require.Equal(t, configs[i].ID(), res.Config)
				require.NotEmpty(t, res.Hashes)
				assert.Len(t, res.Hashes[0], 32)
				assert.Nil(t, res.Variant("fallback"), "a real event groups by what it says:\n%s", res.Explain())
				w := res.Winner()
				require.NotNil(t, w)
				assert.Contains(t, []string{"exception", "chained_exception", "message", "threads", "stacktrace"}, w.ContributingComponent)

				// The same payload decoded and grouped again, alone, gives
				// the same hashes.
				again, err := protocol.DecodeEvent(append([]byte(nil), ce.payload...))
				require.NoError(t, err)
				assert.Equal(t, res.Hashes, configs[i].Group(again).Hashes)
			}
			if want, ok := titles[ce.name]; ok {
				assert.Equal(t, want[0], results[0].Title)
				assert.Equal(t, want[1], results[0].Culprit)
			}
			firstHash[ce.name] = results[0].Hashes[0]
		})
	}
	// The same failure groups together wherever it comes from, and
	// different failures never do: Django raised the same ZeroDivisionError
	// in two captures (a real request and the test client), and sentry-go
	// and sentry-python sent the same message without a stack trace.
	// Everything else is a different failure.
	same := [][]string{
		{"python/django.1", "python/django-testclient.0"},
		{"python/message.0", "sentry-go/message.0"},
	}
	class := map[string]string{}
	for _, names := range same {
		for _, n := range names {
			class[n] = names[0]
			require.Contains(t, firstHash, n)
		}
	}
	for a, ha := range firstHash {
		for b, hb := range firstHash {
			if a >= b {
				continue
			}
			ca, cb := class[a], class[b]
			if ca != "" && ca == cb {
				assert.Equal(t, ha, hb, "%s and %s are the same failure", a, b)
			} else {
				assert.NotEqual(t, ha, hb, "%s and %s are different failures", a, b)
			}
		}
	}
}

// TestGroupConcurrently shares one Config between goroutines, as a server
// does: the results equal the sequential ones (run with -race).
func TestGroupConcurrently(t *testing.T) {
	cfg, err := grouping.NewConfig(grouping.DefaultConfig)
	require.NoError(t, err)
	events := capturedEvents(t)
	want := make([][]string, len(events))
	for i, e := range events {
		ev, err := protocol.DecodeEvent(e.payload)
		require.NoError(t, err)
		want[i] = cfg.Group(ev).Hashes
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for round := range 20 {
				i := (g + round) % len(events)
				ev, err := protocol.DecodeEvent(events[i].payload)
				if err != nil {
					errs <- err
					return
				}
				if got := cfg.Group(ev).Hashes; !slices.Equal(got, want[i]) {
					errs <- fmt.Errorf("%s: %v, want %v", events[i].name, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
