package sdkcapture

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
)

// sdk2Path is the sentry-python 2.x source tree the Django guide test runs
// with PYTHONPATH. It lives next to the repository, never inside it, so it
// is found relative to the repository's parent.
const sdk2Path = "../../../shared/sdks/sentry-python-2.68"

// guideCase is one request to the guide's Django project and the event it
// must produce.
type guideCase struct {
	path string
	// host is the Host header to send when it is not runserver's address.
	host    string
	status  int
	excType string // "" for a message event
	// excValue is the raised exception's message, when the test fixes it.
	excValue string
	// chain lists module.Type of every exception sent, causes first, when
	// the test fixes it.
	chain   []string
	level   protocol.Level
	logger  string // the Python logger that reported it; "" for the SDK's own
	message string // a message event's text
	tags    map[string]string
}

// disallowedHost is what Django logs on django.security.DisallowedHost for
// a request whose Host header is not in ALLOWED_HOSTS.
const disallowedHost = "Invalid HTTP_HOST header: 'evil.example'. You may need to add 'evil.example' to ALLOWED_HOSTS."

// guideCases are the guide's failures. Those requested twice must land in
// one issue, every distinct failure in an issue of its own.
var guideCases = []guideCase{
	{path: "/zero/", status: 500, excType: "ZeroDivisionError", level: protocol.LevelError},
	{path: "/zero/", status: 500, excType: "ZeroDivisionError", level: protocol.LevelError},
	{path: "/template/", status: 500, excType: "TemplateDoesNotExist", level: protocol.LevelError},
	{path: "/middleware/", status: 500, excType: "MiddlewareError", level: protocol.LevelError},
	{path: "/handled/", status: 200, excType: "ValueError", level: protocol.LevelError,
		tags: map[string]string{"guide": "handled", "order": "7"}},
	{path: "/message/", status: 200, level: protocol.LevelWarning, message: "order 7 is taking long"},
	// Django re-raises the driver's error as its own, from the original:
	// both are sent, the driver's as the cause.
	integrityCase, integrityCase,
	signalCase, signalCase,
	// A Host outside ALLOWED_HOSTS never reaches a view: Django answers 400
	// and logs an error on django.security.DisallowedHost, which the SDK's
	// logging integration (on by default) turns into a message event.
	// Django 3.2 logs it without exc_info, so neither SDK sends an exception.
	hostCase, hostCase,
}

var (
	integrityCase = guideCase{path: "/integrity/", status: 500, excType: "IntegrityError",
		excValue: "UNIQUE constraint failed: guide_order.number",
		chain:    []string{"sqlite3.IntegrityError", "django.db.utils.IntegrityError"},
		level:    protocol.LevelError}
	signalCase = guideCase{path: "/signal/", status: 500, excType: "SignalError",
		excValue: "audit receiver failed for signal",
		chain:    []string{"guide.signals.SignalError"},
		level:    protocol.LevelError}
	hostCase = guideCase{path: "/ok/", host: "evil.example", status: 400, level: protocol.LevelError,
		logger: "django.security.DisallowedHost", message: disallowedHost}
)

// guideIssues is how many issues guideCases make: one per distinct failure.
const guideIssues = 8

