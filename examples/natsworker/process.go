package main

import (
	"strconv"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
)

// A result is what a worker publishes, as JSON, for each event and
// transaction of a queued envelope, or once for an envelope that has
// neither (sessions, client reports, logs), so that every envelope the
// ingest accepted leaves a trace in the results stream.
type result struct {
	// Envelope is the queued message's Nats-Msg-Id (the ingest's
	// "<project>/<event id>"), or "seq-<n>" for a message without one.
	Envelope string `json:"envelope"`
	Project  string `json:"project"`
	// Item is the index of the event's item in the envelope, or -1.
	Item int `json:"item"`
	// Type is "event" or "transaction", or "" for an envelope with neither.
	Type    string `json:"type,omitzero"`
	EventID string `json:"event_id,omitzero"`
	// Group and Title are the event's first group hash and issue title,
	// as grouping.Config.Group computes them; transactions are not grouped.
	Group string `json:"group,omitzero"`
	Title string `json:"title,omitzero"`
	// Error says why the envelope, or the event, could not be processed.
	// Such a message is acked all the same: redelivering it would fail the
	// same way, forever.
	Error string `json:"error,omitzero"`
}

// msgID is the result's Nats-Msg-Id, stable across redeliveries of the
// same envelope, so that the results stream stores a result once however
// often a worker died before acking its input: the event id and group
// hash for an event, as an issue store would key it.
func (r *result) msgID() string {
	id := r.EventID
	if id == "" {
		id = r.Envelope + "/" + strconv.Itoa(r.Item)
	}
	switch {
	case r.Error != "":
		return id + "/error"
	case r.Group != "":
		return id + "/" + r.Group
	case r.Type != "":
		return id + "/" + r.Type
	}
	return id + "/envelope"
}

// parseOptions parse a queued envelope without size limits: the ingest
// already held it to its own, which may be larger than Relay's defaults.
var parseOptions = []envelope.Option{envelope.WithLimits(envelope.Limits{})}

// process parses a queued envelope and groups its events. It never fails:
// an envelope that does not parse gives one result with Error set, and an
// event that does not decode gives its result with Error set while the
// other events group. base carries the fields every result shares
// (Envelope and Project).
func process(data []byte, cfg *grouping.Config, base result) []result {
	base.Item = -1
	env, err := envelope.Parse(data, parseOptions...)
	if err != nil {
		base.Error = err.Error()
		return []result{base}
	}
	envID := ""
	if id, ok := env.EventID(); ok {
		envID = id.String()
	}
	var out []result
	for i, it := range env.Items {
		typ := it.Type()
		if typ != envelope.TypeEvent && typ != envelope.TypeTransaction {
			continue
		}
		r := base
		r.Item, r.Type, r.EventID = i, string(typ), envID
		ev, err := protocol.DecodeEvent(it.Payload())
		if err != nil {
			r.Error = err.Error()
			out = append(out, r)
			continue
		}
		// Relay takes the envelope's event id for an event without one.
		if !ev.EventID.IsZero() {
			r.EventID = ev.EventID.String()
		}
		if typ == envelope.TypeEvent {
			g := cfg.Group(ev)
			if len(g.Hashes) > 0 {
				r.Group = g.Hashes[0]
			}
			r.Title = g.Title
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		base.EventID = envID
		out = append(out, base)
	}
	return out
}
