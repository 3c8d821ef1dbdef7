package main

import (
	"flag"

	"github.com/sentrywire/sentrywire/dsn"
)

// dsnSummary is what the dsn command prints. The field order is the output's
// key order: the parts in the order they appear in a DSN, then what is
// derived from them.
type dsnSummary struct {
	Scheme    string `json:"scheme"`
	PublicKey string `json:"public_key"`
	SecretKey string `json:"secret_key"`
	Host      string `json:"host"`
	// Port is the port to connect to, the scheme's default included, so
	// that a reader need not know the defaults.
	Port int    `json:"port"`
	Path string `json:"path"`
	// ProjectID stays a string: Sentry treats it as one, and a DSN may
	// carry a project id that is not a number.
	ProjectID string `json:"project_id"`
	// OrgID is null for hosts that do not encode an organisation.
	OrgID         *uint64 `json:"org_id"`
	EnvelopeURL   string  `json:"envelope_url"`
	StoreURL      string  `json:"store_url"`
	OTLPTracesURL string  `json:"otlp_traces_url"`
}

func setupDSN(*flag.FlagSet) func([]string, streams) error {
	return func(args []string, s streams) error {
		if err := exactArgs(args, 1, "one DSN"); err != nil {
			return err
		}
		d, err := dsn.Parse(args[0])
		if err != nil {
			return err
		}
		out := dsnSummary{
			Scheme:        d.Scheme,
			PublicKey:     d.PublicKey,
			SecretKey:     d.SecretKey,
			Host:          d.Host,
			Port:          d.EffectivePort(),
			Path:          d.Path,
			ProjectID:     d.ProjectID,
			EnvelopeURL:   d.EnvelopeURL(),
			StoreURL:      d.StoreURL(),
			OTLPTracesURL: d.OTLPTracesURL(),
		}
		if org, ok := d.OrgID(); ok {
			out.OrgID = &org
		}
		return writeJSON(s.stdout, out)
	}
}
