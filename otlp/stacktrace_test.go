package otlp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// A wantStackFrame is what a test expects of a parsed frame. The absolute path
// is the file name for every format but Java, which has no paths.
type wantStackFrame struct {
	module, function, filename string
	lineno, colno              uint64
	inApp                      wantInApp
	contextLine                string
}

type wantInApp uint8

const (
	inAppUnset wantInApp = iota
	inAppYes
	inAppNo
)

func (w wantInApp) of(f *protocol.Frame) wantInApp {
	switch {
	case f.InApp == nil:
		return inAppUnset
	case *f.InApp:
		return inAppYes
	}
	return inAppNo
}

func gotStackFrames(st *protocol.Stacktrace) []wantStackFrame {
	if st == nil {
		return nil
	}
	out := make([]wantStackFrame, len(st.Frames))
	for i := range st.Frames {
		f := &st.Frames[i]
		out[i] = wantStackFrame{f.Module, f.Function, f.Filename, f.Lineno, f.Colno, inAppUnset.of(f), f.ContextLine}
	}
	return out
}

// TestParseStacktraceRealTraces parses stack traces that the languages'
// OpenTelemetry SDKs recorded (see testdata/stacktraces/README.md):
// frames come out caller first, only the recorded exception's own.
func TestParseStacktraceRealTraces(t *testing.T) {
	tests := []struct {
		file   string
		format stackFormat
		frames []wantStackFrame
	}{
		{file: "dotnet/inner.txt", format: formatDotNet, frames: []wantStackFrame{
			{"Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker", "<InvokeActionMethodAsync>g__Awaited|12_0", "", 0, 0, inAppNo, ""},
			{"Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfIActionResultExecutor", "Execute", "", 0, 0, inAppNo, ""},
			{"Shop.Api.OrdersController", "Ship", "/src/Shop/Api/OrdersController.cs", 19, 0, inAppUnset, ""},
			{"Shop.Orders.ShippingService.<ShipAsync>d__4", "MoveNext", "/src/Shop/Orders/ShippingService.cs", 58, 0, inAppUnset, ""},
			{"Shop.Inventory.StockService", "Reserve", "/src/Shop/Inventory/StockService.cs", 31, 0, inAppUnset, ""},
		}},
		{file: "go/atoi.txt", format: formatGo, frames: []wantStackFrame{
			{"main", "main", "/tmp/exceptions/gogen/main.go", 25, 0, inAppYes, ""},
			{"main", "handle", "/tmp/exceptions/gogen/main.go", 15, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "(*Store).Lookup", "/tmp/exceptions/gogen/internal/orders/orders.go", 24, 0, inAppYes, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "(*recordingSpan).RecordError", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 509, 0, inAppNo, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "recordStackTrace", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 527, 0, inAppNo, ""},
		}},
		{file: "go/atoi_rerun.txt", format: formatGo, frames: []wantStackFrame{
			{"main", "main", "/tmp/exceptions/gogen/main.go", 25, 0, inAppYes, ""},
			{"main", "handle", "/tmp/exceptions/gogen/main.go", 15, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "(*Store).Lookup", "/tmp/exceptions/gogen/internal/orders/orders.go", 24, 0, inAppYes, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "(*recordingSpan).RecordError", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 509, 0, inAppNo, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "recordStackTrace", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 527, 0, inAppNo, ""},
		}},
		{file: "go/goroutine.txt", format: formatGo, frames: []wantStackFrame{
			{"main", "main", "/tmp/exceptions/gogen/main.go", 30, 0, inAppYes, ""},
			{"main", "func1", "/tmp/exceptions/gogen/main.go", 30, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "(*Store).Validate", "/tmp/exceptions/gogen/internal/orders/orders.go", 41, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "func1", "/tmp/exceptions/gogen/internal/orders/orders.go", 38, 0, inAppYes, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "(*recordingSpan).RecordError", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 509, 0, inAppNo, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "recordStackTrace", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 527, 0, inAppNo, ""},
		}},
		{file: "go/panic.txt", format: formatGo, frames: []wantStackFrame{
			{"main", "main", "/tmp/exceptions/gogen/main.go", 37, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Checkout", "/tmp/exceptions/gogen/internal/orders/deep.go", 32, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "charge", "/tmp/exceptions/gogen/internal/orders/deep.go", 36, 0, inAppYes, ""},
			{"", "panic", "/usr/local/go/src/runtime/panic.go", 860, 0, inAppNo, ""},
			{"example.com/shop/internal/orders", "Checkout.func1", "/tmp/exceptions/gogen/internal/orders/deep.go", 29, 0, inAppYes, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "(*recordingSpan).RecordError", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 509, 0, inAppNo, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "recordStackTrace", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 527, 0, inAppNo, ""},
		}},
		{file: "go/truncated.txt", format: formatGo, frames: []wantStackFrame{
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 20, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 20, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 20, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 20, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 20, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 20, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 20, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 20, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 20, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 20, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 20, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "Walk[...]", "/tmp/exceptions/gogen/internal/orders/deep.go", 17, 0, inAppYes, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "(*recordingSpan).RecordError", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 509, 0, inAppNo, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "recordStackTrace", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 527, 0, inAppNo, ""},
		}},
		{file: "go/wrapped.txt", format: formatGo, frames: []wantStackFrame{
			{"main", "main", "/tmp/exceptions/gogen/main.go", 25, 0, inAppYes, ""},
			{"main", "handle", "/tmp/exceptions/gogen/main.go", 15, 0, inAppYes, ""},
			{"example.com/shop/internal/orders", "(*Store).Lookup", "/tmp/exceptions/gogen/internal/orders/orders.go", 29, 0, inAppYes, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "(*recordingSpan).RecordError", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 509, 0, inAppNo, ""},
			{"go.opentelemetry.io/otel/sdk/trace", "recordStackTrace", "/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.47.0/trace/span.go", 527, 0, inAppNo, ""},
		}},
		{file: "java/cause.txt", format: formatJava, frames: []wantStackFrame{
			{"com.example.shop.Gen", "main", "Gen.java", 61, 0, inAppUnset, ""},
			{"com.example.shop.Gen", "lambda$main$1", "Gen.java", 47, 0, inAppUnset, ""},
			{"com.example.shop.OrderService", "checkout", "OrderService.java", 38, 0, inAppUnset, ""},
		}},
		{file: "java/number.txt", format: formatJava, frames: []wantStackFrame{
			{"com.example.shop.Gen", "main", "Gen.java", 61, 0, inAppUnset, ""},
			{"com.example.shop.Gen", "lambda$main$2", "Gen.java", 48, 0, inAppUnset, ""},
			{"com.example.shop.OrderService", "parseQuantity", "OrderService.java", 47, 0, inAppUnset, ""},
			{"java.lang.Integer", "parseInt", "Integer.java", 786, 0, inAppNo, ""},
			{"java.lang.Integer", "parseInt", "Integer.java", 668, 0, inAppNo, ""},
			{"java.lang.NumberFormatException", "forInputString", "NumberFormatException.java", 67, 0, inAppNo, ""},
		}},
		{file: "java/reflect.txt", format: formatJava, frames: []wantStackFrame{
			{"com.example.shop.Gen", "main", "Gen.java", 61, 0, inAppUnset, ""},
			{"com.example.shop.Gen", "lambda$main$3", "Gen.java", 51, 0, inAppUnset, ""},
			{"java.lang.reflect.Method", "invoke", "Method.java", 569, 0, inAppNo, ""},
			{"jdk.internal.reflect.DelegatingMethodAccessorImpl", "invoke", "DelegatingMethodAccessorImpl.java", 43, 0, inAppNo, ""},
			{"jdk.internal.reflect.NativeMethodAccessorImpl", "invoke", "NativeMethodAccessorImpl.java", 77, 0, inAppNo, ""},
			{"jdk.internal.reflect.NativeMethodAccessorImpl", "invoke0", "", 0, 0, inAppNo, ""},
		}},
		{file: "java/stream.txt", format: formatJava, frames: []wantStackFrame{
			{"com.example.shop.Gen", "main", "Gen.java", 61, 0, inAppUnset, ""},
			{"com.example.shop.Gen", "lambda$main$0", "Gen.java", 46, 0, inAppUnset, ""},
			{"com.example.shop.OrderService", "reserveAll", "OrderService.java", 31, 0, inAppUnset, ""},
			{"java.util.stream.ReferencePipeline", "collect", "ReferencePipeline.java", 682, 0, inAppNo, ""},
			{"java.util.stream.AbstractPipeline", "evaluate", "AbstractPipeline.java", 234, 0, inAppNo, ""},
			{"java.util.stream.ReduceOps$ReduceOp", "evaluateSequential", "ReduceOps.java", 921, 0, inAppNo, ""},
			{"java.util.stream.AbstractPipeline", "wrapAndCopyInto", "AbstractPipeline.java", 499, 0, inAppNo, ""},
			{"java.util.stream.AbstractPipeline", "copyInto", "AbstractPipeline.java", 509, 0, inAppNo, ""},
			{"java.util.AbstractList$RandomAccessSpliterator", "forEachRemaining", "AbstractList.java", 720, 0, inAppNo, ""},
			{"java.util.stream.ReferencePipeline$3$1", "accept", "ReferencePipeline.java", 197, 0, inAppNo, ""},
			{"com.example.shop.OrderService", "reserve", "OrderService.java", 25, 0, inAppUnset, ""},
		}},
		{file: "java/suppressed.txt", format: formatJava, frames: []wantStackFrame{
			{"com.example.shop.Gen", "main", "Gen.java", 61, 0, inAppUnset, ""},
			{"com.example.shop.Gen", "lambda$main$4", "Gen.java", 54, 0, inAppUnset, ""},
		}},
		{file: "node/async.txt", format: formatJavaScript, frames: []wantStackFrame{
			{"", "", "/tmp/exceptions/node/src/gen.mjs", 31, 5, inAppYes, ""},
			{"", "loadCart", "/tmp/exceptions/node/src/cart.js", 13, 10, inAppYes, ""},
			{"", "Object.query", "/tmp/exceptions/node/node_modules/tiny-db/lib/index.js", 16, 10, inAppNo, ""},
			{"", "run", "/tmp/exceptions/node/node_modules/tiny-db/lib/index.js", 10, 11, inAppNo, ""},
		}},
		{file: "node/constructor.txt", format: formatJavaScript, frames: []wantStackFrame{
			{"", "asyncRunEntryPointWithESMLoader", "node:internal/modules/run_main", 117, 5, inAppNo, ""},
			{"", "ModuleLoader.import", "node:internal/modules/esm/loader", 606, 24, inAppNo, ""},
			{"", "ModuleJob.run", "node:internal/modules/esm/module_job", 325, 25, inAppNo, ""},
			{"", "", "/tmp/exceptions/node/src/gen.mjs", 31, 11, inAppYes, ""},
			{"", "constructor", "/tmp/exceptions/node/src/gen.mjs", 19, 22, inAppYes, ""},
			{"", "new Cart", "/tmp/exceptions/node/src/cart.js", 8, 24, inAppYes, ""},
			{"", "Array.reduce", "<anonymous>", 0, 0, inAppNo, ""},
			{"", "", "/tmp/exceptions/node/src/cart.js", 8, 63, inAppYes, ""},
		}},
		{file: "node/enoent.txt", format: formatJavaScript, frames: []wantStackFrame{
			{"", "", "/tmp/exceptions/node/src/gen.mjs", 31, 11, inAppYes, ""},
			{"", "enoent", "/tmp/exceptions/node/src/gen.mjs", 21, 17, inAppYes, ""},
			{"", "readConfig", "/tmp/exceptions/node/src/cart.js", 17, 24, inAppYes, ""},
			{"", "Object.readFileSync", "node:fs", 448, 20, inAppNo, ""},
		}},
		{file: "node/esm.txt", format: formatJavaScript, frames: []wantStackFrame{
			{"", "", "/tmp/exceptions/node/src/gen.mjs", 31, 11, inAppYes, ""},
			{"", "esm", "/tmp/exceptions/node/src/gen.mjs", 23, 14, inAppYes, ""},
			{"", "applyDiscount", "/tmp/exceptions/node/src/esm.mjs", 3, 11, inAppYes, ""},
		}},
		{file: "node/eval.txt", format: formatJavaScript, frames: []wantStackFrame{
			{"", "", "/tmp/exceptions/node/src/gen.mjs", 31, 11, inAppYes, ""},
			{"", "evaluate", "/tmp/exceptions/node/src/gen.mjs", 25, 88, inAppYes, ""},
			{"", "rule", "<anonymous>", 1, 36, inAppNo, ""},
		}},
		{file: "node/json.txt", format: formatJavaScript, frames: []wantStackFrame{
			{"", "", "/tmp/exceptions/node/src/gen.mjs", 31, 11, inAppYes, ""},
			{"", "json", "/tmp/exceptions/node/src/gen.mjs", 22, 20, inAppYes, ""},
			{"", "JSON.parse", "<anonymous>", 0, 0, inAppNo, ""},
		}},
		{file: "node/multiline.txt", format: formatJavaScript, frames: []wantStackFrame{
			{"", "", "/tmp/exceptions/node/src/gen.mjs", 31, 11, inAppYes, ""},
			{"", "multiline", "/tmp/exceptions/node/src/gen.mjs", 26, 28, inAppYes, ""},
		}},
		{file: "node/promiseall.txt", format: formatJavaScript, frames: []wantStackFrame{
			{"", "", "/tmp/exceptions/node/src/gen.mjs", 31, 5, inAppYes, ""},
			{"", "Promise.all", "", 0, 0, inAppUnset, ""},
			{"", "loadCart", "/tmp/exceptions/node/src/cart.js", 13, 10, inAppYes, ""},
			{"", "Object.query", "/tmp/exceptions/node/node_modules/tiny-db/lib/index.js", 16, 10, inAppNo, ""},
			{"", "run", "/tmp/exceptions/node/node_modules/tiny-db/lib/index.js", 10, 11, inAppNo, ""},
		}},
		{file: "python/cause.txt", format: formatPython, frames: []wantStackFrame{
			{"", "<module>", "/tmp/exceptions/py/app/gen.py", 32, 0, inAppYes, "fn()"},
			{"", "<lambda>", "/tmp/exceptions/py/app/gen.py", 25, 0, inAppYes, "(\"cause\", lambda: orders.checkout('{\"id\": 7, \"items\": [{\"price\": 60, \"qty\": 2}]}')),"},
			{"", "checkout", "/tmp/exceptions/py/app/shop/orders.py", 23, 0, inAppYes, "raise OrderError(f\"order {order['id']} could not be paid\") from exc"},
		}},
		{file: "python/context.txt", format: formatPython, frames: []wantStackFrame{
			{"", "<module>", "/tmp/exceptions/py/app/gen.py", 32, 0, inAppYes, "fn()"},
			{"", "<lambda>", "/tmp/exceptions/py/app/gen.py", 26, 0, inAppYes, "(\"context\", lambda: orders.lookup({}, \"a1\")),"},
			{"", "lookup", "/tmp/exceptions/py/app/shop/orders.py", 30, 0, inAppYes, "return {}[\"fallback-\" + key]"},
		}},
		{file: "python/group.txt", format: formatPython, frames: []wantStackFrame{
			{"", "<module>", "/tmp/exceptions/py/app/gen.py", 32, 0, inAppYes, "fn()"},
			{"", "<lambda>", "/tmp/exceptions/py/app/gen.py", 28, 0, inAppYes, "(\"group\", lambda: orders.validate({\"a\": 1, \"b\": 2})),"},
			{"", "validate", "/tmp/exceptions/py/app/shop/orders.py", 35, 0, inAppYes, "raise ExceptionGroup(\"order validation failed\", errors)"},
		}},
		{file: "python/json.txt", format: formatPython, frames: []wantStackFrame{
			{"", "<module>", "/tmp/exceptions/py/app/gen.py", 32, 0, inAppYes, "fn()"},
			{"", "<lambda>", "/tmp/exceptions/py/app/gen.py", 24, 0, inAppYes, "(\"json\", lambda: orders.checkout('{\"id\": 7, \"items\": [')),"},
			{"", "checkout", "/tmp/exceptions/py/app/shop/orders.py", 19, 0, inAppYes, "order = parse_order(raw)"},
			{"", "parse_order", "/tmp/exceptions/py/app/shop/orders.py", 11, 0, inAppYes, "return json.loads(raw)"},
			{"", "loads", "/root/.pyenv/versions/3.11.7/lib/python3.11/json/__init__.py", 346, 0, inAppNo, "return _default_decoder.decode(s)"},
			{"", "decode", "/root/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py", 337, 0, inAppNo, "obj, end = self.raw_decode(s, idx=_w(s, 0).end())"},
			{"", "raw_decode", "/root/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py", 355, 0, inAppNo, "raise JSONDecodeError(\"Expecting value\", s, err.value) from None"},
		}},
		{file: "python/recursion.txt", format: formatPython, frames: []wantStackFrame{
			{"", "<module>", "/tmp/exceptions/py/app/gen.py", 32, 0, inAppYes, "fn()"},
			{"", "<lambda>", "/tmp/exceptions/py/app/gen.py", 29, 0, inAppYes, "(\"recursion\", lambda: (lambda f: f(f, 0))(lambda f, n: f(f, n + 1))),"},
			{"", "<lambda>", "/tmp/exceptions/py/app/gen.py", 29, 0, inAppYes, "(\"recursion\", lambda: (lambda f: f(f, 0))(lambda f, n: f(f, n + 1))),"},
			{"", "<lambda>", "/tmp/exceptions/py/app/gen.py", 29, 0, inAppYes, "(\"recursion\", lambda: (lambda f: f(f, 0))(lambda f, n: f(f, n + 1))),"},
		}},
		{file: "python/typeerror.txt", format: formatPython, frames: []wantStackFrame{
			{"", "<module>", "/tmp/exceptions/py/app/gen.py", 32, 0, inAppYes, "fn()"},
			{"", "<lambda>", "/tmp/exceptions/py/app/gen.py", 27, 0, inAppYes, "(\"typeerror\", lambda: orders.total({\"items\": [{\"price\": \"3\", \"qty\": None}]})),"},
			{"", "total", "/tmp/exceptions/py/app/shop/orders.py", 15, 0, inAppYes, "return sum(item[\"price\"] * item[\"qty\"] for item in order[\"items\"])"},
			{"", "<genexpr>", "/tmp/exceptions/py/app/shop/orders.py", 15, 0, inAppYes, "return sum(item[\"price\"] * item[\"qty\"] for item in order[\"items\"])"},
		}},
	}
	files, err := filepath.Glob("testdata/stacktraces/*/*.txt")
	require.NoError(t, err)
	require.Len(t, files, len(tests), "every testdata trace has a case")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			text := readStackTrace(t, tt.file)
			assert.Equal(t, tt.format, detectStackFormat(text))
			st := parseStacktrace(text)
			require.NotNil(t, st)
			assert.Equal(t, tt.frames, gotStackFrames(st))
			for i := range st.Frames {
				f := &st.Frames[i]
				if tt.format == formatJava {
					assert.Empty(t, f.AbsPath)
				} else {
					assert.Equal(t, f.Filename, f.AbsPath)
				}
				for j := range i {
					if f.InApp != nil && st.Frames[j].InApp != nil {
						assert.NotSame(t, f.InApp, st.Frames[j].InApp, "frames share an in_app flag")
					}
				}
			}
		})
	}
}

