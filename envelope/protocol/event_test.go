package protocol

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope"
	"github.com/sentrywire/sentrywire/internal/captures"
)

func warningPointers(ws []Warning) []string {
	var ps []string
	for _, w := range ws {
		ps = append(ps, string(w.Pointer))
	}
	return ps
}

func TestDecodeEventShapes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		warnings []string
		check    func(t *testing.T, ev *Event)
	}{
		{name: "minimal event", in: `{}`, check: func(t *testing.T, ev *Event) {
			assert.Empty(t, ev.Exceptions())
			assert.Nil(t, ev.LogMessage())
			assert.Nil(t, ev.SDK)
			assert.Nil(t, ev.Stacktrace)
		}},

		// exception: the three shapes of Values.
		{name: "exception list", in: `{"exception":[{"type":"A","value":"a"},{"type":"B","value":"b"}]}`, check: func(t *testing.T, ev *Event) {
			require.Len(t, ev.Exceptions(), 2)
			assert.Equal(t, "A", ev.Exceptions()[0].Type)
			assert.Equal(t, JSONLenientString("b"), ev.Exceptions()[1].Value)
		}},
		{name: "exception values", in: `{"exception":{"values":[{"type":"A"}],"x":1}}`, check: func(t *testing.T, ev *Event) {
			require.Len(t, ev.Exceptions(), 1)
			assert.Equal(t, "A", ev.Exceptions()[0].Type)
			assert.Equal(t, "1", string(ev.Exception.Other["x"]))
		}},
		{name: "exception single object", in: `{"exception":{"type":"A","module":"m"}}`, check: func(t *testing.T, ev *Event) {
			require.Len(t, ev.Exceptions(), 1)
			assert.Equal(t, "m", ev.Exceptions()[0].Module)
		}},
		{name: "exception empty object", in: `{"exception":{}}`, check: func(t *testing.T, ev *Event) {
			assert.Empty(t, ev.Exceptions())
		}},
		{name: "exception of the wrong kind", in: `{"exception":"boom","level":"error"}`, warnings: []string{"/exception"}, check: func(t *testing.T, ev *Event) {
			assert.Empty(t, ev.Exceptions())
			assert.Equal(t, LevelError, ev.Level)
		}},
		{name: "exception value object becomes its JSON", in: `{"exception":[{"value":{"code":7,"msg":"x"}}]}`, check: func(t *testing.T, ev *Event) {
			assert.Equal(t, JSONLenientString(`{"code":7,"msg":"x"}`), ev.Exceptions()[0].Value)
		}},
		{name: "exception value number and list", in: `{"exception":[{"value":42},{"value":[1,"a"]},{"value":null}]}`, check: func(t *testing.T, ev *Event) {
			assert.Equal(t, JSONLenientString("42"), ev.Exceptions()[0].Value)
			assert.Equal(t, JSONLenientString(`[1,"a"]`), ev.Exceptions()[1].Value)
			assert.Equal(t, JSONLenientString(""), ev.Exceptions()[2].Value)
		}},
		{name: "empty type and value parse", in: `{"exception":{"values":[{"type":"","value":""}]}}`, check: func(t *testing.T, ev *Event) {
			assert.Len(t, ev.Exceptions(), 1)
		}},
		{name: "mechanism", in: `{"exception":[{"type":"E","mechanism":{"type":"chained","synthetic":false,"description":"d",
			"help_link":"https://h","handled":false,"source":"errors[1]","is_exception_group":true,"exception_id":0,"parent_id":3,
			"data":{"k":"v"},"meta":{"signal":{"number":11,"name":"SIGSEGV"},"errno":{"number":2}},"x":[1]}}]}`,
			check: func(t *testing.T, ev *Event) {
				m := ev.Exceptions()[0].Mechanism
				require.NotNil(t, m)
				assert.Equal(t, "chained", m.Type)
				require.NotNil(t, m.Synthetic)
				assert.False(t, *m.Synthetic)
				assert.Equal(t, "d", m.Description)
				assert.Equal(t, "https://h", m.HelpLink)
				require.NotNil(t, m.Handled)
				assert.False(t, *m.Handled)
				assert.Equal(t, "errors[1]", m.Source)
				require.NotNil(t, m.IsExceptionGroup)
				assert.True(t, *m.IsExceptionGroup)
				require.NotNil(t, m.ExceptionID)
				assert.EqualValues(t, 0, *m.ExceptionID)
				require.NotNil(t, m.ParentID)
				assert.EqualValues(t, 3, *m.ParentID)
				assert.Equal(t, `"v"`, string(m.Data["k"]))
				assert.JSONEq(t, `{"number":11,"name":"SIGSEGV"}`, string(m.Meta["signal"]))
				assert.Equal(t, "[1]", string(m.Other["x"]))
			}},
		{name: "mechanism absent handled is nil", in: `{"exception":[{"mechanism":{"type":"generic"}}]}`, check: func(t *testing.T, ev *Event) {
			assert.Nil(t, ev.Exceptions()[0].Mechanism.Handled)
			assert.Nil(t, ev.Exceptions()[0].Mechanism.ExceptionID)
		}},

		// thread ids.
		{name: "thread id integer", in: `{"exception":[{"thread_id":42}]}`, check: func(t *testing.T, ev *Event) {
			n, ok := ev.Exceptions()[0].ThreadID.Int()
			assert.True(t, ok)
			assert.EqualValues(t, 42, n)
			assert.Equal(t, "42", ev.Exceptions()[0].ThreadID.String())
		}},
		{name: "thread id string stays a string", in: `{"exception":[{"thread_id":"42"}]}`, check: func(t *testing.T, ev *Event) {
			_, ok := ev.Exceptions()[0].ThreadID.Int()
			assert.False(t, ok)
			assert.Equal(t, "42", ev.Exceptions()[0].ThreadID.String())
			assert.Equal(t, ThreadIDString("42"), ev.Exceptions()[0].ThreadID)
		}},
		{name: "thread id of the wrong kind", in: `{"exception":[{"thread_id":true,"type":"E"},{"thread_id":-1},{"thread_id":1.5}]}`,
			warnings: []string{"/exception/0/thread_id", "/exception/1/thread_id", "/exception/2/thread_id"},
			check: func(t *testing.T, ev *Event) {
				assert.True(t, ev.Exceptions()[0].ThreadID.IsZero())
				assert.Equal(t, "E", ev.Exceptions()[0].Type, "the rest of the exception survives")
			}},

		// message and logentry.
		{name: "message string", in: `{"message":"disk full"}`, check: func(t *testing.T, ev *Event) {
			require.NotNil(t, ev.LogMessage())
			assert.Equal(t, "disk full", ev.LogMessage().Formatted)
			assert.Empty(t, ev.LogMessage().Message)
		}},
		{name: "message object", in: `{"message":{"message":"user %s","params":["bob"],"formatted":"user bob","x":1}}`, check: func(t *testing.T, ev *Event) {
			m := ev.LogMessage()
			require.NotNil(t, m)
			assert.Equal(t, "user %s", m.Message)
			assert.Equal(t, "user bob", m.Formatted)
			assert.Equal(t, `["bob"]`, string(m.Params))
			assert.Equal(t, "1", string(m.Other["x"]))
		}},
		{name: "message params object", in: `{"logentry":{"message":"{n} files","params":{"n":3}}}`, check: func(t *testing.T, ev *Event) {
			assert.Equal(t, `{"n":3}`, string(ev.LogMessage().Params))
		}},
		{name: "message params of the wrong kind", in: `{"logentry":{"message":"m","params":"x"}}`, warnings: []string{"/logentry/params"}, check: func(t *testing.T, ev *Event) {
			assert.Equal(t, "m", ev.LogMessage().Message)
			assert.Nil(t, ev.LogMessage().Params)
		}},
		{name: "message false is nothing", in: `{"message":false}`, check: func(t *testing.T, ev *Event) {
			assert.Nil(t, ev.LogMessage())
		}},
		{name: "message number is its JSON", in: `{"message":42.5}`, check: func(t *testing.T, ev *Event) {
			assert.Equal(t, "42.5", ev.LogMessage().Formatted)
		}},
		{name: "message list is its JSON", in: `{"message":[1,2]}`, check: func(t *testing.T, ev *Event) {
			assert.Equal(t, "[1,2]", ev.LogMessage().Formatted)
		}},
		{name: "logentry wins over message", in: `{"message":"old","logentry":{"formatted":"new"}}`, check: func(t *testing.T, ev *Event) {
			assert.Equal(t, "new", ev.LogMessage().Formatted)
			assert.Equal(t, "old", ev.Message.Formatted)
		}},
		{name: "message when logentry is empty", in: `{"message":{"formatted":"m"},"logentry":{}}`, check: func(t *testing.T, ev *Event) {
			assert.Equal(t, "m", ev.LogMessage().Formatted)
		}},

		// frames.
		{name: "frame fields", in: `{"stacktrace":{"frames":[{"function":"f","raw_function":"rf","symbol":"_Z1fv","module":"m","package":"/lib/x.so",
			"filename":"a.go","abs_path":"/src/a.go","lineno":12,"colno":3,"platform":"native","pre_context":["a","b"],"context_line":"c",
			"post_context":["d"],"in_app":false,"vars":{"x":1},"data":{"sourcemap":"s"},"addr_mode":"rel:0","trust":"cfi","lang":"c",
			"stack_start":true,"lock":{"type":1,"address":"0x1"},"x":null}],"instruction_addr_adjustment":"all_but_first","lang":"go","snapshot":true,"y":2}}`,
			check: func(t *testing.T, ev *Event) {
				st := ev.Stacktrace
				require.NotNil(t, st)
				assert.Equal(t, "all_but_first", st.InstructionAddrAdjustment)
				assert.Equal(t, "go", st.Lang)
				require.NotNil(t, st.Snapshot)
				assert.True(t, *st.Snapshot)
				assert.Equal(t, "2", string(st.Other["y"]))
				f := st.Top()
				require.NotNil(t, f)
				assert.Equal(t, "f", f.Function)
				assert.Equal(t, "rf", f.RawFunction)
				assert.Equal(t, "_Z1fv", f.Symbol)
				assert.Equal(t, "m", f.Module)
				assert.Equal(t, "/lib/x.so", f.Package)
				assert.Equal(t, "a.go", f.Filename)
				assert.Equal(t, "/src/a.go", f.AbsPath)
				assert.EqualValues(t, 12, f.Lineno)
				assert.EqualValues(t, 3, f.Colno)
				assert.Equal(t, "native", f.Platform)
				assert.Equal(t, []string{"a", "b"}, f.PreContext)
				assert.Equal(t, "c", f.ContextLine)
				assert.Equal(t, []string{"d"}, f.PostContext)
				require.NotNil(t, f.InApp)
				assert.False(t, *f.InApp)
				assert.Equal(t, "1", string(f.Vars["x"]))
				assert.Equal(t, `"s"`, string(f.Data["sourcemap"]))
				assert.Equal(t, "rel:0", f.AddrMode)
				assert.Equal(t, "cfi", f.Trust)
				assert.Equal(t, "c", f.Lang)
				require.NotNil(t, f.StackStart)
				assert.True(t, *f.StackStart)
				assert.Equal(t, "1", string(f.Lock["type"]))
				assert.Equal(t, "null", string(f.Other["x"]))
			}},
		{name: "frame vars list becomes an object", in: `{"stacktrace":{"frames":[{"vars":["a",{"b":1},null]}]}}`, check: func(t *testing.T, ev *Event) {
			v := ev.Stacktrace.Frames[0].Vars
			assert.Equal(t, FrameVars{"0": jsontext.Value(`"a"`), "1": jsontext.Value(`{"b":1}`), "2": jsontext.Value(`null`)}, v)
			b, err := json.Marshal(v, json.Deterministic(true))
			require.NoError(t, err)
			assert.JSONEq(t, `{"0":"a","1":{"b":1},"2":null}`, string(b))
		}},
		{name: "frame vars of the wrong kind", in: `{"stacktrace":{"frames":[{"function":"f"},{"vars":"x","function":"g"}]}}`,
			warnings: []string{"/stacktrace/frames/1/vars"}, check: func(t *testing.T, ev *Event) {
				assert.Equal(t, "g", ev.Stacktrace.Frames[1].Function)
				assert.Nil(t, ev.Stacktrace.Frames[1].Vars)
			}},
		{name: "no frames", in: `{"stacktrace":{"frames":[]}}`, check: func(t *testing.T, ev *Event) {
			assert.Nil(t, ev.Stacktrace.Top())
		}},

		// addresses.
		{name: "addresses in every form", in: `{"stacktrace":{"frames":[{"instruction_addr":"0x1F","image_addr":"0X10",
			"symbol_addr":"31","function_id":31}]}}`, check: func(t *testing.T, ev *Event) {
			f := ev.Stacktrace.Frames[0]
			require.NotNil(t, f.InstructionAddr)
			assert.Equal(t, Addr(0x1f), *f.InstructionAddr)
			assert.Equal(t, Addr(0x10), *f.ImageAddr)
			assert.Equal(t, Addr(31), *f.SymbolAddr)
			assert.Equal(t, Addr(31), *f.FunctionID)
			b, err := json.Marshal(f)
			require.NoError(t, err)
			assert.JSONEq(t, `{"instruction_addr":"0x1f","image_addr":"0x10","symbol_addr":"0x1f","function_id":"0x1f"}`, string(b))
		}},
		{name: "address zero is kept", in: `{"stacktrace":{"frames":[{"image_addr":"0x0"}]}}`, check: func(t *testing.T, ev *Event) {
			b, err := json.Marshal(ev.Stacktrace.Frames[0])
			require.NoError(t, err)
			assert.JSONEq(t, `{"image_addr":"0x0"}`, string(b))
		}},
		{name: "registers in every form", in: `{"stacktrace":{"frames":[],"registers":{"rip":"0x7FFF0010","rsp":4096,"rbp":"64","r0":"0x0"}}}`, check: func(t *testing.T, ev *Event) {
			assert.Equal(t, map[string]Addr{"rip": 0x7fff0010, "rsp": 4096, "rbp": 64, "r0": 0}, ev.Stacktrace.Registers)
			b, err := json.Marshal(ev.Stacktrace.Registers, json.Deterministic(true))
			require.NoError(t, err)
			assert.JSONEq(t, `{"rip":"0x7fff0010","rsp":"0x1000","rbp":"0x40","r0":"0x0"}`, string(b))
		}},
		{name: "bad addresses", in: `{"stacktrace":{"frames":[{"instruction_addr":"0xzz","image_addr":-1,"symbol_addr":1.5,
			"function_id":{},"function":"f"}],"registers":{"rip":"x","rsp":"0x1"}}}`,
			warnings: []string{"/stacktrace/frames/0/instruction_addr", "/stacktrace/frames/0/image_addr",
				"/stacktrace/frames/0/symbol_addr", "/stacktrace/frames/0/function_id", "/stacktrace/registers/rip"},
			check: func(t *testing.T, ev *Event) {
				f := ev.Stacktrace.Frames[0]
				assert.Equal(t, "f", f.Function)
				assert.Nil(t, f.ImageAddr)
				assert.Equal(t, Addr(1), ev.Stacktrace.Registers["rsp"])
			}},

		// levels.
		{name: "level name", in: `{"level":"warning"}`, check: func(t *testing.T, ev *Event) { assert.Equal(t, LevelWarning, ev.Level) }},
		{name: "level log is info", in: `{"level":"log"}`, check: func(t *testing.T, ev *Event) { assert.Equal(t, LevelInfo, ev.Level) }},
		{name: "level critical is fatal", in: `{"level":"critical"}`, check: func(t *testing.T, ev *Event) { assert.Equal(t, LevelFatal, ev.Level) }},
		// Relay's Level::from_str matches exactly, so upper case is dropped.
		{name: "level upper case", in: `{"level":"ERROR"}`, warnings: []string{"/level"}, check: func(t *testing.T, ev *Event) { assert.Empty(t, ev.Level) }},
		{name: "python level number", in: `{"level":30}`, check: func(t *testing.T, ev *Event) { assert.Equal(t, LevelWarning, ev.Level) }},
		{name: "level warn is not an event level", in: `{"level":"warn"}`, warnings: []string{"/level"}},
		{name: "level unknown number", in: `{"level":35}`, warnings: []string{"/level"}},
		{name: "level of the wrong kind", in: `{"level":true}`, warnings: []string{"/level"}},

		// sdk and the rest.
		{name: "sdk", in: `{"sdk":{"name":"sentry.go","version":"0.50.0","integrations":["A","B"],"packages":[{"name":"sentry-go","version":"0.50.0","x":1}],
			"features":["f"],"y":true}}`, check: func(t *testing.T, ev *Event) {
			s := ev.SDK
			require.NotNil(t, s)
			assert.Equal(t, "sentry.go", s.Name)
			assert.Equal(t, "0.50.0", s.Version)
			assert.Equal(t, []string{"A", "B"}, s.Integrations)
			require.Len(t, s.Packages, 1)
			assert.Equal(t, "sentry-go", s.Packages[0].Name)
			assert.Equal(t, "1", string(s.Packages[0].Other["x"]))
			assert.Equal(t, []string{"f"}, s.Features)
			assert.Equal(t, "true", string(s.Other["y"]))
		}},
		{name: "wrong kinds deep down", in: `{"platform":1,"exception":{"values":[{"type":2,"mechanism":{"handled":"yes","exception_id":"1"},
			"stacktrace":{"frames":[{"lineno":"7","in_app":"true","pre_context":"x","function":"f"}]}}]},"sdk":{"integrations":"all"}}`,
			warnings: []string{"/platform", "/exception/values/0/type", "/exception/values/0/mechanism/handled",
				"/exception/values/0/mechanism/exception_id", "/exception/values/0/stacktrace/frames/0/lineno",
				"/exception/values/0/stacktrace/frames/0/in_app", "/exception/values/0/stacktrace/frames/0/pre_context", "/sdk/integrations"},
			check: func(t *testing.T, ev *Event) {
				f := ev.Exceptions()[0].Stacktrace.Frames[0]
				assert.Equal(t, "f", f.Function)
				assert.Nil(t, f.InApp)
				assert.Nil(t, ev.Exceptions()[0].Mechanism.Handled)
			}},
		{name: "numbers out of range", in: `{"stacktrace":{"frames":[{"lineno":-1,"colno":1.5,"function":"f"}]}}`,
			warnings: []string{"/stacktrace/frames/0/lineno", "/stacktrace/frames/0/colno"},
			check: func(t *testing.T, ev *Event) {
				assert.Equal(t, "f", ev.Stacktrace.Frames[0].Function)
			}},
		{name: "nulls are absent", in: `{"exception":[{"type":"E","module":null,"mechanism":null,"stacktrace":null,"thread_id":null}],"sdk":null,"message":null}`,
			check: func(t *testing.T, ev *Event) {
				e := ev.Exceptions()[0]
				assert.Nil(t, e.Mechanism)
				assert.Nil(t, e.Stacktrace)
				assert.True(t, e.ThreadID.IsZero())
				assert.Nil(t, ev.SDK)
				assert.Nil(t, ev.LogMessage())
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := DecodeEvent([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.warnings, warningPointers(ev.Warnings))
			for _, w := range ev.Warnings {
				assert.True(t, errors.Is(w.Err, ErrWrongType) || errors.Is(w.Err, ErrInvalidValue), "%v", w)
			}
			if tt.check != nil {
				tt.check(t, ev)
			}
		})
	}
}

