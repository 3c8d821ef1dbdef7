package loadtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/internal/captures"
)

// capturesDir holds the real SDK requests, relative to this package.
const capturesDir = "../../envelope/testdata/sdk"

// A loadRequest is one request of the rotation wrk posts.
type loadRequest struct {
	Name   string      // the capture's name, and "+gzip" for the compressed copy
	Target string      // path and query, as the SDK sent them
	Header [][2]string // name and value, sorted by name; no Host or Content-Length, wrk sets those
	Body   []byte      // as posted: compressed when Header says Content-Encoding: gzip
}

// sentHeaders are the capture headers that describe one particular
// transfer, not the request: wrk sets Host and Content-Length itself, and
// Content-Encoding follows from the body each copy carries.
var sentHeaders = []string{"Host", "Content-Length", "Content-Encoding", "Connection", "Transfer-Encoding"}

// loadRequests turns every envelope capture in dir into two requests, its
// body plain and gzip-compressed, each with the capture's own credentials
// (X-Sentry-Auth, or sentry_key in the query as the Node SDK sends it), so
// that the ingest sees exactly the SDKs' traffic at both encodings. A
// capture the SDK compressed keeps its own gzip bytes. Store requests are
// left out: the load is the envelope endpoint's.
func loadRequests(dir string) ([]loadRequest, error) {
	reqs, err := captures.Load(dir)
	if err != nil {
		return nil, err
	}
	var out []loadRequest
	for _, c := range reqs {
		if c.Method != "POST" || c.IsStore() {
			continue
		}
		var header [][2]string
		for k, v := range c.Headers {
			if !slices.Contains(sentHeaders, k) {
				header = append(header, [2]string{k, v})
			}
		}
		slices.SortFunc(header, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
		compressed := c.Raw
		if c.Headers["Content-Encoding"] != "gzip" {
			if compressed, err = gzipBytes(c.Body); err != nil {
				return nil, fmt.Errorf("%s: %w", c.Name, err)
			}
		}
		out = append(out,
			loadRequest{Name: c.Name, Target: c.Target(), Header: header, Body: c.Body},
			loadRequest{Name: c.Name + "+gzip", Target: c.Target(),
				Header: slices.Concat(header, [][2]string{{"Content-Encoding", "gzip"}}), Body: compressed})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("loadtest: no envelope captures in %s", dir)
	}
	return out, nil
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeManifest writes each request's body to a file in dir and returns
// the path of the manifest envelopes.lua reads: one request a line, its
// target, body file and headers, tab-separated. Tabs and newlines cannot
// occur in the fields (HTTP forbids them in a target and header values the
// captures were sent with), so the format needs no quoting; a field that
// has one anyway is an error rather than a garbled request.
func writeManifest(dir string, reqs []loadRequest) (string, error) {
	var m strings.Builder
	for i, r := range reqs {
		file := filepath.Join(dir, strconv.Itoa(i)+".body")
		if err := os.WriteFile(file, r.Body, 0o644); err != nil {
			return "", err
		}
		fields := []string{r.Target, file}
		for _, h := range r.Header {
			fields = append(fields, h[0], h[1])
		}
		for _, f := range fields {
			if f == "" || strings.ContainsAny(f, "\t\r\n") {
				return "", fmt.Errorf("loadtest: %s: field %q cannot go in the manifest", r.Name, f)
			}
		}
		m.WriteString(strings.Join(fields, "\t"))
		m.WriteByte('\n')
	}
	path := filepath.Join(dir, "manifest.tsv")
	return path, os.WriteFile(path, []byte(m.String()), 0o644)
}

// TestLoadRequests checks the rotation: every envelope capture twice, half
// of the bodies gzip with the header that says so, and the compressed copy
// decompressing to the plain one.
func TestLoadRequests(t *testing.T) {
	reqs, err := loadRequests(capturesDir)
	require.NoError(t, err)
	all, err := captures.Load(capturesDir)
	require.NoError(t, err)
	envelopes := 0
	for _, c := range all {
		if !c.IsStore() {
			envelopes++
		}
	}
	require.Len(t, reqs, 2*envelopes)
	for i := 0; i < len(reqs); i += 2 {
		plain, zipped := reqs[i], reqs[i+1]
		assert.Equal(t, plain.Name+"+gzip", zipped.Name)
		assert.Equal(t, plain.Target, zipped.Target)
		assert.NotContains(t, plain.Header, [2]string{"Content-Encoding", "gzip"}, plain.Name)
		assert.Contains(t, zipped.Header, [2]string{"Content-Encoding", "gzip"}, zipped.Name)
		zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
		require.NoError(t, err, zipped.Name)
		var got bytes.Buffer
		_, err = got.ReadFrom(zr)
		require.NoError(t, err, zipped.Name)
		assert.Equal(t, plain.Body, got.Bytes(), zipped.Name)
		// Every request carries credentials, as its SDK sent them.
		hasAuth := strings.Contains(plain.Target, "sentry_key=")
		for _, h := range plain.Header {
			hasAuth = hasAuth || h[0] == "X-Sentry-Auth"
		}
		assert.True(t, hasAuth, "%s has no credentials", plain.Name)
	}
}

// TestWriteManifest checks the manifest round trip and that a field the
// format cannot hold is refused.
func TestWriteManifest(t *testing.T) {
	dir := t.TempDir()
	reqs := []loadRequest{{Name: "a", Target: "/api/1/envelope/?sentry_key=k", Body: []byte("{}\n"),
		Header: [][2]string{{"Content-Encoding", "gzip"}, {"X-Sentry-Auth", "Sentry sentry_key=k, sentry_version=7"}}}}
	path, err := writeManifest(dir, reqs)
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	body := filepath.Join(dir, "0.body")
	assert.Equal(t, "/api/1/envelope/?sentry_key=k\t"+body+"\tContent-Encoding\tgzip\tX-Sentry-Auth\tSentry sentry_key=k, sentry_version=7\n", string(b))
	got, err := os.ReadFile(body)
	require.NoError(t, err)
	assert.Equal(t, "{}\n", string(got))

	for _, bad := range []loadRequest{
		{Name: "tab", Target: "/x", Header: [][2]string{{"X-A", "a\tb"}}},
		{Name: "newline", Target: "/x\n"},
		{Name: "empty", Target: "/x", Header: [][2]string{{"X-A", ""}}},
	} {
		_, err := writeManifest(t.TempDir(), []loadRequest{bad})
		assert.Error(t, err, bad.Name)
	}
}
