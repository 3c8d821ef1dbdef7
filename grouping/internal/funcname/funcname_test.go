package funcname

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Cases from Sentry's tests/sentry/stacktraces/test_functions.py
// (test_trim_native_function_name, platform "native").
var sentryNativeCases = []struct{ in, want string }{
	{"function", "function"},
	{"namespace::Class::function", "namespace::Class::function"},
	{" const ", " const "},
	{" namespace::const ", "namespace::"},
	{"namespace::function::h9de5fbebc1652d47", "namespace::function"},
	{"?A0xc3a0617d::crash", "`anonymous namespace'::crash"},
	{
		"Scaleform::GFx::AS3::IMEManager::DispatchEvent(char const *,char const *,char const *)",
		"Scaleform::GFx::AS3::IMEManager::DispatchEvent",
	},
	{
		"static unsigned int Scaleform::GFx::AS3::IMEManager::DispatchEvent(char const *,char const *,char const *) const",
		"Scaleform::GFx::AS3::IMEManager::DispatchEvent",
	},
	{
		"Scaleform::GFx::IME::GImeNamesManagerVista::OnActivated(unsigned long,unsigned short,_GUID const &,_GUID const &,_GUID const &,HKL__ *,unsigned long)",
		"Scaleform::GFx::IME::GImeNamesManagerVista::OnActivated",
	},
	{
		"<actix_web::pipeline::Pipeline<S, H> as actix_web::server::handler::HttpHandlerTask>::poll_io",
		"actix_web::pipeline::Pipeline<T>::poll_io",
	},
	{"+[FLFoo barBaz]", "+[FLFoo barBaz]"},
	{"-[FLFoo barBaz]", "-[FLFoo barBaz]"},
	{
		"<tokio_current_thread::scheduler::Scheduled<'a, U>>::tick",
		"tokio_current_thread::scheduler::Scheduled<T>::tick",
	},
	{
		"tokio::runtime::current_thread::runtime::Runtime::enter::{{closure}}::{{closure}}::{{closure}}::{{closure}}",
		"tokio::runtime::current_thread::runtime::Runtime::enter::{{closure}}::{{closure}}::{{closure}}::{{closure}}",
	},
	{
		"<std::panic::AssertUnwindSafe<F> as core::ops::function::FnOnce<()>>::call_once",
		"std::panic::AssertUnwindSafe<T>::call_once",
	},
	{
		"struct style::gecko_bindings::sugar::ownership::Strong<style::gecko_bindings::structs::root::RawServoStyleSheetContents> geckoservo::glue::Servo_StyleSheet_Empty(style::gecko_bindings::structs::root::mozilla::css::SheetParsingMode) const",
		"geckoservo::glue::Servo_StyleSheet_Empty",
	},
	{
		"static <NoType> std::panicking::begin_panic<str*>(struct str*, struct (str*, u32, u32) *)",
		"std::panicking::begin_panic<T>",
	},
	{
		"(anonymous namespace)::StupidFunction<std::vector<std::string>>(int)",
		"(anonymous namespace)::StupidFunction<T>",
	},
	{"static unsigned int _foo_function (uint32_t,uint32_t) const", "_foo_function"},
	{
		"v8::internal::operator<<(std::__1::basic_ostream<char, std::__1::char_traits<char> >&, v8::internal::MaybeObjectBrief const&)",
		"v8::internal::operator<<",
	},
	{
		"unsigned int (anonymous namespace)::operator<<(std::__1::basic_ostream<char, std::__1::char_traits<char> >&, v8::internal::MaybeObjectBrief const&)",
		"(anonymous namespace)::operator<<",
	},
	{
		"unsigned int mynamespace::MyClass::operator()(std::__1::basic_ostream<char, std::__1::char_traits<char> >&, v8::internal::MaybeObjectBrief const&)",
		"mynamespace::MyClass::operator()",
	},
	{
		"std::basic_ostream<char, std::char_traits<char> >& std::operator<< <std::char_traits<char> >(std::basic_ostream<char, std::char_traits<char> >&, char)",
		"std::operator<< <T>",
	},
	{
		"<actix::contextimpl::ContextFut<A, C> as futures::future::Future>::poll::h9de5fbebc1652d47",
		"actix::contextimpl::ContextFut<T>::poll",
	},
	{"<T as core::convert::Into<U>>::into", "core::convert::Into<T>::into"},
	{"ThreadStartWhatever@16", "ThreadStartWhatever"},
	{"@ThreadStartWhatever@16", "ThreadStartWhatever"},
	{"NativeButtons_DoSomeWorkHere_m7486FA1E8A228E806BA045D26ABECC87DFD436B4", "NativeButtons_DoSomeWorkHere"},
	{"Thread_Sleep_m71DE163765BF465EC4A0163F2ED4D43143094549(int, MethodInfo const*)", "Thread_Sleep"},
	{
		"U3CAppHangCaptureU3Ed__12_MoveNext_m92EE64B7CB73ABCEE3CA67581B1F90122637F61D" +
			"(U3CAppHangCaptureU3Ed__12_tF24197A44C378085E75CA07E995888BBF01EDA62*, MethodInfo const*)",
		"U3CAppHangCaptureU3Ed__12_MoveNext",
	},
	{"List_1_CopyTo_m5180D7A430072A21034A0692CDD1D565ADEE2ABB_gshared(RuntimeArray*, int32_t)", "List_1_CopyTo_gshared"},
	{"List_1_CopyTo_m5180D7A430072A21034A0692CDD1D565ADEE2ABB_gshared", "List_1_CopyTo_gshared"},
	{"List_1_CopyTo_m5180D7A430072A21034A0692CDD1D565ADEE2ABB_fshared", "List_1_CopyTo_fshared"},
	{"LinkedList_1_get_First_mFE6CE39F3C815C988217E69C202C990619E7EB87_inline", "LinkedList_1_get_First_inline"},
	{"LinkedList_1_get_First_mFE6CE39F3C815C988217E69C202C990619E7EB87_gshared_inline", "LinkedList_1_get_First_gshared_inline"},
	{"LinkedList_1_get_First_mFE6CE39F3C815C988217E69C202C990619E7EB87_fshared_inline", "LinkedList_1_get_First_fshared_inline"},
	{"AnimationClipPlayable_Equals_mC5263BEA86C02CEDF93C5B14EAA168883E1DB5F4_AdjustorThunk", "AnimationClipPlayable_Equals_AdjustorThunk"},
	{"GetRayIntersectionAllCallback_Invoke_m917AA4108EBDC724AFEF39BFD06A586B7461F497_Multicast", "GetRayIntersectionAllCallback_Invoke_Multicast"},
	{"GetRayIntersectionAllCallback_Invoke_m917AA4108EBDC724AFEF39BFD06A586B7461F497_OpenStatic", "GetRayIntersectionAllCallback_Invoke_OpenStatic"},
	{"unitytls_x509list_get_ref_t_Invoke_mE7C675B7847FFEF96C25AE757D34CE920AA16EC2_OpenInstance", "unitytls_x509list_get_ref_t_Invoke_OpenInstance"},
	{"LocalCertificateSelectionCallback_Invoke_mED43EE6E88B8C653C7D68966F86751B70907591C_OpenGenericVirtual", "LocalCertificateSelectionCallback_Invoke_OpenGenericVirtual"},
	{"ParameterizedConstructorDelegate_5_Invoke_m8ABE4DDEF0C49FF41403E4B3A4064E885DEC800E_OpenStaticInvoker", "ParameterizedConstructorDelegate_5_Invoke_OpenStaticInvoker"},
	{"ParameterizedConstructorDelegate_5_Invoke_m8E54847F621BC27BAF3601B6E718F8243082CE3E_OpenVirtualInvoker", "ParameterizedConstructorDelegate_5_Invoke_OpenVirtualInvoker"},
	{"OnVideoCaptureResourceCreatedCallback_Invoke_mE75C26918C0D14F264699056B8BB4B303246A7AD_OpenInterfaceInvoker", "OnVideoCaptureResourceCreatedCallback_Invoke_OpenInterfaceInvoker"},
	{"AndroidJNIHelper_ConvertFromJNIArray_mAB7ACB3EE802BD8FCCF0D816108D296367FCA69D_gp_0_0_0_0", "AndroidJNIHelper_ConvertFromJNIArray_gp_0_0_0_0"},
	{"AndroidJNIHelper_GetFieldID_mD25F75AF5FF5844520E9564616E3A25F6070B3EB_gp_0_1_0_2", "AndroidJNIHelper_GetFieldID_gp_0_1_0_2"},
	{"Scope_Apply_m68049D2D67C5881750236D8E55E464E7A96A2DD7_RuntimeMethod_var", "Scope_Apply_m68049D2D67C5881750236D8E55E464E7A96A2DD7_RuntimeMethod_var"},
	{"@objc ViewController.causeCrash(Any) -> ()", "ViewController.causeCrash"},
	{"ViewController.causeCrash(Any) -> ()", "ViewController.causeCrash"},
	{"@objc ViewController.causeCrash(Any, Foo -> Bar) -> SomeObject", "ViewController.causeCrash"},
	{"ViewController.causeCrash(Any) -> SomeObject", "ViewController.causeCrash"},
	{"main::$_0", "main::lambda"},
	{"main::$_42", "main::lambda"},
	{"main::{lambda(int)#1}", "main::lambda"},
	{"main::{lambda()#42}", "main::lambda"},
	{"lambda_7156c3ceaa11256748687ab67e3ef4cd", "lambda"},
	{"<lambda_7156c3ceaa11256748687ab67e3ef4cd>::operator()", "<lambda>::operator()"},
	{"trigger_crash_a(int*) [clone .constprop.0]", "trigger_crash_a"},
	{"ShellCorona::screenInvariants() const [clone .cold]", "ShellCorona::screenInvariants"},
	{"__gnu_cxx::__verbose_terminate_handler() [clone .cold]", "__gnu_cxx::__verbose_terminate_handler"},
	{"std::__1::unique_ptr<X,std::default_delete<X> >::operator->", "std::__1::unique_ptr<T>::operator->"},
	{"pthread_cond_timedwait@@GLIBC_2.3.2", "pthread_cond_timedwait"},
	{"glob64@GLIBC_2.2", "glob64"},
	{"static Namespace.ThrowingFunction() throws -> Namespace.ExitValue?", "Namespace.ThrowingFunction"},
	{
		"closure #1 @Swift.MainActor () -> () in static Foo.CallFunction(args: [Swift.String]) -> ()",
		"closure in Foo.CallFunction",
	},
	{"closure #1 () -> () in Bar.PostTask(() -> ()) -> ()", "closure in Bar.PostTask"},
	{
		"closure #1 @Sendable () -> Swift.String in variable initialization expression of static Namespace.Class.var : Namespace.Parent",
		"closure in initializer expression of Namespace.Class.var",
	},
	{
		"variable initialization expression of static Namespace.Class.var : Namespace.Parent",
		"initializer expression of Namespace.Class.var",
	},
	{
		"closure #1 () -> () in variable initialization expression of static (extension in SpaceCreation):Namespace.Class.var : Namespace.Parent",
		"closure in initializer expression of Namespace.Class.var",
	},
}

