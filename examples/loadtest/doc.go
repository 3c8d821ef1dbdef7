// Package loadtest drives the ingest example (examples/ingest) at full speed
// on loopback with Debian's wrk and checks that it holds up: every request
// answered 200, latency reported at the 99th percentile, and a resident set
// that stays flat, bounded by the envelope limits rather than growing with
// the duration of the run.
//
// The load is the real SDK traffic under envelope/testdata/sdk: every
// envelope capture, once as plain bytes and once gzip-compressed, posted in
// turn with the credentials its SDK sent. The package holds only that test,
// TestIngestLoad, and the wrk script it runs, envelopes.lua:
//
//	examples/loadtest/install.sh          # apt-installs wrk when missing
//	go test -run TestIngestLoad -v ./examples/loadtest
//
// The run takes 30 seconds; SENTRYWIRE_LOAD_SECONDS shortens it for local
// iteration. With -short the load run is skipped; without wrk it fails
// rather than skips, so that a CI that lost its wrk says so.
package loadtest
