"""The failures the guide promises to catch, one view each."""

import sentry_sdk
from django.http import HttpResponse
from django.shortcuts import render

from .models import AuditEntry, Order


def ok(request):
    # The test polls this view until runserver answers.
    return HttpResponse("ok")


def zero(request):
    return HttpResponse(str(1 / 0))


def missing_template(request):
    return render(request, "orders/detail.html", {"order": 7})


def _scope():
    # sentry-sdk 2.x deprecates push_scope for new_scope; 1.9 only has
    # push_scope. Both fork the request's scope, so the event keeps the
    # request data while the tags stay local to this capture.
    return getattr(sentry_sdk, "new_scope", None) or sentry_sdk.push_scope


def handled(request):
    try:
        int(request.GET.get("qty", "many"))
    except ValueError as err:
        with _scope()() as scope:
            scope.set_tag("guide", "handled")
            scope.set_tag("order", "7")
            sentry_sdk.capture_exception(err)
    return HttpResponse("handled")


def message(request):
    sentry_sdk.capture_message("order 7 is taking long", level="warning")
    return HttpResponse("noted")


def integrity(request):
    # The first request creates order 7; every request then inserts it
    # again, so each one fails on the same line, as a double-submitted
    # form does.
    Order.objects.get_or_create(number=7)
    Order.objects.create(number=7)
    return HttpResponse("created")


def signal(request):
    # The post_save receiver in signals.py raises inside this save().
    AuditEntry.objects.create(action="signal")
    return HttpResponse("saved")
