package dsn

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAuthHeader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Auth
	}{
		// sentry-types tests/test_auth.rs
		{"test_auth_parsing",
			"Sentry sentry_timestamp=1328055286.5, sentry_client=raven-python/42, sentry_version=6, sentry_key=public, sentry_secret=secret",
			Auth{PublicKey: "public", SecretKey: "secret", Client: "raven-python/42", Version: 6, Timestamp: time.Unix(1328055286, 5e8).UTC()}},
		{"test_auth_float_parsing",
			"Sentry sentry_timestamp=1328055286.5, sentry_client=raven-python/42, sentry_version=2.0, sentry_key=public, sentry_secret=secret",
			Auth{PublicKey: "public", SecretKey: "secret", Client: "raven-python/42", Version: 2, Timestamp: time.Unix(1328055286, 5e8).UTC()}},
		{"test_auth_string_timestamp",
			"Sentry sentry_timestamp=2019-12-13 12:02:58.94, sentry_client=raven-python/42, sentry_version=6, sentry_key=public",
			Auth{PublicKey: "public", Client: "raven-python/42", Version: 6}},
		// urgentry internal/auth
		{"urgentry Valid", "Sentry sentry_key=abc123, sentry_version=7",
			Auth{PublicKey: "abc123", Version: 7}},
		{"urgentry WithSpaces", "Sentry sentry_version=7,  sentry_key = abc123 ,sentry_client=go/1",
			Auth{PublicKey: "abc123", Version: 7, Client: "go/1"}},
		// sentry-go transport output
		{"sentry-go", "Sentry sentry_version=7, sentry_client=sentry.go/0.30.0, sentry_key=e12d836b15bb49d7bbf99e64295d995b",
			Auth{PublicKey: "e12d836b15bb49d7bbf99e64295d995b", Version: 7, Client: "sentry.go/0.30.0"}},
		// grammar corners
		{"scheme in any case", "SENTRY sentry_key=k", Auth{PublicKey: "k", Version: 7}},
		{"version defaults to 7", "sentry sentry_key=k", Auth{PublicKey: "k", Version: 7}},
		{"pieces without = skipped", "Sentry junk, sentry_key=k, ,", Auth{PublicKey: "k", Version: 7}},
		{"value cut at next =", "Sentry sentry_key=k=v", Auth{PublicKey: "k", Version: 7}},
		{"unknown keys ignored", "Sentry foo=bar, sentry_key=k", Auth{PublicKey: "k", Version: 7}},
		{"keys are case-sensitive", "Sentry SENTRY_KEY=x, sentry_key=k", Auth{PublicKey: "k", Version: 7}},
		{"last key wins", "Sentry sentry_key=a, sentry_key=b", Auth{PublicKey: "b", Version: 7}},
		{"quoted value", `Sentry sentry_key="k", sentry_client=" c/1 "`, Auth{PublicKey: "k", Client: "c/1", Version: 7}},
		{"lone quote kept", `Sentry sentry_key=", sentry_client=x`, Auth{PublicKey: `"`, Client: "x", Version: 7}},
		{"version with plus", "Sentry sentry_version=+5, sentry_key=k", Auth{PublicKey: "k", Version: 5}},
		{"version above 7 parses", "Sentry sentry_version=8, sentry_key=k", Auth{PublicKey: "k", Version: 8}},
		{"max u16 version", "Sentry sentry_version=65535.9, sentry_key=k", Auth{PublicKey: "k", Version: 65535}},
		{"integer timestamp", "Sentry sentry_timestamp=1700000000, sentry_key=k", Auth{PublicKey: "k", Version: 7, Timestamp: time.Unix(1700000000, 0).UTC()}},
		{"exponent timestamp", "Sentry sentry_timestamp=1.7e9, sentry_key=k", Auth{PublicKey: "k", Version: 7, Timestamp: time.Unix(1700000000, 0).UTC()}},
		{"RFC 3339 timestamp", "Sentry sentry_timestamp=2019-12-13T12:02:58.94+01:00, sentry_key=k", Auth{PublicKey: "k", Version: 7, Timestamp: time.Date(2019, 12, 13, 11, 2, 58, 94e7, time.UTC)}},
		{"negative timestamp", "Sentry sentry_timestamp=-1.5, sentry_key=k", Auth{PublicKey: "k", Version: 7, Timestamp: time.Unix(-2, 5e8).UTC()}},
		{"year 0 RFC 3339 ignored", "Sentry sentry_timestamp=0000-01-01T00:00:00Z, sentry_key=k", Auth{PublicKey: "k", Version: 7}},
		{"NaN timestamp ignored", "Sentry sentry_timestamp=NaN, sentry_key=k", Auth{PublicKey: "k", Version: 7}},
		{"huge timestamp ignored", "Sentry sentry_timestamp=1e300, sentry_key=k", Auth{PublicKey: "k", Version: 7}},
		{"later bad timestamp clears", "Sentry sentry_timestamp=1, sentry_timestamp=x, sentry_key=k", Auth{PublicKey: "k", Version: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuthHeader(tt.in)
			require.NoError(t, err)
			assert.True(t, tt.want.Timestamp.Equal(got.Timestamp), "timestamp %v, want %v", got.Timestamp, tt.want.Timestamp)
			got.Timestamp, tt.want.Timestamp = time.Time{}, time.Time{}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseAuthHeaderErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		kind error
	}{
		{"urgentry Empty", "", ErrNotSentryAuth},
		{"urgentry MissingPrefix", "Bearer sentry_key=abc123", ErrNotSentryAuth},
		{"urgentry MissingKey", "Sentry sentry_version=7", ErrMissingPublicKey},
		{"urgentry EmptyKeyValue", "Sentry sentry_key=, sentry_version=7", ErrMissingPublicKey},
		{"prefix needs a space", "Sentry,sentry_key=k", ErrNotSentryAuth},
		{"tab is not the separator", "Sentry\tsentry_key=k", ErrNotSentryAuth},
		{"Unicode fold is not ASCII fold", "ſentry sentry_key=k", ErrNotSentryAuth},
		{"bad version", "Sentry sentry_version=seven, sentry_key=k", ErrInvalidVersion},
		{"empty version", "Sentry sentry_version=, sentry_key=k", ErrInvalidVersion},
		{"version overflow", "Sentry sentry_version=65536, sentry_key=k", ErrInvalidVersion},
		{"negative version", "Sentry sentry_version=-7, sentry_key=k", ErrInvalidVersion},
		{"bad version even if key is missing", "Sentry sentry_version=x", ErrInvalidVersion},
		{"quotes only", `Sentry sentry_key=""`, ErrMissingPublicKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAuthHeader(tt.in)
			assert.ErrorIs(t, err, tt.kind)
		})
	}
}

