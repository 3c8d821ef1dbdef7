package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// converted is the output of the otlp command, read back.
type converted struct {
	Spans []struct {
		TraceID      string `json:"trace_id"`
		SpanID       string `json:"span_id"`
		ParentSpanID string `json:"parent_span_id"`
		Name         string `json:"name"`
		Status       string `json:"status"`
	} `json:"spans"`
	Transactions []jsontext.Value `json:"transactions"`
	Errors       []jsontext.Value `json:"errors"`
	Logs         []struct {
		Body  string `json:"body"`
		Level string `json:"level"`
	} `json:"logs"`
	Rejected []struct {
		Path  string `json:"path"`
		Error string `json:"error"`
	} `json:"rejected"`
}

// The input of the before-stop hook's OTLP check: one failed server span.
const otlpSmoke = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"GET /","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000","status":{"code":2}}]}]}]}`

const otlpTree = `{"resourceSpans":[{"scopeSpans":[{"spans":[
	{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"GET /orders","kind":2,
	 "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"},
	{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","parentSpanId":"eee19b7ec3c1b174","name":"SELECT orders",
	 "startTimeUnixNano":"1700000000100000000","endTimeUnixNano":"1700000000200000000",
	 "events":[{"name":"exception","timeUnixNano":"1700000000150000000","attributes":[
	   {"key":"exception.type","value":{"stringValue":"ValueError"}},{"key":"exception.message","value":{"stringValue":"no such order"}}]}]},
	{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"","name":"no id",
	 "startTimeUnixNano":"1700000000100000000","endTimeUnixNano":"1700000000200000000"}]}]}]}`

const otlpLogs = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[
	{"timeUnixNano":"1700000000000000000","severityNumber":17,"body":{"stringValue":"payment failed"}}]}]}]}`

func otlpProtobuf(t *testing.T) []byte {
	t.Helper()
	b, err := proto.Marshal(&tracepb.TracesData{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{
			TraceId: bytes.Repeat([]byte{0xab}, 16), SpanId: bytes.Repeat([]byte{0xcd}, 8), Name: "work",
			StartTimeUnixNano: 1700000000000000000, EndTimeUnixNano: 1700000000500000000,
			Status: &tracepb.Status{Code: tracepb.Status_STATUS_CODE_OK},
		}}}},
	}}})
	require.NoError(t, err)
	return b
}

func TestOTLP(t *testing.T) {
	dir := t.TempDir()
	pbFile := filepath.Join(dir, "traces.pb")
	require.NoError(t, os.WriteFile(pbFile, otlpProtobuf(t), 0o644))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(otlpSmoke))
	require.NoError(t, zw.Close())
	gzFile := filepath.Join(dir, "traces.json.gz")
	require.NoError(t, os.WriteFile(gzFile, gz.Bytes(), 0o644))

	type span struct{ trace, id, parent, name, status string }
	tests := []struct {
		name         string
		stdin        string
		args         []string
		spans        []span
		transactions int
		errors       int
		logs         []string
		rejected     []string
	}{
		{name: "hook smoke input", stdin: otlpSmoke, args: []string{"--json", "-"},
			spans: []span{{"5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "", "GET /", "error"}}},
		{name: "sniffed JSON, Go flag form", stdin: "\n  " + otlpSmoke, args: []string{"-"},
			spans: []span{{"5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "", "GET /", "error"}}},
		{name: "sniffed protobuf file", args: []string{pbFile},
			spans: []span{{strings.Repeat("ab", 16), strings.Repeat("cd", 8), "", "work", "ok"}}},
		{name: "protobuf flag", args: []string{"-protobuf", pbFile},
			spans: []span{{strings.Repeat("ab", 16), strings.Repeat("cd", 8), "", "work", "ok"}}},
		{name: "gzip", args: []string{"--encoding", "gzip", "-json", gzFile},
			spans: []span{{"5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "", "GET /", "error"}}},
		{name: "empty protobuf request", stdin: "", args: []string{"-"}},
		{name: "rejected span", stdin: otlpTree, args: []string{"-"},
			spans: []span{
				{"5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "", "GET /orders", "ok"},
				{"5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b175", "eee19b7ec3c1b174", "SELECT orders", "ok"},
			},
			rejected: []string{"/resourceSpans/0/scopeSpans/0/spans/2"}},
		{name: "transactions and errors", stdin: otlpTree, args: []string{"-transactions", "--errors", "-"},
			transactions: 1, errors: 1, rejected: []string{"/resourceSpans/0/scopeSpans/0/spans/2"}},
		{name: "logs", stdin: otlpLogs, args: []string{"--logs", "-"}, logs: []string{"payment failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.stdin, append([]string{"otlp"}, tt.args...)...)
			require.Equal(t, 0, code, stderr)
			assert.Empty(t, stderr)
			// Every array is there, in order, even when empty.
			var keys []string
			for _, m := range members(t, jsontext.Value(stdout)) {
				k, v, _ := strings.Cut(m, "=")
				keys = append(keys, k)
				assert.True(t, strings.HasPrefix(v, "["), "%s is %s", k, v)
			}
			assert.Equal(t, []string{"spans", "transactions", "errors", "logs", "rejected"}, keys)

			var got converted
			require.NoError(t, json.Unmarshal([]byte(stdout), &got, json.RejectUnknownMembers(false)))
			if tt.transactions == 0 { // else the spans went into the transaction
				var spans []span
				for _, s := range got.Spans {
					spans = append(spans, span{s.TraceID, s.SpanID, s.ParentSpanID, s.Name, s.Status})
				}
				assert.Equal(t, tt.spans, spans)
			}
			assert.Len(t, got.Transactions, tt.transactions)
			assert.Len(t, got.Errors, tt.errors)
			var logs []string
			for _, l := range got.Logs {
				logs = append(logs, l.Body)
			}
			assert.Equal(t, tt.logs, logs)
			var rejected []string
			for _, r := range got.Rejected {
				rejected = append(rejected, r.Path)
				assert.NotEmpty(t, r.Error)
			}
			assert.Equal(t, tt.rejected, rejected)
		})
	}
}

func TestOTLPErrors(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string // a part of standard error
	}{
		{"malformed JSON", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}`, []string{"-"}, 1,
			"error: otlp: invalid OTLP JSON at byte"},
		{"protobuf that is not", "\x0a\x05\x12", []string{"-protobuf", "-"}, 1, "error: otlp: invalid OTLP protobuf"},
		{"JSON forced on protobuf", "\x0a\x00", []string{"-json", "-"}, 1, "error: otlp: invalid OTLP JSON"},
		{"bad Content-Encoding", otlpSmoke, []string{"-encoding", "lz4", "-"}, 1, "error: unsupported Content-Encoding"},
		{"corrupt gzip", otlpSmoke, []string{"-encoding", "gzip", "-"}, 1, "error: corrupt compressed body"},
		{"both encodings", otlpSmoke, []string{"-json", "-protobuf", "-"}, 2, "-json and -protobuf exclude each other"},
		{"transactions of logs", otlpLogs, []string{"-logs", "-transactions", "-"}, 2, "apply to traces"},
		{"no file", "", nil, 2, "usage: sentrywire otlp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.stdin, append([]string{"otlp"}, tt.args...)...)
			assert.Equal(t, tt.code, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.want)
			if tt.code == 1 {
				assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
			}
		})
	}
}
