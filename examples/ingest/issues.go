package main

import (
	"io"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
)

// An issue is what Sentry would show for a group of events: the events
// that share their first group hash, the hash a new issue is created under.
type issue struct {
	Hash      string // the full first hash; the table shows its first 12 hex digits
	Count     int
	Level     string
	Title     string
	Culprit   string
	FirstSeen time.Time
	LastSeen  time.Time
}

// counts are the accepted data that is not grouped, by kind.
type counts struct {
	Transactions int64
	Spans        int64 // standalone span items and the records of span v2 containers
	Sessions     int64 // session and sessions items
	CheckIns     int64
	Logs         int64 // log records
	Rejected     int64 // requests answered with an error
}

// tracker groups the accepted events into issues and counts the rest. The
// grouping config is compiled once, at start, and shared by every request:
// compiling it is far costlier than grouping an event.
type tracker struct {
	cfg     *grouping.Config
	jsonOut io.Writer // one JSON line per event when set
	now     func() time.Time

	mu      sync.Mutex
	issues  map[string]*issue
	counts  counts
	version uint64 // bumped on every change, so the live table redraws only when needed
}

func newTracker(cfg *grouping.Config, jsonOut io.Writer) *tracker {
	return &tracker{cfg: cfg, jsonOut: jsonOut, now: time.Now, issues: make(map[string]*issue)}
}

// eventLine is the -json output for one accepted event.
type eventLine struct {
	EventID string `json:"event_id"`
	Group   string `json:"group"`
	Title   string `json:"title"`
	Culprit string `json:"culprit"`
	Level   string `json:"level"`
	Count   int    `json:"count"`
}

// observe records the items of an accepted envelope. It returns the error
// of an event item that does not decode, which the envelope framing cannot
// catch and Relay would drop later; the rest of the envelope still counts.
func (t *tracker) observe(env *envelope.Envelope) error {
	var firstErr error
	for _, it := range env.Items {
		switch it.Type() {
		case envelope.TypeEvent:
			// Grouping happens outside the lock: it is the expensive part
			// and needs nothing shared but the immutable config.
			ev, err := protocol.DecodeEvent(it.Payload())
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			t.addEvent(ev, t.cfg.Group(ev))
		case envelope.TypeTransaction:
			t.add(&t.counts.Transactions, 1)
		case envelope.TypeSpan:
			t.add(&t.counts.Spans, records(it))
		case envelope.TypeSession, envelope.TypeSessions:
			t.add(&t.counts.Sessions, 1)
		case envelope.TypeCheckIn:
			t.add(&t.counts.CheckIns, 1)
		case envelope.TypeLog:
			t.add(&t.counts.Logs, records(it))
		}
	}
	return firstErr
}

// records is the number of records an item carries: its item_count when
// it is a container, else one.
func records(it *envelope.Item) int64 {
	if n, ok := it.ItemCount(); ok && it.IsContainer() {
		return n
	}
	return 1
}

func (t *tracker) add(c *int64, n int64) {
	t.mu.Lock()
	*c += n
	t.version++
	t.mu.Unlock()
}

// rejected counts a request answered with an error.
func (t *tracker) rejected() { t.add(&t.counts.Rejected, 1) }

func (t *tracker) addEvent(ev *protocol.Event, res *grouping.Result) {
	hash := "fallback"
	if len(res.Hashes) > 0 {
		hash = res.Hashes[0]
	}
	// Sentry stores an event without a level as an error.
	level := string(ev.Level)
	if level == "" {
		level = "error"
	}
	now := t.now()

	t.mu.Lock()
	is := t.issues[hash]
	if is == nil {
		is = &issue{Hash: hash, FirstSeen: now}
		t.issues[hash] = is
	}
	is.Count++
	is.LastSeen = now
	// The latest event speaks for the issue, as in Sentry. The strings may
	// point into the request's payload; cloning lets the payload go.
	is.Level = level
	is.Title = strings.Clone(res.Title)
	is.Culprit = strings.Clone(res.Culprit)
	t.version++
	line := eventLine{EventID: ev.EventID.String(), Group: hash, Title: is.Title, Culprit: is.Culprit, Level: level, Count: is.Count}
	// Written under the lock so that the counts of one group appear in order.
	if t.jsonOut != nil {
		if b, err := json.Marshal(line); err == nil {
			_, _ = t.jsonOut.Write(append(b, '\n'))
		}
	}
	t.mu.Unlock()
}

// snapshot returns a copy of the issues, newest last seen first, the
// counts and the version they were taken at.
func (t *tracker) snapshot() ([]issue, counts, uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]issue, 0, len(t.issues))
	for _, is := range t.issues {
		out = append(out, *is)
	}
	sortIssues(out)
	return out, t.counts, t.version
}
