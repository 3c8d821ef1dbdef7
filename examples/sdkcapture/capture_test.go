package sdkcapture

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// update rewrites the committed captures under envelope/testdata/sdk. Without
// it the SDKs still run live and every assertion still applies, so CI keeps
// exercising the real clients; only the files are left alone.
var update = flag.Bool("update", false, "rewrite the SDK captures under envelope/testdata/sdk")

// captureRoot is where the library's own tests expect the captures. It is a
// path relative to this package's directory, which is the working directory
// of `go test`.
const captureRoot = "../../envelope/testdata/sdk"

const (
	envelopePath = "/api/" + ProjectID + "/envelope/"
	storePath    = "/api/" + ProjectID + "/store/"
)

// storeEvent is the pseudo item type the tests record for a store-endpoint
// request, whose body is a bare event rather than an envelope.
const storeEvent = "store:event"

// scenarioResult is what one scenario sent, reduced to what the tests assert.
type scenarioResult struct {
	requests []Request
	// types lists every item type seen, in request and item order; store
	// requests contribute storeEvent.
	types []string
	paths []string
}

// summarise checks the framing of every request and collects item types and
// paths. It decodes Content-Encoding first: the captures keep raw bytes, but
// the envelope inside is what has to be well formed.
func summarise(t *testing.T, reqs []Request) scenarioResult {
	t.Helper()
	res := scenarioResult{requests: reqs}
	for _, r := range reqs {
		assert.Equal(t, http.MethodPost, r.Method)
		res.paths = append(res.paths, r.Path)
		body, err := r.DecodedBody()
		require.NoError(t, err, "decode body of %s", r.Path)
		switch r.Path {
		case envelopePath:
			res.types = append(res.types, checkEnvelope(t, body, r.Header)...)
		case storePath:
			// The legacy endpoint takes one event as plain JSON.
			var ev map[string]jsontext.Value
			require.NoError(t, json.Unmarshal(body, &ev), "store body is not a JSON object")
			assert.Contains(t, ev, "event_id")
			res.types = append(res.types, storeEvent)
		default:
			t.Errorf("request to unexpected path %q", r.Path)
		}
	}
	return res
}

// checkEnvelope validates one decoded envelope body and returns the types of
// its items in order.
//
// PLACEHOLDER until envelope.Parse lands: the lead replaces the body of this
// function with a call to the real parser. For now it splits off the first
// line, decodes the envelope header with jsontext, and walks the items with
// the simplest reading of the framing rules (explicit length when given,
// otherwise up to the next newline). It deliberately assumes the well-formed
// output SDKs produce and is no model for the real parser.
func checkEnvelope(t *testing.T, body []byte, headers http.Header) []string {
	t.Helper()
	if ct := headers.Get("Content-Type"); ct != "" {
		assert.Equal(t, "application/x-sentry-envelope", ct)
	}
	line, rest, _ := bytes.Cut(body, []byte("\n"))
	var header map[string]jsontext.Value
	require.NoError(t, json.Unmarshal(line, &header), "envelope header")
	// Not even sent_at is universal: @sentry/node 11 omits it on log and
	// metric containers, and sentry-python 1.9 sends session aggregates
	// under an empty {} header. So only the DSN is checked, when present.
	if dsn, ok := header["dsn"]; ok {
		// The DSN in the header must be the fake loopback one: captures are
		// committed and must never carry a real key.
		var s string
		require.NoError(t, json.Unmarshal(dsn, &s))
		assert.Contains(t, s, PublicKey+"@127.0.0.1:")
	}

	var types []string
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		var item struct {
			Type   string `json:"type"`
			Length *int   `json:"length"`
		}
		require.NoError(t, json.Unmarshal(line, &item, json.RejectUnknownMembers(false)), "item header %q", line)
		require.NotEmpty(t, item.Type, "item header %s", line)
		types = append(types, item.Type)
		if item.Length != nil {
			require.LessOrEqual(t, *item.Length, len(rest), "item %s overruns the body", line)
			rest = rest[*item.Length:]
			if len(rest) > 0 {
				require.Equal(t, byte('\n'), rest[0], "no newline after explicit-length payload of %s", line)
				rest = rest[1:]
			}
		} else {
			_, rest, _ = bytes.Cut(rest, []byte("\n"))
		}
	}
	return types
}

