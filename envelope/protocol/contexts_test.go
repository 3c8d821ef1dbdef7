package protocol

import (
	"testing"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeCtxEvent decodes an event payload leniently, as DecodeEvent does,
// without depending on it.
func decodeCtxEvent(t *testing.T, payload string) *Event {
	t.Helper()
	ev, err := decodeEventAs("event", []byte(payload))
	require.NoError(t, err)
	return ev
}

func pointersOf(ws []Warning) []string {
	var ps []string
	for _, w := range ws {
		ps = append(ps, string(w.Pointer))
	}
	return ps
}

func TestContextsShapes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		warnings []string // of the event
		check    func(t *testing.T, c Contexts)
	}{
		{name: "type defaults to the key", in: `{"contexts":{"os":{"name":"Linux"}}}`, check: func(t *testing.T, c Contexts) {
			assert.Equal(t, "os", c.Type("os"))
			os, w, err := c.OS()
			require.NoError(t, err)
			assert.Empty(t, w)
			require.NotNil(t, os)
			assert.Equal(t, "Linux", os.Name)
		}},
		{name: "explicit type is kept", in: `{"contexts":{"my_os":{"type":"os","name":"Linux"}}}`, check: func(t *testing.T, c Contexts) {
			ctx, ok := c.Get("my_os")
			require.True(t, ok)
			assert.Equal(t, "os", ctx.Type)
			var os OSContext
			w, err := ctx.Decode(&os)
			require.NoError(t, err)
			assert.Empty(t, w)
			assert.Equal(t, "Linux", os.Name)
			got, _, _ := c.OS()
			assert.Nil(t, got, "an OS context under another key is not the event's OS context")
		}},
		{name: "number type is replaced by the key", in: `{"contexts":{"os":{"type":17,"name":"a"}}}`, check: func(t *testing.T, c Contexts) {
			assert.Equal(t, "os", c.Type("os"))
			os, _, _ := c.OS()
			require.NotNil(t, os)
			assert.Equal(t, "a", os.Name)
		}},
		{name: "object type is replaced by the key", in: `{"contexts":{"gpu":{"type":{}}}}`, check: func(t *testing.T, c Contexts) {
			assert.Equal(t, "gpu", c.Type("gpu"))
		}},
		{name: "empty type is replaced by the key", in: `{"contexts":{"browser":{"type":""}}}`, check: func(t *testing.T, c Contexts) {
			assert.Equal(t, "browser", c.Type("browser"))
		}},
		{name: "list type is replaced by the key", in: `{"contexts":{"app":{"type":["x"]}}}`, check: func(t *testing.T, c Contexts) {
			assert.Equal(t, "app", c.Type("app"))
		}},
		{name: "a context that says it is another type", in: `{"contexts":{"trace":{"type":"runtime","name":"x"}}}`, check: func(t *testing.T, c Contexts) {
			assert.Equal(t, "runtime", c.Type("trace"))
			tc, _, err := c.Trace()
			require.NoError(t, err)
			assert.Nil(t, tc)
		}},
		{name: "unknown context is kept", in: `{"contexts":{"shop":{"cart":[1,2],"total":3.5}}}`, check: func(t *testing.T, c Contexts) {
			ctx, ok := c.Get("shop")
			require.True(t, ok)
			assert.Equal(t, "shop", ctx.Type)
			assert.JSONEq(t, `{"cart":[1,2],"total":3.5}`, string(ctx.Raw))
			var v struct {
				Total float64 `json:"total"`
			}
			_, err := ctx.Decode(&v)
			require.NoError(t, err)
			assert.Equal(t, 3.5, v.Total)
		}},
		{name: "non-object context is dropped with a warning", in: `{"contexts":{"os":"linux","runtime":{"name":"go"}}}`,
			warnings: []string{"/contexts/os"}, check: func(t *testing.T, c Contexts) {
				_, ok := c["os"]
				assert.False(t, ok)
				rt, _, _ := c.Runtime()
				require.NotNil(t, rt)
				assert.Equal(t, "go", rt.Name)
			}},
		{name: "null context is kept and absent", in: `{"contexts":{"os":null}}`, check: func(t *testing.T, c Contexts) {
			assert.Equal(t, "null", string(c["os"]))
			_, ok := c.Get("os")
			assert.False(t, ok)
			assert.Equal(t, "", c.Type("os"))
		}},
		{name: "contexts not an object", in: `{"contexts":[1]}`, warnings: []string{"/contexts"}, check: func(t *testing.T, c Contexts) {
			assert.Empty(t, c)
		}},
		{name: "typed field warnings point from the event", in: `{"contexts":{"device":{"memory_size":"lots","arch":"x64"}}}`, check: func(t *testing.T, c Contexts) {
			d, w, err := c.Device()
			require.NoError(t, err)
			assert.Equal(t, []string{"/contexts/device/memory_size"}, pointersOf(w))
			require.NotNil(t, d)
			assert.Equal(t, "x64", d.Arch)
			assert.Nil(t, d.MemorySize)
		}},
		{name: "zero and false are kept", in: `{"contexts":{"device":{"processor_frequency":0,"charging":false}}}`, check: func(t *testing.T, c Contexts) {
			d, _, _ := c.Device()
			require.NotNil(t, d.ProcessorFrequency)
			assert.Zero(t, *d.ProcessorFrequency)
			require.NotNil(t, d.Charging)
			assert.False(t, *d.Charging)
			b, err := json.Marshal(d)
			require.NoError(t, err)
			assert.JSONEq(t, `{"processor_frequency":0,"charging":false}`, string(b))
		}},
		{name: "trace context", in: `{"contexts":{"trace":{"trace_id":"4C79F60C11214EB38604F4AE0781BFB2","span_id":"FA90FDEAD5F74052",
			"parent_span_id":"fa90fdead5f74053","op":"http.server","status":"success","exclusive_time":0,"origin":"auto.http",
			"sampled":true,"client_sample_rate":0.5,"data":{"route":{"name":"/a"}},"description":"kept"}}}`, check: func(t *testing.T, c Contexts) {
			tc, w, err := c.Trace()
			require.NoError(t, err)
			assert.Empty(t, w)
			require.NotNil(t, tc)
			assert.Equal(t, TraceID("4c79f60c11214eb38604f4ae0781bfb2"), tc.TraceID)
			assert.Equal(t, SpanID("fa90fdead5f74052"), tc.SpanID)
			assert.Equal(t, SpanID("fa90fdead5f74053"), tc.ParentSpanID)
			assert.Equal(t, "http.server", tc.Op)
			assert.Equal(t, SpanStatusOK, tc.Status)
			require.NotNil(t, tc.ExclusiveTime)
			assert.Zero(t, *tc.ExclusiveTime)
			assert.Equal(t, "auto.http", tc.Origin)
			require.NotNil(t, tc.Sampled)
			assert.True(t, *tc.Sampled)
			assert.Equal(t, 0.5, *tc.ClientSampleRate)
			assert.JSONEq(t, `{"route":{"name":"/a"}}`, string(tc.Data))
			assert.Equal(t, `"kept"`, string(tc.Other["description"]))
		}},
		{name: "trace status defaults to unknown", in: `{"contexts":{"trace":{"trace_id":"4c79f60c11214eb38604f4ae0781bfb2","span_id":"fa90fdead5f74052"}}}`,
			check: func(t *testing.T, c Contexts) {
				tc, _, _ := c.Trace()
				assert.Equal(t, SpanStatus(""), tc.Status, "the field says what was sent")
				assert.Equal(t, SpanStatusUnknown, tc.EffectiveStatus())
			}},
		{name: "invalid trace ids are warnings", in: `{"contexts":{"trace":{"trace_id":"00000000000000000000000000000000","span_id":"xyz","parent_span_id":1,"status":"great"}}}`,
			check: func(t *testing.T, c Contexts) {
				tc, w, err := c.Trace()
				require.NoError(t, err)
				assert.ElementsMatch(t, []string{"/contexts/trace/trace_id", "/contexts/trace/span_id", "/contexts/trace/parent_span_id", "/contexts/trace/status"}, pointersOf(w))
				assert.Empty(t, tc.TraceID)
				assert.Empty(t, tc.SpanID)
				assert.Empty(t, tc.Status)
			}},
		{name: "dashed uuid trace id", in: `{"contexts":{"trace":{"trace_id":"4c79f60c-1121-4eb3-8604-f4ae0781bfb2"}}}`, check: func(t *testing.T, c Contexts) {
			tc, w, _ := c.Trace()
			assert.Empty(t, w)
			assert.Equal(t, TraceID("4c79f60c11214eb38604f4ae0781bfb2"), tc.TraceID)
		}},
		{name: "feedback, response, culture, cloud, gpu, profile, replay", in: `{"contexts":{
			"feedback":{"message":"hi","contact_email":"a@b.c","name":"A","url":"https://x","source":"widget","associated_event_id":"88a135556d54485caf9be6194fb1af67","replay_id":"r1","extra":1},
			"response":{"status_code":500,"headers":[["Content-Type","text/plain"]],"cookies":"a=1; b=2","body_size":12},
			"culture":{"locale":"en-US","timezone":"UTC","is_24_hour_format":true},
			"cloud_resource":{"cloud.provider":"aws","cloud.region":"eu-west-1"},
			"gpu":{"name":"RTX","id":3,"memory_size":8192},
			"profile":{"profile_id":"p1"},"replay":{"replay_id":"r1"},
			"browser":{"name":"Firefox","version":"120"},
			"app":{"app_name":"shop","app_build":42,"view_names":["a","b"],"in_foreground":true},
			"runtime":{"name":"CPython","build":3,"raw_description":"x"}}}`, check: func(t *testing.T, c Contexts) {
			fb, w, err := c.Feedback()
			require.NoError(t, err)
			assert.Empty(t, w)
			assert.Equal(t, FeedbackContext{Message: "hi", ContactEmail: "a@b.c", Name: "A", URL: "https://x", Source: "widget",
				AssociatedEventID: "88a135556d54485caf9be6194fb1af67", ReplayID: "r1", Other: map[string]jsontext.Value{"extra": jsontext.Value("1")}}, *fb)
			r, w, _ := c.Response()
			assert.Empty(t, w)
			assert.Equal(t, 500.0, *r.StatusCode)
			ct, _ := r.Headers.Get("Content-Type")
			assert.Equal(t, "text/plain", ct)
			b, _ := r.Cookies.Get("b")
			assert.Equal(t, "2", b)
			cu, _, _ := c.Culture()
			assert.Equal(t, "en-US", cu.Locale)
			assert.True(t, *cu.Is24HourFormat)
			cl, _, _ := c.CloudResource()
			assert.Equal(t, "aws", cl.Provider)
			assert.Equal(t, "eu-west-1", cl.Region)
			g, w, _ := c.GPU()
			assert.Empty(t, w)
			assert.Equal(t, "3", string(g.ID))
			p, _, _ := c.Profile()
			assert.Equal(t, "p1", p.ProfileID)
			rp, _, _ := c.Replay()
			assert.Equal(t, "r1", rp.ReplayID)
			br, _, _ := c.Browser()
			assert.Equal(t, "Firefox", br.Name)
			app, w, _ := c.App()
			assert.Empty(t, w)
			assert.Equal(t, LenientString("42"), app.AppBuild)
			assert.Equal(t, []string{"a", "b"}, app.ViewNames)
			rt, w, _ := c.Runtime()
			assert.Empty(t, w)
			assert.Equal(t, LenientString("3"), rt.Build)
		}},
		{name: "absent contexts", in: `{}`, check: func(t *testing.T, c Contexts) {
			tc, w, err := c.Trace()
			assert.Nil(t, tc)
			assert.Nil(t, w)
			assert.NoError(t, err)
			_, ok := c.Get("os")
			assert.False(t, ok)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := decodeCtxEvent(t, tt.in)
			assert.Equal(t, tt.warnings, pointersOf(ev.Warnings))
			tt.check(t, ev.Contexts)
		})
	}
}

