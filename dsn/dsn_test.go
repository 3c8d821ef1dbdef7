package dsn

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want DSN
	}{
		// sentry-types dsn.rs
		{"test_dsn_parsing", "https://username:password@domain:8888/23%21",
			DSN{Scheme: "https", PublicKey: "username", SecretKey: "password", Host: "domain", Port: 8888, Path: "/", ProjectID: "23%21"}},
		{"test_dsn_no_port", "https://username@domain/42",
			DSN{Scheme: "https", PublicKey: "username", Host: "domain", Path: "/", ProjectID: "42"}},
		{"test_insecure_dsn_no_port", "http://username@domain/42",
			DSN{Scheme: "http", PublicKey: "username", Host: "domain", Path: "/", ProjectID: "42"}},
		{"test_dsn_no_password", "https://username:@domain:8888/42",
			DSN{Scheme: "https", PublicKey: "username", Host: "domain", Port: 8888, Path: "/", ProjectID: "42"}},
		{"test_dsn_http_url", "http://username:@domain:8888/42",
			DSN{Scheme: "http", PublicKey: "username", Host: "domain", Port: 8888, Path: "/", ProjectID: "42"}},
		{"test_dsn_non_integer_project_id", "https://username:password@domain:8888/abc123youandme%21%21",
			DSN{Scheme: "https", PublicKey: "username", SecretKey: "password", Host: "domain", Port: 8888, Path: "/", ProjectID: "abc123youandme%21%21"}},
		{"test_dsn_more_than_one_non_integer_path", "http://username:@domain:8888/pathone/pathtwo/pid",
			DSN{Scheme: "http", PublicKey: "username", Host: "domain", Port: 8888, Path: "/pathone/pathtwo/", ProjectID: "pid"}},
		// sentry-go dsn_test.go valid cases
		{"sentry-go AllFields", "https://public:secret@domain:8888/foo/bar/42",
			DSN{Scheme: "https", PublicKey: "public", SecretKey: "secret", Host: "domain", Port: 8888, Path: "/foo/bar/", ProjectID: "42"}},
		{"sentry-go MinimalSecure", "https://public@domain/42",
			DSN{Scheme: "https", PublicKey: "public", Host: "domain", Path: "/", ProjectID: "42"}},
		{"sentry-go MinimalInsecure", "http://public@domain/42",
			DSN{Scheme: "http", PublicKey: "public", Host: "domain", Path: "/", ProjectID: "42"}},
		// sentry-go rejects a trailing slash; Relay tolerates it.
		{"sentry-go TrailingSlash (Relay verdict)", "https://public:secret@domain:8888/42/",
			DSN{Scheme: "https", PublicKey: "public", SecretKey: "secret", Host: "domain", Port: 8888, Path: "/", ProjectID: "42"}},
		// urgentry pkg/dsn TestParse
		{"urgentry basic", "https://abc123@sentry.example.com/1",
			DSN{Scheme: "https", PublicKey: "abc123", Host: "sentry.example.com", Path: "/", ProjectID: "1"}},
		{"urgentry secret allowed", "https://abc123:secret@sentry.example.com/1",
			DSN{Scheme: "https", PublicKey: "abc123", SecretKey: "secret", Host: "sentry.example.com", Path: "/", ProjectID: "1"}},
		// A6 matrix, Relay column
		{"A6 minimal", "https://pub@host/42", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "42"}},
		{"A6 trailing slash", "https://pub@host/42/", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "42"}},
		{"A6 double trailing slash", "https://pub@host/42//", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "42"}},
		{"A6 string id", "https://pub@host/abc", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "abc"}},
		{"A6 prefix", "https://pub@host/a/b/42", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/a/b/", ProjectID: "42"}},
		{"A6 default port dropped", "https://pub@host:443/42", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "42"}},
		{"A6 ipv6", "http://pub@[::1]:9000/42", DSN{Scheme: "http", PublicKey: "pub", Host: "[::1]", Port: 9000, Path: "/", ProjectID: "42"}},
		{"A6 saas", "https://pub@o123.ingest.sentry.io/1", DSN{Scheme: "https", PublicKey: "pub", Host: "o123.ingest.sentry.io", Path: "/", ProjectID: "1"}},
		{"A6 leading space", " https://pub@host/42", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "42"}},
		{"A6 query and fragment", "https://pub@host/42?x=1#f", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "42"}},
		// WHATWG normalisation
		{"scheme case", "HTTPS://pub@host/42", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "42"}},
		{"host case", "https://pub@O1.Ingest.Sentry.IO/42", DSN{Scheme: "https", PublicKey: "pub", Host: "o1.ingest.sentry.io", Path: "/", ProjectID: "42"}},
		{"http default port dropped", "http://pub@host:80/42", DSN{Scheme: "http", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "42"}},
		{"http on 443 keeps port", "http://pub@host:443/42", DSN{Scheme: "http", PublicKey: "pub", Host: "host", Port: 443, Path: "/", ProjectID: "42"}},
		{"leading zeros in port", "https://pub@host:0443/42", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "42"}},
		{"empty port", "https://pub@host:/42", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "42"}},
		{"max port", "https://pub@host:65535/42", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Port: 65535, Path: "/", ProjectID: "42"}},
		{"ipv6 default port", "https://pub@[::1]/42", DSN{Scheme: "https", PublicKey: "pub", Host: "[::1]", Path: "/", ProjectID: "42"}},
		{"ipv6 canonical form", "https://pub@[0:0:0:0:0:0:0:1]/42", DSN{Scheme: "https", PublicKey: "pub", Host: "[::1]", Path: "/", ProjectID: "42"}},
		{"ipv4", "http://pub@127.0.0.1:9000/42", DSN{Scheme: "http", PublicKey: "pub", Host: "127.0.0.1", Port: 9000, Path: "/", ProjectID: "42"}},
		{"percent-encoded host decoded", "https://pub@ho%73t/42", DSN{Scheme: "https", PublicKey: "pub", Host: "host", Path: "/", ProjectID: "42"}},
		{"@ in user info escaped", "https://p@b@host/42", DSN{Scheme: "https", PublicKey: "p%40b", Host: "host", Path: "/", ProjectID: "42"}},
		{"escaped key kept", "https://p%40b@host/42", DSN{Scheme: "https", PublicKey: "p%40b", Host: "host", Path: "/", ProjectID: "42"}},
		{"colon in secret escaped", "https://k:a:b@host/42", DSN{Scheme: "https", PublicKey: "k", SecretKey: "a%3Ab", Host: "host", Path: "/", ProjectID: "42"}},
		{"space in path escaped", "https://k@host/a b/42", DSN{Scheme: "https", PublicKey: "k", Host: "host", Path: "/a%20b/", ProjectID: "42"}},
		{"non-ASCII id escaped", "https://k@host/é", DSN{Scheme: "https", PublicKey: "k", Host: "host", Path: "/", ProjectID: "%C3%A9"}},
		{"dot segments resolved", "https://k@host/a/./b/../42", DSN{Scheme: "https", PublicKey: "k", Host: "host", Path: "/a/", ProjectID: "42"}},
		{"encoded dot segments resolved", "https://k@host/a/%2E%2e/42", DSN{Scheme: "https", PublicKey: "k", Host: "host", Path: "/", ProjectID: "42"}},
		{"empty inner segment kept", "https://k@host/prefix//42", DSN{Scheme: "https", PublicKey: "k", Host: "host", Path: "/prefix//", ProjectID: "42"}},
		{"query right after host", "https://k@host/42?sentry_key=x", DSN{Scheme: "https", PublicKey: "k", Host: "host", Path: "/", ProjectID: "42"}},
		{"surrounding whitespace", "\t https://k@host/42 \n", DSN{Scheme: "https", PublicKey: "k", Host: "host", Path: "/", ProjectID: "42"}},
		{"plus id", "https://k@host/+42", DSN{Scheme: "https", PublicKey: "k", Host: "host", Path: "/", ProjectID: "+42"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := Parse(got.String())
			require.NoError(t, err, "String() = %q", got.String())
			assert.Equal(t, got, again)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		kind error
	}{
		// sentry-types dsn.rs
		{"test_dsn_no_username", "https://:password@domain:8888/23", ErrNoUsername},
		{"test_dsn_invalid_url", "random string", ErrInvalidURL},
		{"test_dsn_no_host", "https://username:password@:8888/42", ErrInvalidURL},
		{"test_dsn_no_project_id", "https://username:password@domain:8888/", ErrNoProjectID},
		{"test_dsn_invalid_scheme", "ftp://username:password@domain:8888/1", ErrInvalidScheme},
		// sentry-go dsn_test.go invalid cases, with Relay's verdicts
		{"sentry-go Empty", "", ErrInvalidURL},
		{"sentry-go NoScheme1", "public:secret@:8888/42", ErrInvalidURL},
		{"sentry-go NoScheme2", "://public:secret@:8888/42", ErrInvalidURL},
		{"sentry-go NoPublicKey", "https://:secret@domain:8888/42", ErrNoUsername},
		{"sentry-go NoHost", "https://public:secret@:8888/42", ErrNoHost},
		{"sentry-go NoProjectID1", "https://public:secret@domain:8888/", ErrNoProjectID},
		{"sentry-go NoProjectID2", "https://public:secret@domain:8888", ErrNoProjectID},
		{"sentry-go BadURL", "!@#$%^&*()", ErrInvalidURL},
		{"sentry-go BadScheme", "ftp://public:secret@domain:8888/1", ErrInvalidScheme},
		{"sentry-go BadPort", "https://public:secret@domain:wat/42", ErrInvalidPort},
		{"sentry-go BadPort is an invalid URL", "https://public:secret@domain:wat/42", ErrInvalidURL},
		// urgentry pkg/dsn TestParse
		{"urgentry missing project id", "https://abc123@sentry.example.com", ErrNoProjectID},
		{"urgentry missing public key", "https://sentry.example.com/1", ErrNoUsername},
		// A6 matrix, Relay column
		{"A6 ftp", "ftp://pub@host/1", ErrInvalidScheme},
		{"A6 no username", "https://:sec@host/42", ErrNoUsername},
		{"A6 no path", "https://pub@host", ErrNoProjectID},
		{"A6 root path", "https://pub@host/", ErrNoProjectID},
		// more
		{"only slashes", "https://pub@host//", ErrNoProjectID},
		{"dot dot only", "https://pub@host/..", ErrNoProjectID},
		{"empty user before colon", "https://:@host/1", ErrNoUsername},
		{"no @ at all", "https://host/1", ErrNoUsername},
		{"empty host", "https://pub@/1", ErrNoHost},
		{"port zero", "https://pub@host:0/1", ErrInvalidPort},
		{"port too large", "https://pub@host:65536/1", ErrInvalidPort},
		{"port huge", "https://pub@host:99999999999999999999/1", ErrInvalidPort},
		{"negative port", "https://pub@host:-1/1", ErrInvalidPort},
		{"second colon in host", "https://pub@host:1:2/1", ErrInvalidPort},
		{"bad ipv6", "https://pub@[::g]/1", ErrInvalidURL},
		{"ipv4 in brackets", "https://pub@[127.0.0.1]/1", ErrInvalidURL},
		{"ipv6 zone", "https://pub@[fe80::1%25eth0]/1", ErrInvalidURL},
		{"unclosed bracket", "https://pub@[::1/1", ErrInvalidURL},
		{"junk after bracket", "https://pub@[::1]x/1", ErrInvalidURL},
		{"space in host", "https://pub@ho st/1", ErrInvalidURL},
		{"backquote in host", "https://pub@`/1", ErrInvalidURL},
		{"brace in host", "https://pub@a{b}/1", ErrInvalidURL},
		{"non-ASCII host", "https://pub@bücher.example/1", ErrInvalidURL},
		{"bad ipv4", "https://pub@1.2.3.256/1", ErrInvalidURL},
		{"numeric last label", "https://pub@example.123/1", ErrInvalidURL},
		{"bad host escape", "https://pub@ho%zzst/1", ErrInvalidURL},
		{"bad path escape", "https://pub@host/0%0X00", ErrInvalidURL},
		{"truncated path escape", "https://pub@host/1%4", ErrInvalidURL},
		{"bad key escape", "https://p%g0@host/1", ErrInvalidURL},
		{"bad secret escape", "https://p:%@host/1", ErrInvalidURL},
		{"escaped slash in host", "https://pub@ho%2Fst/1", ErrInvalidURL},
		{"control character", "https://pub@host/4\x002", ErrInvalidURL},
		{"backslash", `https://pub@host\1`, ErrInvalidURL},
		{"invalid UTF-8", "https://pub@host/\xff", ErrInvalidURL},
		{"bad scheme syntax", "1http://pub@host/1", ErrInvalidURL},
		{"mailto", "mailto:pub@host", ErrInvalidURL},
		{"whitespace only", "  \t", ErrInvalidURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind)
			assert.Equal(t, DSN{}, got)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Contains(t, err.Error(), "dsn: ")
		})
	}
}

