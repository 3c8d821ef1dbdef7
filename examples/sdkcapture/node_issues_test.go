package sdkcapture

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
	"github.com/sentrywire/sentrywire/grouping"
)

// What node/issues.js sets on every client.
const (
	issuesRelease = "issues@2.0.0"
	issuesEnv     = "interop"
)

// nodeIssuesRun is what one node/issues.js scenario left in examples/ingest.
type nodeIssuesRun struct {
	envs   []*envelope.Envelope
	script string   // absolute path of issues.js, as stack frames name it
	source []string // its lines, for the frames' context lines
}

// items returns the items of type typ, in arrival order.
func (r *nodeIssuesRun) items(typ envelope.ItemType) []*envelope.Item {
	var items []*envelope.Item
	for _, env := range r.envs {
		for _, it := range env.Items {
			if it.Type() == typ {
				items = append(items, it)
			}
		}
	}
	return items
}

// types lists the item types of every envelope, in arrival order.
func (r *nodeIssuesRun) types() []string {
	var ts []string
	for _, env := range r.envs {
		for _, it := range env.Items {
			ts = append(ts, string(it.Type()))
		}
	}
	return ts
}

// events decodes the event items, keyed by the scenario's "round" tag when
// the event has one, else by event id.
func (r *nodeIssuesRun) events(t *testing.T) map[string]*protocol.Event {
	t.Helper()
	evs := map[string]*protocol.Event{}
	for _, it := range r.items(envelope.TypeEvent) {
		ev, err := protocol.DecodeEvent(it.Payload())
		require.NoError(t, err)
		key, ok := ev.Tags.Get("round")
		if !ok {
			key = ev.EventID.String()
		}
		require.NotContains(t, evs, key, "two events for %q", key)
		evs[key] = ev
	}
	return evs
}

// inApp checks every frame of st and returns the functions of the in-app
// ones, outermost first. In-app frames are issues.js's, named by absolute
// path with the file's base name as module, and carry the source line
// (ContextLines); the others are Node's internals, marked not in-app.
func (r *nodeIssuesRun) inApp(t *testing.T, st *protocol.Stacktrace) []string {
	t.Helper()
	require.NotNil(t, st)
	require.NotEmpty(t, st.Frames)
	var fns []string
	for i, f := range st.Frames {
		require.NotNil(t, f.InApp, "frame %d (%s) has no in_app", i, f.Function)
		if !*f.InApp {
			assert.True(t, strings.HasPrefix(f.Filename, "node:internal/"), "frame %d: %q is not in-app but not Node's either", i, f.Filename)
			continue
		}
		fns = append(fns, f.Function)
		assert.Equal(t, r.script, f.Filename, "frame %d (%s)", i, f.Function)
		assert.Equal(t, "issues", f.Module, "frame %d (%s)", i, f.Function)
		if assert.NotZero(t, f.Lineno, "frame %d (%s)", i, f.Function) && assert.LessOrEqual(t, f.Lineno, uint64(len(r.source))) {
			assert.Equal(t, r.source[f.Lineno-1], f.ContextLine, "frame %d (%s): context line of line %d", i, f.Function, f.Lineno)
		}
	}
	return fns
}

// sourceLine returns the 1-based number of the only line of issues.js that
// contains s.
func (r *nodeIssuesRun) sourceLine(t *testing.T, s string) uint64 {
	t.Helper()
	n := 0
	for i, l := range r.source {
		if strings.Contains(l, s) {
			require.Zero(t, n, "%q is on lines %d and %d of issues.js", s, n, i+1)
			n = i + 1
		}
	}
	require.NotZero(t, n, "%q is not in issues.js", s)
	return uint64(n)
}

// spanEndSkew is how much later than its parent's a child span's end may
// be stamped (see the spans case).
const spanEndSkew = 5 * time.Millisecond

func boolPtr(b bool) *bool    { return &b }
func int64Ptr(i int64) *int64 { return &i }