func readStackTrace(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "stacktraces", name))
	require.NoError(t, err)
	return string(b)
}

// TestParseStacktraceEdges covers the shapes the real traces above do not:
// other platforms' paths, line endings, cut and empty texts.
func TestParseStacktraceEdges(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		format stackFormat
		frames []wantStackFrame
	}{
		{name: "empty", text: "", format: formatUnknown},
		{name: "message only", text: "something went wrong\n", format: formatUnknown},
		{name: "java header only", text: "java.lang.IllegalStateException: boom", format: formatUnknown},
		{name: "unindented at", text: "at f (/app/x.js:1:2)", format: formatUnknown},
		{
			name:   "python traceback without frames",
			text:   "Traceback (most recent call last):\nKeyError: 'x'\n",
			format: formatPython,
		},
		{
			name: "python syntax error location is not a frame",
			text: "Traceback (most recent call last):\n" +
				"  File \"/app/main.py\", line 3, in <module>\n" +
				"    import broken\n" +
				"  File \"/app/broken.py\", line 1\n" +
				"    def f(:\n" +
				"          ^\n" +
				"SyntaxError: invalid syntax\n",
			format: formatPython,
			frames: []wantStackFrame{{"", "<module>", "/app/main.py", 3, 0, inAppYes, "import broken"}},
		},
		{
			name: "python windows, frozen and string files",
			text: "Traceback (most recent call last):\r\n" +
				"  File \"C:\\app\\main.py\", line 3, in <module>\r\n" +
				"  File \"<frozen importlib._bootstrap>\", line 1176, in _find_and_load\r\n" +
				"  File \"<string>\", line 1, in <module>\r\n" +
				"  File \"C:\\Python311\\Lib\\json\\decoder.py\", line 337, in decode\r\n" +
				"    obj, end = self.raw_decode(s, idx=_w(s, 0).end())\r\n" +
				"json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)\r\n",
			format: formatPython,
			frames: []wantStackFrame{
				{"", "<module>", `C:\app\main.py`, 3, 0, inAppYes, ""},
				{"", "_find_and_load", "<frozen importlib._bootstrap>", 1176, 0, inAppNo, ""},
				{"", "<module>", "<string>", 1, 0, inAppUnset, ""},
				{"", "decode", `C:\Python311\Lib\json\decoder.py`, 337, 0, inAppNo, "obj, end = self.raw_decode(s, idx=_w(s, 0).end())"},
			},
		},
		{
			name: "java module and class loader prefixes",
			text: "java.lang.RuntimeException: x\n" +
				"\tat java.base@17.0.2/java.lang.Thread.run(Thread.java:833)\n" +
				"\tat app//com.x.Main.main(Main.kt)\n" +
				"\tat com.x.Native.call(Native Method)\n" +
				"\tat com.x.Gen.run(Unknown Source)\n" +
				"\tat javax.servlet.Filter.doFilter(Filter.java:9)\n",
			format: formatJava,
			frames: []wantStackFrame{
				{"javax.servlet.Filter", "doFilter", "Filter.java", 9, 0, inAppNo, ""},
				{"com.x.Gen", "run", "", 0, 0, inAppUnset, ""},
				{"com.x.Native", "call", "", 0, 0, inAppUnset, ""},
				{"com.x.Main", "main", "Main.kt", 0, 0, inAppUnset, ""},
				{"java.lang.Thread", "run", "Thread.java", 833, 0, inAppNo, ""},
			},
		},
		{
			name: "dotnet crlf, constructor, no symbols",
			text: "System.ArgumentException: bad\r\n" +
				"   at Shop.Cart..ctor(String id) in C:\\src\\Cart.cs:line 7\r\n" +
				"   at Shop.Program.Main()\r\n" +
				"   at System.Threading.Thread.StartCallback()\r\n",
			format: formatDotNet,
			frames: []wantStackFrame{
				{"System.Threading.Thread", "StartCallback", "", 0, 0, inAppNo, ""},
				{"Shop.Program", "Main", "", 0, 0, inAppUnset, ""},
				{"Shop.Cart", ".ctor", `C:\src\Cart.cs`, 7, 0, inAppUnset, ""},
			},
		},
		{
			name:   "go crash output",
			text:   "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x25\nexit status 2\n",
			format: formatGo,
			frames: []wantStackFrame{{"main", "main", "/app/main.go", 5, 0, inAppYes, ""}},
		},
		{
			name:   "go cut inside a file line",
			text:   "goroutine 1 [running]:\nmain.f()\n\t/app/main.go:5 +0x1\nmain.main()\n\t/app/ma",
			format: formatGo,
			frames: []wantStackFrame{{"main", "f", "/app/main.go", 5, 0, inAppYes, ""}},
		},
		{
			name:   "go cut without a line break",
			text:   "goroutine 1 [runn",
			format: formatUnknown,
		},
		{
			name: "go first goroutine only, stdlib, vendor, elided",
			text: "goroutine 7 [running]:\n" +
				"example.com/app/vendor/github.com/x/y.Do(...)\n\t/src/app/vendor/github.com/x/y/y.go:3\n" +
				"net/http.(*conn).serve(0xc000120000, {0x8f1e20, 0xc0001a2000})\n\t/usr/local/go/src/net/http/server.go:2009 +0x5f4\n" +
				"...additional frames elided...\n" +
				"\ngoroutine 1 [chan receive]:\nmain.main()\n\t/src/app/main.go:9 +0x10\n",
			format: formatGo,
			frames: []wantStackFrame{
				{"net/http", "(*conn).serve", "/usr/local/go/src/net/http/server.go", 2009, 0, inAppNo, ""},
				{"example.com/app/vendor/github.com/x/y", "Do", "/src/app/vendor/github.com/x/y/y.go", 3, 0, inAppNo, ""},
			},
		},
		{
			name: "javascript windows, url and native frames",
			text: "Error: x\n" +
				"    at f (C:\\app\\x.js:1:2)\n" +
				"    at https://cdn.example.com/app.js:10:5\n" +
				"    at Array.forEach (native)\n" +
				"    at C:\\app\\node_modules\\lib\\i.js:3:4\n",
			format: formatJavaScript,
			frames: []wantStackFrame{
				{"", "", `C:\app\node_modules\lib\i.js`, 3, 4, inAppNo, ""},
				{"", "Array.forEach", "", 0, 0, inAppUnset, ""},
				{"", "", "https://cdn.example.com/app.js", 10, 5, inAppYes, ""},
				{"", "f", `C:\app\x.js`, 1, 2, inAppYes, ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.format, detectStackFormat(tt.text))
			assert.Equal(t, tt.frames, gotStackFrames(parseStacktrace(tt.text)))
		})
	}
}

