"""A Celery app whose worker initialises sentry_sdk from a worker signal.

SDKCAPTURE_SENTRY_SIGNAL picks the signal. worker_process_init is what the
Django guide shows: it runs in each prefork child, after the child has
built its task tracers, too late for CeleryIntegration to wrap them, so
task failures are never reported (getsentry/sentry-python#1512). worker_init
is Sentry's documented fix: it runs in the main process before the pool
forks, and the SDK restarts its sending thread in each child.
"""

import os

import sentry_sdk
from celery import Celery
from celery import signals
from sentry_sdk.integrations.celery import CeleryIntegration

app = Celery("celeryapp", broker=os.environ["CELERY_BROKER_URL"])
app.conf.update(
    # The test owns the broker and reads failures from Sentry events, so
    # no result backend and no retrying of a broker that is not up yet.
    task_ignore_result=True,
    broker_connection_retry_on_startup=False,
    worker_hijack_root_logger=False,
)


def init_sentry(**kwargs):
    sentry_sdk.init(
        dsn=os.environ.get("SENTRY_DSN"),
        integrations=[CeleryIntegration()],
    )


getattr(signals, os.environ.get("SDKCAPTURE_SENTRY_SIGNAL", "worker_init")).connect(
    init_sentry, weak=False
)


@app.task
def settle_order(order_id):
    # Fails the same way on every run: each run is a new event of one issue.
    return order_id / 0


class GatewayDown(Exception):
    pass


@app.task(bind=True, max_retries=2, default_retry_delay=0)
def charge_card(self, order_id):
    try:
        raise GatewayDown("payment gateway refused order %d" % order_id)
    except GatewayDown as exc:
        # Retry is control flow, not an error: the SDK reports nothing
        # until the retries run out and Celery raises exc itself.
        raise self.retry(exc=exc, countdown=0)