// attr reads a typed attribute, failing when it is absent or of another
// type.
func attr(t *testing.T, attrs protocol.Attributes, key string, typ protocol.AttributeType) protocol.Attribute {
	t.Helper()
	a, ok := attrs[key]
	require.True(t, ok, "attribute %q missing", key)
	require.Equal(t, typ, a.Type, "type of attribute %q", key)
	return a
}

func stringAttr(t *testing.T, attrs protocol.Attributes, key string) string {
	t.Helper()
	s, ok := attr(t, attrs, key, protocol.AttributeString).String()
	require.True(t, ok, "attribute %q", key)
	return s
}

// TestNodeIssues drives @sentry/node 11 (node/issues.js) against
// examples/ingest and checks what the ingest accepted, field by field from
// its dump, and how it grouped the error events into issues from its -json
// lines.
func TestNodeIssues(t *testing.T) {
	requireTool(t, "node", "the Node.js SDK scenarios need it")
	if _, err := os.Stat(filepath.Join("node", "node_modules", "@sentry", "node", "package.json")); err != nil {
		missing(t, "@sentry/node is not installed in node/node_modules")
	}
	script, err := filepath.Abs(filepath.Join("node", "issues.js"))
	require.NoError(t, err)
	src, err := os.ReadFile(script)
	require.NoError(t, err)
	source := strings.Split(string(src), "\n")

	p := startIngest(t)

	// eventIDs collects the ids of the error and message events each
	// scenario sent, for the grouping case.
	eventIDs := map[string][]string{}

	cases := []struct {
		scenario string
		check    func(t *testing.T, r *nodeIssuesRun)
	}{
		{"errors", func(t *testing.T, r *nodeIssuesRun) {
			// The second chargeCard is identical to the first and follows
			// it at once, so the Dedupe integration drops it and reports
			// that in a client report.
			assert.ElementsMatch(t, []string{"event", "event", "event", "client_report"}, r.types())
			reports := r.items(envelope.TypeClientReport)
			require.Len(t, reports, 1)
			rep, err := protocol.DecodeClientReport(reports[0].Payload())
			require.NoError(t, err)
			require.Len(t, rep.DiscardedEvents, 1)
			d := rep.DiscardedEvents[0]
			assert.Equal(t, []any{"event_processor", "error", uint32(1)}, []any{d.Reason, d.Category, d.Quantity})

			evs := r.events(t)
			require.ElementsMatch(t, []string{"0", "2", "3"}, slices.Collect(maps.Keys(evs)), "rounds sent")
			throwLine := r.sourceLine(t, "throw new Error('charge failed'")
			for _, round := range []string{"0", "3"} {
				ev := evs[round]
				assert.Equal(t, protocol.LevelError, ev.Level)
				assert.Equal(t, "node", ev.Platform)
				assert.EqualValues(t, issuesRelease, ev.Release)
				assert.Equal(t, issuesEnv, ev.Environment)
				assert.Equal(t, "issues-host", ev.ServerName)
				require.NotNil(t, ev.SDK)
				assert.Equal(t, "sentry.javascript.node", ev.SDK.Name)
				assert.Equal(t, nodeVersion, ev.SDK.Version)

				// LinkedErrors: the cause first, the caught error last,
				// linked by exception_id and parent_id.
				exs := ev.Exceptions()
				require.Len(t, exs, 2, "round %s", round)
				cause, top := exs[0], exs[1]
				assert.Equal(t, "TypeError", cause.Type)
				assert.EqualValues(t, "card declined", cause.Value)
				assert.Equal(t, &protocol.Mechanism{Type: "chained", Handled: boolPtr(true), Source: "cause",
					ExceptionID: int64Ptr(1), ParentID: int64Ptr(0)}, cause.Mechanism)
				assert.Equal(t, "Error", top.Type)
				assert.EqualValues(t, "charge failed", top.Value)
				assert.Equal(t, &protocol.Mechanism{Type: "generic", Handled: boolPtr(true), ExceptionID: int64Ptr(0)}, top.Mechanism)
				// Both were made on the same line, so their stacks agree.
				for _, ex := range exs {
					assert.Equal(t, []string{"Object.?", "main", "errors", "capture", "chargeCard"}, r.inApp(t, ex.Stacktrace), "%s frames", ex.Type)
					assert.Equal(t, throwLine, ex.Stacktrace.Top().Lineno, "%s raised in chargeCard", ex.Type)
				}
			}
			port := evs["2"]
			exs := port.Exceptions()
			require.Len(t, exs, 1)
			assert.Equal(t, "RangeError", exs[0].Type)
			assert.EqualValues(t, "port out of range: 99999", exs[0].Value)
			assert.Equal(t, &protocol.Mechanism{Type: "generic", Handled: boolPtr(true)}, exs[0].Mechanism)
			assert.Equal(t, []string{"Object.?", "main", "errors", "capture", "parsePort"}, r.inApp(t, exs[0].Stacktrace))
		}},

		{"session", func(t *testing.T, r *nodeIssuesRun) {
			// The event and the first update go out concurrently; the
			// last update only after the flush that waited for both.
			assert.ElementsMatch(t, []string{"session", "event", "session"}, r.types())
			var ss []*protocol.Session
			for _, it := range r.items(envelope.TypeSession) {
				s, err := protocol.DecodeSession(it.Payload())
				require.NoError(t, err)
				assert.Empty(t, s.Warnings)
				ss = append(ss, s)
			}
			require.Len(t, ss, 2)
			first, last := ss[0], ss[1]
			// The handled error makes the client send an update at once:
			// still ok, one error; ending it sends the final "exited".
			for i, s := range ss {
				assert.NotZero(t, s.SessionID, "session %d sid", i)
				assert.Equal(t, "user-7", s.DistinctID, "session %d did", i)
				assert.EqualValues(t, 1, s.Errors, "session %d errors", i)
				assert.Equal(t, protocol.SessionAttributes{Release: issuesRelease, Environment: issuesEnv}, s.Attributes, "session %d attrs", i)
				assert.False(t, s.Timestamp.Before(s.Started.Time), "session %d timestamp before started", i)
				require.NotNil(t, s.Duration, "session %d duration", i)
			}
			assert.Equal(t, first.SessionID, last.SessionID, "one session, two updates")
			assert.Equal(t, first.Started, last.Started)
			assert.True(t, first.Init)
			assert.False(t, last.Init)
			assert.Equal(t, protocol.SessionOK, first.Status)
			assert.Equal(t, protocol.SessionExited, last.Status)
			assert.GreaterOrEqual(t, *last.Duration, *first.Duration)
			assert.Less(t, *last.Duration, 5.0)

			evs := r.events(t)
			require.Contains(t, evs, "session")
			exs := evs["session"].Exceptions()
			require.Len(t, exs, 1)
			assert.Equal(t, []string{"Object.?", "main", "session", "capture", "parsePort"}, r.inApp(t, exs[0].Stacktrace))
		}},

		{"spans", func(t *testing.T, r *nodeIssuesRun) {
			assert.Equal(t, []string{"span"}, r.types(), "SDK 11 streams spans: no transaction")
			items := r.items(envelope.TypeSpan)
			require.Len(t, items, 1)
			it := items[0]
			assert.Equal(t, "application/vnd.sentry.items.span.v2+json", it.ContentType())
			c, err := protocol.DecodeSpans(it)
			require.NoError(t, err)
			assert.Empty(t, c.Warnings)
			v, ok := c.Version()
			assert.True(t, ok)
			assert.EqualValues(t, 2, v)
			n, _ := it.ItemCount()
			assert.EqualValues(t, len(c.Items), n)

			byName := map[string]protocol.SpanV2{}
			for _, s := range c.Items {
				require.NotContains(t, byName, s.Name)
				byName[s.Name] = s
			}
			require.ElementsMatch(t, []string{"POST /checkout", "validate cart", "INSERT orders", "acquire connection", "charge card"}, slices.Collect(maps.Keys(byName)))
			root := byName["POST /checkout"]
			dsc, ok := r.envs[0].Trace()
			require.True(t, ok, "span envelope without a trace header")
			assert.Equal(t, root.TraceID, dsc.TraceID)
			assert.Equal(t, "POST /checkout", dsc.Transaction)
			assert.Equal(t, "true", dsc.Sampled)
			assert.Equal(t, issuesRelease, dsc.Release)

			tests := []struct {
				name, parent, op string
				status           protocol.SpanV2Status
			}{
				{"POST /checkout", "", "http.server", protocol.SpanV2OK},
				{"validate cart", "POST /checkout", "function", protocol.SpanV2OK},
				{"INSERT orders", "POST /checkout", "db.query", protocol.SpanV2OK},
				{"acquire connection", "INSERT orders", "db.connection", protocol.SpanV2OK},
				{"charge card", "POST /checkout", "http.client", "error"},
			}
			for _, tt := range tests {
				s := byName[tt.name]
				assert.Len(t, s.TraceID, 32, tt.name)
				assert.Equal(t, root.TraceID, s.TraceID, "%s: one trace", tt.name)
				assert.Len(t, s.SpanID, 16, tt.name)
				if tt.parent == "" {
					assert.Empty(t, s.ParentSpanID, "the root has no parent")
				} else {
					parent := byName[tt.parent]
					assert.Equal(t, parent.SpanID, s.ParentSpanID, "%s: parent %s", tt.name, tt.parent)
					assert.False(t, s.StartTimestamp.Before(parent.StartTimestamp.Time), "%s starts before its parent: %v < %v", tt.name, s.StartTimestamp.Time, parent.StartTimestamp.Time)
					// A SentrySpan's end is its start plus a duration
					// measured from a second performance.now() read just
					// after the start was stamped, so every end is early
					// by that gap: tens of microseconds under load, enough
					// for a last child to end "after" its parent.
					assert.False(t, s.EndTimestamp.After(parent.EndTimestamp.Add(spanEndSkew)),
						"%s ends after its parent: %v > %v", tt.name, s.EndTimestamp.Time, parent.EndTimestamp.Time)
				}
				require.NotNil(t, s.IsSegment, "%s: is_segment", tt.name)
				assert.Equal(t, tt.parent == "", *s.IsSegment, "%s: is_segment", tt.name)
				assert.Equal(t, tt.status, s.Status, "%s: status", tt.name)
				assert.False(t, s.EndTimestamp.Before(s.StartTimestamp.Time), "%s ends before it starts", tt.name)
				assert.Equal(t, tt.op, stringAttr(t, s.Attributes, "sentry.op"), "%s: op", tt.name)
				assert.Equal(t, "manual", stringAttr(t, s.Attributes, "sentry.origin"), tt.name)
				assert.Equal(t, root.SpanID, stringAttr(t, s.Attributes, "sentry.segment.id"), tt.name)
				assert.Equal(t, "POST /checkout", stringAttr(t, s.Attributes, "sentry.segment.name"), tt.name)
				assert.Equal(t, issuesRelease, stringAttr(t, s.Attributes, "sentry.release"), tt.name)
				assert.Equal(t, issuesEnv, stringAttr(t, s.Attributes, "sentry.environment"), tt.name)
			}
			assert.Equal(t, "internal_error", stringAttr(t, byName["charge card"].Attributes, "sentry.status.message"))
			assert.Equal(t, "custom", stringAttr(t, root.Attributes, "sentry.segment.name.source"))
		}},

		{"checkins", func(t *testing.T, r *nodeIssuesRun) {
			items := r.items(envelope.TypeCheckIn)
			assert.Len(t, r.types(), len(items), "only check-ins: %v", r.types())
			// Each check-in is its own request; they may arrive out of
			// order, so they are found by monitor and status.
			got := map[string]*protocol.CheckIn{}
			for _, it := range items {
				c, err := protocol.DecodeCheckIn(it.Payload())
				require.NoError(t, err)
				assert.Empty(t, c.Warnings)
				key := c.MonitorSlug + "/" + string(c.Status)
				require.NotContains(t, got, key)
				got[key] = c
			}
			require.ElementsMatch(t, []string{
				"nightly-report/in_progress", "nightly-report/ok",
				"sync-ok/in_progress", "sync-ok/ok",
				"sync-fail/in_progress", "sync-fail/error",
			}, slices.Collect(maps.Keys(got)))

			u := func(n uint64) *uint64 { return &n }
			crontab := &protocol.MonitorConfig{
				Schedule:      protocol.MonitorSchedule{Type: protocol.ScheduleCrontab, Crontab: "0 3 * * *"},
				CheckInMargin: u(5), MaxRuntime: u(30), Timezone: "Europe/Vienna",
				FailureIssueThreshold: u(2), RecoveryThreshold: u(1),
			}
			interval := &protocol.MonitorConfig{
				Schedule:   protocol.MonitorSchedule{Type: protocol.ScheduleInterval, Interval: 10, Unit: protocol.UnitMinute},
				MaxRuntime: u(2),
			}
			tests := []struct {
				slug   string
				config *protocol.MonitorConfig
				end    protocol.CheckInStatus
				// The duration the closing check-in reports: exactly
				// what the script passed, or withMonitor's measure of a
				// callback that slept 50 ms.
				exact, min float64
			}{
				{"nightly-report", crontab, protocol.CheckInOK, 1.5, 0},
				{"sync-ok", interval, protocol.CheckInOK, 0, 0.05},
				{"sync-fail", interval, protocol.CheckInError, 0, 0.05},
			}
			ids := map[envelope.EventID]bool{}
			// withMonitor keeps the trace it is called in unless told to
			// isolate it: every check-in is on the script's one trace,
			// the one the envelopes' trace headers name.
			traces := map[string]bool{}
			for _, tt := range tests {
				start, end := got[tt.slug+"/in_progress"], got[tt.slug+"/"+string(tt.end)]
				assert.NotZero(t, start.CheckInID, tt.slug)
				assert.Equal(t, start.CheckInID, end.CheckInID, "%s: the closing check-in names the opening one", tt.slug)
				assert.False(t, ids[start.CheckInID], "%s: check-in id reused", tt.slug)
				ids[start.CheckInID] = true
				assert.Equal(t, tt.config, start.MonitorConfig, "%s: monitor config upserted", tt.slug)
				assert.Nil(t, end.MonitorConfig, tt.slug)
				assert.Nil(t, start.Duration, tt.slug)
				for _, c := range []*protocol.CheckIn{start, end} {
					assert.Equal(t, issuesRelease, c.Release, tt.slug)
					assert.Equal(t, issuesEnv, c.Environment, tt.slug)
					if assert.NotNil(t, c.Contexts, tt.slug) && assert.NotNil(t, c.Contexts.Trace, tt.slug) {
						traces[c.Contexts.Trace.TraceID.String()] = true
					}
				}
				if assert.NotNil(t, end.Duration, tt.slug) {
					if tt.exact != 0 {
						assert.Equal(t, tt.exact, *end.Duration, tt.slug)
					} else {
						assert.GreaterOrEqual(t, *end.Duration, tt.min, tt.slug)
						assert.Less(t, *end.Duration, 1.0, tt.slug)
					}
				}
			}
			dsc, ok := r.envs[0].Trace()
			require.True(t, ok, "check-in envelope without a trace header")
			assert.Equal(t, map[string]bool{dsc.TraceID: true}, traces)
		}},

		{"logs", func(t *testing.T, r *nodeIssuesRun) {
			assert.ElementsMatch(t, []string{"span", "log"}, r.types())
			spans := r.items(envelope.TypeSpan)
			require.Len(t, spans, 1)
			sc, err := protocol.DecodeSpans(spans[0])
			require.NoError(t, err)
			require.Len(t, sc.Items, 1)
			span := sc.Items[0]
			assert.Equal(t, "login", span.Name)

			logs := r.items(envelope.TypeLog)
			require.Len(t, logs, 1)
			assert.Equal(t, "application/vnd.sentry.items.log+json", logs[0].ContentType())
			c, err := protocol.DecodeLogs(logs[0])
			require.NoError(t, err)
			assert.Empty(t, c.Warnings)
			n, _ := logs[0].ItemCount()
			assert.EqualValues(t, 3, n)
			require.Len(t, c.Items, 3)

			type typed struct {
				typ protocol.AttributeType
				val any
			}
			tests := []struct {
				level    protocol.LogLevel
				severity int64
				body     string
				attrs    map[string]typed
			}{
				{"info", 9, "user logged in", map[string]typed{
					"userId": {protocol.AttributeInteger, int64(7)},
					"admin":  {protocol.AttributeBoolean, false},
					"ratio":  {protocol.AttributeDouble, 0.5},
					"plan":   {protocol.AttributeString, "pro"},
				}},
				{"warn", 13, "slow query took 1234 ms", map[string]typed{
					"sentry.message.template":    {protocol.AttributeString, "slow query took %s ms"},
					"sentry.message.parameter.0": {protocol.AttributeInteger, int64(1234)},
				}},
				{"error", 17, "payment failed", map[string]typed{
					"amount":   {protocol.AttributeDouble, 9.99},
					"currency": {protocol.AttributeString, "EUR"},
				}},
			}
			for i, tt := range tests {
				l := c.Items[i]
				assert.Equal(t, tt.level, l.Level, tt.body)
				assert.Equal(t, tt.severity, l.SeverityNumber, tt.body)
				assert.Equal(t, tt.body, l.Body)
				assert.Equal(t, span.TraceID, l.TraceID, "%s: logged inside the span", tt.body)
				assert.False(t, l.Timestamp.Before(span.StartTimestamp.Time) || l.Timestamp.After(span.EndTimestamp.Time), "%s: logged outside the span", tt.body)
				want := map[string]typed{
					"sentry.release":              {protocol.AttributeString, issuesRelease},
					"sentry.environment":          {protocol.AttributeString, issuesEnv},
					"sentry.sdk.name":             {protocol.AttributeString, "sentry.javascript.node"},
					"sentry.sdk.version":          {protocol.AttributeString, nodeVersion},
					"server.address":              {protocol.AttributeString, "issues-host"},
					"sentry.trace.parent_span_id": {protocol.AttributeString, span.SpanID},
				}
				for k, v := range tt.attrs {
					want[k] = v
				}
				for k, w := range want {
					a := attr(t, l.Attributes, k, w.typ)
					got := attrValue(t, a)
					assert.Equal(t, w.val, got, "%s: attribute %s", tt.body, k)
				}
			}
		}},

		{"feedback", func(t *testing.T, r *nodeIssuesRun) {
			assert.ElementsMatch(t, []string{"event", "feedback"}, r.types())
			evs := r.events(t)
			require.Len(t, evs, 1)
			var msg *protocol.Event
			for _, ev := range evs {
				msg = ev
			}
			assert.Equal(t, protocol.LevelWarning, msg.Level)
			if lm := msg.LogMessage(); assert.NotNil(t, lm) {
				assert.Equal(t, "checkout button does nothing", lm.Formatted)
			}
			// The call stack rides on a synthetic exception.
			exs := msg.Exceptions()
			require.Len(t, exs, 1)
			assert.Empty(t, exs[0].Type)
			assert.EqualValues(t, "checkout button does nothing", exs[0].Value)
			assert.Equal(t, &protocol.Mechanism{Type: "generic", Handled: boolPtr(true), Synthetic: boolPtr(true)}, exs[0].Mechanism)
			assert.Equal(t, []string{"Object.?", "main", "feedback", "reportCheckoutBug"}, r.inApp(t, exs[0].Stacktrace))

			fbs := r.items(envelope.TypeFeedback)
			require.Len(t, fbs, 1)
			ev, fb, err := protocol.DecodeFeedback(fbs[0].Payload())
			require.NoError(t, err)
			assert.Equal(t, "feedback", ev.Type)
			assert.NotEqual(t, msg.EventID, ev.EventID, "the feedback is an event of its own")
			assert.Equal(t, &protocol.FeedbackContext{
				Message:           "I clicked checkout and nothing happened.",
				Name:              "Jane Doe",
				ContactEmail:      "jane@example.invalid",
				URL:               "https://shop.example.invalid/cart",
				AssociatedEventID: msg.EventID.String(),
			}, fb)
			assert.EqualValues(t, issuesRelease, ev.Release)
			assert.Equal(t, issuesEnv, ev.Environment)
		}},

		{"attachments", func(t *testing.T, r *nodeIssuesRun) {
			require.Len(t, r.envs, 1, "the event and its attachments travel together")
			env := r.envs[0]
			require.Len(t, env.Items, 3)
			ev, err := protocol.DecodeEvent(env.Items[0].Payload())
			require.NoError(t, err)
			id, ok := env.EventID()
			assert.True(t, ok)
			assert.Equal(t, ev.EventID, id)
			exs := ev.Exceptions()
			require.Len(t, exs, 1)
			assert.Equal(t, "Error", exs[0].Type)
			assert.EqualValues(t, "config rejected", exs[0].Value)
			assert.Equal(t, []string{"Object.?", "main", "attachments"}, r.inApp(t, exs[0].Stacktrace))

			// The hint's attachment comes before the scope's.
			tests := []struct {
				filename, contentType string
				data                  []byte
			}{
				{"dump.bin", "", []byte{0, 1, 2, 0xfe, 0xff, 0x0a, 0x0d, 0x80}},
				{"config.json", "application/json", []byte("{\"feature_flags\":{\"new_checkout\":true}}\n")},
			}
			for i, tt := range tests {
				it := env.Items[i+1]
				assert.Equal(t, envelope.TypeAttachment, it.Type(), tt.filename)
				assert.Equal(t, tt.filename, it.Filename())
				assert.Equal(t, tt.contentType, it.ContentType(), tt.filename)
				assert.Equal(t, envelope.AttachmentDefault, it.AttachmentType(), tt.filename)
				assert.Equal(t, tt.data, it.Payload(), tt.filename)
				l, ok := it.Length()
				assert.True(t, ok, "%s: no length", tt.filename)
				assert.EqualValues(t, len(tt.data), l, tt.filename)
			}
		}},
	}

	checked := 0
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) {
			before := len(p.Envelopes(t))
			runScript(t, p.DSN, "node", "node", "issues.js", tc.scenario)
			r := &nodeIssuesRun{envs: p.Envelopes(t)[before:], script: script, source: source}
			require.NotEmpty(t, r.envs, "@sentry/node sent nothing")
			for _, env := range r.envs {
				sdk, ok := env.SDK()
				if ok {
					assert.Equal(t, "sentry.javascript.node", sdk.Name)
					assert.Equal(t, nodeVersion, sdk.Version)
				}
				if !ok {
					// Only client reports go out without the SDK header.
					assert.Equal(t, envelope.TypeClientReport, env.Items[0].Type())
				}
			}
			for _, it := range r.items(envelope.TypeEvent) {
				ev, err := protocol.DecodeEvent(it.Payload())
				require.NoError(t, err)
				eventIDs[tc.scenario] = append(eventIDs[tc.scenario], ev.EventID.String())
			}
			tc.check(t, r)
			if !t.Failed() {
				checked++
			}
		})
	}

	// Grouping: every error or message event the ingest accepted printed
	// exactly one -json line, and the lines make these issues.
	var issues []string
	var slowest time.Duration
	t.Run("grouping", func(t *testing.T) {
		events := p.Events(t)
		lines := p.WaitLines(len(events), 300*time.Millisecond, 5*time.Second)
		require.Len(t, lines, len(events), "one -json line per event")
		assert.Len(t, events, 6)

		cfg, err := grouping.NewConfig(grouping.DefaultConfig)
		require.NoError(t, err)
		type issue struct{ title, culprit, level string }
		groups := map[string]issue{}
		counts := map[string]int{}
		byEvent := map[string]eventLine{}
		for _, l := range lines {
			ev, ok := events[l.EventID]
			if !assert.True(t, ok, "-json line for event %s, which was not dumped", l.EventID) {
				continue
			}
			require.NotContains(t, byEvent, l.EventID, "two lines for one event")
			byEvent[l.EventID] = l
			counts[l.Group]++
			assert.Equal(t, counts[l.Group], l.Count, "%s: count of its issue so far", l.Title)
			if prev, ok := groups[l.Group]; ok {
				assert.Equal(t, prev, issue{l.Title, l.Culprit, l.Level}, "one issue, two faces")
			}
			groups[l.Group] = issue{l.Title, l.Culprit, l.Level}

			// The ingest groups as the library does, under a new
			// project's config.
			res := cfg.Group(ev)
			require.NotEmpty(t, res.Hashes)
			assert.Equal(t, res.Hashes[0], l.Group, "%s", l.Title)
			assert.Nil(t, res.Variant("fallback"), "%s groups into the fallback:\n%s", l.Title, res.Explain())

			// Sent without delay: the line is out within a second of the
			// SDK stamping the event.
			lat := l.At.Sub(ev.Timestamp.Time)
			slowest = max(slowest, lat)
			assert.Less(t, lat, time.Second, "%s: from capture to -json line", l.Title)
		}

		group := func(scenario string, i int) eventLine {
			t.Helper()
			ids := eventIDs[scenario]
			require.Greater(t, len(ids), i, "%s sent %d events", scenario, len(ids))
			return byEvent[ids[i]]
		}
		// The errors scenario sends chargeCard, parsePort, chargeCard;
		// the dump may hold them in any order, so look them up by title.
		var charge, port []eventLine
		for i := range eventIDs["errors"] {
			l := group("errors", i)
			switch l.Title {
			case "Error: charge failed":
				charge = append(charge, l)
			case "RangeError: port out of range: 99999":
				port = append(port, l)
			default:
				t.Errorf("unexpected issue %q from the errors scenario", l.Title)
			}
		}
		require.Len(t, charge, 2)
		require.Len(t, port, 1)
		assert.Equal(t, charge[0].Group, charge[1].Group, "the same error from the same place is one issue")
		assert.Equal(t, 2, counts[charge[0].Group])
		assert.NotEqual(t, charge[0].Group, port[0].Group, "a different error is another issue")

		sess := group("session", 0)
		want := map[string]issue{
			charge[0].Group:               {"Error: charge failed", "chargeCard(issues)", "error"},
			port[0].Group:                 {"RangeError: port out of range: 99999", "parsePort(issues)", "error"},
			sess.Group:                    {"RangeError: port out of range: 99999", "parsePort(issues)", "error"},
			group("feedback", 0).Group:    {"reportCheckoutBug", "", "warning"},
			group("attachments", 0).Group: {"Error: config rejected", "attachments(issues)", "error"},
		}
		// parsePort reached through session() is a different stack, so a
		// different issue, though its title is the same.
		assert.NotEqual(t, port[0].Group, sess.Group, "different in-app stacks group apart")
		assert.Equal(t, want, groups)
		for _, is := range groups {
			issues = append(issues, is.title)
		}
		if !t.Failed() {
			checked++
		}
	})

	t.Logf("slowest capture to -json line: %v", slowest)
	assert.NotContains(t, p.Log(), "msg=rejected")
	assert.NotContains(t, p.Log(), "event not grouped")
	suitelog.Report(t, t.Name(), checked, fmt.Sprintf("@sentry/node %s scenarios (errors with causes, sessions, streamed spans, check-ins, logs, feedback, attachments) and their grouping: %d events in %d issues, slowest capture to -json line %v",
		nodeVersion, len(p.Lines()), len(issues), slowest.Round(time.Millisecond)))
}
