package grouping_test

import (
	"crypto/md5"
	"encoding/hex"
	stdjson "encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
)

// baselineNumbers is the naive baseline's whole parameterization.
var baselineNumbers = regexp.MustCompile(`\d+`)

// baselineGroup is what a hand-rolled "Sentry-compatible" server does: JSON
// into a map, then an md5 of the exception types and the frames' modules,
// files and functions, or of the message with its numbers masked. It is
// the baseline the real algorithm is measured against.
func baselineGroup(payload []byte) (string, error) {
	var ev map[string]any
	if err := stdjson.Unmarshal(payload, &ev); err != nil {
		return "", err
	}
	h := md5.New()
	var excs []any
	switch x := ev["exception"].(type) {
	case map[string]any:
		excs, _ = x["values"].([]any)
	case []any:
		excs = x
	}
	for _, e := range excs {
		e, _ := e.(map[string]any)
		fmt.Fprint(h, e["type"])
		st, _ := e["stacktrace"].(map[string]any)
		frames, _ := st["frames"].([]any)
		for _, f := range frames {
			f, _ := f.(map[string]any)
			for _, k := range []string{"module", "filename", "function"} {
				if s, ok := f[k].(string); ok {
					h.Write([]byte(baselineNumbers.ReplaceAllString(s, "<int>")))
				}
			}
		}
	}
	if len(excs) == 0 {
		msg := fmt.Sprint(ev["message"], ev["logentry"])
		h.Write([]byte(baselineNumbers.ReplaceAllString(msg, "<int>")))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// BenchmarkGroup decodes and groups every error and message event real
// SDKs sent, with Sentry's full algorithm under the default config
// (impl=sentrywire) and with the naive baseline (impl=baseline).
func BenchmarkGroup(b *testing.B) {
	events := capturedEvents(b)
	var size int64
	for _, e := range events {
		size += int64(len(e.payload))
	}
	cfg, err := grouping.NewConfig(grouping.DefaultConfig)
	require.NoError(b, err)
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.N*len(events))/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
	}
	b.Run("impl=sentrywire", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range events {
				ev, err := protocol.DecodeEvent(e.payload)
				if err != nil {
					b.Fatal(err)
				}
				if res := cfg.Group(ev); len(res.Hashes) == 0 {
					b.Fatal("no hash")
				}
			}
		}
		report(b)
	})
	b.Run("impl=baseline", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range events {
				if _, err := baselineGroup(e.payload); err != nil {
					b.Fatal(err)
				}
			}
		}
		report(b)
	})
}

// BenchmarkGroupOnly groups already decoded events, to separate the
// algorithm's cost from decoding.
func BenchmarkGroupOnly(b *testing.B) {
	events := capturedEvents(b)
	decoded := make([]*protocol.Event, len(events))
	for i, e := range events {
		ev, err := protocol.DecodeEvent(e.payload)
		require.NoError(b, err)
		decoded[i] = ev
	}
	for _, id := range []string{grouping.Newstyle2026, grouping.Newstyle2023} {
		cfg, err := grouping.NewConfig(id)
		require.NoError(b, err)
		b.Run("config="+id, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, ev := range decoded {
					cfg.Group(ev)
				}
			}
		})
	}
}
