package sdkcapture

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
)

// debianPython is the interpreter apt installs python3-sentry-sdk into. The
// pyenv python earlier on PATH does not see Debian's dist-packages.
const debianPython = "/usr/bin/python3"

func TestPython(t *testing.T) {
	requireTool(t, debianPython, "Debian's python3 runs the Python SDK")
	for _, mod := range []string{"sentry_sdk", "django"} {
		if err := exec.Command(debianPython, "-c", "import "+mod).Run(); err != nil {
			missing(t, "python module "+mod+" is not installed for "+debianPython)
		}
	}

	tests := []struct {
		name string
		want []string
	}{
		// sentry-sdk 1.9 still sends error and message events to the legacy
		// store endpoint, gzipped; only the rest travels in envelopes.
		{name: "error", want: []string{storeEvent}},
		{name: "message", want: []string{storeEvent}},
		// /ok and /boom through Django's WSGI handler: two transactions, the
		// error from /boom, and request-mode session aggregates.
		{name: "django", want: []string{storeEvent, "transaction", "sessions"}},
		// The failing view through django.test.Client: the error only.
		{name: "django-testclient", want: []string{storeEvent}},
	}

	srv := NewServer(t)
	requests := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Reset()
			runScript(t, srv.DSN(), "python", debianPython, "capture.py", tt.name)
			reqs := srv.Settle(200*time.Millisecond, 5*time.Second)
			require.NotEmpty(t, reqs, "sentry-python sent nothing")
			requests += len(reqs)

			res := summarise(t, reqs)
			assertTypes(t, res.types, tt.want, []string{"client_report"})
			assertAuth(t, reqs, "header", "sentry.python/")
			for _, r := range reqs {
				assert.Equal(t, "gzip", r.Header.Get("Content-Encoding"), "sentry-python 1.9 gzips every body")
				assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "sentry.python/"))
				wantCT := "application/x-sentry-envelope"
				if r.Path == storePath {
					wantCT = "application/json"
				}
				assert.Equal(t, wantCT, r.Header.Get("Content-Type"), r.Path)
			}
			maybeWrite(t, "python", tt.name, reqs)
		})
	}
	suitelog.Report(t, t.Name(), requests, fmt.Sprintf("requests from %d scenarios", len(tests)))
}
