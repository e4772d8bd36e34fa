from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("postroom", "0006_webhook_delivery")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Account",
            name="submission_save_sent",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name="QueueMessage",
            name="source",
            field=fields.CharField(max_length=16, default="webapi", db_default="webapi"),
        ),
        ops.AddIndex(
            model_name="QueueMessage",
            index=Index(fields=["account_id", "message_id"], name="queue_message_id"),
        ),
        ops.AddIndex(
            model_name="RetiredMessage",
            index=Index(fields=["account_id", "base_id"], name="retired_base"),
        ),
        ops.AddIndex(
            model_name="RetiredMessage",
            index=Index(fields=["account_id", "message_id"], name="retired_message_id"),
        ),
    ]
