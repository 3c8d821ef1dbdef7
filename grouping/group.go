package grouping

import (
	"regexp"
	"sort"

	"github.com/cespare/xxhash/v2"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping/enhancement"
	"github.com/sentrywire/sentrywire/grouping/fingerprint"
	"github.com/sentrywire/sentrywire/grouping/internal/funcname"
)

// trimFunction is Sentry's trim_function_name.
var trimFunction = funcname.Trim

// Group computes the group hashes Sentry computes for ev under config c.
// The event is not modified. Group never fails: every event that decodes
// groups, if need be into the fallback variant.
func (c *Config) Group(ev *protocol.Event) *Result {
	return c.group(newEvent(ev))
}

// GroupAll groups one event under several configs, normalizing it once.
// A host migrating a project from one config to another needs both
// hashes, as Sentry computes both during the transition: an event whose
// old-config hash already has a group stays in that group.
func GroupAll(ev *protocol.Event, configs ...*Config) []*Result {
	e := newEvent(ev)
	out := make([]*Result, len(configs))
	for i, c := range configs {
		out[i] = c.group(e)
	}
	return out
}

// run is the state of grouping one event under one config.
type run struct {
	cfg *Config
	ev  *event
	// frames holds, per stack trace of the event, what stack trace rules
	// made of its frames under this config: in_app and category.
	frames [][]enhancement.Frame
	// contextLines overrides a frame's context line for this config.
	contextLines map[*frame]string

	fingerprint []string
	info        FingerprintInfo
	title       string
	// mainException is the index of the exception that titles the event
	// when it is not the last one, else -1.
	mainException int
}

func (r *run) contextLine(f *frame) string {
	if l, ok := r.contextLines[f]; ok {
		return l
	}
	return f.contextLine
}

// Python's multiprocessing starts each worker with a generated one-line
// program whose file descriptors differ from run to run.
var spawnMainRE = regexp.MustCompile(`from multiprocessing\.spawn import spawn_main; spawn_main\((tracker_fd|parent_pid)=\d+, pipe_handle=\d+\)`)
var spawnArgRE = regexp.MustCompile(`=\d+`)

func (c *Config) group(e *event) *Result {
	r := &run{cfg: c, ev: e, mainException: -1}
	r.normalizeStacktraces()
	r.applyFingerprintingRules()
	res := r.result()
	res.Title, res.Culprit = r.titleAndCulprit()
	return res
}

// normalizeStacktraces is the config-dependent part of Sentry's
// normalize_stacktraces_for_grouping: stack trace rules set in_app and
// categories, and what stays unknown is not in the app.
func (r *run) normalizeStacktraces() {
	r.frames = make([][]enhancement.Frame, len(r.ev.stacktraces))
	no := false
	for i, os := range r.ev.stacktraces {
		fs := make([]enhancement.Frame, len(os.st.frames))
		for j, f := range os.st.frames {
			plat := f.platform
			if plat == "" {
				plat = r.ev.platform
			}
			fs[j] = enhancement.Frame{
				Platform: plat,
				AbsPath:  f.absPath,
				Filename: f.filename,
				Package:  f.pkg,
				Module:   f.module,
				Function: f.function,
				InApp:    f.inApp,
			}
			if !r.cfg.legacyMultiprocessing && f.module == "__main__" && f.filename == "<string>" &&
				f.function == "<module>" && spawnMainRE.MatchString(f.contextLine) {
				if r.contextLines == nil {
					r.contextLines = map[*frame]string{}
				}
				r.contextLines[f] = spawnArgRE.ReplaceAllString(f.contextLine, "=<int>")
			}
		}
		r.cfg.enhancements.Classify(fs, exceptionData(os.exc))
		for j := range fs {
			if fs[j].InApp == nil {
				fs[j].InApp = &no
			}
		}
		r.frames[i] = fs
	}
}

