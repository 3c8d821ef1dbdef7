"""Settings of a Django project served over ASGI, set up as the guide says.

sentry_sdk.init runs first, before Django loads anything, with the DSN from
the environment; asgi.py then wraps the application in SentryAsgiMiddleware.
"""

import os

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

sentry_sdk.init(
    dsn=os.environ.get("SENTRY_DSN"),
    integrations=[DjangoIntegration(transaction_style="url")],
)

# Production settings: a 500 page, and the exception reported instead.
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECRET_KEY = "sdkcapture-asgi-not-secret"

ROOT_URLCONF = "shop.urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
