package protocol

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// relaySession is Relay's session round-trip example.
const relaySession = `{"sid":"8333339f-5675-4f89-a9a0-1c935255ab58","did":"foobarbaz","seq":42,"init":true,"timestamp":"2020-02-07T15:17:00Z","started":"2020-02-07T14:16:00Z","duration":1947.49,"status":"exited","errors":0,"attrs":{"release":"sentry-test@1.0.0","environment":"production","ip_address":"::1","user_agent":"Firefox/72.0"}}`

// sessionWith returns relaySession with the top-level key k set to v, or
// removed if v is "".
func sessionWith(t *testing.T, k, v string) string {
	t.Helper()
	var m map[string]jsontext.Value
	require.NoError(t, json.Unmarshal([]byte(relaySession), &m))
	if v == "" {
		delete(m, k)
	} else {
		m[k] = jsontext.Value(v)
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// requireDecodeError checks that err is a *DecodeError at pointer that
// wraps want.
func requireDecodeError(t *testing.T, err error, want error, pointer string) {
	t.Helper()
	require.Error(t, err)
	var de *DecodeError
	require.True(t, errors.As(err, &de), "%T: %v", err, err)
	if want != nil {
		assert.ErrorIs(t, err, want)
	}
	assert.Equal(t, pointer, string(de.Pointer), "%v", err)
}

func TestDecodeSession(t *testing.T) {
	s, err := DecodeSession([]byte(relaySession))
	require.NoError(t, err)
	assert.Equal(t, "8333339f56754f89a9a01c935255ab58", s.SessionID.String())
	assert.Equal(t, "foobarbaz", s.DistinctID)
	require.NotNil(t, s.Sequence)
	assert.EqualValues(t, 42, *s.Sequence)
	assert.True(t, s.Init)
	assert.Equal(t, time.Date(2020, 2, 7, 15, 17, 0, 0, time.UTC), s.Timestamp.Time)
	assert.Equal(t, time.Date(2020, 2, 7, 14, 16, 0, 0, time.UTC), s.Started.Time)
	require.NotNil(t, s.Duration)
	assert.InDelta(t, 1947.49, *s.Duration, 1e-9)
	assert.Equal(t, SessionExited, s.Status)
	assert.Equal(t, SessionAttributes{Release: "sentry-test@1.0.0", Environment: "production", IPAddress: "::1", UserAgent: "Firefox/72.0"}, s.Attributes)
	assert.Empty(t, s.Warnings)

	out, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, strings.Replace(relaySession, "8333339f-5675-4f89-a9a0-1c935255ab58", "8333339f56754f89a9a01c935255ab58", 1), string(out))
}

func TestDecodeSessionRules(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		err     error  // nil: it decodes
		pointer string // of the error or the warning
		check   func(t *testing.T, s *Session)
	}{
		{name: "minimal", in: `{"started":"2020-02-07T14:16:00Z","attrs":{"release":"r"}}`, check: func(t *testing.T, s *Session) {
			assert.True(t, s.SessionID.IsZero())
			assert.Nil(t, s.Sequence)
			assert.True(t, s.Timestamp.IsZero())
			assert.Equal(t, SessionStatus(""), s.Status)
		}},
		{name: "started missing", in: sessionWith(t, "started", ""), err: ErrMissingField, pointer: "/started"},
		{name: "started null", in: sessionWith(t, "started", "null"), err: ErrInvalidTimestamp, pointer: "/started"},
		{name: "started unix seconds", in: sessionWith(t, "started", "1581084960"), err: ErrInvalidTimestamp, pointer: "/started"},
		{name: "started without zone", in: sessionWith(t, "started", `"2020-02-07T14:16:00"`), err: ErrInvalidTimestamp, pointer: "/started"},
		{name: "started offset without colon", in: sessionWith(t, "started", `"2020-02-07T15:16:00+0100"`), check: func(t *testing.T, s *Session) {
			assert.Equal(t, time.Date(2020, 2, 7, 14, 16, 0, 0, time.UTC), s.Started.Time)
		}},
		{name: "started with space", in: sessionWith(t, "started", `"2020-02-07 14:16:00.5z"`), check: func(t *testing.T, s *Session) {
			assert.Equal(t, time.Date(2020, 2, 7, 14, 16, 0, 5e8, time.UTC), s.Started.Time)
		}},
		{name: "timestamp number", in: sessionWith(t, "timestamp", "1581084960"), err: ErrInvalidTimestamp, pointer: "/timestamp"},
		{name: "attrs missing", in: sessionWith(t, "attrs", ""), err: ErrMissingField, pointer: "/attrs"},
		{name: "release missing", in: sessionWith(t, "attrs", `{"environment":"production"}`), err: ErrMissingField, pointer: "/attrs/release"},
		{name: "release a number", in: sessionWith(t, "attrs", `{"release":1}`), pointer: "/attrs/release"},
		{name: "release latest", in: sessionWith(t, "attrs", `{"release":"Latest"}`), err: ErrInvalidRelease, pointer: "/attrs/release"},
		{name: "release with slash", in: sessionWith(t, "attrs", `{"release":"a/b"}`), err: ErrInvalidRelease, pointer: "/attrs/release"},
		{name: "release of 200 bytes", in: sessionWith(t, "attrs", `{"release":"`+strings.Repeat("a", 200)+`"}`)},
		{name: "release of 201 bytes", in: sessionWith(t, "attrs", `{"release":"`+strings.Repeat("a", 201)+`"}`), err: ErrInvalidRelease, pointer: "/attrs/release"},
		{name: "environment invalid is removed", in: sessionWith(t, "attrs", `{"release":"r","environment":"none"}`), pointer: "/attrs/environment", check: func(t *testing.T, s *Session) {
			assert.Empty(t, s.Attributes.Environment)
			require.Len(t, s.Warnings, 1)
			assert.ErrorIs(t, s.Warnings[0].Err, ErrInvalidEnvironment)
		}},
		{name: "environment valid is kept", in: sessionWith(t, "attrs", `{"release":"r","environment":"staging"}`), check: func(t *testing.T, s *Session) {
			assert.Equal(t, "staging", s.Attributes.Environment)
			assert.Empty(t, s.Warnings)
		}},
		{name: "ip auto", in: sessionWith(t, "attrs", `{"release":"r","ip_address":"{{auto}}"}`)},
		{name: "ip v4", in: sessionWith(t, "attrs", `{"release":"r","ip_address":"127.0.0.1"}`)},
		{name: "ip invalid", in: sessionWith(t, "attrs", `{"release":"r","ip_address":"localhost"}`), err: ErrInvalidIP, pointer: "/attrs/ip_address"},
		{name: "ip with zone", in: sessionWith(t, "attrs", `{"release":"r","ip_address":"fe80::1%eth0"}`), err: ErrInvalidIP, pointer: "/attrs/ip_address"},
		{name: "seq max", in: sessionWith(t, "seq", "18446744073709551615"), err: ErrInvalidSequence, pointer: "/seq"},
		{name: "seq zero is kept", in: sessionWith(t, "seq", "0"), check: func(t *testing.T, s *Session) {
			require.NotNil(t, s.Sequence)
			assert.Zero(t, *s.Sequence)
		}},
		{name: "seq negative", in: sessionWith(t, "seq", "-1"), pointer: "/seq"},
		{name: "status unknown", in: sessionWith(t, "status", `"sleeping"`), err: ErrUnknownStatus, pointer: "/status"},
		{name: "status unhandled", in: sessionWith(t, "status", `"unhandled"`), check: func(t *testing.T, s *Session) {
			assert.Equal(t, SessionUnhandled, s.Status)
		}},
		{name: "status a number", in: sessionWith(t, "status", `1`), pointer: "/status"},
		{name: "did a number", in: sessionWith(t, "did", `42`), pointer: "/did"},
		{name: "did null", in: sessionWith(t, "did", `null`), check: func(t *testing.T, s *Session) { assert.Empty(t, s.DistinctID) }},
		{name: "sid invalid", in: sessionWith(t, "sid", `"not-a-uuid"`), pointer: "/sid"},
		{name: "errors negative", in: sessionWith(t, "errors", `-1`), pointer: "/errors"},
		{name: "abnormal mechanism null", in: sessionWith(t, "abnormal_mechanism", `null`), check: func(t *testing.T, s *Session) {
			assert.Equal(t, AbnormalMechanism(""), s.AbnormalMechanism)
		}},
		{name: "abnormal mechanism", in: sessionWith(t, "abnormal_mechanism", `"anr_foreground"`), check: func(t *testing.T, s *Session) {
			assert.Equal(t, AbnormalANRForeground, s.AbnormalMechanism)
		}},
		{name: "unknown keys kept", in: sessionWith(t, "extra", `{"a":1}`), check: func(t *testing.T, s *Session) {
			assert.Equal(t, `{"a":1}`, string(s.Other["extra"]))
		}},
		{name: "malformed", in: `{"started":`, pointer: "/started"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := DecodeSession([]byte(tt.in))
			if tt.err == nil && !strings.Contains(tt.name, "malformed") && tt.pointer != "" && tt.check == nil {
				// A type error: strict, so the whole session fails.
				requireDecodeError(t, err, nil, tt.pointer)
				return
			}
			if tt.err != nil || strings.Contains(tt.name, "malformed") {
				requireDecodeError(t, err, tt.err, tt.pointer)
				return
			}
			require.NoError(t, err)
			if tt.pointer != "" {
				require.NotEmpty(t, s.Warnings)
				assert.Equal(t, tt.pointer, string(s.Warnings[0].Pointer))
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func TestDecodeSessionAggregates(t *testing.T) {
	const ok = `{"aggregates":[{"started":"2020-02-07T14:16:00Z","did":"u","exited":2,"errored":1,"abnormal":1,"unhandled":1,"crashed":1},{"started":"2020-02-07T14:17:00Z","exited":5}],"attrs":{"release":"r","environment":"production"}}`
	s, err := DecodeSessionAggregates([]byte(ok))
	require.NoError(t, err)
	require.Len(t, s.Aggregates, 2)
	assert.EqualValues(t, 6, s.Aggregates[0].Total())
	assert.Equal(t, "u", s.Aggregates[0].DistinctID)
	assert.EqualValues(t, 5, s.Aggregates[1].Exited)
	out, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, ok, string(out))

	tests := []struct {
		name, in string
		err      error
		pointer  string
	}{
		{"no aggregates is an empty list", `{"attrs":{"release":"r"}}`, nil, ""},
		{"attrs missing", `{"aggregates":[]}`, ErrMissingField, "/attrs"},
		{"release missing", `{"attrs":{}}`, ErrMissingField, "/attrs/release"},
		{"release invalid", `{"attrs":{"release":".."}}`, ErrInvalidRelease, "/attrs/release"},
		{"started missing", `{"aggregates":[{"exited":1}],"attrs":{"release":"r"}}`, ErrMissingField, "/aggregates/0/started"},
		{"started not rfc 3339", `{"aggregates":[{"started":1581084960}],"attrs":{"release":"r"}}`, ErrInvalidTimestamp, "/aggregates/0/started"},
		{"count negative", `{"aggregates":[{"started":"2020-02-07T14:16:00Z","crashed":-1}],"attrs":{"release":"r"}}`, nil, "/aggregates/0/crashed"},
		{"count past 32 bits", `{"aggregates":[{"started":"2020-02-07T14:16:00Z","exited":4294967296}],"attrs":{"release":"r"}}`, nil, "/aggregates/0/exited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := DecodeSessionAggregates([]byte(tt.in))
			if tt.err == nil && tt.pointer == "" {
				require.NoError(t, err)
				assert.Empty(t, s.Aggregates)
				return
			}
			requireDecodeError(t, err, tt.err, tt.pointer)
		})
	}

	s, err = DecodeSessionAggregates([]byte(`{"attrs":{"release":"r","environment":"a\tb"}}`))
	require.NoError(t, err)
	assert.Empty(t, s.Attributes.Environment)
	require.Len(t, s.Warnings, 1)
	assert.Equal(t, "/attrs/environment", string(s.Warnings[0].Pointer))
}

func TestValidateReleaseAndEnvironment(t *testing.T) {
	for _, tt := range []struct {
		s            string
		release, env bool // valid
	}{
		{"1.0.0", true, true},
		{"my-app@1.0+build.5", true, true},
		{"", true, true},
		{".", false, false},
		{"..", false, false},
		{"LATEST", false, true},
		{"None", true, false},
		{"a/b", false, false},
		{`a\b`, false, false},
		{"a\nb", false, false},
		{"a\x7fb", false, false},
		{"a\x01b", false, false},
		{"a b", true, true},
		{strings.Repeat("x", 64), true, true},
		{strings.Repeat("x", 65), true, false},
		{strings.Repeat("x", 201), false, false},
	} {
		assert.Equal(t, tt.release, ValidateRelease(tt.s) == nil, "release %q", tt.s)
		assert.Equal(t, tt.env, ValidateEnvironment(tt.s) == nil, "environment %q", tt.s)
		if err := ValidateRelease(tt.s); err != nil {
			assert.ErrorIs(t, err, ErrInvalidRelease)
		}
		if err := ValidateEnvironment(tt.s); err != nil {
			assert.ErrorIs(t, err, ErrInvalidEnvironment)
		}
	}
}

func TestDateTime(t *testing.T) {
	want := time.Date(2020, 2, 7, 14, 16, 0, 0, time.UTC)
	for _, s := range []string{
		"2020-02-07T14:16:00Z", "2020-02-07t14:16:00z", "2020-02-07 14:16:00Z",
		"2020-02-07T15:16:00+01:00", "2020-02-07T15:16:00+0100", "2020-02-07T13:16:00-0100",
		"2020-02-07T14:16:00.000000Z",
	} {
		var d DateTime
		require.NoError(t, json.Unmarshal([]byte(`"`+s+`"`), &d), s)
		assert.True(t, want.Equal(d.Time), s)
	}
	for _, s := range []string{`"2020-02-07T14:16:00"`, `"2020-02-07"`, `"2020-02-07X14:16:00Z"`, `"2020-02-07T25:16:00Z"`, `1581084960`, `null`, `""`} {
		var d DateTime
		err := json.Unmarshal([]byte(s), &d)
		assert.ErrorIs(t, err, ErrInvalidTimestamp, s)
	}
	b, err := json.Marshal(DateTime{want.Add(1500 * time.Millisecond).In(time.FixedZone("x", 3600))})
	require.NoError(t, err)
	assert.Equal(t, `"2020-02-07T14:16:01.5Z"`, string(b))
}