// TestParseStacktraceKeepsNewestFrames checks the frame limit: 300 calls
// deep, the 250 nearest the error are kept, caller first, whichever
// order the language prints them in.
func TestParseStacktraceKeepsNewestFrames(t *testing.T) {
	const depth = 300
	// frame returns the text of the call at depth d, 1 being the newest.
	tests := []struct {
		name          string
		header, after string
		frame         func(d int) string
		oldestFirst   bool
	}{
		{name: "python", header: "Traceback (most recent call last):\n", after: "RecursionError: x\n",
			frame:       func(d int) string { return fmt.Sprintf("  File \"/a.py\", line %d, in f\n    f()\n", d) },
			oldestFirst: true},
		{name: "java", header: "java.lang.StackOverflowError\n",
			frame: func(d int) string { return fmt.Sprintf("\tat a.B.f(B.java:%d)\n", d) }},
		{name: "javascript", header: "RangeError: Maximum call stack size exceeded\n",
			frame: func(d int) string { return fmt.Sprintf("    at f (/a.js:%d:1)\n", d) }},
		{name: "go", header: "goroutine 1 [running]:\n",
			frame: func(d int) string { return fmt.Sprintf("main.f(...)\n\t/a.go:%d +0x1\n", d) }},
		{name: "dotnet", header: "System.StackOverflowException: x\n",
			frame: func(d int) string { return fmt.Sprintf("   at A.B.F() in /a.cs:line %d\n", d) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString(tt.header)
			for i := range depth {
				d := i + 1
				if tt.oldestFirst {
					d = depth - i
				}
				b.WriteString(tt.frame(d))
			}
			b.WriteString(tt.after)
			st := parseStacktrace(b.String())
			require.NotNil(t, st)
			require.Len(t, st.Frames, maxStackFrames)
			assert.EqualValues(t, maxStackFrames, st.Frames[0].Lineno, "oldest kept")
			assert.EqualValues(t, 1, st.Top().Lineno, "newest kept, last")
		})
	}
}