// authParams returns the sentry_* auth parameters of a request and where
// they were found: "header" (X-Sentry-Auth) or "query". The header form is
// `Sentry k=v, k=v`.
func authParams(t *testing.T, r Request) (map[string]string, string) {
	t.Helper()
	params := map[string]string{}
	if h := r.Header.Get("X-Sentry-Auth"); h != "" {
		rest, ok := strings.CutPrefix(h, "Sentry ")
		require.True(t, ok, "X-Sentry-Auth %q lacks the Sentry prefix", h)
		for kv := range strings.SplitSeq(rest, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			params[k] = v
		}
		return params, "header"
	}
	q, err := url.ParseQuery(r.RawQuery)
	require.NoError(t, err)
	for k := range q {
		if strings.HasPrefix(k, "sentry_") {
			params[k] = q.Get(k)
		}
	}
	return params, "query"
}

// assertAuth checks the auth carrier and the parameters every SDK sends.
func assertAuth(t *testing.T, reqs []Request, wantWhere, clientPrefix string) {
	t.Helper()
	for _, r := range reqs {
		p, where := authParams(t, r)
		assert.Equal(t, wantWhere, where, "auth carrier for %s", r.Path)
		assert.Equal(t, PublicKey, p["sentry_key"])
		assert.Equal(t, "7", p["sentry_version"])
		assert.True(t, strings.HasPrefix(p["sentry_client"], clientPrefix),
			"sentry_client %q does not start with %q", p["sentry_client"], clientPrefix)
		assert.Empty(t, p["sentry_secret"], "no SDK should send a secret key")
	}
}

// assertTypes checks that every wanted item type was sent and that anything
// else belongs to the allowed background traffic.
func assertTypes(t *testing.T, got, want, allowExtra []string) {
	t.Helper()
	for _, w := range want {
		assert.Contains(t, got, w, "item types sent: %v", got)
	}
	for _, g := range got {
		if !slices.Contains(want, g) && !slices.Contains(allowExtra, g) {
			t.Errorf("unexpected item type %q (sent: %v)", g, got)
		}
	}
}

// maybeWrite stores the captures when -update is set.
func maybeWrite(t *testing.T, sdk, scenario string, reqs []Request) {
	t.Helper()
	if !*update {
		return
	}
	for _, r := range reqs {
		// Captures are committed: refuse anything but the fake key.
		if p, _ := authParams(t, r); p["sentry_key"] != PublicKey {
			t.Fatalf("refusing to write a capture with key %q", p["sentry_key"])
		}
	}
	dir := filepath.Join(captureRoot, sdk)
	require.NoError(t, WriteFiles(dir, scenario, reqs))
	t.Logf("wrote %d request(s) to %s/%s.*", len(reqs), dir, scenario)
}

// requireTool finds an external program. When it is missing the test skips,
// except in CI (CI set), where install.sh must have provided it.
func requireTool(t *testing.T, name, why string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		missing(t, name+" not found ("+why+")")
	}
}

func missing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; CI is set, so install.sh should have installed it", msg)
	}
	t.Skipf("%s; run ./install.sh to enable this test", msg)
}

// runScript runs an SDK driver script with SENTRY_DSN pointing at srv.
func runScript(t *testing.T, srv *Server, dir string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	// A clean environment: inherited SENTRY_* variables (a real DSN, a
	// release, a debug switch) must not change or redirect what is sent.
	env := []string{"SENTRY_DSN=" + srv.DSN()}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SENTRY_") && !strings.HasPrefix(kv, "NODE_OPTIONS=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %v failed:\n%s", name, args, out)
	if len(out) > 0 {
		t.Logf("%s output:\n%s", name, out)
	}
}
