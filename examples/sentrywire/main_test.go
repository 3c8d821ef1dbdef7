package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/dsn"
	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/internal/captures"
)

// cli runs the command in-process and returns its exit status and output.
func cli(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// parsed is the output of the parse command, read back.
type parsed struct {
	Header jsontext.Value `json:"header"`
	Items  []struct {
		Header      jsontext.Value `json:"header"`
		PayloadSize int            `json:"payload_size"`
	} `json:"items"`
}

// members lists an object's keys and compact values in order, so that two
// headers compare equal only if they have the same keys in the same order
// with the same values, spelled the same.
func members(t *testing.T, obj jsontext.Value) []string {
	t.Helper()
	dec := jsontext.NewDecoder(bytes.NewReader(obj), jsontext.AllowDuplicateNames(true))
	tok, err := dec.ReadToken()
	require.NoError(t, err)
	require.Equal(t, jsontext.Kind('{'), tok.Kind(), "not an object: %s", obj)
	var out []string
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		require.NoError(t, err)
		name := tok.String() // before the next read voids the token
		val, err := dec.ReadValue()
		require.NoError(t, err)
		require.NoError(t, val.Compact())
		out = append(out, name+"="+string(val))
	}
	return out
}

func loadCaptures(t *testing.T) []captures.Request {
	t.Helper()
	reqs, err := captures.Load("../../envelope/testdata/sdk")
	require.NoError(t, err)
	return reqs
}

// TestParseCaptures runs every recorded SDK request body through the parse
// command and checks what it prints against the library, read with a gzip
// decoder of its own.
func TestParseCaptures(t *testing.T) {
	for _, c := range loadCaptures(t) {
		t.Run(c.Name, func(t *testing.T) {
			body, err := os.ReadFile(c.File)
			require.NoError(t, err)
			args := []string{"parse"}
			if c.Headers["Content-Encoding"] == "gzip" {
				args = append(args, "--encoding", "gzip")
				zr, err := gzip.NewReader(bytes.NewReader(body))
				require.NoError(t, err)
				body, err = io.ReadAll(zr)
				require.NoError(t, err)
			}
			var want *envelope.Envelope
			if strings.HasSuffix(c.Path, "/store/") {
				auth, err := dsn.ParseAuthHeader(c.Headers["X-Sentry-Auth"])
				require.NoError(t, err)
				args = append(args, "--store", "--client", auth.Client)
				want, err = envelope.ParseStore(body, auth.Client)
				require.NoError(t, err)
			} else {
				want, err = envelope.Parse(body)
				require.NoError(t, err)
			}
			args = append(args, c.File)

			code, stdout, stderr := cli(t, "", args...)
			require.Equal(t, 0, code, stderr)
			assert.Empty(t, stderr)
			var got parsed
			require.NoError(t, json.Unmarshal([]byte(stdout), &got))
			assert.Equal(t, members(t, want.Raw()), members(t, got.Header))
			require.Len(t, got.Items, len(want.Items))
			for i, it := range want.Items {
				assert.Equal(t, members(t, it.Raw()), members(t, got.Items[i].Header), "item %d", i)
				assert.Equal(t, len(it.Payload()), got.Items[i].PayloadSize, "item %d (%s)", i, it.Type())
			}
		})
	}
}

func TestParseStdin(t *testing.T) {
	in := "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"x-custom\":1.50}\n" +
		"{\"type\":\"event\"}\n{\"message\":\"hi\"}\n" +
		"{\"type\":\"attachment\",\"length\":3,\"filename\":\"a.txt\"}\nabc\n" +
		"{\"type\":\"future_type\",\"length\":0}\n"
	code, stdout, stderr := cli(t, in, "parse", "-")
	require.Equal(t, 0, code, stderr)
	var got parsed
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	assert.Equal(t, []string{`event_id="9ec79c33ec9942ab8353589fcb2e04dc"`, "x-custom=1.50"}, members(t, got.Header))
	require.Len(t, got.Items, 3)
	assert.Equal(t, []string{`type="event"`}, members(t, got.Items[0].Header))
	assert.Equal(t, 16, got.Items[0].PayloadSize)
	assert.Equal(t, []string{`type="attachment"`, "length=3", `filename="a.txt"`}, members(t, got.Items[1].Header))
	assert.Equal(t, 3, got.Items[1].PayloadSize)
	assert.Equal(t, []string{`type="future_type"`, "length=0"}, members(t, got.Items[2].Header))
	assert.Equal(t, 0, got.Items[2].PayloadSize)
}

