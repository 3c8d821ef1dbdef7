package envelope_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/sentrywire/sentrywire/envelope"
)

const body = `{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sdk":{"name":"sentry.go","version":"0.50.0"}}
{"type":"event","length":19}
{"message":"hello"}
{"type":"attachment","length":11,"filename":"app.log"}
hello
world
`

func ExampleParse() {
	env, err := envelope.Parse([]byte(body))
	if err != nil {
		log.Fatal(err)
	}
	id, _ := env.EventID()
	sdk, _ := env.SDK()
	fmt.Println(id, sdk.Name)
	for _, it := range env.Items {
		fmt.Printf("%s %q %d bytes\n", it.Type(), it.Filename(), len(it.Payload()))
	}
	// Output:
	// 9ec79c33ec9942ab8353589fcb2e04dc sentry.go
	// event "" 19 bytes
	// attachment "app.log" 11 bytes
}

func ExampleParse_error() {
	// CRLF line ends: Relay wants "\n" right after a header.
	_, err := envelope.Parse([]byte("{}\r\n{\"type\":\"event\"}\r\n{}"))
	fmt.Println(err)

	var se *envelope.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Err == envelope.ErrMissingNewline, se.Item, se.Offset)
	}
	// Output:
	// envelope: header at byte 2: missing newline after header or payload
	// true -1 2
}

func ExampleEnvelope_WriteTo() {
	env, err := envelope.Parse([]byte(body))
	if err != nil {
		log.Fatal(err)
	}
	// Keep only the event, and tag it.
	env.Items = env.Items[:1]
	env.Items[0].Set("x_proxy", "seen")
	if _, err := env.WriteTo(os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sdk":{"name":"sentry.go","version":"0.50.0"}}
	// {"type":"event","length":19,"x_proxy":"seen"}
	// {"message":"hello"}
}

func ExampleReader() {
	r := envelope.NewReader(strings.NewReader(body))
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		// The payload streams from r; here it is counted, not kept.
		n, err := io.Copy(io.Discard, r)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(h.Type(), n)
	}
	// Output:
	// event 19
	// attachment 11
}

func ExampleNew() {
	env := envelope.New()
	env.SetEventID(envelope.EventID{0x9e, 0xc7})
	env.Add(envelope.NewItem(envelope.TypeEvent, []byte(`{"message":"built"}`)))
	var buf bytes.Buffer
	env.WriteTo(&buf)
	fmt.Print(buf.String())
	// Output:
	// {"event_id":"9ec70000000000000000000000000000"}
	// {"type":"event","length":19}
	// {"message":"built"}
}

func ExampleReadRequest() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{project_id}/envelope/", func(w http.ResponseWriter, r *http.Request) {
		req, err := envelope.ReadRequest(r)
		if err != nil {
			envelope.WriteError(w, err)
			return
		}
		fmt.Println("project", req.ProjectID, "via", req.Auth.Source, "items", len(req.Envelope.Items))
		w.Write([]byte(`{}`))
	})

	post := func(auth string) {
		r := httptest.NewRequest("POST", "/api/42/envelope/", strings.NewReader(body))
		if auth != "" {
			r.Header.Set("X-Sentry-Auth", auth)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	post("Sentry sentry_version=7, sentry_client=sentry.go/0.50.0, sentry_key=0123456789abcdef0123456789abcdef")
	post("")
	// Output:
	// project 42 via x-sentry-auth items 2
	// 200 {}
	// 401 {"detail":"bad envelope authentication header","causes":["no \"dsn\" in the envelope header"]}
}