// TestDjangoGuide runs the Django guide's setup (python/guide: init at the
// top of settings.py, DjangoIntegration(transaction_style="url"), DSN from
// the environment, DEBUG=False) under Django's real runserver, on both
// Python SDKs a team meets, against the repository's own programs: the
// SDK sends to examples/proxy, which forwards to examples/ingest. It checks
// that every failure arrives as an event with the right exception and
// request URL, within a second, in the issue Sentry would put it in (the
// group hash the ingest prints), and that the proxy's
// -drop-disallowed-host rule drops the guide's DisallowedHost flood and
// nothing else.
func TestDjangoGuide(t *testing.T) {
	requirePythonModules(t, "sentry_sdk", "django")
	for _, sdk := range pythonSDKs {
		t.Run(sdk.name, func(t *testing.T) {
			t.Parallel()
			pythonPath := sdkPythonPath(t, sdk.pythonPath)
			// 1.9 still posts errors to the store endpoint, 2.x wraps them
			// in envelopes.
			eventPath := envelopePath
			if sdk.pythonPath == "" {
				eventPath = storePath
			}
			in := startIngest(t)
			// Without rules the proxy forwards every request untouched,
			// so the ingest sees what the SDK sent.
			open := startProxy(t, in.Base)
			base := startRunserver(t, open.DSN, pythonPath)

			sent := map[string][]time.Time{} // request URL → when each request was sent
			for _, c := range guideCases {
				url := guideURL(base, c)
				sent[url] = append(sent[url], time.Now())
				getGuide(t, base, c)
			}
			// The SDK sends from a background thread; wait until every
			// event is in and the ingest has gone quiet.
			arrived := in.WaitEvents(t, len(guideCases), 10*time.Second)
			// Events are matched to requests by request URL: the bad-Host
			// request's event carries the Host it was sent with.
			byURL := map[string][]arrivedEvent{}
			var version string
			for _, a := range arrived {
				ev := a.Event
				require.NotNil(t, ev.SDK)
				// 2.x names the integration's SDK sentry.python.django,
				// 1.9 plain sentry.python.
				assert.True(t, strings.HasPrefix(ev.SDK.Name, "sentry.python"), "SDK name %q", ev.SDK.Name)
				assert.True(t, strings.HasPrefix(ev.SDK.Version, sdk.version), "SDK version %q", ev.SDK.Version)
				version = ev.SDK.Version
				req, _, err := ev.Request.Get()
				require.NoError(t, err, "request of event %s", ev.EventID)
				require.NotEmpty(t, req.URL, "event %s has no request URL", ev.EventID)
				byURL[req.URL] = append(byURL[req.URL], a)
			}
			// Every SDK request went through the proxy to the endpoint
			// this SDK version uses for errors, gzipped as sentry-python
			// sends everything.
			forwarded := strings.Count(open.Log(), "msg=forwarded project=42 path="+eventPath+" ")
			assert.Equal(t, len(guideCases), forwarded, "%s sends errors to %s; proxy log:\n%s", sdk.name, eventPath, open.Log())
			assert.NotContains(t, open.Log(), "msg=dropped", "the proxy has no rules")

			issues := map[string]string{}  // group hash → request URL
			groupOf := map[string]string{} // request URL → group hash
			checked := 0
			var slowest time.Duration
			for _, c := range guideCases {
				url := guideURL(base, c)
				evs := byURL[url]
				if !assert.NotEmpty(t, evs, "no event for %s (events by URL: %v)", url, keys(byURL)) {
					continue
				}
				a := evs[0]
				byURL[url] = evs[1:]
				// "Within a second": from sending the request to the
				// ingest's line about its event.
				at := sent[url][0]
				sent[url] = sent[url][1:]
				latency := a.Line.At.Sub(at)
				slowest = max(slowest, latency)
				assert.Less(t, latency, time.Second, "the event for %s reached the ingest's output %v after the request", url, latency)

				checkGuideEvent(t, c, url, a.Event, a.Line)
				if prev, seen := issues[a.Line.Group]; seen {
					assert.Equal(t, url, prev, "%s groups into the issue of %s", url, prev)
				}
				issues[a.Line.Group] = url
				groupOf[url] = a.Line.Group
				checked++
			}
			// Every repeated request joins its first one's issue, so each
			// distinct failure is one issue, and the ingest counts them.
			assert.Len(t, issues, guideIssues, "issues: %v", issues)
			counts := map[string]int{}
			for _, a := range arrived {
				l := a.Line
				counts[l.Group]++
				assert.Equal(t, counts[l.Group], l.Count, "the ingest's event count of issue %s", l.Group)
			}
			for url, rest := range byURL {
				assert.Empty(t, rest, "more events than requests for %s", url)
			}

			// With -drop-disallowed-host, the bad-Host request's event stops
			// at the proxy, and the next failure still goes through.
			zero := guideCases[0]
			zeroGroup := groupOf[guideURL(base, zero)]
			filter := startProxy(t, in.Base, "-drop-disallowed-host")
			base = startRunserver(t, filter.DSN, pythonPath)
			getGuide(t, base, hostCase)
			getGuide(t, base, zero)
			waitLog(t, filter, "msg=dropped project=42 type=event", 10*time.Second)
			after := in.WaitEvents(t, len(arrived)+1, 10*time.Second)
			if assert.Len(t, after, len(arrived)+1, "only the ZeroDivisionError passes the filtering proxy") {
				a := after[len(arrived)]
				l := a.Line
				checkGuideEvent(t, zero, guideURL(base, zero), a.Event, l)
				assert.Equal(t, zeroGroup, l.Group, "the ZeroDivisionError joins its issue")
				assert.Equal(t, 3, l.Count, "the ZeroDivisionError issue's third event")
				checked++
			}
			assert.Equal(t, 1, strings.Count(filter.Log(), "msg=dropped"), "proxy log:\n%s", filter.Log())

			t.Logf("%s (sentry_sdk %s): checked %d events from %d requests, in %d issues; slowest arrival %v",
				sdk.name, version, checked, len(guideCases)+2, len(issues), slowest)
			suitelog.Report(t, t.Name(), checked, fmt.Sprintf("events from %d requests through examples/proxy into examples/ingest, in %d issues, slowest %v; DisallowedHost dropped by -drop-disallowed-host (sentry_sdk %s)",
				len(guideCases)+2, len(issues), slowest.Round(time.Millisecond), version))
		})
	}
}

// guideURL is the request URL the SDK reports for case c against base.
func guideURL(base string, c guideCase) string {
	if c.host != "" {
		return "http://" + c.host + c.path
	}
	return base + c.path
}

