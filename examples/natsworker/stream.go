package main

import (
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The streams. The envelope stream's name, subjects and config are
// examples/ingest's (its nats.go): whichever starts first creates it, and
// the same config from both keeps CreateOrUpdateStream a no-op.
const (
	envelopeStream  = "SENTRYWIRE_ENVELOPES"
	envelopeSubject = "sentrywire.envelopes." // + project id

	resultStream  = "SENTRYWIRE_RESULTS"
	resultSubject = "sentrywire.results." // + project id

	// The headers examples/ingest sets on a queued envelope.
	headerProject = "Sentry-Project"
	headerClient  = "Sentry-Client"
)

// envelopeStreamConfig is a work queue: a message is gone once a worker
// acks it and kept on disk until then.
func envelopeStreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       envelopeStream,
		Subjects:   []string{envelopeSubject + "*"},
		Retention:  jetstream.WorkQueuePolicy,
		Storage:    jetstream.FileStorage,
		Duplicates: 2 * time.Minute,
	}
}

// resultStreamConfig keeps results for a day, on disk, for whatever reads
// them (an issue store, a dashboard). A result published twice within
// Duplicates, by a worker that died before its ack, is stored once.
func resultStreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       resultStream,
		Subjects:   []string{resultSubject + "*"},
		Retention:  jetstream.LimitsPolicy,
		Storage:    jetstream.FileStorage,
		MaxAge:     24 * time.Hour,
		Duplicates: 2 * time.Minute,
	}
}