func TestTrimSentryNative(t *testing.T) {
	for _, tc := range sentryNativeCases {
		assert.Equal(t, tc.want, Trim(tc.in, "native"), "input %q", tc.in)
	}
}

func TestTrimSentryOtherPlatforms(t *testing.T) {
	tests := []struct{ platform, in, want string }{
		// test_trim_csharp_function_name
		{"csharp", "UnityEngine.Events.InvokableCall.Invoke ()", "UnityEngine.Events.InvokableCall.Invoke"},
		{
			"csharp",
			"UnityEngine.EventSystems.ExecuteEvents.Execute[T] (UnityEngine.GameObject target, UnityEngine.EventSystems.BaseEventData eventData, UnityEngine.EventSystems.ExecuteEvents+EventFunction`1[T1] functor)",
			"UnityEngine.EventSystems.ExecuteEvents.Execute[T]",
		},
		// test_trim_cocoa_function_name
		{"cocoa", "thunk for @escaping @callee_guaranteed () -> ()", "thunk for closure"},
		{"cocoa", "specialized thunk for @callee_guaranteed (@guaranteed [T1]) -> (@owned [T2])", "thunk for closure"},
		{"cocoa", "partial apply for thunk for @callee_guaranteed () -> (@error @owned Error)", "thunk for closure"},
		{
			"cocoa",
			"partial apply for thunk for @escaping @callee_guaranteed (@guaranteed SomeType, @guaranteed [String : SomeType2], @guaranteed SomeType3) -> ()",
			"thunk for closure",
		},
		{"cocoa", "closure #1 (T1) in foo(bar: T2)", "closure in foo"},
		{"cocoa", "partial apply for closure #1 () in closure #2 (T1) in f1(_: T2, arg: T3)", "closure in f1"},
		// test_trim_function_name_cocoa
		{"objc", "+[foo:(bar)]", "+[foo:(bar)]"},
		{"objc", "[foo:(bar)]", "[foo:(bar)]"},
		{"objc", "-[foo:(bar)]", "-[foo:(bar)]"},
		{"native", "(anonymous namespace)::foo(int)", "(anonymous namespace)::foo"},
		{"native", "foo::bar::foo(int)", "foo::bar::foo"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Trim(tc.in, tc.platform), "%s %q", tc.platform, tc.in)
	}
}