func TestThreadsShapes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		warnings []string
		check    func(t *testing.T, ts []Thread)
	}{
		{name: "list with int and string ids", in: `{"threads":[{"id":1,"name":"main","crashed":true,"current":false,"main":true,"state":"RUNNABLE",
			"held_locks":{"0x0d3a2f0a":{"type":8,"address":"0x0d3a2f0a","class_name":"Object"}},"stacktrace":{"frames":[{"function":"run"}]},
			"raw_stacktrace":{"frames":[{"function":"raw"}]},"x":1},{"id":"worker-2"}]}`,
			check: func(t *testing.T, ts []Thread) {
				require.Len(t, ts, 2)
				n, ok := ts[0].ID.Int()
				assert.True(t, ok)
				assert.EqualValues(t, 1, n)
				assert.Equal(t, "main", ts[0].Name)
				assert.True(t, *ts[0].Crashed)
				assert.False(t, *ts[0].Current)
				assert.True(t, *ts[0].Main)
				assert.Equal(t, "RUNNABLE", ts[0].State)
				assert.Contains(t, ts[0].HeldLocks, "0x0d3a2f0a")
				assert.Equal(t, "run", ts[0].Stacktrace.Top().Function)
				assert.Equal(t, "raw", ts[0].RawStacktrace.Top().Function)
				assert.Equal(t, "1", string(ts[0].Other["x"]))
				assert.Equal(t, "worker-2", ts[1].ID.String())
				_, ok = ts[1].ID.Int()
				assert.False(t, ok)
			}},
		{name: "values", in: `{"threads":{"values":[{"id":"7"}]}}`, check: func(t *testing.T, ts []Thread) {
			require.Len(t, ts, 1)
			assert.Equal(t, ThreadIDString("7"), ts[0].ID)
		}},
		{name: "empty object", in: `{"threads":{}}`, check: func(t *testing.T, ts []Thread) { assert.Empty(t, ts) }},
		{name: "bad id", in: `{"threads":[{"id":[1],"name":"n"}]}`, warnings: []string{"/threads/0/id"}, check: func(t *testing.T, ts []Thread) {
			assert.Equal(t, "n", ts[0].Name)
			assert.True(t, ts[0].ID.IsZero())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := DecodeEvent([]byte(tt.in))
			require.NoError(t, err)
			assert.Empty(t, ev.Warnings, "threads stay JSON until Get")
			ts, w, err := ev.Threads.Get()
			require.NoError(t, err)
			assert.Equal(t, tt.warnings, warningPointers(w), "pointers are relative to the threads value")
			tt.check(t, ts.Values)
		})
	}
}

