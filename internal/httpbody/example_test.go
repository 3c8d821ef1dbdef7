package httpbody_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/sentrywire/sentrywire/internal/httpbody"
)

// An ingest handler decodes the body according to Content-Encoding and
// reads it under the endpoint's size limit; each failure maps to the status
// code Relay would answer with.
func Example() {
	var compressed bytes.Buffer
	zw := gzip.NewWriter(&compressed)
	zw.Write([]byte(`{"message":"hello"}`))
	zw.Close()

	status := func(err error) int {
		switch {
		case err == nil:
			return 200
		case errors.Is(err, httpbody.ErrUnsupportedEncoding):
			return 415 // with "Accept-Encoding: " + httpbody.AcceptEncoding
		case errors.Is(err, httpbody.ErrTooLarge):
			return 413
		case errors.Is(err, httpbody.ErrCorruptBody):
			return 400
		default:
			return 500 // the connection failed; not the client's data
		}
	}

	body, err := httpbody.NewReader(bytes.NewReader(compressed.Bytes()), "gzip")
	if err != nil {
		fmt.Println(status(err))
		return
	}
	defer body.Close()
	event, err := httpbody.ReadAll(body, 1<<20)
	fmt.Println(status(err), string(event))

	_, err = httpbody.NewReader(strings.NewReader("..."), "x-gzip")
	fmt.Println(status(err), httpbody.AcceptEncoding)

	body, _ = httpbody.NewReader(bytes.NewReader(compressed.Bytes()), "gzip")
	_, err = httpbody.ReadAll(body, 10)
	fmt.Println(status(err), err)

	body, _ = httpbody.NewReader(strings.NewReader(`{"message":"plain JSON, not gzip"}`), "gzip")
	_, err = httpbody.ReadAll(body, 1<<20)
	fmt.Println(status(err), err)
	// Output:
	// 200 {"message":"hello"}
	// 415 zstd,gzip,deflate,br
	// 413 body exceeds the limit of 10 bytes
	// 400 corrupt gzip body after 0 decoded bytes: gzip: invalid header
}

// Old SDKs post events to /store/ as base64 of zlib-compressed JSON.
func ExampleDecodeStore() {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(`{"message":"from raven"}`))
	zw.Close()
	body := []byte(base64.StdEncoding.EncodeToString(z.Bytes()))

	event, err := httpbody.DecodeStore(body, 1<<20)
	fmt.Println(string(event), err)

	_, err = httpbody.DecodeStore([]byte("not base64!"), 1<<20)
	fmt.Println(errors.Is(err, httpbody.ErrInvalidBody))
	// Output:
	// {"message":"from raven"} <nil>
	// true
}

// Python's json module writes non-finite floats as bare NaN and Infinity;
// Relay blanks them out, keeping every byte offset, for Python clients only.
func ExampleRepairPythonJSON() {
	event := []byte(`{"extra":{"ratio":NaN,"limit":-Infinity,"label":"NaN"}}`)
	if httpbody.NeedsPythonJSONRepair("raven-python/6.10.0") {
		event = httpbody.RepairPythonJSON(event)
	}
	fmt.Println(string(event))
	// Output:
	// {"extra":{"ratio":0  ,"limit":-0       ,"label":"NaN"}}
}

// LimitReader turns an oversized body into an error instead of silently
// truncating it the way io.LimitReader does.
func ExampleLimitReader() {
	r := httpbody.LimitReader(strings.NewReader("0123456789"), 4)
	buf := make([]byte, 16)
	n, err := r.Read(buf)
	fmt.Printf("%q %v\n", buf[:n], err)
	// Output:
	// "0123" body exceeds the limit of 4 bytes
}
