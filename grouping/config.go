package grouping

import (
	"errors"
	"fmt"

	"github.com/sentrywire/sentrywire/grouping/enhancement"
	"github.com/sentrywire/sentrywire/grouping/fingerprint"
)

// The grouping configs Sentry runs today. A project keeps the config it was
// created with until it is migrated, so a host serving old projects needs
// both.
const (
	// Newstyle2026 is the default for new projects: Newstyle2023 with its
	// four legacy behaviours switched off and the base stack trace rules
	// all-platforms:2026-01-20.
	Newstyle2026 = "newstyle:2026-01-20"
	// Newstyle2023 is the config of existing projects.
	Newstyle2023 = "newstyle:2023-01-11"
	// DefaultConfig is the config of new projects.
	DefaultConfig = Newstyle2026
)

// ErrUnknownConfig is returned by NewConfig for an id it does not know.
var ErrUnknownConfig = errors.New("grouping: unknown config")

// A Config is a compiled grouping config: Sentry's strategies with one
// config's switches, its base stack trace rules followed by the project's,
// and the project's fingerprinting rules followed by the built-in ones.
// Rules are parsed and their patterns compiled once, in NewConfig; a
// Config is immutable and safe for concurrent use, so one per project is
// shared by every goroutine that groups its events.
type Config struct {
	id string

	// The legacy behaviours of newstyle:2023-01-11, each kept by Sentry
	// behind a switch so that old projects keep their hashes.
	legacyExceptionOrder   bool // exception children stacktrace, type, ns_error, value
	legacyJSSingleFrame    bool // the single JavaScript frame test, inverted
	legacyMultiprocessing  bool // Python multiprocessing context lines not parameterized
	legacyUnknownVariables bool // an unknown {{ var }} stays as written

	enhancements   *enhancement.Rules
	fingerprinting *fingerprint.Rules
}

// An Option adds a project's own rules to a Config.
type Option func(*options)

type options struct {
	enhancements   *enhancement.Rules
	fingerprinting *fingerprint.Rules
}

// WithEnhancements adds a project's stack trace rules (Sentry's "Stack
// Trace Rules" setting), which run after the config's base rules.
func WithEnhancements(rules *enhancement.Rules) Option {
	return func(o *options) { o.enhancements = rules }
}

// WithFingerprinting adds a project's server-side fingerprinting rules
// (Sentry's "Fingerprint Rules" setting), which are tried before the
// built-in ones.
func WithFingerprinting(rules *fingerprint.Rules) Option {
	return func(o *options) { o.fingerprinting = rules }
}

// NewConfig compiles the grouping config with the given id, Newstyle2026
// or Newstyle2023. An error wraps ErrUnknownConfig.
func NewConfig(id string, opts ...Option) (*Config, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	c := &Config{id: id}
	var base string
	switch id {
	case Newstyle2026:
		base = "all-platforms:2026-01-20"
	case Newstyle2023:
		base = "all-platforms:2023-01-11"
		c.legacyExceptionOrder = true
		c.legacyJSSingleFrame = true
		c.legacyMultiprocessing = true
		c.legacyUnknownVariables = true
	default:
		return nil, fmt.Errorf("%w %q (known: %s, %s)", ErrUnknownConfig, id, Newstyle2026, Newstyle2023)
	}
	baseRules, err := enhancement.Base(base)
	if err != nil {
		return nil, fmt.Errorf("grouping: base rules %s: %w", base, err)
	}
	c.enhancements = enhancement.Extend(baseRules, o.enhancements)
	builtin, err := fingerprint.Builtin("javascript@2024-02-02")
	if err != nil {
		return nil, fmt.Errorf("grouping: built-in fingerprinting rules: %w", err)
	}
	c.fingerprinting = fingerprint.Chain(o.fingerprinting, builtin)
	return c, nil
}

// ID returns the config's id, such as "newstyle:2026-01-20".
func (c *Config) ID() string { return c.id }
