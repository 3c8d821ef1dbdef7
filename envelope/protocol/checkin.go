package protocol

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope"
)

// The errors particular to check-ins, wrapped in a *DecodeError.
var (
	// ErrEmptySlug is a check-in without a monitor slug, which Relay
	// rejects: the slug names the monitor the check-in belongs to.
	ErrEmptySlug = errors.New("empty monitor slug")
	// ErrInvalidSchedule is a monitor schedule Relay cannot read: an
	// unknown "type", a crontab "value" that is not a string, an interval
	// "value" that is not a whole number, or an unknown "unit".
	ErrInvalidSchedule = errors.New("invalid monitor schedule")
)

// maxSlugChars is how many characters of a monitor slug Relay keeps.
const maxSlugChars = 50

// maxCheckInEnvironmentChars is the longest environment Relay accepts on
// a check-in.
const maxCheckInEnvironmentChars = 64

// A CheckIn is the payload of a "check_in" item: one report of a cron
// monitor's job, as Relay's relay-monitors reads it. It is strict: a value
// of the wrong type fails the whole check-in.
//
// Strings alias the payload. Marshaled, ids are written as 32 hex digits,
// as Relay writes them; keys not named here are kept in Other (Relay drops
// them when it forwards the check-in).
type CheckIn struct {
	// CheckInID names the check-in, so that a later update (an "ok" after
	// an "in_progress") finds it. Absent, it is the nil UUID.
	CheckInID envelope.EventID `json:"check_in_id,omitzero"`
	// MonitorSlug names the monitor. It is required; Relay keeps its first
	// 50 characters.
	MonitorSlug string `json:"monitor_slug"`
	// Status is required.
	Status CheckInStatus `json:"status"`
	// Duration is how long the job ran, in seconds.
	Duration *float64 `json:"duration,omitzero"`
	// Release is sent by sentry-go and the JavaScript SDK; Relay does not
	// read it.
	Release string `json:"release,omitzero"`
	// Environment routes the check-in to the monitor's environment; absent
	// or empty means "production".
	Environment string `json:"environment,omitzero"`
	// MonitorConfig creates or updates the monitor ("upsert") as the job
	// reports in.
	MonitorConfig *MonitorConfig `json:"monitor_config,omitzero"`
	// Contexts links the check-in to a trace.
	Contexts *CheckInContexts `json:"contexts,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`

	// Warnings lists what validation changed: a slug cut to 50 characters,
	// a status Relay makes "unknown".
	Warnings []Warning `json:"-"`
}

// A CheckInStatus is the state of a monitored job.
type CheckInStatus string

// The check-in statuses. SDKs send CheckInInProgress when the job starts
// and CheckInOK or CheckInError when it ends. CheckInMissed is computed by
// Sentry and cannot be sent: Relay turns it, and any status it does not
// know, into CheckInUnknown.
const (
	CheckInOK         CheckInStatus = "ok"
	CheckInError      CheckInStatus = "error"
	CheckInInProgress CheckInStatus = "in_progress"
	CheckInMissed     CheckInStatus = "missed"
	CheckInUnknown    CheckInStatus = "unknown"
)

