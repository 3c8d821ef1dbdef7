package sdkcapture

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/dsn"
	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
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

// summarise checks what sentrywire made of every request and collects item
// types and paths. The capture server already ran envelope.ReadRequest on
// each request; here the result is held against the raw bytes: the
// library's decoding against an independent gzip reader, Parse against the
// streaming Reader, and the parsed envelope against the body it came from.
//
// A request the library rejected fails the test with the library's error:
// real SDK traffic that does not go through is a sentrywire bug (or a Relay
// incompatibility worth knowing about), never something to paper over here.
func summarise(t *testing.T, reqs []Request) scenarioResult {
	t.Helper()
	res := scenarioResult{requests: reqs}
	for i, r := range reqs {
		assert.Equal(t, http.MethodPost, r.Method)
		res.paths = append(res.paths, r.Path)
		if r.Path != envelopePath && r.Path != storePath {
			t.Errorf("request to unexpected path %q", r.Path)
			continue
		}
		if !assert.NoError(t, r.IngestErr, "envelope.ReadRequest rejected request %d (%s %s?%s, Content-Encoding %q, Content-Type %q)",
			i, r.Method, r.Path, r.RawQuery, r.Header.Get("Content-Encoding"), r.Header.Get("Content-Type")) {
			continue
		}
		require.NotNil(t, r.Ingest)
		assert.EqualValues(t, 42, r.Ingest.ProjectID, "project id from the path")
		env := r.Ingest.Envelope
		require.NotNil(t, env)
		require.NotEmpty(t, env.Items, "request %d parsed to an envelope without items", i)

		// What the library decoded must be what any gzip reader decodes.
		body, err := envelope.ReadBody(bytes.NewReader(r.Body), r.Header.Get("Content-Encoding"), envelope.DefaultLimits().MaxEnvelopeSize)
		require.NoError(t, err, "envelope.ReadBody of request %d", i)
		plain, err := r.DecodedBody()
		require.NoError(t, err, "decode body of %s", r.Path)
		require.Equal(t, plain, body, "envelope.ReadBody and compress/gzip disagree on request %d", i)

		checkItems(t, env)
		switch r.Path {
		case envelopePath:
			if ct := r.Header.Get("Content-Type"); ct != "" {
				assert.Equal(t, envelope.ContentTypeEnvelope, ct)
			}
			checkEnvelope(t, env, body)
			for _, it := range env.Items {
				res.types = append(res.types, string(it.Type()))
			}
		case storePath:
			// The legacy endpoint takes one event as plain JSON, which
			// ParseStore wraps in an envelope of one item.
			require.Len(t, env.Items, 1, "store request %d", i)
			it := env.Items[0]
			assert.Contains(t, []envelope.ItemType{envelope.TypeEvent, envelope.TypeTransaction}, it.Type())
			var ev struct {
				EventID string `json:"event_id"`
			}
			require.NoError(t, json.Unmarshal(body, &ev, json.RejectUnknownMembers(false)), "store body is not a JSON object")
			require.NotEmpty(t, ev.EventID, "store body has no event_id")
			id, ok := env.EventID()
			require.True(t, ok, "ParseStore set no event_id")
			want, err := envelope.ParseEventID(ev.EventID)
			require.NoError(t, err)
			assert.Equal(t, want, id, "envelope event_id is not the event's")
			res.types = append(res.types, storeEvent)
		}
	}
	return res
}

// jsonItemTypes are the item types whose payload is a JSON document. An
// attachment is whatever bytes the user attached, so it is not listed.
var jsonItemTypes = []envelope.ItemType{
	envelope.TypeEvent, envelope.TypeTransaction, envelope.TypeSession, envelope.TypeSessions,
	envelope.TypeCheckIn, envelope.TypeClientReport, envelope.TypeLog, envelope.TypeSpan,
	envelope.TypeFeedback, envelope.TypeTraceMetric,
}

// checkItems checks every item's payload: known type, well-formed JSON
// where the type calls for JSON, for item containers an item_count that
// matches the records really inside, and that the typed decoders
// (envelope/protocol) read it with no error and nothing ignored.
func checkItems(t *testing.T, env *envelope.Envelope) {
	t.Helper()
	for i, it := range env.Items {
		typ := it.Type()
		assert.True(t, typ.IsKnown(), "item %d has a type sentrywire does not know: %q", i, typ)
		if v, warnings, err := protocol.DecodeItem(it); !errors.Is(err, protocol.ErrNotDecodable) {
			assert.NoError(t, err, "item %d (%s) does not decode", i, typ)
			assert.Empty(t, warnings, "item %d (%s) decodes with warnings", i, typ)
			assert.NotNil(t, v, "item %d (%s)", i, typ)
			if ev, ok := v.(*protocol.Event); ok && typ == envelope.TypeEvent {
				checkGrouping(t, i, ev)
			}
		}
		if !slices.Contains(jsonItemTypes, typ) {
			continue
		}
		p := it.Payload()
		if !assert.NotEmpty(t, p, "item %d (%s) has an empty payload", i, typ) {
			continue
		}
		assert.True(t, jsontext.Value(p).IsValid(), "item %d (%s) payload is not valid JSON: %.200q", i, typ, p)
		if !it.IsContainer() {
			continue
		}
		n, ok := it.ItemCount()
		if !assert.True(t, ok, "container item %d (%s) has no item_count: %s", i, typ, it.Raw()) {
			continue
		}
		var c struct {
			Items []jsontext.Value `json:"items"`
		}
		require.NoError(t, json.Unmarshal(p, &c, json.RejectUnknownMembers(false)), "container item %d (%s)", i, typ)
		assert.EqualValues(t, len(c.Items), n, "item_count of container item %d (%s)", i, typ)
	}
}

