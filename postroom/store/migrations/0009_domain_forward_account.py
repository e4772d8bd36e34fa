from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("postroom", "0008_administration")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Domain",
            name="forward_account",
            field=fields.ForeignKeyField(
                "postroom.Account",
                source_field="forward_account_id",
                db_constraint=True,
                to_field="id",
                related_name="forwarding_domains",
                null=True,
                on_delete=OnDelete.SET_NULL,
            ),
        ),
    ]
