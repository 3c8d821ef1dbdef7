import json

import payments


class OrderError(Exception):
    pass


def parse_order(raw):
    return json.loads(raw)


def total(order):
    return sum(item["price"] * item["qty"] for item in order["items"])


def checkout(raw):
    order = parse_order(raw)
    try:
        return payments.charge(total(order))
    except payments.client.PaymentDeclined as exc:
        raise OrderError(f"order {order['id']} could not be paid") from exc


def lookup(orders, key):
    try:
        return orders[key]
    except KeyError:
        return {}["fallback-" + key]


def validate(orders):
    errors = [ValueError(f"bad quantity for {k}") for k in orders]
    raise ExceptionGroup("order validation failed", errors)
