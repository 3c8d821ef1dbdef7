package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/klauspost/compress/gzip"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/grouping"

	"github.com/sentrywire/sentrywire/examples/internal/natsqueue"
	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
)

// TestScaleOut runs the whole pipeline as a host would: nats-server with
// JetStream on disk, examples/ingest -nats and three workers, each its own
// process, fed 10,000 real-SDK envelopes over HTTP by eight senders that
// retry like SDKs. Midway one worker is killed with SIGKILL, holding
// envelopes it never acked, and the server is restarted on the same store.
// Every envelope answered 200 must then have its results, each event
// grouped exactly as grouping.Config.Group groups the same bytes here, and
// a result delivered twice must be recognisable by its event id. A poison
// message in the queue must come out as one result with its error.
func TestScaleOut(t *testing.T) {
	if testing.Short() {
		t.Skip("runs nats-server, the ingest and three workers for about half a minute")
	}
	srv := startNATS(t)
	bin := programs(t)
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	startProc(t, "ingest", nil, filepath.Join(bin, "ingest"), "-nats", srv.url(), "-addr", addr, "-otlp-addr", "")
	waitTCP(t, addr)
	var workers []*proc
	for i := range 3 {
		workers = append(workers, startProc(t, "worker-"+strconv.Itoa(i), nil, filepath.Join(bin, "natsworker"),
			"-nats", srv.url(), "-ack-wait", "3s", "-batch", "64"))
	}

	cfg, err := grouping.NewConfig(grouping.DefaultConfig)
	require.NoError(t, err)
	templates := loadTemplates(t, cfg)

	// A message no ingest would queue: a worker must publish its error
	// and ack it, not take it back forever.
	m := nats.NewMsg(natsqueue.EnvelopeSubject + "42")
	m.Data = []byte("not an envelope\n")
	m.Header.Set(natsqueue.HeaderProject, "42")
	_, err = srv.connect(t).PublishMsg(t.Context(), m, jetstream.WithMsgID("42/poison"))
	require.NoError(t, err)

	const total, senders = 10000, 8
	type send struct {
		id   string
		tp   *template
		want map[int]result
		err  error
	}
	sends := make([]send, total)
	var next, done, retries atomic.Int64
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	began := time.Now()
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= total {
					return
				}
				tp := templates[i%len(templates)]
				id := envelope.NewEventID()
				body := tp.withID(id)
				s := &sends[i]
				s.id, s.tp = id.String(), tp
				s.want = tp.wantFor(id)
				var n int
				n, s.err = post(client, "http://"+addr, tp, body, id)
				retries.Add(int64(n))
				done.Add(1)
			}
		})
	}

	// The failures, while the senders send.
	waitFor := func(n int64) {
		for done.Load() < n {
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(total * 3 / 10)
	workers[0].signal(syscall.SIGKILL)
	t.Logf("killed worker-0 after %d envelopes", done.Load())
	waitFor(total / 2)
	srv.stop(t)
	down := time.Now()
	srv.start(t)
	t.Logf("restarted nats-server after %d envelopes; down for %v", done.Load(), time.Since(down).Round(time.Millisecond))
	wg.Wait()
	sent := time.Since(began)

	var ids []string
	for _, s := range sends {
		if !assert.NoError(t, s.err, "%s never accepted", s.tp.name) {
			continue
		}
		ids = append(ids, s.id)
	}
	t.Logf("%d envelopes accepted in %v (%d retries after 5xx or a broken connection)", len(ids), sent.Round(time.Millisecond), retries.Load())

	// Every accepted event, in the results, however long the redelivery
	// of the killed worker's envelopes takes (its ack wait is 3s).
	got := newResultSet()
	stop := make(chan struct{})
	defer close(stop)
	readResults(t, srv.connect(t), got, stop)
	deadline := time.Now().Add(45 * time.Second)
	for got.missing(ids) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // the stragglers: late duplicates
	results := got.summary()
	t.Logf("results: %s, %v after the last send", results, time.Since(began)-sent)
	// Whether the killed worker held envelopes is up to timing; the
	// consumer's sequence, which counts redeliveries, tells.
	js := srv.connect(t)
	if cons, err := js.Consumer(t.Context(), natsqueue.EnvelopeStream, "natsworker"); assert.NoError(t, err) {
		if ci, err := cons.Info(t.Context()); assert.NoError(t, err) {
			t.Logf("deliveries %d of %d envelopes: %d redelivered", ci.Delivered.Consumer, ci.Delivered.Stream, ci.Delivered.Consumer-ci.Delivered.Stream)
		}
	}
	require.Zero(t, got.missing(ids), "accepted envelopes without results: lost")
	require.Empty(t, got.broken, "results that are not JSON")

	got.mu.Lock()
	defer got.mu.Unlock()
	var wrong []string // capped in the failure message: one bug breaks thousands
	accepted := map[string]bool{}
	for _, s := range sends {
		if s.err != nil {
			continue
		}
		accepted[s.id] = true
		rs := got.byID[s.id]
		for item, want := range s.want {
			want.Envelope, want.Project = "42/"+s.id, "42"
			n := 0
			for _, r := range rs {
				if r.Item == item {
					// A duplicate, from a redelivery, must say the same.
					if r != want {
						wrong = append(wrong, fmt.Sprintf("%s: got %+v, want %+v", s.tp.name, r, want))
					}
					n++
				}
			}
			if n == 0 {
				wrong = append(wrong, fmt.Sprintf("%s: event %s item %d: no result", s.tp.name, s.id, item))
			}
		}
		if len(distinctItems(rs)) != len(s.want) {
			wrong = append(wrong, fmt.Sprintf("%s: event %s: results for items it does not have: %+v", s.tp.name, s.id, rs))
		}
	}
	poison := got.byID[""]
	delete(got.byID, "")
	if assert.Len(t, poison, 1, "results of the poison message") {
		assert.Equal(t, "42/poison", poison[0].Envelope)
		assert.Contains(t, poison[0].Error, "invalid envelope header")
	}
	for id := range got.byID {
		if !accepted[id] {
			wrong = append(wrong, fmt.Sprintf("result for event %s, which was never accepted", id))
		}
	}
	assert.Empty(t, wrong[:min(len(wrong), 5)], "%d results differ from the single process's", len(wrong))
	suitelog.Report(t, t.Name(), len(ids), fmt.Sprintf("envelopes accepted over HTTP by ingest -nats, all in the results of 3 workers (one SIGKILLed, nats-server restarted), groups as in one process; %d sender retries; results: %s",
		retries.Load(), results))
}

func distinctItems(rs []result) map[int]bool {
	m := map[int]bool{}
	for _, r := range rs {
		m[r.Item] = true
	}
	return m
}

// post sends one envelope as an SDK would, retrying on 5xx and on broken
// connections with a growing pause, for up to half a minute. It returns
// the number of retries, and an error for any other answer than 200 with
// the event id.
func post(client *http.Client, base string, tp *template, body []byte, id envelope.EventID) (int, error) {
	if tp.gzip {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = b.Bytes()
	}
	deadline := time.Now().Add(30 * time.Second)
	for retry := 0; ; retry++ {
		req, err := http.NewRequest("POST", base+tp.path, bytes.NewReader(body))
		if err != nil {
			return retry, err
		}
		for k, v := range tp.headers {
			req.Header.Set(k, v)
		}
		if req.Header.Get("X-Sentry-Auth") == "" && req.URL.Query().Get("sentry_key") == "" {
			req.Header.Set("X-Sentry-Auth", authHeader)
		}
		if tp.gzip {
			req.Header.Set("Content-Encoding", "gzip")
		}
		resp, err := client.Do(req)
		var status int
		var answer []byte
		if err == nil {
			status = resp.StatusCode
			answer, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		switch {
		case err == nil && status == http.StatusOK:
			var r struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(answer, &r); err != nil || r.ID != id.String() {
				return retry, fmt.Errorf("answered %s, want id %s", answer, id)
			}
			return retry, nil
		case err == nil && status < 500:
			return retry, fmt.Errorf("answered %d %s", status, answer)
		case time.Now().After(deadline):
			return retry, errors.Join(fmt.Errorf("still failing after %d retries: %d %s", retry, status, answer), err)
		}
		time.Sleep(time.Duration(min(retry+1, 10)) * 50 * time.Millisecond)
	}
}
