//go:build !race

package parameterize

const raceEnabled = false
