"""The schema is managed by migrations, and upgrading keeps existing rows."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

from tortoise.context import TortoiseContext
from tortoise.models import Model

from postroom.store.account import Account, Domain, LoginAddress
from postroom.store.blob import MessageBlob
from postroom.store.db import (
    MODEL_MODULES,
    Database,
    migrate_database,
    open_database,
    tortoise_config,
)
from postroom.store.idempotency import IdempotencyRecord
from postroom.store.outgoing import QueueMessage, RecipientRecord
from tests.conftest import DatabaseFactory

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_upgrade_from_first_migration_keeps_rows(database_factory: DatabaseFactory) -> None:
    url = await database_factory.new_url(migrated=False)
    try:
        await migrate_database(url, target="0001_initial")
        async with TortoiseContext() as context:
            await context.init(config=tortoise_config(url))
            domain = await Domain.create(name="example.com", catchall_separators=["+"])
            account = await Account.create(name="alice", full_name="Alice Ä")
            await LoginAddress.create(account=account, domain=domain, localpart="alice")
            blob = await MessageBlob.create(data=b"Subject: hi\r\n\r\nhello\r\n", size=22)
            await QueueMessage.create(
                queued=NOW,
                account=account,
                sender_localpart="alice",
                sender_domain="example.com",
                from_id="abc",
                recipient_localpart="bob",
                recipient_domain="example.org",
                recipient_address="bob@example.org",
                next_attempt=NOW,
                size=22,
                message_id="<m@example.com>",
                msg_prefix=b"",
                blob=blob,
                extra={"user": "42"},
            )
            tables = await _tables(context)
            assert "queue_message" in tables
            assert "idempotency_record" not in tables

        async with open_database(url):
            account = await Account.get(name="alice")
            assert account.full_name == "Alice Ä"
            row = await QueueMessage.get(from_id="abc").prefetch_related("blob")
            assert row.extra == {"user": "42"}
            assert row.blob.data == b"Subject: hi\r\n\r\nhello\r\n"
            assert row.next_attempt == NOW
            address = await LoginAddress.get(localpart="alice").prefetch_related("domain")
            assert address.domain.catchall_separators == ["+"]
            # The tables of the second migration exist and work.
            await RecipientRecord.create(account=account, address="bob@example.org", created=NOW)
            await IdempotencyRecord.create(
                account=account, key="k", request_hash="0" * 64, response="{}", created=NOW
            )
            assert await RecipientRecord.all().count() == 1
    finally:
        await database_factory.drop(url)


async def _tables(context: TortoiseContext) -> set[str]:
    connection = context.db()
    if connection.capabilities.dialect == "sqlite":
        _, rows = await connection.execute_query(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    else:
        _, rows = await connection.execute_query(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        )
    return {row["name"] for row in rows}


def test_model_docstrings_survive_ddl_splitting() -> None:
    # Tortoise writes model docstrings into the DDL as table comments and, on SQLite,
    # splits the DDL on ";": a semicolon in a docstring breaks the migration.
    for model in _postroom_models():
        assert ";" not in (model.__doc__ or ""), model.__name__


async def test_fresh_database_has_a_table_for_every_model(database: Database) -> None:
    tables = await _tables(database.context)
    missing = {m._meta.db_table for m in _postroom_models()} - tables
    assert not missing


def _postroom_models() -> list[type[Model]]:
    models: list[type[Model]] = []
    for module_name in MODEL_MODULES:
        module = importlib.import_module(module_name)
        models.extend(
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Model)
            and value.__module__ == module_name
        )
    return models
