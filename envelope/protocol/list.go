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

// unmarshalList returns an unmarshaler for []T that reads through the
// buffer *buf. A list nested in a list of the same type finds the buffer
// taken and uses one of its own.
func unmarshalList[T any](buf *[]T) *json.Unmarshalers {
	return json.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *[]T) error {
		if dec.PeekKind() != '[' {
			return errors.ErrUnsupported // null or the wrong kind: as by default
		}
		s := *buf
		*buf = nil
		// list[T] is not []T, so this reads with json's own slice
		// unmarshaling, which reuses the buffer's capacity.
		err := json.UnmarshalDecode(dec, (*list[T])(&s))
		out := make([]T, len(s))
		copy(out, s)
		clear(s) // do not pin the payload from the pool
		*buf = s[:0]
		*v = out
		return err
	})
}

// lists are the buffers of the lists decoded often enough, and long
// enough, to be worth one.
type lists struct {
	frames      []Frame
	exceptions  []Exception
	strings     []string
	breadcrumbs []Breadcrumb
	spans       []Span
	threads     []Thread
	packages    []ClientSDKPackage
}

func (l *lists) unmarshalers() *json.Unmarshalers {
	return json.JoinUnmarshalers(
		unmarshalList(&l.frames),
		unmarshalList(&l.exceptions),
		unmarshalList(&l.strings),
		unmarshalList(&l.breadcrumbs),
		unmarshalList(&l.spans),
		unmarshalList(&l.threads),
		unmarshalList(&l.packages),
	)
}
