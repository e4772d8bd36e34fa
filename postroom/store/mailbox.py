"""Tortoise models for received and saved mail: mailboxes and the messages in them."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from postroom.store.account import Account
from postroom.store.blob import MessageBlob
from postroom.store.timestamps import utc_now


class Mailbox(Model):
    """A named folder of an account (Inbox, Sent, …)."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="mailboxes", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=500)
    special_use = fields.CharField(max_length=20, default="")
    """RFC 6154 role without the backslash: `sent`, `trash`, `junk`, … (Inbox is by name)."""
    created = fields.DatetimeField(default=utc_now)

    class Meta:
        table = "mailbox"
        unique_together = (("account", "name"),)


class StoredMessage(Model):
    """A message in a mailbox, with its delivery envelope."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="stored_messages", on_delete=fields.CASCADE
    )
    mailbox: fields.ForeignKeyRelation[Mailbox] = fields.ForeignKeyField(
        "postroom.Mailbox", related_name="messages", on_delete=fields.CASCADE
    )
    blob: fields.ForeignKeyRelation[MessageBlob] = fields.ForeignKeyField(
        "postroom.MessageBlob", related_name="stored_messages", on_delete=fields.RESTRICT
    )
    prefix = fields.BinaryField()
    """Header lines added on storing (Received, Bcc for Sent copies), written before the blob."""
    size = fields.BigIntField()
    received = fields.DatetimeField()
    flags = fields.JSONField[list[str]](default=list)
    """Lower-case system flags and keywords."""
    mail_from = fields.CharField(max_length=512, default="")
    rcpt_to = fields.CharField(max_length=512, default="")
    remote_ip = fields.CharField(max_length=64, default="")
    message_id = fields.CharField(max_length=1000, default="")
    subject = fields.TextField(default="")
    dsn = fields.BooleanField(default=False)
    expunged = fields.BooleanField(default=False, db_default=False)
    """Removed by MessageDelete: the row stays (so a second delete can say so), but no
    method shows or changes it again."""

    class Meta:
        table = "stored_message"
        indexes = (Index(fields=("mailbox_id", "received"), name="stored_message_mailbox"),)
