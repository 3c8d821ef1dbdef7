#!/usr/bin/env python3
"""The guide's Django project, driven by TestDjangoGuide (python2_test.go).

    export SENTRY_DSN=http://<key>@127.0.0.1:<port>/42 GUIDE_DB=/tmp/guide.sqlite3
    /usr/bin/python3 manage.py migrate
    /usr/bin/python3 manage.py runserver 127.0.0.1:<port> --noreload

It is a stock manage.py: everything the test checks about Sentry comes from
settings.py, as it does in the guide. PYTHONPATH picks the SDK (unset:
Debian's sentry-sdk 1.9; the sentry-python 2.x source tree otherwise).
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guide.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