func TestBreadcrumbShapes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		warnings []string
		check    func(t *testing.T, bs []Breadcrumb)
	}{
		{name: "list", in: `[{"timestamp":946684800,"type":"http","category":"xhr","level":"warning","message":"GET /",
			"data":{"url":"/","status_code":200},"event_id":"0A5FBA53-F894-4A90-B23F-891CB9473D52","x":1}]`,
			check: func(t *testing.T, bs []Breadcrumb) {
				require.Len(t, bs, 1)
				b := bs[0]
				assert.Equal(t, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), b.Timestamp.Time)
				assert.Equal(t, "http", b.Type)
				assert.Equal(t, "xhr", b.Category)
				assert.Equal(t, LevelWarning, b.Level)
				assert.Equal(t, "GET /", b.Message)
				assert.Equal(t, "200", string(b.Data["status_code"]))
				assert.Equal(t, "0a5fba53f8944a90b23f891cb9473d52", b.EventID.String())
				assert.Equal(t, "1", string(b.Other["x"]))
			}},
		{name: "values", in: `{"values":[{"message":"a"},{"message":"b"}]}`, check: func(t *testing.T, bs []Breadcrumb) {
			require.Len(t, bs, 2)
			assert.Equal(t, "b", bs[1].Message)
		}},
		{name: "empty values", in: `{"values":[]}`, check: func(t *testing.T, bs []Breadcrumb) { assert.Empty(t, bs) }},
		{name: "legacy ty", in: `[{"timestamp":946684800,"ty":"http"}]`, check: func(t *testing.T, bs []Breadcrumb) {
			assert.Equal(t, "http", bs[0].Type)
			assert.NotContains(t, bs[0].Other, "ty")
		}},
		{name: "type wins over ty", in: `[{"type":"navigation","ty":"http"}]`, check: func(t *testing.T, bs []Breadcrumb) {
			assert.Equal(t, "navigation", bs[0].Type)
			assert.Equal(t, `"http"`, string(bs[0].Other["ty"]))
		}},
		{name: "ty of the wrong kind", in: `[{"ty":5,"message":"m"}]`, warnings: []string{"/breadcrumbs/0/ty"}, check: func(t *testing.T, bs []Breadcrumb) {
			assert.Equal(t, "m", bs[0].Message)
			assert.Empty(t, bs[0].Type)
		}},
		{name: "wrong kinds", in: `[{"level":"loud","data":[1],"timestamp":"yesterday","message":"m"}]`,
			warnings: []string{"/breadcrumbs/0/level", "/breadcrumbs/0/data", "/breadcrumbs/0/timestamp"}, check: func(t *testing.T, bs []Breadcrumb) {
				assert.Equal(t, "m", bs[0].Message)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := DecodeEvent([]byte(`{"breadcrumbs":` + tt.in + `}`))
			require.NoError(t, err)
			bs, w, err := ev.Breadcrumbs.Get()
			require.NoError(t, err)
			assert.Equal(t, tt.warnings, warningPointers(w))
			tt.check(t, bs.Values)
		})
	}
}

