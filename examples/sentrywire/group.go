package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
	"github.com/sentrywire/sentrywire/grouping/enhancement"
	"github.com/sentrywire/sentrywire/grouping/fingerprint"
)

// groupSummary is what group prints: the hashes in Sentry's order and
// every variant by name.
type groupSummary struct {
	Config   string                    `json:"config"`
	Hashes   []string                  `json:"hashes"`
	Title    string                    `json:"title"`
	Culprit  string                    `json:"culprit"`
	Variants map[string]variantSummary `json:"variants"`
}

type variantSummary struct {
	Type                  string                    `json:"type"`
	Hash                  *string                   `json:"hash"`
	Contributes           bool                      `json:"contributes"`
	Hint                  *string                   `json:"hint"`
	ContributingComponent *string                   `json:"contributing_component,omitzero"`
	Component             *grouping.Component       `json:"component,omitzero"`
	Values                []string                  `json:"values,omitzero"`
	FingerprintInfo       *grouping.FingerprintInfo `json:"fingerprint_info,omitzero"`
	Checksum              string                    `json:"checksum,omitzero"`
	RawChecksum           string                    `json:"raw_checksum,omitzero"`
}

func setupGroup(fs *flag.FlagSet) func([]string, streams) error {
	// The command defaults to the config of existing projects, the one
	// whose hashes a host taking over a project's traffic must reproduce;
	// the library's DefaultConfig is that of new projects.
	config := fs.String("config", grouping.Newstyle2023, "the grouping config: "+grouping.Newstyle2023+" (existing projects) or "+grouping.Newstyle2026+" (new projects)")
	enhancementsFile := fs.String("enhancements", "", "a FILE of the project's stack trace rules, applied after the config's base rules")
	fingerprintingFile := fs.String("fingerprinting", "", "a FILE of the project's server-side fingerprinting rules")
	explain := fs.Bool("explain", false, "print the variants and component trees as Sentry's grouping snapshots do, instead of JSON")
	return func(args []string, s streams) error {
		if err := exactArgs(args, 1, "one FILE, or - for standard input"); err != nil {
			return err
		}
		var opts []grouping.Option
		if *enhancementsFile != "" {
			text, err := os.ReadFile(*enhancementsFile)
			if err != nil {
				return err
			}
			rules, err := enhancement.Parse(string(text))
			if err != nil {
				return fmt.Errorf("%s: %w", *enhancementsFile, err)
			}
			opts = append(opts, grouping.WithEnhancements(rules))
		}
		if *fingerprintingFile != "" {
			text, err := os.ReadFile(*fingerprintingFile)
			if err != nil {
				return err
			}
			rules, err := fingerprint.Parse(string(text))
			if err != nil {
				return fmt.Errorf("%s: %w", *fingerprintingFile, err)
			}
			opts = append(opts, grouping.WithFingerprinting(rules))
		}
		cfg, err := grouping.NewConfig(*config, opts...)
		if err != nil {
			return usageError(err.Error())
		}

		in, err := readInput(args[0], s.stdin)
		if err != nil {
			return err
		}
		defer in.Close()
		body, err := io.ReadAll(io.LimitReader(in, envelope.DefaultLimits().MaxEnvelopeSize+1))
		if err != nil {
			return err
		}
		payload, err := eventPayload(body)
		if err != nil {
			return err
		}
		ev, err := protocol.DecodeEvent(payload)
		if err != nil {
			return err
		}
		res := cfg.Group(ev)
		if *explain {
			return res.WriteExplain(s.stdout)
		}
		return writeJSON(s.stdout, summarizeGroup(res))
	}
}

// eventPayload accepts an event as JSON, or a /store/ body in any form
// Relay accepts (base64, base64 of zlib), which it turns into JSON.
func eventPayload(body []byte) ([]byte, error) {
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return body, nil
	}
	env, err := envelope.ParseStore(body, "")
	if err != nil {
		return nil, err
	}
	return env.Items[0].Payload(), nil
}

func summarizeGroup(res *grouping.Result) groupSummary {
	out := groupSummary{Config: res.Config, Hashes: res.Hashes, Title: res.Title, Culprit: res.Culprit, Variants: map[string]variantSummary{}}
	if out.Hashes == nil {
		out.Hashes = []string{}
	}
	for _, v := range res.Variants {
		vs := variantSummary{
			Type:            v.Type,
			Contributes:     v.Contributes(),
			Component:       v.Component,
			Values:          v.Values,
			FingerprintInfo: v.FingerprintInfo,
			Checksum:        v.Checksum,
			RawChecksum:     v.RawChecksum,
		}
		if v.Hash != "" {
			vs.Hash = &v.Hash
		}
		if v.Hint != "" {
			vs.Hint = &v.Hint
		}
		if v.Type == "component" || v.Type == "salted_component" {
			cc := v.ContributingComponent
			vs.ContributingComponent = &cc
			if cc == "" {
				vs.ContributingComponent = nil
			}
		}
		out.Variants[v.Name] = vs
	}
	return out
}