// MonitorConfig is a check-in's "monitor_config". Durations are in minutes.
type MonitorConfig struct {
	// Schedule is required.
	Schedule MonitorSchedule `json:"schedule"`
	// CheckInMargin is how many minutes late a check-in may be before it
	// counts as missed.
	CheckInMargin *uint64 `json:"checkin_margin,omitzero"`
	// MaxRuntime is how many minutes a job may stay in progress before it
	// counts as failed.
	MaxRuntime *uint64 `json:"max_runtime,omitzero"`
	// Timezone is a tz database name, such as "Europe/Vienna", for the
	// crontab.
	Timezone string `json:"timezone,omitzero"`
	// FailureIssueThreshold is how many failed check-ins in a row open an
	// issue.
	FailureIssueThreshold *uint64 `json:"failure_issue_threshold,omitzero"`
	// RecoveryThreshold is how many good check-ins in a row resolve it.
	RecoveryThreshold *uint64 `json:"recovery_threshold,omitzero"`
	// Owner is "user:<id>" or "team:<id>".
	Owner string `json:"owner,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// UnmarshalJSONFrom requires "schedule".
func (c *MonitorConfig) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type plain MonitorConfig
	return decodeRequiring(dec, (*plain)(c), nil, "schedule")
}

// A MonitorSchedule says when a monitored job runs: a crontab, such as
// {"type":"crontab","value":"0 3 * * *"}, or an interval, such as
// {"type":"interval","value":5,"unit":"minute"}.
type MonitorSchedule struct {
	// Type is ScheduleCrontab or ScheduleInterval.
	Type ScheduleType
	// Crontab is the "value" of a crontab schedule.
	Crontab string
	// Interval and Unit are the "value" and "unit" of an interval schedule.
	Interval uint64
	Unit     IntervalUnit

	// Other holds the keys beside "type", "value" and "unit".
	Other map[string]jsontext.Value
}

// A ScheduleType is the "type" of a monitor schedule.
type ScheduleType string

// The schedule types.
const (
	ScheduleCrontab  ScheduleType = "crontab"
	ScheduleInterval ScheduleType = "interval"
)

// An IntervalUnit is the "unit" of an interval schedule.
type IntervalUnit string

// The interval units.
const (
	UnitMinute IntervalUnit = "minute"
	UnitHour   IntervalUnit = "hour"
	UnitDay    IntervalUnit = "day"
	UnitWeek   IntervalUnit = "week"
	UnitMonth  IntervalUnit = "month"
	UnitYear   IntervalUnit = "year"
)

// scheduleJSON is the wire form of a MonitorSchedule. "value" changes type
// with "type", as in Relay's internally tagged enum.
type scheduleJSON struct {
	Type  ScheduleType              `json:"type"`
	Value jsontext.Value            `json:"value,omitzero"`
	Unit  IntervalUnit              `json:"unit,omitzero"`
	Other map[string]jsontext.Value `json:",embed"`
}

// UnmarshalJSONFrom reads the schedule by its "type", failing as Relay
// does on anything it cannot read.
func (s *MonitorSchedule) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var w scheduleJSON
	if err := decodeRequiring(dec, &w, nil, "type", "value"); err != nil {
		return err
	}
	bad := func(format string, args ...any) error {
		return &json.SemanticError{Err: fmt.Errorf("%w: "+format, append([]any{ErrInvalidSchedule}, args...)...)}
	}
	*s = MonitorSchedule{Type: w.Type, Other: w.Other}
	switch w.Type {
	case ScheduleCrontab:
		if w.Value.Kind() != '"' {
			return bad("a crontab value must be a string, not %s", w.Value)
		}
		u, err := jsontext.AppendUnquote(nil, w.Value)
		if err != nil {
			return err
		}
		s.Crontab = string(u)
		s.Unit = w.Unit // serde ignores it here; it is kept as sent
	case ScheduleInterval:
		if err := json.Unmarshal(w.Value, &s.Interval); err != nil {
			return bad("an interval value must be a whole number, not %s", w.Value)
		}
		switch w.Unit {
		case UnitMinute, UnitHour, UnitDay, UnitWeek, UnitMonth, UnitYear:
		case "":
			return &json.SemanticError{Err: fmt.Errorf("%w: \"unit\"", ErrMissingField)}
		default:
			return bad("unknown unit %q", w.Unit)
		}
		s.Unit = w.Unit
	default:
		return bad("unknown type %q", w.Type)
	}
	return nil
}

// MarshalJSONTo writes the wire form of the schedule's type.
func (s MonitorSchedule) MarshalJSONTo(enc *jsontext.Encoder) error {
	w := scheduleJSON{Type: s.Type, Unit: s.Unit, Other: s.Other}
	var err error
	switch s.Type {
	case ScheduleInterval:
		w.Value, err = json.Marshal(s.Interval)
	default:
		w.Value, err = json.Marshal(s.Crontab)
	}
	if err != nil {
		return err
	}
	return json.MarshalEncode(enc, &w)
}

// CheckInContexts are a check-in's "contexts". Relay reads only "trace".
type CheckInContexts struct {
	Trace *CheckInTrace `json:"trace,omitzero"`

	// Other holds every other context.
	Other map[string]jsontext.Value `json:",embed"`
}

// A CheckInTrace links a check-in to the trace of the job's run.
type CheckInTrace struct {
	// TraceID is required. Relay reads it as a UUID, in any form.
	TraceID envelope.EventID `json:"trace_id"`

	// Other holds every key not named above, such as the "span_id" the
	// JavaScript SDK sends.
	Other map[string]jsontext.Value `json:",embed"`
}

// UnmarshalJSONFrom requires "trace_id".
func (t *CheckInTrace) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type plain CheckInTrace
	return decodeRequiring(dec, (*plain)(t), nil, "trace_id")
}

// DecodeCheckIn decodes and validates the payload of a "check_in" item as
// Relay does: types are strict; "monitor_slug" and "status" are required;
// an empty slug, an environment longer than 64 characters, or a monitor
// config without a readable schedule fail it. Relay's rewrites are applied
// and reported in CheckIn.Warnings: the slug is cut to 50 characters, and
// "missed" or an unknown status becomes "unknown". Errors are *DecodeError.
func DecodeCheckIn(payload []byte) (*CheckIn, error) {
	c := new(CheckIn)
	if err := strictDecode(envelope.TypeCheckIn, payload, c, []string{"monitor_slug", "status"}, []string{"check_in_id"}); err != nil {
		return nil, err
	}
	fail := func(at jsontext.Pointer, err error) error {
		return &DecodeError{Type: envelope.TypeCheckIn, Pointer: at, Err: err}
	}
	switch c.Status {
	case CheckInOK, CheckInError, CheckInInProgress, CheckInUnknown:
	default:
		c.Warnings = append(c.Warnings, Warning{Pointer: "/status",
			Err: fmt.Errorf("%w: status %q is read as %q", ErrInvalidValue, c.Status, CheckInUnknown)})
		c.Status = CheckInUnknown
	}
	if n := utf8.RuneCountInString(c.MonitorSlug); n > maxSlugChars {
		k := 0
		for i := range c.MonitorSlug {
			if k == maxSlugChars {
				c.MonitorSlug = c.MonitorSlug[:i]
				break
			}
			k++
		}
		c.Warnings = append(c.Warnings, Warning{Pointer: "/monitor_slug",
			Err: fmt.Errorf("%w: slug of %d characters cut to %d", ErrInvalidValue, n, maxSlugChars)})
	}
	if c.MonitorSlug == "" {
		return nil, fail("/monitor_slug", ErrEmptySlug)
	}
	if utf8.RuneCountInString(c.Environment) > maxCheckInEnvironmentChars {
		return nil, fail("/environment", fmt.Errorf("%w: longer than %d characters", ErrInvalidEnvironment, maxCheckInEnvironmentChars))
	}
	return c, nil
}
