package fingerprint

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sync"

	"github.com/sentrywire/sentrywire/grouping/internal/pystr"
)

// configs holds Sentry's built-in fingerprinting rules, unchanged: the
// files of getsentry/sentry src/sentry/grouping/fingerprinting/configs/,
// one directory per base. They are Sentry's rules, not ours; both
// newstyle:2023-01-11 and newstyle:2026-01-20 apply javascript@2024-02-02
// after a project's own rules.
//
//go:embed configs
var configs embed.FS

// builtins parses every base once, on first use.
var builtins = sync.OnceValues(loadBuiltins)

// loadBuiltins is Sentry's _load_configs: every configs/**/*.txt in
// sorted path order, grouped by the name of the directory holding it,
// each file right-stripped, parsed, and its rules marked built-in.
func loadBuiltins() (map[string]*Rules, error) {
	var files []string
	err := fs.WalkDir(configs, "configs", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) == ".txt" {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	bases := map[string]*Rules{}
	for _, f := range files {
		data, err := configs.ReadFile(f)
		if err != nil {
			return nil, err
		}
		rs, err := Parse(pystr.RStrip(string(data)))
		if err != nil {
			return nil, fmt.Errorf("fingerprint: built-in rules %s: %w", f, err)
		}
		name := path.Base(path.Dir(f))
		if bases[name] == nil {
			bases[name] = &Rules{}
		}
		for _, r := range rs.rules {
			r.IsBuiltin = true
			bases[name].rules = append(bases[name].rules, r)
		}
	}
	return bases, nil
}

// Builtin returns Sentry's built-in rules of the named base, such as
// "javascript@2024-02-02", marked IsBuiltin. Chain them after a project's
// own rules. An unknown name is an error wrapping ErrUnknownBuiltin
// (Sentry silently applies nothing for one).
func Builtin(name string) (*Rules, error) {
	bases, err := builtins()
	if err != nil {
		return nil, err
	}
	rs, ok := bases[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownBuiltin, name)
	}
	return rs, nil
}

// BuiltinNames returns the names Builtin knows, sorted.
func BuiltinNames() []string {
	bases, _ := builtins()
	names := make([]string, 0, len(bases))
	for n := range bases {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
