package enhancement

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sentrywire/sentrywire/grouping/internal/glob"
)

// Realistic stack traces, outermost frame first, as SDKs of each platform
// send them.
func benchStacks() map[string][]Frame {
	t, f := true, false
	py := func(path, module, fn string, inApp bool) Frame {
		return Frame{Platform: "python", AbsPath: path, Filename: path, Module: module, Function: fn, InApp: &inApp}
	}
	js := func(url, fn string, inApp bool) Frame {
		return Frame{Platform: "javascript", AbsPath: url, Function: fn, InApp: &inApp}
	}
	java := func(module, fn, file string, inApp bool) Frame {
		return Frame{Platform: "java", Module: module, Function: fn, Filename: file, InApp: &inApp}
	}
	cocoa := func(pkg, fn string, inApp *bool) Frame {
		return Frame{Platform: "cocoa", Package: pkg, Function: fn, InApp: inApp}
	}
	native := func(pkg, path, fn string) Frame {
		return Frame{Platform: "native", Package: pkg, AbsPath: path, Function: fn}
	}
	sys := "/System/Library/Frameworks/"
	return map[string][]Frame{
		"python": {
			py("/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py", "django.core.handlers.exception", "inner", f),
			py("/usr/local/lib/python3.12/site-packages/django/core/handlers/base.py", "django.core.handlers.base", "_get_response", f),
			py("/usr/local/lib/python3.12/site-packages/django/views/decorators/csrf.py", "django.views.decorators.csrf", "wrapper_view", f),
			py("/usr/local/lib/python3.12/site-packages/rest_framework/views.py", "rest_framework.views", "dispatch", f),
			py("/usr/local/lib/python3.12/site-packages/rest_framework/views.py", "rest_framework.views", "handle_exception", f),
			py("/app/src/api/views/orders.py", "api.views.orders", "post", t),
			py("/app/src/api/services/billing.py", "api.services.billing", "charge", t),
			py("/app/src/api/services/billing.py", "api.services.billing", "_compute_total", t),
			py("/usr/local/lib/python3.12/decimal.py", "decimal", "__truediv__", f),
			py("/usr/local/lib/python3.12/site-packages/sentry_sdk/integrations/django/__init__.py", "sentry_sdk.integrations.django", "sentry_patched_callback", f),
		},
		"javascript": {
			js("https://app.example.com/static/js/vendor.4f3a2b.js", "Object.invokeGuardedCallbackDev", f),
			js("https://app.example.com/static/js/vendor.4f3a2b.js", "invokeGuardedCallback", f),
			js("webpack:///./node_modules/react-dom/cjs/react-dom.development.js", "dispatchEvent", f),
			js("webpack:///./node_modules/react-dom/cjs/react-dom.development.js", "batchedUpdates$1", f),
			js("webpack:///./src/components/Checkout.tsx", "handleSubmit", t),
			js("webpack:///./src/lib/api.ts", "postOrder", t),
			js("https://cdn.jsdelivr.net/npm/axios@1.6.0/dist/axios.min.js", "request", f),
			js("webpack:///./node_modules/core-js/internals/task.js", "run", f),
			js("webpack:///./src/lib/api.ts", "handleResponse", t),
			js("[native code]", "JSON.parse", f),
		},
		"java": {
			java("java.lang.Thread", "run", "Thread.java", f),
			java("org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker", "run", "ThreadPoolExecutor.java", f),
			java("org.apache.coyote.AbstractProtocol$ConnectionHandler", "process", "AbstractProtocol.java", f),
			java("org.springframework.web.servlet.FrameworkServlet", "service", "FrameworkServlet.java", f),
			java("org.springframework.web.servlet.DispatcherServlet", "doDispatch", "DispatcherServlet.java", f),
			java("org.springframework.web.method.support.InvocableHandlerMethod", "invokeForRequest", "InvocableHandlerMethod.java", f),
			java("jdk.internal.reflect.GeneratedMethodAccessor123", "invoke", "", f),
			java("com.example.shop.OrderController", "create", "OrderController.java", t),
			java("com.example.shop.OrderService$$EnhancerBySpringCGLIB$$1a2b3c", "place", "<generated>", t),
			java("com.example.shop.OrderService", "place", "OrderService.java", t),
			java("java.util.HashMap", "get", "HashMap.java", f),
			java("io.sentry.SentryClient", "captureEvent", "SentryClient.java", f),
		},
		"cocoa": {
			cocoa("/usr/lib/system/libdyld.dylib", "start", &f),
			cocoa("/private/var/containers/Bundle/Application/6A7B/MyApp.app/MyApp", "main", nil),
			cocoa(sys+"UIKit.framework/UIKit", "UIApplicationMain", nil),
			cocoa(sys+"GraphicsServices.framework/GraphicsServices", "GSEventRunModal", nil),
			cocoa(sys+"CoreFoundation.framework/CoreFoundation", "CFRunLoopRunSpecific", nil),
			cocoa(sys+"CoreFoundation.framework/CoreFoundation", "__CFRunLoopDoSources0", nil),
			cocoa(sys+"UIKit.framework/UIKit", "-[UIApplication sendEvent:]", nil),
			cocoa(sys+"UIKit.framework/UIKit", "-[UIControl sendAction:to:forEvent:]", nil),
			cocoa("/private/var/containers/Bundle/Application/6A7B/MyApp.app/MyApp", "CheckoutViewController.payTapped(_:)", nil),
			cocoa("/private/var/containers/Bundle/Application/6A7B/MyApp.app/MyApp", "closure #1 in PaymentService.charge()", nil),
			cocoa("/usr/lib/swift/libswiftCore.dylib", "swift_unexpectedError", nil),
			cocoa("/private/var/containers/Bundle/Application/6A7B/MyApp.app/Frameworks/Sentry.framework/Sentry", "-[SentryCrashReportSink sendReport:]", nil),
		},
		"native": {
			native("/lib/x86_64-linux-gnu/libc.so.6", "", "__libc_start_main"),
			native("/opt/game/bin/game", "/src/engine/main.cpp", "main"),
			native("/opt/game/bin/game", "/src/engine/loop.cpp", "Engine::Run"),
			native("/opt/game/bin/game", "/src/engine/world.cpp", "World::Tick"),
			native("/opt/game/bin/game", "/usr/include/c++/13/bits/stl_vector.h", "std::vector<T>::operator[]"),
			native("/opt/game/bin/game", "/src/engine/physics.cpp", "Physics::Step"),
			native("/lib/x86_64-linux-gnu/libstdc++.so.6", "", "__cxa_throw"),
			native("/lib/x86_64-linux-gnu/libc.so.6", "", "abort"),
			native("/lib/x86_64-linux-gnu/libc.so.6", "", "raise"),
		},
	}
}