func TestErrorKindsAreDistinct(t *testing.T) {
	_, err := Parse("ftp://pub@host/1")
	assert.ErrorIs(t, err, ErrInvalidScheme)
	assert.NotErrorIs(t, err, ErrInvalidURL)
	assert.NotErrorIs(t, err, ErrNoHost)

	_, err = Parse("https://pub@:1/1")
	assert.ErrorIs(t, err, ErrNoHost)
	assert.ErrorIs(t, err, ErrInvalidURL)
	assert.NotErrorIs(t, err, ErrInvalidPort)
}

func TestErrorMessage(t *testing.T) {
	_, err := Parse("https://pub@host:99999/1")
	assert.EqualError(t, err, `dsn: invalid DSN port: port "99999": must be in 1..65535`)
	_, err = Parse("ftp://pub@host/1")
	assert.EqualError(t, err, `dsn: invalid DSN scheme: scheme "ftp": want http or https`)
}

func TestString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		// sentry-types writes "username:@"; String keeps the input form.
		{"https://username@domain:8888/42", "https://username@domain:8888/42"},
		{"https://username:@domain:8888/42", "https://username@domain:8888/42"},
		{"https://username:password@domain:8888/23%21", "https://username:password@domain:8888/23%21"},
		{"http://username:@domain:8888/42", "http://username@domain:8888/42"},
		{"https://pub@host:443/42", "https://pub@host/42"},
		{"https://pub@host/42/", "https://pub@host/42"},
		{"HTTPS://Pub@HOST/a/b/42?x#y", "https://Pub@host/a/b/42"},
		{"http://pub@[::1]:9000/42", "http://pub@[::1]:9000/42"},
		{"https://p@b@host/42", "https://p%40b@host/42"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, d.String())
		})
	}
}

