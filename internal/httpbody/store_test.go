package httpbody

import (
	"bytes"
	"compress/flate"
	stdzlib "compress/zlib"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/zlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func zlibBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	require.NoError(t, err)
	_, err = w.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func stdZlibBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := stdzlib.NewWriter(&buf)
	_, err := w.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func b64(b []byte) []byte { return []byte(base64.StdEncoding.EncodeToString(b)) }

func TestDecodeStore(t *testing.T) {
	event := eventJSON(4000)
	big := eventJSON(100 << 10)
	zl := zlibBytes(t, event)
	var rawDeflate bytes.Buffer
	fw, _ := flate.NewWriter(&rawDeflate, flate.DefaultCompression)
	_, _ = fw.Write(event)
	require.NoError(t, fw.Close())
	badChecksum := bytes.Clone(zl)
	badChecksum[len(badChecksum)-1] ^= 1
	wrapped := func(s []byte) []byte { // MIME-style 76-column lines
		var b bytes.Buffer
		for len(s) > 76 {
			b.Write(s[:76])
			b.WriteString("\r\n")
			s = s[76:]
		}
		b.Write(s)
		return b.Bytes()
	}

	cases := []struct {
		name     string
		body     []byte
		max      int
		want     []byte
		errStage string // "" means success
	}{
		{"empty", []byte{}, 1 << 20, []byte{}, ""},
		{"plain-json", event, 1 << 20, event, ""},
		{"plain-json-not-limited", big, 10, big, ""},
		{"plain-garbage-after-brace", []byte("{not json"), 1 << 20, []byte("{not json"), ""},
		{"base64-json", b64(event), 1 << 20, event, ""},
		{"base64-json-not-limited", b64(big), 10, big, ""},
		{"base64-zlib", b64(zl), 1 << 20, event, ""},
		{"base64-stdlib-zlib", b64(stdZlibBytes(t, event)), 1 << 20, event, ""},
		{"base64-zlib-exactly-max", b64(zl), len(event), event, ""},
		{"base64-zlib-over-max-is-truncated", b64(zlibBytes(t, big)), 1000, big[:1000], ""},
		{"base64-zlib-over-max-by-one", b64(zl), len(event) - 1, event[:len(event)-1], ""},
		{"base64-zlib-zero-max", b64(zl), 0, []byte{}, ""},
		{"base64-zlib-negative-max", b64(zl), -1, []byte{}, ""},
		{"base64-zlib-truncated-stream", b64(zl[:len(zl)/2]), 1 << 20, nil, ""},
		{"base64-zlib-missing-checksum", b64(zl[:len(zl)-4]), 1 << 20, event, ""},
		{"base64-zlib-header-only-one-byte", b64(zl[:1]), 1 << 20, []byte{}, ""},
		{"base64-zlib-bad-checksum", b64(badChecksum), 1 << 20, nil, "zlib"},
		{"base64-raw-deflate", b64(rawDeflate.Bytes()), 1 << 20, nil, "zlib"},
		{"base64-not-zlib", b64([]byte("hello world")), 1 << 20, nil, "zlib"},
		{"garbage", []byte("this is not base64!"), 1 << 20, nil, "base64"},
		{"bad-length", b64(event)[:17], 1 << 20, nil, "base64"},
		{"base64-with-newlines", wrapped(b64(zl)), 1 << 20, nil, "base64"},
		{"base64-with-trailing-newline", append(b64(zl), '\n'), 1 << 20, nil, "base64"},
		{"base64-with-spaces", []byte("e30g ICAg"), 1 << 20, nil, "base64"},
		{"base64-url-safe-alphabet", []byte(strings.NewReplacer("+", "-", "/", "_").Replace(base64.StdEncoding.EncodeToString(append([]byte{0xfb, 0xff}, zl...)))), 1 << 20, nil, "base64"},
		{"base64-unpadded", []byte(base64.RawStdEncoding.EncodeToString([]byte("{}x"))[:3]), 1 << 20, nil, "base64"},
		{"base64-nonzero-trailing-bits", []byte("e31="), 1 << 20, nil, "base64"},
		{"base64-padding-inside-group", []byte("e3=w"), 1 << 20, nil, "base64"},
		{"base64-only-padding", []byte("===="), 1 << 20, nil, "base64"},
		{"base64-concatenated-groups-json", []byte("e30=e30="), 1 << 20, []byte("{}{}"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeStore(tc.body, tc.max)
			if tc.errStage != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrInvalidBody)
				var se *StoreError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tc.errStage, se.Stage)
				assert.NotNil(t, errors.Unwrap(err))
				assert.Contains(t, err.Error(), "invalid request body: "+tc.errStage)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			if tc.want != nil {
				assert.Equal(t, tc.want, got)
			}
			assert.LessOrEqual(t, len(got), max(tc.max, len(tc.body)))
		})
	}
}

