import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from postroom.store.timestamps import utc_now


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Account",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(unique=True, max_length=200)),
                ("full_name", fields.CharField(default="", max_length=500)),
                ("password_hash", fields.CharField(default="", max_length=255)),
                ("login_disabled", fields.CharField(default="", max_length=500)),
                ("submission_disabled", fields.BooleanField(default=False)),
                ("role", fields.CharField(default="user", max_length=20)),
                ("keep_retired_messages_seconds", fields.BigIntField(default=0)),
                ("keep_retired_webhooks_seconds", fields.BigIntField(default=0)),
                ("max_outgoing_messages_per_day", fields.IntField(default=0)),
                ("max_first_time_recipients_per_day", fields.IntField(default=0)),
                (
                    "sender_allowlist",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("outgoing_webhook_url", fields.CharField(default="", max_length=2000)),
                ("outgoing_webhook_authorization", fields.CharField(default="", max_length=2000)),
                (
                    "outgoing_webhook_events",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("incoming_webhook_url", fields.CharField(default="", max_length=2000)),
                ("incoming_webhook_authorization", fields.CharField(default="", max_length=2000)),
                ("webhook_secret", fields.CharField(default="", max_length=200)),
                (
                    "created",
                    fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "account",
                "app": "postroom",
                "pk_attr": "id",
                "table_description": "A sending and receiving identity with its own settings, queue rows and mailboxes.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ApiKey",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "postroom.Account",
                        source_field="account_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="api_keys",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(default="", max_length=200)),
                ("prefix", fields.CharField(unique=True, max_length=32)),
                ("secret_hash", fields.CharField(max_length=128)),
                ("scope", fields.CharField(default="webapi", max_length=20)),
                (
                    "created",
                    fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False),
                ),
                ("last_used", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "api_key",
                "app": "postroom",
                "pk_attr": "id",
                "table_description": "A bearer token for the webapi (account keys) or the admin API (account null).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="DeliveryEvent",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("created", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "account",
                    fields.ForeignKeyField(
                        "postroom.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="delivery_events",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("queue_msg_id", fields.BigIntField()),
                ("event", fields.CharField(max_length=32)),
                (
                    "details",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("processed", fields.BooleanField(default=False)),
            ],
            options={
                "table": "delivery_event",
                "app": "postroom",
                "indexes": [Index(fields=["processed", "id"], name="delivery_event_pending")],
                "pk_attr": "id",
                "table_description": "Outbox: one row per queue state change, written in the transaction that made it.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Domain",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(unique=True, max_length=253)),
                (
                    "catchall_separators",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("disabled", fields.BooleanField(default=False)),
                (
                    "created",
                    fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "domain",
                "app": "postroom",
                "pk_attr": "id",
                "table_description": "A mail domain this server is responsible for.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Alias",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "domain",
                    fields.ForeignKeyField(
                        "postroom.Domain",
                        source_field="domain_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="aliases",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("localpart", fields.CharField(max_length=255)),
                (
                    "members",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("members_may_send", fields.BooleanField(default=False)),
                (
                    "created",
                    fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "alias",
                "app": "postroom",
                "unique_together": (("domain", "localpart"),),
                "pk_attr": "id",
                "table_description": "An address that expands to other recipients at delivery.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="HoldRule",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("account", fields.CharField(default="", max_length=200)),
                ("sender_domain", fields.CharField(default="", max_length=253)),
                ("recipient_domain", fields.CharField(default="", max_length=253)),
                (
                    "created",
                    fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "hold_rule",
                "app": "postroom",
                "pk_attr": "id",
                "table_description": "Holds queued messages matching all its non-empty fields (all empty: every message).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LoginAddress",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "postroom.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="addresses",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "domain",
                    fields.ForeignKeyField(
                        "postroom.Domain",
                        source_field="domain_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="addresses",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("localpart", fields.CharField(max_length=255)),
                ("fromid_login", fields.BooleanField(default=False)),
                (
                    "created",
                    fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "login_address",
                "app": "postroom",
                "unique_together": (("domain", "localpart"),),
                "pk_attr": "id",
                "table_description": "An address that belongs to an account: it receives mail and may log in and send.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Mailbox",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "postroom.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="mailboxes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=500)),
                ("special_use", fields.CharField(default="", max_length=20)),
                (
                    "created",
                    fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "mailbox",
                "app": "postroom",
                "unique_together": (("account", "name"),),
                "pk_attr": "id",
                "table_description": "A named folder of an account (Inbox, Sent, …).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MessageBlob",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("data", fields.BinaryField()),
                ("size", fields.BigIntField()),
                (
                    "created",
                    fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "message_blob",
                "app": "postroom",
                "pk_attr": "id",
                "table_description": "The bytes of a composed message, shared by all rows of one submission.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="QueueMessage",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("base_id", fields.BigIntField(default=0)),
                ("queued", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("hold", fields.BooleanField(default=False)),
                (
                    "account",
                    fields.ForeignKeyField(
                        "postroom.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="queue_messages",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("sender_localpart", fields.CharField(max_length=255)),
                ("sender_domain", fields.CharField(max_length=253)),
                ("from_id", fields.CharField(null=True, unique=True, max_length=64)),
                ("recipient_localpart", fields.CharField(max_length=255)),
                ("recipient_domain", fields.CharField(max_length=253)),
                ("recipient_address", fields.CharField(max_length=512)),
                ("attempts", fields.IntField(default=0)),
                ("max_attempts", fields.IntField(default=0)),
                ("next_attempt", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "last_attempt",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "results",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("has_8bit", fields.BooleanField(default=False)),
                ("smtputf8", fields.BooleanField(default=False)),
                ("size", fields.BigIntField()),
                ("message_id", fields.CharField(max_length=1000)),
                ("subject", fields.TextField(default="", unique=False)),
                ("msg_prefix", fields.BinaryField()),
                (
                    "blob",
                    fields.ForeignKeyField(
                        "postroom.MessageBlob",
                        source_field="blob_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="queue_messages",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("transport", fields.CharField(default="", max_length=200)),
                ("require_tls", fields.BooleanField(null=True)),
                ("future_release_request", fields.CharField(default="", max_length=100)),
                (
                    "extra",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("lease_token", fields.CharField(null=True, max_length=64)),
            ],
            options={
                "table": "queue_message",
                "app": "postroom",
                "indexes": [
                    Index(fields=["hold", "next_attempt"], name="queue_due"),
                    Index(fields=["base_id"], name="queue_base"),
                    Index(fields=["account_id", "queued"], name="queue_account"),
                    Index(
                        fields=["recipient_domain", "next_attempt"], name="queue_recipient_domain"
                    ),
                ],
                "pk_attr": "id",
                "table_description": "One recipient of one submission, waiting for (another) delivery attempt.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RetiredMessage",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=False, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("base_id", fields.BigIntField(default=0)),
                ("queued", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "account",
                    fields.ForeignKeyField(
                        "postroom.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="retired_messages",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("sender_localpart", fields.CharField(max_length=255)),
                ("sender_domain", fields.CharField(max_length=253)),
                ("from_id", fields.CharField(null=True, unique=True, max_length=64)),
                ("recipient_localpart", fields.CharField(max_length=255)),
                ("recipient_domain", fields.CharField(max_length=253)),
                ("recipient_address", fields.CharField(max_length=512)),
                ("attempts", fields.IntField(default=0)),
                ("max_attempts", fields.IntField(default=0)),
                (
                    "last_attempt",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "results",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("has_8bit", fields.BooleanField(default=False)),
                ("smtputf8", fields.BooleanField(default=False)),
                ("size", fields.BigIntField()),
                ("message_id", fields.CharField(max_length=1000)),
                ("subject", fields.TextField(default="", unique=False)),
                ("transport", fields.CharField(default="", max_length=200)),
                ("require_tls", fields.BooleanField(null=True)),
                ("future_release_request", fields.CharField(default="", max_length=100)),
                (
                    "extra",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("success", fields.BooleanField()),
                ("last_activity", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("keep_until", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "retired_message",
                "app": "postroom",
                "indexes": [
                    Index(fields=["keep_until"], name="retired_keep_until"),
                    Index(fields=["recipient_address", "last_activity"], name="retired_recipient"),
                    Index(fields=["account_id", "last_activity"], name="retired_account"),
                ],
                "pk_attr": "id",
                "table_description": "A queue row after its final outcome, kept for the account's retention period.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RetiredWebhook",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=False, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("queue_msg_id", fields.BigIntField(default=0)),
                ("from_id", fields.CharField(default="", max_length=64)),
                ("message_id", fields.CharField(default="", max_length=1000)),
                ("subject", fields.TextField(default="", unique=False)),
                (
                    "extra",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "postroom.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="retired_webhooks",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("url", fields.CharField(max_length=2000)),
                ("authorization", fields.BooleanField(default=False)),
                ("is_incoming", fields.BooleanField(default=False)),
                ("outgoing_event", fields.CharField(default="", max_length=32)),
                ("payload", fields.TextField(unique=False)),
                ("submitted", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("attempts", fields.IntField(default=0)),
                (
                    "results",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("superseded_by_id", fields.BigIntField(default=0)),
                ("success", fields.BooleanField()),
                ("last_activity", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("keep_until", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "retired_webhook",
                "app": "postroom",
                "indexes": [
                    Index(fields=["keep_until"], name="retired_webhook_keep_until"),
                    Index(fields=["account_id", "last_activity"], name="retired_webhook_account"),
                ],
                "pk_attr": "id",
                "table_description": "A webhook after success, final failure, cancel or supersession.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StoredMessage",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "postroom.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="stored_messages",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "mailbox",
                    fields.ForeignKeyField(
                        "postroom.Mailbox",
                        source_field="mailbox_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="messages",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "blob",
                    fields.ForeignKeyField(
                        "postroom.MessageBlob",
                        source_field="blob_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="stored_messages",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("prefix", fields.BinaryField()),
                ("size", fields.BigIntField()),
                ("received", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "flags",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("mail_from", fields.CharField(default="", max_length=512)),
                ("rcpt_to", fields.CharField(default="", max_length=512)),
                ("remote_ip", fields.CharField(default="", max_length=64)),
                ("message_id", fields.CharField(default="", max_length=1000)),
                ("subject", fields.TextField(default="", unique=False)),
                ("dsn", fields.BooleanField(default=False)),
            ],
            options={
                "table": "stored_message",
                "app": "postroom",
                "indexes": [
                    Index(fields=["mailbox_id", "received"], name="stored_message_mailbox")
                ],
                "pk_attr": "id",
                "table_description": "A message in a mailbox, with its delivery envelope.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Suppression",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "created",
                    fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "postroom.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="suppressions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("base_address", fields.CharField(max_length=512)),
                ("original_address", fields.CharField(max_length=512)),
                ("manual", fields.BooleanField(default=False)),
                ("reason", fields.TextField(default="", unique=False)),
            ],
            options={
                "table": "suppression",
                "app": "postroom",
                "unique_together": (("account", "base_address"),),
                "pk_attr": "id",
                "table_description": "A recipient an account will not send to, by base address.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Webhook",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("queue_msg_id", fields.BigIntField(default=0)),
                ("from_id", fields.CharField(default="", max_length=64)),
                ("message_id", fields.CharField(default="", max_length=1000)),
                ("subject", fields.TextField(default="", unique=False)),
                (
                    "extra",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "postroom.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="webhooks",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("url", fields.CharField(max_length=2000)),
                ("authorization", fields.CharField(default="", max_length=2000)),
                ("is_incoming", fields.BooleanField(default=False)),
                ("outgoing_event", fields.CharField(default="", max_length=32)),
                ("payload", fields.TextField(unique=False)),
                ("submitted", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("attempts", fields.IntField(default=0)),
                ("next_attempt", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "results",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("lease_token", fields.CharField(null=True, max_length=64)),
            ],
            options={
                "table": "webhook",
                "app": "postroom",
                "indexes": [
                    Index(fields=["next_attempt"], name="webhook_due"),
                    Index(fields=["queue_msg_id"], name="webhook_queue_msg"),
                ],
                "pk_attr": "id",
                "table_description": "A webhook POST waiting for (another) attempt. URL and Authorization are copied at queue time.",
            },
            bases=["Model"],
        ),
    ]