// TestParseErrors pins the one-line error report for edge cases of Relay's
// framing (the numbers are the rows of the edge-case matrix in the envelope
// spec), its limits and HTTP body decoding.
func TestParseErrors(t *testing.T) {
	bigEvent := "{}\n{\"type\":\"event\",\"length\":1048577}\n" + strings.Repeat("a", 1<<20+1) + "\n"
	tests := []struct {
		name string
		args []string
		in   string
		want string
	}{
		{"1 empty body", nil, "",
			"error: missing envelope header: envelope header at byte 0"},
		{"2 whitespace only", nil, "  \n",
			"error: missing envelope header: envelope header at byte 3"},
		{"5 blank line after the header", nil, "{}\n\n",
			"error: unexpected end of file: item 0 at byte 4"},
		{"9 space before the newline", nil, "{} \n",
			"error: missing newline after header or payload: envelope header at byte 2"},
		{"10 CRLF line ends", nil, "{}\r\n{\"type\":\"event\"}\r\n{\"a\":1}\r\n",
			"error: missing newline after header or payload: envelope header at byte 2"},
		{"16 length 0 and the next header right after", nil, "{}\n{\"type\":\"event\",\"length\":0}{\"type\":\"event\"}\n",
			"error: missing newline after header or payload: item 0 at byte 30"},
		{"18 length past the end", nil, "{}\n{\"type\":\"event\",\"length\":10}\n{}\n",
			"error: unexpected end of file: item 0 at byte 35"},
		{"19 length too small", nil, "{}\n{\"type\":\"attachment\",\"length\":2}\nabc\n",
			"error: missing newline after header or payload: item 0 at byte 38"},
		{"24 negative length", nil, "{}\n{\"type\":\"event\",\"length\":-1}\n",
			"error: invalid item header: item 0 at byte 28, field \"length\": wrong type of value"},
		{"27 item header without type", nil, "{}\n{}\n",
			"error: invalid item header: item 0 at byte 3, field \"type\": missing field type"},
		{"36 empty event_id", nil, "{\"event_id\":\"\"}\n",
			"error: invalid envelope header: envelope header at byte 12, field \"event_id\": invalid event id"},
		{"two events", nil, "{}\n{\"type\":\"event\"}\n{}\n{\"type\":\"event\"}\n{}\n",
			"error: envelope exceeded size limits: event items: item 1 (event) at byte 23: got 2, max 1"},
		{"event over max_event_size", nil, bigEvent,
			"error: envelope exceeded size limits: max_event_size: item 0 (event) at byte 3: got 1048577, max 1048576"},
		{"unsupported encoding", []string{"--encoding", "GZIP"}, "{}\n",
			`error: unsupported Content-Encoding: "GZIP" (accepted: gzip, deflate, br, zstd, identity; matched exactly and case-sensitively)`},
		{"not gzip", []string{"--encoding", "gzip"}, "{}\n",
			"error: corrupt compressed body: corrupt gzip body after 0 decoded bytes: unexpected EOF"},
		{"store body neither JSON nor base64", []string{"--store"}, "!!!",
			"error: invalid request body: base64: length 3 is not a multiple of 4"},
		{"store event with a bad event_id", []string{"--store"}, `{"event_id":"zz"}`,
			"error: invalid JSON data: item 0 at byte 0, field \"event_id\": invalid event id"},
		{"store body empty", []string{"--store"}, "",
			"error: empty request body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"parse"}, tt.args...), "-")
			code, stdout, stderr := cli(t, tt.in, args...)
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			assert.Equal(t, tt.want+"\n", stderr)
		})
	}
}

func TestParseMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.envelope")
	code, stdout, stderr := cli(t, "", "parse", path)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.True(t, strings.HasPrefix(stderr, "error: open "+path+": "), stderr)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout bool // usage goes to stdout when asked for with help
		want     string
	}{
		{"no command", nil, 2, false, "usage: sentrywire <command>"},
		{"unknown command", []string{"frobnicate"}, 2, false, `sentrywire: unknown command "frobnicate"`},
		{"help", []string{"help"}, 0, true, "usage: sentrywire <command>"},
		{"parse help", []string{"parse", "-h"}, 0, false, "usage: sentrywire parse"},
		{"parse without a file", []string{"parse"}, 2, false, "usage: sentrywire parse"},
		{"parse with two files", []string{"parse", "a", "b"}, 2, false, "got 2 arguments"},
		{"parse with an unknown flag", []string{"parse", "--bogus", "-"}, 2, false, "flag provided but not defined: -bogus"},
		{"client without store", []string{"parse", "--client", "sentry.python/0.10.0", "-"}, 2, false, "-client applies only with -store"},
		{"dsn without a DSN", []string{"dsn"}, 2, false, "usage: sentrywire dsn DSN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, "", tt.args...)
			assert.Equal(t, tt.code, code)
			if tt.inStdout {
				assert.Contains(t, stdout, tt.want)
				assert.Empty(t, stderr)
			} else {
				assert.Contains(t, stderr, tt.want)
				assert.Empty(t, stdout)
			}
		})
	}
}

