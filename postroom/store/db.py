"""Opening, migrating and closing the database, for SQLite and PostgreSQL alike.

The schema is owned by the migrations in `postroom.store.migrations`; nothing
calls `generate_schemas`. A database is always brought to the newest migration
before the server uses it, so an upgrade never runs new code on an old schema.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tortoise.backends.base.client import (
    BaseDBAsyncClient,
    TransactionalDBClient,
    TransactionContext,
)
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from postroom.store.errors import StoreError
from postroom.store.inline import InlineConnection
from postroom.store.reader import PoolReader, Reader, SQLiteReader

APP_LABEL = "postroom"
MODEL_MODULES = (
    "postroom.store.account",
    "postroom.store.blob",
    "postroom.store.outgoing",
    "postroom.store.webhook",
    "postroom.store.mailbox",
    "postroom.store.idempotency",
    "postroom.store.ids",
)
MIGRATIONS_MODULE = "postroom.store.migrations"

# WAL lets readers proceed during the group-commit writer's transaction; synchronous=FULL
# makes every commit durable on power loss, which is what a Send 200 promises.
SQLITE_PRAGMAS = {"journal_mode": "WAL", "synchronous": "FULL", "busy_timeout": "10000"}


class Dialect(enum.StrEnum):
    SQLITE = "sqlite"
    POSTGRES = "postgres"


def dialect_of(url: str) -> Dialect:
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return Dialect.SQLITE
    if scheme in ("postgres", "postgresql"):
        return Dialect.POSTGRES
    raise StoreError(f"unsupported database URL scheme {scheme!r}: use sqlite:// or postgres://")


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection_url(url)},
        "apps": {
            APP_LABEL: {
                "models": list(MODEL_MODULES),
                "migrations": MIGRATIONS_MODULE,
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection_url(url: str) -> str:
    if dialect_of(url) is Dialect.SQLITE and "?" not in url:
        return url + "?" + "&".join(f"{k}={v}" for k, v in SQLITE_PRAGMAS.items())
    if dialect_of(url) is Dialect.POSTGRES and urlsplit(url).scheme == "postgresql":
        return "postgres" + url[len("postgresql") :]
    return url


MIGRATIONS_CONFIG = tortoise_config("sqlite://:memory:")
"""For writing new migrations: `tortoise -c postroom.store.db.MIGRATIONS_CONFIG makemigrations`."""


async def migrate_database(url: str, target: str | None = None) -> None:
    """Apply migrations up to `target` (a migration name such as `0001_initial`), or all.

    Runs in a Tortoise context of its own, so migrating never disturbs an open database.
    """
    try:
        async with TortoiseContext():
            await migrate(
                config=tortoise_config(url),
                target=f"{APP_LABEL}.{target}" if target else None,
                direction="both" if target else "forward",
            )
    except OSError as exc:
        raise StoreError(f"cannot reach the database: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Database:
    """An open, migrated database and the Tortoise context whose connections reach it."""

    url: str
    dialect: Dialect
    context: TortoiseContext

    reader: Reader
    """For hot-path reads that need not see the writer's open transaction."""

    writer: InlineConnection | None = None
    """SQLite: the connection `write_transaction` runs on (`store.inline`)."""

    def connection(self) -> BaseDBAsyncClient:
        return self.context.db()

    def write_transaction(self) -> TransactionContext:
        """A transaction for a writer that reads before it writes.

        On SQLite it begins with BEGIN IMMEDIATE, taking the write lock at once (waiting
        for it under busy_timeout). Tortoise begins with a deferred BEGIN, and a deferred
        transaction that has read cannot be upgraded to a writer once another process
        has committed: SQLite answers SQLITE_BUSY at once, without waiting. With more
        than one writing process (`postroom serve --role`, localserve's SMTP process, a
        CLI command) that is the common case, not a corner. Its statements run on the
        calling thread (`store.inline`).
        """
        client = self.connection()
        if isinstance(client, SqliteClient) and self.writer is not None:
            return _ImmediateTransactionContext(
                _ImmediateTransaction(client, self.writer), self.writer.lock
            )
        return client._in_transaction()


@asynccontextmanager
async def open_database(url: str) -> AsyncIterator[Database]:
    """Migrate to the newest schema, then yield the database for queries until exit.

    The context is also installed as Tortoise's process-wide fallback, because the
    HTTP and SMTP servers run requests in tasks that do not inherit our context.
    """
    dialect = dialect_of(url)
    await migrate_database(url)
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(url), _enable_global_fallback=True)
        if dialect is Dialect.SQLITE:
            path = urlsplit(url).path
            reader = await SQLiteReader.open(path)
            # The settings of Tortoise's own connection (foreign_keys=ON among them: SQLite
            # enforces foreign keys, cascades included, only where a connection asks).
            client = context.db()
            assert isinstance(client, SqliteClient)
            pragmas = {str(k): str(v) for k, v in client.pragmas.items()}
            busy_timeout = int(pragmas.pop("busy_timeout", SQLITE_PRAGMAS["busy_timeout"]))
            writer = InlineConnection.open(path, pragmas, busy_timeout=busy_timeout / 1000)
            try:
                yield Database(
                    url=url, dialect=dialect, context=context, reader=reader, writer=writer
                )
            finally:
                await writer.close()
                await reader.close()
        else:
            yield Database(
                url=url, dialect=dialect, context=context, reader=PoolReader(context.db())
            )


class _ImmediateTransactionContext(SqliteTransactionContext):
    """Releases the connection's lock when BEGIN fails (busy_timeout ran out, say), which
    Tortoise's context does not: the connection would stay locked for good."""

    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        connection: TransactionalDBClient = self.connection
        return connection


class _ImmediateTransaction(SqliteTransactionWrapper):
    """Tortoise's SQLite transaction on the inline writer connection, begun with BEGIN
    IMMEDIATE (see `write_transaction`)."""

    def __init__(self, client: SqliteClient, writer: InlineConnection) -> None:
        super().__init__(client)
        # Tortoise's SQLite client only calls the aiosqlite methods InlineConnection has.
        self._connection = writer  # type: ignore[assignment]
        self._writer = writer

    async def begin(self) -> None:
        # (Tortoise first commits whatever is open; statements outside a transaction
        # autocommit on this connection, so nothing is, and that round trip is saved.)
        await self._writer.begin_immediate()