func TestDebugMeta(t *testing.T) {
	ev, err := DecodeEvent([]byte(`{"debug_meta":{"sdk_info":{"sdk_name":"iOS","version_major":17},"images":[
		{"type":"macho","debug_id":"d","debug_file":"df","code_id":"c","code_file":"/app","arch":"arm64","image_addr":"0x100000000",
		 "image_size":4096,"image_vmaddr":"0x0","x":1},{"type":"sourcemap","code_file":"https://x/app.js","debug_id":"e"},{"type":"proguard","uuid":"u"}],"y":2}}`))
	require.NoError(t, err)
	dm, w, err := ev.DebugMeta.Get()
	require.NoError(t, err)
	assert.Empty(t, w)
	assert.Equal(t, "17", string(dm.SDKInfo["version_major"]))
	require.Len(t, dm.Images, 3)
	img := dm.Images[0]
	assert.Equal(t, "macho", img.Type)
	assert.Equal(t, "d", img.DebugID)
	assert.Equal(t, "df", img.DebugFile)
	assert.Equal(t, "c", img.CodeID)
	assert.Equal(t, "/app", img.CodeFile)
	assert.Equal(t, "arm64", img.Arch)
	assert.Equal(t, Addr(0x100000000), *img.ImageAddr)
	assert.EqualValues(t, 4096, img.ImageSize)
	assert.Equal(t, Addr(0), *img.ImageVMAddr)
	assert.Equal(t, "1", string(img.Other["x"]))
	assert.Equal(t, "https://x/app.js", dm.Images[1].CodeFile)
	assert.Equal(t, "u", dm.Images[2].UUID)
	assert.Equal(t, "2", string(dm.Other["y"]))
}