func TestDSN(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want string
	}{
		{"sentry.io", "https://abc@o1.ingest.sentry.io/42", `{
			"scheme": "https", "public_key": "abc", "secret_key": "", "host": "o1.ingest.sentry.io",
			"port": 443, "path": "/", "project_id": "42", "org_id": 1,
			"envelope_url": "https://o1.ingest.sentry.io/api/42/envelope/",
			"store_url": "https://o1.ingest.sentry.io/api/42/store/",
			"otlp_traces_url": "https://o1.ingest.sentry.io/api/42/integration/otlp/v1/traces"}`},
		{"IPv6, port, path prefix, secret", "HTTP://pub:sec@[0:0::1]:9000/sentry/relay/7", `{
			"scheme": "http", "public_key": "pub", "secret_key": "sec", "host": "[::1]",
			"port": 9000, "path": "/sentry/relay/", "project_id": "7", "org_id": null,
			"envelope_url": "http://[::1]:9000/sentry/relay/api/7/envelope/",
			"store_url": "http://[::1]:9000/sentry/relay/api/7/store/",
			"otlp_traces_url": "http://[::1]:9000/sentry/relay/api/7/integration/otlp/v1/traces"}`},
		{"default http port", "http://k@sentry.example.com:80/abc", `{
			"scheme": "http", "public_key": "k", "secret_key": "", "host": "sentry.example.com",
			"port": 80, "path": "/", "project_id": "abc", "org_id": null,
			"envelope_url": "http://sentry.example.com/api/abc/envelope/",
			"store_url": "http://sentry.example.com/api/abc/store/",
			"otlp_traces_url": "http://sentry.example.com/api/abc/integration/otlp/v1/traces"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, "", "dsn", tt.dsn)
			require.Equal(t, 0, code, stderr)
			assert.JSONEq(t, tt.want, stdout)
			// The keys come in the documented order.
			var keys []string
			for _, m := range members(t, jsontext.Value(stdout)) {
				k, _, _ := strings.Cut(m, "=")
				keys = append(keys, k)
			}
			assert.Equal(t, []string{"scheme", "public_key", "secret_key", "host", "port", "path",
				"project_id", "org_id", "envelope_url", "store_url", "otlp_traces_url"}, keys)
		})
	}
}

func TestDSNErrors(t *testing.T) {
	tests := []struct {
		dsn  string
		want string
	}{
		{"ftp://a@b/1", `error: dsn: invalid DSN scheme: scheme "ftp": want http or https`},
		{"https://o1.ingest.sentry.io/42", "error: " + mustFail(t, "https://o1.ingest.sentry.io/42")},
		{"https://key@host.example", "error: " + mustFail(t, "https://key@host.example")},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			code, stdout, stderr := cli(t, "", "dsn", tt.dsn)
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			assert.Equal(t, tt.want+"\n", stderr)
		})
	}
}

// mustFail returns the text of the library's error for an invalid DSN.
func mustFail(t *testing.T, s string) string {
	t.Helper()
	_, err := dsn.Parse(s)
	require.Error(t, err)
	return err.Error()
}

// TestBinarySmoke builds the command and feeds it the smoke input of the
// repository's before-stop hook, so that the real binary's exit statuses and
// streams are checked, not only run's.
func TestBinarySmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "sentrywire")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	cmd := exec.Command(bin, "parse", "-")
	cmd.Stdin = strings.NewReader("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"event\"}\n{\"message\":\"hi\"}\n{\"type\":\"attachment\",\"length\":3}\nabc\n")
	stdout, err := cmd.Output()
	require.NoError(t, err)
	var got struct {
		Items []struct {
			Header struct {
				Type string `json:"type"`
			} `json:"header"`
			PayloadSize int `json:"payload_size"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal(stdout, &got))
	require.Len(t, got.Items, 2)
	assert.Equal(t, "event", got.Items[0].Header.Type)
	assert.Equal(t, "attachment", got.Items[1].Header.Type)
	assert.Equal(t, 3, got.Items[1].PayloadSize)

	stdout, err = exec.Command(bin, "dsn", "https://abc@o1.ingest.sentry.io/42").Output()
	require.NoError(t, err)
	var d struct {
		EnvelopeURL string `json:"envelope_url"`
		ProjectID   string `json:"project_id"`
	}
	require.NoError(t, json.Unmarshal(stdout, &d, json.RejectUnknownMembers(false)))
	assert.Equal(t, "https://o1.ingest.sentry.io/api/42/envelope/", d.EnvelopeURL)
	assert.Equal(t, "42", d.ProjectID)

	var stderr bytes.Buffer
	cmd = exec.Command(bin, "parse", "-")
	cmd.Stdin = strings.NewReader("{}\n\n")
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Equal(t, "error: unexpected end of file: item 0 at byte 4\n", stderr.String())

	err = exec.Command(bin).Run()
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
}

