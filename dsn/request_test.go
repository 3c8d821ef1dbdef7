package dsn

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testKey = "e12d836b15bb49d7bbf99e64295d995b"

type carrier func(r *http.Request)

func xSentryAuth(v string) carrier { return func(r *http.Request) { r.Header.Set("X-Sentry-Auth", v) } }
func authorization(v string) carrier {
	return func(r *http.Request) { r.Header.Set("Authorization", v) }
}
func basic(userPass string) carrier {
	return authorization("Basic " + base64.StdEncoding.EncodeToString([]byte(userPass)))
}
func query(q string) carrier   { return func(r *http.Request) { r.URL.RawQuery = q } }
func pathKey(k string) carrier { return func(r *http.Request) { r.SetPathValue("sentry_key", k) } }

func newRequest(cs ...carrier) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/42/envelope/", nil)
	for _, c := range cs {
		c(r)
	}
	return r
}

func TestFromRequest(t *testing.T) {
	header := "Sentry sentry_version=7, sentry_client=sentry.go/0.30.0, sentry_key=" + testKey
	tests := []struct {
		name     string
		carriers []carrier
		want     Auth
	}{
		{"X-Sentry-Auth", []carrier{xSentryAuth(header)},
			Auth{PublicKey: testKey, Client: "sentry.go/0.30.0", Version: 7, Source: SourceXSentryAuth}},
		{"X-Sentry-Auth lower-case scheme", []carrier{xSentryAuth("sentry sentry_key=" + testKey)},
			Auth{PublicKey: testKey, Version: 7, Source: SourceXSentryAuth}},
		{"Authorization: Sentry", []carrier{authorization(header)},
			Auth{PublicKey: testKey, Client: "sentry.go/0.30.0", Version: 7, Source: SourceAuthorization}},
		{"Authorization: Basic", []carrier{basic(testKey + ":")},
			Auth{PublicKey: testKey, Version: 7, Source: SourceBasic}},
		{"Authorization: basic, secret ignored", []carrier{authorization("bASIC " + base64.StdEncoding.EncodeToString([]byte(testKey+":x:y")))},
			Auth{PublicKey: testKey, Version: 7, Source: SourceBasic}},
		{"query", []carrier{query("sentry_key=" + testKey + "&sentry_version=7&sentry_client=sentry.javascript.browser%2F8.0.0")},
			Auth{PublicKey: testKey, Client: "sentry.javascript.browser/8.0.0", Version: 7, Source: SourceQuery}},
		{"query with lenient escapes", []carrier{query("sentry_key=" + testKey + "&sentry_client=a%zz;b")},
			Auth{PublicKey: testKey, Client: "a%zz;b", Version: 7, Source: SourceQuery}},
		{"path key", []carrier{pathKey(testKey)},
			Auth{PublicKey: testKey, Version: 7, Source: SourcePath}},
		{"key flags", []carrier{xSentryAuth("Sentry sentry_key=" + testKey + ".no-cache")},
			Auth{PublicKey: testKey, Flags: []string{"no-cache"}, Version: 7, Source: SourceXSentryAuth}},
		{"old version accepted", []carrier{xSentryAuth("Sentry sentry_version=5, sentry_key=" + testKey)},
			Auth{PublicKey: testKey, Version: 5, Source: SourceXSentryAuth}},
		// Carriers that do not count as credentials.
		{"non-Sentry X-Sentry-Auth ignored", []carrier{xSentryAuth("Bearer abc"), query("sentry_key=" + testKey)},
			Auth{PublicKey: testKey, Version: 7, Source: SourceQuery}},
		{"Bearer Authorization ignored", []carrier{authorization("Bearer abc"), pathKey(testKey)},
			Auth{PublicKey: testKey, Version: 7, Source: SourcePath}},
		{"Basic without colon ignored", []carrier{basic(testKey), pathKey(testKey)},
			Auth{PublicKey: testKey, Version: 7, Source: SourcePath}},
		{"Basic with empty key ignored", []carrier{basic(":x"), pathKey(testKey)},
			Auth{PublicKey: testKey, Version: 7, Source: SourcePath}},
		{"Basic not base64 ignored", []carrier{authorization("Basic !!!"), pathKey(testKey)},
			Auth{PublicKey: testKey, Version: 7, Source: SourcePath}},
		{"non-ASCII header ignored", []carrier{xSentryAuth("Sentry sentry_key=é"), pathKey(testKey)},
			Auth{PublicKey: testKey, Version: 7, Source: SourcePath}},
		{"query without sentry_ ignored", []carrier{query("foo=bar"), xSentryAuth(header)},
			Auth{PublicKey: testKey, Client: "sentry.go/0.30.0", Version: 7, Source: SourceXSentryAuth}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromRequest(newRequest(tt.carriers...))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, http.StatusOK, StatusCode(err))
		})
	}
}

