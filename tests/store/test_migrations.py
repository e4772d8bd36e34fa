"""The schema is managed by migrations, and upgrading keeps existing rows."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.context import TortoiseContext
from tortoise.models import Model

from postroom.store import sql
from postroom.store.account import Account, LoginAddress
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
            # Rows are written with SQL against the first schema as it is: the models
            # describe the newest schema, which may have columns the old one lacks.
            connection = context.db()
            domain = await _insert(
                connection, "domain", {"name": "example.com", "catchall_separators": '["+"]'}
            )
            account = await _insert(
                connection, "account", {"name": "alice", "full_name": "Alice Ä"}
            )
            await _insert(
                connection,
                "login_address",
                {"account_id": account, "domain_id": domain, "localpart": "alice"},
            )
            blob = await _insert(
                connection, "message_blob", {"data": b"Subject: hi\r\n\r\nhello\r\n", "size": 22}
            )
            await _insert(
                connection,
                "queue_message",
                {
                    "queued": NOW,
                    "account_id": account,
                    "sender_localpart": "alice",
                    "sender_domain": "example.com",
                    "from_id": "abc",
                    "recipient_localpart": "bob",
                    "recipient_domain": "example.org",
                    "recipient_address": "bob@example.org",
                    "next_attempt": NOW,
                    "size": 22,
                    "message_id": "<m@example.com>",
                    "msg_prefix": b"",
                    "blob_id": blob,
                    "extra": '{"user":"42"}',
                },
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


async def _insert(connection: BaseDBAsyncClient, table: str, values: dict[str, Any]) -> int:
    """Insert a row, giving every other NOT NULL column without a default a zero value
    of its type; returns the new row's id."""
    row = dict(values)
    for name, kind in (await _required_columns(connection, table)).items():
        if name != "id" and name not in row:
            row[name] = _zero(kind)
    encoded = [
        sql.encode_datetime(connection, v) if isinstance(v, datetime) else v for v in row.values()
    ]
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    return await sql.insert_returning_id(
        connection, f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id", encoded
    )


async def _required_columns(connection: BaseDBAsyncClient, table: str) -> dict[str, str]:
    if connection.capabilities.dialect == "sqlite":
        _, rows = await connection.execute_query(f"PRAGMA table_info({table})")
        return {
            r["name"]: str(r["type"]).lower()
            for r in rows
            if r["notnull"] and r["dflt_value"] is None
        }
    _, rows = await connection.execute_query(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_name = $1 AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    )
    return {r["column_name"]: str(r["data_type"]).lower() for r in rows}


def _zero(kind: str) -> Any:
    if "bool" in kind:
        return False
    if "int" in kind:
        return 0
    if "json" in kind:
        return "[]"
    if "time" in kind or "date" in kind:
        return NOW
    if "blob" in kind or "bytea" in kind:
        return b""
    return ""


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
