package sdkcapture

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
)

// nodeVersion is the @sentry/node version pinned in node/package.json; the
// test checks the SDK identifies itself with it, so a lock-file bump that
// was not meant to happen shows up here.
const nodeVersion = "11.12.0"

func TestNode(t *testing.T) {
	requireTool(t, "node", "the Node.js SDK captures need it")
	if _, err := os.Stat(filepath.Join("node", "node_modules", "@sentry", "node", "package.json")); err != nil {
		missing(t, "@sentry/node is not installed in node/node_modules")
	}

	tests := []struct {
		name string
		want []string
	}{
		{name: "error", want: []string{"event"}},
		{name: "message", want: []string{"event"}},
		{name: "session", want: []string{"session"}},
		// SDK 11 defaults to streamed spans: a span v2 container, no
		// transaction.
		{name: "spans", want: []string{"span"}},
		{name: "transaction", want: []string{"transaction"}},
		{name: "logs", want: []string{"log"}},
		{name: "metrics", want: []string{"trace_metric"}},
		{name: "checkin", want: []string{"check_in"}},
		{name: "feedback", want: []string{"event", "feedback"}},
		{name: "attachment", want: []string{"event", "attachment"}},
		{name: "attachment-gzip", want: []string{"event", "attachment"}},
	}

	srv := NewServer(t)
	requests := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Reset()
			runScript(t, srv.DSN(), "node", "node", "capture.js", tt.name)
			reqs := srv.Settle(200*time.Millisecond, 5*time.Second)
			require.NotEmpty(t, reqs, "@sentry/node sent nothing")
			requests += len(reqs)

			res := summarise(t, reqs)
			// Client reports are sent on the SDK's own schedule; tolerate them.
			assertTypes(t, res.types, tt.want, []string{"client_report"})
			for _, p := range res.paths {
				assert.Equal(t, envelopePath, p)
			}
			// The Node SDK authenticates in the query string, not with
			// X-Sentry-Auth, and sets no Content-Type.
			assertAuth(t, reqs, "query", "sentry.javascript.node/"+nodeVersion)
			for _, r := range reqs {
				assert.Equal(t, "sentry.javascript.node/"+nodeVersion, r.Header.Get("User-Agent"))
				assert.Empty(t, r.Header.Get("X-Sentry-Auth"))
			}
			// The transport gzips bodies over 32 KiB and nothing else.
			if tt.name == "attachment-gzip" {
				assert.True(t, anyEncoded(reqs, "gzip"), "a >32 KiB envelope should be gzipped")
			} else {
				assert.False(t, anyEncoded(reqs, "gzip"), "small envelopes should not be compressed")
			}
			maybeWrite(t, "node", tt.name, reqs)
		})
	}
	suitelog.Report(t, t.Name(), requests, fmt.Sprintf("requests from %d scenarios", len(tests)))
}

func anyEncoded(reqs []Request, enc string) bool {
	for _, r := range reqs {
		if r.Header.Get("Content-Encoding") == enc {
			return true
		}
	}
	return false
}
