from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from postroom.store.timestamps import utc_now


class Migration(migrations.Migration):
    dependencies = [("postroom", "0007_message_source_and_report_matching")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DomainAlias",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(unique=True, max_length=253)),
                (
                    "domain",
                    fields.ForeignKeyField(
                        "postroom.Domain",
                        source_field="domain_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="domain_aliases",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "created",
                    fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "domain_alias",
                "app": "postroom",
                "pk_attr": "id",
                "table_description": "Another name for a domain: mail to `x@alias` is mail to `x@domain`.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="DomainAdmin",
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
                        related_name="administered",
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
                        related_name="admins",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "domain_admin",
                "app": "postroom",
                "unique_together": (("account", "domain"),),
                "pk_attr": "id",
                "table_description": "A domain that an account with role `domainadmin` administers.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AdminSetting",
            fields=[
                ("name", fields.CharField(primary_key=True, max_length=100)),
                ("value", fields.TextField(default="")),
            ],
            options={
                "table": "admin_setting",
                "app": "postroom",
                "pk_attr": "name",
                "table_description": "Server-wide settings kept in the database, such as the admin password hash.",
            },
            bases=["Model"],
        ),
    ]