// Corner cases; the expected values were produced by Sentry's Python
// function (with the IL2CPP step as implemented here), so they pin Python's
// character classes, its "$" (which also matches before a final newline),
// negative indexing and the bracket-balancing quirks.
func TestTrimCorners(t *testing.T) {
	tests := []struct{ platform, in, want string }{
		{"native", "  foo::bar(int)  ", "foo::bar"},
		{"native", "foo\u3000bar", "bar"},
		{"native", "foo\u001cbar", "bar"},
		{"native", "foo\u200bbar", "foo\u200bbar"},
		{"native", "a)b(c)d", "ac"},
		{"native", "foo<bar", "foo"},
		{"native", "foo(bar", "foo"},
		{"native", "(x::h0123456789abcdef\n", "(x\n"},
		{"native", "<abc\n", "<abc\n"},
		{"native", "foo&&", "foo"},
		{"native", "foo const&", "foo"},
		{"native", "foo() const &&", "foo"},
		{"native", "fooconst", "fooconst"},
		{"native", "foo\u00e9const", "foo\u00e9const"},
		{"native", "foo::\u00b7const", "foo::\u00b7"},
		{"native", "[initialization expression of x]", "[initialization expression of x]"},
		{"native", "-> foo", "foo"},
		{"native", "throws -> foo", "foo"},
		{"native", "foo -> bar -> baz", "bar"},
		{"native", "a@1@2", "a@1"},
		{"native", "@12", ""},
		{"native", "@@12", ""},
		{"native", "foo@bar", "foo@bar"},
		{"native", "foo@12\n", "foo"},
		{"native", "a\nb@12", "b"},
		{"native", "x@GLIBC_1@@GLIBC_2.17", "x@GLIBC_1"},
		{"native", "x@GLIBC_", "x@GLIBC_"},
		{"native", "memcpy@GLIBC_2.2.5", "memcpy"},
		{"native", "foo::h0123456789abcdef::h0123456789abcdef", "foo::h0123456789abcdef"},
		{"native", "foo::h0123456789ABCDEF", "foo::h0123456789ABCDEF"},
		{"native", "foo::h0123456789abcde", "foo::h0123456789abcde"},
		{"native", "main::$_0x", "main::$_0x"},
		{"native", "main::$_\u0661\u0662", "main::lambda"},
		{"native", "main::{lambda(int)#1}::operator()", "main::lambda::operator()"},
		{"native", "main::{lambda(\n)#1}", "main::{lambda#1}"},
		{"native", "main::{lambda())#1}", "main::lambda"},
		{"native", "xlambda_7156c3ceaa11256748687ab67e3ef4cd", "xlambda_7156c3ceaa11256748687ab67e3ef4cd"},
		{"native", "lambda_7156c3ceaa11256748687ab67e3ef4cdx", "lambda_7156c3ceaa11256748687ab67e3ef4cdx"},
		{"native", "foo<lambda_7156c3ceaa11256748687ab67e3ef4cd>::bar", "foo<lambda>::bar"},
		{"native", "?A0xC3A0617D::crash", "?A0xC3A0617D::crash"},
		{"native", "?A0xc3a0617d::?A0xc3a0617d::crash", "`anonymous namespace'::`anonymous namespace'::crash"},
		{"native", "operator<", "operator<"},
		{"native", "Foo::operator<(Foo const&) const", "Foo::operator<"},
		{"native", "Foo::operator->() const", "Foo::operator->"},
		{"native", "Foo::operator()<int>(int)", "Foo::operator()<T>"},
		{"native", "foo(( anonymous namespace ))", "foo"},
		{"native", "( anonymous namespace )::foo", "(anonymous namespace)::foo"},
		{"native", "(operator)", "(operator)"},
		{"native", "<A as B>::f", "B::f"},
		{"native", "<<A as B> as C>::f", "B::f"},
		{"native", "<X as Y<Z>>", "Y<T>"},
		{"native", "<>::f", "::f"},
		{"native", "f<>", "f<T>"},
		{"native", "foo <T>", "foo <T>"},
		{"native", "<T>", "T"},
		{"native", "a <T> <T>", "<T> <T>"},
		{"native", "a\t<b>", "a <T>"},
		{"native", "foo [bar] baz", "baz"},
		{"native", "foo[clone .isra.0][clone .cold]", "foo"},
		{"native", "foo [clone .cold", "foo"},
		{"native", "foo ]clone .cold[", "foo"},
		{"native", "closure", "closure"},
		{"native", "closure #1 in closure", "closure"},
		{"swift", "@objc foo", "foo"},
		{"swift", "@objc", "closure"},
		{"objc", "@objc foo", "foo"},
		{"cocoa", "thunk for closure", "closure"},
		{"cocoa", "reabstraction thunk helper from @escaping @callee_guaranteed () -> () to @escaping @callee_unowned @convention(block) () -> ()", "closure"},
		{"native", "initializer expression of X", "X"},
		{"native", "a\u27e8b", "a<b"},
		{"native", "\u3014anonymousnamespace\u3015::x", "`anonymous namespace'::x"},
		{"native", "   ", "   "},
		{"native", "", ""},
		{"native", "<redacted>", "<redacted>"},
		{" native", "foo(int)", "foo(int)"},
		{"python", "foo(int)", "foo(int)"},
		{"csharp", "Foo.Bar (int x) (y)", "Foo.Bar"},
		{"csharp", "Foo.Bar(int x)", "Foo.Bar(int x)"},
		{"c", "foo_m7486FA1E8A228E806BA045D26ABECC87DFD436B4_gp_0", "foo_gp_0"},
		{"c", "foo_m7486FA1E8A228E806BA045D26ABECC87DFD436B4_gp_", "foo_m7486FA1E8A228E806BA045D26ABECC87DFD436B4_gp_"},
		{"c", "foo_m7486FA1E8A228E806BA045D26ABECC87DFD436B4_gp", "foo_m7486FA1E8A228E806BA045D26ABECC87DFD436B4_gp"},
		{"c", "foo_m7486fa1e8a228e806ba045d26abecc87dfd436b4", "foo_m7486fa1e8a228e806ba045d26abecc87dfd436b4"},
		{"c", "foo_m7486FA1E8A228E806BA045D26ABECC87DFD436B4_OpenGenericInterface", "foo_m7486FA1E8A228E806BA045D26ABECC87DFD436B4_OpenGenericInterface"},
		{"c", "foo_m7486FA1E8A228E806BA045D26ABECC87DFD436B4::h0123456789abcdef", "foo_m7486FA1E8A228E806BA045D26ABECC87DFD436B4"},
		{"native", "foo\u2028bar", "bar"},
		{"native", "foo(\u3000anonymous namespace\u3000)::x", "foo(anonymous namespace)::x"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Trim(tc.in, tc.platform), "%s %q", tc.platform, tc.in)
	}
}