func TestFromRequestErrors(t *testing.T) {
	header := xSentryAuth("Sentry sentry_key=" + testKey)
	authz := authorization("Sentry sentry_key=" + testKey)
	bas := basic(testKey + ":")
	qry := query("sentry_key=" + testKey)
	pth := pathKey(testKey)
	tests := []struct {
		name     string
		carriers []carrier
		kind     error
		cause    error
		status   int
	}{
		{"nothing", nil, ErrMissingAuth, nil, 401},
		{"only ignored carriers", []carrier{xSentryAuth("Bearer x"), authorization("Basic !!"), query("a=b")}, ErrMissingAuth, nil, 401},

		// Every pair of carriers that can coexist (Authorization holds
		// either the Sentry or the Basic scheme, not both).
		{"X-Sentry-Auth + Authorization", []carrier{header, authz}, ErrMultipleAuth, nil, 401},
		{"X-Sentry-Auth + Basic", []carrier{header, bas}, ErrMultipleAuth, nil, 401},
		{"X-Sentry-Auth + query", []carrier{header, qry}, ErrMultipleAuth, nil, 401},
		{"X-Sentry-Auth + path", []carrier{header, pth}, ErrMultipleAuth, nil, 401},
		{"Authorization + query", []carrier{authz, qry}, ErrMultipleAuth, nil, 401},
		{"Authorization + path", []carrier{authz, pth}, ErrMultipleAuth, nil, 401},
		{"Basic + query", []carrier{bas, qry}, ErrMultipleAuth, nil, 401},
		{"Basic + path", []carrier{bas, pth}, ErrMultipleAuth, nil, 401},
		{"query + path", []carrier{qry, pth}, ErrMultipleAuth, nil, 401},
		{"header + harmless sentry_version query", []carrier{header, query("sentry_version=7")}, ErrMultipleAuth, nil, 401},
		{"header + query mentioning sentry_ in a value", []carrier{header, query("foo=sentry_bar")}, ErrMultipleAuth, nil, 401},
		// MultipleAuth wins over a parse error in the second carrier.
		{"header + broken Authorization", []carrier{header, authorization("Sentry sentry_version=x")}, ErrMultipleAuth, nil, 401},

		{"bad X-Sentry-Auth", []carrier{xSentryAuth("Sentry sentry_version=7")}, ErrBadAuth, ErrMissingPublicKey, 401},
		{"bad version", []carrier{xSentryAuth("Sentry sentry_version=x, sentry_key=" + testKey)}, ErrBadAuth, ErrInvalidVersion, 401},
		{"bad Authorization", []carrier{authorization("Sentry foo=bar")}, ErrBadAuth, ErrMissingPublicKey, 401},
		{"query without key", []carrier{query("foo=sentry_bar")}, ErrBadAuth, ErrMissingPublicKey, 401},
		{"query with bad version", []carrier{query("sentry_key=" + testKey + "&sentry_version=v")}, ErrBadAuth, ErrInvalidVersion, 401},

		{"short key", []carrier{xSentryAuth("Sentry sentry_key=abc")}, ErrBadPublicKey, ErrInvalidPublicKey, 400},
		{"quoted key is still the key", []carrier{xSentryAuth(`Sentry sentry_key="abc"`)}, ErrBadPublicKey, ErrInvalidPublicKey, 400},
		{"short Basic key", []carrier{basic("abc:")}, ErrBadPublicKey, ErrInvalidPublicKey, 400},
		{"short path key", []carrier{pathKey("abc")}, ErrBadPublicKey, ErrInvalidPublicKey, 400},
		{"version 8", []carrier{xSentryAuth("Sentry sentry_version=8, sentry_key=" + testKey)}, ErrUnsupportedProtocolVersion, nil, 400},
		// Relay checks the key before the version.
		{"short key and version 8", []carrier{xSentryAuth("Sentry sentry_version=8, sentry_key=abc")}, ErrBadPublicKey, nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromRequest(newRequest(tt.carriers...))
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind)
			if tt.cause != nil {
				assert.ErrorIs(t, err, tt.cause)
			}
			assert.Equal(t, Auth{}, got)
			assert.Equal(t, tt.status, StatusCode(err))
			assert.NotContains(t, err.Error(), testKey, "errors must not echo the key")
		})
	}
}