func TestDecodeEventErrors(t *testing.T) {
	for _, in := range []string{"", "  \n", "[]", "null", "42", `"event"`, `{"a":`, `{"a":1}x`, `{"exception":[{"type":"A"]}`} {
		t.Run(in, func(t *testing.T) {
			ev, err := DecodeEvent([]byte(in))
			assert.Nil(t, ev)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, envelope.TypeEvent, de.Type)
		})
	}
}

func TestEventAliasesPayload(t *testing.T) {
	in := []byte(`{"exception":[{"type":"ValueError","stacktrace":{"frames":[{"function":"f"}]}}]}`)
	ev, err := DecodeEvent(in)
	require.NoError(t, err)
	copy(in[bytesIndex(in, "ValueError"):], "XalueError")
	assert.Equal(t, "XalueError", ev.Exceptions()[0].Type, "an unescaped string aliases the payload")
}

func bytesIndex(b []byte, s string) int { return strings.Index(string(b), s) }

// TestExceptionChains reads the linked errors two SDKs sent for the same
// program: a request handler whose database query failed.
func TestExceptionChains(t *testing.T) {
	caps := loadEventCaptures(t)

	t.Run("sentry-go", func(t *testing.T) {
		ev := caps["sentry-go/error.0"][0]
		exs := ev.Exceptions()
		require.Len(t, exs, 4)
		types := make([]string, len(exs))
		for i, e := range exs {
			types[i] = e.Type
		}
		assert.Equal(t, []string{"*errors.errorString", "*sdkcapture.stackError", "*fmt.wrapError", "*sdkcapture.stackError"}, types)
		assert.Equal(t, JSONLenientString("connection refused: 127.0.0.1:5432"), exs[0].Value)
		assert.Equal(t, JSONLenientString("GET /users/7: load user: query user 7: connection refused: 127.0.0.1:5432"), exs[3].Value)
		// Oldest first; each cause names the error wrapping it.
		for i, e := range exs {
			m := e.Mechanism
			require.NotNil(t, m)
			require.NotNil(t, m.ExceptionID)
			assert.EqualValues(t, len(exs)-1-i, *m.ExceptionID)
			if i == len(exs)-1 {
				assert.Equal(t, "generic", m.Type)
				assert.Nil(t, m.ParentID)
				continue
			}
			assert.Equal(t, "chained", m.Type)
			assert.Equal(t, "unwrap", m.Source)
			require.NotNil(t, m.ParentID)
			assert.EqualValues(t, *m.ExceptionID-1, *m.ParentID)
			assert.Nil(t, m.Handled)
		}
		assert.Nil(t, exs[0].Stacktrace, "errors.New records no stack")
		top := exs[1].Stacktrace.Top()
		require.NotNil(t, top)
		assert.Equal(t, "queryUser", top.Function)
		assert.Equal(t, "github.com/sentrywire/sentrywire/examples/sdkcapture", top.Module)
		assert.True(t, strings.HasSuffix(top.AbsPath, "/examples/sdkcapture/sentrygo_test.go"))
		assert.EqualValues(t, 45, top.Lineno)
		require.NotNil(t, top.InApp)
		assert.True(t, *top.InApp)
		assert.Equal(t, "handleRequest", exs[3].Stacktrace.Top().Function)
		assert.Len(t, exs[3].Stacktrace.Frames, 3)
	})

	t.Run("node", func(t *testing.T) {
		ev := caps["node/error.0"][0]
		exs := ev.Exceptions()
		require.Len(t, exs, 3)
		assert.Equal(t, "TypeError", exs[0].Type)
		assert.Equal(t, JSONLenientString("connection refused: 127.0.0.1:5432"), exs[0].Value)
		assert.Equal(t, "Error", exs[1].Type)
		assert.Equal(t, JSONLenientString("load user 7"), exs[1].Value)
		assert.Equal(t, "Error", exs[2].Type)
		assert.Equal(t, JSONLenientString("GET /users/7 failed"), exs[2].Value)
		for i, e := range exs {
			m := e.Mechanism
			require.NotNil(t, m)
			require.NotNil(t, m.Handled)
			assert.True(t, *m.Handled)
			assert.EqualValues(t, len(exs)-1-i, *m.ExceptionID)
			if i < len(exs)-1 {
				assert.Equal(t, "chained", m.Type)
				assert.Equal(t, "cause", m.Source)
				assert.EqualValues(t, len(exs)-2-i, *m.ParentID)
			} else {
				assert.Equal(t, "generic", m.Type)
				assert.Nil(t, m.ParentID)
			}
		}
		top := exs[0].Stacktrace.Top()
		require.NotNil(t, top)
		assert.Equal(t, "failingQuery", top.Function)
		assert.Equal(t, "/work/main/examples/sdkcapture/node/capture.js", top.Filename)
		assert.Equal(t, "capture", top.Module)
		assert.EqualValues(t, 40, top.Lineno)
		assert.EqualValues(t, 9, top.Colno)
		assert.True(t, *top.InApp)
		assert.Equal(t, "  throw new TypeError('connection refused: 127.0.0.1:5432');", top.ContextLine)
		require.Len(t, top.PreContext, 5)
		assert.Equal(t, "function failingQuery() {", top.PreContext[4])
		require.Len(t, top.PostContext, 5)
		assert.Equal(t, "}", top.PostContext[0])
		// The runtime's own frames are not in the app.
		first := exs[0].Stacktrace.Frames[0]
		assert.Equal(t, "node:internal/modules/cjs/loader", first.Filename)
		require.NotNil(t, first.InApp)
		assert.False(t, *first.InApp)
		assert.Empty(t, first.ContextLine)
	})

	t.Run("python", func(t *testing.T) {
		ev := caps["python/error.0"][0]
		exs := ev.Exceptions()
		require.Len(t, exs, 2)
		assert.Equal(t, "ConnectionRefusedError", exs[0].Type)
		assert.Equal(t, "LookupError", exs[1].Type)
		assert.Nil(t, exs[0].Mechanism, "sentry-sdk 1.9 sends null")
		top := exs[0].Stacktrace.Top()
		assert.Equal(t, "connect", top.Function)
		assert.Equal(t, "__main__", top.Module)
		assert.Equal(t, "capture.py", top.Filename)
		assert.NotNil(t, top.Vars)
		assert.Contains(t, top.ContextLine, "raise ConnectionRefusedError")
	})
}