// FuzzParseStacktrace checks that any text parses without panicking and
// within the frame limit.
func FuzzParseStacktrace(f *testing.F) {
	files, err := filepath.Glob("testdata/stacktraces/*/*.txt")
	require.NoError(f, err)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(string(b))
		f.Add(string(b[:len(b)/2]))
	}
	// The exception.stacktrace attributes real exporters sent.
	captured, _ := filepath.Glob("testdata/captures/*trace*")
	for _, name := range captured {
		b, _ := os.ReadFile(name)
		enc := Protobuf
		if strings.HasSuffix(name, ".json") {
			enc = JSON
		}
		traces, err := DecodeTraces(b, enc)
		if err != nil {
			continue
		}
		for _, rs := range traces.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					for _, e := range s.Events {
						for _, kv := range e.Attributes {
							if kv.Key == "exception.stacktrace" && kv.Value.Kind() == KindString {
								f.Add(kv.Value.Str())
							}
						}
					}
				}
			}
		}
	}
	f.Add("  + Exception Group Traceback (most recent call last):\n  |   File \"x\", line")
	f.Add("\tat (\n   at x(:line \n    at (:1:")
	f.Fuzz(func(t *testing.T, text string) {
		st := parseStacktrace(text)
		if st == nil {
			return
		}
		if len(st.Frames) == 0 || len(st.Frames) > maxStackFrames {
			t.Fatalf("%d frames", len(st.Frames))
		}
	})
}

// BenchmarkParseStacktrace measures parsing per format, on the real
// traces.
func BenchmarkParseStacktrace(b *testing.B) {
	for _, name := range []string{"python/json.txt", "java/stream.txt", "node/constructor.txt", "go/truncated.txt", "dotnet/inner.txt"} {
		text := readStackTrace(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				if parseStacktrace(text) == nil {
					b.Fatal("no frames")
				}
			}
		})
	}
}
