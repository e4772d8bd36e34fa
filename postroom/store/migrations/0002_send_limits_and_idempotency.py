from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("postroom", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="IdempotencyRecord",
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
                        related_name="idempotency_records",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("key", fields.CharField(max_length=255)),
                ("request_hash", fields.CharField(max_length=64)),
                ("response", fields.TextField(unique=False)),
                ("created", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "idempotency_record",
                "app": "postroom",
                "unique_together": (("account", "key"),),
                "indexes": [Index(fields=["created"], name="idempotency_created")],
                "pk_attr": "id",
                "table_description": "The response to the first Send with an `Idempotency-Key`, replayed for 24 hours.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RecipientRecord",
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
                        related_name="recipient_records",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("address", fields.CharField(max_length=512)),
                ("created", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "recipient_record",
                "app": "postroom",
                "indexes": [
                    Index(fields=["account_id", "created"], name="recipient_record_window"),
                    Index(fields=["account_id", "address"], name="recipient_record_address"),
                ],
                "pk_attr": "id",
                "table_description": "One recipient of one submission, for the per-account daily send limits.",
            },
            bases=["Model"],
        ),
    ]