func TestFromRequestNil(t *testing.T) {
	_, err := FromRequest(nil)
	assert.ErrorIs(t, err, ErrMissingAuth)
}

func TestFromRequestServeMux(t *testing.T) {
	mux := http.NewServeMux()
	var (
		got   Auth
		gotID uint64
		err   error
		idErr error
	)
	handler := func(w http.ResponseWriter, r *http.Request) {
		gotID, idErr = ProjectIDFromRequest(r)
		got, err = FromRequest(r)
	}
	mux.HandleFunc("POST /api/{project_id}/unreal/{sentry_key}/", handler)
	mux.HandleFunc("POST /legacy/store/", handler)

	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/api/42/unreal/"+testKey+"/", nil))
	require.NoError(t, err)
	require.NoError(t, idErr)
	assert.Equal(t, uint64(42), gotID)
	assert.Equal(t, Auth{PublicKey: testKey, Version: 7, Source: SourcePath}, got)

	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/api/abc/unreal/"+testKey+"/", nil))
	assert.ErrorIs(t, idErr, ErrBadProject)
	assert.Equal(t, http.StatusBadRequest, StatusCode(idErr))

	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/legacy/store/?sentry_key="+testKey, nil))
	require.NoError(t, err)
	require.NoError(t, idErr)
	assert.Equal(t, uint64(0), gotID)
	assert.Equal(t, SourceQuery, got.Source)
}

func TestFromEnvelopeHeader(t *testing.T) {
	dsnText := "https://" + testKey + "@o1.ingest.sentry.io/42"
	tests := []struct {
		name string
		body string
		want Auth
	}{
		{"dsn only", `{"dsn":"` + dsnText + `"}`,
			Auth{PublicKey: testKey, Version: 7, Source: SourceEnvelopeHeader}},
		{"typical SDK header and items follow",
			`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","dsn":"` + dsnText + `","sdk":{"name":"sentry.go","version":"0.30.0"},"sent_at":"2026-01-01T00:00:00Z"}` + "\n" + `{"type":"event"}` + "\n{}\n",
			Auth{PublicKey: testKey, Version: 7, Source: SourceEnvelopeHeader}},
		{"client and version", `{"dsn":"` + dsnText + `","client":"raven/1","version":6}`,
			Auth{PublicKey: testKey, Client: "raven/1", Version: 6, Source: SourceEnvelopeHeader}},
		{"Relay request meta", `{"dsn":"https://` + testKey + `:@sentry.io/42","client":"sentry-client","version":7,"origin":"http://origin/","remote_addr":"192.168.0.1","forwarded_for":"8.8.8.8","user_agent":"0x8000","no_cache":false,"client_hints":{"sec_ch_ua_platform":"macOS"}}`,
			Auth{PublicKey: testKey, Client: "sentry-client", Version: 7, Source: SourceEnvelopeHeader}},
		{"nulls", `{"dsn":"` + dsnText + `","client":null,"origin":null,"remote_addr":null,"user_agent":null}`,
			Auth{PublicKey: testKey, Version: 7, Source: SourceEnvelopeHeader}},
		{"CRLF and spaces", ` { "dsn" : "` + dsnText + `" } ` + "\r\n",
			Auth{PublicKey: testKey, Version: 7, Source: SourceEnvelopeHeader}},
		{"version 8 is not checked here", `{"dsn":"` + dsnText + `","version":8}`,
			Auth{PublicKey: testKey, Version: 8, Source: SourceEnvelopeHeader}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, d, err := FromEnvelopeHeader([]byte(tt.body))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, "42", d.ProjectID)
			assert.Equal(t, testKey, d.PublicKey)
		})
	}
}

