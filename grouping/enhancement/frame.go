package enhancement

import (
	"github.com/sentrywire/sentrywire/grouping/internal/platform"
)

// Frame is the view of one stack frame that rules read and write.
//
// Missing values are empty strings. Sentry tells an empty string from a
// missing one in a few places (an empty package still matches package:*);
// this view does not, which only matters for frames that carry empty
// strings.
type Frame struct {
	// Platform is frame.platform, else the event's platform. It gives the
	// family that family: matchers test.
	Platform string
	// AbsPath and Filename feed path: (abs_path if set, else filename);
	// Package feeds package:, Module feeds module:.
	AbsPath, Filename, Package, Module string
	// Function is the function name after Sentry's trimming
	// (trim_function_name); empty matches as "<unknown>".
	Function string
	// InApp is the frame's in_app. Classify may replace the pointer (it
	// never writes through it). Before Assemble it must be the final value,
	// with null already turned into false.
	InApp *bool
	// Category is the frame's category (data.category), set by category=
	// actions; empty means none.
	Category string
	// ClientInApp is the in_app the SDK sent, before any rule ran
	// (data.client_in_app in Sentry). Classify records it from InApp on
	// entry; set it yourself only for frames that skip Classify. Assemble
	// needs it for the "marked ... by the client" hints and to tell which
	// in_app values rules changed.
	ClientInApp *bool
}

// Exception is the exception that owns the stack trace; use the zero value
// for thread and top-level stack traces. Empty fields match as
// "<unknown>", so !error.type:Foo holds for them.
type Exception struct {
	Type, Value string
	// Mechanism is exception.mechanism.type.
	Mechanism string
}

func (e *Exception) field(f int) string {
	var v string
	switch f {
	case excType:
		v = e.Type
	case excValue:
		v = e.Value
	default:
		v = e.Mechanism
	}
	if v == "" {
		return "<unknown>"
	}
	return v
}

// frameView holds a frame's values as matchers compare them, computed once
// per call: family as a bit, path and package lowercased with '/'
// separators. pathSlash is "/"+path, for the retry Sentry makes when a
// path-like value does not start with '/' (empty when it does).
type frameView struct {
	fam                        uint8
	function                   string
	module                     string
	path, pathSlash            string
	pkg, pkgSlash              string
	hasPath, hasPkg, hasModule bool
}

func familyBit(p string) uint8 {
	switch platform.FamilyOf(p) {
	case platform.Native:
		return famNative
	case platform.JavaScript:
		return famJavaScript
	}
	return famOther
}

func makeViews(frames []Frame) []frameView {
	views := make([]frameView, len(frames))
	for i := range frames {
		f := &frames[i]
		v := &views[i]
		v.fam = familyBit(f.Platform)
		v.function = f.Function
		if v.function == "" {
			v.function = "<unknown>"
		}
		v.module, v.hasModule = f.Module, f.Module != ""
		p := f.AbsPath
		if p == "" {
			p = f.Filename
		}
		if p != "" {
			v.path, v.pathSlash = normalizePath(p)
			v.hasPath = true
		}
		if f.Package != "" {
			v.pkg, v.pkgSlash = normalizePath(f.Package)
			v.hasPkg = true
		}
	}
	return views
}

// normalizePath lowercases ASCII letters and turns '\' into '/', as Sentry
// does before matching path and package (what pathOptions.Value does),
// and also returns the value with a leading '/' when it lacks one, for
// glob.MatchPath (one allocation serves both).
func normalizePath(s string) (norm, slashed string) {
	clean := s[0] == '/'
	for i := 0; i < len(s) && clean; i++ {
		if c := s[i]; c == '\\' || c >= 'A' && c <= 'Z' {
			clean = false
		}
	}
	if clean {
		return s, ""
	}
	b := make([]byte, len(s)+1)
	b[0] = '/'
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			c = '/'
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b[i+1] = c
	}
	full := string(b)
	if full[1] == '/' {
		return full[1:], ""
	}
	return full[1:], full
}

// matchState is what rules see besides the frames' fixed values: in_app
// (1 true, 0 false, -1 null, which matches as false) and category, which
// earlier rules may have changed.
type matchState struct {
	views  []frameView
	inApp  []int8
	frames []Frame // Category is read from here
}