// groupingConfigs are Sentry's two grouping configs, compiled once.
var groupingConfigs = sync.OnceValue(func() []*grouping.Config {
	var cs []*grouping.Config
	for _, id := range []string{grouping.Newstyle2026, grouping.Newstyle2023} {
		c, err := grouping.NewConfig(id)
		if err != nil {
			panic(err)
		}
		cs = append(cs, c)
	}
	return cs
})

// checkGrouping groups an error or message event the SDK sent live under
// both configs: it groups by what it says, never into the fallback.
func checkGrouping(t *testing.T, i int, ev *protocol.Event) {
	t.Helper()
	for _, res := range grouping.GroupAll(ev, groupingConfigs()...) {
		if assert.NotEmpty(t, res.Hashes, "item %d groups under %s", i, res.Config) {
			assert.Nil(t, res.Variant("fallback"), "item %d groups into the fallback under %s:\n%s", i, res.Config, res.Explain())
		}
	}
}

// checkEnvelope holds a parsed envelope against the decoded body it came
// from: the streaming Reader must frame the body exactly as Parse did, and
// writing the unchanged envelope back must reproduce the body byte for byte.
func checkEnvelope(t *testing.T, env *envelope.Envelope, body []byte) {
	t.Helper()
	// Not even sent_at is universal: @sentry/node 11 omits it on log and
	// metric containers, and sentry-python 1.9 sends session aggregates
	// under an empty {} header. So only the DSN is checked, when present.
	if d, ok := env.DSN(); ok {
		// The DSN in the header must be the fake loopback one: captures are
		// committed and must never carry a real key.
		assert.Equal(t, PublicKey, d.PublicKey)
		assert.Equal(t, "127.0.0.1", d.Host)
		assert.Equal(t, ProjectID, d.ProjectID)
	}

	type frame struct {
		Header  string
		Payload string
	}
	var want []frame
	for _, it := range env.Items {
		want = append(want, frame{string(it.Raw()), string(it.Payload())})
	}
	rd := envelope.NewReader(bytes.NewReader(body))
	h, err := rd.Header()
	require.NoError(t, err, "Reader.Header")
	assert.Equal(t, string(env.Raw()), string(h.Raw()), "envelope header: Reader and Parse disagree")
	var got []frame
	for {
		ih, err := rd.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "Reader.Next after %d items", len(got))
		// The header is only valid until the next call to Next: copy it.
		hdr := string(ih.Raw())
		p, err := io.ReadAll(rd)
		require.NoError(t, err, "Reader payload of item %d", len(got))
		got = append(got, frame{hdr, string(p)})
	}
	assert.Equal(t, want, got, "Reader and Parse frame the envelope differently")

	out, err := env.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, string(body), string(out), "MarshalBinary does not give back the body")
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

// sources maps the carriers authParams names to what dsn.FromRequest
// records.
var sources = map[string]dsn.Source{"header": dsn.SourceXSentryAuth, "query": dsn.SourceQuery}

// assertAuth checks the auth carrier and the parameters every SDK sends, as
// read by hand and as envelope.ReadRequest read them.
func assertAuth(t *testing.T, reqs []Request, wantWhere, clientPrefix string) {
	t.Helper()
	for _, r := range reqs {
		p, where := authParams(t, r)
		assert.Equal(t, wantWhere, where, "auth carrier for %s", r.Path)
		if r.Ingest != nil {
			a := r.Ingest.Auth
			assert.Equal(t, sources[wantWhere], a.Source, "auth source recorded by ReadRequest for %s: %s", r.Path, a.Source)
			assert.Equal(t, PublicKey, a.PublicKey)
			assert.Equal(t, p["sentry_client"], a.Client)
			assert.Equal(t, 7, a.Version)
		}
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

// requireTool finds an external program; when it is missing, see missing.
func requireTool(t *testing.T, name, why string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		missing(t, name+" not found ("+why+")")
	}
}

// missing fails the test: a suite whose SDK or runtime is not installed
// must not pass unseen, on a laptop or in CI. With go test -short it skips
// instead, for a quick run on a machine without them.
func missing(t *testing.T, msg string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("%s; skipped under -short", msg)
	}
	t.Fatalf("%s; run examples/sdkcapture/install.sh (or go test -short to skip what is missing)", msg)
}

// runScript runs an SDK driver script with SENTRY_DSN set to dsn.
func runScript(t *testing.T, dsn string, dir string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv("SENTRY_DSN=" + dsn)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %v failed:\n%s", name, args, out)
	if len(out) > 0 {
		t.Logf("%s output:\n%s", name, out)
	}
}