func TestAuthString(t *testing.T) {
	tests := []struct {
		name string
		auth Auth
		want string
	}{
		{"sentry-go form", Auth{PublicKey: "key", Client: "sentry.go/1.0", Version: 7},
			"Sentry sentry_version=7, sentry_client=sentry.go/1.0, sentry_key=key"},
		{"with secret", Auth{PublicKey: "key", SecretKey: "sec", Client: "c/1", Version: 7},
			"Sentry sentry_version=7, sentry_client=c/1, sentry_key=key, sentry_secret=sec"},
		{"zero version means current", Auth{PublicKey: "key"},
			"Sentry sentry_version=7, sentry_key=key"},
		{"timestamp", Auth{PublicKey: "key", Version: 6, Timestamp: time.Unix(1328055286, 5e8)},
			"Sentry sentry_version=6, sentry_timestamp=1328055286.5, sentry_key=key"},
		{"negative timestamp", Auth{PublicKey: "key", Version: 7, Timestamp: time.Unix(-1, 25e7)},
			"Sentry sentry_version=7, sentry_timestamp=-0.75, sentry_key=key"},
		{"nanoseconds", Auth{PublicKey: "key", Version: 7, Timestamp: time.Unix(1, 1)},
			"Sentry sentry_version=7, sentry_timestamp=1.000000001, sentry_key=key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.auth.String()
			assert.Equal(t, tt.want, s)
			back, err := ParseAuthHeader(s)
			require.NoError(t, err)
			assert.Equal(t, tt.auth.PublicKey, back.PublicKey)
			assert.True(t, tt.auth.Timestamp.Equal(back.Timestamp))
		})
	}
}

// sentry-types test_auth_to_dsn, and the header an SDK sends.
func TestDSNAuth(t *testing.T) {
	d, err := Parse("https://username:password@domain:8888/23")
	require.NoError(t, err)
	a := d.Auth("sentry-rust/1.0")
	assert.Equal(t, Auth{PublicKey: "username", SecretKey: "password", Client: "sentry-rust/1.0", Version: ProtocolVersion}, a)
	assert.Equal(t, "Sentry sentry_version=7, sentry_client=sentry-rust/1.0, sentry_key=username, sentry_secret=password", a.String())

	d, err = Parse("https://public@o1.ingest.sentry.io/42")
	require.NoError(t, err)
	assert.Equal(t, "Sentry sentry_version=7, sentry_client=x/2, sentry_key=public", d.Auth("x/2").String())
}

func TestParseAuthQuery(t *testing.T) {
	tests := []struct {
		name string
		q    string
		want Auth
		kind error
	}{
		// sentry-types test_auth_from_querystring / test_auth_from_iterator
		{"test_auth_from_querystring", "sentry_version=7&sentry_client=raven-js/3.23.3&sentry_key=4bb5d94de752a36b8b87851a3f82f2d8",
			Auth{PublicKey: "4bb5d94de752a36b8b87851a3f82f2d8", Client: "raven-js/3.23.3", Version: 7}, nil},
		{"browser beacon", "sentry_key=k&sentry_version=7&sentry_client=sentry.javascript.browser%2F8.0.0",
			Auth{PublicKey: "k", Client: "sentry.javascript.browser/8.0.0", Version: 7}, nil},
		{"values are not trimmed", "sentry_key=+k+", Auth{PublicKey: " k ", Version: 7}, nil},
		{"secret", "sentry_key=k&sentry_secret=s", Auth{PublicKey: "k", SecretKey: "s", Version: 7}, nil},
		{"last value wins", "sentry_key=a&sentry_key=b", Auth{PublicKey: "b", Version: 7}, nil},
		{"missing key", "sentry_version=7", Auth{}, ErrMissingPublicKey},
		{"bad version", "sentry_key=k&sentry_version=x", Auth{}, ErrInvalidVersion},
		{"any bad version fails", "sentry_key=k&sentry_version=x&sentry_version=7", Auth{}, ErrInvalidVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.q)
			require.NoError(t, err)
			got, err := ParseAuthQuery(q)
			if tt.kind != nil {
				assert.ErrorIs(t, err, tt.kind)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNoCache(t *testing.T) {
	assert.True(t, Auth{Flags: []string{"x", "no-cache"}}.NoCache())
	assert.False(t, Auth{Flags: []string{"no-cache2"}}.NoCache())
	assert.False(t, Auth{}.NoCache())
}
