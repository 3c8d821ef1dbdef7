package sdkcapture

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/getsentry/sentry-go/attribute"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
)

// stackError carries the program counters of the place it was created.
// sentry-go finds stack traces on errors by reflection, looking for a
// StackTrace method in the style of github.com/pkg/errors; a plain
// fmt.Errorf chain would get no per-exception stack traces at all.
type stackError struct {
	msg   string
	cause error
	pcs   []uintptr
}

func newStackError(cause error, format string, args ...any) error {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(2, pcs)
	return &stackError{msg: fmt.Sprintf(format, args...), cause: cause, pcs: pcs[:n]}
}

func (e *stackError) Error() string {
	if e.cause == nil {
		return e.msg
	}
	return e.msg + ": " + e.cause.Error()
}
func (e *stackError) Unwrap() error         { return e.cause }
func (e *stackError) StackTrace() []uintptr { return e.pcs }

// nightlyMonitor is the monitor config the check-in scenarios send.
func nightlyMonitor() *sentry.MonitorConfig {
	return &sentry.MonitorConfig{
		Schedule:              sentry.CrontabSchedule("0 3 * * *"),
		CheckInMargin:         5,
		MaxRuntime:            30,
		Timezone:              "Europe/Vienna",
		FailureIssueThreshold: 2,
		RecoveryThreshold:     1,
	}
}

var errConnRefused = errors.New("connection refused: 127.0.0.1:5432")

func queryUser() error { return newStackError(errConnRefused, "query user 7") }

func loadUser() error {
	if err := queryUser(); err != nil {
		return fmt.Errorf("load user: %w", err)
	}
	return nil
}

func handleRequest() error {
	if err := loadUser(); err != nil {
		return newStackError(err, "GET /users/7")
	}
	return nil
}

// goScenario drives one sentry-go client. Scenarios get a hub bound to a
// fresh client and a context carrying that hub.
type goScenario struct {
	name string
	// opts adjusts the client options (defaults set in TestSentryGo).
	opts func(*sentry.ClientOptions)
	run  func(ctx context.Context, hub *sentry.Hub)
	want []string
}

func TestSentryGo(t *testing.T) {
	tests := []goScenario{
		{
			name: "error",
			run: func(_ context.Context, hub *sentry.Hub) {
				hub.CaptureException(handleRequest())
			},
			want: []string{"event"},
		},
		{
			name: "message",
			run: func(_ context.Context, hub *sentry.Hub) {
				hub.CaptureMessage("cache warmed in 42ms")
			},
			want: []string{"event"},
		},
		{
			name: "attachment",
			run: func(_ context.Context, hub *sentry.Hub) {
				hub.WithScope(func(scope *sentry.Scope) {
					scope.AddAttachment(&sentry.Attachment{
						Filename:    "config.json",
						ContentType: "application/json",
						Payload:     []byte(`{"feature_flags":{"new_checkout":true}}` + "\n"),
					})
					hub.CaptureMessage("config rejected")
				})
			},
			want: []string{"event", "attachment"},
		},
		{
			name: "transaction",
			run: func(ctx context.Context, _ *sentry.Hub) {
				tx := sentry.StartTransaction(ctx, "GET /orders", sentry.WithOpName("http.server"))
				db := tx.StartChild("db.query", sentry.WithDescription("SELECT * FROM orders"))
				db.Finish()
				render := tx.StartChild("template", sentry.WithDescription("render orders"))
				render.SetData("template", "orders.html")
				render.Finish()
				tx.Finish()
			},
			want: []string{"transaction"},
		},
		{
			name: "checkin",
			run: func(_ context.Context, hub *sentry.Hub) {
				cfg := nightlyMonitor()
				id := hub.CaptureCheckIn(&sentry.CheckIn{MonitorSlug: "nightly-report", Status: sentry.CheckInStatusInProgress}, cfg)
				hub.CaptureCheckIn(&sentry.CheckIn{ID: *id, MonitorSlug: "nightly-report", Status: sentry.CheckInStatusOK, Duration: 1500 * time.Millisecond}, cfg)
			},
			want: []string{"check_in"},
		},
		{
			name: "logs",
			run: func(ctx context.Context, _ *sentry.Hub) {
				logger := sentry.NewLogger(ctx)
				logger.Info().String("user.id", "7").Bool("admin", false).Emit("user logged in")
				logger.Warn().Int("duration_ms", 1234).Emitf("slow query took %d ms", 1234)
				logger.Error().Float64("amount", 9.99).Emit("payment failed")
			},
			want: []string{"log"},
		},
		{
			name: "metrics",
			run: func(ctx context.Context, _ *sentry.Hub) {
				meter := sentry.NewMeter(ctx)
				meter.SetAttributes(attribute.String("region", "eu"))
				meter.Count("orders.created", 1)
				meter.Gauge("queue.depth", 17)
				meter.Distribution("response.time", 23.5)
			},
			want: []string{"trace_metric"},
		},
		{
			// The legacy HTTPSyncTransport appends pending client reports to
			// the next event envelope; dropping one event in BeforeSend
			// produces a report about it.
			name: "client-report",
			opts: func(o *sentry.ClientOptions) {
				o.Transport = sentry.NewHTTPSyncTransport()
				o.BeforeSend = func(ev *sentry.Event, _ *sentry.EventHint) *sentry.Event {
					if strings.HasPrefix(ev.Message, "drop") {
						return nil
					}
					return ev
				}
			},
			run: func(_ context.Context, hub *sentry.Hub) {
				hub.CaptureMessage("drop me in before_send")
				hub.CaptureMessage("after a dropped event")
			},
			want: []string{"event", "client_report"},
		},
	}

	srv := NewServer(t)
	requests := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Reset()
			opts := sentry.ClientOptions{
				Dsn:              srv.DSN(),
				Release:          "sdkcapture@1.0.0",
				Environment:      "capture",
				ServerName:       "sdkcapture-host",
				EnableTracing:    true,
				TracesSampleRate: 1.0,
				// Client reports from one scenario's teardown must not leak
				// into the next scenario's capture; the client-report
				// scenario turns them back on.
				DisableClientReports: tt.name != "client-report",
			}
			if tt.opts != nil {
				tt.opts(&opts)
			}
			client, err := sentry.NewClient(opts)
			require.NoError(t, err)
			hub := sentry.NewHub(client, sentry.NewScope())
			ctx := sentry.SetHubOnContext(context.Background(), hub)

			tt.run(ctx, hub)
			require.True(t, client.Flush(5*time.Second), "flush timed out")
			client.Close()

			reqs := srv.Settle(200*time.Millisecond, 5*time.Second)
			require.NotEmpty(t, reqs, "sentry-go sent nothing")
			requests += len(reqs)
			res := summarise(t, reqs)
			assertTypes(t, res.types, tt.want, nil)
			for _, p := range res.paths {
				assert.Equal(t, envelopePath, p, "sentry-go sends everything as envelopes")
			}
			assertAuth(t, reqs, "header", "sentry.go/")
			for _, r := range reqs {
				assert.Equal(t, "application/x-sentry-envelope", r.Header.Get("Content-Type"))
				assert.Empty(t, r.Header.Get("Content-Encoding"), "sentry-go does not compress")
			}
			maybeWrite(t, "sentry-go", tt.name, reqs)
		})
	}
	suitelog.Report(t, t.Name(), requests, fmt.Sprintf("requests from %d scenarios", len(tests)))
}
