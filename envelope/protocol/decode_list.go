package protocol

import (
	"errors"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A list is a slice type the package's own decoding reads into a reused
// buffer and then copies out at its final length. json grows a slice by
// appending, which for a list of n frames allocates and copies log2(n)
// ever larger arrays, most of them garbage at once; stack frames are big,
// so that was most of the bytes a decoded event allocated. Reading into a
// buffer kept by the pooled decoder leaves one allocation of the exact
// size.
type list[T any] []T

// A buffer is where a list is read before it is copied out.
type buffer[T any] struct {
	s    list[T]
	busy bool // reading a list, which may hold a list of the same type
}

// unmarshalList returns an unmarshaler for []T that reads through buf. A
// list nested in a list of the same type finds the buffer busy and is read
// as json reads it.
func unmarshalList[T any](buf *buffer[T]) *json.Unmarshalers {
	return json.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *[]T) error {
		if !fastPaths || buf.busy || dec.PeekKind() != '[' {
			return errors.ErrUnsupported // null or the wrong kind: as by default
		}
		buf.busy = true
		// list[T] is not []T, so this reads with json's own slice
		// unmarshaling, which reuses the buffer's capacity. The buffer
		// is read in place, not through a local slice, which would
		// escape to the heap.
		buf.s = buf.s[:0]
		err := json.UnmarshalDecode(dec, &buf.s)
		out := make([]T, len(buf.s))
		copy(out, buf.s)
		clear(buf.s) // do not pin the payload from the pool
		buf.busy = false
		*v = out
		return err
	})
}

// lists are the buffers of the lists decoded often enough, and long
// enough, to be worth one.
type lists struct {
	frames      buffer[Frame]
	exceptions  buffer[Exception]
	breadcrumbs buffer[Breadcrumb]
	spans       buffer[Span]
	threads     buffer[Thread]
	packages    buffer[ClientSDKPackage]

	strings []string
	// spare is the unused end of the memory the string lists of the
	// payload being decoded are carved from (see carve).
	spare []string
}

// maxKeptList is the longest list whose buffer an idle decoder keeps: a
// payload with a huge list (ten thousand breadcrumbs, say) must not pin
// that much memory in the decoder for the rest of the process.
const maxKeptList = 1024

// trim drops the buffers a long list grew.
func (l *lists) trim() {
	trimBuffer(&l.frames)
	trimBuffer(&l.exceptions)
	trimBuffer(&l.breadcrumbs)
	trimBuffer(&l.spans)
	trimBuffer(&l.threads)
	trimBuffer(&l.packages)
	if cap(l.strings) > maxKeptList {
		l.strings = nil
	}
	l.spare = nil
}

func trimBuffer[T any](b *buffer[T]) {
	if cap(b.s) > maxKeptList {
		b.s = nil
	}
}

func (l *lists) unmarshalers() *json.Unmarshalers {
	return json.JoinUnmarshalers(
		unmarshalList(&l.frames),
		unmarshalList(&l.exceptions),
		json.UnmarshalFromFunc(l.unmarshalStrings),
		unmarshalList(&l.breadcrumbs),
		unmarshalList(&l.spans),
		unmarshalList(&l.threads),
		unmarshalList(&l.packages),
	)
}

// unmarshalStrings is unmarshalList for []string, which reads the strings
// itself rather than through json's slice decoding and the string hook:
// frames send their source lines as lists of strings, and a list of five
// strings cost as much as the frame around it. A value that is not a
// string goes to json, under the hooks of the decoding in progress.
func (l *lists) unmarshalStrings(dec *jsontext.Decoder, v *[]string) error {
	if !fastPaths || dec.PeekKind() != '[' {
		return errors.ErrUnsupported
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	s := l.strings[:0]
	l.strings = nil
	var err error
	for dec.PeekKind() != ']' {
		s = append(s, "")
		if dec.PeekKind() == '"' {
			err = readStringAlias(dec, &s[len(s)-1], true)
		} else {
			err = json.UnmarshalDecode(dec, &s[len(s)-1])
		}
		if err != nil {
			break
		}
	}
	if err == nil {
		_, err = dec.ReadToken()
	}
	*v = l.carve(s)
	clear(s)
	l.strings = s[:0]
	return err
}

// carve returns a copy of s. A frame has two lists of a few source lines,
// so the copies are carved from a larger block, one allocation for many
// lists; the block is never shared between payloads (see decode), so that
// one Event kept does not hold the memory of others.
func (l *lists) carve(s []string) []string {
	n := len(s)
	if n == 0 {
		return []string{} // empty, not absent, as json makes it
	}
	if n > len(l.spare) {
		size := max(n, 32, 2*len(l.spare))
		size = min(size, max(n, 1024))
		l.spare = make([]string, size)
	}
	out := l.spare[:n:n]
	copy(out, s)
	l.spare = l.spare[n:]
	return out
}

// unmarshalRawMap reads an object of raw values (a frame's data, a
// mechanism's meta, free-form data of all kinds) as json's map decoding
// would, but keeps the member names without copying them, as the values
// are kept (see unmarshalRaw). Like json, it adds to a map that is already
// there, and a later duplicate name wins.
func unmarshalRawMap(dec *jsontext.Decoder, m *map[string]jsontext.Value) error {
	if !fastPaths || dec.PeekKind() != '{' {
		return errors.ErrUnsupported
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	if *m == nil {
		*m = make(map[string]jsontext.Value)
	}
	for dec.PeekKind() != '}' {
		name, err := readName(dec, true)
		if err != nil {
			return err
		}
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		(*m)[name] = v
	}
	_, err := dec.ReadToken()
	return err
}