// Where Sentry's code raises (IndexError or ValueError in the Swift
// initializer branch, RecursionError for absurd nesting), Trim falls back to
// the name as given, as Sentry does when it finds no function token.
func TestTrimWhereSentryRaises(t *testing.T) {
	deep := strings.Repeat("<", 1000) + "x" + strings.Repeat(">", 1000) + "::f@8"
	tests := []struct{ in, want string }{
		{"variable initialization expression of", "variable initialization expression of"},
		{"variable initialization expression of static", "variable initialization expression of static"},
		{"a [initialization expression of x]", "a [initialization expression of x]"},
		{" initialization expression of::h0123456789abcdef ", " initialization expression of::h0123456789abcdef "},
		{"variable initialization expression of x::h0123456789abcdef", "initializer expression of x"},
		{deep, strings.TrimSuffix(deep, "@8")},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Trim(tc.in, "native"), "input %.80q", tc.in)
	}
	// Nesting that Sentry handles is resolved all the way down.
	nested := strings.Repeat("<", 100) + "A" + strings.Repeat(">", 100) + "::f"
	assert.Equal(t, "A::f", Trim(nested, "native"))
}

func TestTrimPlatforms(t *testing.T) {
	const in = "static int Foo::bar(int) const"
	for _, p := range []string{"objc", "cocoa", "swift", "native", "c"} {
		assert.Equal(t, "Foo::bar", Trim(in, p), p)
	}
	for _, p := range []string{"", "other", "python", "java", "javascript", "Native", "cpp", "rust", "go"} {
		assert.Equal(t, in, Trim(in, p), p)
	}
}

