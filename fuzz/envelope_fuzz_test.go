package fuzz

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/sentrywire/sentrywire/envelope"
)

var framingSeeds = []string{
	"", "  \n", "{}", "{}\n", "{}\n\n", "{} \n", "\xef\xbb\xbf{}\n",
	"\n\n{}\n{\"type\":\"event\"}\n{}",
	"{}\r\n{\"type\":\"event\"}\r\n{\"a\":1}\r\n",
	"{\n\"event_id\": \"9ec79c33ec9942ab8353589fcb2e04dc\"\n}\n{\"type\":\"attachment\",\"length\":3}\nabc\n{\"type\":\"x\"}",
	"{}\n{\"type\":\"attachment\",\"length\":0}\n\n{\"type\":\"attachment\",\"length\":0}",
	"{}\n{\"type\":\"a\",\"length\":0}{\"type\":\"b\"}",
	"{}\n{\"type\":\"attachment\",\"length\":50}\nabcd",
	"{}\n{\"type\":\"attachment\",\"length\":-1}\nabc",
	"{}\n{\"type\":\"attachment\",\"length\":4294967299}\nabc",
	"{}\n[]\nabc", "{}\n{}\nabc", "{}\n{\"type\":\"event\",\"type\":\"event\"}\n{}",
	"{\"event_id\":\"\"}\n",
	"{}\n{\"type\":\"log\",\"item_count\":2,\"content_type\":\"application/vnd.sentry.items.log+json\"}\n{\"items\":[{},{}]}",
}

// optionSets are the reading modes every target runs under.
var optionSets = [][]envelope.Option{
	nil,
	{envelope.WithLenientItemHeaders(true), envelope.WithTrailingWhitespace(true), envelope.WithEmptyEventID(true)},
	{envelope.WithLimits(envelope.Limits{MaxEventSize: 64, MaxAttachmentSize: 32, MaxAttachmentsSize: 48, MaxAttachmentCount: 2, MaxHeaderSize: 96, MaxLogSize: 8, MaxContainerSize: 40})},
}

func addSeeds(f *testing.F) {
	for _, s := range framingSeeds {
		f.Add([]byte(s), uint8(0))
	}
	for _, b := range sdkBodies(f) {
		f.Add(b, uint8(0))
	}
}

// FuzzParse checks that Parse never panics, and that what it accepts it
// writes back byte for byte.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		env, err := envelope.Parse(data, optionSets[int(mode)%len(optionSets)]...)
		if err != nil {
			checkTypedError(t, err)
			return
		}
		out, err := env.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("round trip changed the envelope:\n in: %q\nout: %q", data, out)
		}
	})
}

// FuzzReaderAgreesWithParse checks that the streaming Reader, fed in small
// and odd-sized reads, sees exactly what Parse sees: the same items and
// payloads, or the same error at the same item and offset. The one allowed
// difference is documented on Reader: for an envelope that is both
// malformed and over a limit, Parse (like Relay) reports the malformation
// and the Reader the limit it met first.
func FuzzReaderAgreesWithParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		opts := optionSets[int(mode)%len(optionSets)]
		env, perr := envelope.Parse(data, opts...)
		readers := []io.Reader{
			bytes.NewReader(data),
			iotest.OneByteReader(bytes.NewReader(data)),
			iotest.HalfReader(bytes.NewReader(data)),
			iotest.DataErrReader(bytes.NewReader(data)),
		}
		for i, src := range readers {
			items, serr := stream(envelope.NewReader(src, opts...))
			if perr != nil {
				if serr == nil {
					t.Fatalf("reader %d: Parse failed with %v, Reader succeeded", i, perr)
				}
				if !limitBeforeSyntax(perr, serr) {
					sameError(t, perr, serr)
				}
				continue
			}
			if serr != nil {
				t.Fatalf("reader %d: Parse succeeded, Reader failed: %v", i, serr)
			}
			if len(items) != len(env.Items) {
				t.Fatalf("reader %d: %d items, Parse has %d", i, len(items), len(env.Items))
			}
			for j, it := range env.Items {
				if string(it.Header.Raw()) != items[j].header || string(it.Payload()) != items[j].payload {
					t.Fatalf("reader %d item %d: got %q %q, Parse has %q %q", i, j, items[j].header, items[j].payload, it.Header.Raw(), it.Payload())
				}
			}
		}
	})
}

