package dsn_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/sentrywire/sentrywire/dsn"
)

// An SDK parses its DSN once, then posts envelopes to EnvelopeURL with the
// header from Auth.
func Example() {
	d, err := dsn.Parse("https://e12d836b15bb49d7bbf99e64295d995b@o1.ingest.sentry.io/42")
	if err != nil {
		fmt.Println(err)
		return
	}
	org, _ := d.OrgID()
	fmt.Println("org:", org)
	fmt.Println("envelope:", d.EnvelopeURL())
	fmt.Println("X-Sentry-Auth:", d.Auth("sentrywire/1.0").String())
	// Output:
	// org: 1
	// envelope: https://o1.ingest.sentry.io/api/42/envelope/
	// X-Sentry-Auth: Sentry sentry_version=7, sentry_client=sentrywire/1.0, sentry_key=e12d836b15bb49d7bbf99e64295d995b
}

func ExampleParse_errors() {
	for _, s := range []string{
		"ftp://key@host/1",
		"https://key@host:99999/1",
		"https://key@host/",
	} {
		_, err := dsn.Parse(s)
		fmt.Println(errors.Is(err, dsn.ErrInvalidScheme), errors.Is(err, dsn.ErrInvalidPort), errors.Is(err, dsn.ErrNoProjectID))
	}
	// Output:
	// true false false
	// false true false
	// false false true
}

// A server authenticates each ingest request as Relay does and answers
// failures with Relay's status codes.
func ExampleFromRequest() {
	handler := func(w http.ResponseWriter, r *http.Request) {
		auth, err := dsn.FromRequest(r)
		if err != nil {
			http.Error(w, err.Error(), dsn.StatusCode(err))
			return
		}
		fmt.Fprintf(w, "key %s… from %s, client %s", auth.PublicKey[:8], auth.Source, auth.Client)
	}

	r := httptest.NewRequest("POST", "/api/42/envelope/", nil)
	r.Header.Set("X-Sentry-Auth", "Sentry sentry_version=7, sentry_client=sentry.go/0.30.0, sentry_key=e12d836b15bb49d7bbf99e64295d995b")
	w := httptest.NewRecorder()
	handler(w, r)
	fmt.Println(w.Code, w.Body.String())

	r = httptest.NewRequest("POST", "/api/42/envelope/?sentry_version=7", nil)
	r.Header.Set("X-Sentry-Auth", "Sentry sentry_key=e12d836b15bb49d7bbf99e64295d995b")
	w = httptest.NewRecorder()
	handler(w, r)
	fmt.Print(w.Code, " ", w.Body.String())
	// Output:
	// 200 key e12d836b… from x-sentry-auth, client sentry.go/0.30.0
	// 401 dsn: multiple authorization payloads detected: credentials in both X-Sentry-Auth header and query string
}

// Envelope endpoints accept requests without credentials when the envelope
// header names a DSN.
func ExampleFromEnvelopeHeader() {
	body := []byte(`{"dsn":"https://e12d836b15bb49d7bbf99e64295d995b@o1.ingest.sentry.io/42"}` + "\n" +
		`{"type":"event"}` + "\n" + `{}` + "\n")
	auth, d, err := dsn.FromEnvelopeHeader(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(auth.Source, d.ProjectID)
	// Output: envelope-header 42
}
