"""A signal receiver that fails.

Receivers run inside whatever sent the signal, here a view's save(), so
their exceptions surface as the view's: the test checks that the event
still names the request and the receiver's exception.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import AuditEntry


class SignalError(RuntimeError):
    pass


@receiver(post_save, sender=AuditEntry)
def audit_saved(sender, instance, created, **kwargs):
    raise SignalError("audit receiver failed for " + instance.action)
