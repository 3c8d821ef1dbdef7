package sdkcapture

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
)

// thisPackage is the module sentry-go gives the frames of this test
// package: the import path, as runtime.Frame names functions.
const thisPackage = "github.com/sentrywire/sentrywire/examples/sdkcapture"

// maxLatency is how soon after the capture call an error must show up
// as an issue line: a user watching the ingest sees it "at once".
const maxLatency = time.Second

func writeReport() error { return newStackError(nil, "disk quota exceeded writing report.csv") }

func sendMail(to string) error { return newStackError(nil, "smtp: 451 try again later for %s", to) }

func sendSMS() error { return newStackError(nil, "sms: rate limited") }

func chargeCard() { panic(errors.New("card declined: insufficient funds")) }

func reserveStock() { panic("stock service unreachable") }

// goSender is what a case sends through: a hub of its own (a clone of the
// suite's, so that a case's scope, transaction or user does not leak into
// the next case's events) and a context that carries it.
type goSender struct {
	hub *sentry.Hub
	ctx context.Context
	run *goIssuesRun
}

// capture records the event f sends under key, with the moment just
// before f ran.
func (s *goSender) capture(key string, f func() *sentry.EventID) {
	start := time.Now()
	id := f()
	s.run.mu.Lock()
	defer s.run.mu.Unlock()
	if id == nil {
		s.run.errs = append(s.run.errs, key+": sentry-go returned no event id")
		return
	}
	s.run.sent[key] = goSent{id: string(*id), start: start}
}

// goSent is one error or message event the suite sent.
type goSent struct {
	id    string
	start time.Time
}

type goIssuesRun struct {
	mu   sync.Mutex
	sent map[string]goSent
	errs []string
}

// goArrivals is what the ingest accepted, for the checks.
type goArrivals struct {
	p      *ingestProcess
	sent   map[string]goSent
	events map[string]*protocol.Event
	lines  map[string][]eventLine // by event id
}

// event returns the dumped event and the one -json line sent under key.
func (a *goArrivals) event(t *testing.T, key string) (*protocol.Event, eventLine) {
	t.Helper()
	s, ok := a.sent[key]
	require.True(t, ok, "nothing was sent under %q", key)
	ev := a.events[s.id]
	require.NotNil(t, ev, "event %s (%s) was not dumped", s.id, key)
	lines := a.lines[s.id]
	require.Len(t, lines, 1, "-json lines for event %s (%s)", s.id, key)
	return ev, lines[0]
}

