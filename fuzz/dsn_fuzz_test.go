package fuzz

import (
	"net/url"
	"strings"
	"testing"

	"github.com/sentrywire/sentrywire/dsn"
)

// FuzzDSNParse checks that Parse never panics and that every DSN it accepts
// is one it can write back: Parse(d.String()) must return d, and the
// endpoint URLs must be URLs net/url agrees with.
func FuzzDSNParse(f *testing.F) {
	for _, s := range []string{
		"https://e12d836b15bb49d7bbf99e64295d995b@o1.ingest.sentry.io/42",
		"https://e12d836b15bb49d7bbf99e64295d995b@o4510411005558784.ingest.de.sentry.io/4510411009884240",
		"https://username:password@domain:8888/23%21",
		"http://username:@domain:8888/pathone/pathtwo/pid",
		"https://public:secret@domain:8888/foo/bar/42/",
		"http://pub@[::1]:9000/42",
		"http://pub@127.0.0.1/42?x=1#f",
		" HTTPS://P@b@HOST:0443/a/./b/../42// ",
		"https://k@host/%2e%2E/a b/é",
		"ftp://pub@host/1",
		"https://:sec@host/42",
		"random string",
		"https://u:p@:8888/42",
		"https://pub@host:65536/1",
	} {
		f.Add(s)
	}
	for _, s := range sdkDSNs() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := dsn.Parse(s)
		if err != nil {
			if d != (dsn.DSN{}) {
				t.Fatalf("Parse(%q) failed with %v but returned %+v", s, err, d)
			}
			return
		}
		if d.PublicKey == "" || d.Host == "" || d.ProjectID == "" || (d.Scheme != "http" && d.Scheme != "https") {
			t.Fatalf("Parse(%q) = %+v: required part missing", s, d)
		}
		if !strings.HasPrefix(d.Path, "/") || !strings.HasSuffix(d.Path, "/") {
			t.Fatalf("Parse(%q): path %q not slash-delimited", s, d.Path)
		}
		again, err := dsn.Parse(d.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, d.String(), err)
		}
		if again != d {
			t.Fatalf("round trip of %q through %q:\n got %+v\nwant %+v", s, d.String(), again, d)
		}
		for _, raw := range []string{d.EnvelopeURL(), d.StoreURL(), d.OTLPTracesURL()} {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("Parse(%q): endpoint %q is not a URL: %v", s, raw, err)
			}
			if u.Scheme != d.Scheme || u.Hostname() != strings.Trim(d.Host, "[]") || u.User != nil {
				t.Fatalf("Parse(%q): endpoint %q parses to scheme %q host %q", s, raw, u.Scheme, u.Hostname())
			}
			// net/url may re-escape characters WHATWG leaves alone (such
			// as "|"), so compare decoded paths.
			id, err := url.PathUnescape(d.ProjectID)
			if err != nil {
				t.Fatalf("Parse(%q): project id %q has bad escapes: %v", s, d.ProjectID, err)
			}
			if !strings.HasSuffix(u.Path, "/api/"+id+"/envelope/") &&
				!strings.HasSuffix(u.Path, "/api/"+id+"/store/") &&
				!strings.HasSuffix(u.Path, "/api/"+id+"/integration/otlp/v1/traces") {
				t.Fatalf("Parse(%q): endpoint %q has path %q", s, raw, u.Path)
			}
		}
		_, _ = d.OrgID()
		_, _ = d.NumericProjectID()
		_ = d.ValidateRelay()
	})
}

// FuzzAuthHeader checks that ParseAuthHeader never panics and that String
// writes every field it accepted so that it reads back the same.
func FuzzAuthHeader(f *testing.F) {
	for _, s := range []string{
		"Sentry sentry_version=7, sentry_client=sentry.go/0.30.0, sentry_key=e12d836b15bb49d7bbf99e64295d995b",
		"Sentry sentry_version=7, sentry_client=sentry.go/0.30.0, sentry_key=e12d836b15bb49d7bbf99e64295d995b, sentry_secret=s",
		"Sentry sentry_timestamp=1328055286.5, sentry_client=raven-python/42, sentry_version=6, sentry_key=public, sentry_secret=secret",
		"Sentry sentry_key=e12d836b15bb49d7bbf99e64295d995b, sentry_version=7, sentry_client=sentry-ruby/5.0",
		"sentry sentry_version=2.0, sentry_key=\"k\"",
		"Sentry sentry_timestamp=2019-12-13 12:02:58.94, sentry_key=k",
		"Sentry sentry_timestamp=2019-12-13T12:02:58.94+01:00, sentry_key=k",
		"Sentry sentry_timestamp=-1.5e3, sentry_key=k",
		"Bearer abc",
		"Sentry sentry_version=x, sentry_key=k",
		"",
	} {
		f.Add(s)
	}
	for _, s := range sdkAuthHeaders() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := dsn.ParseAuthHeader(s)
		if err != nil {
			return
		}
		if a.PublicKey == "" {
			t.Fatalf("ParseAuthHeader(%q) accepted an empty key", s)
		}
		out := a.String()
		b, err := dsn.ParseAuthHeader(out)
		if err != nil {
			t.Fatalf("ParseAuthHeader(%q).String() = %q does not parse: %v", s, out, err)
		}
		wantVersion := a.Version
		if wantVersion == 0 {
			wantVersion = dsn.ProtocolVersion
		}
		if b.PublicKey != a.PublicKey || b.SecretKey != a.SecretKey || b.Client != a.Client ||
			b.Version != wantVersion || !b.Timestamp.Equal(a.Timestamp) {
			t.Fatalf("round trip of %q through %q:\n got %#v\nwant %#v", s, out, b, a)
		}
	})
}

// FuzzEnvelopeHeaderAuth checks that FromEnvelopeHeader never panics and only
// accepts envelope headers whose DSN passes Relay's checks.
func FuzzEnvelopeHeaderAuth(f *testing.F) {
	for _, s := range []string{
		`{"dsn":"https://e12d836b15bb49d7bbf99e64295d995b@o1.ingest.sentry.io/42"}` + "\n" + `{"type":"event"}` + "\n{}\n",
		`{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","dsn":"https://e12d836b15bb49d7bbf99e64295d995b:@sentry.io/42","sdk":{"name":"sentry.go"}}`,
		`{"dsn":"https://e12d836b15bb49d7bbf99e64295d995b@host/42","client":"raven/1","version":6,"origin":"http://origin/","remote_addr":"192.168.0.1","no_cache":false}`,
		`{"dsn":"https://abc@host/42"}`,
		`{"dsn":null}`,
		"{\n}",
		"",
	} {
		f.Add([]byte(s))
	}
	for _, h := range sdkEnvelopeHeaders() {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		a, d, err := dsn.FromEnvelopeHeader(body)
		if err != nil {
			return
		}
		if err := d.ValidateRelay(); err != nil {
			t.Fatalf("FromEnvelopeHeader(%q) accepted DSN %q: %v", body, d.String(), err)
		}
		if a.PublicKey != d.PublicKey || a.Source != dsn.SourceEnvelopeHeader {
			t.Fatalf("FromEnvelopeHeader(%q) = %#v for DSN %q", body, a, d.String())
		}
	})
}
