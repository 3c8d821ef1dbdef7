"""Drive Debian's python3-sentry-sdk against the Go capture server.

    SENTRY_DSN=http://<key>@127.0.0.1:<port>/42 /usr/bin/python3 capture.py <scenario>

Run it with Debian's /usr/bin/python3: that is the interpreter apt installs
python3-sentry-sdk and python3-django into. Each scenario sends one kind of
traffic and then closes the client, which flushes the transport queue, so the
Go side can attribute every request to the scenario that caused it.
"""

import os
import sys

import sentry_sdk


def init(**extra):
    options = dict(
        dsn=os.environ["SENTRY_DSN"],
        release="sdkcapture@1.0.0",
        environment="capture",
        server_name="sdkcapture-host",
    )
    options.update(extra)
    sentry_sdk.init(**options)


def connect():
    raise ConnectionRefusedError("connection refused: 127.0.0.1:5432")


def load_user():
    try:
        connect()
    except ConnectionRefusedError as err:
        # "raise ... from" gives the SDK a __cause__ chain to report as
        # linked exceptions.
        raise LookupError("load user 7") from err


def scenario_error():
    """An exception chain, sent by sentry-sdk 1.9 to the store endpoint."""
    init()
    try:
        load_user()
    except LookupError:
        sentry_sdk.capture_exception()


def scenario_message():
    init()
    sentry_sdk.capture_message("cache warmed in 42ms", level="info")


def setup_django():
    """Configure a one-file Django app with DjangoIntegration and tracing."""
    import django
    from django.conf import settings
    from django.http import JsonResponse
    from django.urls import path

    from sentry_sdk.integrations.django import DjangoIntegration

    def ok(request):
        return JsonResponse({"orders": [1, 2, 3]})

    def boom(request):
        raise ZeroDivisionError("division by zero in /boom")

    settings.configure(
        DEBUG=False,
        SECRET_KEY="sdkcapture-not-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
        INSTALLED_APPS=[],
    )
    # Django resolves ROOT_URLCONF by importing it; this module runs as
    # __main__, so hand the patterns over through the module object.
    sys.modules[__name__].urlpatterns = [path("ok", ok), path("boom", boom)]
    django.setup()

    init(integrations=[DjangoIntegration()], traces_sample_rate=1.0)


def scenario_django():
    """Two requests (/ok, /boom) through Django's WSGI application.

    This is the handler a real server calls. sentry-sdk 1.9 starts its
    transactions by patching WSGIHandler.__call__, so only this path yields
    transactions (and request-mode session aggregates).
    """
    import io
    import wsgiref.util

    setup_django()

    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    for route in ("/ok", "/boom"):
        environ = {
            "PATH_INFO": route,
            "REQUEST_METHOD": "GET",
            "QUERY_STRING": "page=2",
            "HTTP_USER_AGENT": "sdkcapture-client/1.0",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": io.StringIO(),
        }
        wsgiref.util.setup_testing_defaults(environ)
        status = []
        b"".join(app(environ, lambda s, h, exc=None: status.append(s)))
        print(route, status[0], file=sys.stderr)


def scenario_django_testclient():
    """The same failing view, called through django.test.Client.

    The test client bypasses WSGIHandler, so sentry-sdk 1.9 reports the error
    (through the got_request_exception signal) but starts no transaction.
    The capture documents that difference.
    """
    setup_django()

    from django.test import Client

    response = Client(raise_request_exception=False).get("/boom", {"page": "2"})
    print("/boom", response.status_code, file=sys.stderr)


SCENARIOS = {
    "error": scenario_error,
    "message": scenario_message,
    "django": scenario_django,
    "django-testclient": scenario_django_testclient,
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS or "SENTRY_DSN" not in os.environ:
        print("usage: SENTRY_DSN=... capture.py {%s}" % "|".join(SCENARIOS), file=sys.stderr)
        sys.exit(2)
    SCENARIOS[sys.argv[1]]()
    # close() flushes the background worker and, for release health, the
    # session flusher; without it the process could exit with data queued.
    sentry_sdk.Hub.current.client.close(timeout=5)


if __name__ == "__main__":
    main()
