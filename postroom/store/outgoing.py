"""Tortoise models for outgoing mail: queue rows, retired rows, hold rules,
suppressions and the delivery-event outbox.

One queue row per recipient; the rows of one submission share a blob and a BaseID.
Queue rows and retired rows share one ID space (a retired row keeps its queue ID),
so the queue table's auto-increment is the only ID source.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from postroom.store.account import Account
from postroom.store.blob import MessageBlob
from postroom.store.timestamps import utc_now


class QueueMessage(Model):
    """One recipient of one submission, waiting for (another) delivery attempt."""

    id = fields.BigIntField(primary_key=True)
    base_id = fields.BigIntField(default=0)
    """ID of the first row of a submission whose rows can share one SMTP transaction, else 0."""
    queued = fields.DatetimeField()
    hold = fields.BooleanField(default=False)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="queue_messages", on_delete=fields.RESTRICT
    )
    sender_localpart = fields.CharField(max_length=255)
    sender_domain = fields.CharField(max_length=253)
    from_id = fields.CharField(max_length=64, null=True, unique=True)
    """Per-recipient token in the MAIL FROM localpart, lower case, or null without fromid mode."""
    recipient_localpart = fields.CharField(max_length=255)
    recipient_domain = fields.CharField(max_length=253)
    recipient_address = fields.CharField(max_length=512)
    """Unicode `localpart@domain`, for filters and webhooks."""
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=0)
    """0 means the default of 8."""
    next_attempt = fields.DatetimeField()
    last_attempt = fields.DatetimeField(null=True)
    results = fields.JSONField[list[dict[str, object]]](default=list)
    """One entry per attempt: Start, Duration, Success, Code, Secode, Error."""
    has_8bit = fields.BooleanField(default=False)
    smtputf8 = fields.BooleanField(default=False)
    size = fields.BigIntField()
    """Prefix plus blob, in bytes."""
    message_id = fields.CharField(max_length=1000)
    subject = fields.TextField(default="")
    msg_prefix = fields.BinaryField()
    """Received (and DKIM-Signature) header lines written before the blob."""
    blob: fields.ForeignKeyRelation[MessageBlob] = fields.ForeignKeyField(
        "postroom.MessageBlob", related_name="queue_messages", on_delete=fields.RESTRICT
    )
    transport = fields.CharField(max_length=200, default="")
    require_tls = fields.BooleanField(null=True)
    future_release_request = fields.CharField(max_length=100, default="")
    extra = fields.JSONField[dict[str, str]](default=dict)
    lease_token = fields.CharField(max_length=64, null=True)
    """Set by the worker that claimed the row. Every later write is conditional on it."""
    source = fields.CharField(max_length=16, default="webapi")
    """How the message was submitted: `webapi` or `smtp`. Failures of SMTP-submitted
    mail are reported by DSN; webapi senders with an outgoing webhook get webhooks only."""

    class Meta:
        table = "queue_message"
        indexes = (
            Index(fields=("hold", "next_attempt"), name="queue_due"),
            Index(fields=("base_id",), name="queue_base"),
            Index(fields=("account_id", "queued"), name="queue_account"),
            Index(fields=("recipient_domain", "next_attempt"), name="queue_recipient_domain"),
            # Finding the domains being delivered to right now (rows with a lease)
            # must not scan the whole queue on every claim.
            Index(fields=("lease_token",), name="queue_lease"),
            Index(fields=("account_id", "message_id"), name="queue_message_id"),
        )


class RetiredMessage(Model):
    """A queue row after its final outcome, kept for the account's retention period."""

    id = fields.BigIntField(primary_key=True, generated=False)
    base_id = fields.BigIntField(default=0)
    queued = fields.DatetimeField()
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="retired_messages", on_delete=fields.CASCADE
    )
    sender_localpart = fields.CharField(max_length=255)
    sender_domain = fields.CharField(max_length=253)
    from_id = fields.CharField(max_length=64, null=True, unique=True)
    recipient_localpart = fields.CharField(max_length=255)
    recipient_domain = fields.CharField(max_length=253)
    recipient_address = fields.CharField(max_length=512)
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=0)
    last_attempt = fields.DatetimeField(null=True)
    results = fields.JSONField[list[dict[str, object]]](default=list)
    has_8bit = fields.BooleanField(default=False)
    smtputf8 = fields.BooleanField(default=False)
    size = fields.BigIntField()
    message_id = fields.CharField(max_length=1000)
    subject = fields.TextField(default="")
    transport = fields.CharField(max_length=200, default="")
    require_tls = fields.BooleanField(null=True)
    future_release_request = fields.CharField(max_length=100, default="")
    extra = fields.JSONField[dict[str, str]](default=dict)
    success = fields.BooleanField()
    last_activity = fields.DatetimeField()
    keep_until = fields.DatetimeField()

    class Meta:
        table = "retired_message"
        indexes = (
            Index(fields=("keep_until",), name="retired_keep_until"),
            Index(fields=("recipient_address", "last_activity"), name="retired_recipient"),
            Index(fields=("account_id", "last_activity"), name="retired_account"),
            # Matching reports that come back without a fromid (`queue.bounces`).
            Index(fields=("account_id", "base_id"), name="retired_base"),
            Index(fields=("account_id", "message_id"), name="retired_message_id"),
        )


