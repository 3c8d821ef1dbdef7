package enhancement

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomStacks builds stack traces from values that hit the built-in rules'
// keys, mixed with values from the benchmark stacks.
func randomStacks(t *testing.T, rules *Rules, n int) [][]Frame {
	rng := rand.New(rand.NewSource(2))
	var keys [fieldPackage + 1][]string
	for _, s := range rules.sets {
		for _, l := range []*ruleList{&s.classifier, &s.contributes} {
			for _, r := range l.rules {
				for _, m := range r.frame {
					if m.kind == fmField && m.field != fieldCategory && m.g != nil {
						prefix, needle, suffix := m.g.Literals()
						for _, lit := range []string{prefix, needle, suffix} {
							if lit != "" {
								keys[m.field] = append(keys[m.field], lit)
							}
						}
					}
				}
			}
		}
	}
	var pool []Frame
	for _, st := range benchStacks() {
		pool = append(pool, st...)
	}
	tails := []string{"", "x", "::y", "/z.so", "$1", "/lib/a.dylib", "Q"}
	pick := func(f int) string {
		if len(keys[f]) == 0 || rng.Intn(3) == 0 {
			return ""
		}
		return keys[f][rng.Intn(len(keys[f]))] + tails[rng.Intn(len(tails))]
	}
	platforms := []string{"native", "cocoa", "javascript", "python", "java", ""}
	var out [][]Frame
	for range n {
		frames := make([]Frame, 1+rng.Intn(12))
		for i := range frames {
			if rng.Intn(3) == 0 {
				frames[i] = pool[rng.Intn(len(pool))]
				continue
			}
			f := Frame{Platform: platforms[rng.Intn(len(platforms))]}
			f.Function, f.Module = pick(fieldFunction), pick(fieldModule)
			f.AbsPath, f.Package = pick(fieldPath), pick(fieldPackage)
			if rng.Intn(2) == 0 {
				f.InApp = boolp(rng.Intn(2) == 0)
			}
			frames[i] = f
		}
		out = append(out, frames)
	}
	return out
}

type runResult struct {
	frames      []Frame
	comps       [2][]FrameComponent
	contributes [2]bool
	hints       [2]string
}

func runAll(rules *Rules, stack []Frame, exc Exception) runResult {
	var res runResult
	res.frames = append([]Frame(nil), stack...)
	rules.Classify(res.frames, exc)
	for i := range res.frames {
		if res.frames[i].InApp == nil {
			res.frames[i].InApp = boolp(false)
		}
	}
	for k, variant := range []string{"app", "system"} {
		comps := make([]FrameComponent, len(res.frames))
		for i := range comps {
			comps[i].Contributes = variant == "system" || *res.frames[i].InApp
		}
		res.contributes[k], res.hints[k] = rules.Assemble(variant, res.frames, comps, exc)
		res.comps[k] = comps
	}
	return res
}

func TestIndexMatchesPlainScan(t *testing.T) {
	custom, err := Parse("stack.module:com.example.* +app\nfunction:std::* +group\n[ category:system ] | function:* category=x\nfamily:native max-frames=4 min-frames=2")
	require.NoError(t, err)
	for _, id := range []string{"all-platforms:2023-01-11", "all-platforms:2026-01-20"} {
		base, err := Base(id)
		require.NoError(t, err)
		rules := Extend(base, custom)
		for i, stack := range randomStacks(t, rules, 3000) {
			exc := Exception{Type: []string{"", "ValueError", "NSException"}[i%3]}
			fast := runAll(rules, stack, exc)
			plainScan = true
			plain := runAll(rules, stack, exc)
			plainScan = false
			require.Equal(t, plain, fast, "%s: stack %d: %+v", id, i, stack)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	base, err := Base("all-platforms:2026-01-20")
	require.NoError(t, err)
	stacks := randomStacks(t, base, 200)
	want := make([]runResult, len(stacks))
	for i, st := range stacks {
		want[i] = runAll(base, st, Exception{})
	}
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i, st := range stacks {
				if got := runAll(base, st, Exception{}); !assert.Equal(t, want[i], got) {
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