func (m *frameMatcher) matches(st *matchState, idx int) bool {
	j := idx + m.offset
	if j < 0 || j >= len(st.views) {
		return false
	}
	v := &st.views[j]
	var r bool
	switch m.kind {
	case fmFamily:
		r = m.fams&v.fam != 0
	case fmApp:
		r = (st.inApp[j] == 1) == m.want
	case fmField:
		switch m.field {
		case fieldCategory:
			c := st.frames[j].Category
			r = c != "" && m.g.Match(c)
		case fieldFunction:
			r = m.g.Match(v.function)
		case fieldModule:
			r = v.hasModule && m.g.Match(v.module)
		case fieldPath:
			r = v.hasPath && m.g.MatchPath(v.path, v.pathSlash)
		case fieldPackage:
			r = v.hasPkg && m.g.MatchPath(v.pkg, v.pkgSlash)
		}
	}
	return r != m.negated
}

func (r *rule) matchFrame(st *matchState, idx int) bool {
	if r.needFam&st.views[idx].fam == 0 {
		return false
	}
	for i := range r.frame {
		if !r.frame[i].matches(st, idx) {
			return false
		}
	}
	return true
}

func (r *rule) matchException(exc *Exception) bool {
	for i := range r.exc {
		m := &r.exc[i]
		if m.g.Match(exc.field(m.field)) == m.negated {
			return false
		}
	}
	return true
}

// stackSummary is what a stack trace has at all, to skip rules that
// cannot match any of its frames without looking at each frame.
type stackSummary struct {
	fams   uint8 // families present
	fields uint8 // 1<<field for the fields some frame has
}

func summarize(st *matchState) stackSummary {
	var s stackSummary
	for i := range st.views {
		v := &st.views[i]
		s.fams |= v.fam
		if v.hasModule {
			s.fields |= 1 << fieldModule
		}
		if v.hasPath {
			s.fields |= 1 << fieldPath
		}
		if v.hasPkg {
			s.fields |= 1 << fieldPackage
		}
		if st.frames[i].Category != "" {
			s.fields |= 1 << fieldCategory
		}
	}
	return s
}

// applies reports whether the rule can match any frame of the stack trace
// at all.
func (r *rule) applies(s stackSummary, exc *Exception) bool {
	return !r.never && r.needFam&s.fams != 0 && r.needFields&^s.fields == 0 && r.matchException(exc)
}

// span returns the frames an action with range rng taken at idx touches.
func span(rng, idx, n int) (lo, hi int) {
	switch rng {
	case rangeUp:
		return idx + 1, n
	case rangeDown:
		return 0, idx
	}
	return idx, idx + 1
}

func triState(b *bool) int8 {
	switch {
	case b == nil:
		return -1
	case *b:
		return 1
	}
	return 0
}

// Classify runs the ±app and category= actions over one stack trace, which
// Sentry does when it normalises an event (its
// apply_category_and_updated_in_app_to_frames). Frames are in Sentry order:
// index 0 is the outermost call, the last frame is the crashing one.
//
// Rules run in order, each over the whole stack trace: a rule first finds
// every frame it matches, then acts on them, so later rules see the
// categories and in_app values earlier ones set, and the last writer wins.
// ^ acts on the frames after the matched one (toward the crash), v on the
// frames before it. Classify records ClientInApp, then sets only InApp and
// Category; an in_app that no rule sets stays null (turn it into false
// afterwards, as Sentry does, before grouping).
func (r *Rules) Classify(frames []Frame, exc Exception) {
	for i := range frames {
		frames[i].ClientInApp = frames[i].InApp
	}
	if r == nil || len(r.sets) == 0 || len(frames) == 0 {
		return
	}
	st := matchState{views: makeViews(frames), inApp: make([]int8, len(frames)), frames: frames}
	for i := range frames {
		st.inApp[i] = triState(frames[i].InApp)
	}
	sum := summarize(&st)
	hits := make([]int, 0, len(frames))
	act := func(rl *rule, hits []int) {
		for _, i := range hits {
			for _, a := range rl.actions {
				switch a.kind {
				case actApp:
					v := int8(0)
					if a.flag {
						v = 1
					}
					lo, hi := span(a.rng, i, len(frames))
					for j := lo; j < hi; j++ {
						st.inApp[j] = v
					}
				case actCategory:
					frames[i].Category = a.value
					sum.fields |= 1 << fieldCategory
				}
			}
		}
	}
	for _, set := range r.sets {
		hits = set.classifier.scan(&st, &sum, &exc, hits, act)
	}
	for i := range frames {
		if v := st.inApp[i]; v != triState(frames[i].InApp) {
			b := v == 1
			frames[i].InApp = &b
		}
	}
}

// FrameComponent is the grouping state of one frame in one variant.
// An empty Hint means none.
type FrameComponent struct {
	Contributes bool
	Hint        string
}
