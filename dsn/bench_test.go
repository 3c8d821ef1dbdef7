package dsn

import (
	"net/http/httptest"
	"net/url"
	"testing"
)

// BenchmarkParse parses a SaaS DSN, with net/url.Parse of the same string
// as the baseline: Parse does the WHATWG-style checks on top of a URL parse.
func BenchmarkParse(b *testing.B) {
	const s = "https://e12d836b15bb49d7bbf99e64295d995b@o447951.ingest.us.sentry.io/4505391490039808"
	b.Run("impl=dsn.Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=url.Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := url.Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkParseAuthHeader(b *testing.B) {
	const h = "Sentry sentry_version=7, sentry_client=sentry.go/0.50.0, sentry_key=e12d836b15bb49d7bbf99e64295d995b"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAuthHeader(h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromRequest(b *testing.B) {
	header := httptest.NewRequest("POST", "/api/42/envelope/", nil)
	header.Header.Set("X-Sentry-Auth", "Sentry sentry_version=7, sentry_client=sentry.go/0.50.0, sentry_key=e12d836b15bb49d7bbf99e64295d995b")
	query := httptest.NewRequest("POST", "/api/42/envelope/?sentry_version=7&sentry_key=e12d836b15bb49d7bbf99e64295d995b&sentry_client=sentry.javascript.node%2F11.12.0", nil)
	b.Run("source=x-sentry-auth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := FromRequest(header); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("source=query", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := FromRequest(query); err != nil {
				b.Fatal(err)
			}
		}
	})
}
