package enhancement

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The conformance corpora hold Sentry's own grouping test inputs and the
// snapshots Sentry recorded for them. This test runs Classify and Assemble
// on every input with a single stack trace and compares, frame by frame,
// the in_app values, the contributes flags and the hints of both variants
// with the snapshot. What the frame strategy decides on its own (recursion,
// JavaScript quality rules) is read back from the snapshot's system variant
// and fed in as the incoming components.

const corpusDir = "../../../shared/corpus"

type corpusIndex struct {
	Config string `json:"config"`
	Pairs  []struct {
		Input    string `json:"input"`
		Snapshot string `json:"snapshot"`
		Note     string `json:"note"`
	} `json:"pairs"`
}

type snapNode struct {
	name        string
	contributes bool
	hint        string
	indent      int
	children    []*snapNode
	values      []string
}

// parseSnapshot returns the component trees of a snapshot by variant.
func parseSnapshot(text string) map[string]*snapNode {
	trees := map[string]*snapNode{}
	var variant string
	var stack []*snapNode
	inTree := false
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "---") {
			inTree = false
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		body := line[indent:]
		if indent == 0 && strings.HasSuffix(body, ":") {
			variant = strings.TrimSuffix(body, ":")
			inTree = false
			continue
		}
		if indent == 2 {
			inTree = body == "root_component:" || body == "component:"
			stack = nil
			continue
		}
		if !inTree {
			continue
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		if strings.HasPrefix(body, `"`) || body == "null" || body == "True" || body == "False" || body[0] >= '0' && body[0] <= '9' {
			if len(stack) > 0 {
				stack[len(stack)-1].values = append(stack[len(stack)-1].values, body)
			}
			continue
		}
		n := &snapNode{indent: indent}
		name, hint, _ := strings.Cut(body, " ")
		if strings.HasSuffix(name, "*") {
			n.contributes = true
			name = strings.TrimSuffix(name, "*")
		}
		n.name = name
		if hint != "" {
			n.hint = strings.TrimSuffix(strings.TrimPrefix(hint, "("), ")")
		}
		if len(stack) == 0 {
			trees[variant] = n
		} else {
			p := stack[len(stack)-1]
			p.children = append(p.children, n)
		}
		stack = append(stack, n)
	}
	return trees
}

func (n *snapNode) find(name string, out []*snapNode) []*snapNode {
	if n == nil {
		return out
	}
	if n.name == name {
		return append(out, n)
	}
	for _, c := range n.children {
		out = c.find(name, out)
	}
	return out
}

func (n *snapNode) childValue(name string) (string, bool) {
	for _, c := range n.children {
		if c.name == name && len(c.values) > 0 {
			var s string
			if err := json.Unmarshal([]byte(c.values[0]), &s); err == nil {
				return s, true
			}
		}
	}
	return "", false
}

type jsonFrame struct {
	Function    *string `json:"function"`
	RawFunction *string `json:"raw_function"`
	AbsPath     *string `json:"abs_path"`
	Filename    *string `json:"filename"`
	Module      *string `json:"module"`
	Package     *string `json:"package"`
	Platform    *string `json:"platform"`
	InApp       *bool   `json:"in_app"`
}

type jsonStacktrace struct {
	Frames []*jsonFrame `json:"frames"`
}

type jsonException struct {
	Type       *string         `json:"type"`
	Value      *string         `json:"value"`
	Stacktrace *jsonStacktrace `json:"stacktrace"`
	Mechanism  *struct {
		Type *string `json:"type"`
	} `json:"mechanism"`
}

