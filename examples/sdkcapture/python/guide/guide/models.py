"""The guide's models: just enough schema to fail the way real apps fail."""

from django.db import models


class Order(models.Model):
    # unique=True is what turns a second insert of the same number into an
    # IntegrityError from the database, not from Django's validation.
    number = models.IntegerField(unique=True)


class AuditEntry(models.Model):
    # Saving one fires post_save, whose receiver (signals.py) fails.
    action = models.CharField(max_length=50)