// test_split_func_tokens
func TestSplitTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"namespace::Class::function", []string{"namespace::Class::function"}},
		{"foo bar baz", []string{"foo", "bar", "baz"}},
		{"foo bar (enclosed baz)", []string{"foo", "bar", "(enclosed baz)"}},
		{"foo (enclosed bar) baz", []string{"foo", "(enclosed bar)", "baz"}},
		{"foo(enclosed bar)baz {moar stuff}", []string{"foo(enclosed bar)baz", "{moar stuff}"}},
		{"foo bar [baz (blah)]", []string{"foo", "bar", "[baz (blah)]"}},
		// Not in Sentry's test: the quirks of the same loop.
		{"", nil},
		{"  ", nil},
		{"foo<bar baz", []string{"foo"}},
		{"a(b]c) d", []string{"a(b]c)", "d"}},
		{"a) b", []string{"a)", "b"}},
		{"\u00e9t\u00e9\u3000x\u2029y", []string{"\u00e9t\u00e9", "x", "y"}},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, splitTokens(tc.in, nil), "input %q", tc.in)
	}
}

// test_enclosed_string_simple
func TestReplaceEnclosed(t *testing.T) {
	fixed := func(s string) func(string, int) string { return func(string, int) string { return s } }
	assert.Equal(t, "foo::bar<T>", replaceEnclosed("foo::bar<Blah, Blah<Blah, Blah>>", '<', '>', fixed("<T>")))
	assert.Equal(t, "foo::bar", replaceEnclosed("foo::bar(unsigned int, int)", '(', ')', fixed("")))
	group := func(inner string, start int) string {
		if start == 0 {
			require.Equal(t, "anonymous namespace", inner)
			return "(new value)"
		}
		return "()"
	}
	assert.Equal(t, "(new value)::foo::bar()", replaceEnclosed("(anonymous namespace)::foo::bar(unsigned int, int)", '(', ')', group))
	// Quirks kept from Sentry: no opener leaves the text alone, a stray
	// closer hides text until an opener, an unclosed group eats the rest.
	assert.Equal(t, "a)b", replaceEnclosed("a)b", '(', ')', fixed("X")))
	assert.Equal(t, "ac", replaceEnclosed("a)b(c)d", '(', ')', fixed("X")))
	assert.Equal(t, "aX", replaceEnclosed("a(b)(c", '(', ')', fixed("X")))
}

