from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("postroom", "0004_stored_message_expunged")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="QueueMessage",
            index=Index(fields=["lease_token"], name="queue_lease"),
        ),
    ]
