package grouping_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
	"github.com/sentrywire/sentrywire/grouping/enhancement"
	"github.com/sentrywire/sentrywire/grouping/fingerprint"
)

// corpusDir is where the shared conformance corpora live beside the
// checkout; they are read, never copied into the repository.
const corpusDir = "../../shared/corpus"

type corpusIndex struct {
	Config string `json:"config"`
	Pairs  []struct {
		Input    string `json:"input"`
		Snapshot string `json:"snapshot"`
		Variants map[string]struct {
			Hash                  *string `json:"hash"`
			ContributingComponent *string `json:"contributing_component"`
		} `json:"variants"`
	} `json:"pairs"`
}

// knownMismatches explains the pairs whose recorded snapshot this package
// does not reproduce, per config; the test fails on any other mismatch
// and on a listed pair that starts to match.
var knownMismatches = map[string]map[string]string{
	grouping.Newstyle2023: {
		// The corpus's copy of this input (getsentry/sentry 311cdfd) lacks
		// the "platform": "cocoa" of the version Sentry records its snapshot
		// with (caa56edf); without a platform the event is "other" and no
		// family:native rule applies. TestConformanceCalleeGuaranteed
		// groups it with the platform and matches both hashes.
		"callee-guaranteed": "input lacks platform cocoa",
	},
	grouping.Newstyle2026: {},
}

// corpusConfig builds the config a corpus input asks for: the test-only
// keys _grouping.enhancements (stack trace rules appended to the base)
// and _fingerprinting_rules (server-side rules in Sentry's JSON form), as
// Sentry's grouping test harness applies them.
func corpusConfig(t *testing.T, id string, ev *protocol.Event) *grouping.Config {
	t.Helper()
	var opts []grouping.Option
	if raw, ok := ev.Other["_grouping"]; ok {
		var g struct {
			Enhancements string `json:"enhancements"`
		}
		require.NoError(t, json.Unmarshal(raw, &g))
		if g.Enhancements != "" {
			rules, err := enhancement.Parse(g.Enhancements)
			require.NoError(t, err)
			opts = append(opts, grouping.WithEnhancements(rules))
		}
	}
	if raw, ok := ev.Other["_fingerprinting_rules"]; ok {
		rules, err := fingerprint.ParseJSON(raw)
		require.NoError(t, err)
		opts = append(opts, grouping.WithFingerprinting(rules))
	}
	c, err := grouping.NewConfig(id, opts...)
	require.NoError(t, err)
	return c
}

// sameVariantName treats the fingerprint variant names of older snapshots
// as the newer ones.
func sameVariantName(expected, got string) bool {
	if expected == got {
		return true
	}
	return expected == "custom_fingerprint" && (got == "custom_client_fingerprint" || got == "custom_server_fingerprint")
}

