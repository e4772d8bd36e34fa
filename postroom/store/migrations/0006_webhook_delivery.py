from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("postroom", "0005_queue_lease_index")]

    initial = False

    operations = [
        ops.AddField(
            model_name="DeliveryEvent",
            name="message",
            field=fields.JSONField(default=dict, db_default="{}"),
        ),
        ops.AddIndex(
            model_name="Webhook",
            index=Index(fields=["lease_token"], name="webhook_lease"),
        ),
        ops.AddIndex(
            model_name="Webhook",
            index=Index(fields=["account_id", "submitted"], name="webhook_account"),
        ),
        ops.AddIndex(
            model_name="RetiredWebhook",
            index=Index(fields=["last_activity"], name="retired_webhook_last_activity"),
        ),
    ]
