"""The message-bytes table, shared by queue rows and stored messages."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from postroom.store.timestamps import utc_now


class MessageBlob(Model):
    """The bytes of a composed message, shared by all rows of one submission."""

    id = fields.BigIntField(primary_key=True)
    data = fields.BinaryField()
    size = fields.BigIntField()
    created = fields.DatetimeField(default=utc_now)

    class Meta:
        table = "message_blob"
