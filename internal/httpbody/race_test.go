//go:build race

package httpbody

// raceEnabled lets slow tests shrink their inputs under the race detector,
// which makes the pure-Go compressors tens of times slower.
const raceEnabled = true
