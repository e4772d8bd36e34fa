"""Tortoise models for webhook deliveries: queued hooks and retired hooks."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from postroom.store.account import Account


class Webhook(Model):
    """A webhook POST waiting for (another) attempt.

    URL and Authorization are copied when the hook is queued.
    """

    id = fields.BigIntField(primary_key=True)
    queue_msg_id = fields.BigIntField(default=0)
    """0 for incoming-mail hooks."""
    from_id = fields.CharField(max_length=64, default="")
    message_id = fields.CharField(max_length=1000, default="")
    subject = fields.TextField(default="")
    extra = fields.JSONField[dict[str, str]](default=dict)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="webhooks", on_delete=fields.CASCADE
    )
    url = fields.CharField(max_length=2000)
    authorization = fields.CharField(max_length=2000, default="")
    is_incoming = fields.BooleanField(default=False)
    outgoing_event = fields.CharField(max_length=32, default="")
    payload = fields.TextField()
    submitted = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    next_attempt = fields.DatetimeField()
    results = fields.JSONField[list[dict[str, object]]](default=list)
    lease_token = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "webhook"
        indexes = (
            Index(fields=("next_attempt",), name="webhook_due"),
            Index(fields=("queue_msg_id",), name="webhook_queue_msg"),
            # Finding the hooks a claim won, and listing an account's hooks.
            Index(fields=("lease_token",), name="webhook_lease"),
            Index(fields=("account_id", "submitted"), name="webhook_account"),
        )


class RetiredWebhook(Model):
    """A webhook after success, final failure, cancel or supersession."""

    id = fields.BigIntField(primary_key=True, generated=False)
    queue_msg_id = fields.BigIntField(default=0)
    from_id = fields.CharField(max_length=64, default="")
    message_id = fields.CharField(max_length=1000, default="")
    subject = fields.TextField(default="")
    extra = fields.JSONField[dict[str, str]](default=dict)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "postroom.Account", related_name="retired_webhooks", on_delete=fields.CASCADE
    )
    url = fields.CharField(max_length=2000)
    authorization = fields.BooleanField(default=False)
    is_incoming = fields.BooleanField(default=False)
    outgoing_event = fields.CharField(max_length=32, default="")
    payload = fields.TextField()
    submitted = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    results = fields.JSONField[list[dict[str, object]]](default=list)
    superseded_by_id = fields.BigIntField(default=0)
    success = fields.BooleanField()
    last_activity = fields.DatetimeField()
    keep_until = fields.DatetimeField()

    class Meta:
        table = "retired_webhook"
        indexes = (
            Index(fields=("keep_until",), name="retired_webhook_keep_until"),
            Index(fields=("account_id", "last_activity"), name="retired_webhook_account"),
            Index(fields=("last_activity",), name="retired_webhook_last_activity"),
        )