func TestURLs(t *testing.T) {
	tests := []struct {
		in                   string
		envelope, store      string
		otlpTraces, otlpLogs string
		port                 int
	}{
		// sentry-types test_dsn_no_port / test_insecure_dsn_no_port
		{"https://username@domain/42",
			"https://domain/api/42/envelope/", "https://domain/api/42/store/",
			"https://domain/api/42/integration/otlp/v1/traces", "https://domain/api/42/integration/otlp/v1/logs", 443},
		{"http://username@domain/42",
			"http://domain/api/42/envelope/", "http://domain/api/42/store/",
			"http://domain/api/42/integration/otlp/v1/traces", "http://domain/api/42/integration/otlp/v1/logs", 80},
		// sentry-types test_dsn_no_password
		{"https://username:@domain:8888/42",
			"https://domain:8888/api/42/envelope/", "https://domain:8888/api/42/store/",
			"https://domain:8888/api/42/integration/otlp/v1/traces", "https://domain:8888/api/42/integration/otlp/v1/logs", 8888},
		// sentry-go AllFields
		{"https://public:secret@domain:8888/foo/bar/42",
			"https://domain:8888/foo/bar/api/42/envelope/", "https://domain:8888/foo/bar/api/42/store/",
			"https://domain:8888/foo/bar/api/42/integration/otlp/v1/traces", "https://domain:8888/foo/bar/api/42/integration/otlp/v1/logs", 8888},
		// the CLI contract
		{"https://abc@o1.ingest.sentry.io/42",
			"https://o1.ingest.sentry.io/api/42/envelope/", "https://o1.ingest.sentry.io/api/42/store/",
			"https://o1.ingest.sentry.io/api/42/integration/otlp/v1/traces", "https://o1.ingest.sentry.io/api/42/integration/otlp/v1/logs", 443},
		// IPv6 keeps its brackets (sentry-go loses them)
		{"http://pub@[::1]:9000/42",
			"http://[::1]:9000/api/42/envelope/", "http://[::1]:9000/api/42/store/",
			"http://[::1]:9000/api/42/integration/otlp/v1/traces", "http://[::1]:9000/api/42/integration/otlp/v1/logs", 9000},
		{"http://pub@[::1]/42",
			"http://[::1]/api/42/envelope/", "http://[::1]/api/42/store/",
			"http://[::1]/api/42/integration/otlp/v1/traces", "http://[::1]/api/42/integration/otlp/v1/logs", 80},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.envelope, d.EnvelopeURL())
			assert.Equal(t, tt.store, d.StoreURL())
			assert.Equal(t, tt.otlpTraces, d.OTLPTracesURL())
			assert.Equal(t, tt.otlpLogs, d.OTLPLogsURL())
			assert.Equal(t, tt.port, d.EffectivePort())
			u, err := url.Parse(d.EnvelopeURL())
			require.NoError(t, err)
			assert.Equal(t, d.Host, u.Host[:len(d.Host)])
		})
	}
}

