from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("postroom", "0002_send_limits_and_idempotency")]

    initial = False

    operations = [
        ops.CreateModel(
            name="IdBlock",
            fields=[
                (
                    "name",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64),
                ),
                ("next_id", fields.BigIntField()),
            ],
            options={
                "table": "id_block",
                "app": "postroom",
                "pk_attr": "name",
                "table_description": "The next unreserved ID of one ID space.",
            },
            bases=["Model"],
        ),
        ops.AlterModelOptions(
            name="Webhook",
            options={
                "table": "webhook",
                "app": "postroom",
                "indexes": [
                    Index(fields=["next_attempt"], name="webhook_due"),
                    Index(fields=["queue_msg_id"], name="webhook_queue_msg"),
                ],
                "pk_attr": "id",
                "table_description": "A webhook POST waiting for (another) attempt.",
            },
        ),
    ]