type jsonEvent struct {
	Platform   string          `json:"platform"`
	Exception  jsontext.Value  `json:"exception"`
	Stacktrace *jsonStacktrace `json:"stacktrace"`
	Threads    jsontext.Value  `json:"threads"`
	Grouping   *struct {
		Enhancements string `json:"enhancements"`
	} `json:"_grouping"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// valuesOf reads an interface that is either {"values": [...]} or [...].
func valuesOf[T any](raw jsontext.Value) []T {
	if len(raw) == 0 {
		return nil
	}
	var wrapped struct {
		Values []T `json:"values"`
	}
	if err := json.Unmarshal(raw, &wrapped, json.RejectUnknownMembers(false)); err == nil && wrapped.Values != nil {
		return wrapped.Values
	}
	var list []T
	_ = json.Unmarshal(raw, &list)
	return list
}

// singleStacktrace returns the event's only stack trace and its exception.
func singleStacktrace(ev *jsonEvent) ([]*jsonFrame, Exception, bool) {
	type st struct {
		frames []*jsonFrame
		exc    Exception
	}
	var all []st
	excs := valuesOf[*jsonException](ev.Exception)
	for _, e := range excs {
		if e == nil {
			continue
		}
		x := Exception{Type: str(e.Type), Value: str(e.Value)}
		if e.Mechanism != nil {
			x.Mechanism = str(e.Mechanism.Type)
		}
		s := e.Stacktrace
		if s == nil && len(excs) == 1 {
			s = ev.Stacktrace // Relay moves it into the lone exception
		}
		if s != nil && len(s.Frames) > 0 {
			all = append(all, st{s.Frames, x})
		}
	}
	if len(excs) != 1 && ev.Stacktrace != nil && len(ev.Stacktrace.Frames) > 0 {
		all = append(all, st{ev.Stacktrace.Frames, Exception{}})
	}
	for _, th := range valuesOf[*struct {
		Stacktrace *jsonStacktrace `json:"stacktrace"`
	}](ev.Threads) {
		if th != nil && th.Stacktrace != nil && len(th.Stacktrace.Frames) > 0 {
			all = append(all, st{th.Stacktrace.Frames, Exception{}})
		}
	}
	if len(all) != 1 {
		return nil, Exception{}, false
	}
	return all[0].frames, all[0].exc, true
}

// normalizeHint maps the hint wordings of older snapshots onto the newest.
func normalizeHint(h string, unlabelled bool) string {
	h = strings.ReplaceAll(h, "stack trace rule", "stacktrace rule")
	if unlabelled {
		h = strings.ReplaceAll(h, "built-in stacktrace rule", "stacktrace rule")
		h = strings.ReplaceAll(h, "custom stacktrace rule", "stacktrace rule")
	}
	return h
}

func TestCorpus(t *testing.T) {
	for _, corpus := range []string{"sentry-grouping", "sentry-grouping-2026"} {
		dir := filepath.Join(corpusDir, corpus)
		raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
		if err != nil {
			t.Skipf("conformance corpus not available (%v)", err)
		}
		var idx corpusIndex
		require.NoError(t, json.Unmarshal(raw, &idx, json.RejectUnknownMembers(false)))
		baseID := map[string]string{
			"newstyle:2023-01-11": "all-platforms:2023-01-11",
			"newstyle:2026-01-20": "all-platforms:2026-01-20",
		}[idx.Config]
		base, err := Base(baseID)
		require.NoError(t, err)
		checked := 0
		for _, pair := range idx.Pairs {
			if pair.Note != "" {
				continue // older snapshot: hint wording of another era
			}
			in, err := os.ReadFile(filepath.Join(dir, pair.Input))
			require.NoError(t, err)
			snap, err := os.ReadFile(filepath.Join(dir, pair.Snapshot))
			require.NoError(t, err)
			var ev jsonEvent
			require.NoError(t, json.Unmarshal(in, &ev, json.RejectUnknownMembers(false)), pair.Input)
			jframes, exc, ok := singleStacktrace(&ev)
			if !ok || ev.Platform == "" {
				// Sentry infers a platform for events without one in a way
				// this test does not reproduce.
				continue
			}
			trees := parseSnapshot(string(snap))
			appST := trees["app"].find("stacktrace", nil)
			sysST := trees["system"].find("stacktrace", nil)
			if len(appST) != 1 || len(sysST) != 1 || len(sysST[0].children) != len(jframes) {
				continue
			}
			t.Run(corpus+"/"+pair.Input, func(t *testing.T) {
				rules := base
				if ev.Grouping != nil && ev.Grouping.Enhancements != "" {
					custom, err := Parse(ev.Grouping.Enhancements)
					require.NoError(t, err)
					rules = Extend(base, custom)
				}
				unlabelled := strings.Contains(string(snap), "by stack trace rule (")
				sysFrames := sysST[0].children
				frames := make([]Frame, len(jframes))
				for i, jf := range jframes {
					f := &frames[i]
					f.Platform = str(jf.Platform)
					if f.Platform == "" {
						f.Platform = ev.Platform
					}
					f.AbsPath, f.Filename = str(jf.AbsPath), str(jf.Filename)
					f.Module, f.Package = str(jf.Module), str(jf.Package)
					f.Function = str(jf.Function)
					if f.Function == "?" {
						f.Function = ""
					}
					if familyBit(f.Platform) == famNative && jf.RawFunction == nil {
						// Trimming belongs to another package; the snapshot
						// shows the trimmed name.
						if v, ok := sysFrames[i].childValue("function"); ok {
							f.Function = v
						}
					}
					if f.Platform == "csharp" {
						f.Function, _, _ = strings.Cut(f.Function, " (")
					}
					if jf.InApp != nil {
						b := *jf.InApp
						f.InApp = &b
					}

				}
				rules.Classify(frames, exc)
				for i := range frames {
					if frames[i].InApp == nil {
						no := false
						frames[i].InApp = &no
					}
				}
				appFrames := appST[0].children
				for i := range frames {
					h := appFrames[i].hint
					wantInApp := !strings.Contains(h, "out of app") && h != "non app frame"
					assert.Equal(t, wantInApp, *frames[i].InApp, "in_app of frame %d (%q)", i, frames[i].Function)
				}
				for _, variant := range []string{"app", "system"} {
					want := sysFrames
					if variant == "app" {
						want = appFrames
					}
					comps := make([]FrameComponent, len(frames))
					for i, sf := range sysFrames {
						// A frame without a contributing child cannot
						// contribute whatever the rules say.
						c := FrameComponent{}
						for _, ch := range sf.children {
							c.Contributes = c.Contributes || ch.contributes
						}
						switch {
						case strings.HasPrefix(sf.hint, "un-ignored"):
							c = FrameComponent{Hint: "ignored due to recursion"}
						case strings.HasPrefix(sf.hint, "ignored") && !strings.Contains(sf.hint, "rule ("):
							c = FrameComponent{Hint: sf.hint}
						}
						if variant == "app" && !*frames[i].InApp {
							c = FrameComponent{Hint: "non app frame"}
						}
						comps[i] = c
					}
					stContributes, stHint := rules.Assemble(variant, frames, comps, exc)
					anyContributes := false
					for i := range comps {
						anyContributes = anyContributes || comps[i].Contributes
						assert.Equal(t, normalizeHint(want[i].hint, unlabelled), normalizeHint(comps[i].Hint, unlabelled),
							"%s hint of frame %d (%q)", variant, i, frames[i].Function)
						assert.Equal(t, want[i].contributes, comps[i].Contributes,
							"%s contributes of frame %d (%q)", variant, i, frames[i].Function)
					}
					assert.Equal(t, anyContributes, stContributes)
					assert.Empty(t, stHint)
				}
			})
			checked++
		}
		t.Logf("%s: %d single-stack-trace inputs checked", corpus, checked)
		assert.NotZero(t, checked)
	}
}
