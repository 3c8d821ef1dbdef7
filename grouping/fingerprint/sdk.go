package fingerprint

import (
	"strings"
	"unicode/utf8"

	"github.com/sentrywire/sentrywire/grouping/internal/pystr"
)

// Sentry's sdk: matcher compares a normalized SDK name rather than
// sdk.name itself, so that "sentry.python.django" is "sentry.python" and
// an SDK Sentry does not know is "other". The tables are Sentry's
// (src/sentry/utils/tag_normalization.py); Sentry extends them now and
// then, and a name missing here normalizes to "other".

var knownSDKTags = map[string]bool{
	"sentry.cocoa": true, "sentry.dart": true, "sentry.dotnet": true, "sentry.elixir": true,
	"sentry.go": true, "sentry.java": true,
	"sentry.javascript.angular": true, "sentry.javascript.browser": true,
	"sentry.javascript.capacitor": true, "sentry.javascript.cordova": true,
	"sentry.javascript.deno": true, "sentry.javascript.electron": true,
	"sentry.javascript.ember": true, "sentry.javascript.gatsby": true,
	"sentry.javascript.miniapp": true, "sentry.javascript.nextjs": true,
	"sentry.javascript.node": true, "sentry.javascript.node.experimental": true,
	"sentry.javascript.node.hapi": true, "sentry.javascript.raycast": true,
	"sentry.javascript.react": true, "sentry.javascript.react.native": true,
	"sentry.javascript.remix": true, "sentry.javascript.serverless": true,
	"sentry.javascript.sfcc": true, "sentry.javascript.svelte": true,
	"sentry.javascript.sveltekit": true, "sentry.javascript.vue": true,
	"sentry.kubernetes": true, "sentry.lua": true,
	"sentry.native.android": true, "sentry.native.dotnet": true,
	"sentry.native.unity": true, "sentry.native.unreal": true,
	"sentry.objc": true, "sentry.perl": true, "sentry.php": true, "sentry.python": true,
	"sentry.ruby": true, "sentry.rust": true, "sentry.swift": true,
}

var synonymousSDKTags = map[string]string{
	"sentry.android":                      "sentry.native.android",
	"sentry.cordova":                      "sentery.javascript.cordova", // sic, as in Sentry: ends as "other"
	"sentry.electron":                     "sentry.javascript.electron",
	"sentry.javascript.angular.ivy":       "sentry.javascript.angular",
	"sentry.javascript.react.expo":        "sentry.javascript.react",
	"sentry.javascript.react.native.expo": "sentry.javascript.react.native",
	"sentry.laravel":                      "sentry.php.laravel",
	"sentry.react":                        "sentry.javascript.react",
	"sentry.symfony":                      "sentry.php.symfony",
	"sentry.unity":                        "sentry.native.unity",
	"sentrydotnet":                        "sentry.dotnet",
}

// normalizeSDKTag is Sentry's normalize_sdk_tag.
func normalizeSDKTag(tag string) string {
	if !strings.HasPrefix(tag, "sentry") {
		return "other"
	}
	tag = dotNonWords(tag)
	if s, ok := synonymousSDKTags[tag]; ok {
		tag = s
	}
	if !strings.HasPrefix(tag, "sentry.") {
		return "other"
	}
	parts := strings.Split(tag, ".")
	switch parts[1] {
	case "javascript":
	case "native":
		tag = strings.Join(parts[:min(3, len(parts))], ".")
	default:
		tag = strings.Join(parts[:2], ".")
	}
	if !knownSDKTags[tag] {
		return "other"
	}
	return tag
}

// dotNonWords is re.sub(r"[\W_]+", ".", s): every run of characters that
// are neither letters nor numbers becomes one dot.
func dotNonWords(s string) string {
	var b strings.Builder
	inRun := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == '_' || !pystr.IsWord(r) {
			if !inRun {
				b.WriteByte('.')
			}
			inRun = true
		} else {
			b.WriteString(s[i : i+n])
			inRun = false
		}
		i += n
	}
	return b.String()
}
