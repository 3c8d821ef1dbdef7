package protocol

import (
	"testing"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type coreThing struct {
	Name  string                    `json:"name"`
	N     int64                     `json:"n"`
	OK    bool                      `json:"ok"`
	Sub   *coreThing                `json:"sub"`
	List  Values[coreThing]         `json:"list,omitzero"`
	Tags  Pairs                     `json:"tags,omitzero"`
	When  Timestamp                 `json:"when,omitzero"`
	Level Level                     `json:"level,omitzero"`
	Later Lazy[[]coreThing]         `json:"later,omitzero"`
	Other map[string]jsontext.Value `json:",embed"`
}

func TestLenientCore(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		check    func(t *testing.T, v coreThing)
		warnings []string
	}{
		{name: "plain", in: `{"name":"a","n":3,"ok":true,"x":[1]}`, check: func(t *testing.T, v coreThing) {
			assert.Equal(t, "a", v.Name)
			assert.EqualValues(t, 3, v.N)
			assert.Equal(t, `[1]`, string(v.Other["x"]))
		}},
		{name: "wrong kinds become warnings", in: `{"name":1,"n":"3","ok":"yes","sub":[],"list":[{"name":{}}]}`,
			warnings: []string{"/name", "/n", "/ok", "/sub", "/list/0/name"}},
		{name: "values as a list", in: `{"list":[{"name":"a"},{"name":"b"}]}`, check: func(t *testing.T, v coreThing) {
			assert.Len(t, v.List.Values, 2)
		}},
		{name: "values wrapped", in: `{"list":{"values":[{"name":"a"}],"extra":1}}`, check: func(t *testing.T, v coreThing) {
			assert.Len(t, v.List.Values, 1)
			assert.Equal(t, "1", string(v.List.Other["extra"]))
		}},
		{name: "values single object", in: `{"list":{"name":"a"}}`, check: func(t *testing.T, v coreThing) {
			require.Len(t, v.List.Values, 1)
			assert.Equal(t, "a", v.List.Values[0].Name)
		}},
		{name: "values empty object", in: `{"list":{}}`, check: func(t *testing.T, v coreThing) { assert.Empty(t, v.List.Values) }},
		{name: "tags object", in: `{"tags":{"a":"1","b":2,"c":true}}`, check: func(t *testing.T, v coreThing) {
			s, _ := v.Tags.Get("b")
			assert.Equal(t, "2", s)
			s, _ = v.Tags.Get("c")
			assert.Equal(t, "True", s)
		}},
		{name: "tags pairs", in: `{"tags":[["a","1"],["a","2"]]}`, check: func(t *testing.T, v coreThing) {
			s, _ := v.Tags.Get("a")
			assert.Equal(t, "1", s, "the first wins")
			assert.Len(t, v.Tags, 2)
		}},
		{name: "timestamp number", in: `{"when":1700000000.5}`, check: func(t *testing.T, v coreThing) {
			assert.EqualValues(t, 1700000000, v.When.Unix())
			assert.Equal(t, 500000000, v.When.Nanosecond())
		}},
		{name: "timestamp string", in: `{"when":"2023-11-14T22:13:20.5Z"}`, check: func(t *testing.T, v coreThing) {
			assert.EqualValues(t, 1700000000, v.When.Unix())
		}},
		{name: "timestamp naive", in: `{"when":"2023-11-14T22:13:20"}`, check: func(t *testing.T, v coreThing) {
			assert.EqualValues(t, 1700000000, v.When.Unix())
		}},
		{name: "timestamp in milliseconds", in: `{"when":1700000000000}`, warnings: []string{"/when"}},
		{name: "bad level is a warning", in: `{"level":"loud","name":"x"}`, warnings: []string{"/level"}, check: func(t *testing.T, v coreThing) {
			assert.Equal(t, "x", v.Name)
		}},
		{name: "python level", in: `{"level":40}`, check: func(t *testing.T, v coreThing) { assert.Equal(t, LevelError, v.Level) }},
		{name: "lazy", in: `{"later":[{"name":"z"}]}`, check: func(t *testing.T, v coreThing) {
			assert.Equal(t, `[{"name":"z"}]`, string(v.Later.Raw()))
			got, w, err := v.Later.Get()
			require.NoError(t, err)
			assert.Empty(t, w)
			assert.Equal(t, "z", got[0].Name)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v coreThing
			w, err := decode("test", []byte(tt.in), &v, true)
			require.NoError(t, err)
			var ptrs []string
			for _, x := range w {
				ptrs = append(ptrs, string(x.Pointer))
			}
			assert.Equal(t, tt.warnings, ptrs)
			if tt.check != nil {
				tt.check(t, v)
			}
		})
	}
}

func TestStringsAliasThePayload(t *testing.T) {
	in := []byte(`{"name":"plain","sub":{"name":"esc\u0061ped"}}`)
	var v coreThing
	_, err := decode("test", in, &v, true)
	require.NoError(t, err)
	p := uintptr(unsafe.Pointer(unsafe.StringData(v.Name)))
	base := uintptr(unsafe.Pointer(&in[0]))
	assert.True(t, p >= base && p < base+uintptr(len(in)), "an unescaped string aliases the payload")
	assert.Equal(t, "escaped", v.Sub.Name)
}

func TestStrictDecodeFails(t *testing.T) {
	var v coreThing
	_, err := decode("session", []byte(`{"name":1}`), &v, false)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "/name", string(de.Pointer))
	_ = json.Marshal
}