class HoldRule(Model):
    """Holds queued messages matching all its non-empty fields (all empty: every message)."""

    id = fields.IntField(primary_key=True)
    account = fields.CharField(max_length=200, default="")
    sender_domain = fields.CharField(max_length=253, default="")
    recipient_domain = fields.CharField(max_length=253, default="")
    created = fields.DatetimeField(default=utc_now)

    class Meta:
        table = "hold_rule"


class Suppression(Model):
    """A recipient an account will not send to, by base address."""

    id = fields.BigIntField(primary_key=True)
    created = fields.DatetimeField(default=utc_now)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="suppressions", on_delete=fields.CASCADE
    )
    base_address = fields.CharField(max_length=512)
    original_address = fields.CharField(max_length=512)
    manual = fields.BooleanField(default=False)
    reason = fields.TextField(default="")

    class Meta:
        table = "suppression"
        unique_together = (("account", "base_address"),)


class DeliveryEvent(Model):
    """Outbox: one row per queue state change, written in the transaction that made it.

    The webhook layer turns these into webhook rows, so the queue never imports it.
    """

    id = fields.BigIntField(primary_key=True)
    created = fields.DatetimeField()
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="delivery_events", on_delete=fields.CASCADE
    )
    queue_msg_id = fields.BigIntField()
    event = fields.CharField(max_length=32)
    """An outgoing webhook event name: delivered, suppressed, delayed, failed, …"""
    details = fields.JSONField[dict[str, object]](default=dict)
    """Event fields: DSN, Suppressing, SMTPCode, SMTPEnhancedCode, Error."""
    message = fields.JSONField[dict[str, object]](default=dict, db_default="{}")
    """The message's fields of the webhook: FromID, MessageID, Subject, Extra. Copied
    into the event because the message's row may be gone when the webhook is built."""
    processed = fields.BooleanField(default=False)

    class Meta:
        table = "delivery_event"
        indexes = (Index(fields=("processed", "id"), name="delivery_event_pending"),)


class RecipientRecord(Model):
    """One recipient of one submission, for the per-account daily send limits.

    Written only for accounts that have a limit, and removed after a day by cleanup.
    """

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="recipient_records", on_delete=fields.CASCADE
    )
    address = fields.CharField(max_length=512)
    """Lower-cased recipient address."""
    created = fields.DatetimeField()

    class Meta:
        table = "recipient_record"
        indexes = (
            Index(fields=("account_id", "created"), name="recipient_record_window"),
            Index(fields=("account_id", "address"), name="recipient_record_address"),
        )