// loadEventCaptures decodes every event, transaction and store body of the
// captures, by capture name.
func loadEventCaptures(t *testing.T) map[string][]*Event {
	t.Helper()
	out := map[string][]*Event{}
	for _, p := range eventPayloads(t) {
		ev, err := DecodeEvent(p.payload)
		require.NoError(t, err, p.name)
		out[p.name] = append(out[p.name], ev)
	}
	return out
}

type capturedPayload struct {
	name    string
	typ     envelope.ItemType // TypeEvent for /store/ bodies
	payload []byte
}

// eventPayloads returns the events and transactions real SDKs sent.
func eventPayloads(t testing.TB) []capturedPayload {
	return capturedItems(t, envelope.TypeEvent, envelope.TypeTransaction)
}

// capturedItems returns the payloads of the items of the given types in
// every capture, each named by its capture.
func capturedItems(t testing.TB, types ...envelope.ItemType) []capturedPayload {
	t.Helper()
	reqs, err := captures.Load("../testdata/sdk")
	require.NoError(t, err)
	var out []capturedPayload
	for _, c := range reqs {
		var env *envelope.Envelope
		if c.IsStore() {
			env, err = envelope.ParseStore(c.Body, "")
		} else {
			env, err = envelope.Parse(c.Body)
		}
		require.NoError(t, err, c.Name)
		for _, it := range env.Items {
			if slices.Contains(types, it.Type()) {
				out = append(out, capturedPayload{name: c.Name, typ: it.Type(), payload: it.Payload()})
			}
		}
	}
	return out
}

