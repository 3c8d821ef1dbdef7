"""Async views: they run on the ASGI server's event loop, not in a thread."""

import asyncio

from django.http import HttpResponse


class OrderNotFound(Exception):
    pass


async def ok(request):
    # The test polls this view until the server answers.
    return HttpResponse("ok")


async def order(request, order_id):
    # Awaiting first makes the failure happen in a resumed coroutine, as a
    # real lookup would.
    await asyncio.sleep(0)
    raise OrderNotFound("order %d not found" % order_id)