// A Result is how an event groups under one config.
type Result struct {
	// Config is the config's id.
	Config string
	// Hashes are the event's group hashes in Sentry's order: the first is
	// the one a new group is created under, the others find an existing
	// group.
	Hashes []string
	// Variants are every variant Sentry computed, sorted by name; the ones
	// with a Hash contribute.
	Variants []*Variant
	// Key is a 64-bit xxhash of the first hash, for maps and sharding.
	Key uint64
	// Title is the issue title Sentry shows for the event: the type and
	// first line of the main exception's value, the message, or the title
	// a matching fingerprinting rule sets.
	Title string
	// Culprit is where Sentry says the event happened: the transaction,
	// or the innermost in-app frame of the crashing stack trace.
	Culprit string
}

// Variant returns the variant with the given name, or nil.
func (r *Result) Variant(name string) *Variant {
	for _, v := range r.Variants {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// Winner returns the variant whose hash comes first, or nil for a result
// without hashes.
func (r *Result) Winner() *Variant {
	if len(r.Hashes) == 0 {
		return nil
	}
	for _, v := range r.Variants {
		if v.Hash == r.Hashes[0] {
			return v
		}
	}
	return nil
}

// A Variant is one way Sentry hashes an event: by the in-app frames
// ("app"), by every frame ("system"), by the message ("default"), by a
// fingerprint, a checksum, or nothing ("fallback").
type Variant struct {
	// Name is the variant's name in Sentry's grouping info: "app", "system",
	// "default", "custom_client_fingerprint", "custom_server_fingerprint",
	// "built_in_fingerprint", "checksum", "hashed_checksum" or "fallback".
	Name string
	// Type is Sentry's variant type: "component", "salted_component",
	// "custom_fingerprint", "built_in_fingerprint", "checksum",
	// "hashed_checksum" or "fallback".
	Type string
	// Hash is the md5 hex of the variant, or "" when it does not contribute.
	Hash string
	// Hint says why a component variant does not contribute.
	Hint string
	// Component is the root of a component variant's tree.
	Component *Component
	// ContributingComponent is the id of the root's first contributing
	// child before any fingerprint took over: "exception", "message", ...
	ContributingComponent string
	// Values are a fingerprint variant's fingerprint entries.
	Values []string
	// FingerprintInfo says where a fingerprint came from.
	FingerprintInfo *FingerprintInfo
	// Checksum and RawChecksum are a checksum variant's hash and, when it
	// was not already an md5, the checksum as sent.
	Checksum, RawChecksum string
}

// Contributes reports whether the variant has a hash.
func (v *Variant) Contributes() bool { return v.Hash != "" }

// FingerprintInfo records where an event's fingerprint came from, as
// Sentry's _fingerprint_info does.
type FingerprintInfo struct {
	// ClientFingerprint is the fingerprint the SDK sent, unless it was the
	// default one.
	ClientFingerprint []string
	// MatchedRule is the server-side rule that replaced it.
	MatchedRule *fingerprint.Rule
}

func (fi *FingerprintInfo) isZero() bool {
	return fi == nil || len(fi.ClientFingerprint) == 0 && fi.MatchedRule == nil
}

var md5HexRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (r *run) result() *Result {
	res := &Result{Config: r.cfg.id}
	if cs := r.ev.checksum; cs != "" {
		if md5HexRE.MatchString(cs) {
			res.Variants = []*Variant{{Name: "checksum", Type: "checksum", Hash: cs, Checksum: cs}}
		} else {
			h := md5Hex(cs)
			res.Variants = []*Variant{{Name: "hashed_checksum", Type: "hashed_checksum", Hash: h, Checksum: h, RawChecksum: cs}}
		}
		return res.finish(nil)
	}

	fp := r.fingerprint
	if len(fp) == 0 {
		fp = []string{defaultVariable}
	}
	kind := fingerprint.KindOf(fp)
	resolved := fp
	if kind != fingerprint.KindDefault {
		resolved = r.resolveFingerprint(fp)
	}

	roots := r.strategyVariants()
	order := make([]*Variant, 0, len(roots)+2)
	for _, v := range roots {
		order = append(order, v)
	}
	var info *FingerprintInfo
	if !r.info.isZero() {
		info = &r.info
	}
	switch kind {
	case fingerprint.KindCustom:
		source := "custom client"
		name, typ := "custom_client_fingerprint", "custom_fingerprint"
		if rule := r.info.MatchedRule; rule != nil {
			source, name = "custom server", "custom_server_fingerprint"
			if rule.IsBuiltin {
				source, name, typ = "built-in", "built_in_fingerprint", "built_in_fingerprint"
			}
		}
		hint := "ignored because " + source + " fingerprint takes precedence"
		for _, v := range roots {
			v.Component.ignore(hint)
			v.Hint, v.Hash = v.Component.Hint, ""
		}
		order = append(order, &Variant{Name: name, Type: typ, Hash: md5Hex(resolved...), Values: resolved, FingerprintInfo: info})
	case fingerprint.KindHybrid:
		for _, v := range roots {
			v.Type, v.Values, v.FingerprintInfo = "salted_component", resolved, info
			v.Hash = ""
			if v.Component.Contributes {
				var vals []string
				for _, e := range resolved {
					if fingerprint.IsDefaultVariable(e) {
						vals = append(vals, v.Component.Values()...)
					} else {
						vals = append(vals, e)
					}
				}
				v.Hash = md5Hex(vals...)
			}
		}
	}
	any := false
	for _, v := range order {
		if v.Hash != "" {
			any = true
		}
	}
	if !any {
		order = append(order, &Variant{Name: "fallback", Type: "fallback", Hash: md5Hex()})
	}
	return res.finish(order)
}

// finish orders the hashes as Sentry does, system last, and sorts the
// variants by name for output.
func (res *Result) finish(order []*Variant) *Result {
	if order == nil {
		order = res.Variants
	}
	var system string
	for _, v := range order {
		switch {
		case v.Hash == "":
		case v.Name == "system":
			system = v.Hash
		default:
			res.Hashes = append(res.Hashes, v.Hash)
		}
	}
	if system != "" {
		res.Hashes = append(res.Hashes, system)
	}
	res.Variants = order
	sort.SliceStable(res.Variants, func(i, j int) bool { return res.Variants[i].Name < res.Variants[j].Name })
	if len(res.Hashes) > 0 {
		res.Key = xxhash.Sum64String(res.Hashes[0])
	}
	return res
}

// strategyVariants runs every strategy and builds the root component of
// each variant, as Sentry's _get_variants_from_strategies does.
func (r *run) strategyVariants() []*Variant {
	var winner, precedence string
	type root struct {
		name     string
		children []*Component
	}
	var roots []*root
	find := func(name string) *root {
		for _, rt := range roots {
			if rt.name == name {
				return rt
			}
		}
		rt := &root{name: name}
		roots = append(roots, rt)
		return rt
	}
	for i := range strategies {
		s := &strategies[i]
		vs := r.components(s)
		for _, v := range vs {
			rt := find(v.name)
			rt.children = append(rt.children, v.c)
			if !v.c.Contributes {
				continue
			}
			switch {
			case winner == "":
				winner = s.name
				var names []string
				for _, o := range vs {
					if o.c.Contributes {
						names = append(names, o.name)
					}
				}
				sort.Strings(names)
				subject := s.name
				if v.name != "default" {
					subject = joinSlash(names) + " " + s.name
				}
				verb := " takes precedence"
				if s.name[len(s.name)-1] == 's' {
					verb = " take precedence"
				}
				precedence = "ignored because " + subject + verb
			case s.name != winner:
				v.c.ignore(precedence)
			}
		}
	}
	out := make([]*Variant, 0, len(roots))
	for _, rt := range roots {
		c := newNode(rt.name, rt.children...)
		if !c.Contributes && precedence != "" {
			c.Hint = precedence
		}
		v := &Variant{Name: rt.name, Type: "component", Component: c, Hint: c.Hint}
		if c.Contributes {
			for _, ch := range c.Children {
				if ch.Contributes {
					v.ContributingComponent = ch.ID
					break
				}
			}
			if only := onlyContributingChild(c); only != nil {
				v.Hash = only.hashOf() // the root's values, hashed already
			} else {
				v.Hash = c.hashOf()
			}
		}
		out = append(out, v)
	}
	return out
}

// onlyContributingChild returns a root's only contributing child, whose
// values are the root's, or nil.
func onlyContributingChild(root *Component) *Component {
	var one *Component
	for _, c := range root.Children {
		if c.Contributes {
			if one != nil {
				return nil
			}
			one = c
		}
	}
	return one
}

func joinSlash(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += "/"
		}
		s += n
	}
	return s
}
