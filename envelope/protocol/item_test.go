package protocol

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/internal/captures"
)

// TestDecodeItemCaptures decodes every item of every request real SDKs sent
// (sentry-go, @sentry/node, sentry-python) through DecodeItem: no errors, no
// warnings, the Go type the item type promises, and a value that marshals.
func TestDecodeItemCaptures(t *testing.T) {
	reqs, err := captures.Load("../testdata/sdk")
	require.NoError(t, err)
	want := map[envelope.ItemType]string{
		envelope.TypeEvent: "*protocol.Event", envelope.TypeTransaction: "*protocol.Event", envelope.TypeFeedback: "*protocol.Event",
		envelope.TypeSession: "*protocol.Session", envelope.TypeSessions: "*protocol.SessionAggregates",
		envelope.TypeCheckIn: "*protocol.CheckIn", envelope.TypeClientReport: "*protocol.ClientReport",
		envelope.TypeLog:         "*protocol.Container[github.com/sentrywire/sentrywire/envelope/protocol.Log]",
		envelope.TypeSpan:        "*protocol.Container[github.com/sentrywire/sentrywire/envelope/protocol.SpanV2]",
		envelope.TypeTraceMetric: "*protocol.Container[github.com/sentrywire/sentrywire/envelope/protocol.TraceMetric]",
		envelope.TypeAttachment:  "*protocol.Attachment",
	}
	seen := map[envelope.ItemType]int{}
	for _, r := range reqs {
		var env *envelope.Envelope
		if r.IsStore() {
			env, err = envelope.ParseStore(r.Body, "")
		} else {
			env, err = envelope.Parse(r.Body)
		}
		require.NoError(t, err, r.Name)
		for i, it := range env.Items {
			v, warnings, err := DecodeItem(it)
			require.NoError(t, err, "%s item %d (%s)", r.Name, i, it.Type())
			assert.Empty(t, warnings, "%s item %d (%s)", r.Name, i, it.Type())
			assert.Equal(t, want[it.Type()], fmt.Sprintf("%T", v), "%s item %d", r.Name, i)
			_, err = json.Marshal(v)
			assert.NoError(t, err, "%s item %d", r.Name, i)
			seen[it.Type()]++
		}
	}
	t.Logf("decoded %v", seen)
	for typ := range want {
		assert.NotZero(t, seen[typ], "no capture has a %s item", typ)
	}
}

func TestDecodeItemOther(t *testing.T) {
	_, _, err := DecodeItem(envelope.NewItem(envelope.TypeReplayVideo, []byte("x")))
	assert.True(t, errors.Is(err, ErrNotDecodable))

	it := envelope.NewItem(envelope.TypeAttachment, []byte("MDMP...."))
	require.NoError(t, it.Set("attachment_type", envelope.AttachmentMinidump))
	require.NoError(t, it.Set("filename", "crash.dmp"))
	v, _, err := DecodeItem(it)
	require.NoError(t, err)
	assert.Equal(t, &Attachment{Filename: "crash.dmp", AttachmentType: envelope.AttachmentMinidump, Size: 8, CreatesEvent: true}, v)

	_, _, err = DecodeItem(envelope.NewItem(envelope.TypeSession, []byte(`{"started":1}`)))
	var de *DecodeError
	assert.ErrorAs(t, err, &de)
}