func benchRules(b *testing.B) *Rules {
	base, err := Base("all-platforms:2026-01-20")
	require.NoError(b, err)
	custom, err := Parse("stack.module:com.example.* +app\nstack.function:log_* -group\nfamily:native max-frames=5")
	require.NoError(b, err)
	return Extend(base, custom)
}

// BenchmarkClassify runs the built-in rules (plus three custom ones) over
// whole stack traces; ns/frame is the cost per frame.
func BenchmarkClassify(b *testing.B) {
	rules := benchRules(b)
	for _, name := range []string{"python", "javascript", "java", "cocoa", "native"} {
		stack := benchStacks()[name]
		b.Run(name, func(b *testing.B) {
			frames := make([]Frame, len(stack))
			b.ReportAllocs()
			for b.Loop() {
				copy(frames, stack)
				rules.Classify(frames, Exception{Type: "ValueError"})
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(stack)), "ns/frame")
		})
	}
}

// BenchmarkAssemble runs the contributes rules and hints for both variants.
func BenchmarkAssemble(b *testing.B) {
	rules := benchRules(b)
	for _, name := range []string{"python", "javascript", "java", "cocoa", "native"} {
		frames := benchStacks()[name]
		rules.Classify(frames, Exception{})
		for i := range frames {
			if frames[i].InApp == nil {
				frames[i].InApp = new(bool)
			}
		}
		b.Run(name, func(b *testing.B) {
			comps := make([]FrameComponent, len(frames))
			b.ReportAllocs()
			for b.Loop() {
				for _, variant := range []string{"app", "system"} {
					for i := range comps {
						comps[i] = FrameComponent{Contributes: variant == "system" || *frames[i].InApp}
					}
					rules.Assemble(variant, frames, comps, Exception{})
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N*len(frames)), "ns/frame")
		})
	}
}

func TestBenchStacksClassify(t *testing.T) {
	// The benchmark data exercises the rules it claims to.
	base, err := Base("all-platforms:2026-01-20")
	require.NoError(t, err)
	got := map[string]string{}
	for name, stack := range benchStacks() {
		frames := append([]Frame(nil), stack...)
		base.Classify(frames, Exception{})
		s := ""
		for _, f := range frames {
			switch {
			case f.InApp == nil:
				s += "?"
			case *f.InApp:
				s += "+"
			default:
				s += "-"
			}
		}
		got[name] = fmt.Sprint(s)
	}
	require.Equal(t, map[string]string{
		"python":     "-----+++--",
		"javascript": "----++--+-",
		"java":       "-------+++--",
		"cocoa":      "-+------++--", // system frameworks: category=system, then -app
		"native":     "-???-?---",    // std::* -app; __cxa_throw and its callees -app
	}, got)
}

// BenchmarkGlob compares the glob matcher with the regular expression
// globset would build (run by Go's regexp) on the patterns of a built-in
// rule file, each tried on realistic values.
func BenchmarkGlob(b *testing.B) {
	base, err := Base("all-platforms:2026-01-20")
	require.NoError(b, err)
	type pv struct {
		g   *glob.Glob
		ref *glob.Reference
	}
	var globs []pv
	for _, r := range append(append([]*rule{}, base.all(classifierOf)...), base.all(contributesOf)...) {
		for _, m := range r.frame {
			if m.kind == fmField {
				ref, err := glob.CompileReference(patternOf(r, m), m.g.Options())
				require.NoError(b, err)
				globs = append(globs, pv{m.g, ref})
			}
		}
	}
	values := []string{
		"/usr/local/lib/python3.11/site-packages/django/core/handlers/base.py",
		"http://localhost:3000/static/js/main.chunk.js",
		"std::panicking::try::do_call",
		"-[UIApplication sendEvent:]",
		"org.springframework.web.servlet.FrameworkServlet",
		"__pthread_start",
	}
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			for _, g := range globs {
				for _, v := range values {
					g.g.Match(v)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(globs)*len(values)), "ns/match")
	})
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			for _, g := range globs {
				for _, v := range values {
					g.ref.Match(v)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(globs)*len(values)), "ns/match")
	})
}

// patternOf recovers a matcher's pattern from the rule's display text.
func patternOf(r *rule, m frameMatcher) string {
	name := fieldNames[m.field] + ":"
	for _, part := range strings.Split(r.display, " ") {
		part = strings.TrimPrefix(strings.TrimPrefix(part, "["), "!")
		if p, ok := strings.CutPrefix(part, name); ok {
			return p
		}
	}
	return ""
}
