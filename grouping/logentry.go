package grouping

import (
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sentrywire/sentrywire/envelope/protocol"
)

// normalizeLogEntry returns the log entry's message and formatted text as
// Relay leaves them: formatted is filled from the template and its
// parameters when the SDK did not send it, and the template is moved into
// formatted when the two are equal or when there is nothing else, so a
// message survives only when it differs from the formatted text.
func normalizeLogEntry(l *protocol.LogEntry) (message, formatted string) {
	message, formatted = l.Message, l.Formatted
	if formatted == "" && message != "" && len(l.Params) > 0 {
		formatted = formatLogMessage(message, jsontext.Value(l.Params))
	}
	if formatted == "" || message == formatted {
		formatted, message = message, ""
	}
	return relayTrim(message, 8192, 200), relayTrim(formatted, 8192, 200)
}

// formatLogMessage fills a template's parameters the way Relay does:
// printf style when the template has a %, otherwise {} style. A template
// that cannot be filled gives "", and the template then stands for the
// formatted text.
func formatLogMessage(tmpl string, params jsontext.Value) string {
	var list []jsontext.Value
	var named map[string]jsontext.Value
	switch params.Kind() {
	case '[':
		if json.Unmarshal(params, &list) != nil {
			return ""
		}
	case '{':
		if json.Unmarshal(params, &named) != nil {
			return ""
		}
	default:
		return ""
	}
	str := func(v jsontext.Value) string {
		var s string
		if v.Kind() == '"' && json.Unmarshal(v, &s) == nil {
			return s
		}
		return string(v)
	}
	var b strings.Builder
	next := 0
	if strings.Contains(tmpl, "%") {
		for i := 0; i < len(tmpl); i++ {
			c := tmpl[i]
			if c != '%' || i+1 >= len(tmpl) {
				b.WriteByte(c)
				continue
			}
			j := i + 1
			if tmpl[j] == '%' {
				b.WriteByte('%')
				i = j
				continue
			}
			var arg jsontext.Value
			if tmpl[j] == '(' {
				end := strings.IndexByte(tmpl[j:], ')')
				if end < 0 || named == nil {
					return ""
				}
				arg = named[tmpl[j+1:j+end]]
				j += end + 1
			} else {
				if next >= len(list) {
					return ""
				}
				arg = list[next]
				next++
			}
			for j < len(tmpl) && strings.IndexByte("#0- +123456789.", tmpl[j]) >= 0 {
				j++
			}
			if j >= len(tmpl) || arg == nil {
				return ""
			}
			b.WriteString(str(arg))
			i = j
		}
		return b.String()
	}
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(tmpl[i:], '}')
		if end < 0 {
			b.WriteString(tmpl[i:])
			break
		}
		key := tmpl[i+1 : i+end]
		var arg jsontext.Value
		switch n, err := strconv.Atoi(key); {
		case key == "":
			if next < len(list) {
				arg = list[next]
				next++
			}
		case err == nil:
			if n >= 0 && n < len(list) {
				arg = list[n]
			}
		case named != nil:
			arg = named[key]
		}
		if arg == nil {
			return ""
		}
		b.WriteString(str(arg))
		i += end
	}
	return b.String()
}
