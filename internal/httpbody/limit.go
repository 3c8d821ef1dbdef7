package httpbody

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sync"
)

// ErrTooLarge is matched (via [errors.Is]) by the [*LimitError] that
// [ReadAll] and [LimitReader] return when a body holds more bytes than the
// limit. Relay answers 413 Payload Too Large in that case.
var ErrTooLarge = errors.New("body too large")

// LimitError reports a body with more than Limit bytes. It matches
// [ErrTooLarge].
type LimitError struct {
	// Limit is the number of bytes the body was allowed to have.
	Limit int64
}

// Error states the limit that was exceeded.
func (e *LimitError) Error() string {
	return fmt.Sprintf("body exceeds the limit of %d bytes", e.Limit)
}

// Is reports whether target is [ErrTooLarge].
func (e *LimitError) Is(target error) bool { return target == ErrTooLarge }

// firstReadSize is the first buffer ReadAll uses when it cannot learn the
// body size in advance: large enough for most events in one read, small
// enough not to matter for tiny requests.
const firstReadSize = 64 << 10

// Scratch chunks come from pools by size: 4 KiB, 8 KiB, ... 4 MiB. Larger
// chunks are rare (bodies of many megabytes) and are allocated; keeping
// them in a pool would pin that much memory per idle P.
const (
	minChunkShift = 12
	maxChunkShift = 22
)

var chunkPools [maxChunkShift - minChunkShift + 1]sync.Pool

// getChunk returns an empty buffer of capacity size, from a pool when size
// is one of the pooled sizes.
func getChunk(size int64) []byte {
	if i, ok := chunkClass(size); ok {
		if p, _ := chunkPools[i].Get().(*[]byte); p != nil {
			return (*p)[:0]
		}
	}
	return make([]byte, 0, size)
}

// putChunk hands b back to its pool when it came from one.
func putChunk(b []byte) {
	if i, ok := chunkClass(int64(cap(b))); ok {
		b = b[:0]
		chunkPools[i].Put(&b)
	}
}

func chunkClass(size int64) (int, bool) {
	if size < 1<<minChunkShift || size > 1<<maxChunkShift || size&(size-1) != 0 {
		return 0, false
	}
	return bits.TrailingZeros64(uint64(size)) - minChunkShift, true
}

// ReadAll reads r until io.EOF and returns the bytes, or fails with a
// [*LimitError] as soon as r yields more than limit bytes. A body of
// exactly limit bytes is accepted. A negative limit is treated as zero.
//
// Unlike [io.ReadAll] followed by a length check, ReadAll never buffers
// more than limit+1 bytes of input, so a decompression bomb costs memory in
// proportion to the limit, not to what the bomb would inflate to, plus the
// CPU time to inflate limit bytes. It reads into scratch chunks of doubling
// size whose total is capped at limit+1 bytes, and copies them into one
// slice of exactly the right length at the end: an accepted body of n bytes
// allocates n bytes, once, and a rejected one nothing that outlives the
// call. The chunks are pooled, because a server reads bodies all day and
// fresh chunks would cost about twice the body again in allocation and
// zeroing. When r reports its remaining length through a Len() int method,
// as *bytes.Reader and *bytes.Buffer do, the body is read straight into a
// slice of that size.
//
// When the limit is exceeded ReadAll returns no data. On other errors it
// returns the bytes read before the error. Errors from r, such as
// [ErrCorruptBody] from a reader made by [NewReader], are returned
// unchanged.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	if limit < 0 {
		limit = 0
	}
	// budget is how many more bytes of buffer may be allocated. The total is
	// limit+1: the extra byte is how an over-long body is told apart from
	// one of exactly limit bytes.
	budget := limit
	if budget < math.MaxInt64 {
		budget++
	}
	budget = min(budget, int64(math.MaxInt))
	if l, ok := r.(interface{ Len() int }); ok {
		// The size is known: read into the result itself, and fall back to
		// chunks only if r yields more than it said.
		size := min(int64(l.Len())+1, budget)
		b := make([]byte, 0, size)
		for {
			n, err := r.Read(b[len(b):cap(b)])
			b = b[:len(b)+n]
			if int64(len(b)) > limit {
				return nil, &LimitError{Limit: limit}
			}
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				return b, err
			}
			if len(b) == cap(b) {
				return readChunks(r, limit, budget-size, [][]byte{b}, int64(len(b)), false)
			}
		}
	}
	return readChunks(r, limit, budget, nil, 0, true)
}

// readChunks continues ReadAll into pooled chunks, after chunks that hold
// total bytes; pooledFirst says whether chunks[0] came from a pool.
func readChunks(r io.Reader, limit, budget int64, chunks [][]byte, total int64, pooledFirst bool) (_ []byte, err error) {
	defer func() {
		for i, c := range chunks {
			if i > 0 || pooledFirst {
				putChunk(c)
			}
		}
	}()
	size := int64(firstReadSize)
	if len(chunks) > 0 {
		size = 2 * int64(cap(chunks[len(chunks)-1]))
	}
	size = min(size, budget)
	budget -= size
	b := getChunk(size)
	chunks = append(chunks, b)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		chunks[len(chunks)-1] = b
		if total+int64(len(b)) > limit {
			return nil, &LimitError{Limit: limit}
		}
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			// bytes.Join allocates the result without zeroing it first:
			// every byte is about to be overwritten by the copy. (It gives
			// nil for nothing, and an empty body is an empty slice.)
			out := bytes.Join(chunks, nil)
			if out == nil {
				out = []byte{}
			}
			return out, err
		}
		if len(b) == cap(b) {
			// A full buffer with budget left: the budget can only be
			// exhausted once limit+1 bytes were read, which returned above.
			total += int64(len(b))
			size = min(2*int64(cap(b)), budget)
			budget -= size
			b = getChunk(size)
			chunks = append(chunks, b)
		}
	}
}

// LimitReader returns a reader that reads from r but fails with a
// [*LimitError] once r has yielded more than limit bytes. A negative limit
// is treated as zero.
//
// [io.LimitReader] silently stops at its limit, which would hand a
// truncated body to a parser; this reader turns the overflow into an error
// instead. It returns exactly limit bytes before the error and looks at
// most one byte beyond the limit to detect it. After an error every Read
// returns the same error.
func LimitReader(r io.Reader, limit int64) io.Reader {
	return &limitReader{r: r, remaining: max(limit, 0), limit: max(limit, 0)}
}

type limitReader struct {
	r         io.Reader
	remaining int64 // bytes that may still be returned
	limit     int64
	err       error // sticky error; only set for errors other than io.EOF
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Ask for one byte more than allowed: receiving it proves the body is
	// too large without buffering anything beyond the limit.
	if int64(len(p))-1 > l.remaining {
		p = p[:l.remaining+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.remaining {
		n = int(l.remaining)
		l.remaining = 0
		l.err = &LimitError{Limit: l.limit}
		return n, l.err
	}
	l.remaining -= int64(n)
	if err != nil && err != io.EOF {
		l.err = err
	}
	return n, err
}