func TestTrimNeverPanicsOnBrokenUTF8(t *testing.T) {
	for _, in := range []string{"\xff", "foo\xff(bar)", "\xe2\x9f", "a<\xff>::b", "\xff const", "$_\xff", "{lambda(\xff)#1}"} {
		for _, p := range []string{"native", "cocoa", "csharp"} {
			assert.NotPanics(t, func() { Trim(in, p) })
		}
	}
}

// FuzzTrim checks that Trim never panics, keeps valid UTF-8 valid, and is
// idempotent where Sentry's function is. Sentry's trimming is not idempotent
// in general: "thunk for closure" trims to "closure", "a::h<16 hex>" stacked
// twice loses one hash per call, and placeholder characters in the input turn
// into brackets. It is idempotent for C# and for outputs that are plain
// "a::b::c" paths carrying no decoration a second pass would cut.
func FuzzTrim(f *testing.F) {
	for _, tc := range sentryNativeCases {
		f.Add(tc.in, uint8(0))
	}
	f.Add("thunk for @escaping @callee_guaranteed () -> ()", uint8(1))
	f.Add("closure #1 (T1) in foo(bar: T2)", uint8(2))
	f.Add("UnityEngine.Events.InvokableCall.Invoke ()", uint8(3))
	f.Add("<<A as B<C>> as D>::f\n", uint8(0))
	platforms := []string{"native", "cocoa", "swift", "csharp", "objc", "python"}
	// The function names of Sentry's grouping inputs, under every platform,
	// when the shared corpus is beside the checkout (best effort).
	inputs, _ := filepath.Glob("../../../../shared/corpus/*/inputs/*.json")
	function := regexp.MustCompile(`"(?:raw_)?function":\s*("(?:[^"\\]|\\.)*")`)
	seen := map[string]bool{}
	for _, name := range inputs {
		data, _ := os.ReadFile(name)
		for _, m := range function.FindAllSubmatch(data, -1) {
			var fn string
			if json.Unmarshal(m[1], &fn) != nil || seen[fn] {
				continue
			}
			seen[fn] = true
			for p := range platforms {
				f.Add(fn, uint8(p))
			}
		}
	}
	f.Fuzz(func(t *testing.T, in string, p uint8) {
		plat := platforms[int(p)%len(platforms)]
		out := Trim(in, plat)
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("Trim(%q, %q) = %q: invalid UTF-8", in, plat, out)
		}
		if plat == "csharp" || plat == "python" || isPlainPath(out) {
			if again := Trim(out, plat); again != out {
				t.Fatalf("Trim(%q, %q) = %q, but Trim of that = %q", in, plat, out, again)
			}
		}
	})
}

