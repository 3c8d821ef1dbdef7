package main

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
	"github.com/sentrywire/sentrywire/internal/captures"
)

// Every real SDK envelope gives one result per event and transaction, or
// one for the envelope, and an event's group and title are what
// grouping.Config.Group says of the same payload.
func TestProcessCaptures(t *testing.T) {
	cfg, err := grouping.NewConfig(grouping.DefaultConfig)
	require.NoError(t, err)
	reqs, err := captures.Load("../../envelope/testdata/sdk")
	require.NoError(t, err)
	grouped := 0
	for _, r := range reqs {
		if r.Method != "POST" {
			continue
		}
		t.Run(r.Name, func(t *testing.T) {
			env, err := envelope.Parse(r.Body)
			if r.IsStore() {
				env, err = envelope.ParseStore(r.Body, "")
			}
			require.NoError(t, err)
			// The ingest queues a store request as the envelope Relay makes.
			data, err := env.MarshalBinary()
			require.NoError(t, err)
			got := process(data, cfg, result{Envelope: "42/x", Project: "42"})

			var want []result
			for i, it := range env.Items {
				if it.Type() != envelope.TypeEvent && it.Type() != envelope.TypeTransaction {
					continue
				}
				ev, err := protocol.DecodeEvent(it.Payload())
				require.NoError(t, err)
				w := result{Envelope: "42/x", Project: "42", Item: i, Type: string(it.Type()), EventID: ev.EventID.String()}
				if it.Type() == envelope.TypeEvent {
					g := cfg.Group(ev)
					w.Group, w.Title = g.Hashes[0], g.Title
					grouped++
				}
				want = append(want, w)
			}
			if want == nil {
				w := result{Envelope: "42/x", Project: "42", Item: -1}
				if id, ok := env.EventID(); ok {
					w.EventID = id.String()
				}
				want = []result{w}
			}
			assert.Equal(t, want, got)
		})
	}
	assert.NotZero(t, grouped, "no capture had an event to group")
}

func TestProcessBadInput(t *testing.T) {
	cfg, err := grouping.NewConfig(grouping.DefaultConfig)
	require.NoError(t, err)
	const id = "9ec79c33ec9942ab8353589fcb2e04dc"
	tests := []struct {
		name  string
		data  string
		want  result // Error is checked for presence only
		msgID string
	}{{
		name:  "not an envelope",
		data:  "garbage\n",
		want:  result{Item: -1, Error: "x"},
		msgID: "42/x/-1/error",
	}, {
		name:  "empty",
		data:  "",
		want:  result{Item: -1, Error: "x"},
		msgID: "42/x/-1/error",
	}, {
		name:  "event that is not an object",
		data:  `{"event_id":"` + id + `"}` + "\n" + `{"type":"event"}` + "\n[1]\n",
		want:  result{Item: 0, Type: "event", EventID: id, Error: "x"},
		msgID: id + "/error",
	}, {
		name: "event that decodes and an event that does not",
		data: `{"event_id":"` + id + `"}` + "\n" + `{"type":"event"}` + "\n{\n" +
			`{"type":"attachment","length":2}` + "\nhi\n",
		want:  result{Item: 0, Type: "event", EventID: id, Error: "x"},
		msgID: id + "/error",
	}, {
		name:  "no event",
		data:  `{"event_id":"` + id + `"}` + "\n" + `{"type":"session"}` + "\n{}\n",
		want:  result{Item: -1, EventID: id},
		msgID: id + "/envelope",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := process([]byte(tt.data), cfg, result{Envelope: "42/x", Project: "42"})
			require.Len(t, got, 1)
			r := got[0]
			assert.Equal(t, tt.want.Error != "", r.Error != "", "error: %q", r.Error)
			r.Error, tt.want.Error = "", ""
			tt.want.Envelope, tt.want.Project = "42/x", "42"
			assert.Equal(t, tt.want, r)
			assert.Equal(t, tt.msgID, got[0].msgID())
		})
	}
}

func TestResultMsgID(t *testing.T) {
	tests := []struct {
		r    result
		want string
	}{
		{result{EventID: "e", Item: 0, Type: "event", Group: "abc"}, "e/abc"},
		{result{EventID: "e", Item: 1, Type: "transaction"}, "e/transaction"},
		{result{EventID: "e", Item: 0, Type: "event", Error: "bad"}, "e/error"},
		{result{EventID: "e", Item: -1}, "e/envelope"},
		{result{Envelope: "42/xxh-1f", Item: -1}, "42/xxh-1f/-1/envelope"},
		{result{Envelope: "seq-7", Item: 2, Type: "event", Group: "abc"}, "seq-7/2/abc"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.r.msgID(), "%+v", tt.r)
	}
}

func TestSubjectToken(t *testing.T) {
	for in, want := range map[string]string{"42": "42", "": "unknown", "4.2": "unknown", "*": "unknown", ">": "unknown", "a b": "unknown"} {
		assert.Equal(t, want, subjectToken(in), "%q", in)
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"-nats", "nats://h:1", "-ack-wait", "3s", "-batch", "8"}, true},
		{[]string{"-batch", "0"}, false},
		{[]string{"-max-deliver", "0"}, false},
		{[]string{"-ack-wait", "0s"}, false},
		{[]string{"extra"}, false},
		{[]string{"-nope"}, false},
	}
	for _, tt := range tests {
		c, err := parseConfig(tt.args, io.Discard)
		assert.Equal(t, tt.ok, err == nil, "%s: %v", strings.Join(tt.args, " "), err)
		if tt.ok && len(tt.args) == 0 {
			assert.Equal(t, "natsworker", c.consumer)
			assert.Equal(t, 256, c.batch)
		}
	}
}
