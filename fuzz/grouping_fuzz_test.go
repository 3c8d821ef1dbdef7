package fuzz

import (
	"testing"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
)

// groupingConfigs are compiled once: compiling per input would measure the
// rule compiler, which FuzzParseEnhancements covers.
var groupingConfigs = func() []*grouping.Config {
	var cs []*grouping.Config
	for _, id := range []string{grouping.Newstyle2026, grouping.Newstyle2023} {
		c, err := grouping.NewConfig(id)
		if err != nil {
			panic(err)
		}
		cs = append(cs, c)
	}
	return cs
}()

// FuzzGroup groups arbitrary events under both configs: every event that
// decodes groups without panicking, into at least one 32-character hash,
// and grouping it again gives the same hashes.
func FuzzGroup(f *testing.F) {
	for _, body := range sdkBodies(f) {
		env, err := envelope.Parse(body)
		if err != nil {
			f.Add(body)
			continue
		}
		for _, it := range env.Items {
			if it.Type() == envelope.TypeEvent {
				f.Add(it.Payload())
			}
		}
	}
	// Sentry's own grouping inputs, when the shared corpus is beside the
	// checkout.
	for _, data := range groupingInputs() {
		f.Add(data)
	}
	f.Add([]byte(`{"exception":{"values":[{"type":"E","mechanism":{"type":"x","exception_id":0,"is_exception_group":true}},{"type":"F","mechanism":{"type":"x","exception_id":1,"parent_id":0}},{"type":"G","mechanism":{"type":"x","exception_id":2,"parent_id":1,"is_exception_group":true}}]}}`))
	f.Add([]byte(`{"platform":"native","threads":{"values":[{"crashed":true,"stacktrace":{"frames":[{"function":"operator<<(std::ostream&, Foo const&)"},{"function":"?"}]}}]}}`))
	f.Add([]byte(`{"fingerprint":["{{ message }}","{{ tags.a }}","{{ nope }}","{{ default }}"],"logentry":{"message":"a %s b","params":[1]},"tags":{"a":"b"}}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		ev, err := protocol.DecodeEvent(payload)
		if err != nil {
			return
		}
		results := grouping.GroupAll(ev, groupingConfigs...)
		for i, res := range results {
			if len(res.Hashes) == 0 {
				t.Fatalf("%s: no hash", res.Config)
			}
			for _, h := range res.Hashes {
				if len(h) != 32 {
					t.Fatalf("%s: hash %q", res.Config, h)
				}
			}
			again := groupingConfigs[i].Group(ev)
			if len(again.Hashes) != len(res.Hashes) || again.Hashes[0] != res.Hashes[0] {
				t.Fatalf("%s: hashes %v, then %v", res.Config, res.Hashes, again.Hashes)
			}
			_ = res.Explain()
		}
	})
}