// FuzzRoundTripEdited changes some items, drops or reorders others, and
// checks that what WriteTo writes parses back to the same items. Which items
// change is up to the fuzzer (the mode byte), so unchanged items meet
// changed ones in every order.
func FuzzRoundTripEdited(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		opts := optionSets[int(mode)%len(optionSets)]
		env, err := envelope.Parse(data, opts...)
		if err != nil {
			return
		}
		type want struct {
			typ     envelope.ItemType
			payload string
		}
		var wants []want
		for i, it := range env.Items {
			switch (int(mode) + i) % 4 {
			case 0:
				if err := it.Set("x-sentrywire", i); err != nil {
					t.Fatal(err)
				}
			case 1:
				it.SetPayload(append([]byte("edited\n"), it.Payload()...))
			}
			wants = append(wants, want{it.Type(), string(it.Payload())})
		}
		if mode&4 != 0 && len(env.Items) > 1 { // the last item first
			last := env.Items[len(env.Items)-1]
			copy(env.Items[1:], env.Items[:len(env.Items)-1])
			env.Items[0] = last
			w := wants[len(wants)-1]
			copy(wants[1:], wants[:len(wants)-1])
			wants[0] = w
		}
		if mode&8 != 0 {
			env.Add(envelope.NewItem("x-added", []byte("a\nb")))
			wants = append(wants, want{"x-added", "a\nb"})
		}
		if mode&16 != 0 {
			env.Header.Delete("sent_at")
		}
		out, err := env.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		again, err := envelope.Parse(out, append(opts, envelope.WithLimits(envelope.Limits{}))...)
		if err != nil {
			t.Fatalf("edited envelope does not parse: %v\n%q", err, out)
		}
		if len(again.Items) != len(wants) {
			t.Fatalf("%d items, want %d", len(again.Items), len(wants))
		}
		for i, it := range again.Items {
			if it.Type() != wants[i].typ || string(it.Payload()) != wants[i].payload {
				t.Fatalf("item %d: %q %q, want %q %q", i, it.Type(), it.Payload(), wants[i].typ, wants[i].payload)
			}
		}
	})
}

type streamed struct{ header, payload string }

func stream(r *envelope.Reader) ([]streamed, error) {
	var out []streamed
	for {
		h, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		hdr := string(h.Raw())
		p, err := io.ReadAll(r)
		if err != nil {
			return out, err
		}
		out = append(out, streamed{hdr, string(p)})
	}
}

// checkTypedError fails unless err is one of the documented error types.
func checkTypedError(t *testing.T, err error) {
	t.Helper()
	var se *envelope.SyntaxError
	var le *envelope.LimitError
	if !errors.As(err, &se) && !errors.As(err, &le) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
}

func sameError(t *testing.T, perr, serr error) {
	t.Helper()
	checkTypedError(t, serr)
	var ps, ss *envelope.SyntaxError
	if errors.As(perr, &ps) {
		if !errors.As(serr, &ss) || ps.Err != ss.Err || ps.Item != ss.Item || ps.Offset != ss.Offset {
			t.Fatalf("Parse: %v\nReader: %v", perr, serr)
		}
		return
	}
	var pl, sl *envelope.LimitError
	if !errors.As(perr, &pl) || !errors.As(serr, &sl) || pl.Limit != sl.Limit || pl.Item != sl.Item || pl.Offset != sl.Offset {
		t.Fatalf("Parse: %v\nReader: %v", perr, serr)
	}
}

// limitBeforeSyntax reports the one allowed difference: Parse found a
// syntax error, and the Reader hit a limit at or before that item.
func limitBeforeSyntax(perr, serr error) bool {
	var ps *envelope.SyntaxError
	var sl *envelope.LimitError
	return errors.As(perr, &ps) && errors.As(serr, &sl) && sl.Item <= ps.Item
}