func TestContextsAliasThePayload(t *testing.T) {
	in := []byte(`{"contexts":{"os":{"name":"Linux"}}}`)
	ev := decodeCtxEvent(t, string(in))
	_ = ev
	var c struct {
		Contexts Contexts `json:"contexts"`
	}
	_, err := decode("event", in, &c, true)
	require.NoError(t, err)
	raw := c.Contexts["os"]
	p := uintptr(unsafe.Pointer(&raw[0]))
	base := uintptr(unsafe.Pointer(&in[0]))
	assert.True(t, p >= base && p < base+uintptr(len(in)), "a context's JSON points into the payload")
}

func TestContextsMarshalAsSent(t *testing.T) {
	in := `{"contexts":{"os":{"name":"Linux","type":17},"shop":{"a":[1,{"b":null}]},"gone":null}}`
	ev := decodeCtxEvent(t, in)
	out, err := json.Marshal(ev.Contexts)
	require.NoError(t, err)
	assert.JSONEq(t, `{"os":{"name":"Linux","type":17},"shop":{"a":[1,{"b":null}]},"gone":null}`, string(out))

	os, _, err := ev.Contexts.OS()
	require.NoError(t, err)
	out, err = json.Marshal(os)
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"Linux","type":17}`, string(out), "a typed context keeps its type member in Other")
}

func TestUserShapes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		warnings []string
		want     *User
	}{
		{name: "number id", in: `{"user":{"id":42,"username":true}}`, want: &User{ID: "42", Username: "True"}},
		{name: "float id is truncated", in: `{"user":{"id":42.9}}`, want: &User{ID: "42"}},
		{name: "array id is a warning", in: `{"user":{"id":[1],"email":"a@b.c"}}`, warnings: []string{"/user/id"}, want: &User{Email: "a@b.c"}},
		{name: "all fields", in: `{"user":{"id":"u1","email":"a@b.c","ip_address":"{{auto}}","username":"ann","name":"Ann",
			"geo":{"country_code":"AT","city":"Vienna","subdivision":"W","region":"Austria","x":1},"segment":"paid","sentry_user":"id:u1",
			"data":{"plan":"gold"},"age":3}}`,
			want: &User{ID: "u1", Email: "a@b.c", IPAddress: "{{auto}}", Username: "ann", Name: "Ann",
				Geo:     &Geo{CountryCode: "AT", City: "Vienna", Subdivision: "W", Region: "Austria", Other: map[string]jsontext.Value{"x": jsontext.Value("1")}},
				Segment: "paid", SentryUser: "id:u1", Data: map[string]jsontext.Value{"plan": jsontext.Value(`"gold"`)},
				Other: map[string]jsontext.Value{"age": jsontext.Value("3")}}},
		{name: "empty user", in: `{"user":{}}`, want: &User{}},
		{name: "user not an object", in: `{"user":"ann"}`, warnings: []string{"/user"}},
		{name: "data not an object", in: `{"user":{"data":"x"}}`, warnings: []string{"/user/data"}, want: &User{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := decodeCtxEvent(t, tt.in)
			assert.Equal(t, tt.warnings, pointersOf(ev.Warnings))
			assert.Equal(t, tt.want, ev.User)
		})
	}
}

func TestRequestShapes(t *testing.T) {
	pairs := func(kv ...string) []Pair {
		var ps []Pair
		for i := 0; i < len(kv); i += 2 {
			q, _ := jsontext.AppendQuote(nil, kv[i+1])
			ps = append(ps, Pair{Key: kv[i], Value: q})
		}
		return ps
	}
	tests := []struct {
		name     string
		in       string
		warnings []string
		check    func(t *testing.T, r Request)
	}{
		{name: "query string", in: `{"query_string":"page=2&q=a+b%21&flag&=x&page=3"}`, check: func(t *testing.T, r Request) {
			assert.Equal(t, Query(pairs("page", "2", "q", "a b!", "flag", "", "", "x", "page", "3")), r.QueryString)
			v, _ := r.QueryString.Get("page")
			assert.Equal(t, "2", v, "the first wins")
		}},
		{name: "query string with ?", in: `{"query_string":"?a=1"}`, check: func(t *testing.T, r Request) {
			assert.Equal(t, Query(pairs("a", "1")), r.QueryString)
		}},
		{name: "query string bad escape is kept", in: `{"query_string":"a=%zz"}`, check: func(t *testing.T, r Request) {
			assert.Equal(t, Query(pairs("a", "%zz")), r.QueryString)
		}},
		{name: "query object", in: `{"query_string":{"a":"1","b":2}}`, check: func(t *testing.T, r Request) {
			b, _ := r.QueryString.Get("b")
			assert.Equal(t, "2", b)
			assert.Len(t, r.QueryString, 2)
		}},
		{name: "query pairs", in: `{"query_string":[["a","1"],["a","2"]]}`, check: func(t *testing.T, r Request) {
			assert.Equal(t, Query(pairs("a", "1", "a", "2")), r.QueryString)
		}},
		{name: "query number is a warning", in: `{"query_string":5,"method":"GET"}`, warnings: []string{"/request/query_string"}, check: func(t *testing.T, r Request) {
			assert.Empty(t, r.QueryString)
			assert.Equal(t, "GET", r.Method)
		}},
		{name: "cookie header", in: `{"cookies":"a=b; c=d%20e;  ; f="}`, check: func(t *testing.T, r Request) {
			assert.Equal(t, Cookies(pairs("a", "b", "c", "d e", "f", "")), r.Cookies)
		}},
		{name: "cookie without value is a warning", in: `{"cookies":"a=b; junk"}`, warnings: []string{"/request/cookies"}, check: func(t *testing.T, r Request) {
			assert.Empty(t, r.Cookies)
		}},
		{name: "cookie object", in: `{"cookies":{"a":"b"}}`, check: func(t *testing.T, r Request) {
			assert.Equal(t, Cookies(pairs("a", "b")), r.Cookies)
		}},
		{name: "cookie pairs", in: `{"cookies":[["a","b"],["c","d"]]}`, check: func(t *testing.T, r Request) {
			v, ok := r.Cookies.Get("c")
			assert.True(t, ok)
			assert.Equal(t, "d", v)
		}},
		{name: "headers object", in: `{"headers":{"Host":"x","X-N":1}}`, check: func(t *testing.T, r Request) {
			v, _ := r.Headers.Get("X-N")
			assert.Equal(t, "1", v)
		}},
		{name: "headers pairs", in: `{"headers":[["Accept","a"],["Accept","b"]]}`, check: func(t *testing.T, r Request) {
			assert.Len(t, r.Headers, 2)
		}},
		{name: "headers string is a warning", in: `{"headers":"Host: x"}`, warnings: []string{"/request/headers"}},
		{name: "all fields", in: `{"url":"http://x/a","method":"POST","protocol":"HTTP/1.1","data":"raw body","fragment":"f",
			"body_size":8,"env":{"REMOTE_ADDR":"1.2.3.4"},"inferred_content_type":"text/plain","api_target":"graphql","other":true}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, "http://x/a", r.URL)
				assert.Equal(t, "POST", r.Method)
				assert.Equal(t, "HTTP/1.1", r.Protocol)
				assert.Equal(t, `"raw body"`, string(r.Data))
				assert.Equal(t, "f", r.Fragment)
				assert.Equal(t, 8.0, *r.BodySize)
				assert.JSONEq(t, `{"REMOTE_ADDR":"1.2.3.4"}`, string(r.Env))
				assert.Equal(t, "text/plain", r.InferredContentType)
				assert.Equal(t, "graphql", r.APITarget)
				assert.Equal(t, "true", string(r.Other["other"]))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := decodeCtxEvent(t, `{"request":`+tt.in+`}`)
			require.Empty(t, ev.Warnings, "the request is lazy")
			r, w, err := ev.Request.Get()
			require.NoError(t, err)
			assert.Equal(t, tt.warnings, pointersOf(w))
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestRequestMarshalsPairLists(t *testing.T) {
	ev := decodeCtxEvent(t, `{"request":{"query_string":"?a=1&b","cookies":"c=d","headers":{"Host":"x"}}}`)
	r, _, err := ev.Request.Get()
	require.NoError(t, err)
	out, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"query_string":[["a","1"],["b",""]],"cookies":[["c","d"]],"headers":[["Host","x"]]}`, string(out))
	// The normalized form decodes to the same request.
	var again Request
	_, err = decode("event", out, &again, true)
	require.NoError(t, err)
	assert.Equal(t, r, again)
}
