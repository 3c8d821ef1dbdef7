package sdkcapture

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/examples/internal/suitelog"
)

// TestIngestTerminal is the README's promise as a user sees it: start
// `go run ./examples/ingest` in a terminal, point the Django app at the DSN
// it prints, and the app's errors show up in the live table, grouped into
// issues, within a second. The ingest runs on a real pseudo-terminal (it
// draws the table only on a terminal), the Django guide's project under
// runserver with Debian's sentry-sdk; the test reads the screen.
func TestIngestTerminal(t *testing.T) {
	requirePythonModules(t, "sentry_sdk", "django")
	screen := startIngestOnTerminal(t)
	dsn := screen.waitFor(t, regexp.MustCompile(`DSN:\s+(http://\S+)/1\r?\n`), 20*time.Second)[1]
	// The banner's DSN names project 1; the guide's app may use any.
	base := startRunserver(t, dsn+"/1", "")

	steps := []struct {
		c guideCase
		// want is the issue row of the failure, matched on the screen's
		// last frame: the title, and the event count after this request.
		title  string
		count  int
		issues int
	}{
		{guideCases[0], "ZeroDivisionError: division by zero", 1, 1},
		{guideCases[0], "ZeroDivisionError: division by zero", 2, 1},
		{guideCases[2], "TemplateDoesNotExist: orders/detail.html", 1, 2},
		{guideCases[5], "order 7 is taking long", 1, 3},
	}
	var slowest time.Duration
	for _, s := range steps {
		sent := time.Now()
		getGuide(t, base, s.c)
		// GROUP  EVENTS  LEVEL  LAST SEEN  TITLE  CULPRIT
		row := regexp.MustCompile(`(?m)^[0-9a-f]{12}\s+` + fmt.Sprint(s.count) + `\s+\w+\s+\S+\s+` + regexp.QuoteMeta(s.title))
		total := regexp.MustCompile(`(?m)^issues ` + fmt.Sprint(s.issues) + ` `)
		screen.waitFrame(t, func(frame string) bool {
			return row.MatchString(frame) && total.MatchString(frame)
		}, 5*time.Second)
		took := time.Since(sent)
		slowest = max(slowest, took)
		assert.Less(t, took, time.Second, "GET %s showed in the table after %v", s.c.path, took)
	}

	// Ctrl-C prints the final table, below the live one.
	screen.interrupt(t)
	final := screen.output()
	i := strings.LastIndex(final, "\x1b[2J")
	require.GreaterOrEqual(t, i, 0, "no live table was drawn:\n%s", final)
	tail := final[i:]
	assert.Regexp(t, `(?m)^[0-9a-f]{12}\s+2\s+error\s+\S+\s+ZeroDivisionError: division by zero\s+/zero/`, tail, "the final table")
	assert.Regexp(t, `(?m)^issues 3 · transactions 0 · spans 0 · sessions 0 · check-ins 0 · logs 0 · rejected requests 0$`, tail)
	t.Logf("slowest request-to-screen time %v", slowest)
	suitelog.Report(t, t.Name(), len(steps), fmt.Sprintf("Django requests shown as issues in the live terminal table, slowest %v", slowest.Round(time.Millisecond)))
}

// terminal is the screen of a program running on a pseudo-terminal.
type terminal struct {
	cmd *exec.Cmd

	mu     sync.Mutex
	out    strings.Builder
	change chan struct{}
	exited chan error
}

// startIngestOnTerminal runs examples/ingest on free ports with its stdout
// on a new pseudo-terminal, its log discarded, and stops it when the test
// ends.
func startIngestOnTerminal(t *testing.T) *terminal {
	t.Helper()
	master, slave, err := openPTY()
	if err != nil {
		missing(t, "no pseudo-terminal: "+err.Error())
	}
	term := &terminal{change: make(chan struct{}, 1), exited: make(chan error, 1)}
	term.cmd = exec.Command(program(t, "ingest"), "-addr", "127.0.0.1:0", "-otlp-addr", "127.0.0.1:0")
	term.cmd.Env = cleanEnv()
	term.cmd.Stdout = slave
	log := &syncBuffer{}
	term.cmd.Stderr = log
	require.NoError(t, term.cmd.Start())
	slave.Close() // the child has its own copy
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			term.mu.Lock()
			// The terminal turns \n into \r\n; undo it for matching.
			term.out.WriteString(strings.ReplaceAll(string(buf[:n]), "\r\n", "\n"))
			term.mu.Unlock()
			select {
			case term.change <- struct{}{}:
			default:
			}
			if err != nil { // EIO once the ingest has exited
				return
			}
		}
	}()
	go func() { term.exited <- term.cmd.Wait() }()
	t.Cleanup(func() {
		term.cmd.Process.Kill()
		master.Close()
		if t.Failed() {
			t.Logf("ingest log:\n%s\nscreen:\n%q", log.String(), term.output())
		}
	})
	return term
}

func (term *terminal) output() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.out.String()
}

// waitFor waits until re matches the screen output and returns the match.
func (term *terminal) waitFor(t *testing.T, re *regexp.Regexp, max time.Duration) []string {
	t.Helper()
	var m []string
	term.waitOutput(t, func(out string) bool { m = re.FindStringSubmatch(out); return m != nil }, max, re.String())
	return m
}

// waitFrame waits until ok holds for the last frame of the live table
// drawn so far: the output after the last clear-screen sequence.
func (term *terminal) waitFrame(t *testing.T, ok func(frame string) bool, max time.Duration) {
	t.Helper()
	term.waitOutput(t, func(out string) bool {
		i := strings.LastIndex(out, "\x1b[H\x1b[2J")
		return i >= 0 && ok(out[i:])
	}, max, "the expected table")
}

func (term *terminal) waitOutput(t *testing.T, ok func(string) bool, max time.Duration, what string) {
	t.Helper()
	deadline := time.After(max)
	for !ok(term.output()) {
		select {
		case <-term.change:
		case err := <-term.exited:
			t.Fatalf("the ingest exited (%v) before showing %s:\n%s", err, what, term.output())
		case <-deadline:
			t.Fatalf("the screen did not show %s within %v:\n%s", what, max, term.output())
		}
	}
}

// interrupt sends SIGINT, as Ctrl-C in the terminal would, and waits for the
// ingest to exit and its output to be read.
func (term *terminal) interrupt(t *testing.T) {
	t.Helper()
	require.NoError(t, term.cmd.Process.Signal(os.Interrupt))
	select {
	case err := <-term.exited:
		require.NoError(t, err, "the ingest's exit after Ctrl-C")
	case <-time.After(15 * time.Second):
		t.Fatal("the ingest did not stop within 15s of SIGINT")
	}
	// Let the reader drain what the ingest wrote last.
	time.Sleep(100 * time.Millisecond)
}

// openPTY opens a new pseudo-terminal pair the Linux way: /dev/ptmx, then
// unlock the slave and open it by number.
func openPTY() (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		master.Close()
		return nil, nil, fmt.Errorf("unlockpt: %w", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		master.Close()
		return nil, nil, fmt.Errorf("ptsname: %w", e)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	return master, slave, nil
}
