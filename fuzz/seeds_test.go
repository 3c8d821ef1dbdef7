package fuzz

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"github.com/sentrywire/sentrywire/internal/captures"
)

// Seeds from captured real traffic. Every target starts from what real
// SDKs and OpenTelemetry exporters sent, so the fuzzer mutates inputs that
// already get past the framing and reach the deep code. Seeding is best
// effort: a missing or unreadable corpus gives fewer seeds, never a
// failure, because the hand-written seeds of each target still run.

// sdkRequests returns the requests real SDKs sent (examples/sdkcapture
// records them), or none when the captures are absent.
func sdkRequests() []captures.Request {
	reqs, err := captures.Load("../envelope/testdata/sdk")
	if err != nil {
		return nil
	}
	return reqs
}

// sdkBodies returns the decompressed bodies of the SDK captures: envelopes,
// and bare events for the legacy store endpoint.
func sdkBodies(testing.TB) [][]byte {
	var out [][]byte
	for _, r := range sdkRequests() {
		out = append(out, r.Body)
	}
	return out
}

// sdkRawBodies returns the SDK bodies exactly as sent, still compressed
// where the SDK compressed them.
func sdkRawBodies() [][]byte {
	var out [][]byte
	for _, r := range sdkRequests() {
		if !bytes.Equal(r.Raw, r.Body) {
			out = append(out, r.Raw)
		}
	}
	return out
}

// sdkAuthHeaders returns the distinct X-Sentry-Auth headers the SDKs sent.
func sdkAuthHeaders() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range sdkRequests() {
		if h := r.Headers["X-Sentry-Auth"]; h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// sdkEnvelopeHeaders returns the first line of every captured envelope.
func sdkEnvelopeHeaders() [][]byte {
	var out [][]byte
	for _, r := range sdkRequests() {
		if r.IsStore() {
			continue
		}
		line, _, _ := bytes.Cut(r.Body, []byte("\n"))
		out = append(out, line)
	}
	return out
}

// sdkStoreBodies returns the bodies sent to the legacy store endpoint.
func sdkStoreBodies() [][]byte {
	var out [][]byte
	for _, r := range sdkRequests() {
		if r.IsStore() {
			out = append(out, r.Body)
		}
	}
	return out
}

// otlpCaptures returns the OTLP/HTTP bodies real exporters sent
// (otlp/testdata/captures), traces or logs, with the given file extension
// ("pb" or "json"). The signal is in the file name.
func otlpCaptures(logs bool, ext string) [][]byte {
	files, _ := filepath.Glob(filepath.Join("../otlp/testdata/captures", "*."+ext))
	var out [][]byte
	for _, name := range files {
		if strings.Contains(filepath.Base(name), "-logs.") != logs {
			continue
		}
		if data, err := os.ReadFile(name); err == nil {
			out = append(out, data)
		}
	}
	return out
}

// sdkDSNs returns the distinct DSNs the SDKs wrote into envelope headers.
func sdkDSNs() []string {
	seen := map[string]bool{}
	var out []string
	for _, h := range sdkEnvelopeHeaders() {
		var hdr struct {
			DSN string `json:"dsn"`
		}
		if json.Unmarshal(h, &hdr, json.RejectUnknownMembers(false)) != nil || hdr.DSN == "" || seen[hdr.DSN] {
			continue
		}
		seen[hdr.DSN] = true
		out = append(out, hdr.DSN)
	}
	return out
}

// groupingInputs returns the events of Sentry's own grouping tests, from
// the shared corpus beside the checkout, or none when it is absent.
func groupingInputs() [][]byte {
	var out [][]byte
	for _, dir := range []string{"sentry-grouping", "sentry-grouping-2026"} {
		files, _ := filepath.Glob(filepath.Join("../../shared/corpus", dir, "inputs", "*.json"))
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				out = append(out, data)
			}
		}
	}
	return out
}

// groupingEnhancements returns the stack trace rules the grouping inputs
// configure for themselves.
func groupingEnhancements() []string {
	var out []string
	for _, data := range groupingInputs() {
		var ev struct {
			Grouping struct {
				Enhancements string `json:"enhancements"`
			} `json:"_grouping"`
		}
		if json.Unmarshal(data, &ev, json.RejectUnknownMembers(false)) == nil && ev.Grouping.Enhancements != "" {
			out = append(out, ev.Grouping.Enhancements)
		}
	}
	return out
}
