package grouping_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
	"github.com/sentrywire/sentrywire/grouping/fingerprint"
)

const variablesEvent = `{
  "platform": "python", "transaction": "/checkout", "logger": "shop.payments", "level": "warning",
  "tags": {"region": "eu-1"},
  "exception": {"values": [
    {"type": "ValueError", "value": "bad amount 12"},
    {"type": "PaymentError", "value": "card 4711 declined",
     "stacktrace": {"frames": [
       {"function": "main", "module": "shop.app", "abs_path": "/srv/shop/app.py", "filename": "shop/app.py", "in_app": true},
       {"function": "charge", "module": "stripe.api", "abs_path": "/usr/lib/python3/dist-packages/stripe/api.py",
        "filename": "stripe/api.py", "package": "/usr/lib/python3/dist-packages/stripe", "in_app": false}]}}]}
}`

// TestFingerprintVariables resolves every variable Sentry knows in a
// client fingerprint, and the unknown one as each config does.
func TestFingerprintVariables(t *testing.T) {
	tests := []struct {
		entry         string
		want2026      string
		want2023      string // when it differs
		parameterized bool
	}{
		{entry: "{{ transaction }}", want2026: "/checkout"},
		{entry: "{{ message }}", want2026: "card <int> declined"},
		{entry: "{{ raw_message }}", want2026: "card 4711 declined"},
		{entry: "{{ type }}", want2026: "PaymentError"},
		{entry: "{{ error.type }}", want2026: "PaymentError"},
		{entry: "{{ value }}", want2026: "card <int> declined"},
		{entry: "{{ error.raw_value }}", want2026: "card 4711 declined"},
		{entry: "{{ function }}", want2026: "main"}, // the innermost in-app frame
		{entry: "{{ stack.abs_path }}", want2026: "/srv/shop/app.py"},
		{entry: "{{ stack.filename }}", want2026: "shop/app.py"},
		{entry: "{{ module }}", want2026: "shop.app"},
		{entry: "{{ package }}", want2026: "<no-package>"},
		{entry: "{{ level }}", want2026: "warning"},
		{entry: "{{ logger }}", want2026: "shop.payments"},
		{entry: "{{ tags.region }}", want2026: "eu-1"},
		{entry: "{{ tags.missing }}", want2026: "<no-value-for-tag-missing>"},
		{entry: "{{dog}}", want2026: "<unrecognized-variable-dog>", want2023: "{{dog}}"},
		{entry: "card 4711 declined", want2026: "card <int> declined"}, // equal to a message
		{entry: "literal 42", want2026: "literal 42"},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			payload := `{"fingerprint": [` + jsonString(tt.entry) + `],` + variablesEvent[1:]
			ev, err := protocol.DecodeEvent([]byte(payload))
			require.NoError(t, err)
			for _, id := range []string{grouping.Newstyle2026, grouping.Newstyle2023} {
				cfg, err := grouping.NewConfig(id)
				require.NoError(t, err)
				res := cfg.Group(ev)
				v := res.Variant("custom_client_fingerprint")
				require.NotNil(t, v, "%s:\n%s", id, res.Explain())
				want := tt.want2026
				if id == grouping.Newstyle2023 && tt.want2023 != "" {
					want = tt.want2023
				}
				assert.Equal(t, []string{want}, v.Values, id)
				assert.Equal(t, []string{v.Hash}, res.Hashes)
				assert.Equal(t, []string{tt.entry}, v.FingerprintInfo.ClientFingerprint)
			}
		})
	}
}

func jsonString(s string) string {
	b := []byte{'"'}
	for _, c := range s {
		if c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, string(c)...)
	}
	return string(append(b, '"'))
}

// TestFingerprintingRuleTitle: a server rule replaces the client's
// fingerprint, salts with {{ default }} when it asks to, and titles the
// issue.
func TestFingerprintingRuleTitle(t *testing.T) {
	rules, err := fingerprint.Parse(`type:PaymentError -> payment, {{ default }} title="Payment failed in {{ transaction }}: {{ value }}"`)
	require.NoError(t, err)
	cfg, err := grouping.NewConfig(grouping.DefaultConfig, grouping.WithFingerprinting(rules))
	require.NoError(t, err)
	ev, err := protocol.DecodeEvent([]byte(`{"fingerprint": ["mine"],` + variablesEvent[1:]))
	require.NoError(t, err)
	res := cfg.Group(ev)
	assert.Equal(t, "Payment failed in /checkout: card <int> declined", res.Title)
	app := res.Variant("app")
	require.NotNil(t, app)
	assert.Equal(t, "salted_component", app.Type)
	assert.Equal(t, []string{"payment", "{{ default }}"}, app.Values)
	assert.Equal(t, []string{"mine"}, app.FingerprintInfo.ClientFingerprint)
	require.NotNil(t, app.FingerprintInfo.MatchedRule)
	assert.Nil(t, res.Variant("custom_client_fingerprint"))
	assert.Equal(t, "/checkout", res.Culprit)
}
