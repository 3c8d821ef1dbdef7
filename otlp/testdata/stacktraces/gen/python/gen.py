# Records exceptions the way OpenTelemetry Python's Span.record_exception
# does (opentelemetry-sdk 1.2x): type is module.qualname unless builtins,
# stacktrace is "".join(traceback.format_exception(...)), escaped is str().
import json
import sys
import traceback

from shop import orders


def record(exc, escaped=False):
    t = type(exc)
    name = t.__qualname__ if t.__module__ in (None, "builtins") else f"{t.__module__}.{t.__qualname__}"
    return {
        "exception.type": name,
        "exception.message": str(exc),
        "exception.stacktrace": "".join(traceback.format_exception(t, value=exc, tb=exc.__traceback__)),
        "exception.escaped": str(escaped),
    }


out = {}
for name, fn in [
    ("json", lambda: orders.checkout('{"id": 7, "items": [')),
    ("cause", lambda: orders.checkout('{"id": 7, "items": [{"price": 60, "qty": 2}]}')),
    ("context", lambda: orders.lookup({}, "a1")),
    ("typeerror", lambda: orders.total({"items": [{"price": "3", "qty": None}]})),
    ("group", lambda: orders.validate({"a": 1, "b": 2})),
    ("recursion", lambda: (lambda f: f(f, 0))(lambda f, n: f(f, n + 1))),
]:
    try:
        fn()
    except BaseException as exc:
        out[name] = record(exc, escaped=name == "cause")
json.dump(out, sys.stdout, indent=2)
