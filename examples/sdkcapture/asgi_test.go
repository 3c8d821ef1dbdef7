package sdkcapture

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
)

// asgiPaths are the failing requests; the same view fails for both, so
// the two events must share one issue.
var asgiPaths = []string{"/orders/9/", "/orders/9/", "/orders/10/"}

// TestASGI serves a Django project (python/asgiapp) with async views under
// uvicorn, wrapped in SentryAsgiMiddleware, and checks that an exception
// raised in an async view arrives with its type and request URL, and that
// repeats of it form one issue.
func TestASGI(t *testing.T) {
	requirePythonModules(t, "sentry_sdk", "django", "uvicorn")
	for _, sdk := range pythonSDKs {
		t.Run(sdk.name, func(t *testing.T) {
			t.Parallel()
			pythonPath := sdkPythonPath(t, sdk.pythonPath)
			in := startIngest(t)
			base := startUvicorn(t, in.DSN, pythonPath)

			for _, p := range asgiPaths {
				resp, err := guideClient.Get(base + p)
				require.NoError(t, err, "GET %s", p)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				assert.Equal(t, http.StatusInternalServerError, resp.StatusCode, "GET %s", p)
			}
			var urls []string
			issues := map[string]int{} // group hash → events
			var version string
			for _, a := range in.WaitEvents(t, len(asgiPaths), 10*time.Second) {
				ev := a.Event
				require.NotNil(t, ev.SDK)
				assert.True(t, strings.HasPrefix(ev.SDK.Version, sdk.version), "SDK version %q", ev.SDK.Version)
				version = ev.SDK.Version
				if assert.NotEmpty(t, ev.Exception.Values, "event %s has no exception", ev.EventID) {
					exc := ev.Exception.Values[len(ev.Exception.Values)-1]
					assert.Equal(t, "OrderNotFound", exc.Type)
					assert.True(t, strings.HasPrefix(string(exc.Value), "order "), "exception value %q", exc.Value)
					if assert.NotNil(t, exc.Mechanism) && assert.NotNil(t, exc.Mechanism.Handled) {
						assert.False(t, *exc.Mechanism.Handled, "a 500 is unhandled")
					}
				}
				assert.True(t, strings.HasPrefix(a.Line.Title, "OrderNotFound: order "), "issue title %q", a.Line.Title)
				// transaction_style="url" names it after the route, which
				// the SDK writes with {name} for a converter.
				assert.Equal(t, "/orders/{order_id}/", ev.Transaction)
				req, _, err := ev.Request.Get()
				require.NoError(t, err, "request of event %s", ev.EventID)
				urls = append(urls, req.URL)
				issues[a.Line.Group]++
			}
			var want []string
			for _, p := range asgiPaths {
				want = append(want, base+p)
			}
			assert.ElementsMatch(t, want, urls, "one event per failed request, with its URL")
			assert.Len(t, issues, 1, "every failure of the view is one issue: %v", issues)
			suitelog.Report(t, t.Name(), len(urls), fmt.Sprintf("async-view errors at examples/ingest, in %d issue(s) (sentry_sdk %s)", len(issues), version))
		})
	}
}

// startUvicorn serves python/asgiapp with uvicorn on a free loopback port
// and returns its base URL once it answers.
func startUvicorn(t *testing.T, dsn, pythonPath string) string {
	t.Helper()
	addr := freeAddr(t)
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	exited, out := startProcess(t, "uvicorn", func(ctx context.Context) *exec.Cmd {
		// Django's ASGI handler does not speak the lifespan protocol.
		c := exec.CommandContext(ctx, debianPython, "-m", "uvicorn", "shop.asgi:application",
			"--host", host, "--port", port, "--lifespan", "off", "--no-access-log")
		c.Dir = filepath.Join("python", "asgiapp")
		c.Env = pythonEnv(pythonPath, "SENTRY_DSN="+dsn)
		return c
	})
	base := "http://" + addr
	waitFor(t, "uvicorn", exited, out, func() bool {
		resp, err := guideClient.Get(base + "/ok/")
		if err != nil {
			return false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "GET /ok/:\n%s", out.String())
		return true
	})
	return base
}
