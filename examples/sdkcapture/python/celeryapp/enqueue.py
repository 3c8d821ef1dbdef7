"""Enqueues the test's tasks, as a web process would."""

from tasks import charge_card, settle_order

settle_order.delay(7)
settle_order.delay(7)
charge_card.delay(8)