func TestFromEnvelopeHeaderErrors(t *testing.T) {
	dsnText := "https://" + testKey + "@o1.ingest.sentry.io/42"
	tests := []struct {
		name  string
		body  string
		cause error
	}{
		{"empty body", "", nil},
		{"empty first line", "\n{\"dsn\":\"" + dsnText + "\"}", nil},
		{"not JSON", "hello\n", nil},
		{"array", `["` + dsnText + `"]`, nil},
		{"no dsn", `{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}`, nil},
		{"null dsn", `{"dsn":null}`, nil},
		{"numeric dsn", `{"dsn":42}`, nil},
		{"multi-line header", "{\n\"dsn\":\"" + dsnText + "\"}", nil},
		{"trailing text", `{"dsn":"` + dsnText + `"} x`, nil},
		{"two objects", `{"dsn":"` + dsnText + `"}{}`, nil},
		{"duplicate dsn", `{"dsn":"` + dsnText + `","dsn":"` + dsnText + `"}`, nil},
		{"invalid UTF-8", "{\"dsn\":\"" + dsnText + "\",\"x\":\"\xff\"}", nil},
		{"bad DSN", `{"dsn":"ftp://x@y/1"}`, ErrInvalidScheme},
		{"short key", `{"dsn":"https://abc@host/42"}`, ErrInvalidPublicKey},
		{"string project id", `{"dsn":"https://` + testKey + `@host/abc"}`, ErrInvalidProjectID},
		{"client number", `{"dsn":"` + dsnText + `","client":1}`, nil},
		{"version string", `{"dsn":"` + dsnText + `","version":"7"}`, nil},
		{"version float", `{"dsn":"` + dsnText + `","version":7.0}`, nil},
		{"version negative", `{"dsn":"` + dsnText + `","version":-1}`, nil},
		{"version too big", `{"dsn":"` + dsnText + `","version":65536}`, nil},
		{"origin not a URL", `{"dsn":"` + dsnText + `","origin":"nope"}`, nil},
		{"remote_addr not an IP", `{"dsn":"` + dsnText + `","remote_addr":"localhost"}`, nil},
		{"forwarded_for null", `{"dsn":"` + dsnText + `","forwarded_for":null}`, nil},
		{"user_agent number", `{"dsn":"` + dsnText + `","user_agent":1}`, nil},
		{"no_cache string", `{"dsn":"` + dsnText + `","no_cache":"false"}`, nil},
		{"truncated", `{"dsn":"` + dsnText, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, d, err := FromEnvelopeHeader([]byte(tt.body))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrBadEnvelopeAuth)
			if tt.cause != nil {
				assert.ErrorIs(t, err, tt.cause)
			}
			assert.Equal(t, Auth{}, a)
			assert.Equal(t, DSN{}, d)
			assert.Equal(t, http.StatusUnauthorized, StatusCode(err))
		})
	}
}

func TestStatusCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{ErrMissingAuth, 401},
		{ErrMultipleAuth, 401},
		{ErrBadAuth, 401},
		{ErrBadEnvelopeAuth, 401},
		{ErrUnsupportedProtocolVersion, 400},
		{ErrBadPublicKey, 400},
		{ErrBadProject, 400},
		{&Error{Kind: ErrBadAuth, Err: &Error{Kind: ErrInvalidVersion}}, 401},
		{&Error{Kind: ErrInvalidPort}, 400},
		{errors.New("disk on fire"), 500},
	}
	for _, tt := range tests {
		name := "nil"
		if tt.err != nil {
			name = tt.err.Error()
		}
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tt.want, StatusCode(tt.err))
		})
	}
}

func TestSourceString(t *testing.T) {
	names := map[Source]string{
		SourceNone: "none", SourceXSentryAuth: "x-sentry-auth", SourceAuthorization: "authorization",
		SourceBasic: "basic", SourceQuery: "query", SourcePath: "path", SourceEnvelopeHeader: "envelope-header",
		Source(42): "Source(42)",
	}
	for s, want := range names {
		assert.Equal(t, want, s.String())
	}
}

func TestErrorMessagesNameTheCarrier(t *testing.T) {
	_, err := FromRequest(newRequest(xSentryAuth("Sentry sentry_key="+testKey), query("sentry_key="+testKey)))
	assert.EqualError(t, err, "dsn: multiple authorization payloads detected: credentials in both X-Sentry-Auth header and query string")
	_, err = FromRequest(newRequest(authorization("Sentry sentry_version=seven, sentry_key=x")))
	assert.True(t, strings.HasPrefix(err.Error(), `dsn: bad sentry auth: Authorization header: invalid sentry_version: sentry_version "seven"`), err.Error())
}
