package enhancement

import (
	"strconv"
	"strings"
)

// Raw hint kinds, before Sentry's post-processing.
const (
	hintNone = iota
	hintIgnored
	hintUnignored
	hintMaxFrames
)

type contribHint struct {
	kind int
	by   *rule
	n    uint64 // max-frames
}

// Assemble runs the ±group, max-frames= and min-frames= actions for one
// grouping variant ("app" or "system") and produces Sentry's final
// per-frame contributes and hint, and the stack trace's contributes and
// hint.
//
// comps[i] belongs to frames[i] and arrives with what the frame strategy
// computed (in the app variant, out-of-app frames already do not
// contribute; recursion and similar hints are set). frames must carry
// their final InApp (null turned into false), Category and ClientInApp,
// as Classify left them. Assemble updates comps in place; a hint is only
// ever replaced, never cleared.
//
// The stack trace's contributes is Sentry's raw result: whether any frame
// still contributes after the rules (before out-of-app frames are forced
// off in the app variant), unless min-frames discards the stack trace, in
// which case hint says so. The frame strategy's own checks ("contains no
// in-app frames", ...) come after and may override it.
//
// The hints follow Sentry's current wording: "marked in-app by the
// client", "non app frame", "marked out of app by built-in stacktrace rule
// (R)", "ignored by custom stacktrace rule (R)", joined as "X and Y" when
// the frame contributes and "X but Y" when it does not, where R is the
// half of the rule that acted, as Sentry prints it.
func (r *Rules) Assemble(variant string, frames []Frame, comps []FrameComponent, exc Exception) (contributes bool, hint string) {
	n := min(len(frames), len(comps))
	frames, comps = frames[:n], comps[:n]
	app := variant == "app"
	if r == nil {
		r = &Rules{}
	}
	st := matchState{views: makeViews(frames), inApp: make([]int8, n), frames: frames}
	for i := range frames {
		if frames[i].InApp != nil && *frames[i].InApp {
			st.inApp[i] = 1
		}
	}
	sum := summarize(&st)
	// changed: whether rules moved in_app away from what the client sent
	// (a null the client sent always counts as changed).
	changed := func(j int) bool {
		c := frames[j].ClientInApp
		return c == nil || (*c) != (st.inApp[j] == 1)
	}

	// In-app hints: Sentry reruns the ±app rules over the final frames and
	// lets the last matching rule name itself on every frame it touches
	// whose in_app differs from the client's.
	var hits []int
	var inAppBy []*rule
	if app {
		act := func(rl *rule, hits []int) {
			for _, i := range hits {
				for _, a := range rl.actions {
					if a.kind != actApp {
						continue
					}
					lo, hi := span(a.rng, i, n)
					for j := lo; j < hi; j++ {
						if changed(j) {
							if inAppBy == nil {
								inAppBy = make([]*rule, n)
							}
							inAppBy[j] = rl
						}
					}
				}
			}
		}
		for _, set := range r.sets {
			hits = set.inAppHints.scan(&st, &sum, &exc, hits, act)
		}
	}

	// Contributes: ±group acts on the components; the last matching
	// max-frames and min-frames rules set the limits.
	contrib := make([]bool, n)
	for i := range comps {
		contrib[i] = comps[i].Contributes
	}
	var hints []contribHint
	setHint := func(j int, h contribHint) {
		if hints == nil {
			hints = make([]contribHint, n)
		}
		hints[j] = h
	}
	var maxN, minN uint64
	var maxBy, minBy *rule
	act := func(rl *rule, hits []int) {
		for _, i := range hits {
			for _, a := range rl.actions {
				if a.kind != actGroup {
					continue
				}
				lo, hi := span(a.rng, i, n)
				for j := lo; j < hi; j++ {
					if contrib[j] != a.flag {
						contrib[j] = a.flag
						k := hintIgnored
						if a.flag {
							k = hintUnignored
						}
						setHint(j, contribHint{kind: k, by: rl})
					}
				}
			}
			for _, a := range rl.actions {
				switch a.kind {
				case actMaxFrames:
					maxN, maxBy = a.n, rl
				case actMinFrames:
					minN, minBy = a.n, rl
				}
			}
		}
	}
	for _, set := range r.sets {
		hits = set.contributes.scan(&st, &sum, &exc, hits, act)
	}
	if maxN > 0 {
		var seen uint64
		for j := n - 1; j >= 0; j-- {
			if !contrib[j] {
				continue
			}
			seen++
			if seen > maxN {
				contrib[j] = false
				setHint(j, contribHint{kind: hintMaxFrames, by: maxBy, n: maxN})
			}
		}
	}
	var total uint64
	for _, c := range contrib {
		if c {
			total++
		}
	}
	contributes = total > 0
	if minN > 0 && total > 0 && total < minN {
		contributes = false
		s := ""
		if total != 1 {
			s = "s"
		}
		hint = "discarded because stack trace only contains " + strconv.FormatUint(total, 10) +
			" frame" + s + " which is under the configured threshold by stack trace rule (" + minBy.display + ")"
		hint = strings.ReplaceAll(r.labelRule(hint), "stack trace", "stacktrace")
	}

	// Sentry's post-processing of every frame's hint.
	for i := range comps {
		inApp := st.inApp[i] == 1
		c := contrib[i]
		if app && !inApp {
			c = false
		}
		incoming := comps[i].Hint
		comps[i].Contributes = c
		var inAppHint, contribHint string
		if app {
			raw := ""
			if inAppBy != nil && inAppBy[i] != nil {
				state := "out of app"
				if inApp {
					state = "in-app"
				}
				raw = "marked " + state + " by stack trace rule (" + inAppBy[i].display + ")"
			}
			inAppHint = r.frameHint(variant, inApp, frames[i].ClientInApp, raw, incoming, true)
		}
		raw := ""
		if hints != nil {
			raw = hints[i].String()
		}
		contribHint = r.frameHint(variant, inApp, frames[i].ClientInApp, raw, incoming, false)
		if h := combineHints(variant, inApp, c, inAppHint, contribHint); h != "" {
			comps[i].Hint = h
		}
	}
	return contributes, hint
}

