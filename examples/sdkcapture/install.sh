#!/usr/bin/env bash
# Installs what the SDK capture tests drive, on a fresh Debian 12 machine:
#   - python3-sentry-sdk and python3-django from Debian (for /usr/bin/python3),
#     and python3-urllib3 and python3-certifi, which the sentry-python 2.x
#     source tree in ../../../shared/sdks/ needs when run with PYTHONPATH,
#   - python3-celery, python3-redis and redis-server (the Celery test starts
#     its own broker on a free port) and python3-uvicorn (the ASGI test),
#   - @sentry/node and the OpenTelemetry JS SDK and OTLP/HTTP exporters at the
#     versions pinned in node/package-lock.json.
# sentry-go and OpenTelemetry Go need nothing here: they are Go module
# dependencies of this module.
# Safe to run repeatedly.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# sudo only when not already root (CI containers usually are).
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi

# apt-get is quick when the packages are already there, but update is not;
# skip both when Debian's python can already import the modules and
# redis-server is there.
if ! /usr/bin/python3 -c 'import sentry_sdk, django, urllib3, certifi, celery, redis, uvicorn' 2>/dev/null ||
	! command -v redis-server >/dev/null; then
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends \
		python3-sentry-sdk python3-django python3-urllib3 python3-certifi \
		python3-celery python3-redis redis-server python3-uvicorn
fi

command -v node >/dev/null || { echo "install.sh: node (>= 20.19) is required" >&2; exit 1; }
# npm ci installs exactly the lock file and replaces node_modules, so a
# stale or hand-modified tree cannot leak into the captures.
(cd "$here/node" && npm ci --no-audit --no-fund)

echo "sdkcapture: installed python3-sentry-sdk $(/usr/bin/python3 -c 'import sentry_sdk; print(sentry_sdk.VERSION)'), django $(/usr/bin/python3 -c 'import django; print(django.get_version())'), celery $(/usr/bin/python3 -c 'import celery; print(celery.__version__)'), uvicorn $(/usr/bin/python3 -c 'import uvicorn; print(uvicorn.__version__)'), @sentry/node $(node -p "require('$here/node/node_modules/@sentry/node/package.json').version"), @opentelemetry/exporter-trace-otlp-http $(node -p "require('$here/node/node_modules/@opentelemetry/exporter-trace-otlp-http/package.json').version")"
