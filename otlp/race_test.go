//go:build race

package otlp

// raceEnabled says that the race detector is on, which drops pooled
// objects on purpose: allocation counts do not hold.
const raceEnabled = true
