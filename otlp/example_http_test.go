package otlp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/sentrywire/sentrywire/otlp"
)

// A host serving OpenTelemetry exporters converts each request and hands
// the spans to its pipeline. Spans that could not be converted are
// reported back as a partial success, which exporters do not retry.
func ExampleNewHandler() {
	h := otlp.NewHandler(func(ctx context.Context, req *otlp.Request) (int64, string, error) {
		res := otlp.ConvertTraces(req.Traces)
		for _, s := range res.Spans {
			fmt.Println(s.Name, s.Status)
		}
		if n := len(res.Rejected); n > 0 {
			return int64(n), res.Rejected[0].Err.Error(), nil
		}
		return 0, "", nil
	})
	mux := http.NewServeMux()
	mux.Handle("POST /v1/traces", h)

	body := `{"resourceSpans":[{"scopeSpans":[{"spans":[
		{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"GET /orders",
		 "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000","status":{"code":2}}]}]}]}`
	r := httptest.NewRequest(http.MethodPost, "/v1/traces", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body)
	// Output:
	// GET /orders error
	// 200 {}
}

// Sentry's own OTLP paths name a project and need a Sentry key, which an
// exporter sends as a configured header
// (OTEL_EXPORTER_OTLP_HEADERS="x-sentry-auth=sentry sentry_key=...").
func ExampleReadRequest() {
	r := httptest.NewRequest(http.MethodPost, "/api/42/integration/otlp/v1/logs", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Sentry-Auth", "sentry sentry_key=e12d836b15bb49d7bbf99e64295d995b")
	req, err := otlp.ReadRequest(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Signal, req.Encoding, req.ProjectID, req.Auth.PublicKey)

	r = httptest.NewRequest(http.MethodPost, "/api/42/integration/otlp/v1/logs", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "application/json")
	_, err = otlp.ReadRequest(r)
	fmt.Println(otlp.HTTPStatus(err), err)
	// Output:
	// logs json 42 e12d836b15bb49d7bbf99e64295d995b
	// 401 dsn: missing authorization information: no X-Sentry-Auth, Authorization, sentry_ query or path key
}

// A host whose pipeline is full tells exporters to come back later.
func ExampleStatusError() {
	h := otlp.NewHandler(func(context.Context, *otlp.Request) (int64, string, error) {
		return 0, "", &otlp.StatusError{Code: http.StatusTooManyRequests, RetryAfter: 30 * time.Second}
	})
	r := httptest.NewRequest(http.MethodPost, "/v1/traces", nil)
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Retry-After"), w.Body)
	// Output:
	// 429 30 {"code":8,"message":"Too Many Requests"}
}
