// Package captures loads the requests real Sentry SDKs sent, as
// examples/sdkcapture records them under envelope/testdata/sdk, so that
// tests, benchmarks and fuzz seeds across the module run on real traffic.
//
// Each capture is a pair of files: <scenario>.<n>.body holds the request
// body exactly as sent (still compressed if the SDK compressed it), and
// <scenario>.<n>.json the method, path, query and headers.
package captures

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/klauspost/compress/gzip"
)

// A Request is one recorded request.
type Request struct {
	Name    string            // "<sdk>/<scenario>.<n>"
	Method  string            // "POST" or "GET"
	Path    string            // "/api/42/envelope/"
	Query   string            // the raw query, without "?"
	Headers map[string]string // as sent, one value each
	File    string            // the .body file
	Raw     []byte            // the body as sent
	Body    []byte            // the body without its Content-Encoding
}

// IsStore reports whether the request went to a legacy /store/ endpoint.
func (r Request) IsStore() bool { return strings.HasSuffix(r.Path, "/store/") }

// Target returns the request's path and query, as an HTTP request line has
// them.
func (r Request) Target() string {
	if r.Query == "" {
		return r.Path
	}
	return r.Path + "?" + r.Query
}

// Load reads every capture under dir, which is normally the relative path
// to envelope/testdata/sdk. Bodies are decompressed here, with a gzip reader
// independent of the library, so that tests of the library's own decoding
// have something to compare with.
func Load(dir string) ([]Request, error) {
	metas, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil {
		return nil, err
	}
	if len(metas) == 0 {
		return nil, fmt.Errorf("captures: none in %s; record them with examples/sdkcapture", dir)
	}
	out := make([]Request, 0, len(metas))
	for _, m := range metas {
		r, err := load(dir, m)
		if err != nil {
			return nil, fmt.Errorf("captures: %s: %w", m, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func load(dir, meta string) (Request, error) {
	b, err := os.ReadFile(meta)
	if err != nil {
		return Request{}, err
	}
	var m struct {
		Method  string            `json:"method"`
		Path    string            `json:"path"`
		Query   string            `json:"query"`
		Headers map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(b, &m, json.RejectUnknownMembers(false)); err != nil {
		return Request{}, err
	}
	base := strings.TrimSuffix(meta, ".json")
	name, err := filepath.Rel(dir, base)
	if err != nil {
		return Request{}, err
	}
	r := Request{Name: filepath.ToSlash(name), Method: m.Method, Path: m.Path, Query: m.Query, Headers: m.Headers, File: base + ".body"}
	if r.Raw, err = os.ReadFile(r.File); err != nil {
		return Request{}, err
	}
	r.Body = r.Raw
	switch enc := r.Headers["Content-Encoding"]; enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(r.Raw))
		if err != nil {
			return Request{}, err
		}
		if r.Body, err = io.ReadAll(zr); err != nil {
			return Request{}, err
		}
	default:
		return Request{}, fmt.Errorf("no decoder here for Content-Encoding %q", enc)
	}
	return r, nil
}
