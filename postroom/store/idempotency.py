"""Tortoise model for Send idempotency: the first response to each (account, key)."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from postroom.store.account import Account


class IdempotencyRecord(Model):
    """The response to the first Send with an `Idempotency-Key`, replayed for 24 hours."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="idempotency_records", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=255)
    request_hash = fields.CharField(max_length=64)
    """SHA-256 (hex) of the request body, to refuse the same key with a different request."""
    response = fields.TextField()
    """The JSON body that was sent for the first request."""
    created = fields.DatetimeField()

    class Meta:
        table = "idempotency_record"
        unique_together = (("account", "key"),)
        indexes = (Index(fields=("created",), name="idempotency_created"),)