// getGuide sends case c's request to the guide's runserver at base.
func getGuide(t *testing.T, base string, c guideCase) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+c.path, nil)
	require.NoError(t, err)
	req.Host = c.host // "" sends runserver's address
	resp, err := guideClient.Do(req)
	require.NoError(t, err, "GET %s", c.path)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	assert.Equal(t, c.status, resp.StatusCode, "GET %s", c.path)
}

// checkGuideEvent checks the event of case c, requested at url, and the
// ingest's line about it.
func checkGuideEvent(t *testing.T, c guideCase, url string, ev *protocol.Event, line eventLine) {
	t.Helper()
	assert.Equal(t, c.level, ev.Level, "level of %s", url)
	assert.Equal(t, string(c.level), line.Level, "the ingest's level of %s", url)
	assert.Equal(t, c.logger, ev.Logger, "logger of %s", url)
	assert.Equal(t, c.path, ev.Transaction, "transaction_style=url names the transaction after the route")
	if c.excType != "" {
		require.NotEmpty(t, ev.Exception.Values, "event for %s has no exception", url)
		// The last exception is the one raised; any before it are its
		// causes.
		exc := ev.Exception.Values[len(ev.Exception.Values)-1]
		assert.Equal(t, c.excType, exc.Type, "exception of %s", url)
		if c.excValue != "" {
			assert.Equal(t, c.excValue, string(exc.Value), "exception message of %s", url)
			assert.Equal(t, c.excType+": "+c.excValue, line.Title, "issue title of %s", url)
		}
		if c.chain != nil {
			var chain []string
			for _, e := range ev.Exception.Values {
				chain = append(chain, e.Module+"."+e.Type)
			}
			assert.Equal(t, c.chain, chain, "exception chain of %s", url)
		}
		assert.True(t, strings.HasPrefix(line.Title, c.excType+": "), "issue title %q of %s", line.Title, url)
		// Django's 500s are unhandled; the view's own capture_exception is
		// handled. Sentry reads a missing mechanism or flag as handled, and
		// 1.9 sends none for a plain capture_exception.
		handled := exc.Mechanism == nil || exc.Mechanism.Handled == nil || *exc.Mechanism.Handled
		assert.Equal(t, c.status == http.StatusOK, handled, "handled flag of %s (mechanism %+v)", url, exc.Mechanism)
	} else {
		assert.Empty(t, ev.Exception.Values, "message event for %s", url)
		// 1.9 sends only the logentry's message, 2.x also its formatted
		// text; with no params they are the same.
		if le := ev.LogMessage(); assert.NotNil(t, le, "message event for %s has no message", url) {
			assert.Equal(t, c.message, cmp.Or(le.Formatted, le.Message), "message of %s", url)
		}
		assert.Equal(t, c.message, line.Title, "issue title of %s", url)
	}
	for k, v := range c.tags {
		got, ok := ev.Tags.Get(k)
		assert.True(t, ok, "tag %s on %s", k, url)
		assert.Equal(t, v, got, "tag %s on %s", k, url)
	}
}

// waitLog waits until the proxy has logged want.
func waitLog(t *testing.T, p *proxyProcess, want string, max time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(max); !strings.Contains(p.Log(), want); {
		if time.Now().After(deadline) {
			t.Fatalf("the proxy did not log %q within %v:\n%s", want, max, p.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// guideClient sends the test's requests to runserver. Its timeout turns a
// hung Django process into a test failure instead of a stalled suite.
var guideClient = &http.Client{Timeout: 10 * time.Second}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// startRunserver starts `manage.py runserver` for the guide's project on a
// free loopback port, with SENTRY_DSN set to dsn and pythonPath (when set)
// on PYTHONPATH, waits until it answers and returns its base URL. The
// server is interrupted when the test ends, as Ctrl-C would stop it.
func startRunserver(t *testing.T, dsn, pythonPath string) string {
	t.Helper()
	addr := freeAddr(t)
	// Each run gets a sqlite database of its own (settings.py reads
	// GUIDE_DB), migrated first as a deployment would.
	env := pythonEnv(pythonPath, "SENTRY_DSN="+dsn, "GUIDE_DB="+filepath.Join(t.TempDir(), "guide.sqlite3"))
	dir := filepath.Join("python", "guide")
	migrate := exec.Command(debianPython, "manage.py", "migrate", "--no-input")
	migrate.Dir, migrate.Env = dir, env
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("manage.py migrate: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, debianPython, "manage.py", "runserver", addr, "--noreload")
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		<-exited
		t.Logf("runserver output:\n%s", out.String())
	})

	base := "http://" + addr
	for start := time.Now(); ; {
		resp, err := guideClient.Get(base + "/ok/")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, "GET /ok/")
			return base
		}
		select {
		case err := <-exited:
			t.Fatalf("runserver exited before answering (%v):\n%s", err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("runserver did not answer on %s within 20s:\n%s", addr, out.String())
		}
	}
}
