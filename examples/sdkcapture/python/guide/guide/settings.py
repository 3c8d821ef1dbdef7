"""Settings of the guide's project, written as the Django guide tells users.

sentry_sdk.init runs first, before Django loads apps, middleware or URLconfs,
so the integration is in place for everything that follows. The DSN comes
from the environment: "only the DSN changes" between Sentry and a
Sentry-compatible host such as sentrywire's ingest.
"""

import os

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

sentry_sdk.init(
    dsn=os.environ.get("SENTRY_DSN"),
    # "url" names transactions (and so issue culprits) after the URL
    # pattern, /zero/, rather than the view function's dotted path.
    integrations=[DjangoIntegration(transaction_style="url")],
)

# DEBUG=False is what production runs, and what makes Django answer 500
# and report the exception through got_request_exception instead of
# rendering its debug page.
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECRET_KEY = "sdkcapture-guide-not-secret"

ROOT_URLCONF = "guide.urls"
WSGI_APPLICATION = "guide.wsgi.application"
INSTALLED_APPS = ["guide.apps.GuideConfig"]
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "guide.middleware.FailingMiddleware",
]
# A template engine with nowhere to look: the missing-template view fails
# with TemplateDoesNotExist, as a typo in a template name does.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": False,
    }
]
# A sqlite file whose path the test passes in GUIDE_DB, so each run (and
# each SDK run in parallel) has a database of its own; the test runs
# `manage.py migrate` before runserver, as a deployment would.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["GUIDE_DB"],
    }
}
USE_TZ = True