// TestCapturesDecode decodes every event of every capture, with its lazy
// parts, and checks that marshaling gives back every field.
func TestCapturesDecode(t *testing.T) {
	var exceptions, frames int
	for _, p := range eventPayloads(t) {
		t.Run(p.name, func(t *testing.T) {
			ev, err := DecodeEvent(p.payload)
			require.NoError(t, err)
			assert.Empty(t, ev.Warnings)
			for _, e := range ev.Exceptions() {
				exceptions++
				if e.Stacktrace != nil {
					frames += len(e.Stacktrace.Frames)
				}
			}
			if p.typ == envelope.TypeTransaction {
				assert.Equal(t, "transaction", ev.Type)
			}

			ts, tw, err := ev.Threads.Get()
			require.NoError(t, err)
			assert.Empty(t, tw)
			bs, bw, err := ev.Breadcrumbs.Get()
			require.NoError(t, err)
			assert.Empty(t, bw)
			dm, dw, err := ev.DebugMeta.Get()
			require.NoError(t, err)
			assert.Empty(t, dw)

			got, err := json.Marshal(ev)
			require.NoError(t, err)
			want := normalizeEvent(t, p.payload)
			have := normalizeEvent(t, got)
			assert.Equal(t, want, have)

			// The lazy parts marshal back too, once decoded.
			orig := unmarshalAny(t, p.payload).(map[string]any)
			for key, v := range map[string]any{"threads": ts, "breadcrumbs": bs, "debug_meta": dm} {
				if _, ok := orig[key]; !ok {
					continue
				}
				b, err := json.Marshal(v)
				require.NoError(t, err)
				assert.Equal(t, dropNulls(wrapValues(orig[key], key != "debug_meta")), dropNulls(unmarshalAny(t, b)), key)
			}
		})
	}
	assert.Positive(t, exceptions)
	assert.Positive(t, frames)
}

func unmarshalAny(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

// normalizeEvent unmarshals an event into maps and applies the
// normalizations of decoding and marshaling: nulls are absent, lists of
// Values are wrapped in {"values": ...}, a string message is a logentry's
// formatted text, timestamps are Unix microseconds, and tags are a map
// (their order is not compared).
func normalizeEvent(t *testing.T, b []byte) map[string]any {
	t.Helper()
	m := dropNulls(unmarshalAny(t, b)).(map[string]any)
	if v, ok := m["exception"]; ok {
		m["exception"] = wrapValues(v, true)
	}
	switch v := m["message"].(type) {
	case string:
		m["message"] = map[string]any{"formatted": v}
	case bool:
		delete(m, "message")
	}
	for _, k := range []string{"timestamp", "start_timestamp"} {
		if v, ok := m[k]; ok {
			m[k] = unixMicro(t, v)
		}
	}
	switch tags := m["tags"].(type) {
	case []any:
		mm := map[string]any{}
		for _, p := range tags {
			kv := p.([]any)
			if _, dup := mm[kv[0].(string)]; !dup {
				mm[kv[0].(string)] = kv[1]
			}
		}
		m["tags"] = mm
	}
	return m
}

// wrapValues turns the list and single-object shapes of Values into the
// {"values": [...]} shape that marshaling writes.
func wrapValues(v any, isValues bool) any {
	if !isValues {
		return v
	}
	switch x := v.(type) {
	case []any:
		return map[string]any{"values": x}
	case map[string]any:
		if _, ok := x["values"]; ok || len(x) == 0 {
			return x
		}
		return map[string]any{"values": []any{x}}
	}
	return v
}

func unixMicro(t *testing.T, v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(math.Round(x * 1e6))
	case string:
		var ts Timestamp
		require.NoError(t, json.Unmarshal([]byte(`"`+x+`"`), &ts))
		return ts.UnixMicro()
	}
	t.Fatalf("timestamp %v", v)
	return 0
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			x[k] = dropNulls(e)
		}
	case []any:
		for i, e := range x {
			x[i] = dropNulls(e)
		}
	}
	return v
}

