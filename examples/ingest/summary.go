package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// redrawEvery is how often, at most, the live table is redrawn: often
// enough to see an error arrive "at once", rarely enough not to flicker
// under a burst of events.
const redrawEvery = 250 * time.Millisecond

// liveIssues is how many issues the live table shows; the final table shows
// them all.
const liveIssues = 20

// sortIssues orders issues newest last seen first; the hash breaks ties so
// that the order is stable between redraws.
func sortIssues(is []issue) {
	slices.SortFunc(is, func(a, b issue) int {
		if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
			return c
		}
		return strings.Compare(a.Hash, b.Hash)
	})
}

// writeTable writes one line per issue, at most limit of them (0: all),
// and a line of counts.
func writeTable(w io.Writer, issues []issue, c counts, limit int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tEVENTS\tLEVEL\tLAST SEEN\tTITLE\tCULPRIT")
	shown := issues
	if limit > 0 && len(shown) > limit {
		shown = shown[:limit]
	}
	for _, is := range shown {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", shortHash(is.Hash), is.Count, is.Level,
			is.LastSeen.Format(time.TimeOnly), clip(is.Title, 60), clip(is.Culprit, 40))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if more := len(issues) - len(shown); more > 0 {
		fmt.Fprintf(w, "... and %d more\n", more)
	}
	_, err := fmt.Fprintf(w, "issues %d · transactions %d · spans %d · sessions %d · check-ins %d · logs %d · rejected requests %d\n",
		len(issues), c.Transactions, c.Spans, c.Sessions, c.CheckIns, c.Logs, c.Rejected)
	return err
}

// shortHash is the 12 hex digits Sentry's UI shows of a hash.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// clip shortens s to n runes on one line, so that one issue stays one line
// of the table.
func clip(s string, n int) string {
	if i := strings.IndexAny(s, "\r\n\t"); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// isTerminal reports whether w is a character device, the portable test
// for a terminal that needs no system calls beyond Stat: a pipe or a file
// gets no escape sequences.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// liveSummary redraws the table on w, a terminal, until ctx is done,
// whenever something changed since the last drawing. It clears the screen
// each time rather than moving the cursor over the old table, because the
// log lines on stderr may have scrolled the terminal in between.
// header, the DSN and endpoints printed at start, stays above the table.
// It looks for changes every interval, redrawEvery in the command.
func liveSummary(ctx context.Context, t *tracker, w io.Writer, header string, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	var drawn uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		issues, c, v := t.snapshot()
		if v == drawn {
			continue
		}
		drawn = v
		var b strings.Builder
		b.WriteString("\x1b[H\x1b[2J") // home, clear screen
		b.WriteString(header)
		_ = writeTable(&b, issues, c, liveIssues)
		_, _ = io.WriteString(w, b.String())
	}
}
