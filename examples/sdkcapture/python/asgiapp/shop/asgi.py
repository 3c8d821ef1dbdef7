"""The ASGI entry point, wrapped in SentryAsgiMiddleware.

DjangoIntegration already reports a view's exception when Django turns it
into a 500; the middleware adds the ASGI request and catches whatever
escapes Django itself. The SDK's dedupe keeps one event per exception.
"""

import os

from django.core.asgi import get_asgi_application
from sentry_sdk.integrations.asgi import SentryAsgiMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

application = SentryAsgiMiddleware(get_asgi_application())