func (h contribHint) String() string {
	switch h.kind {
	case hintIgnored:
		return "ignored by stack trace rule (" + h.by.display + ")"
	case hintUnignored:
		return "un-ignored by stack trace rule (" + h.by.display + ")"
	case hintMaxFrames:
		what := " frames are"
		if h.n == 1 {
			what = " frame is"
		}
		return "ignored because only " + strconv.FormatUint(h.n, 10) + what +
			" considered by stack trace rule (" + h.by.display + ")"
	}
	return ""
}

// frameHint picks one kind of hint for a frame (the in-app kind, about
// in_app, or the contributes kind, about grouping) as Sentry's
// _get_hint_for_frame does: a hint's kind is "contributes" when it
// contains "ignored" and "in-app" otherwise; the rule's hint wins over the
// one the frame already had; in the app variant the client's own in_app,
// when it stood, is credited to the client; and hints that cannot matter
// (grouping hints on out-of-app frames in the app variant, in-app hints in
// the system variant) are dropped.
func (r *Rules) frameHint(variant string, inApp bool, client *bool, ruleHint, incoming string, wantInApp bool) string {
	app := variant == "app"
	if app && wantInApp {
		switch {
		case client != nil && *client == inApp:
			if inApp {
				incoming = "marked in-app by the client"
			} else {
				incoming = "marked out of app by the client"
			}
		case !inApp:
			incoming = "non app frame"
		}
	}
	useRule := canUseHint(variant, inApp, ruleHint, wantInApp)
	// A rule that only confirmed what the client sent gets no credit.
	if app && strings.HasPrefix(ruleHint, "marked") && client != nil && *client == inApp {
		useRule = false
	}
	switch {
	case useRule:
		return r.labelRule(ruleHint)
	case canUseHint(variant, inApp, incoming, wantInApp):
		return r.labelRule(incoming)
	}
	return ""
}

func canUseHint(variant string, inApp bool, hint string, wantInApp bool) bool {
	if hint == "" {
		return false
	}
	isInApp := !strings.Contains(hint, "ignored")
	if isInApp != wantInApp {
		return false
	}
	if variant == "app" && !inApp && !isInApp {
		return false
	}
	if variant == "system" && isInApp {
		return false
	}
	return true
}

// labelRule rewrites "stack trace rule (R)" at the end of a hint into
// "custom stacktrace rule (R)" when R is the text of one of the custom
// rules, and "built-in stacktrace rule (R)" otherwise, matching Sentry's
// regular expression `stack trace rule \((.+)\)$`.
func (r *Rules) labelRule(h string) string {
	const marker = "stack trace rule ("
	i := strings.Index(h, marker)
	if i < 0 || !strings.HasSuffix(h, ")") || len(h)-1 <= i+len(marker) {
		return h
	}
	inner := h[i+len(marker) : len(h)-1]
	if strings.ContainsRune(inner, '\n') {
		return h
	}
	label := "built-in"
	if _, ok := r.custom[inner]; ok {
		label = "custom"
	}
	return h[:i] + label + " stacktrace rule (" + inner + ")"
}

// combineHints joins a frame's two hints as Sentry's _combine_hints does.
func combineHints(variant string, inApp, contributes bool, inAppHint, contribHint string) string {
	if variant == "system" {
		return contribHint
	}
	if !inApp {
		return inAppHint
	}
	switch {
	case inAppHint == "":
		return contribHint
	case contribHint == "":
		return inAppHint
	case contributes:
		return inAppHint + " and " + contribHint
	}
	return inAppHint + " but " + contribHint
}
