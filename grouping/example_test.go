package grouping_test

import (
	"fmt"
	"log"
	"os"

	"github.com/sentrywire/sentrywire/envelope/protocol"
	"github.com/sentrywire/sentrywire/grouping"
	"github.com/sentrywire/sentrywire/grouping/enhancement"
	"github.com/sentrywire/sentrywire/grouping/fingerprint"
)

// A Django view raised; the SDK marked the view's frame in-app and
// Django's own frames not.
const djangoError = `{
  "platform": "python",
  "exception": {"values": [{
    "type": "ZeroDivisionError",
    "value": "division by zero",
    "stacktrace": {"frames": [
      {"module": "django.core.handlers.base", "function": "_get_response",
       "filename": "django/core/handlers/base.py", "abs_path": "/usr/lib/python3/dist-packages/django/core/handlers/base.py",
       "context_line": "response = wrapped_callback(request, *callback_args, **callback_kwargs)", "in_app": false},
      {"module": "shop.views", "function": "checkout", "filename": "shop/views.py",
       "context_line": "    total = amount / count", "in_app": true}
    ]}
  }]}
}`

func Example() {
	cfg, err := grouping.NewConfig(grouping.DefaultConfig)
	if err != nil {
		log.Fatal(err)
	}
	ev, err := protocol.DecodeEvent([]byte(djangoError))
	if err != nil {
		log.Fatal(err)
	}
	res := cfg.Group(ev)
	fmt.Println(res.Config)
	fmt.Println(res.Hashes)
	fmt.Println(res.Winner().Name, res.Winner().ContributingComponent)
	// Output:
	// newstyle:2026-01-20
	// [93fe6700bfb063e60420c7fb455638fe 5960ff0a127fbcd7385f4a90196a09e2]
	// app exception
}

// A message groups by its text, with what changes between events
// replaced.
func ExampleConfig_Group_message() {
	cfg, err := grouping.NewConfig(grouping.Newstyle2026)
	if err != nil {
		log.Fatal(err)
	}
	for _, msg := range []string{
		`{"message": "payment 4711 failed after 1.5s for alice@example.com"}`,
		`{"message": "payment 815 failed after 0.2s for bob@example.org"}`,
	} {
		ev, _ := protocol.DecodeEvent([]byte(msg))
		res := cfg.Group(ev)
		fmt.Println(res.Hashes[0], res.Variant("default").Component.Values())
	}
	// Output:
	// e8452993d4871e9663a35214987a3f98 [payment <int> failed after <duration> for <email>]
	// e8452993d4871e9663a35214987a3f98 [payment <int> failed after <duration> for <email>]
}

// A host migrating a project from the 2023 config to the 2026 one
// computes both hashes of each event in one call.
func ExampleGroupAll() {
	old, _ := grouping.NewConfig(grouping.Newstyle2023)
	current, _ := grouping.NewConfig(grouping.Newstyle2026)
	ev, _ := protocol.DecodeEvent([]byte(djangoError))
	for _, res := range grouping.GroupAll(ev, current, old) {
		fmt.Println(res.Config, res.Hashes)
	}
	// Output:
	// newstyle:2026-01-20 [93fe6700bfb063e60420c7fb455638fe 5960ff0a127fbcd7385f4a90196a09e2]
	// newstyle:2023-01-11 [05749fab67cd1d906efdeb829c0027b1 3981df2a00749e71ee9163447c2a4360]
}

// Project rules: a stack trace rule marks the shop's helpers out of the
// app, and a fingerprinting rule groups every database outage together.
func ExampleWithFingerprinting() {
	stackRules, err := enhancement.Parse("module:shop.util.* -app")
	if err != nil {
		log.Fatal(err)
	}
	fpRules, err := fingerprint.Parse(`type:"OperationalError" -> database-unavailable`)
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := grouping.NewConfig(grouping.DefaultConfig,
		grouping.WithEnhancements(stackRules), grouping.WithFingerprinting(fpRules))
	if err != nil {
		log.Fatal(err)
	}
	ev, _ := protocol.DecodeEvent([]byte(`{"platform": "python", "exception": {"values": [
		{"type": "OperationalError", "value": "could not connect to server"}]}}`))
	res := cfg.Group(ev)
	w := res.Winner()
	fmt.Println(w.Name, w.Values, res.Hashes)
	// Output:
	// custom_server_fingerprint [database-unavailable] [3872d078d8f73903d944f07c83cca6c4]
}

// Explain prints why an event groups as it does, in the form of Sentry's
// grouping snapshots.
func ExampleResult_WriteExplain() {
	cfg, _ := grouping.NewConfig(grouping.DefaultConfig)
	ev, _ := protocol.DecodeEvent([]byte(`{"platform": "javascript", "exception": {"values": [
		{"type": "TypeError", "value": "x is undefined", "stacktrace": {"frames": [
			{"function": "Object.render", "abs_path": "https://shop.example/static/app.js", "lineno": 1, "colno": 77, "in_app": true}]}}]}}`))
	cfg.Group(ev).WriteExplain(os.Stdout)
	// Output:
	// app:
	//   hash: "a66ba131b69704fcf2fe374a9c47c4e4"
	//   contributing component: exception
	//   hint: None
	//   root_component:
	//     app*
	//       exception*
	//         type*
	//           "TypeError"
	//         value (ignored because stacktrace takes precedence)
	//           "x is undefined"
	//         stacktrace*
	//           frame* (marked in-app by the client)
	//             filename (ignored because frame points to a URL)
	//               "app.js"
	//             function* (trimmed javascript function)
	//               "render"
	// --------------------------------------------------------------------------
	// system:
	//   hash: null
	//   contributing component: null
	//   hint: ignored because app exception takes precedence
	//   root_component:
	//     system (ignored because app exception takes precedence)
	//       exception (ignored because hash matches app variant)
	//         type*
	//           "TypeError"
	//         value (ignored because stacktrace takes precedence)
	//           "x is undefined"
	//         stacktrace*
	//           frame*
	//             filename (ignored because frame points to a URL)
	//               "app.js"
	//             function* (trimmed javascript function)
	//               "render"
}
