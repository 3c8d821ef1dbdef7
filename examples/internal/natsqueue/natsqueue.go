// Package natsqueue is the JetStream contract between examples/ingest -nats,
// which queues every accepted envelope, and examples/natsworker, which
// parses, decodes and groups them: the streams, their subjects and
// configs, and the headers of a queued envelope. Both declare the streams
// with these configs, so whichever starts first creates them and
// CreateOrUpdateStream is a no-op for the other.
package natsqueue

import (
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

const (
	// EnvelopeStream is the work queue of accepted envelopes, published
	// under EnvelopeSubject + project id.
	EnvelopeStream  = "SENTRYWIRE_ENVELOPES"
	EnvelopeSubject = "sentrywire.envelopes."

	// ResultStream keeps one result per event, published under
	// ResultSubject + project id.
	ResultStream  = "SENTRYWIRE_RESULTS"
	ResultSubject = "sentrywire.results."
)

// The headers of a queued envelope. The envelope passed
// envelope.ReadRequest, so its credentials were accepted; the headers say
// for which project and where they were found.
const (
	HeaderProject    = "Sentry-Project"     // "42"; "0" for the legacy /api/store/
	HeaderAuthSource = "Sentry-Auth-Source" // dsn.Source: "x-sentry-auth", "query", ...
	HeaderPublicKey  = "Sentry-Public-Key"
	HeaderClient     = "Sentry-Client" // sentry_client, when the SDK sent one
)

// dedupeWindow is how long JetStream remembers a Nats-Msg-Id: a publish
// retried within it, by an SDK's retry or a worker that died before its
// ack, is stored once.
const dedupeWindow = 2 * time.Minute

// EnvelopeStreamConfig is a work queue: an envelope is gone once a worker
// acks it, and kept on disk until then.
func EnvelopeStreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       EnvelopeStream,
		Subjects:   []string{EnvelopeSubject + "*"},
		Retention:  jetstream.WorkQueuePolicy,
		Storage:    jetstream.FileStorage,
		Duplicates: dedupeWindow,
	}
}

// ResultStreamConfig keeps results for a day, on disk, for whatever reads
// them (an issue store, a dashboard).
func ResultStreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       ResultStream,
		Subjects:   []string{ResultSubject + "*"},
		Retention:  jetstream.LimitsPolicy,
		Storage:    jetstream.FileStorage,
		MaxAge:     24 * time.Hour,
		Duplicates: dedupeWindow,
	}
}