func TestSentryGoIssues(t *testing.T) {
	p := startIngest(t)

	var (
		// Filled in by the cases that send data without -json lines, for
		// their checks.
		txTrace, txSpan string
		logTrace        string
	)
	pngLike := []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe, '\n', 0x00}

	cases := []struct {
		name  string
		send  func(s *goSender)
		check func(t *testing.T, a *goArrivals)
	}{
		{
			name: "stack-trace",
			send: func(s *goSender) {
				// The same error twice: one issue, counted twice.
				for _, key := range []string{"report-1", "report-2"} {
					s.capture(key, func() *sentry.EventID { return s.hub.CaptureException(writeReport()) })
				}
			},
			check: func(t *testing.T, a *goArrivals) {
				ev, line := a.event(t, "report-1")
				assert.Equal(t, protocol.LevelError, ev.Level)
				assert.Equal(t, "go", ev.Platform)
				require.Len(t, ev.Exception.Values, 1)
				x := ev.Exception.Values[0]
				assert.Equal(t, "*sdkcapture.stackError", x.Type)
				assert.Equal(t, "disk quota exceeded writing report.csv", string(x.Value))
				assert.Nil(t, x.Mechanism, "sentry-go drops the mechanism of an error without a chain")
				assertOwnFrames(t, x.Stacktrace, "writeReport")
				assert.Equal(t, "*sdkcapture.stackError: disk quota exceeded writing report.csv", line.Title)
				assert.Equal(t, thisPackage+" in writeReport", line.Culprit)
				assert.Equal(t, "error", line.Level)
				assert.Equal(t, 1, line.Count)

				_, again := a.event(t, "report-2")
				assert.Equal(t, line.Group, again.Group, "the same error is one issue")
				assert.Equal(t, 2, again.Count)
				assert.Equal(t, line.Title, again.Title)
			},
		},
		{
			name: "wrapped-chain",
			send: func(s *goSender) {
				s.capture("chain", func() *sentry.EventID { return s.hub.CaptureException(handleRequest()) })
			},
			check: func(t *testing.T, a *goArrivals) {
				ev, line := a.event(t, "chain")
				const cause = "connection refused: 127.0.0.1:5432"
				// Oldest (the root cause) first; the error captured last.
				want := []struct {
					typ, value, mechanism, source string
					id                            int64
					parent                        *int64
					top                           string // innermost frame; "" for none
				}{
					{"*errors.errorString", cause, "chained", "unwrap", 3, ptr[int64](2), ""},
					{"*sdkcapture.stackError", "query user 7: " + cause, "chained", "unwrap", 2, ptr[int64](1), "queryUser"},
					{"*fmt.wrapError", "load user: query user 7: " + cause, "chained", "unwrap", 1, ptr[int64](0), ""},
					{"*sdkcapture.stackError", "GET /users/7: load user: query user 7: " + cause, "generic", "", 0, nil, "handleRequest"},
				}
				require.Len(t, ev.Exception.Values, len(want))
				for i, w := range want {
					x := ev.Exception.Values[i]
					assert.Equal(t, w.typ, x.Type, "exception %d", i)
					assert.Equal(t, w.value, string(x.Value), "exception %d", i)
					require.NotNil(t, x.Mechanism, "exception %d", i)
					assert.Equal(t, w.mechanism, x.Mechanism.Type, "exception %d", i)
					assert.Equal(t, w.source, x.Mechanism.Source, "exception %d", i)
					assert.Equal(t, &w.id, x.Mechanism.ExceptionID, "exception %d", i)
					assert.Equal(t, w.parent, x.Mechanism.ParentID, "exception %d", i)
					assert.Nil(t, x.Mechanism.IsExceptionGroup, "exception %d", i)
					assert.Nil(t, x.Mechanism.Handled, "sentry-go does not say, exception %d", i)
					if w.top == "" {
						assert.Nil(t, x.Stacktrace, "exception %d carries no stack of its own", i)
					} else {
						assertOwnFrames(t, x.Stacktrace, w.top)
					}
				}
				assert.Equal(t, "*sdkcapture.stackError: GET /users/7: load user: query user 7: "+cause, line.Title)
				assert.Equal(t, thisPackage+" in handleRequest", line.Culprit)
			},
		},
		{
			// errors.Join is an exception group: the join, then its
			// errors as children errors[0], errors[1].
			name: "joined",
			send: func(s *goSender) {
				s.capture("join-distinct", func() *sentry.EventID {
					return s.hub.CaptureException(errors.Join(sendMail("ops@example.com"), sendSMS()))
				})
				s.capture("join-same", func() *sentry.EventID {
					return s.hub.CaptureException(errors.Join(sendMail("ada@example.com"), sendMail("bob@example.com")))
				})
			},
			check: func(t *testing.T, a *goArrivals) {
				ev, line := a.event(t, "join-distinct")
				require.Len(t, ev.Exception.Values, 3)
				sms, mail, join := ev.Exception.Values[0], ev.Exception.Values[1], ev.Exception.Values[2]
				assert.Equal(t, "*errors.joinError", join.Type)
				assert.Equal(t, "smtp: 451 try again later for ops@example.com\nsms: rate limited", string(join.Value))
				require.NotNil(t, join.Mechanism)
				assert.Equal(t, "generic", join.Mechanism.Type)
				assert.Equal(t, ptr[int64](0), join.Mechanism.ExceptionID)
				assert.Equal(t, ptr(true), join.Mechanism.IsExceptionGroup)
				// The join has no stack of its own; sentry-go gives the
				// outermost error the stack of the capture call.
				require.NotNil(t, join.Stacktrace)
				require.NotEmpty(t, join.Stacktrace.Frames)
				assert.Equal(t, thisPackage, join.Stacktrace.Top().Module)
				for _, c := range []struct {
					x      protocol.Exception
					value  string
					id     int64
					source string
					top    string
				}{
					{mail, "smtp: 451 try again later for ops@example.com", 1, "errors[0]", "sendMail"},
					{sms, "sms: rate limited", 2, "errors[1]", "sendSMS"},
				} {
					assert.Equal(t, "*sdkcapture.stackError", c.x.Type)
					assert.Equal(t, c.value, string(c.x.Value))
					require.NotNil(t, c.x.Mechanism)
					assert.Equal(t, "chained", c.x.Mechanism.Type)
					assert.Equal(t, c.source, c.x.Mechanism.Source)
					assert.Equal(t, &c.id, c.x.Mechanism.ExceptionID)
					assert.Equal(t, ptr[int64](0), c.x.Mechanism.ParentID)
					assertOwnFrames(t, c.x.Stacktrace, c.top)
				}
				// Two distinct errors in the group: Sentry keeps the group
				// and titles the issue by it, by the first line of its value.
				assert.Equal(t, "*errors.joinError: smtp: 451 try again later for ops@example.com", line.Title)

				// Two errors of the same stack group alike: Sentry makes the
				// first of them, errors[0], the main exception, which titles
				// the issue. The culprit still comes from the last stack
				// trace sent, the join's: the capture call.
				ev, line = a.event(t, "join-same")
				require.Len(t, ev.Exception.Values, 3)
				assert.Equal(t, "*sdkcapture.stackError: smtp: 451 try again later for ada@example.com", line.Title)
				join = ev.Exception.Values[2]
				require.NotNil(t, join.Stacktrace)
				assert.True(t, strings.HasPrefix(join.Stacktrace.Top().Function, "TestSentryGoIssues.func"), join.Stacktrace.Top().Function)
				assert.Equal(t, thisPackage+" in "+join.Stacktrace.Top().Function, line.Culprit)
			},
		},
		{
			name: "goroutine-panic",
			send: func(s *goSender) {
				for _, c := range []struct {
					key string
					f   func()
				}{{"panic-error", chargeCard}, {"panic-string", reserveStock}} {
					s.capture(c.key, func() *sentry.EventID {
						var id *sentry.EventID
						var wg sync.WaitGroup
						wg.Go(func() {
							// A goroutine gets a hub of its own, as
							// sentry-go's documentation asks.
							hub := s.hub.Clone()
							defer func() {
								if r := recover(); r != nil {
									id = hub.RecoverWithContext(s.ctx, r)
								}
							}()
							c.f()
						})
						wg.Wait()
						return id
					})
				}
			},
			check: func(t *testing.T, a *goArrivals) {
				ev, line := a.event(t, "panic-error")
				assert.Equal(t, protocol.LevelFatal, ev.Level)
				assert.Equal(t, "fatal", line.Level)
				require.Len(t, ev.Exception.Values, 1)
				x := ev.Exception.Values[0]
				assert.Equal(t, "*errors.errorString", x.Type)
				assert.Equal(t, "card declined: insufficient funds", string(x.Value))
				// sentry-go marks nothing as unhandled: a single exception
				// loses its mechanism, so Sentry counts the panic as handled.
				assert.Nil(t, x.Mechanism)
				// The stack is the recovering goroutine's, cut at the panic:
				// its innermost frame is the function that panicked.
				require.NotNil(t, x.Stacktrace)
				assert.Equal(t, "chargeCard", x.Stacktrace.Top().Function)
				assert.Equal(t, thisPackage, x.Stacktrace.Top().Module)
				assert.Equal(t, "*errors.errorString: card declined: insufficient funds", line.Title)
				assert.Equal(t, thisPackage+" in chargeCard", line.Culprit)

				// A panic with a string is a message event, not an exception.
				ev, line = a.event(t, "panic-string")
				assert.Equal(t, protocol.LevelFatal, ev.Level)
				assert.Empty(t, ev.Exception.Values)
				require.NotNil(t, ev.Message)
				assert.Equal(t, "stock service unreachable", ev.Message.Formatted)
				assert.Equal(t, "stock service unreachable", line.Title)
				assert.Equal(t, "fatal", line.Level)
			},
		},
		{
			name: "messages",
			send: func(s *goSender) {
				s.capture("msg-info", func() *sentry.EventID { return s.hub.CaptureMessage("cache warmed in 42ms") })
				s.hub.WithScope(func(scope *sentry.Scope) {
					scope.SetLevel(sentry.LevelWarning)
					s.capture("msg-warning", func() *sentry.EventID { return s.hub.CaptureMessage("disk 91% full\non /var") })
				})
			},
			check: func(t *testing.T, a *goArrivals) {
				for _, c := range []struct {
					key, message, title string
					level               protocol.Level
				}{
					{"msg-info", "cache warmed in 42ms", "cache warmed in 42ms", protocol.LevelInfo},
					{"msg-warning", "disk 91% full\non /var", "disk 91% full", protocol.LevelWarning},
				} {
					ev, line := a.event(t, c.key)
					assert.Equal(t, c.level, ev.Level)
					assert.Equal(t, string(c.level), line.Level)
					require.NotNil(t, ev.Message)
					assert.Equal(t, c.message, ev.Message.Formatted)
					assert.Empty(t, ev.Exception.Values)
					assert.Equal(t, c.title, line.Title, "the first line of the message")
					assert.Empty(t, line.Culprit, "a message without a stack has no culprit")
				}
			},
		},
		{
			name: "scope-fingerprint",
			send: func(s *goSender) {
				s.hub.WithScope(func(scope *sentry.Scope) {
					scope.SetTags(map[string]string{"tenant": "acme", "region": "eu-west-1"})
					scope.SetUser(sentry.User{ID: "7", Email: "ada@example.com", IPAddress: "203.0.113.7", Username: "ada"})
					scope.SetFingerprint([]string{"payment-gateway-down"})
					s.capture("fp-stripe", func() *sentry.EventID {
						return s.hub.CaptureException(newStackError(nil, "stripe: 503 service unavailable"))
					})
					s.capture("fp-adyen", func() *sentry.EventID {
						return s.hub.CaptureException(errors.New("adyen: read timeout"))
					})
				})
				s.capture("no-fp-stripe", func() *sentry.EventID {
					return s.hub.CaptureException(newStackError(nil, "stripe: 503 service unavailable"))
				})
			},
			check: func(t *testing.T, a *goArrivals) {
				stripe, stripeLine := a.event(t, "fp-stripe")
				adyen, adyenLine := a.event(t, "fp-adyen")
				plain, plainLine := a.event(t, "no-fp-stripe")
				for _, ev := range []*protocol.Event{stripe, adyen} {
					assert.Equal(t, []string{"payment-gateway-down"}, ev.Fingerprint)
					tenant, _ := ev.Tags.Get("tenant")
					region, _ := ev.Tags.Get("region")
					assert.Equal(t, "acme", tenant)
					assert.Equal(t, "eu-west-1", region)
					require.NotNil(t, ev.User)
					assert.Equal(t, protocol.LenientString("7"), ev.User.ID)
					assert.Equal(t, "ada@example.com", ev.User.Email)
					assert.Equal(t, "203.0.113.7", ev.User.IPAddress)
					assert.Equal(t, protocol.LenientString("ada"), ev.User.Username)
				}
				assert.Equal(t, stripeLine.Group, adyenLine.Group, "one fingerprint, one issue")
				assert.Equal(t, 1, stripeLine.Count)
				assert.Equal(t, 2, adyenLine.Count)
				// The latest event speaks for the issue.
				assert.Equal(t, "*errors.errorString: adyen: read timeout", adyenLine.Title)

				assert.Empty(t, plain.Fingerprint)
				assert.Nil(t, plain.User, "the scope's user ends with WithScope")
				_, tagged := plain.Tags.Get("tenant")
				assert.False(t, tagged, "the scope's tags end with WithScope")
				assert.NotEqual(t, stripeLine.Group, plainLine.Group, "the same error without the fingerprint")
				assert.Equal(t, 1, plainLine.Count)
			},
		},
		{
			name: "attachments",
			send: func(s *goSender) {
				s.hub.WithScope(func(scope *sentry.Scope) {
					scope.AddAttachment(&sentry.Attachment{Filename: "config.json", ContentType: "application/json",
						Payload: []byte(`{"feature_flags":{"new_checkout":true}}` + "\n")})
					scope.AddAttachment(&sentry.Attachment{Filename: "screen.png", ContentType: "image/png", Payload: pngLike})
					s.capture("attached", func() *sentry.EventID { return s.hub.CaptureMessage("config rejected") })
				})
			},
			check: func(t *testing.T, a *goArrivals) {
				ev, line := a.event(t, "attached")
				assert.Equal(t, "config rejected", line.Title)
				var found *envelope.Envelope
				for _, env := range a.p.Envelopes(t) {
					if id, ok := env.EventID(); ok && id == ev.EventID {
						found = env
					}
				}
				require.NotNil(t, found, "the envelope of event %s", ev.EventID)
				require.Len(t, found.Items, 3)
				assert.Equal(t, envelope.TypeEvent, found.Items[0].Type())
				for i, w := range []struct {
					filename, contentType string
					payload               []byte
				}{
					{"config.json", "application/json", []byte(`{"feature_flags":{"new_checkout":true}}` + "\n")},
					{"screen.png", "image/png", pngLike},
				} {
					it := found.Items[i+1]
					assert.Equal(t, envelope.TypeAttachment, it.Type())
					assert.Equal(t, w.filename, it.Filename())
					assert.Equal(t, w.contentType, it.ContentType())
					assert.Equal(t, envelope.AttachmentDefault, it.AttachmentType())
					assert.Equal(t, w.payload, it.Payload(), "the bytes arrive intact")
				}
			},
		},
		{
			name: "transaction",
			send: func(s *goSender) {
				tx := sentry.StartTransaction(s.ctx, "GET /orders", sentry.WithOpName("http.server"))
				db := tx.StartChild("db.query", sentry.WithDescription("SELECT * FROM orders"))
				db.Finish()
				render := tx.StartChild("template.render", sentry.WithDescription("render orders"))
				render.Finish()
				tx.Finish()
				txTrace, txSpan = tx.TraceID.String(), tx.SpanID.String()
			},
			check: func(t *testing.T, a *goArrivals) {
				items := a.p.Items(t, envelope.TypeTransaction)
				require.Len(t, items, 1)
				tx, err := protocol.DecodeTransaction(items[0].Payload())
				require.NoError(t, err)
				assert.Equal(t, "GET /orders", tx.Transaction)
				trace, _, err := tx.Contexts.Trace()
				require.NoError(t, err)
				require.NotNil(t, trace)
				assert.Equal(t, "http.server", trace.Op)
				assert.Equal(t, protocol.TraceID(txTrace), trace.TraceID)
				assert.Equal(t, protocol.SpanID(txSpan), trace.SpanID)
				spans, _, err := tx.Spans.Get()
				require.NoError(t, err)
				require.Len(t, spans, 2)
				for i, w := range []struct{ op, desc string }{
					{"db.query", "SELECT * FROM orders"},
					{"template.render", "render orders"},
				} {
					assert.Equal(t, w.op, spans[i].Op)
					assert.Equal(t, w.desc, spans[i].Description)
					assert.Equal(t, protocol.SpanID(txSpan), spans[i].ParentSpanID, "a child of the transaction")
					assert.Equal(t, protocol.TraceID(txTrace), spans[i].TraceID)
				}
				assert.NotContains(t, a.lines, tx.EventID.String(), "a transaction is no issue")
				assert.Equal(t, 1, strings.Count(a.p.Log(), " type=transaction "), "the ingest counted one transaction")
			},
		},
		{
			name: "check-in",
			send: func(s *goSender) {
				cfg := nightlyMonitor()
				id := s.hub.CaptureCheckIn(&sentry.CheckIn{MonitorSlug: "nightly-report", Status: sentry.CheckInStatusInProgress}, cfg)
				s.hub.CaptureCheckIn(&sentry.CheckIn{ID: *id, MonitorSlug: "nightly-report", Status: sentry.CheckInStatusOK, Duration: 1500 * time.Millisecond}, cfg)
			},
			check: func(t *testing.T, a *goArrivals) {
				items := a.p.Items(t, envelope.TypeCheckIn)
				require.Len(t, items, 2)
				var checkIns []*protocol.CheckIn
				for _, it := range items {
					c, err := protocol.DecodeCheckIn(it.Payload())
					require.NoError(t, err)
					checkIns = append(checkIns, c)
				}
				started, done := checkIns[0], checkIns[1]
				assert.Equal(t, protocol.CheckInInProgress, started.Status)
				assert.Equal(t, protocol.CheckInOK, done.Status)
				assert.Equal(t, started.CheckInID, done.CheckInID, "the ok check-in closes the one in progress")
				assert.Nil(t, started.Duration)
				assert.Equal(t, ptr(1.5), done.Duration, "seconds")
				for _, c := range checkIns {
					assert.Equal(t, "nightly-report", c.MonitorSlug)
					assert.Equal(t, "sdkcapture@1.0.0", c.Release)
					assert.Equal(t, "issues", c.Environment)
					require.NotNil(t, c.MonitorConfig)
					assert.Equal(t, protocol.ScheduleCrontab, c.MonitorConfig.Schedule.Type)
					assert.Equal(t, "0 3 * * *", c.MonitorConfig.Schedule.Crontab)
					assert.Equal(t, ptr[uint64](5), c.MonitorConfig.CheckInMargin)
					assert.Equal(t, ptr[uint64](30), c.MonitorConfig.MaxRuntime)
					assert.Equal(t, "Europe/Vienna", c.MonitorConfig.Timezone)
					assert.Equal(t, ptr[uint64](2), c.MonitorConfig.FailureIssueThreshold)
					assert.Equal(t, ptr[uint64](1), c.MonitorConfig.RecoveryThreshold)
				}
				assert.Equal(t, 2, strings.Count(a.p.Log(), " type=check_in "), "the ingest counted two check-ins")
			},
		},
		{
			name: "logs",
			send: func(s *goSender) {
				// A trace of the suite's own, so that the records' trace id
				// can be checked against it.
				pc := sentry.NewPropagationContext()
				s.hub.Scope().SetPropagationContext(pc)
				logTrace = pc.TraceID.String()
				logger := sentry.NewLogger(s.ctx)
				logger.Info().String("user.id", "7").Bool("admin", false).Emit("user logged in")
				logger.Warn().Int("duration_ms", 1234).Emitf("slow query took %d ms", 1234)
				logger.Error().Float64("amount", 9.99).Emit("payment failed")
			},
			check: func(t *testing.T, a *goArrivals) {
				items := a.p.Items(t, envelope.TypeLog)
				require.Len(t, items, 1, "sentry-go batches the records in one container")
				n, ok := items[0].ItemCount()
				assert.True(t, ok)
				assert.EqualValues(t, 3, n)
				logs, err := protocol.DecodeLogs(items[0])
				require.NoError(t, err)
				require.Len(t, logs.Items, 3)
				want := []struct {
					body     string
					level    protocol.LogLevel
					severity int64
					attrs    map[string]any
				}{
					{"user logged in", "info", 9, map[string]any{"user.id": "7", "admin": false}},
					{"slow query took 1234 ms", "warn", 13, map[string]any{"duration_ms": int64(1234),
						"sentry.message.template": "slow query took %d ms", "sentry.message.parameters.0": "1234"}},
					{"payment failed", "error", 17, map[string]any{"amount": 9.99}},
				}
				for i, w := range want {
					l := logs.Items[i]
					assert.Equal(t, w.body, l.Body)
					assert.Equal(t, w.level, l.Level)
					assert.Equal(t, w.severity, l.SeverityNumber)
					assert.Equal(t, logTrace, l.TraceID, "the scope's trace")
					w.attrs["sentry.release"] = "sdkcapture@1.0.0"
					w.attrs["sentry.environment"] = "issues"
					w.attrs["sentry.server.address"] = "sdkcapture-host"
					w.attrs["sentry.sdk.name"] = "sentry.go"
					w.attrs["sentry.sdk.version"] = sentry.SDKVersion
					got := map[string]any{}
					for k, attr := range l.Attributes {
						got[k] = attrValue(t, attr)
					}
					assert.Equal(t, w.attrs, got, "record %d", i)
				}
				assert.Regexp(t, regexp.MustCompile(` type=log .*item_count=3`), a.p.Log())
			},
		},
	}

	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:                  p.DSN,
		Release:              "sdkcapture@1.0.0",
		Environment:          "issues",
		ServerName:           "sdkcapture-host",
		EnableTracing:        true,
		TracesSampleRate:     1.0,
		DisableClientReports: true,
	})
	require.NoError(t, err)
	defer client.Close()
	base := sentry.NewHub(client, sentry.NewScope())
	run := &goIssuesRun{sent: map[string]goSent{}}
	for _, c := range cases {
		hub := base.Clone()
		c.send(&goSender{hub: hub, ctx: sentry.SetHubOnContext(context.Background(), hub), run: run})
	}
	require.True(t, client.Flush(5*time.Second), "flush timed out")
	require.Empty(t, run.errs)

	lines := p.WaitLines(len(run.sent), 300*time.Millisecond, 5*time.Second)
	a := &goArrivals{p: p, sent: run.sent, events: p.Events(t), lines: map[string][]eventLine{}}
	for _, l := range lines {
		a.lines[l.EventID] = append(a.lines[l.EventID], l)
	}

	// Every error and message event sent is one -json line and one dumped
	// event, and nothing else is.
	sentIDs := map[string]bool{}
	for _, s := range run.sent {
		sentIDs[s.id] = true
	}
	lineIDs, dumpedIDs := map[string]bool{}, map[string]bool{}
	for _, l := range lines {
		lineIDs[l.EventID] = true
	}
	for id := range a.events {
		dumpedIDs[id] = true
	}
	assert.Len(t, lines, len(run.sent), "one -json line per event")
	assert.Equal(t, sentIDs, lineIDs)
	assert.Equal(t, sentIDs, dumpedIDs)

	// Within a second of the capture call, each event is an issue line.
	var slowest time.Duration
	for key, s := range run.sent {
		for _, l := range a.lines[s.id] {
			d := l.At.Sub(s.start)
			assert.Less(t, d, maxLatency, "event %s (%s)", s.id, key)
			slowest = max(slowest, d)
		}
	}
	t.Logf("slowest event: %v from capture to issue line", slowest)

	// Distinct errors are distinct issues; only the fingerprinted ones and
	// the repeated one share theirs.
	groups := map[string][]string{}
	for key, s := range run.sent {
		for _, l := range a.lines[s.id] {
			groups[l.Group] = append(groups[l.Group], key)
		}
	}
	assert.Len(t, groups, len(run.sent)-2, "issues: %v", groups)

	checked := 0
	for _, c := range cases {
		if t.Run(c.name, func(t *testing.T) { c.check(t, a) }) {
			checked++
		}
	}
	suitelog.Report(t, t.Name(), checked, fmt.Sprintf("sentry-go cases against examples/ingest (%d error/message events, slowest %v)",
		len(run.sent), slowest.Round(time.Millisecond)))
}