// TestParseDecode decodes every item of every capture with -decode and
// checks that each typed payload is printed and matches the library.
func TestParseDecode(t *testing.T) {
	for _, c := range loadCaptures(t) {
		t.Run(c.Name, func(t *testing.T) {
			args := []string{"parse", "-decode"}
			if c.Headers["Content-Encoding"] == "gzip" {
				args = append(args, "-encoding", "gzip")
			}
			if c.IsStore() {
				args = append(args, "-store")
			}
			code, stdout, stderr := cli(t, "", append(args, c.File)...)
			require.Equal(t, 0, code, stderr)
			var out struct {
				Items []struct {
					Header   map[string]jsontext.Value `json:"header"`
					Decoded  map[string]jsontext.Value `json:"decoded"`
					Warnings []string                  `json:"warnings"`
				} `json:"items"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &out, json.RejectUnknownMembers(false)))
			require.NotEmpty(t, out.Items)
			for i, it := range out.Items {
				assert.NotEmpty(t, it.Decoded, "item %d (%s) is decoded", i, it.Header["type"])
				assert.Empty(t, it.Warnings)
				switch string(it.Header["type"]) {
				case `"event"`, `"transaction"`:
					assert.Contains(t, it.Decoded, "event_id")
				case `"log"`, `"span"`, `"trace_metric"`:
					assert.Contains(t, it.Decoded, "items")
				}
			}
		})
	}
}

func TestParseDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in, stderr, decodeError, warning string
		code                                   int
	}{
		{name: "bad session", in: "{}\n{\"type\":\"session\"}\n{\"started\":1}\n", code: 1,
			stderr: "error: item 0: protocol: session at /started", decodeError: "protocol: session at /started"},
		{name: "log container without item_count", in: "{}\n{\"type\":\"log\",\"content_type\":\"application/vnd.sentry.items.log+json\"}\n{\"items\":[]}\n", code: 1,
			stderr: "error: item 0: protocol: log", decodeError: "protocol: log"},
		{name: "event with a wrong type is decoded with a warning", in: "{}\n{\"type\":\"event\"}\n{\"level\":\"loud\",\"message\":\"x\"}\n",
			warning: "/level: invalid value, ignored"},
		{name: "opaque items are not decoded", in: "{}\n{\"type\":\"replay_video\"}\nabc\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.in, "parse", "-decode", "-")
			assert.Equal(t, tt.code, code, stderr)
			if tt.stderr != "" {
				assert.True(t, strings.HasPrefix(stderr, tt.stderr), stderr)
				assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line")
			}
			var out struct {
				Items []struct {
					Decoded     jsontext.Value `json:"decoded"`
					Warnings    []string       `json:"warnings"`
					DecodeError string         `json:"decode_error"`
				} `json:"items"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &out, json.RejectUnknownMembers(false)), stdout)
			require.Len(t, out.Items, 1)
			assert.True(t, strings.HasPrefix(out.Items[0].DecodeError, tt.decodeError), out.Items[0].DecodeError)
			if tt.warning != "" {
				require.Len(t, out.Items[0].Warnings, 1)
				assert.True(t, strings.HasPrefix(out.Items[0].Warnings[0], tt.warning), out.Items[0].Warnings[0])
			}
		})
	}
}
