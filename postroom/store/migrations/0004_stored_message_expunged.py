from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("postroom", "0003_id_blocks")]

    initial = False

    operations = [
        ops.AddField(
            model_name="StoredMessage",
            name="expunged",
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
