package protocol

import (
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeCheckInRelayExamples(t *testing.T) {
	// Relay's round-trip examples: what Relay writes back is what came in.
	for _, in := range []string{
		`{"check_in_id":"a460c25ff2554577b920fcfacae4e5eb","monitor_slug":"my-monitor","status":"in_progress","environment":"production","duration":21.0,"contexts":{"trace":{"trace_id":"8f431b7aa08441bbbd5a0100fd91f9fe"}}}`,
		`{"check_in_id":"a460c25ff2554577b920fcfacae4e5eb","monitor_slug":"my-monitor","status":"in_progress","monitor_config":{"schedule":{"type":"crontab","value":"0 * * * *"}}}`,
		`{"check_in_id":"a460c25ff2554577b920fcfacae4e5eb","monitor_slug":"my-monitor","status":"in_progress","monitor_config":{"schedule":{"type":"interval","value":5,"unit":"day"},"checkin_margin":5,"max_runtime":10,"timezone":"America/Los_Angles"}}`,
		`{"check_in_id":"a460c25ff2554577b920fcfacae4e5eb","monitor_slug":"my-monitor","status":"in_progress","monitor_config":{"schedule":{"type":"crontab","value":"0 * * * *"},"checkin_margin":5,"max_runtime":10,"timezone":"America/Los_Angles","failure_issue_threshold":0,"recovery_threshold":3,"owner":"team:6"}}`,
	} {
		c, err := DecodeCheckIn([]byte(in))
		require.NoError(t, err, in)
		assert.Empty(t, c.Warnings)
		out, err := json.Marshal(c)
		require.NoError(t, err)
		assert.JSONEq(t, in, string(out))
	}

	c, err := DecodeCheckIn([]byte(`{"check_in_id":"a460c25f-f255-4577-b920-fcfacae4e5eb","monitor_slug":"m","status":"ok","monitor_config":{"schedule":{"type":"interval","value":5,"unit":"minute"}}}`))
	require.NoError(t, err)
	assert.Equal(t, "a460c25ff2554577b920fcfacae4e5eb", c.CheckInID.String())
	assert.Equal(t, MonitorSchedule{Type: ScheduleInterval, Interval: 5, Unit: UnitMinute}, c.MonitorConfig.Schedule)
}

func TestDecodeCheckInRules(t *testing.T) {
	const base = `{"monitor_slug":"m","status":"ok"`
	tests := []struct {
		name    string
		in      string
		err     error
		pointer string // of the error or, with check, the warning
		check   func(t *testing.T, c *CheckIn)
	}{
		{name: "minimal", in: base + `}`, check: func(t *testing.T, c *CheckIn) {
			assert.True(t, c.CheckInID.IsZero())
			assert.Equal(t, CheckInOK, c.Status)
		}},
		{name: "slug missing", in: `{"status":"ok"}`, err: ErrMissingField, pointer: "/monitor_slug"},
		{name: "slug empty", in: `{"monitor_slug":"","status":"ok"}`, err: ErrEmptySlug, pointer: "/monitor_slug"},
		{name: "slug cut to 50 characters", in: `{"monitor_slug":"` + strings.Repeat("🦀", 60) + `","status":"ok"}`, pointer: "/monitor_slug", check: func(t *testing.T, c *CheckIn) {
			assert.Equal(t, strings.Repeat("🦀", 50), c.MonitorSlug)
		}},
		{name: "slug of 50 characters", in: `{"monitor_slug":"` + strings.Repeat("test_", 10) + `","status":"ok"}`, check: func(t *testing.T, c *CheckIn) {
			assert.Len(t, c.MonitorSlug, 50)
			assert.Empty(t, c.Warnings)
		}},
		{name: "status missing", in: `{"monitor_slug":"m"}`, err: ErrMissingField, pointer: "/status"},
		{name: "status a number", in: `{"monitor_slug":"m","status":1}`, pointer: "/status"},
		{name: "status missed", in: `{"monitor_slug":"m","status":"missed"}`, pointer: "/status", check: func(t *testing.T, c *CheckIn) {
			assert.Equal(t, CheckInUnknown, c.Status)
		}},
		{name: "status unknown", in: `{"monitor_slug":"m","status":"sleeping"}`, pointer: "/status", check: func(t *testing.T, c *CheckIn) {
			assert.Equal(t, CheckInUnknown, c.Status)
		}},
		{name: "status error", in: `{"monitor_slug":"m","status":"error"}`, check: func(t *testing.T, c *CheckIn) {
			assert.Equal(t, CheckInError, c.Status)
			assert.Empty(t, c.Warnings)
		}},
		{name: "environment of 64", in: base + `,"environment":"` + strings.Repeat("e", 64) + `"}`},
		{name: "environment of 65", in: base + `,"environment":"` + strings.Repeat("e", 65) + `"}`, err: ErrInvalidEnvironment, pointer: "/environment"},
		{name: "check_in_id invalid", in: base + `,"check_in_id":"xyz"}`, pointer: "/check_in_id"},
		{name: "duration a string", in: base + `,"duration":"1.5"}`, pointer: "/duration"},
		{name: "schedule missing", in: base + `,"monitor_config":{"checkin_margin":5}}`, err: ErrMissingField, pointer: "/monitor_config/schedule"},
		{name: "schedule type unknown", in: base + `,"monitor_config":{"schedule":{"type":"solar","value":"x"}}}`, err: ErrInvalidSchedule, pointer: "/monitor_config/schedule"},
		{name: "schedule type missing", in: base + `,"monitor_config":{"schedule":{"value":"x"}}}`, err: ErrMissingField, pointer: "/monitor_config/schedule/type"},
		{name: "schedule value missing", in: base + `,"monitor_config":{"schedule":{"type":"crontab"}}}`, err: ErrMissingField, pointer: "/monitor_config/schedule/value"},
		{name: "crontab value a number", in: base + `,"monitor_config":{"schedule":{"type":"crontab","value":5}}}`, err: ErrInvalidSchedule, pointer: "/monitor_config/schedule"},
		{name: "interval value a string", in: base + `,"monitor_config":{"schedule":{"type":"interval","value":"5","unit":"day"}}}`, err: ErrInvalidSchedule, pointer: "/monitor_config/schedule"},
		{name: "interval value negative", in: base + `,"monitor_config":{"schedule":{"type":"interval","value":-5,"unit":"day"}}}`, err: ErrInvalidSchedule, pointer: "/monitor_config/schedule"},
		{name: "interval unit missing", in: base + `,"monitor_config":{"schedule":{"type":"interval","value":5}}}`, err: ErrMissingField, pointer: "/monitor_config/schedule"},
		{name: "interval unit unknown", in: base + `,"monitor_config":{"schedule":{"type":"interval","value":5,"unit":"fortnight"}}}`, err: ErrInvalidSchedule, pointer: "/monitor_config/schedule"},
		{name: "margin negative", in: base + `,"monitor_config":{"schedule":{"type":"crontab","value":"* * * * *"},"checkin_margin":-1}}`, pointer: "/monitor_config/checkin_margin"},
		{name: "trace without trace_id", in: base + `,"contexts":{"trace":{"span_id":"a1b90268b35786bf"}}}`, err: ErrMissingField, pointer: "/contexts/trace/trace_id"},
		{name: "trace_id invalid", in: base + `,"contexts":{"trace":{"trace_id":"zz"}}}`, pointer: "/contexts/trace/trace_id"},
		{name: "other contexts kept", in: base + `,"contexts":{"os":{"name":"linux"}}}`, check: func(t *testing.T, c *CheckIn) {
			assert.Nil(t, c.Contexts.Trace)
			assert.JSONEq(t, `{"name":"linux"}`, string(c.Contexts.Other["os"]))
		}},
		{name: "release kept", in: base + `,"release":"1.0"}`, check: func(t *testing.T, c *CheckIn) { assert.Equal(t, "1.0", c.Release) }},
		{name: "malformed", in: base, pointer: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := DecodeCheckIn([]byte(tt.in))
			if tt.err != nil || (tt.check == nil && (tt.pointer != "" || tt.name == "malformed")) {
				requireDecodeError(t, err, tt.err, tt.pointer)
				return
			}
			require.NoError(t, err)
			if tt.pointer != "" {
				require.Len(t, c.Warnings, 1)
				assert.Equal(t, tt.pointer, string(c.Warnings[0].Pointer))
				assert.ErrorIs(t, c.Warnings[0].Err, ErrInvalidValue)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}