func TestDecodeStoreTruncatedStreamKeepsPrefix(t *testing.T) {
	event := eventJSON(50 << 10)
	zl := zlibBytes(t, event)
	got, err := DecodeStore(b64(zl[:len(zl)/2]), 1<<20)
	require.NoError(t, err)
	require.NotEmpty(t, got)
	assert.Less(t, len(got), len(event))
	assert.Equal(t, event[:len(got)], got)
}

func TestDecodeStoreNoCopyForJSON(t *testing.T) {
	body := []byte(`{"message":"hi"}`)
	got, err := DecodeStore(body, 1<<20)
	require.NoError(t, err)
	assert.Same(t, &body[0], &got[0])
}

func TestDecodeBase64(t *testing.T) {
	cases := []struct {
		in      string
		want    string
		wantErr bool
		offset  int64 // for CorruptInputError
	}{
		{"", "", false, 0},
		{"Zm9v", "foo", false, 0},
		{"Zm8=", "fo", false, 0},
		{"Zg==", "f", false, 0},
		{"Zm8=YmFy", "fobar", false, 0},
		{"Zg==Zg==Zm8=", "fffo", false, 0},
		{"Zm9vYmFy", "foobar", false, 0},
		// Non-zero trailing bits are reported at the byte after the
		// offending symbol; offsets are absolute in the body.
		{"Zh==", "", true, 2},
		{"Zm9=", "", true, 3},
		{"Zm9vZh==", "", true, 6},
		{"Zm8=Zh==", "", true, 6},
		{"Zm9v\nYmF", "", true, 4},
		{"Zm9v\r\nYm", "", true, 4},
		{"Zm9v YmF", "", true, 4},
		{"Z===", "", true, 1},
		{"Zm-_", "", true, 2},
		{"Zm9", "", true, -1}, // length error
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := decodeBase64([]byte(tc.in))
			if !tc.wantErr {
				require.NoError(t, err)
				assert.Equal(t, tc.want, string(got))
				return
			}
			require.Error(t, err)
			var cie base64.CorruptInputError
			if tc.offset >= 0 {
				require.ErrorAs(t, err, &cie)
				assert.Equal(t, tc.offset, int64(cie))
			} else {
				assert.Contains(t, err.Error(), "not a multiple of 4")
			}
		})
	}
}

func TestDecodeStorePoolReuse(t *testing.T) {
	// A decompressor returned to the pool after hitting the size cut must
	// decode the next body from scratch.
	first := eventJSON(20 << 10)
	second := eventJSON(3 << 10)
	got, err := DecodeStore(b64(zlibBytes(t, first)), 100)
	require.NoError(t, err)
	assert.Equal(t, first[:100], got)
	for range 3 {
		got, err = DecodeStore(b64(zlibBytes(t, second)), 1<<20)
		require.NoError(t, err)
		assert.Equal(t, second, got)
	}
}

func TestSizedReader(t *testing.T) {
	s := &sizedReader{r: strings.NewReader("abc"), n: 42}
	assert.Equal(t, 42, s.Len())
	b, err := io.ReadAll(s)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(b))
}