func TestURLsOfHandBuiltDSN(t *testing.T) {
	d := DSN{Scheme: "https", PublicKey: "k", Host: "h", Port: 443, Path: "x", ProjectID: "1"}
	assert.Equal(t, "https://h/x/api/1/envelope/", d.EnvelopeURL())
	d.Path = ""
	assert.Equal(t, "https://h/api/1/envelope/", d.EnvelopeURL())
	assert.Equal(t, "https://k@h/1", d.String())
}

func TestOrgID(t *testing.T) {
	tests := []struct {
		name string
		host string
		want uint64
		ok   bool
	}{
		// sentry-types dsn.rs
		{"test_dsn_org_id_from_ingest_host", "o123.ingest.sentry.io", 123, true},
		{"test_dsn_org_id_from_regional_ingest_host", "o123.ingest.de.sentry.io", 123, true},
		{"test_dsn_org_id_ignores_host_without_org_label", "blah.ingest.sentry.io", 0, false},
		{"test_dsn_org_id_ignores_non_ingest_saas_host", "o123.sentry.io", 0, false},
		{"test_dsn_org_id_ignores_relay_host", "o123.relay.example.com", 0, false},
		{"test_dsn_org_id_ignores_localhost", "localhost", 0, false},
		{"test_dsn_org_id_rejects_non_numeric_org_label", "oabc.ingest.sentry.io", 0, false},
		{"test_dsn_org_id_rejects_missing_org_prefix", "123.ingest.sentry.io", 0, false},
		{"test_dsn_org_id_rejects_empty_first_label", ".ingest.sentry.io", 0, false},
		{"test_dsn_org_id_rejects_empty_org_id", "o.ingest.sentry.io", 0, false},
		{"test_dsn_org_id_rejects_overflow", "o18446744073709551616.ingest.sentry.io", 0, false},
		// sentry-go client_test.go
		{"TestClient_ParseOrgID", "o1.ingest.us.sentry.io", 1, true},
		{"TestClient_ParseOrgIDInvalid", "o99999999999999999999.ingest.sentry.io", 0, false},
		// A6: sentry-go finds 123 here, sentry-types does not.
		{"A6 non-SaaS host", "o123.example.com", 0, false},
		{"max uint64", "o18446744073709551615.ingest.sentry.io", 18446744073709551615, true},
		{"upper case host is lower-cased by Parse", "O7.INGEST.SENTRY.IO", 7, true},
		{"two-label region", "o1.ingest.a.b.sentry.io", 0, false},
		{"empty region", "o1.ingest..sentry.io", 0, false},
		{"trailing dot", "o1.ingest.sentry.io.", 0, false},
		{"plus sign", "o+1.ingest.sentry.io", 0, false},
		{"other suffix", "o1.ingest.sentry.iox", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse("https://pub@" + tt.host + "/1")
			require.NoError(t, err)
			got, ok := d.OrgID()
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNumericProjectID(t *testing.T) {
	tests := []struct {
		id   string
		want uint64
		ok   bool
	}{
		// sentry-types project_id.rs test_basic_api
		{"42", 42, true},
		{"42xxx", 0, false},
		{"23%21", 0, false},
		{"+42", 42, true}, // Rust's u64 parser accepts a plus sign
		{"0", 0, true},
		{"18446744073709551615", 18446744073709551615, true},
		{"18446744073709551616", 0, false},
		{"-1", 0, false},
		{"", 0, false},
		{"+", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, ok := DSN{ProjectID: tt.id}.NumericProjectID()
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestValidateRelay(t *testing.T) {
	const key = "e12d836b15bb49d7bbf99e64295d995b"
	tests := []struct {
		name string
		in   string
		kind error // nil: valid
	}{
		{"request_meta roundtrip DSN", "https://" + key + ":@sentry.io/42", nil},
		{"A6 minimal needs 32-char key", "https://shortkey@host/42", ErrInvalidPublicKey},
		{"A6 trailing slash", "https://" + key + "@host/42/", nil},
		{"A6 string id", "https://" + key + "@host/abc", ErrInvalidProjectID},
		{"A6 prefix", "https://" + key + "@host/a/b/42", nil},
		{"A6 default port", "https://" + key + "@host:443/42", nil},
		{"A6 ipv6", "http://" + key + "@[::1]:9000/42", nil},
		{"A6 query", "https://" + key + "@host/42?x=1#f", nil},
		{"id checked before key", "https://pub@host/abc", ErrInvalidProjectID},
		{"non-hex key is fine", "https://" + "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" + "@host/1", nil},
		{"33 chars", "https://" + key + "0@host/1", ErrInvalidPublicKey},
		{"key with flag", "https://" + key + ".no-cache@host/1", ErrInvalidPublicKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.in)
			require.NoError(t, err)
			err = d.ValidateRelay()
			if tt.kind == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.kind)
			assert.NotContains(t, err.Error(), d.PublicKey, "error must not echo the key")
		})
	}
}

func TestParseProjectKey(t *testing.T) {
	const key = "e12d836b15bb49d7bbf99e64295d995b"
	tests := []struct {
		in    string
		key   string
		flags []string
		ok    bool
	}{
		{key, key, nil, true},
		{key + ".no-cache", key, []string{"no-cache"}, true},
		{key + ".a.b", key, []string{"a", "b"}, true},
		{key + ".", key, []string{""}, true},
		{"short", "", nil, false},
		{"", "", nil, false},
		{"é" + key[2:], "", nil, false}, // 32 bytes, not ASCII
		{"." + key, "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			key, flags, err := ParseProjectKey(tt.in)
			if !tt.ok {
				assert.ErrorIs(t, err, ErrInvalidPublicKey)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.key, key)
			assert.Equal(t, tt.flags, flags)
		})
	}
}

// test_dsn_serialize_deserialize and sentry-go TestDsnSerializeDeserialize /
// TestDsnDeserializeInvalidJSON.
func TestTextMarshaling(t *testing.T) {
	d, err := Parse("https://username:@domain/42")
	require.NoError(t, err)
	b, err := json.Marshal(d)
	require.NoError(t, err)
	assert.Equal(t, `"https://username@domain/42"`, string(b))

	var back DSN
	require.NoError(t, json.Unmarshal([]byte(`"https://username:@domain/42"`), &back))
	assert.Equal(t, d, back)

	err = json.Unmarshal([]byte(`"http://wat"`), &back)
	assert.ErrorIs(t, err, ErrNoUsername)

	_, err = json.Marshal(DSN{})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrInvalidURL) || errors.Is(err, ErrInvalidScheme))
}
