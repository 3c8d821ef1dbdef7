package envelope

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLimits(t *testing.T) {
	small := Limits{MaxEventSize: 10, MaxAttachmentSize: 8, MaxAttachmentsSize: 12, MaxAttachmentCount: 3,
		MaxLogSize: 10, MaxContainerSize: 25, MaxSessionsSize: 100, MaxSessionCount: 2, MaxHeaderSize: 100}
	attach := func(p string) string { return "{\"type\":\"attachment\"}\n" + p + "\n" }
	tests := []struct {
		name   string
		in     string
		limits Limits
		limit  string // "" when the envelope passes
		item   int
	}{
		{name: "one event", in: "{}\n{\"type\":\"event\"}\n{}\n", limits: DefaultLimits()},
		{name: "event and transaction", in: "{}\n{\"type\":\"event\"}\n{}\n{\"type\":\"transaction\"}\n{}\n", limits: DefaultLimits(), limit: "event items", item: 1},
		{name: "explicit event over max_event_size", in: "{}\n{\"type\":\"event\",\"length\":11}\n" + strings.Repeat("x", 11) + "\n", limits: small, limit: "max_event_size"},
		{name: "implicit event over max_event_size", in: "{}\n{\"type\":\"event\"}\n" + strings.Repeat("x", 11) + "\n", limits: small, limit: "max_event_size"},
		{name: "event at max_event_size", in: "{}\n{\"type\":\"event\"}\n" + strings.Repeat("x", 10) + "\n", limits: small},
		{name: "attachment over max_attachment_size", in: "{}\n" + attach("123456789"), limits: small, limit: "max_attachment_size"},
		{name: "attachments over max_attachments_size", in: "{}\n" + attach("12345678") + attach("12345"), limits: small, limit: "max_attachments_size", item: 1},
		{name: "attachments over max_attachment_count", in: "{}\n" + attach("1") + attach("2") + attach("3") + attach("4"), limits: small, limit: "max_attachment_count", item: 3},
		{name: "user_report counts as an attachment", in: "{}\n" + attach("12345678") + "{\"type\":\"user_report\"}\n12345\n", limits: small, limit: "max_attachments_size", item: 1},
		{name: "log container average within max_log_size", in: "{}\n{\"type\":\"log\",\"item_count\":2,\"content_type\":\"application/vnd.sentry.items.log+json\"}\n" + strings.Repeat("x", 21) + "\n", limits: small},
		{name: "log container average over max_log_size", in: "{}\n{\"type\":\"log\",\"item_count\":2,\"content_type\":\"application/vnd.sentry.items.log+json\"}\n" + strings.Repeat("x", 22) + "\n", limits: small, limit: "max_log_size"},
		{name: "log container over max_container_size", in: "{}\n{\"type\":\"log\",\"item_count\":3,\"content_type\":\"application/vnd.sentry.items.log+json\"}\n" + strings.Repeat("x", 26) + "\n", limits: small, limit: "max_container_size"},
		{name: "two log containers", in: "{}\n{\"type\":\"log\"}\n1\n{\"type\":\"log\"}\n2\n", limits: small, limit: "log items", item: 1},
		{name: "sessions over max_session_count", in: "{}\n{\"type\":\"session\"}\n{}\n{\"type\":\"sessions\"}\n{}\n{\"type\":\"session\"}\n{}\n", limits: small, limit: "max_session_count", item: 2},
		{name: "unknown types are not charged", in: "{}\n{\"type\":\"x\"}\n" + strings.Repeat("x", 100) + "\n{\"type\":\"x\"}\n\n", limits: small},
		{name: "header over max_header_size", in: "{}\n{\"type\":\"event\",\"pad\":\"" + strings.Repeat("x", 100) + "\"}\n{}\n", limits: small, limit: "max_header_size"},
		{name: "no limits", in: "{}\n{\"type\":\"event\"}\n{}\n{\"type\":\"event\"}\n{}\n", limits: Limits{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), WithLimits(tt.limits))
			_, serr := readAll(NewReader(bytes.NewReader([]byte(tt.in)), WithLimits(tt.limits)))
			for _, err := range []error{err, serr} {
				if tt.limit == "" {
					require.NoError(t, err)
					continue
				}
				require.ErrorIs(t, err, ErrLimitExceeded)
				var le *LimitError
				require.True(t, errors.As(err, &le))
				assert.Equal(t, tt.limit, le.Limit)
				assert.Equal(t, tt.item, le.Item)
			}
		})
	}
}

func TestMaxEnvelopeSize(t *testing.T) {
	in := "{}\n{\"type\":\"attachment\"}\n" + strings.Repeat("x", 100)
	l := Limits{MaxEnvelopeSize: 50}
	_, err := Parse([]byte(in), WithLimits(l))
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "max_envelope_size", le.Limit)
	_, err = readAll(NewReader(bytes.NewReader([]byte(in)), WithLimits(l)))
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "max_envelope_size", le.Limit)
}
