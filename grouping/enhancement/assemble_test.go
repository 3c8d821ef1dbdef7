package enhancement

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFrameHint(t *testing.T) {
	// Sentry's test_get_hint_for_frame (tests/sentry/grouping/enhancements/
	// test_hints.py), every combination of variant, final in_app, client
	// in_app, rule hint, incoming hint and wanted kind. Expectations are
	// listed per (variant, final, client) in the order rule hint
	// [in-app, out of app, ignored, un-ignored, none] x incoming hint
	// [none, "ignored because ..."] x wanted [in-app, contributes].
	hints := map[string]string{
		"-":  "",
		"I":  "marked in-app by (...)",
		"O":  "marked out of app by (...)",
		"X":  "ignored by (...)",
		"U":  "un-ignored by (...)",
		"B":  "ignored because ...",
		"CI": "marked in-app by the client",
		"CO": "marked out of app by the client",
		"N":  "non app frame",
	}
	sameForAll := func(row ...string) []string {
		var out []string
		for range 5 {
			out = append(out, row...)
		}
		return out
	}
	system := []string{"-", "-", "-", "B", "-", "-", "-", "B", "-", "X", "-", "X", "-", "U", "-", "U", "-", "-", "-", "B"}
	groups := []struct {
		variant string
		final   bool
		client  *bool
		want    []string
	}{
		{"app", true, nil, []string{"I", "-", "I", "B", "O", "-", "O", "B", "-", "X", "-", "X", "-", "U", "-", "U", "-", "-", "-", "B"}},
		{"app", true, boolp(true), []string{"CI", "-", "CI", "B", "CI", "-", "CI", "B", "CI", "X", "CI", "X", "CI", "U", "CI", "U", "CI", "-", "CI", "B"}},
		{"app", true, boolp(false), []string{"I", "-", "I", "B", "O", "-", "O", "B", "-", "X", "-", "X", "-", "U", "-", "U", "-", "-", "-", "B"}},
		{"app", false, nil, []string{"I", "-", "I", "-", "O", "-", "O", "-", "N", "-", "N", "-", "N", "-", "N", "-", "N", "-", "N", "-"}},
		{"app", false, boolp(true), []string{"I", "-", "I", "-", "O", "-", "O", "-", "N", "-", "N", "-", "N", "-", "N", "-", "N", "-", "N", "-"}},
		{"app", false, boolp(false), sameForAll("CO", "-", "CO", "-")},
		{"system", true, nil, system},
		{"system", true, boolp(true), system},
		{"system", true, boolp(false), system},
		{"system", false, nil, system},
		{"system", false, boolp(true), system},
		{"system", false, boolp(false), system},
	}
	r := &Rules{}
	for _, g := range groups {
		require.Len(t, g.want, 20)
		k := 0
		for _, rh := range []string{"I", "O", "X", "U", "-"} {
			for _, in := range []string{"-", "B"} {
				for _, wantInApp := range []bool{true, false} {
					got := r.frameHint(g.variant, g.final, g.client, hints[rh], hints[in], wantInApp)
					assert.Equal(t, hints[g.want[k]], got, "%s final=%v client=%v rule=%s incoming=%s in-app=%v",
						g.variant, g.final, g.client, rh, in, wantInApp)
					k++
				}
			}
		}
	}
}

func TestCombineHints(t *testing.T) {
	// Sentry's test_combining_hints.
	const in, out, ign, unign = "marked in-app by (...)", "marked out of app by (...)", "ignored by (...)", "un-ignored by (...)"
	tests := []struct {
		variant             string
		inApp, contributes  bool
		inAppHint, contHint string
		want                string
	}{
		{"app", true, true, in, "", in},
		{"app", true, true, in, unign, in + " and " + unign},
		{"app", true, false, in, ign, in + " but " + ign},
		{"app", false, true, out, "", out},
		{"app", false, true, out, unign, out},
		{"app", false, false, out, ign, out},
		{"system", true, true, "", "", ""},
		{"system", true, true, "", unign, unign},
		{"system", true, false, "", ign, ign},
		{"system", false, true, "", "", ""},
		{"system", false, true, "", unign, unign},
		{"system", false, false, "", ign, ign},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, combineHints(tt.variant, tt.inApp, tt.contributes, tt.inAppHint, tt.contHint))
	}
}

