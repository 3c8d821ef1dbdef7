//go:build race

package parameterize

// raceEnabled trims the slow oracle comparisons under the race detector,
// which makes regexp2 ten times slower and finds nothing in them.
const raceEnabled = true