// TestEventRoundTrip marshals an event with every field of the error
// model, and unknown keys at every level, and checks that all of it comes
// back in the normalized shapes.
func TestEventRoundTrip(t *testing.T) {
	in := `{
	"unknown_top": {"a": [1, 2]},
	"message": "plain text",
	"logentry": {"message": "%s failed", "params": ["job"], "formatted": "job failed", "x": 1},
	"exception": [{"type": "E", "value": {"code": 3}, "module": "m", "thread_id": "t1", "x": 2,
		"mechanism": {"type": "t", "synthetic": true, "description": "d", "help_link": "h", "handled": false, "source": "s",
			"is_exception_group": false, "exception_id": 0, "parent_id": 1, "data": {"d": 1}, "meta": {"errno": {"number": 2}}, "x": 3},
		"stacktrace": {"frames": [{"function": "f", "raw_function": "rf", "symbol": "s", "module": "m", "package": "p",
			"filename": "f.c", "abs_path": "/f.c", "lineno": 1, "colno": 2, "platform": "c", "pre_context": ["a"],
			"context_line": "b", "post_context": ["c"], "in_app": true, "vars": ["v0", {"v": 1}], "data": {"k": "v"},
			"image_addr": "0X0", "instruction_addr": 4096, "addr_mode": "abs", "function_id": "16", "symbol_addr": "0xFF",
			"trust": "cfi", "lang": "c", "stack_start": false, "lock": {"type": 1}, "x": 4}],
			"registers": {"pc": "0xA", "sp": 11}, "instruction_addr_adjustment": "all", "lang": "c", "snapshot": false, "x": 5},
		"raw_stacktrace": {"frames": [{"function": "raw"}]}}],
	"stacktrace": {"frames": [{"function": "top"}]},
	"sdk": {"name": "n", "version": "v", "integrations": ["i"], "packages": [{"name": "p", "version": "1", "x": 6}], "features": ["f"], "x": 7}
}`
	ev, err := DecodeEvent([]byte(in))
	require.NoError(t, err)
	require.Empty(t, ev.Warnings)
	out, err := json.Marshal(ev)
	require.NoError(t, err)
	want := `{
	"unknown_top": {"a": [1, 2]},
	"message": {"formatted": "plain text"},
	"logentry": {"message": "%s failed", "params": ["job"], "formatted": "job failed", "x": 1},
	"exception": {"values": [{"type": "E", "value": "{\"code\":3}", "module": "m", "thread_id": "t1", "x": 2,
		"mechanism": {"type": "t", "synthetic": true, "description": "d", "help_link": "h", "handled": false, "source": "s",
			"is_exception_group": false, "exception_id": 0, "parent_id": 1, "data": {"d": 1}, "meta": {"errno": {"number": 2}}, "x": 3},
		"stacktrace": {"frames": [{"function": "f", "raw_function": "rf", "symbol": "s", "module": "m", "package": "p",
			"filename": "f.c", "abs_path": "/f.c", "lineno": 1, "colno": 2, "platform": "c", "pre_context": ["a"],
			"context_line": "b", "post_context": ["c"], "in_app": true, "vars": {"0": "v0", "1": {"v": 1}}, "data": {"k": "v"},
			"image_addr": "0x0", "instruction_addr": "0x1000", "addr_mode": "abs", "function_id": "0x10", "symbol_addr": "0xff",
			"trust": "cfi", "lang": "c", "stack_start": false, "lock": {"type": 1}, "x": 4}],
			"registers": {"pc": "0xa", "sp": "0xb"}, "instruction_addr_adjustment": "all", "lang": "c", "snapshot": false, "x": 5},
		"raw_stacktrace": {"frames": [{"function": "raw"}]}}]},
	"stacktrace": {"frames": [{"function": "top"}]},
	"sdk": {"name": "n", "version": "v", "integrations": ["i"], "packages": [{"name": "p", "version": "1", "x": 6}], "features": ["f"], "x": 7}
}`
	assert.JSONEq(t, want, string(out))

	// Decoding the output again gives the same output: the normalized
	// shapes are fixed points.
	ev2, err := DecodeEvent(out)
	require.NoError(t, err)
	require.Empty(t, ev2.Warnings)
	out2, err := json.Marshal(ev2)
	require.NoError(t, err)
	assert.JSONEq(t, string(out), string(out2))
}

func TestLazyPartsRoundTrip(t *testing.T) {
	threads := `{"values":[{"id":1,"name":"main","crashed":true,"current":false,"main":true,"state":"RUNNABLE",
		"held_locks":{"0x1":{"type":1}},"stacktrace":{"frames":[{"instruction_addr":"0x10"}]},"raw_stacktrace":{"frames":[]},"x":1},{"id":"w"}],"y":2}`
	crumbs := `{"values":[{"timestamp":946684800.5,"type":"http","category":"c","level":"info","message":"m","data":{"a":1},
		"event_id":"0a5fba53f8944a90b23f891cb9473d52","x":1},{"ty":"nav"}]}`
	debug := `{"sdk_info":{"a":1},"images":[{"type":"elf","debug_id":"d","debug_file":"f","code_id":"c","code_file":"cf","uuid":"u",
		"arch":"x86_64","image_addr":"0x1000","image_size":10,"image_vmaddr":"0x0","x":1}],"y":2}`
	ev, err := DecodeEvent([]byte(`{"threads":` + threads + `,"breadcrumbs":` + crumbs + `,"debug_meta":` + debug + `}`))
	require.NoError(t, err)

	ts, w, err := ev.Threads.Get()
	require.NoError(t, err)
	require.Empty(t, w)
	b, err := json.Marshal(ts)
	require.NoError(t, err)
	assert.JSONEq(t, threads, string(b))

	bs, w, err := ev.Breadcrumbs.Get()
	require.NoError(t, err)
	require.Empty(t, w)
	b, err = json.Marshal(bs)
	require.NoError(t, err)
	assert.JSONEq(t, strings.Replace(crumbs, `{"ty":"nav"}`, `{"type":"nav"}`, 1), string(b))

	dm, w, err := ev.DebugMeta.Get()
	require.NoError(t, err)
	require.Empty(t, w)
	b, err = json.Marshal(dm)
	require.NoError(t, err)
	assert.JSONEq(t, debug, string(b))
}