func TestLabelRule(t *testing.T) {
	// Sentry's test_adds_rule_source_to_stacktrace_rule_hints.
	r := &Rules{custom: map[string]struct{}{"function:roll_over +app": {}}}
	assert.Equal(t, "marked in-app by built-in stacktrace rule (function:shake +app)",
		r.labelRule("marked in-app by stack trace rule (function:shake +app)"))
	assert.Equal(t, "marked in-app by custom stacktrace rule (function:roll_over +app)",
		r.labelRule("marked in-app by stack trace rule (function:roll_over +app)"))
	assert.Equal(t, "ignored due to recursion", r.labelRule("ignored due to recursion"))
}

type frameSpec struct {
	fn            string
	inApp, client *bool
}

func TestAssemble(t *testing.T) {
	T, F := boolp(true), boolp(false)
	tests := []struct {
		name     string
		base     bool // put the rules after the 2026 built-in rules
		rules    string
		variant  string
		frames   []frameSpec
		in       []FrameComponent
		want     []FrameComponent
		stack    bool
		stackMsg string
	}{
		{
			name: "ignored and un-ignored", rules: "function:a -group\nfunction:b +group", variant: "system",
			frames: []frameSpec{{"a", F, F}, {"b", F, F}, {"c", F, F}},
			in:     []FrameComponent{{Contributes: true}, {Hint: "ignored due to recursion"}, {Contributes: true}},
			want: []FrameComponent{
				{Hint: "ignored by custom stacktrace rule (function:a -group)"},
				{Contributes: true, Hint: "un-ignored by custom stacktrace rule (function:b +group)"},
				{Contributes: true},
			},
			stack: true,
		},
		{
			name: "a frame already ignored gets no rule hint", rules: "function:a -group", variant: "system",
			frames: []frameSpec{{"a", F, F}},
			in:     []FrameComponent{{Hint: "ignored due to recursion"}},
			want:   []FrameComponent{{Hint: "ignored due to recursion"}},
		},
		{
			name:  "client in_app and a custom rule (corpus contributing_system_and_app_frames)",
			rules: "stack.function:recordMetrics +app -group", variant: "app",
			frames: []frameSpec{{"recordMetrics", T, nil}, {"main", T, T}},
			in:     []FrameComponent{{Contributes: true}, {Contributes: true}},
			want: []FrameComponent{
				{Hint: "marked in-app by custom stacktrace rule (function:recordMetrics +app) but ignored by custom stacktrace rule (function:recordMetrics -group)"},
				{Contributes: true, Hint: "marked in-app by the client"},
			},
			stack: true,
		},
		{
			name: "a rule confirming the client gets no credit", rules: "function:a +app", variant: "app",
			frames: []frameSpec{{"a", T, T}},
			in:     []FrameComponent{{Contributes: true}},
			want:   []FrameComponent{{Contributes: true, Hint: "marked in-app by the client"}},
			stack:  true,
		},
		{
			name: "ranges name the rule on the frames they touch", rules: "function:b ^-app", variant: "app",
			frames: []frameSpec{{"a", T, T}, {"b", F, nil}, {"c", F, nil}, {"d", F, T}},
			in:     []FrameComponent{{Contributes: true}, {Hint: "non app frame"}, {Hint: "non app frame"}, {Hint: "non app frame"}},
			want: []FrameComponent{
				{Contributes: true, Hint: "marked in-app by the client"},
				{Hint: "non app frame"},
				{Hint: "marked out of app by custom stacktrace rule (function:b ^-app)"},
				{Hint: "marked out of app by custom stacktrace rule (function:b ^-app)"},
			},
			stack: true,
		},
		{
			name: "system frames never contribute to the app variant", rules: "function:a +group", variant: "app",
			frames: []frameSpec{{"a", F, F}},
			in:     []FrameComponent{{Hint: "non app frame"}},
			want:   []FrameComponent{{Hint: "marked out of app by the client"}},
			// Sentry takes the stack trace's flag from the rules alone; the
			// strategy's "no in-app frames" check overrides it afterwards.
			stack: true,
		},
		{
			name: "system frames in the system variant", rules: "function:a +group", variant: "system",
			frames: []frameSpec{{"a", F, F}},
			in:     []FrameComponent{{Hint: "ignored due to recursion"}},
			want:   []FrameComponent{{Contributes: true, Hint: "un-ignored by custom stacktrace rule (function:a +group)"}},
			stack:  true,
		},
		{
			name: "max-frames", rules: "function:* max-frames=2", variant: "system",
			frames: []frameSpec{{"a", T, T}, {"b", T, T}, {"c", T, T}, {"d", T, T}, {"e", T, T}},
			in:     []FrameComponent{{Contributes: true}, {Contributes: true}, {Contributes: true}, {}, {Contributes: true}},
			want: []FrameComponent{
				{Hint: "ignored because only 2 frames are considered by custom stacktrace rule (function:* max-frames=2)"},
				{Hint: "ignored because only 2 frames are considered by custom stacktrace rule (function:* max-frames=2)"},
				{Contributes: true}, {}, {Contributes: true},
			},
			stack: true,
		},
		{
			name: "max-frames=1", rules: "function:* max-frames=1", variant: "app",
			frames: []frameSpec{{"a", T, T}, {"b", T, T}},
			in:     []FrameComponent{{Contributes: true}, {Contributes: true}},
			want: []FrameComponent{
				{Hint: "marked in-app by the client but ignored because only 1 frame is considered by custom stacktrace rule (function:* max-frames=1)"},
				{Contributes: true, Hint: "marked in-app by the client"},
			},
			stack: true,
		},
		{
			name: "min-frames", rules: "function:* min-frames=3", variant: "system",
			frames: []frameSpec{{"a", F, F}, {"b", F, F}},
			in:     []FrameComponent{{Contributes: true}, {Contributes: true}},
			want:   []FrameComponent{{Contributes: true}, {Contributes: true}},
			stackMsg: "discarded because stacktrace only contains 2 frames which is under the configured threshold " +
				"by custom stacktrace rule (function:* min-frames=3)",
		},
		{
			name: "min-frames with one frame and stack trace in the rule", rules: `function:"stack trace" min-frames=2`, variant: "system",
			frames: []frameSpec{{"stack trace", F, F}},
			in:     []FrameComponent{{Contributes: true}},
			want:   []FrameComponent{{Contributes: true}},
			// Quoted patterns make the rule's printed form differ from its
			// stored text, so Sentry calls it built-in.
			stackMsg: "discarded because stacktrace only contains 1 frame which is under the configured threshold " +
				"by built-in stacktrace rule (function:stacktrace min-frames=2)",
		},
		{
			name: "min-frames is met", rules: "function:* min-frames=2", variant: "system",
			frames: []frameSpec{{"a", F, F}, {"b", F, F}},
			in:     []FrameComponent{{Contributes: true}, {Contributes: true}},
			want:   []FrameComponent{{Contributes: true}, {Contributes: true}},
			stack:  true,
		},
		{
			name: "exception matchers print first, so the rule reads as built-in", rules: "function:a error.type:<unknown> -group", variant: "system",
			frames: []frameSpec{{"a", F, F}},
			in:     []FrameComponent{{Contributes: true}},
			want:   []FrameComponent{{Hint: "ignored by built-in stacktrace rule (type:<unknown> function:a -group)"}},
		},
		{
			name: "an in-app hint that says ignored is taken for a grouping hint", rules: "function:*ignored* -app", variant: "app",
			frames: []frameSpec{{"was_ignored", F, nil}},
			in:     []FrameComponent{{Hint: "non app frame"}},
			want:   []FrameComponent{{Hint: "non app frame"}},
		},
		{
			name: "built-in and custom together", base: true, rules: "function:my_* +app", variant: "app",
			frames: []frameSpec{{"my_handler", T, F}, {"std::rt::lang_start", F, nil}},
			in:     []FrameComponent{{Contributes: true}, {Hint: "non app frame"}},
			want: []FrameComponent{
				{Contributes: true, Hint: "marked in-app by custom stacktrace rule (function:my_* +app)"},
				{Hint: "marked out of app by built-in stacktrace rule (family:native function:std::* -app)"},
			},
			stack: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.rules)
			require.NoError(t, err)
			if tt.base {
				base, err := Base("all-platforms:2026-01-20")
				require.NoError(t, err)
				r = Extend(base, r)
			}
			frames := make([]Frame, len(tt.frames))
			for i, f := range tt.frames {
				frames[i] = Frame{Platform: "native", Function: f.fn, InApp: f.inApp, ClientInApp: f.client}
			}
			comps := append([]FrameComponent(nil), tt.in...)
			stack, msg := r.Assemble(tt.variant, frames, comps, Exception{})
			assert.Equal(t, tt.want, comps)
			assert.Equal(t, tt.stack, stack, "stack trace contributes")
			assert.Equal(t, tt.stackMsg, msg, "stack trace hint")
		})
	}
}