// isPlainPath reports whether s is "ident(::ident)*" in ASCII with no
// trailing decoration that a second trim would remove (a "const" segment, a
// Rust hash, an MSVC lambda name or an IL2CPP hash).
func isPlainPath(s string) bool {
	if s == "" {
		return false
	}
	for _, seg := range strings.Split(s, "::") {
		if seg == "" || ('0' <= seg[0] && seg[0] <= '9') {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
				return false
			}
		}
	}
	return !strings.HasSuffix(s, "const") &&
		cutRustHash(s) == s && cutIL2CPPHash(s) == s && replaceLambdas(s) == s
}

var benchNames = []struct{ platform, name string }{
	{"native", "main"},
	{"native", "std::rt::lang_start_internal"},
	{"native", "static unsigned int Scaleform::GFx::AS3::IMEManager::DispatchEvent(char const *,char const *,char const *) const"},
	{"native", "std::basic_ostream<char, std::char_traits<char> >& std::operator<< <std::char_traits<char> >(std::basic_ostream<char, std::char_traits<char> >&, char)"},
	{"native", "std::__1::__function::__func<main::$_0, std::__1::allocator<main::$_0>, void ()>::operator()()"},
	{"native", "<lambda_7156c3ceaa11256748687ab67e3ef4cd>::operator()"},
	{"native", "`anonymous namespace'::crash(int, int)"},
	{"native", "<actix::contextimpl::ContextFut<A, C> as futures::future::Future>::poll::h9de5fbebc1652d47"},
	{"native", "<core::iter::adapters::map::Map<I,F> as core::iter::traits::iterator::Iterator>::fold::h0b7a7b7ac46d4ef8"},
	{"native", "tokio::runtime::Runtime::block_on::{{closure}}"},
	{"native", "pthread_cond_timedwait@@GLIBC_2.3.2"},
	{"native", "List_1_CopyTo_m5180D7A430072A21034A0692CDD1D565ADEE2ABB_gshared(RuntimeArray*, int32_t)"},
	{"objc", "-[UIApplication _run]"},
	{"cocoa", "__CFRUNLOOP_IS_CALLING_OUT_TO_A_SOURCE0_PERFORM_FUNCTION__"},
	{"cocoa", "closure #1 () -> () in Bar.PostTask(() -> ()) -> ()"},
	{"swift", "partial apply for thunk for @escaping @callee_guaranteed (@guaranteed SomeType) -> ()"},
	{"swift", "@objc ViewController.causeCrash(Any) -> ()"},
	{"csharp", "UnityEngine.Events.InvokableCall.Invoke ()"},
}

// BenchmarkTrim reports the cost per name over a mix of C++, Rust,
// Objective-C, Swift and C# names as symbolication emits them.
func BenchmarkTrim(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range benchNames {
			Trim(n.name, n.platform)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchNames)), "ns/name")
}