// assertOwnFrames checks a stack trace sentry-go took from an error of
// this package: caller first, every frame from this package's source (the
// runtime's and testing's are dropped by sentry-go), in-app, and top the
// function that made the error.
func assertOwnFrames(t *testing.T, st *protocol.Stacktrace, top string) {
	t.Helper()
	require.NotNil(t, st)
	require.NotEmpty(t, st.Frames)
	for i, f := range st.Frames {
		assert.Equal(t, thisPackage, f.Module, "frame %d", i)
		assert.Equal(t, ptr(true), f.InApp, "frame %d", i)
		assert.True(t, strings.HasSuffix(filepath.Dir(f.AbsPath), "/examples/sdkcapture"), "frame %d: %s", i, f.AbsPath)
		assert.NotZero(t, f.Lineno, "frame %d", i)
	}
	assert.Equal(t, "TestSentryGoIssues", st.Frames[0].Function, "the outermost frame")
	assert.Equal(t, top, st.Top().Function)
}

// attrValue is an attribute's value as the Go type its declared type
// names.
func attrValue(t *testing.T, a protocol.Attribute) any {
	t.Helper()
	var v any
	var ok bool
	switch a.Type {
	case protocol.AttributeString:
		v, ok = a.String()
	case protocol.AttributeBoolean:
		v, ok = a.Bool()
	case protocol.AttributeInteger:
		v, ok = a.Int()
	case protocol.AttributeDouble:
		v, ok = a.Float()
	}
	assert.True(t, ok, "attribute %+v", a)
	return v
}

func ptr[T any](v T) *T { return &v }