// TestConformance groups every input of the shared corpora under the
// config its index names and compares every variant with Sentry's
// recorded snapshot. GROUPING_CORPUS names another folder of corpora laid
// out the same way, to check more of Sentry's fixtures than the shared
// ones.
func TestConformance(t *testing.T) {
	base := corpusDir
	if dir := os.Getenv("GROUPING_CORPUS"); dir != "" {
		base = dir
	}
	for _, dir := range []string{"sentry-grouping", "sentry-grouping-2026"} {
		t.Run(dir, func(t *testing.T) {
			root := filepath.Join(base, dir)
			data, err := os.ReadFile(filepath.Join(root, "index.json"))
			if os.IsNotExist(err) {
				t.Skipf("corpus %s is absent: the conformance test reads ../shared/corpus beside the checkout", root)
			}
			require.NoError(t, err)
			var idx corpusIndex
			require.NoError(t, json.Unmarshal(data, &idx))
			known := knownMismatches[idx.Config]
			if base != corpusDir {
				known = nil
			}
			matched, sameTrees := 0, 0
			var report []string
			for _, p := range idx.Pairs {
				name := strings.TrimSuffix(filepath.Base(p.Input), ".json")
				payload, err := os.ReadFile(filepath.Join(root, p.Input))
				require.NoError(t, err)
				ev, err := protocol.DecodeEvent(payload)
				require.NoError(t, err, name)
				res := corpusConfig(t, idx.Config, ev).Group(ev)

				var diffs []string
				seen := map[string]bool{}
				for want, exp := range p.Variants {
					var got *grouping.Variant
					for _, v := range res.Variants {
						if sameVariantName(want, v.Name) {
							got = v
						}
					}
					if got == nil {
						diffs = append(diffs, fmt.Sprintf("variant %s missing", want))
						continue
					}
					seen[got.Name] = true
					wantHash := ""
					if exp.Hash != nil {
						wantHash = *exp.Hash
					}
					if got.Hash != wantHash {
						diffs = append(diffs, fmt.Sprintf("%s: hash %q, want %q", want, got.Hash, wantHash))
					}
					wantCC := ""
					if exp.ContributingComponent != nil {
						wantCC = strings.ReplaceAll(*exp.ContributingComponent, "-", "_")
					}
					if wantCC == "null" { // some index entries spell null as a string
						wantCC = ""
					}
					if exp.ContributingComponent != nil || got.Type == "component" || got.Type == "salted_component" {
						if got.ContributingComponent != wantCC {
							diffs = append(diffs, fmt.Sprintf("%s: contributing component %q, want %q", want, got.ContributingComponent, wantCC))
						}
					}
				}
				for _, v := range res.Variants {
					if !seen[v.Name] {
						diffs = append(diffs, fmt.Sprintf("unexpected variant %s (hash %q)", v.Name, v.Hash))
					}
				}
				if snap, err := os.ReadFile(filepath.Join(root, p.Snapshot)); err == nil && sameTree(string(snap), res.Explain()) {
					sameTrees++
				} else if os.Getenv("GROUPING_TREE_DIFF") != "" {
					t.Logf("%s: tree differs from the snapshot:\n%s", name, res.Explain())
				}
				sort.Strings(diffs)
				reason, isKnown := known[name]
				switch {
				case len(diffs) == 0 && isKnown:
					t.Errorf("%s matches now; remove it from knownMismatches (%s)", name, reason)
				case len(diffs) == 0:
					matched++
				case !isKnown:
					report = append(report, name)
					t.Errorf("%s: %s\n%s", name, strings.Join(diffs, "; "), res.Explain())
				}
			}
			t.Logf("%s (%s): %d/%d pairs match hash for hash; %d/%d explain outputs equal the snapshot text, hints included",
				dir, idx.Config, matched, len(idx.Pairs), sameTrees, len(idx.Pairs))
		})
	}
}

// sameTree compares an explain output with a snapshot's body (what
// follows its header), both with older component ids spelled anew.
func sameTree(snapshot, explain string) bool {
	if i := strings.Index(snapshot[3:], "---\n"); strings.HasPrefix(snapshot, "---") && i >= 0 {
		snapshot = snapshot[3+i+4:]
	}
	norm := strings.NewReplacer("chained-exception", "chained_exception", "expect-ct", "expect_ct",
		"expect-staple", "expect_staple", "context-line", "context_line")
	return strings.TrimSpace(norm.Replace(snapshot)) == strings.TrimSpace(explain)
}

// TestConformanceCalleeGuaranteed groups the one input whose corpus copy
// differs from the one Sentry's snapshot was recorded with (see
// knownMismatches) as Sentry recorded it: with "platform": "cocoa".
func TestConformanceCalleeGuaranteed(t *testing.T) {
	root := filepath.Join(corpusDir, "sentry-grouping")
	payload, err := os.ReadFile(filepath.Join(root, "inputs", "callee-guaranteed.json"))
	if os.IsNotExist(err) {
		t.Skipf("corpus %s is absent", root)
	}
	require.NoError(t, err)
	var obj map[string]jsontext.Value
	require.NoError(t, json.Unmarshal(payload, &obj))
	obj["platform"] = jsontext.Value(`"cocoa"`)
	payload, err = json.Marshal(obj)
	require.NoError(t, err)
	ev, err := protocol.DecodeEvent(payload)
	require.NoError(t, err)
	res := corpusConfig(t, grouping.Newstyle2023, ev).Group(ev)
	require.Equal(t, []string{"4ef1fb44d656c3be2a146971f2a222dc", "47481871aa8d5ab5729cf2db78ce3032"}, res.Hashes)
}
