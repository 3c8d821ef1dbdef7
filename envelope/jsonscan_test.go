package envelope

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsontextVerdict is the reference scanValue must agree with: a
// jsontext.Decoder with the options framing uses, reading b as all of the
// input.
func jsontextVerdict(b []byte) (end int, v scanVerdict) {
	buf := bytes.NewBuffer(b)
	dec := jsontext.NewDecoder(buf, allowDup...)
	if _, err := dec.ReadValue(); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, scanIncomplete
		}
		return 0, scanInvalid
	}
	return int(dec.InputOffset()), scanValid
}

var verdictNames = [...]string{"valid", "invalid", "incomplete", "too deep"}

func (v scanVerdict) String() string { return verdictNames[v] }

// scanCases are the corners of the grammar where a hand-written scanner
// and jsontext could part ways, with jsontext's verdict.
var scanCases = []struct {
	in   string
	want scanVerdict
}{
	{`{}`, scanValid},
	{`{ }`, scanValid},
	{"{\t\r\n}", scanValid},
	{"{\f}", scanInvalid}, // form feed is not JSON whitespace
	{"{\v}", scanInvalid},
	{"{\u00a0}", scanInvalid},
	{`{"a":1}`, scanValid},
	{`{"a" : 1 , "b" : [ 1 , 2 ] }`, scanValid},
	{`{"a":1,"a":2}`, scanValid}, // duplicates: framing checks the ones Relay declares
	{`{"a":1,}`, scanInvalid},
	{`{,}`, scanInvalid},
	{`{"a"}`, scanInvalid},
	{`{"a":}`, scanInvalid},
	{`{"a":1 "b":2}`, scanInvalid},
	{`{a:1}`, scanInvalid},
	{`{'a':1}`, scanInvalid},
	{`{"a":1]`, scanInvalid},
	{`[1}`, scanInvalid},
	{`[1,]`, scanInvalid},
	{`[,1]`, scanInvalid},
	{`[]`, scanValid},
	{`[[[]]]`, scanValid},
	{`{"a":[{"b":{"c":[null,true,false]}}]}`, scanValid},
	{`{"a":1`, scanIncomplete},
	{`{"a":1,`, scanIncomplete},
	{`{"a"`, scanIncomplete},
	{`{"a":`, scanIncomplete},
	{`{"a`, scanIncomplete},
	{`{`, scanIncomplete},
	{`[`, scanIncomplete},
	// Literals.
	{`{"a":true}`, scanValid},
	{`{"a":tru}`, scanInvalid},
	{`{"a":tru`, scanIncomplete},
	{`{"a":True}`, scanInvalid},
	{`{"a":nul`, scanIncomplete},
	{`{"a":nulll}`, scanInvalid},
	{`{"a":falsey}`, scanInvalid},
	{`null`, scanValid},
	{`nu`, scanIncomplete},
	{`nx`, scanInvalid},
	// Numbers: RFC 8259's grammar, any magnitude.
	{`{"a":-0}`, scanValid},
	{`{"a":0.5e-7}`, scanValid},
	{`{"a":1e400}`, scanValid},
	{`{"a":-1E+400}`, scanValid},
	{`{"a":123456789012345678901234567890}`, scanValid},
	{`{"a":01}`, scanInvalid},
	{`{"a":-01}`, scanInvalid},
	{`{"a":+1}`, scanInvalid},
	{`{"a":.5}`, scanInvalid},
	{`{"a":1.}`, scanInvalid},
	{`{"a":1.e5}`, scanInvalid},
	{`{"a":1e}`, scanInvalid},
	{`{"a":1e+}`, scanInvalid},
	{`{"a":-}`, scanInvalid},
	{`{"a":0x10}`, scanInvalid},
	{`{"a":NaN}`, scanInvalid},
	{`{"a":Infinity}`, scanInvalid},
	{`{"a":1.5`, scanIncomplete},
	{`{"a":1.`, scanIncomplete},
	{`{"a":1e`, scanIncomplete},
	{`{"a":1e-`, scanIncomplete},
	{`{"a":-`, scanIncomplete},
	{`-`, scanIncomplete},
	{`1e5`, scanValid},
	{`1x`, scanValid}, // the value is "1"; what follows is the framer's business
	{`01`, scanValid},
	// Strings: escapes, surrogates, control characters, UTF-8.
	{`{"a":"\"\\\/\b\f\n\r\t"}`, scanValid},
	{`{"a":"\u0000\u001f\uFFFF\uabcd"}`, scanValid},
	{`{"a":"\x"}`, scanInvalid},
	{`{"a":"\'"}`, scanInvalid},
	{`{"a":"\U0041"}`, scanInvalid},
	{`{"a":"\u00g0"}`, scanInvalid},
	{`{"a":"\u00"}`, scanInvalid},
	{`{"a":"\u00`, scanIncomplete},
	{`{"a":"\`, scanIncomplete},
	{`{"a":"\ud83d\ude00"}`, scanValid},
	{`{"a":"\uD83D\uDE00"}`, scanValid},
	{`{"a":"\ud83d"}`, scanInvalid},
	{`{"a":"\ud83dx"}`, scanInvalid},
	{`{"a":"\ud83d\u0041"}`, scanInvalid},
	{`{"a":"\ud83d\ud83d"}`, scanInvalid},
	{`{"a":"\ude00"}`, scanInvalid},
	{`{"a":"\ude00\ude00"}`, scanInvalid},
	{`{"a":"\ude00\ud83d"}`, scanInvalid},
	{`{"a":"\ud83d`, scanIncomplete},
	{`{"a":"\ud83d\`, scanIncomplete},
	{`{"a":"\ud83d\ud`, scanIncomplete},
	{`{"a":"\ud83d\u00`, scanInvalid}, // cannot begin a low surrogate
	{`{"a":"\ude00`, scanIncomplete},  // jsontext waits for a pair that cannot come
	{`{"\u00e9":1}`, scanValid},
	{"{\"a\":\"\x00\"}", scanInvalid},
	{"{\"a\":\"\x1f\"}", scanInvalid},
	{"{\"a\":\"\t\"}", scanInvalid},
	{"{\"a\":\"\x7f\"}", scanValid},
	{"{\"a\":\"é😀\"}", scanValid},
	{"{\"a\":\"\xef\xbf\xbd\"}", scanValid}, // U+FFFD itself
	{"{\"a\":\"\xff\"}", scanInvalid},
	{"{\"a\":\"\xc3\"}", scanInvalid},
	{"{\"a\":\"\xc0\xaf\"}", scanInvalid},     // overlong
	{"{\"a\":\"\xed\xa0\x80\"}", scanInvalid}, // a surrogate in UTF-8
	{"{\"a\":\"\xf4\x90\x80\x80\"}", scanInvalid},
	{"{\"a\":\"\xf0\x9f\x98", scanIncomplete},
	{"{\"\xff\":1}", scanInvalid},
	{"\xef\xbb\xbf{}", scanInvalid}, // a byte order mark
	{`"abc"`, scanValid},
	{`"abc`, scanIncomplete},
	{`}`, scanInvalid},
	{`]`, scanInvalid},
	{`:`, scanInvalid},
	// Nesting: both allow far more than headers use.
	{strings.Repeat(`[`, maxScanDepth) + strings.Repeat(`]`, maxScanDepth), scanValid},
	{strings.Repeat(`{"a":`, maxScanDepth) + `1` + strings.Repeat(`}`, maxScanDepth), scanValid},
	{strings.Repeat(`[`, maxScanDepth) + strings.Repeat(`]`, maxScanDepth-1) + `}`, scanInvalid},
	{strings.Repeat(`[`, maxScanDepth+1) + strings.Repeat(`]`, maxScanDepth+1), scanTooDeep},
}

func TestScanValue(t *testing.T) {
	for _, c := range scanCases {
		in := []byte(c.in)
		_, v := scanValue(in)
		assert.Equal(t, c.want, v, "%.60q", c.in)
		checkScan(t, in)
	}
}

// checkScan requires scanValue and scanObject to give jsontext's verdict on
// b, and scanObject to find the members the plain walk finds.
func checkScan(t *testing.T, b []byte) {
	t.Helper()
	if len(b) == 0 {
		return
	}
	plain := 0
	for plain < len(b) && plainString[b[plain]] {
		plain++
	}
	require.Equal(t, plain, skipPlain(b, 0), "plain bytes of %.200q", b)
	wantEnd, want := jsontextVerdict(b)
	end, v := scanValue(b)
	if v == scanTooDeep {
		require.GreaterOrEqual(t, bytes.Count(b, []byte("["))+bytes.Count(b, []byte("{")), maxScanDepth, "too deep at %d levels: %.80q", maxScanDepth, b)
		return
	}
	require.Equal(t, want, v, "verdict on %.200q", b)
	if v == scanValid {
		require.Equal(t, wantEnd, end, "end of %.200q", b)
	}
	if b[0] != '{' {
		return
	}
	oend, ms, ov := scanObject(b, nil)
	if ov == scanTooDeep {
		return
	}
	require.Equal(t, v, ov, "scanObject's verdict on %.200q", b)
	if ov == scanValid {
		require.Equal(t, end, oend, "scanObject's end of %.200q", b)
		require.Equal(t, appendMembers(nil, b[:end]), ms, "members of %.200q", b)
	}
}

// checkFramer requires scan, which takes the fast path for objects, to
// frame b exactly as the jsontext path does: same offsets, same errors.
func checkFramer(t *testing.T, b []byte) {
	t.Helper()
	for _, maxHeader := range []int64{0, 24} {
		opts := options{limits: Limits{MaxHeaderSize: maxHeader}}
		for _, atEOF := range []bool{true, false} {
			fast, ref := &framer{opts: opts}, &framer{opts: opts}
			start, end, err := fast.scan(b, atEOF)
			if start == len(b) {
				continue // only whitespace: no value to scan
			}
			rstart, rend, rerr := ref.scanJSONText(b, start, atEOF)
			require.Equal(t, rstart, start)
			require.Equal(t, rend, end, "end of %.200q (atEOF %v, max %d)", b, atEOF, maxHeader)
			require.Equal(t, rerr, err, "error for %.200q (atEOF %v, max %d)", b, atEOF, maxHeader)
			if err == nil {
				require.Equal(t, ref.members, fast.members, "members of %.200q", b)
			}
		}
	}
}

func TestFramerScan(t *testing.T) {
	for _, c := range scanCases {
		checkFramer(t, []byte(c.in))
		checkFramer(t, []byte(" \n"+c.in+"\n{}"))
	}
	for _, h := range captureHeaders(t) {
		checkScan(t, h)
		checkFramer(t, h)
	}
}

// captureHeaders returns every envelope and item header real SDKs sent.
func captureHeaders(t testing.TB) [][]byte {
	var out [][]byte
	for _, e := range sdkEnvelopes(t) {
		env, err := Parse(e)
		require.NoError(t, err)
		out = append(out, env.rawHeader)
		for _, it := range env.Items {
			out = append(out, it.rawHeader)
		}
	}
	require.NotEmpty(t, out)
	return out
}

// FuzzScanValue is the differential target for the hand-written header
// scanner: on every input, scanValue and scanObject give jsontext's verdict
// and end, and the framer frames alike, with the same errors, whichever
// path it takes. Seeds are the headers real SDKs sent and the corners of
// the grammar.
func FuzzScanValue(f *testing.F) {
	for _, h := range captureHeaders(f) {
		f.Add(h)
	}
	for _, c := range scanCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkScan(t, b[skipSpace(b, 0):])
		checkFramer(t, b)
	})
}
